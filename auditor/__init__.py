"""Case Auditor core: frameworks, cases, audits, grading and the store.

This package never imports Qt or ``ui``: the command line and the desktop app
both call the functions here, so anything the GUI can do the core can do.
"""

# The one place the version is written: pyproject.toml reads it from here (dynamic), so the
# installed metadata says the same. A literal, not read from that metadata: importing
# importlib.metadata and finding the package cost ~25 ms of every start (the app's window,
# every command).
__version__ = "0.1.0"

APP_NAME = "Case Auditor"
