"""Starting an audit of a case: which framework (of those that ask about this type of
case), which programme (optional) and the audit's date. Enter accepts the defaults."""

from __future__ import annotations

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QWidget,
)

from auditor.audits.records import start_audit
from auditor.cases.records import get_case
from auditor.clock import today
from auditor.errors import ValidationError
from auditor.frameworks.library import list_frameworks
from auditor.programmes.double_audit import open_programme_audit, programmes_assigning
from auditor.programmes.records import list_programmes
from ui.session import Session
from ui.widgets.common import named, wrapped


class StartAuditDialog(QDialog):
    def __init__(self, session: Session, case_uid: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.case = get_case(session.store, case_uid)
        self.audit_uid: str | None = None
        self.setWindowTitle(f"Start an audit of {self.case.reference}")
        self.framework = named(QComboBox(), "Framework", "The audit tool to score this case on")
        for fw in list_frameworks(session.store):
            if fw.criteria_for(self.case.case_type):
                label = f"{fw.title} ({fw.code} {fw.version})"
                self.framework.addItem(label, (fw.code, fw.version))
        if self.framework.count() == 0:
            raise ValidationError(
                f"No framework in this database asks about {self.case.case_type.label} cases."
            )
        self.framework.setCurrentIndex(self.framework.count() - 1)
        self.programme = named(
            QComboBox(), "Programme", "The round of audits this one belongs to (optional)"
        )
        self.programme.addItem("No programme", None)
        for programme in list_programmes(session.store):
            self.programme.addItem(programme.name, programme.uid)
        # A case sampled for me belongs to that programme's round: chosen for me.
        self.assigned = programmes_assigning(
            session.store, case_uid=case_uid, auditor=session.actor
        )
        if self.assigned:
            self.programme.setCurrentIndex(self.programme.findData(self.assigned[0]))
        self.date = named(QDateEdit(_qdate()), "Audit date", "The day the file is audited")
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("dd/MM/yyyy")
        form = QFormLayout(self)
        form.addRow(
            wrapped(f"{self.case.reference}: {self.case.case_type.label}, {self.case.team}")
        )
        form.addRow("&Framework:", self.framework)
        form.addRow("&Programme:", self.programme)
        form.addRow("Audit &date:", self.date)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Start audit")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def start(self) -> str:
        """Start the audit as chosen; returns its uid (raises AuditorError on a user error).

        A case the chosen programme assigned to me is audited on the programme's framework,
        and blind when I am its second auditor; my audit already started there is reopened.
        """
        programme_uid = self.programme.currentData()
        if programme_uid in self.assigned:
            self.audit_uid = open_programme_audit(
                self.session.store,
                programme_uid=programme_uid,
                case_uid=self.case.uid,
                auditor=self.session.actor,
                audit_date=self.date.date().toPython(),
            )
            return self.audit_uid
        code, version = self.framework.currentData()
        self.audit_uid = start_audit(
            self.session.store,
            case_uid=self.case.uid,
            auditor=self.session.actor,
            framework_code=code,
            framework_version=version,
            programme_uid=programme_uid,
            audit_date=self.date.date().toPython(),
        )
        return self.audit_uid


def _qdate() -> QDate:
    d = today()
    return QDate(d.year, d.month, d.day)
