"""One desktop window per database: a lock file beside it, held with an operating-system lock.

``NAME.db.lock`` says who holds the database (process id, host, since when, program). The
lock itself is the operating system's (``fcntl.flock`` on Linux and macOS, ``msvcrt.locking``
on Windows), which the kernel drops when its holder exits or is killed: a crash never leaves
a stale lock. The file may stay behind after a crash, but nobody holds it and the next
:meth:`DatabaseLock.acquire` takes it over.

Only the desktop app takes the lock. Command-line commands do not: SQLite's own locking (WAL
and a busy timeout, see :mod:`auditor.store.db`) already keeps concurrent writes safe, and a
QA lead's script (``verify``, an import, a nightly export) must be able to run while the app
is open. The lock exists so that a second window on the same file, which would confuse the
user rather than corrupt anything, is refused with a message naming the holder.

Locks are as good as the file system's: on a network share they may not be seen across
machines, which is one more reason to keep the database on the laptop's own disk.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from auditor import __version__
from auditor.clock import now_utc
from auditor.errors import DatabaseInUse, StoreError

LOCK_SUFFIX = ".lock"
_MAX_HOLDER_BYTES = 4096
# Windows locks byte ranges and refuses reads of a locked range: lock one byte past the
# holder's details so that a refused process can still read who holds the file.
_WINDOWS_LOCK_OFFSET = _MAX_HOLDER_BYTES


def lock_path(db_path: Path | str) -> Path:
    """The lock file of a database: ``NAME.db.lock`` beside ``NAME.db``."""
    path = Path(db_path)
    return path.with_name(path.name + LOCK_SUFFIX)


@dataclass(frozen=True)
class LockHolder:
    """Who holds a database: written into the lock file by the holder."""

    pid: int
    host: str
    since: str  # ISO 8601, UTC
    program: str = ""

    def describe(self) -> str:
        """E.g. ``process 4242 on LAPTOP-7, since 05 Jan 2026 09:30``."""
        return f"process {self.pid} on {self.host}, since {_local_time(self.since)}"


class DatabaseLock:
    """A held lock on one database; release it with :meth:`release` or a ``with`` block."""

    def __init__(self, path: Path, fd: int, holder: LockHolder) -> None:
        self.path = path
        self.holder = holder
        self._fd: int | None = fd

    @classmethod
    def acquire(cls, db_path: Path | str) -> DatabaseLock:
        """Take the lock on ``db_path`` without waiting.

        Raises :class:`DatabaseInUse` naming the holder when another process (or another
        window of this one) holds it, and :class:`StoreError` when no lock file can be made.
        """
        path = lock_path(db_path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = _open_and_lock(path)
        except BlockingIOError:
            raise DatabaseInUse(_in_use_message(Path(db_path), read_holder(db_path))) from None
        except OSError as exc:
            raise StoreError(f"Cannot make the lock file {path}: {exc.strerror or exc}") from exc
        holder = LockHolder(
            pid=os.getpid(),
            host=socket.gethostname(),
            since=now_utc(),
            program=f"case-auditor {__version__}",
        )
        _write_holder(fd, holder)
        return cls(path, fd, holder)

    @property
    def held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        """Drop the lock and remove the lock file. Safe to call more than once."""
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        if sys.platform == "win32":
            # Windows cannot delete an open file: let go first. If another process opened
            # it meanwhile, the delete fails (harmless: that process reuses the file).
            _unlock(fd)
            os.close(fd)
            with contextlib.suppress(OSError):
                self.path.unlink()
            return
        # POSIX: remove the file while still holding the lock, so a process waiting on the
        # old file notices it is gone (see _open_and_lock) and makes a fresh one.
        with contextlib.suppress(OSError):
            self.path.unlink()
        try:
            _unlock(fd)
        finally:
            os.close(fd)

    def __enter__(self) -> DatabaseLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def read_holder(db_path: Path | str) -> LockHolder | None:
    """Who the lock file says holds ``db_path``; None when it is missing or unreadable.

    The file may name a process that has since died: only a refused :meth:`acquire` proves
    the lock is held.
    """
    try:
        with open(lock_path(db_path), "rb") as f:
            data = json.loads(f.read(_MAX_HOLDER_BYTES).decode("utf-8"))
        return LockHolder(
            pid=int(data["pid"]),
            host=str(data["host"]),
            since=str(data["since"]),
            program=str(data.get("program", "")),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _in_use_message(db_path: Path, holder: LockHolder | None) -> str:
    who = f" ({holder.describe()})" if holder else " in another process"
    return (
        f"{db_path} is already open in Case Auditor{who}. Switch to that window, or close it "
        "there and try again."
    )


def _open_and_lock(path: Path) -> int:
    """Open (creating) and lock the file at ``path``; BlockingIOError when held elsewhere."""
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o644)
        try:
            _lock(fd)
        except BaseException:
            os.close(fd)
            raise
        if _is_current_file(fd, path):
            return fd
        # The holder released and removed the file between our open and our lock.
        _unlock(fd)
        os.close(fd)


def _is_current_file(fd: int, path: Path) -> bool:
    try:
        now = os.stat(path)
    except FileNotFoundError:
        return False
    held = os.fstat(fd)
    return (held.st_dev, held.st_ino) == (now.st_dev, now.st_ino)


def _write_holder(fd: int, holder: LockHolder) -> None:
    text = json.dumps(
        {"pid": holder.pid, "host": holder.host, "since": holder.since, "program": holder.program}
    )
    os.ftruncate(fd, 0)
    os.lseek(fd, 0, os.SEEK_SET)
    os.write(fd, text.encode("utf-8")[:_MAX_HOLDER_BYTES])


def _local_time(iso: str) -> str:
    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%d %b %Y %H:%M")
    except ValueError:
        return iso


if sys.platform == "win32":
    import msvcrt

    def _lock(fd: int) -> None:
        os.lseek(fd, _WINDOWS_LOCK_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError as exc:  # a held range is reported as EACCES or EDEADLOCK
            raise BlockingIOError(str(exc)) from exc

    def _unlock(fd: int) -> None:
        os.lseek(fd, _WINDOWS_LOCK_OFFSET, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
