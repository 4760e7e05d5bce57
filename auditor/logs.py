"""Logging set-up shared by the command line and the desktop app: one rotating file per user."""

from __future__ import annotations

import logging
import os
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
        handler = RotatingLog(path, max_bytes=_MAX_BYTES, backups=_BACKUPS)
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(process)d]: %(message)s")
        )
        handler._case_auditor = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    root.setLevel(level)
    return path


class RotatingLog(logging.FileHandler):
    """The log file, moved to ``.1`` (``.1`` to ``.2``… the oldest dropped) when a record
    would take it past ``max_bytes``: the rule of the standard library's
    ``RotatingFileHandler``, here because importing ``logging.handlers`` (socket, pickle and
    queue, for its network handlers) took 12 ms of every start of the app."""

    def __init__(self, path: Path, *, max_bytes: int, backups: int) -> None:
        super().__init__(path, encoding="utf-8")
        self.max_bytes, self.backups = max_bytes, backups

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if self._full_with(record):
                self._roll()
        except OSError:
            # Not moved (Windows refuses while another program has the file open): this
            # record goes on the end of the file, and the next one tries again.
            pass
        except Exception:
            self.handleError(record)  # a record that cannot be formatted
            return
        super().emit(record)

    def _full_with(self, record: logging.LogRecord) -> bool:
        if self.stream is None:
            self.stream = self._open()
        # From the file's end: the command line and the app write to the same file.
        size = self.stream.seek(0, os.SEEK_END)
        line = f"{self.format(record)}{self.terminator}".encode()
        return size > 0 and size + len(line) > self.max_bytes

    def _roll(self) -> None:
        if self.stream is not None:
            self.stream.close()
            self.stream = None  # FileHandler opens it again on the next record
        base = self.baseFilename
        # The full file is moved aside first: if it cannot be, no older file has moved.
        os.replace(base, f"{base}.rolling")
        for n in range(self.backups - 1, 0, -1):
            if os.path.exists(f"{base}.{n}"):
                os.replace(f"{base}.{n}", f"{base}.{n + 1}")
        os.replace(f"{base}.rolling", f"{base}.1")
