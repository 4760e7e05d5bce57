"""Marking an action done: on which day it was done (today unless said otherwise)."""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import QDateEdit, QDialog, QDialogButtonBox, QFormLayout, QWidget

from auditor.clock import today
from ui.widgets.action_dialog import qdate
from ui.widgets.common import named, wrapped


class DoneDateDialog(QDialog):
    def __init__(self, action_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Mark the action done")
        self.date = named(QDateEdit(qdate(today())), "Done on", "The day the action was done")
        self.date.setObjectName("doneDate")
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("dd/MM/yyyy")
        self.date.setMaximumDate(qdate(today()))
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Mark done")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(wrapped(action_text))
        form.addRow("&Done on:", self.date)
        form.addRow(buttons)

    @property
    def done_date(self) -> date:
        return self.date.date().toPython()  # type: ignore[no-any-return]
