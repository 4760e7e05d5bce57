"""The dashboard's agreement panel: how often auditors and moderators agreed (percentage,
Cohen's kappa and the grade's weighted kappa, each with its 95 % interval) and the moderated
grades' confusion matrix. The figures are the core's (``auditor.figures.agreement``)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from auditor.domain import Grade
from auditor.figures.agreement import AgreementReport, ConfusionMatrix, Kappa
from auditor.words import plural
from ui.widgets.common import named, wrapped

# Short grade names for the matrix's narrow columns; the full ones are in its tooltips.
SHORT_GRADES = {
    Grade.OUTSTANDING: "Outstanding",
    Grade.GOOD: "Good",
    Grade.REQUIRES_IMPROVEMENT: "Req. improvement",
    Grade.INADEQUATE: "Inadequate",
}

MATRIX_CAPTION = (
    "Beside: the moderated grades, the auditor's (rows) against the moderator's (columns)."
)


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f} %"


def kappa_words(name: str, kappa: Kappa | None) -> str:
    """ "Cohen's κ 0.41 (95 % CI 0.10 to 0.72)", or a dash where kappa is undefined."""
    if kappa is None:
        return f"{name} –"
    return f"{name} {kappa.estimate:.2f} (95 % CI {kappa.low:.2f} to {kappa.high:.2f})"


def agreement_text(a: AgreementReport) -> str:
    """The panel's sentence about moderation and agreement."""
    if not a.grade.pairs:
        return "No moderations in this period."
    left_out = (
        f" {plural(a.left_out, 'pair')} of criterion answers with Not applicable on either "
        "side left out." if a.left_out else ""
    )  # fmt: skip
    return (
        f"Moderation: {plural(a.moderated_audits, 'audit')} moderated; grades agreed in "
        f"{_percent(a.grade.percent)} of {plural(a.grade.pairs, 'pair')} "
        f"({kappa_words('Cohen’s κ', a.grade.cohen)}; "
        f"{kappa_words('weighted κ', a.grade.weighted)}), changed in {a.grade_changed}."
        f"{left_out}"
    )


class AgreementPanel(QWidget):
    """The sentence, and beside it the grade matrix (hidden when nothing was moderated)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text = wrapped("", object_name="agreement")
        grades = list(Grade)
        self.matrix = named(
            QTableWidget(len(grades), len(grades)),
            "Grade confusion matrix",
            "Moderated audits: the auditor's grade (rows) against the moderator's (columns)",
        )
        self.matrix.setObjectName("gradeMatrix")
        self.matrix.setHorizontalHeaderLabels([SHORT_GRADES[g] for g in grades])
        self.matrix.setVerticalHeaderLabels([SHORT_GRADES[g] for g in grades])

        self.matrix.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.matrix.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.matrix.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.matrix.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.matrix.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.matrix.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.matrix.hide()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.text, 1, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.matrix, 1, Qt.AlignmentFlag.AlignTop)

    def show_report(self, report: AgreementReport) -> None:
        shown = report.grade_matrix.total > 0
        # One label for the sentence and the matrix's caption: a second wrapped label made
        # the dashboard taller than a 768-pixel screen.
        self.text.setText(agreement_text(report) + (f" {MATRIX_CAPTION}" if shown else ""))
        self._fill(report.grade_matrix)
        self.matrix.setVisible(shown)

    def _fill(self, matrix: ConfusionMatrix) -> None:
        for i, auditor in enumerate(matrix.counts):
            for j, (moderator, n) in enumerate(matrix.counts[auditor].items()):
                item = QTableWidgetItem(str(n))
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                item.setToolTip(
                    f"{plural(n, 'audit')} graded {auditor.label} by the auditor and "
                    f"{moderator.label} by the moderator"
                )
                if i == j:
                    font = item.font()
                    font.setBold(True)  # the diagonal: where they agreed
                    item.setFont(font)
                self.matrix.setItem(i, j, item)
        header = self.matrix.horizontalHeader().height()
        rows = sum(self.matrix.rowHeight(r) for r in range(self.matrix.rowCount()))
        self.matrix.setFixedHeight(header + rows + 2 * self.matrix.frameWidth())

    def cell(self, auditor: Grade, moderator: Grade) -> str:
        """The count shown for an auditor's and a moderator's grade (for tests and readers)."""
        grades = list(Grade)
        item = self.matrix.item(grades.index(auditor), grades.index(moderator))
        return "" if item is None else item.text()
