"""Small reusable widgets: labelled controls, the criterion card, panels of the audit form."""
