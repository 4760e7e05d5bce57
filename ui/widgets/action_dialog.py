"""Adding or changing an action: what must change on the case, who does it, by when."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QWidget,
)

from auditor.audits.actions import Action
from auditor.audits.safeguarding import safeguarding_due_date
from auditor.clock import today
from ui.widgets.common import TextBox, named, wrapped

DEFAULT_DAYS = 28  # a new action is due in four weeks unless the auditor says otherwise


def qdate(d: date) -> QDate:
    return QDate(d.year, d.month, d.day)


SAFEGUARDING_NOTE = (
    "This audit raises an immediate safeguarding concern: a child may be unsafe now, so the "
    "action is due today (or the next working day) unless you choose another date."
)


def default_due_date(*, safeguarding: bool) -> date:
    """A new action's due date: four weeks, or at once for a safeguarding concern."""
    return safeguarding_due_date() if safeguarding else today() + timedelta(DEFAULT_DAYS)


class ActionDialog(QDialog):
    def __init__(
        self,
        action: Action | None = None,
        parent: QWidget | None = None,
        *,
        safeguarding: bool = False,
    ) -> None:
        """``safeguarding``: a new action on an audit with an immediate safeguarding concern."""
        super().__init__(parent)
        new_title = "Add a safeguarding action" if safeguarding else "Add an action"
        self.setWindowTitle("Change the action" if action else new_title)
        self.text = named(TextBox(3), "What must change", "What must change on the case")
        self.text.setObjectName("actionText")
        self.owner = named(QLineEdit(), "Owner", "Who must do it (a role or a name)")
        self.owner.setObjectName("actionOwner")
        if action and action.due_date:
            due = action.due_date
        else:
            due = default_due_date(safeguarding=safeguarding and action is None)
        self.due = named(QDateEdit(qdate(due)), "Due date", "By when it must be done")
        self.due.setObjectName("actionDue")
        self.due.setCalendarPopup(True)
        self.due.setDisplayFormat("dd/MM/yyyy")
        self.no_due = named(QCheckBox("No due date"), "No due date")
        self.no_due.toggled.connect(lambda on: self.due.setEnabled(not on))
        if action:
            self.text.setPlainText(action.text)
            self.owner.setText(action.owner)
            self.no_due.setChecked(action.due_date is None)
        form = QFormLayout(self)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        if safeguarding and action is None:
            form.addRow(wrapped(SAFEGUARDING_NOTE, object_name="safeguardingActionNote"))
        form.addRow("&What must change:", self.text)
        form.addRow("&Owner:", self.owner)
        form.addRow("&Due by:", self.due)
        form.addRow("", self.no_due)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setEnabled(bool(self.text.toPlainText().strip()))
        self.text.textChanged.connect(
            lambda: self.ok.setEnabled(bool(self.text.toPlainText().strip()))
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        self.resize(480, self.sizeHint().height())

    def values(self) -> dict[str, object]:
        """Keyword arguments for ``add_action`` / ``update_action``."""
        return {
            "text": self.text.toPlainText().strip(),
            "owner": self.owner.text().strip(),
            "due_date": None if self.no_due.isChecked() else self.due.date().toPython(),
        }
