"""Shipped data: built-in frameworks, icons, style sheets. No code lives here."""
