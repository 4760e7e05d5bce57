"""File → Export audit feedback…: the workbook a practitioner receives after their case file
is audited (:func:`auditor.reports.export_audit_feedback`), for one audit.

Which audit: the one open in the audit form, else the one selected in the Audits view. The
dialog names it, offers to pseudonymise, asks where to save and writes the workbook off the
GUI thread.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QVBoxLayout,
    QWidget,
)

from auditor import APP_NAME
from auditor.audits.records import Audit, get_audit
from auditor.clock import uk_date
from auditor.reports import export_audit_feedback
from auditor.reports.pseudonym import Pseudonyms
from auditor.store import Store
from ui.errors import reporting_user_errors
from ui.file_choice import file_name_part
from ui.operations import ProgressFn
from ui.reports.common import (
    choose_workbook,
    export_buttons,
    fit_to_width,
    show_saved,
    text_block,
)
from ui.session import Session
from ui.widgets.common import named
from ui.widgets.progress import run_with_progress

WIDTH = 520
PSEUDONYMISE_TEXT = (
    "The case reference is replaced by its pseudonym (the same one the report uses) and the "
    "names of the allocated worker and of the actions' owners are left out."
)
NO_AUDIT = (
    "Choose an audit first: open it, or select it in the Audits view, then choose "
    "File → Export audit feedback… again."
)


def open_feedback_dialog(
    parent: QWidget, session: Session, uid: str
) -> ExportFeedbackDialog | None:
    with reporting_user_errors(parent, "opening an audit's feedback"):
        dialog = ExportFeedbackDialog(session, get_audit(session.store, uid), parent)
        dialog.open()
        return dialog
    return None


class ExportFeedbackDialog(QDialog):
    """Names the audit, offers to pseudonymise, and exports."""

    def __init__(self, session: Session, audit: Audit, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.audit = audit
        self.setObjectName("exportFeedbackDialog")
        self.setWindowTitle(f"Export audit feedback — {APP_NAME}")
        self.setMinimumWidth(WIDTH)
        case = audit.case
        self.about = text_block(
            f"Feedback for the practitioner on the audit of <b>{case.reference}</b> "
            f"({case.case_type.label}, {case.team}), audited {uk_date(audit.audit_date)} by "
            f"{audit.auditor}; status: {audit.status.label.lower()}.",
            object_name="feedbackAudit",
        )
        contents = text_block(
            "The workbook holds the case, each criterion with its answer and the evidence "
            "seen, the grade, what is working well, what must improve, and the actions."
        )
        self.pseudonymise = named(QCheckBox("&Pseudonymise"), "Pseudonymise", PSEUDONYMISE_TEXT)
        buttons, self.export_button = export_buttons(self, self.export)
        layout = QVBoxLayout(self)
        layout.addWidget(self.about)
        layout.addWidget(contents)
        layout.addSpacing(6)
        pseudonymise = QVBoxLayout()  # the box and what it means, together
        pseudonymise.setSpacing(2)
        pseudonymise.addWidget(self.pseudonymise)
        pseudonymise.addWidget(text_block(PSEUDONYMISE_TEXT))
        layout.addLayout(pseudonymise)
        layout.addStretch(1)
        layout.addSpacing(8)
        layout.addWidget(buttons)
        fit_to_width(self, WIDTH)

    def file_name(self) -> str:
        """The case reference (or its pseudonym, when pseudonymised) and the audit date."""
        reference = self.audit.case.reference
        if self.pseudonymise.isChecked():
            reference = Pseudonyms.for_store(self.session.store)(reference)
        return f"audit-feedback-{file_name_part(reference, 'case')}-{self.audit.audit_date}.xlsx"

    def export(self) -> None:
        """Ask where to save, then write the workbook off the GUI thread."""
        target = choose_workbook(self, self.session.settings, title="Save the feedback as",
                                 name=self.file_name())  # fmt: skip
        if target is None:
            return
        uid, pseudonymise = self.audit.uid, self.pseudonymise.isChecked()

        def work(store: Store, _progress: ProgressFn) -> Path:
            return export_audit_feedback(store, uid, target, pseudonymise=pseudonymise)

        run_with_progress(self, self.session.runner, self.session.worker(work),
                          title="Exporting the feedback",
                          on_success=self._on_exported)  # fmt: skip

    def _on_exported(self, path: Path) -> None:
        self.accept()
        show_saved(self.parentWidget() or self, "The feedback workbook is saved.", path)
