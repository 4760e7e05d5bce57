"""Writing a workbook file safely, with progress and cancel.

The workbook is saved to a temporary file in the target's folder and moved into place with
``os.replace`` only when complete: a failed or cancelled export never leaves half a file,
and an existing file is either the old one or the new one. Every way the writing can fail
(a full disk, a read-only folder, a file locked by another program) is one
:class:`ExportError` naming the target, whether it fails while the sheets are written, while
the file is saved or while it is moved into place.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lxml import etree  # type: ignore[import-untyped]  # no stubs; a dependency
from openpyxl.writer.excel import ExcelWriter

from auditor.errors import AuditorError
from auditor.progress import Cancelled, Progress

# A full disk, or the user's quota on it used up (EDQUOT is not defined everywhere).
_DISK_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}


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


def check_target(path: Path | str, suffix: str = ".xlsx") -> Path:
    """The path to write, refused with a clear message when it cannot be a workbook (or,
    given another ``suffix`` such as ".pdf", that kind of file)."""
    target = Path(path)
    if target.suffix.lower() != suffix:
        raise ExportError(f"Cannot write {target}: give the file name the extension {suffix}.")
    if target.is_dir():
        raise ExportError(f"Cannot write {target}: it is a folder. Choose a file name.")
    if not target.parent.is_dir():
        raise ExportError(f"Cannot write {target}: the folder {target.parent} does not exist.")
    return target


@contextlib.contextmanager
def atomic_output(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; move it onto ``target`` if the block ends
    normally, delete it otherwise. A failure to write, in the block (building and saving
    the workbook) or in the move, becomes :class:`ExportError` naming ``target``."""
    with _translated(target):
        fd, name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=".tmp", dir=target.parent)
        os.close(fd)
        temp = Path(name)
        try:
            yield temp
            os.replace(temp, target)
        finally:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()


def save_workbook(wb: Any, path: Path) -> None:
    """``wb.save(path)``, with the archive closed even when writing it fails.

    openpyxl's own save leaves its ZIP archive open when a write fails (a full disk); the
    garbage collector's later close fails again and prints "Exception ignored" and a
    traceback after the one-line message."""
    wb.properties.modified = datetime.now(UTC).replace(tzinfo=None)  # as openpyxl's save does
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(wb, archive).save()


@contextlib.contextmanager
def _translated(target: Path) -> Iterator[None]:
    try:
        yield
    except PermissionError as exc:
        raise ExportError(open_elsewhere_message(target)) from exc
    except IsADirectoryError as exc:
        raise ExportError(f"Cannot write {target}: it is a folder. Choose a file name.") from exc
    except OSError as exc:
        raise ExportError(_os_error_message(target, exc)) from exc
    except etree.SerialisationError as exc:
        # openpyxl streams each big sheet, through lxml, into the system's temporary folder
        # before the save packs them into the workbook: that folder failed, not the target's.
        raise ExportError(_temp_folder_message(target, exc)) from exc


def _os_error_message(target: Path, exc: OSError) -> str:
    # The folder the failing file is in: the target's, or the system's temporary folder.
    folder = Path(exc.filename).parent if exc.filename else target.parent
    if exc.errno in _DISK_FULL:
        where = "the disk" if folder == target.parent else f"the disk holding {folder}"
        return f"Cannot write {target}: {where} is full. Free some space and try again."
    if exc.errno == errno.EROFS:
        return f"Cannot write {target}: the folder {folder} is read-only. Choose another folder."
    return f"Cannot write {target}: {exc.strerror or exc}."


def _temp_folder_message(target: Path, exc: Exception) -> str:
    folder = tempfile.gettempdir()
    if "ENOSPC" in str(exc):
        return (
            f"Cannot write {target}: the disk holding the temporary folder {folder} is full. "
            "Free some space there and try again."
        )
    return f"Cannot write {target}: the temporary folder {folder} cannot be written ({exc})."


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
