"""Case Auditor core: frameworks, cases, audits, grading and the store.

This package never imports Qt or ``ui``: the command line and the desktop app
both call the functions here, so anything the GUI can do the core can do.
"""

from typing import Any


def __getattr__(name: str) -> Any:
    """``__version__`` is read from the installed metadata on first use: importing
    ``importlib.metadata`` costs more than the rest of ``case-auditor --help``."""
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import metadata

    try:
        version = metadata.version("case-auditor")
    except metadata.PackageNotFoundError:  # a source tree that was never installed
        version = "0+unknown"
    globals()["__version__"] = version
    return version


APP_NAME = "Case Auditor"
