"""Writing a workbook file safely, with progress and cancel.

The workbook is saved to a temporary file in the target's folder and moved into place with
``os.replace`` only when complete: a failed or cancelled export never leaves half a file,
and an existing file is either the old one or the new one.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from auditor.errors import AuditorError

Progress = Callable[[int, int], None]  # (done, total), in units of work
Cancelled = Callable[[], bool]


class ExportError(AuditorError):
    """The workbook cannot be written; the message says why and what to do."""


class ExportCancelled(AuditorError):
    """The user cancelled the export; nothing was written."""

    def __init__(self, message: str = "Export cancelled: no file was written.") -> None:
        super().__init__(message)  # the message as an argument: it pickles, between processes


def open_elsewhere_message(path: Path) -> str:
    return (
        f"Cannot write {path}: it is open in another program or the folder is read-only. "
        "Close it and try again."
    )


def check_target(path: Path | str) -> Path:
    """The path to write, refused with a clear message when it cannot be a workbook."""
    target = Path(path)
    if target.suffix.lower() != ".xlsx":
        raise ExportError(f"Cannot write {target}: give the file name the extension .xlsx.")
    if target.is_dir():
        raise ExportError(f"Cannot write {target}: it is a folder. Choose a file name.")
    if not target.parent.is_dir():
        raise ExportError(f"Cannot write {target}: the folder {target.parent} does not exist.")
    return target


@contextlib.contextmanager
def atomic_output(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; move it onto ``target`` if the block ends
    normally, delete it otherwise. OS errors become :class:`ExportError`."""
    with _translated(target):
        fd, name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=".tmp", dir=target.parent)
        os.close(fd)
    temp = Path(name)
    try:
        yield temp
        with _translated(target):
            os.replace(temp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()


@contextlib.contextmanager
def _translated(target: Path) -> Iterator[None]:
    try:
        yield
    except PermissionError as exc:
        raise ExportError(open_elsewhere_message(target)) from exc
    except IsADirectoryError as exc:
        raise ExportError(f"Cannot write {target}: it is a folder. Choose a file name.") from exc
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise ExportError(
                f"Cannot write {target}: the disk is full. Free some space and try again."
            ) from exc
        raise ExportError(f"Cannot write {target}: {exc.strerror or exc}.") from exc


def discard(wb: Any) -> None:
    """Close a write-only workbook that will not be saved and delete its temporary files.

    Without this an abandoned workbook keeps its half-written sheets in the system's temp
    folder, and its open XML streams complain when they are garbage-collected.
    """
    for ws in wb.worksheets:
        writer = getattr(ws, "_writer", None)
        if writer is None:
            continue
        with contextlib.suppress(Exception):
            if not ws.closed:
                ws.close()
        with contextlib.suppress(OSError, ValueError):
            writer.cleanup()


class Ticker:
    """Counts work done, reports it now and then, and stops the work when cancelled."""

    def __init__(
        self,
        total: int,
        progress: Progress | None = None,
        cancelled: Cancelled | None = None,
        *,
        every: int = 2000,
    ) -> None:
        self.total = max(1, total)
        self.done = 0
        self._progress = progress
        self._cancelled = cancelled
        self._every = every
        self._next = 0

    def tick(self, units: int = 1) -> None:
        """Count ``units`` of work; every so often report progress and check for cancel."""
        self.done += units
        if self.done >= self._next:
            self._next = self.done + self._every
            self.report()

    def report(self) -> None:
        self.check()
        if self._progress is not None:
            self._progress(min(self.done, self.total), self.total)

    def check(self) -> None:
        if self._cancelled is not None and self._cancelled():
            raise ExportCancelled

    def finish(self) -> None:
        """All done (the file is in place): report 100 %; too late to cancel."""
        self.done = self.total
        if self._progress is not None:
            self._progress(self.total, self.total)
