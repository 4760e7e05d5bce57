"""Dialogs: first run, starting an audit, actions, reasons, an audit's history."""
