"""The dashboard's agreement panel: how often auditors and moderators agreed (percentage,
Cohen's kappa and the grade's weighted kappa, each with its 95 % interval), the moderated
grades' confusion matrix, and each criterion's agreement, least first: where auditors and
moderators judge a case file differently, which is what moderation is for. The figures are
the core's (``auditor.figures.agreement``)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from auditor.domain import Grade
from auditor.figures.agreement import AgreementFigure, AgreementReport, ConfusionMatrix, Kappa
from auditor.figures.stats import SMALL_MARK, SMALL_SAMPLE
from auditor.frameworks.model import Framework
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
CRITERIA_HEADERS = ["Criterion", "Pairs", "% agreement", "Cohen’s κ (95 % CI)", "N/A left out"]
CRITERIA_CAPTION = (
    "<b>Each criterion, least agreement first</b> (moderations and blind double audits: the "
    "two answers to the same criterion of the same case file; pairs with Not applicable on "
    f"either side left out; {SMALL_MARK} fewer than {SMALL_SAMPLE} pairs)."
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


def criterion_row_texts(figure: AgreementFigure, text: str) -> list[str]:
    """One row of the criteria table: what was judged, and how often the two agreed."""
    small = SMALL_MARK if figure.pairs < SMALL_SAMPLE else ""
    kappa = figure.cohen
    return [
        f"{figure.subject}: {text}" if text else figure.subject,
        f"{figure.pairs:,}{small}",
        _percent(figure.percent),
        "–" if kappa is None else f"{kappa.estimate:.2f} ({kappa.low:.2f} to {kappa.high:.2f})",
        f"{figure.left_out:,}",
    ]


class AgreementPanel(QWidget):
    """The sentence, and beside it the grade matrix (hidden when nothing was moderated);
    below them each criterion's agreement (hidden when no criterion was judged twice)."""

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
        self.matrix.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        self.matrix.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.matrix.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.matrix.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.matrix.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.matrix.hide()
        self.criteria_caption = wrapped(CRITERIA_CAPTION, object_name="criteriaAgreementCaption")
        self.criteria = named(
            QTableWidget(0, len(CRITERIA_HEADERS)),
            "Agreement on each criterion",
            "Each criterion's agreement between auditors and moderators, least agreement first",
        )
        self.criteria.setObjectName("criteriaAgreement")
        self.criteria.setHorizontalHeaderLabels(CRITERIA_HEADERS)
        self.criteria.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.criteria.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.criteria.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.criteria.setAlternatingRowColors(True)
        self.criteria.setTabKeyNavigation(False)
        rows = self.criteria.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.criteria.fontMetrics().height() + 10)  # as every list
        self.criteria.setWordWrap(False)  # one line a criterion: the whole text is its tooltip
        header = self.criteria.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(60)
        for widget in (self.criteria_caption, self.criteria):
            widget.hide()
        top = QHBoxLayout()
        top.addWidget(self.text, 1, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.matrix, 1, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.criteria_caption)
        layout.addWidget(self.criteria, 1)
        layout.addStretch(0)

    def show_report(self, report: AgreementReport, framework: Framework | None = None) -> None:
        """Show ``report``; the criteria are named with ``framework``'s wording (a criterion
        it does not have, of another framework or version, by its code alone)."""
        shown = report.grade_matrix.total > 0
        # One label for the sentence and the matrix's caption: a second wrapped label made
        # the dashboard taller than a 768-pixel screen.
        self.text.setText(agreement_text(report) + (f" {MATRIX_CAPTION}" if shown else ""))
        self._fill(report.grade_matrix)
        self.matrix.setVisible(shown)
        texts = {c.code: c.text for c in framework.criteria} if framework else {}
        self._fill_criteria(report.criteria, texts)
        judged = bool(report.criteria)
        self.criteria_caption.setVisible(judged)
        self.criteria.setVisible(judged)

    def _fill_criteria(self, figures: tuple[AgreementFigure, ...], texts: dict[str, str]) -> None:
        self.criteria.setRowCount(len(figures))
        for row, figure in enumerate(figures):
            for column, text in enumerate(
                criterion_row_texts(figure, texts.get(figure.subject, ""))
            ):
                item = QTableWidgetItem(text)
                if column == 0:
                    item.setToolTip(text)
                else:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                if column == 1 and figure.pairs < SMALL_SAMPLE:
                    item.setToolTip(f"Fewer than {SMALL_SAMPLE} pairs: a small sample")
                self.criteria.setItem(row, column, item)

    def criteria_rows(self) -> list[list[str]]:
        """The criteria table as shown, top row first (for tests and readers)."""
        return [
            [self.criteria.item(r, c).text() for c in range(self.criteria.columnCount())]
            for r in range(self.criteria.rowCount())
        ]

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
