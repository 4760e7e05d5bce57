"""Every action raised by audits: owner, due date, status; overdue ones stand out (in colour
and in words); filter by team, auditor and status; mark done with a date."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from auditor.audits.actions import ActionRow, list_all_actions, set_action_status
from auditor.words import plural
from ui.actions.done_date import DoneDateDialog
from ui.actions.model import ActionListModel
from ui.errors import reporting_user_errors
from ui.session import Session
from ui.widgets.common import (
    buddy,
    combo_with,
    fit_columns_once,
    named,
    save_table_state,
    set_combo_items,
    setup_table,
)

STATUSES = [("Open", "open"), ("Done", "done"), ("All", "")]


class ActionsView(QWidget):
    open_audit_requested = Signal(str)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.model = ActionListModel(self)
        self.team = combo_with([("All teams", "")], "Team filter", "Actions on one team's cases")
        self.auditor = combo_with(
            [("All auditors", "")], "Auditor filter", "Actions one auditor raised"
        )
        self.status = combo_with(STATUSES, "Status filter", "Open, done or all actions")
        self.overdue = named(
            QCheckBox("&Overdue only"), "Overdue only", "Only open actions past their due date"
        )
        for combo in (self.team, self.auditor, self.status):
            combo.currentIndexChanged.connect(self._apply_filter)
        self.status.currentIndexChanged.connect(lambda _i: self.reload())
        self.overdue.toggled.connect(self._apply_filter)
        self.table = named(QTableView(), "Actions", "Enter opens the audit that raised it",
                           object_name="actionTable")  # fmt: skip
        setup_table(self.table, session.settings, "actions")
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.activated.connect(lambda _i: self.open_audit())
        self.count = QLabel(objectName="actionCount")
        self.done_button = self._button("Mark &done…", "Mark the selected action done on a date",
                                        self.mark_done)  # fmt: skip
        self.reopen_button = self._button("&Reopen", "Open the selected action again", self.reopen)
        self.open_button = self._button(
            "Open &audit", "Open the audit that raised it", self.open_audit
        )
        filters = QHBoxLayout()
        for label, combo in (
            ("&Team:", self.team),
            ("A&uditor:", self.auditor),
            ("&Status:", self.status),
        ):
            filters.addWidget(buddy(label, combo))
            filters.addWidget(combo)
        filters.addWidget(self.overdue)
        filters.addStretch(1)
        buttons = QHBoxLayout()
        for button in (self.done_button, self.reopen_button, self.open_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.count)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        session.changes.actions_changed.connect(self.reload)
        session.changes.audits_changed.connect(self.reload)

    def _button(self, text: str, tip: str, slot: object) -> QPushButton:
        button = named(QPushButton(text), text.replace("&", "").rstrip("…"), tip)
        button.clicked.connect(slot)
        return button

    def shown(self) -> None:
        self.reload()

    def save_state(self) -> None:
        save_table_state(self.table, self.session.settings)

    def reload(self) -> None:
        status = self.status.currentData() or None

        def read(store, _progress):  # type: ignore[no-untyped-def]
            return list_all_actions(store, status=status)

        self.session.runner.run(self.session.worker(read), on_success=self._show,
                                label="load actions")  # fmt: skip

    def _show(self, rows: list[ActionRow]) -> None:
        set_combo_items(self.team, [("All teams", ""), *_distinct(r.team for r in rows)])
        set_combo_items(self.auditor, [("All auditors", ""), *_distinct(r.auditor for r in rows)])
        self.model.set_rows(rows)
        fit_columns_once(self.table, main=0)  # what must change: the widest
        self._apply_filter()

    def _apply_filter(self) -> None:
        team, auditor = self.team.currentData(), self.auditor.currentData()
        overdue = self.overdue.isChecked()

        def keep(rows: list[ActionRow]) -> list[ActionRow]:
            return [r for r in rows if (not team or r.team == team)
                    and (not auditor or r.auditor == auditor)
                    and (not overdue or r.days_overdue() > 0)]  # fmt: skip

        self.model.set_filter(keep)
        late = sum(1 for r in self.model.rows if r.days_overdue())
        self.count.setText(f"{plural(self.model.rowCount(), 'action')}, {late:,} overdue")

    def selected(self) -> ActionRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0]) if rows else None

    def mark_done(self) -> None:
        action = self.selected()
        if action is None or action.status == "done":
            return
        dialog = DoneDateDialog(action.text, self)
        dialog.accepted.connect(lambda: self._set_done(action, True, dialog.done_date))
        dialog.open()

    def reopen(self) -> None:
        action = self.selected()
        if action is not None and action.status == "done":
            self._set_done(action, False, None)

    def _set_done(self, action: ActionRow, done: bool, on: object) -> None:
        with reporting_user_errors(self, "changing an action"):
            set_action_status(self.session.store, action.uid, actor=self.session.actor,
                              done=done, done_date=on)  # type: ignore[arg-type]  # fmt: skip
            self.session.changes.actions_changed.emit()

    def open_audit(self) -> None:
        action = self.selected()
        if action is not None:
            self.open_audit_requested.emit(action.audit_uid)


def _distinct(values: object) -> list[tuple[str, str]]:
    return [(v, v) for v in sorted({v for v in values if v}, key=str.casefold)]  # type: ignore[attr-defined]
