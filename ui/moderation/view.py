"""Moderation: a QA lead reads a submitted audit side by side with their own judgement,
agrees or changes each answer (with a reason) and the grade (with a note); the audit
becomes moderated, then final. Criteria left as the auditor answered them count as agreed.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from auditor.audits.grading import grade_audit
from auditor.audits.records import Audit, get_audit
from auditor.audits.workflow import ModeratedAnswer, finalise_audit, moderate_audit
from auditor.domain import GRADE_LABELS, AuditStatus, Grade
from auditor.frameworks.model import Criterion
from ui.errors import reporting_user_errors
from ui.session import Session
from ui.widgets.common import TextBox, heading, named, wrapped

AGREE = "= Agrees"
CHANGED = "≠ Changed: give a reason"


class ModeratedRow:
    """One criterion: the auditor's answer and evidence beside the moderator's answer."""

    def __init__(self, criterion: Criterion, audit: Audit) -> None:
        self.criterion = criterion
        answer = audit.answers.get(criterion.code)
        self.auditor_value = answer.value if answer else None
        label = criterion.scale.value(self.auditor_value).label if self.auditor_value else "–"
        self.wording = wrapped(f"<b>{criterion.code}</b> {criterion.text}")
        self.theirs = wrapped(
            f"<b>{label}</b><br>{(answer.evidence if answer else '') or '<i>no evidence</i>'}"
        )
        self.mine = named(
            QComboBox(), f"Your answer to {criterion.code}", "Agree, or choose another answer"
        )
        self.mine.setObjectName(f"moderate_{criterion.code}")
        self.mine.addItem("Not answered", None)
        for value in criterion.scale.values:
            self.mine.addItem(value.label, value.code)
        self.mine.setCurrentIndex(max(0, self.mine.findData(self.auditor_value)))
        self.agreement = QLabel(AGREE)
        self.reason = named(QLineEdit(), f"Why {criterion.code} changes", "Required when changed")
        self.reason.setObjectName(f"reason_{criterion.code}")
        self.reason.setPlaceholderText("Reason for the change")
        self.mine.currentIndexChanged.connect(lambda _i: self.refresh())
        self.refresh()

    def judgement(self) -> QWidget:
        """The moderator's side: answer, agreement in words, and the reason when changed."""
        cell = QWidget()
        column = QVBoxLayout(cell)
        column.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        top.addWidget(self.mine, 1)
        top.addWidget(self.agreement)
        column.addLayout(top)
        column.addWidget(self.reason)
        return cell

    @property
    def value(self) -> str | None:
        return self.mine.currentData()

    @property
    def changed(self) -> bool:
        return self.value != self.auditor_value

    def refresh(self) -> None:
        self.agreement.setText(CHANGED if self.changed else AGREE)
        self.reason.setVisible(self.changed)

    def set_read_only(self, read_only: bool) -> None:
        self.mine.setEnabled(not read_only)
        self.reason.setReadOnly(read_only)


class ModerationView(QWidget):
    back_requested = Signal()

    def __init__(self, session: Session, audit_uid: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.uid = audit_uid
        self.audit = get_audit(session.store, audit_uid)
        a = self.audit
        self.rows = [ModeratedRow(c, a) for c in a.criteria]
        self.title = heading(f"Moderation of the audit of {a.case.reference}", level=1)
        self.facts = wrapped(
            f"{a.case.case_type.label} · {a.case.team} · auditor {a.auditor} · "
            f"{a.framework.code} {a.framework.version}"
        )
        self.status = QLabel(objectName="moderationStatus")
        grid = QGridLayout()
        for column, text in enumerate(("Criterion", f"Auditor ({a.auditor})", "Your answer", "")):
            grid.addWidget(QLabel(f"<b>{text}</b>"), 0, column)
        for r, row in enumerate(self.rows, start=1):
            grid.addWidget(row.wording, r, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(row.theirs, r, 1, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(row.judgement(), r, 2, 1, 2, Qt.AlignmentFlag.AlignTop)
            row.mine.currentIndexChanged.connect(lambda _i: self._regrade())
        grid.setVerticalSpacing(14)
        grid.setRowStretch(len(self.rows) + 1, 1)  # rows keep their height; space goes below
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 3)
        grid.setColumnStretch(2, 2)
        body = QWidget()
        body.setLayout(grid)
        scroll = named(QScrollArea(), "Answers side by side")
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)

        self.suggested = QLabel(objectName="moderatedSuggestion")
        self.grade = named(QComboBox(), "Your grade", "Agree with the auditor's grade or change it")
        self.grade.setObjectName("moderatorGrade")
        for grade, label in GRADE_LABELS.items():
            self.grade.addItem(label, grade.value)
        self.grade.setCurrentIndex(max(0, self.grade.findData(a.final_grade or "")))
        self.note = named(TextBox(2), "Moderation note", "Required when you change the grade")
        self.note.setObjectName("moderationNote")
        self.note.setMinimumWidth(self.fontMetrics().horizontalAdvance("x") * 70)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        auditor_grade = a.final_grade.label if a.final_grade else "none"
        form.addRow("Auditor's grade:", QLabel(auditor_grade))
        form.addRow("Suggested from your answers:", self.suggested)
        form.addRow("Your &grade:", self.grade)
        form.addRow("&Note:", self.note)
        self.save_button = self._button("&Save moderation", "Record your answers and grade",
                                        self.save)  # fmt: skip
        self.save_button.setObjectName("saveModeration")
        self.final_button = self._button("Make &final", "Lock the audit as final", self.finalise)
        self.final_button.setObjectName("makeFinal")
        back = self._button("← &Back", "Back to the audits", self.back_requested.emit)
        buttons = QHBoxLayout()
        buttons.addWidget(back)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.final_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.facts)
        layout.addWidget(self.status)
        layout.addWidget(scroll, 1)
        layout.addLayout(form)
        layout.addLayout(buttons)
        self._apply_status()
        self._regrade()

    def _button(self, text: str, tip: str, slot: object) -> QPushButton:
        button = named(QPushButton(text), text.replace("&", "").strip("← "), tip)
        button.clicked.connect(slot)
        return button

    def _regrade(self) -> None:
        values = {row.criterion.code: row.value for row in self.rows}
        result = grade_audit(self.audit.framework, self.audit.case.case_type, values)
        changed = sum(1 for row in self.rows if row.changed)
        label = result.suggested.label if result.suggested else "–"
        self.suggested.setText(f"{label} · you changed {changed} of {len(self.rows)} answers")

    def _apply_status(self) -> None:
        status = self.audit.status
        editable = status is AuditStatus.SUBMITTED
        for row in self.rows:
            row.set_read_only(not editable)
        self.grade.setEnabled(editable)
        self.note.setReadOnly(not editable)
        self.save_button.setEnabled(editable)
        self.final_button.setEnabled(status in (AuditStatus.SUBMITTED, AuditStatus.MODERATED))
        self.status.setText(f"Status: {status.label}")

    def save(self) -> None:
        changes = {
            row.criterion.code: ModeratedAnswer(row.value, row.reason.text().strip())
            for row in self.rows
            if row.changed
        }
        with reporting_user_errors(self, "saving a moderation"):
            moderate_audit(
                self.session.store,
                self.uid,
                moderator=self.session.actor,
                grade=Grade(self.grade.currentData()),
                changes=changes,
                note=self.note.toPlainText().strip(),
            )
            self._after_change()

    def finalise(self) -> None:
        with reporting_user_errors(self, "making an audit final"):
            finalise_audit(self.session.store, self.uid, actor=self.session.actor)
            self._after_change()

    def _after_change(self) -> None:
        self.audit = get_audit(self.session.store, self.uid)
        self._apply_status()
        self.session.changes.audits_changed.emit()
