"""The dashboard: grade distribution, compliance per criterion against target and the monthly
trend, filtered by programme, team and date range. The queries run off the GUI thread
(``auditor.figures.dashboard.dashboard_figures`` on a worker's own Store); only drawing is here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from PySide6.QtCharts import QChart, QChartView
from PySide6.QtCore import QDate, QTimer
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from auditor.clock import today
from auditor.figures.dashboard import DashboardFigures, dashboard_figures
from auditor.figures.stats import AuditFilter
from auditor.words import plural
from ui.dashboard.agreement import AgreementPanel
from ui.dashboard.charts import (
    CHANGE_MARK,
    REWORDED_MARK,
    chart_order,
    criteria_chart,
    grade_chart,
    trend_chart,
)
from ui.dashboard.performance_panel import PerformancePanel
from ui.errors import show_error
from ui.session import Session
from ui.widgets.action_dialog import qdate
from ui.widgets.audit_filters import (
    date_edit,
    fill_programmes_and_teams,
    programme_combo,
    team_combo,
)
from ui.widgets.common import buddy, named, restarts, wrapped

REFRESH_DELAY_MS = 250
BAR_ROW_PX = 34  # height per criterion in the compliance chart


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f} %"


class DashboardView(QWidget):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.figures: DashboardFigures | None = None
        self._request = 0
        self.programme = programme_combo()
        self.team = team_combo()
        self.date_from = date_edit("From", "Audits on or after this date")
        self.date_to = date_edit("To", "Audits on or before this date")
        self.date_from.setDate(qdate(today() - timedelta(days=365)))
        self.date_to.setDate(qdate(today()))
        self.all_dates = named(QPushButton("&Whole period"), "Whole period",
                               "From the first audit to today")  # fmt: skip
        self.all_dates.clicked.connect(self._on_all_dates_clicked)
        filters = QHBoxLayout()
        for label, widget in (("&Programme:", self.programme), ("&Team:", self.team),
                              ("Fro&m:", self.date_from), ("T&o:", self.date_to)):  # fmt: skip
            filters.addWidget(buddy(label, widget))
            filters.addWidget(widget)
        filters.addWidget(self.all_dates)
        filters.addStretch(1)
        self.state = QLabel("Loading figures…", objectName="dashboardState")
        self.headline = wrapped("", object_name="headline")
        self.agreement_panel = AgreementPanel()
        self.agreement = self.agreement_panel.text
        self.versions = wrapped("", object_name="dashboardVersions")
        self.versions.hide()
        self.grades_view = self._chart_view("Grade distribution chart")
        self.trend_view = self._chart_view("Monthly trend chart")
        self.criteria_view = self._chart_view("Compliance per criterion chart")
        criteria_scroll = named(QScrollArea(), "Compliance per criterion")
        criteria_scroll.setWidgetResizable(True)
        criteria_scroll.setWidget(self.criteria_view)
        charts = QGridLayout()
        charts.addWidget(self.grades_view, 0, 0)
        charts.addWidget(self.trend_view, 1, 0)
        charts.addWidget(criteria_scroll, 0, 1, 2, 1)
        charts.setColumnStretch(0, 1)
        charts.setColumnStretch(1, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.state)
        layout.addWidget(self.headline)
        layout.addWidget(self.versions)
        # Three pages under the headline, each with the whole height of the window: at
        # 1366×768 the charts, the agreement matrix and the case list's table did not all
        # fit one above the other.
        self.performance = PerformancePanel(session)
        audits = QScrollArea(widgetResizable=True)  # the charts scroll on a small screen
        audits.setFrameShape(QScrollArea.Shape.NoFrame)
        audits.setWidget(QWidget(layout=charts))
        agreement = QWidget()
        agreement_layout = QVBoxLayout(agreement)
        agreement_layout.addWidget(self.agreement_panel, 1)
        self.pages = named(QTabWidget(), "Dashboard pages")
        self.pages.addTab(audits, "Audit &charts")
        self.pages.addTab(agreement, "Moderation a&greement")
        self.pages.addTab(self.performance, "Timeliness across the case &list")
        layout.addWidget(self.pages, 1)
        self._timer = QTimer(self, singleShot=True, interval=REFRESH_DELAY_MS)
        self._timer.timeout.connect(self.refresh)
        for combo in (self.programme, self.team):
            combo.currentIndexChanged.connect(restarts(self._timer))
        for edit in (self.date_from, self.date_to):
            edit.dateChanged.connect(restarts(self._timer))
        session.changes.audits_changed.connect(restarts(self._timer))

    def _chart_view(self, name: str) -> QChartView:
        view = named(QChartView(), name)
        view.setRenderHint(QPainter.RenderHint.Antialiasing)
        view.setMinimumHeight(220)
        return view

    def shown(self) -> None:
        self._fill_filters()
        self.refresh()

    def _fill_filters(self) -> None:
        fill_programmes_and_teams(self.session.store, self.programme, self.team)

    def current_filter(self) -> AuditFilter:
        return AuditFilter(
            programme_uid=self.programme.currentData() or None,
            team=self.team.currentData() or None,
            date_from=self.date_from.date().toPython(),
            date_to=self.date_to.date().toPython(),
        )

    def refresh(self) -> None:
        """Compute the figures on a worker; the newest request wins.

        The audits' figures and the case list's timeliness are two pieces of work, and run
        one after the other, the page on screen first: run together they share one
        interpreter, and the charts waited for both (0.3–0.4 s against 0.1 s for 10,000
        audits and 5,000 cases)."""
        self._timer.stop()
        self._request += 1
        request, wanted = self._request, self.current_filter()
        self.state.setText("Loading figures…")
        if self.pages.currentWidget() is self.performance:
            self.performance.refresh(wanted, then=lambda: self._figures(request, wanted))
        else:
            self._figures(request, wanted, then=lambda: self.performance.refresh(wanted))

    def _figures(
        self, request: int, wanted: AuditFilter, then: Callable[[], None] | None = None
    ) -> None:
        if request != self._request:
            return  # a newer filter is on its way, with its own

        def after() -> None:
            if then is not None and request == self._request:  # not for an older filter
                then()

        self.session.runner.run(
            self.session.worker(lambda store, _p: dashboard_figures(store, wanted)),
            on_success=lambda figures: self._show(request, figures),
            on_failure=lambda error: show_error(self, error, doing="computing the dashboard"),
            on_finished=after,
            label="dashboard",
        )

    def _show(self, request: int, figures: DashboardFigures) -> None:
        if request != self._request:
            return  # a newer filter is on its way
        self.figures = figures
        h = figures.headline
        self.state.setText(
            "No submitted audits match these filters." if h.audits == 0 else
            f"{plural(h.audits, 'submitted audit')}{' (a small sample)' if h.small_sample else ''}"
        )  # fmt: skip
        self.headline.setText(
            f"<b>{_percent(h.good_or_better_percent)}</b> graded Good or better · "
            f"{plural(h.auditors, 'auditor')} · <b>{h.safeguarding_concerns}</b> immediate "
            f"safeguarding {'concern' if h.safeguarding_concerns == 1 else 'concerns'} · "
            f"{plural(h.open_actions, 'open action')}, <b>{h.overdue_actions}</b> overdue"
        )
        self.agreement_panel.show_report(figures.agreement, figures.framework)
        _replace(self.grades_view, grade_chart(h))
        changes = {c.month for c in figures.changes if c.month}
        _replace(self.trend_view, trend_chart(figures.trend, changes))
        ranked = chart_order(figures.criteria)
        _replace(self.criteria_view, criteria_chart(ranked, figures.reworded))
        self.versions.setText(_versions_text(figures))
        self.versions.setVisible(bool(figures.changes))
        self.criteria_view.setMinimumHeight(max(300, BAR_ROW_PX * len(ranked) + 120))

    def _on_all_dates_clicked(self) -> None:
        self.date_from.setDate(QDate(2000, 1, 1))
        self.date_to.setDate(qdate(today()))


def _versions_text(figures: DashboardFigures) -> str:
    """Which version replaced which, from when, and whose wording changed: the words behind
    the charts' ◆ and † marks."""
    lines = []
    for change in figures.changes:
        when = (f"from {date.fromisoformat(change.month + '-01'):%b %Y}" if change.month
                else "no audits on it yet")  # fmt: skip
        reworded = (f"; wording changed ({REWORDED_MARK}): {', '.join(change.reworded)}"
                    if change.reworded else "")  # fmt: skip
        lines.append(
            f"{CHANGE_MARK} {change.new} replaced {change.old} ({when}){reworded}. "
            "Answers on the older version count under the criterion continuing them."
        )
    return "<br>".join(lines)


def _replace(view: QChartView, chart: QChart) -> None:
    old = view.chart()
    view.setChart(chart)
    if old is not None:
        old.deleteLater()
