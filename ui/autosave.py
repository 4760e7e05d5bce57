"""Saving typed text as it is typed: after a short pause, never later than a few seconds
after the first unsaved keystroke, and at once when asked (focus leaves the box, the
auditor moves to another criterion, the form or the app closes).

Each field keeps only its newest text; ``save(key, text)`` writes it (one transaction in
the core, ~0.2 ms), so a process killed after the pause loses nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

DELAY_MS = 400  # a pause in typing this long saves
MAX_WAIT_MS = 2000  # continuous typing still saves this often


class DebouncedSaver(QObject):
    def __init__(
        self,
        save: Callable[[str, str], None],
        *,
        delay_ms: int = DELAY_MS,
        max_wait_ms: int = MAX_WAIT_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._save = save
        self._pending: dict[str, str] = {}
        self._first_edit: float | None = None
        self._max_wait = max_wait_ms / 1000
        self._timer = QTimer(self, singleShot=True, interval=delay_ms)
        self._timer.timeout.connect(self.flush)

    def edit(self, key: str, text: str) -> None:
        """Remember the newest ``text`` of ``key``; it is saved after the pause."""
        self._pending[key] = text
        now = time.monotonic()
        if self._first_edit is None:
            self._first_edit = now
        if now - self._first_edit >= self._max_wait:
            self.flush()
        else:
            self._timer.start()

    def has_pending(self, key: str | None = None) -> bool:
        return bool(self._pending) if key is None else key in self._pending

    def flush(self, key: str | None = None) -> None:
        """Save now: every pending field, or only ``key``."""
        keys = list(self._pending) if key is None else [key] if key in self._pending else []
        for name in keys:
            text = self._pending.pop(name)
            self._save(name, text)
        if not self._pending:
            self._timer.stop()
            self._first_edit = None

    def discard(self) -> None:
        """Forget unsaved text (the audit became read-only under it)."""
        self._pending.clear()
        self._timer.stop()
        self._first_edit = None
