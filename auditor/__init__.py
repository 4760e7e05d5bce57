"""Case Auditor core: frameworks, cases, audits, grading and the store.

This package never imports Qt or ``ui``: the command line and the desktop app
both call the functions here, so anything the GUI can do the core can do.
"""

from importlib import metadata

try:
    __version__ = metadata.version("case-auditor")
except metadata.PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"

APP_NAME = "Case Auditor"
