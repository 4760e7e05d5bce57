"""Logging set-up shared by the command line and the desktop app: one rotating file per user."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from auditor.paths import log_dir

LOG_FILE_NAME = "case-auditor.log"
_MAX_BYTES = 1_000_000
_BACKUPS = 5


def log_file() -> Path:
    return log_dir() / LOG_FILE_NAME


def configure_logging(level: int = logging.INFO) -> Path:
    """Send every logger to a rotating file in the user data folder. Returns its path.

    Safe to call more than once: a second call adds no second handler.
    """
    path = log_file()
    root = logging.getLogger()
    if not any(getattr(h, "_case_auditor", False) for h in root.handlers):
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=_MAX_BYTES, backupCount=_BACKUPS, encoding="utf-8"
        )
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(process)d]: %(message)s")
        )
        handler._case_auditor = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    root.setLevel(level)
    return path
