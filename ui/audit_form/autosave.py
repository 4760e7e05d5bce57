"""Saving the audit form's changes so that none is ever lost.

Text is saved after a short pause in typing, never later than a few seconds after the first
unsaved keystroke, and at once when asked (focus leaves the box, the auditor moves to
another criterion, the form or the app closes); an answer, the grade or the safeguarding
flag is saved the moment it is given.

A change that cannot be written yet (a full disk, another program holding the write lock,
a read-only file: a :class:`~auditor.errors.StoreError`) is kept, newest value per field,
and tried again on a back-off timer and on every later save, until it is written. Only the
core refusing a change for good (a :class:`~auditor.errors.AuditorError` of another kind:
a text over its limit, an audit submitted meanwhile) drops it, with the core's message.
An unexpected error (a bug) is reported and the change is kept too.

Two parts: :class:`PendingSaves` (no Qt: what waits and why, tried in order) and
:class:`AutoSaver` (the Qt timers: the pause in typing and the retries).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, QTimer

from auditor.errors import AuditorError, StoreError

DELAY_MS = 400  # a pause in typing this long saves
MAX_WAIT_MS = 2000  # continuous typing still saves this often
RETRY_FIRST_MS = 1000  # a change that could not be saved is tried again after 1 s,
RETRY_MAX_MS = 15_000  # then 2, 4, 8 s... and every 15 s at most

Save = Callable[[str, object], None]  # writes one change: (key, value)


@dataclass
class SaveRound:
    """What one attempt to write the pending changes did."""

    saved: list[str] = field(default_factory=list)
    # The change that could not be written yet; it and every change after it wait.
    waiting: StoreError | None = None
    # Changes the core refused for good (dropped): the message says why.
    refused: dict[str, AuditorError] = field(default_factory=dict)
    # Changes that met an unexpected error (kept): a bug, reported to the user.
    bugs: dict[str, Exception] = field(default_factory=dict)


class PendingSaves:
    """Changes not yet written: one per field (a newer edit replaces the older one and goes
    to the end), written in the order they were last given."""

    def __init__(self) -> None:
        self._values: dict[str, object] = {}
        self.problem: Exception | None = None  # why the last attempt left changes unsaved
        self.failed_rounds = 0  # attempts in a row that left changes unsaved

    def put(self, key: str, value: object) -> None:
        self._values.pop(key, None)
        self._values[key] = value

    def get(self, key: str) -> object:
        return self._values[key]

    def __contains__(self, key: object) -> bool:
        return key in self._values

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._values))

    def __len__(self) -> int:
        return len(self._values)

    def clear(self) -> int:
        """Forget every pending change; returns how many were dropped."""
        count = len(self._values)
        self._values.clear()
        self._settled()
        return count

    def write(self, save: Save, only: str | None = None) -> SaveRound:
        """Write every pending change (or only ``only``), oldest first.

        A :class:`StoreError` stops the round: the store cannot write now, and the later
        changes must not overtake the earlier one."""
        result = SaveRound()
        keys = list(self._values) if only is None else [only] if only in self._values else []
        for key in keys:
            value = self._values[key]
            try:
                save(key, value)
            except StoreError as exc:
                result.waiting = exc
                break
            except AuditorError as exc:
                self._drop(key, value)
                result.refused[key] = exc
            except Exception as exc:  # a bug: reported by the caller, the change kept
                result.bugs[key] = exc
            else:
                self._drop(key, value)
                result.saved.append(key)
        problem = result.waiting or next(iter(result.bugs.values()), None)
        if problem is not None:
            self.problem = problem
            self.failed_rounds += 1
        elif not self._values:
            self._settled()
        return result

    def retry_delay_ms(self) -> int:
        """How long to wait before the next attempt: doubling from 1 s, at most 15 s."""
        steps = max(self.failed_rounds - 1, 0)
        return min(RETRY_FIRST_MS * 2 ** min(steps, 16), RETRY_MAX_MS)

    def _drop(self, key: str, value: object) -> None:
        # Only the value just written: a newer edit made meanwhile still waits.
        if key in self._values and self._values[key] == value:
            del self._values[key]

    def _settled(self) -> None:
        self.problem = None
        self.failed_rounds = 0


def plain_reason(error: BaseException) -> str:
    """Why a change could not be saved, in a few words for the status line."""
    if not isinstance(error, StoreError):
        return "an unexpected error (see the message)"
    cause = error.__cause__
    name = getattr(cause, "sqlite_errorname", "") if isinstance(cause, sqlite3.Error) else ""
    if name == "SQLITE_FULL":
        return "the disk is full (free some space)"
    if name.startswith("SQLITE_IOERR"):
        return "the disk is full or failing"
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return "another program is writing to the database"
    if name.startswith("SQLITE_READONLY"):
        return "the database is read-only"
    return str(error)  # the store's own sentence (e.g. the WAL guard's)


class AutoSaver(QObject):
    """Holds the form's unsaved changes and writes them: after a pause in typing
    (:meth:`edit`), at once (:meth:`save_now`, :meth:`flush`), and again and again on a
    back-off timer while any is left. ``on_round`` hears the result of every attempt."""

    def __init__(
        self,
        save: Save,
        *,
        on_round: Callable[[SaveRound], None] = lambda _round: None,
        delay_ms: int = DELAY_MS,
        max_wait_ms: int = MAX_WAIT_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._save = save
        self._on_round = on_round
        self.pending = PendingSaves()
        self._untried: set[str] = set()  # edited since the last attempt to save them
        self._first_edit: float | None = None
        self._max_wait = max_wait_ms / 1000
        self._typing = QTimer(self, singleShot=True, interval=delay_ms)
        self._typing.timeout.connect(self.flush)
        self._retry = QTimer(self, singleShot=True)
        self._retry.timeout.connect(self.flush)

    def edit(self, key: str, value: object) -> None:
        """Remember the newest ``value`` of ``key``; it is saved after the pause."""
        self.pending.put(key, value)
        self._untried.add(key)
        now = time.monotonic()
        if self._first_edit is None:
            self._first_edit = now
        if now - self._first_edit >= self._max_wait:
            self.flush()
        else:
            self._typing.start()

    def save_now(self, key: str, value: object) -> SaveRound:
        """Save ``value`` of ``key`` now, after every change given before it."""
        self.pending.put(key, value)
        return self.flush()

    def has_pending(self, key: str | None = None) -> bool:
        return bool(self.pending) if key is None else key in self.pending

    def save_typed(self, key: str | None = None) -> None:
        """Save typed text now (focus left its box, the auditor moved on): when it, or any
        text (``key`` None), was edited since it was last tried. Changes that already wait
        are retried by the timer and the next edit, not by every move between boxes."""
        if key is None and self._untried:
            self.flush()
        elif key is not None and key in self._untried:
            self.flush(key)

    def flush(self, key: str | None = None) -> SaveRound:
        """Save now: every pending change, or only ``key``."""
        result = self.pending.write(self._save, key)
        if key is None:
            self._untried.clear()
            self._typing.stop()
            self._first_edit = None  # continuous typing: the next wait counts from here
        else:
            self._untried.discard(key)
        if not self.pending:
            self._typing.stop()
            self._retry.stop()
            self._first_edit = None
        elif self.pending.problem is not None and (result.waiting or result.bugs):
            self._retry.start(self.pending.retry_delay_ms())
        self._on_round(result)
        return result

    def discard(self) -> int:
        """Forget the unsaved changes (the user chose to lose them, or the audit became
        read-only under them); returns how many there were."""
        self._typing.stop()
        self._retry.stop()
        self._first_edit = None
        self._untried.clear()
        return self.pending.clear()
