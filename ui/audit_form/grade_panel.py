"""The grade side of the audit form: the suggested grade and section scores (live), the
auditor's final grade with its reason, and the immediate safeguarding concern."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from auditor.audits.grading import GradeResult
from auditor.domain import GRADE_LABELS, Grade
from auditor.frameworks.model import Framework
from ui.widgets.common import TextBox, heading, named, wrapped

SAFEGUARDING_TEXT = "Immediate safeguarding concern"
SAFEGUARDING_HELP = (
    "Tick if you believe a child may be unsafe now. The audit then needs an open action, "
    "due today or the next working day."
)


def percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f} %"


def suggestion_text(result: GradeResult) -> str:
    """The suggested grade, said to be provisional (and on how many answers) until every
    criterion asked is answered: one answer in, "Outstanding" means little."""
    if result.suggested is None:
        return "Suggested grade: –"
    if result.complete:
        return f"Suggested grade: {result.suggested.label}"
    return (
        f"Suggested grade: {result.suggested.label} (provisional, on {result.answered} of "
        f"{result.applicable} answers)"
    )


class GradePanel(QWidget):
    final_grade_chosen = Signal(str)  # grade value, "" for none
    text_edited = Signal(str, str)  # audit field, text
    text_left = Signal(str)  # audit field whose box lost focus
    safeguarding_toggled = Signal(bool)

    def __init__(self, framework: Framework, case_type: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.suggested: Grade | None = None
        self.suggested_label = heading("Suggested grade: –", level=2)
        self.suggested_label.setObjectName("suggestedGrade")
        self.compliance = wrapped("", object_name="compliance")
        self.limiting = wrapped("", object_name="limitingNote")
        self.sections: dict[str, tuple[QLabel, QLabel]] = {}
        self.section_rows: dict[str, tuple[QWidget, ...]] = {}
        grid = QGridLayout()
        grid.addWidget(QLabel("<b>Section</b>"), 0, 0)
        grid.addWidget(QLabel("<b>Answered</b>"), 0, 1)
        grid.addWidget(QLabel("<b>Score</b>"), 0, 2)
        asked = {c.section for c in framework.criteria_for(case_type)}
        for row, section in enumerate((s for s in framework.sections if s.code in asked), 1):
            answered, score = QLabel(), QLabel()
            score.setAlignment(Qt.AlignmentFlag.AlignRight)
            title = wrapped(section.title)
            grid.addWidget(title, row, 0)
            grid.addWidget(answered, row, 1)
            grid.addWidget(score, row, 2)
            self.sections[section.code] = (answered, score)
            self.section_rows[section.code] = (title, answered, score)
        grid.setColumnStretch(0, 1)

        self.final_grade = named(
            QComboBox(), "Final grade", "Your judgement of the file", object_name="finalGrade"
        )
        self.final_grade.addItem("Choose the final grade…", "")
        # Narrower than its longest grade when the panel is: the arrow is never cut off.
        self.final_grade.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.final_grade.setMinimumContentsLength(16)
        for grade, label in GRADE_LABELS.items():
            self.final_grade.addItem(label, grade.value)
        self.final_grade.currentIndexChanged.connect(self._on_final_grade_changed)
        self.reason_note = wrapped("", object_name="reasonNote")
        self.reason = self._text_box(
            "grade_reason", "Reason for your grade", "Why your grade differs from the suggestion"
        )
        self.safeguarding = named(
            QCheckBox(SAFEGUARDING_TEXT),
            "Immediate safeguarding concern",
            "Set this if you believe a child is unsafe now. The audit cannot be submitted "
            "without an open action.",
            object_name="safeguardingConcern",
        )
        self.safeguarding_help = wrapped(SAFEGUARDING_HELP, object_name="safeguardingHelp")
        self.safeguarding.toggled.connect(self._on_safeguarding_toggled)
        self.safeguarding_note = self._text_box(
            "safeguarding_note", "What you did about it", "Who you told and when"
        )

        layout = QVBoxLayout(self)
        layout.addWidget(self.suggested_label)
        layout.addWidget(self.compliance)
        layout.addWidget(self.limiting)
        layout.addLayout(grid)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        # Mnemonics unique in the whole form and the menu bar (File, Edit, View, Help).
        form.addRow("Fina&l grade:", self.final_grade)
        form.addRow(self.reason_note)
        form.addRow("&Reason for a different grade:", self.reason)
        form.addRow(self.safeguarding)
        form.addRow(self.safeguarding_help)
        form.addRow("Safeguarding &note:", self.safeguarding_note)
        layout.addLayout(form)
        layout.addStretch(1)

    def _text_box(self, field: str, name: str, tip: str) -> TextBox:
        box = named(TextBox(), name, tip, object_name=field)
        box.textChanged.connect(lambda: self.text_edited.emit(field, box.toPlainText()))
        box.textChanged.connect(self._refresh_reason_note)
        box.left.connect(lambda: self.text_left.emit(field))
        return box

    # -- showing ----------------------------------------------------------------------------

    def show_result(self, result: GradeResult) -> None:
        self.suggested = result.suggested
        self.suggested_label.setText(suggestion_text(result))
        self.compliance.setText(f"Compliance {percent(result.compliance)} · {result.progress_text}")
        if result.limiting_failures:
            codes = ", ".join(result.limiting_failures)
            self.limiting.setText(f"Capped: limiting criterion answered No ({codes}).")
        self.limiting.setVisible(bool(result.limiting_failures))
        for section in result.sections:
            answered, score = self.sections[section.code]
            answered.setText(f"{section.answered} of {section.applicable}")
            score.setText(percent(section.compliance))
        asked = {section.code for section in result.sections}
        for code, row in self.section_rows.items():  # a section none of whose criteria is asked
            for widget in row:
                widget.setHidden(code not in asked)
        self._refresh_reason_note()

    def set_final_grade(self, grade: Grade | None) -> None:
        self.final_grade.blockSignals(True)
        self.final_grade.setCurrentIndex(max(0, self.final_grade.findData(grade or "")))
        self.final_grade.blockSignals(False)
        self._refresh_reason_note()

    def set_texts(self, **texts: str) -> None:
        for field, text in texts.items():
            box = self.findChild(QPlainTextEdit, field)
            assert box is not None, field
            box.blockSignals(True)
            box.setPlainText(text)
            box.blockSignals(False)
        self._refresh_reason_note()

    def set_safeguarding(self, concern: bool) -> None:
        self.safeguarding.blockSignals(True)
        self.safeguarding.setChecked(concern)
        self.safeguarding.blockSignals(False)
        self._restyle_safeguarding()

    def set_read_only(self, read_only: bool) -> None:
        self.final_grade.setEnabled(not read_only)
        self.safeguarding.setEnabled(not read_only)
        for box in (self.reason, self.safeguarding_note):
            box.setReadOnly(read_only)

    @property
    def reason_required(self) -> bool:
        chosen = self.final_grade.currentData()
        return bool(chosen and self.suggested and chosen != self.suggested.value)

    def _refresh_reason_note(self) -> None:
        if self.reason_required and self.suggested is not None:
            missing = not self.reason.toPlainText().strip()
            if self.reason_note.property("missing") != missing:
                self.reason_note.setProperty("missing", missing)
                self.reason_note.style().unpolish(self.reason_note)
                self.reason_note.style().polish(self.reason_note)
            self.reason_note.setText(
                ("⚠ A reason is required: " if missing else "Reason given: ")
                + f"your grade differs from the suggested grade ({self.suggested.label})."
            )
        self.reason_note.setVisible(self.reason_required)

    def _on_final_grade_changed(self, _index: int) -> None:
        self._refresh_reason_note()
        self.final_grade_chosen.emit(self.final_grade.currentData() or "")

    def _on_safeguarding_toggled(self, checked: bool) -> None:
        self._restyle_safeguarding()
        self.safeguarding_toggled.emit(checked)

    def _restyle_safeguarding(self) -> None:
        self.safeguarding.setProperty("raised", self.safeguarding.isChecked())
        self.safeguarding.style().unpolish(self.safeguarding)
        self.safeguarding.style().polish(self.safeguarding)
