"""Creating a programme: a round of audits with its name, framework, period, due date,
auditors and the share of its cases to be audited twice (blind double audits).

OK creates it through the core's ``create_programme``; a problem (no name, a period that
ends before it starts) is shown and the dialog stays open with what was typed.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLineEdit,
    QWidget,
)

from auditor.clock import today
from auditor.errors import AuditorError
from auditor.frameworks.library import list_frameworks
from auditor.programmes.records import create_programme
from ui.errors import show_error
from ui.session import Session
from ui.widgets.common import TextBox, named, wrapped

DUE_AFTER_DAYS = 35  # a month's period, then a week to finish the audits


def qdate(d: date) -> QDate:
    return QDate(d.year, d.month, d.day)


def split_names(text: str) -> list[str]:
    """Names typed one a line or separated by commas or semicolons; blanks dropped."""
    return [part.strip() for part in re.split(r"[,;\n]", text) if part.strip()]


def date_edit(value: date, name: str, tooltip: str) -> QDateEdit:
    edit = named(QDateEdit(qdate(value)), name, tooltip)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("dd/MM/yyyy")
    return edit


class NewProgrammeDialog(QDialog):
    created = Signal(str)  # the new programme's uid

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.programme_uid: str | None = None
        self.setWindowTitle("New programme")
        self.name = named(
            QLineEdit(), "Programme name", "e.g. Dip sample May 2026", object_name="programmeName"
        )
        self.name.setPlaceholderText("e.g. Dip sample May 2026")
        self.framework = named(QComboBox(), "Framework", "The audit tool the cases are scored on")
        for fw in list_frameworks(session.store):
            self.framework.addItem(f"{fw.title} ({fw.code} {fw.version})", (fw.code, fw.version))
        self.framework.setCurrentIndex(self._default_framework())
        first = today().replace(day=1)
        self.period_start = date_edit(first, "Period from", "The first day the programme covers")
        self.period_end = date_edit(
            (first + timedelta(days=32)).replace(day=1) - timedelta(days=1),
            "Period to",
            "The last day the programme covers",
        )
        self.due = date_edit(
            first + timedelta(days=DUE_AFTER_DAYS),
            "Due date",
            "When the programme's audits must be done",
        )
        self.auditors = named(TextBox(3), "Auditors", "One name a line (or separated by commas)")
        self.auditors.setObjectName("programmeAuditors")
        self.double_percent = named(
            QDoubleSpinBox(),
            "Double-audit share",
            "The share of the sample audited twice, independently (0: none)",
        )
        self.double_percent.setRange(0, 100)
        self.double_percent.setDecimals(0)
        self.double_percent.setSuffix(" %")
        self.description = named(QLineEdit(), "Description", "What the programme is for")
        form = QFormLayout(self)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.addRow("&Name:", self.name)
        form.addRow("&Framework:", self.framework)
        form.addRow("Period &from:", self.period_start)
        form.addRow("Period &to:", self.period_end)
        form.addRow("&Due by:", self.due)
        form.addRow("&Auditors:", self.auditors)
        form.addRow("Dou&ble-audit:", self.double_percent)
        form.addRow("D&escription:", self.description)
        form.addRow(wrapped("Auditors can be added later too. The sample is drawn next."))
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Create programme")
        named(self.ok, "Create programme", "Create the programme (then draw its sample)")
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        named(cancel, "Cancel", "Close without creating a programme")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        self.resize(520, self.sizeHint().height())

    def _default_framework(self) -> int:
        """The newest version of the built-in Improvement Notice framework, else the last."""
        codes = [self.framework.itemData(i)[0] for i in range(self.framework.count())]
        return max((i for i, code in enumerate(codes) if code == "IN-CFA"), default=len(codes) - 1)

    def accept(self) -> None:
        """Create the programme; on a problem say what it is and keep the dialog open."""
        try:
            self.programme_uid = self.create()
        except AuditorError as exc:
            show_error(self, exc, doing="creating a programme")
            return
        super().accept()
        self.created.emit(self.programme_uid)

    def create(self) -> str:
        code, version = self.framework.currentData() or ("", None)
        return create_programme(
            self.session.store,
            actor=self.session.actor,
            name=self.name.text(),
            framework_code=code,
            framework_version=version,
            period_start=self.period_start.date().toPython(),
            period_end=self.period_end.date().toPython(),
            due_date=self.due.date().toPython(),
            description=self.description.text().strip(),
            auditors=split_names(self.auditors.toPlainText()),
            double_audit_percent=self.double_percent.value(),
        )
