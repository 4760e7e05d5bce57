"""The actions an audit raises, inside the audit form: add, change, mark done, remove."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from auditor.audits.actions import (
    Action,
    add_action,
    delete_action,
    set_action_status,
    update_action,
)
from auditor.audits.records import get_audit
from auditor.clock import uk_date
from auditor.errors import AuditorError
from ui.errors import reporting_user_errors, show_error
from ui.session import Session
from ui.widgets.action_dialog import ActionDialog
from ui.widgets.common import named, wrapped

COLUMNS = ("What must change", "Owner", "Due", "Status")


def status_text(action: Action) -> str:
    if action.status == "done":
        return f"✓ Done {uk_date(action.done_date)}" if action.done_date else "✓ Done"
    return "⚠ Open, overdue" if action.is_overdue() else "Open"


class ActionsPanel(QWidget):
    changed = Signal()  # an action was added, changed or removed (and saved)

    def __init__(
        self,
        session: Session,
        audit_uid: str,
        reason: Callable[[], str],
        parent: QWidget | None = None,
        *,
        safeguarding: Callable[[], bool] = lambda: False,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.audit_uid = audit_uid
        self.reason = reason  # the amendment reason in force ("" for a draft)
        self.safeguarding = safeguarding  # whether the audit raises a safeguarding concern now
        self.actions: tuple[Action, ...] = ()
        self.table = named(
            QTableWidget(0, len(COLUMNS)),
            "Actions",
            "Actions raised by this audit",
            object_name="actionsTable",
        )
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemActivated.connect(lambda _item: self.edit())
        self.add_button = self._button("&Add action…", "Raise an action (Ctrl+Shift+A)", self.add)
        self.add_button.setObjectName("addAction")
        self.edit_button = self._button("&Change…", "Change the selected action", self.edit)
        self.done_button = self._button("Mark &done", "Mark the selected action done", self.done)
        # Rem&ove: R is the grade reason's, in the same form.
        self.delete_button = self._button("Rem&ove…", "Remove the selected action", self.remove)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.done_button, self.delete_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(
            wrapped("What must change on the case, who must do it and by when. An immediate "
                    "safeguarding concern needs at least one open action.")
        )  # fmt: skip
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)

    def _button(self, text: str, tip: str, slot: Callable[[], None]) -> QPushButton:
        button = named(QPushButton(text), text.replace("&", "").rstrip("…"), tip)
        button.clicked.connect(slot)
        return button

    def show_actions(self, actions: tuple[Action, ...]) -> None:
        self.actions = actions
        self.table.setRowCount(len(actions))
        for row, action in enumerate(actions):
            due = uk_date(action.due_date) if action.due_date else "No due date"
            for column, text in enumerate((action.text, action.owner, due, status_text(action))):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                item.setData(Qt.ItemDataRole.UserRole, action.uid)
                self.table.setItem(row, column, item)
        self.table.resizeColumnToContents(1)
        self.table.resizeColumnToContents(2)
        if actions:
            self.table.selectRow(len(actions) - 1)

    def set_read_only(self, read_only: bool) -> None:
        for button in (self.add_button, self.edit_button, self.delete_button):
            button.setEnabled(not read_only)

    def selected(self) -> Action | None:
        rows = self.table.selectionModel().selectedRows()
        return self.actions[rows[0].row()] if rows else None

    def add(self) -> None:
        dialog = ActionDialog(parent=self, safeguarding=self.safeguarding())
        dialog.accepted.connect(lambda: self._save(dialog, None))
        dialog.open()

    def edit(self) -> None:
        action = self.selected()
        if action is None or not self.add_button.isEnabled():
            return
        dialog = ActionDialog(action, parent=self)
        dialog.accepted.connect(lambda: self._save(dialog, action))
        dialog.open()

    def _save(self, dialog: ActionDialog, action: Action | None) -> None:
        """Save the action typed in ``dialog``. When it cannot be saved (a full disk, another
        program writing, a missing owner), say why, then open the dialog again with what was
        typed still in it: retry, correct, or cancel, but nothing typed is lost unasked."""
        store, actor, values = self.session.store, self.session.actor, dialog.values()
        try:
            if action is None:
                add_action(store, self.audit_uid, actor=actor, reason=self.reason(), **values)  # type: ignore[arg-type]
            else:
                update_action(store, action.uid, actor=actor, reason=self.reason(), **values)  # type: ignore[arg-type]
        except AuditorError as exc:
            box = show_error(self, exc, doing="saving an action")
            box.finished.connect(lambda _result: dialog.open())
            return
        self._reload()

    def done(self) -> None:
        action = self.selected()
        if action is None:
            return
        with reporting_user_errors(self, "marking an action done"):
            set_action_status(
                self.session.store,
                action.uid,
                actor=self.session.actor,
                done=action.status != "done",
            )
            self._reload()

    def remove(self) -> None:
        action = self.selected()
        if action is None:
            return
        with reporting_user_errors(self, "removing an action"):
            delete_action(
                self.session.store, action.uid, actor=self.session.actor, reason=self.reason()
            )
            self._reload()

    def _reload(self) -> None:
        self.show_actions(get_audit(self.session.store, self.audit_uid).actions)
        self.session.changes.actions_changed.emit()
        self.changed.emit()
