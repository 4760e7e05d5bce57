"""The dashboard's performance panel: every timescale over the whole case list, beside the
audit criterion about the same thing, for the dashboard's filters (team, period, programme).

The figures are :func:`auditor.figures.performance.performance_report`'s (the report's
Performance sheet and ``case-auditor performance`` show the same), computed on a worker's
own Store off the GUI thread; only the table is filled here.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from auditor.audits.timeliness import time_taken_text
from auditor.figures.dashboard import dashboard_framework
from auditor.figures.performance import Indicator, PerformanceReport, performance_report
from auditor.figures.stats import AuditFilter
from auditor.store import Store
from auditor.words import plural
from ui.errors import show_error
from ui.session import Session
from ui.widgets.common import named, wrapped

HEADERS = (
    "Timescale",
    "In scope",
    "Met",
    "Not met",
    "Not yet due",
    "Not checkable",
    "% met (95 % interval)",
    "Median taken",
    "Target",
    "Audits % met",
)
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
STATUS_COLOURS = {"green": "#C6EFCE", "amber": "#FFEB9C", "red": "#FFC7CE"}


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f} %"


def panel_figures(store: Store, wanted: AuditFilter) -> PerformanceReport:
    """The panel's figures for the dashboard's filter (run on a worker)."""
    return performance_report(
        store,
        dashboard_framework(store, AuditFilter(programme_uid=wanted.programme_uid)),
        team=wanted.team,
        date_from=wanted.date_from,
        date_to=wanted.date_to,
        programme_uid=wanted.programme_uid,
    )


def row_texts(i: Indicator) -> list[str]:
    """One table row: what the panel shows for one indicator."""
    t = i.total
    interval = t.interval
    met = (
        "–"
        if interval is None
        else (f"{_percent(t.met_percent)} ({interval[0]:.0f}–{interval[1]:.0f} %)")
    )
    median = time_taken_text(t.median_taken, i.timescale.unit)
    audits = (
        "–"
        if i.criterion is None
        else (f"{_percent(i.criterion.met_percent)} ({i.criterion.code})")
    )
    return [
        f"{i.code}: {i.timescale.label}",
        f"{t.in_scope:,}",
        f"{t.met:,}",
        f"{t.not_met:,}",
        f"{t.not_yet_due:,}",
        f"{t.not_checkable:,}",
        met,
        median,
        _percent(i.target),
        audits,
    ]


class PerformancePanel(QWidget):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.report: PerformanceReport | None = None
        self._request = 0
        self.summary = wrapped("", object_name="performanceSummary")
        self.table = named(QTableWidget(0, len(HEADERS)), "Timeliness across the case list")
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)  # one line a timescale: the full label is its tooltip
        self.table.setMinimumHeight(90)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(60)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)

    def refresh(self, wanted: AuditFilter, then: Callable[[], None] | None = None) -> None:
        """Compute the figures on a worker; the newest request wins. ``then`` runs once
        they are shown (or their error is), for work that waited for them."""
        self._request += 1
        request = self._request
        self.summary.setText("Loading timeliness across the case list…")
        self.session.runner.run(
            self.session.worker(lambda store, _p: panel_figures(store, wanted)),
            on_success=lambda report: self._show(request, report),
            on_failure=lambda error: show_error(self, error, doing="computing timeliness"),
            on_finished=then,
            label="performance",
        )

    def _show(self, request: int, report: PerformanceReport) -> None:
        if request != self._request:
            return
        self.report = report
        missed = sum(1 for i in report.indicators if i.status in ("amber", "red"))
        self.summary.setText(
            f"<b>Timeliness across the whole case list</b> ({plural(report.cases, 'case')}, "
            "not only those audited; cases counted in the month they fell due): "
            f"{plural(missed, 'timescale')} below target of {len(report.indicators)}."
        )
        self.table.setRowCount(len(report.indicators))
        for row, indicator in enumerate(report.indicators):
            colour = STATUS_COLOURS.get(indicator.status or "")
            for column, text in enumerate(row_texts(indicator)):
                item = QTableWidgetItem(text)
                if column == 0:
                    item.setToolTip(text)
                if column:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                if column == 6 and colour:
                    item.setBackground(QBrush(QColor(colour)))
                    item.setToolTip(indicator.verdict)
                self.table.setItem(row, column, item)
