"""What a draw would give, before it is saved: how many cases are eligible, how many were
left out as recently audited, how many each stratum (team, case type) would give, and the
core's notes (a quota a team cannot meet, more cases asked for than there are)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from auditor.domain import case_type_label
from auditor.programmes.sampling import Sample
from auditor.words import plural
from ui.widgets.common import heading, named, wrapped

EMPTY = "Press Preview to see how many cases would be drawn, stratum by stratum."
STALE = "The choices changed: press Preview again to see the new draw."


def stratum_label(key: tuple[str, ...]) -> str:
    """A stratum key as words: teams as they are, case types by their labels."""
    return " / ".join(case_type_label(part) if part else "(none)" for part in key)


def summary_text(sample: Sample) -> str:
    """How many are eligible and drawn (the notes below say what was left out and why)."""
    return (
        f"{plural(len(sample.population), 'eligible case')}. Would draw "
        f"{plural(len(sample.cases), 'case')} with seed {sample.spec.seed}."
    )


class SamplePreview(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sample: Sample | None = None
        self.summary = wrapped(EMPTY, object_name="previewSummary")
        self.strata = named(
            QTableWidget(0, 3),
            "Strata",
            "How many cases each stratum has and would give",
            object_name="previewStrata",
        )
        self.strata.setHorizontalHeaderLabels(["Stratum", "Eligible", "Drawn"])
        self.strata.verticalHeader().hide()
        self.strata.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.strata.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        header = self.strata.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.notes = wrapped("", object_name="previewNotes")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(heading("Preview", level=3))
        layout.addWidget(self.summary)
        layout.addWidget(self.notes)
        layout.addWidget(self.strata, 1)

    def show_sample(self, sample: Sample) -> None:
        self.sample = sample
        self.summary.setText(summary_text(sample))
        rows = [(stratum_label(s.key), s.population, s.sampled) for s in sample.strata]
        if not rows:
            rows = [("All eligible cases", len(sample.population), len(sample.cases))]
        self.strata.setRowCount(len(rows))
        for number, (label, population, sampled) in enumerate(rows):
            self.strata.setItem(number, 0, QTableWidgetItem(label))
            for column, value in ((1, population), (2, sampled)):
                item = QTableWidgetItem(f"{value:,}")
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.strata.setItem(number, column, item)
        self.notes.setText("\n".join(f"Note: {note}" for note in sample.notes))

    def mark_stale(self) -> None:
        """The inputs changed since the preview: say so rather than show an old draw."""
        if self.sample is None:
            return
        self.sample = None
        self.summary.setText(STALE)
        self.strata.setRowCount(0)
        self.notes.setText("")
