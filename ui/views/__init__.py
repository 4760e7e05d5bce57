"""The main window's pages: cases, audits, actions, dashboard, frameworks, the audit form
and moderation. Each takes the session (store, runner, settings) in its constructor."""
