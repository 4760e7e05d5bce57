"""What a menu's items need from the window they live in: a small interface, so the menus
and the dialogs behind them never import the main window (docs/architecture.md)."""

from __future__ import annotations

from typing import Protocol

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from ui.session import Session


class MenuHost(Protocol):
    """Implemented by :class:`ui.main_window.MainWindow`."""

    @property
    def session(self) -> Session:
        """The open database and the person working."""
        ...

    def dialog_parent(self) -> QWidget:
        """The widget dialogs are opened over (and actions belong to)."""
        ...

    def add_file_action(self, action: QAction, *, everywhere: bool = False) -> None:
        """Put ``action`` in the File menu's import/export section; ``everywhere``: its
        shortcut works wherever the focus is in the window."""
        ...

    def add_file_separator(self) -> None:
        """A line between groups of import/export items in the File menu."""
        ...

    def audit_in_front(self) -> str | None:
        """The audit the user means: open in the audit form (saved first), else selected in
        the Audits view when it shows. Raises AuditorError when changes to it wait."""
        ...
