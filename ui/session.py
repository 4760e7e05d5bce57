"""What every view needs, passed into its constructor: the open database, the operation
runner, the settings and who is working. No global main-window object."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import QObject, Signal

from auditor.store import Store
from ui.operations import OWNER_GONE, OperationRunner, ProgressFn
from ui.settings import Settings

T = TypeVar("T")


class Changes(QObject):
    """Tells every view that data changed, so lists refresh without polling."""

    audits_changed = Signal()
    cases_changed = Signal()
    actions_changed = Signal()
    frameworks_changed = Signal()  # one imported or added


@dataclass
class Session:
    """One open database in the app. ``store`` belongs to the GUI thread: workers call
    :meth:`in_worker_store` to open their own connection on the same file."""

    store: Store
    runner: OperationRunner
    settings: Settings
    changes: Changes
    closed: bool = field(default=False, init=False)

    def close(self) -> None:
        """The window is closing: its database closes, and the work still running for it
        reaches none of its callbacks (its views are being deleted)."""
        self.closed = True
        self.store.close()

    @property
    def path(self) -> Path:
        return self.store.path

    @property
    def actor(self) -> str:
        """The person working: written into every audit and trail row."""
        return self.settings.auditor_name

    def worker(
        self, read: Callable[[Store, ProgressFn], T], *, check: bool = False
    ) -> Callable[[ProgressFn], T]:
        """Work for the runner that calls ``read(store, progress)`` on its own Store (opened
        on this database's file, closed after), so it is safe on a pool thread. With
        ``check`` the worker's open runs SQLite's quick check too."""
        path = self.path

        def work(progress: ProgressFn) -> T:
            with Store.open(path, create=False, check=check) as store:
                return read(store, progress)

        setattr(work, OWNER_GONE, lambda: self.closed)
        return work
