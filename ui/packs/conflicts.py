"""File → Resolve merge conflicts…: the conflicts a merge kept for later (our version in use
until then), side by side as in the import preview, resolved with the person's choice."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from auditor import APP_NAME
from auditor.packs import list_conflicts, resolve_conflicts
from ui.errors import reporting_user_errors
from ui.packs.conflict_view import ConflictList
from ui.session import Session
from ui.widgets.common import heading, named, wrapped

NONE_WAITING = "noConflictsMessage"


class ResolveConflictsDialog(QDialog):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setWindowTitle(f"Resolve merge conflicts — {APP_NAME}")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(1080, 620)
        self.status = wrapped(object_name="resolveStatus")
        self.conflicts = ConflictList(list_conflicts(session.store))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        self.apply_button: QPushButton = buttons.addButton(
            "&Apply choices", QDialogButtonBox.ButtonRole.ApplyRole
        )
        named(self.apply_button, "Apply choices", "Write the versions chosen into this database")
        self.apply_button.clicked.connect(self.apply)
        self.layout_ = QVBoxLayout(self)
        self.layout_.addWidget(heading("Merge conflicts waiting for a decision"))
        self.layout_.addWidget(
            wrapped(
                "Each audit here was changed both in this database and in a pack since the "
                "two last met. This database's version is in use until you decide."
            )
        )
        self.layout_.addWidget(self.status)
        self.layout_.addWidget(self.conflicts, 1)
        self.layout_.addWidget(buttons)

    def apply(self) -> None:
        with reporting_user_errors(self, "resolving merge conflicts"):
            resolved = resolve_conflicts(
                self.session.store, self.conflicts.resolutions(), actor=self.session.actor
            )
            self.session.changes.audits_changed.emit()
            self.session.changes.actions_changed.emit()
            self._reload(resolved)

    def _reload(self, resolved: int) -> None:
        fresh = ConflictList(list_conflicts(self.session.store))
        self.layout_.replaceWidget(self.conflicts, fresh)
        self.conflicts.deleteLater()
        self.conflicts = fresh
        waiting = len(fresh.views)
        self.status.setText(
            f"Resolved {resolved} {'conflict' if resolved == 1 else 'conflicts'}. "
            + (f"{waiting} still waiting." if waiting else "None is waiting now.")
        )
        self.apply_button.setEnabled(waiting > 0)


def open_resolve_conflicts(session: Session, parent: QWidget) -> ResolveConflictsDialog | None:
    """Open the dialog, or say that no conflict is waiting."""
    with reporting_user_errors(parent, "listing merge conflicts"):
        if not list_conflicts(session.store):
            box = QMessageBox(
                QMessageBox.Icon.Information,
                APP_NAME,
                "No merge conflicts are waiting for a decision.",
                parent=parent,
            )
            box.setObjectName(NONE_WAITING)
            box.open()
            return None
        dialog = ResolveConflictsDialog(session, parent)
        dialog.open()
        return dialog
    return None
