"""The other views through real widgets: register filters, actions, dashboard, frameworks,
first run and the main window's navigation and remembered state."""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCharts import QChartView
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from auditor.audits.actions import list_all_actions
from auditor.audits.records import get_audit
from auditor.cases.records import add_case
from auditor.cases.register import SORT_KEYS
from auditor.demo import make_demo
from auditor.domain import AuditStatus
from auditor.figures.stats import AuditFilter, headline
from tests.gui.conftest import AUDITOR
from ui.actions.done_date import DoneDateDialog
from ui.actions.view import ActionsView
from ui.audits.view import AuditsView
from ui.cases.view import CasesView
from ui.dashboard.view import REFRESH_DELAY_MS, DashboardView
from ui.first_run import FirstRunDialog
from ui.frameworks.view import FrameworksView
from ui.main_window import MainWindow
from ui.operations import OperationRunner
from ui.session import Changes, Session
from ui.settings import LAST_VIEW, Settings
from ui.widgets.reason import ReasonDialog


def test_register_filters_by_team_type_and_status(qtbot: QtBot, window: MainWindow) -> None:
    cases = window.page("cases")
    assert isinstance(cases, CasesView)
    assert cases.count.text() == "12 cases"
    team = cases.team.itemText(1)
    cases.team.setCurrentIndex(1)
    assert all(r.team == team for r in cases.model.rows)
    assert cases.count.text().endswith("of 12 cases")
    cases.team.setCurrentIndex(0)
    cases.case_type.setCurrentIndex(cases.case_type.findData("child_protection"))
    assert {r.case_type for r in cases.model.rows} == {"child_protection"}
    cases.case_type.setCurrentIndex(0)
    cases.status.setCurrentIndex(cases.status.findData("not_audited"))
    assert cases.model.rowCount() == 12
    cases.status.setCurrentIndex(cases.status.findData("final"))
    assert cases.model.rowCount() == 0 and cases.count.text() == "0 of 12 cases"
    assert cases.panel.title.text() == "No case selected"


def test_checks_in_the_case_form_say_met_in_words(qtbot: QtBot, window: MainWindow) -> None:
    cases = window.page("cases")
    assert isinstance(cases, CasesView)
    words = [w.accessibleName() for w in cases.panel.findChildren(type(cases.count))
             if w.property("met") is not None]  # fmt: skip
    assert words and all(w.split(":")[0] in {"✓ Met", "✗ Not met", "– Not checked"} for w in words)


def test_actions_view_marks_done_with_a_date(qtbot: QtBot, session: Session) -> None:
    make_demo(session.store, cases=30, audits=30, seed=2)
    view = ActionsView(session)
    qtbot.add_widget(view)
    view.show()
    view.shown()
    assert view.model.rowCount() == len(list_all_actions(session.store, status="open"))
    late = [r for r in view.model.rows if r.days_overdue()]
    assert late, "the demo has overdue actions"
    assert view.model.index(view.model.rows.index(late[0]), 3).data().startswith("⚠ Overdue by")
    view.overdue.setChecked(True)
    assert view.model.rowCount() == len(late)
    view.table.selectRow(0)
    target = view.selected()
    assert target is not None
    view.mark_done()
    dialog = next(w for w in QApplication.topLevelWidgets()
                  if isinstance(w, DoneDateDialog) and w.isVisible())  # fmt: skip
    dialog.accept()
    done = {r.uid: r for r in list_all_actions(session.store, status="done")}
    assert target.uid in done and done[target.uid].done_date is not None
    assert target.uid not in {r.uid for r in view.model.rows}


def test_dashboard_draws_three_charts_for_the_filter(qtbot: QtBot, session: Session) -> None:
    make_demo(session.store, cases=60, audits=60, seed=3)
    view = DashboardView(session)
    qtbot.add_widget(view)
    view.resize(1200, 700)
    view.show()
    view.date_from.setDate(view.date_from.date().addYears(-2))
    view.shown()
    assert view.figures is not None and view.figures.headline.audits > 0
    assert "graded Good or better" in view.headline.text()
    charts = [v.chart() for v in view.findChildren(QChartView)]
    assert len(charts) == 3 and all(c.series() for c in charts)
    assert len(view.figures.trend) > 1
    # The agreement page: each criterion the demo's moderations judged, least agreement first.
    view.pages.setCurrentIndex(view.pages.indexOf(view.agreement_panel.parentWidget()))
    ranked = view.figures.agreement.criteria
    assert ranked and view.agreement_panel.criteria.isVisible()
    rows = view.agreement_panel.criteria_rows()
    assert [r[0].split(":")[0] for r in rows] == [f.subject for f in ranked]
    assert rows[0][2] == f"{ranked[0].percent:.0f} %"
    team = view.team.itemText(1)
    view.team.setCurrentIndex(1)
    view.refresh()
    assert view.current_filter() == AuditFilter(
        team=team, date_from=view.current_filter().date_from, date_to=view.current_filter().date_to
    )
    assert view.figures.headline.audits < 60


def test_dashboard_queries_run_off_the_gui_thread(
    qtbot: QtBot, full_store, settings: Settings
) -> None:  # type: ignore[no-untyped-def]
    make_demo(full_store, cases=20, audits=20, seed=4)
    threaded = OperationRunner()
    session = Session(full_store, threaded, settings, Changes())
    import ui.dashboard.view as module

    seen: list[threading.Thread] = []
    real = module.dashboard_figures

    def spy(store, wanted):  # type: ignore[no-untyped-def]
        seen.append(threading.current_thread())
        return real(store, wanted)

    module.dashboard_figures = spy  # type: ignore[assignment]
    try:
        view = DashboardView(session)
        qtbot.add_widget(view)
        view.refresh()
        qtbot.wait_until(lambda: view.figures is not None, timeout=10_000)
    finally:
        module.dashboard_figures = real
    assert seen and seen[0] is not threading.main_thread()
    assert threaded.wait_for_done(5000)


def test_the_dashboard_page_on_screen_is_worked_out_first_and_the_other_after_it(
    qtbot: QtBot, full_store, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """The audits' figures and the case list's timeliness run one after the other on the
    workers, the page on screen first, and the newest filter's figures are what both show."""
    import ui.dashboard.performance_panel as panel_module
    import ui.dashboard.view as view_module

    make_demo(full_store, cases=30, audits=30, seed=6)
    threaded = OperationRunner()
    session = Session(full_store, threaded, settings, Changes())
    events: list[tuple[str, str, AuditFilter]] = []

    def spied(name: str, real):  # type: ignore[no-untyped-def]
        def spy(store, wanted):  # type: ignore[no-untyped-def]
            events.append(("start", name, wanted))
            try:
                return real(store, wanted)
            finally:
                events.append(("end", name, wanted))

        return spy

    monkeypatch.setattr(view_module, "dashboard_figures",
                        spied("audits", view_module.dashboard_figures))  # fmt: skip
    monkeypatch.setattr(panel_module, "panel_figures",
                        spied("timeliness", panel_module.panel_figures))  # fmt: skip
    view = DashboardView(session)
    qtbot.add_widget(view)
    view.show()
    view.refresh()
    qtbot.wait_until(lambda: view.performance.report is not None, timeout=10_000)
    assert [(e, n) for e, n, _ in events] == [
        ("start", "audits"),
        ("end", "audits"),
        ("start", "timeliness"),
        ("end", "timeliness"),
    ]
    assert view.figures is not None

    events.clear()
    view.pages.setCurrentWidget(view.performance)
    view.refresh()
    qtbot.wait_until(lambda: len(events) == 4, timeout=10_000)
    assert [n for e, n, _ in events if e == "start"] == ["timeliness", "audits"]

    events.clear()
    view.pages.setCurrentIndex(0)
    view.shown()  # the filters filled, as when the view comes on screen
    team = view.team.itemText(1)
    view.team.setCurrentIndex(1)
    # The pause before a refresh stays: connected to the index signal, the timer took
    # the index as its interval (and -1, when the filters were refilled, a warning).
    assert view._timer.isActive() and view._timer.interval() == REFRESH_DELAY_MS
    view.refresh()  # a newer filter before the first one's figures are in
    newest = view.current_filter()
    qtbot.wait_until(
        lambda: view.figures is not None and view.performance.report is not None
        and threaded.active == 0 and ("end", "timeliness", newest) in events,
        timeout=10_000,
    )  # fmt: skip
    assert threaded.wait_for_done(5000)
    assert newest.team == team and view.performance.report.team == team
    assert view.figures is not None and view.figures.headline == headline(full_store, newest)
    older = [w for _, n, w in events if n == "timeliness" and w != newest]
    assert not older, "an older filter's timeliness is not worked out after its figures"


def test_the_register_comes_in_sorted_from_its_worker_with_its_teams(
    qtbot: QtBot, full_store, settings: Settings, threaded: OperationRunner
) -> None:  # type: ignore[no-untyped-def]
    """Sorting 100,000 cases (and listing their teams) is a pass over every row: done on
    the worker that loads them, in the order the user chose, not on the GUI thread."""
    make_demo(full_store, cases=30, audits=0, seed=5)
    view = CasesView(Session(full_store, threaded, settings, Changes()))
    qtbot.add_widget(view)
    with qtbot.waitSignal(view.loaded, timeout=10_000):
        view.reload()
    view.table.sortByColumn(2, Qt.SortOrder.DescendingOrder)  # Team, Z to A
    sorted_on: list[threading.Thread] = []

    def noting(key):  # type: ignore[no-untyped-def]
        def sort_key(row):  # type: ignore[no-untyped-def]
            sorted_on.append(threading.current_thread())
            return key(row)

        return sort_key

    model = view.model
    model.columns = tuple(replace(c, sort_key=noting(c.sort_key)) for c in model.columns)
    with qtbot.waitSignal(view.loaded, timeout=10_000):
        view.reload()
    assert sorted_on and threading.main_thread() not in sorted_on
    shown = list(model.rows)
    assert shown == sorted(shown, key=SORT_KEYS["team"], reverse=True) and len(shown) == 30
    teams = [r.team for r in shown]
    listed = [view.team.itemText(i) for i in range(1, view.team.count())]
    assert listed == sorted(set(teams), key=str.casefold)


def test_cases_and_audits_changed_together_load_the_register_once(
    qtbot: QtBot, full_store, settings: Settings, threaded: OperationRunner
) -> None:  # type: ignore[no-untyped-def]
    """A merge says that cases and audits changed, one after the other: the load the first
    starts has not begun to read (here every worker is busy), so it reads both changes,
    and the second does not load 100,000 cases again after it."""
    make_demo(full_store, cases=20, audits=0, seed=6)
    session = Session(full_store, threaded, settings, Changes())
    view = CasesView(session)
    qtbot.add_widget(view)
    with qtbot.waitSignal(view.loaded, timeout=10_000):
        view.reload()
    loads: list[int] = []
    view.loaded.connect(loads.append)
    busy = threading.Event()
    for _ in range(threaded.pool.maxThreadCount()):
        threaded.run(lambda _progress: busy.wait(10), label="other work")
    add_case(full_store, actor=AUDITOR, reference="DEMO-LATE-0001", case_type="child_in_need")
    session.changes.cases_changed.emit()
    session.changes.audits_changed.emit()
    busy.set()
    qtbot.wait_until(lambda: threaded.active == 0, timeout=10_000)
    assert loads == [21]
    assert "DEMO-LATE-0001" in {r.reference for r in view.model.rows}


def test_frameworks_view_shows_wording_and_sources(qtbot: QtBot, session: Session) -> None:
    view = FrameworksView(session)
    qtbot.add_widget(view)
    view.choice.setCurrentIndex(
        view.choice.findText("Improvement Notice", Qt.MatchFlag.MatchContains)
    )
    section = view.tree.topLevelItem(0)
    view.tree.setCurrentItem(section.child(0))
    text = view.details.toPlainText()
    assert "RISK-01" in text and "Source" in text and "notice" in text.lower()


def test_first_run_asks_the_name(qtbot: QtBot) -> None:
    dialog = FirstRunDialog(empty_database=True)
    qtbot.add_widget(dialog)
    dialog.show()
    assert not dialog.ok.isEnabled()
    qtbot.keyClicks(dialog.name, "Ann Auditor")
    assert dialog.ok.isEnabled() and dialog.demo.isVisible() and not dialog.demo.isChecked()


def test_window_remembers_last_view_and_geometry(
    qtbot: QtBot, demo_session: Session, tmp_path: Path
) -> None:
    win = MainWindow(demo_session, open_database=lambda _p: None)
    qtbot.add_widget(win)
    win.show()
    qtbot.wait_exposed(win)
    win.activateWindow()
    qtbot.wait_until(lambda: QApplication.activeWindow() is win)
    win.start()
    qtbot.keyClick(win.nav, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert win.current_view == "actions"
    win.resize(win.width(), 555)  # the offscreen screen is 800 px wide: vary the height
    win.close()
    assert demo_session.settings.get(LAST_VIEW) == "actions"
    again = MainWindow(demo_session, open_database=lambda _p: None)
    qtbot.add_widget(again)
    again.start()
    assert again.current_view == "actions"
    assert again.height() == 555
    assert AUDITOR in again.who.text()


def test_audits_view_returns_a_submitted_audit_with_a_reason(
    qtbot: QtBot, session: Session
) -> None:
    make_demo(session.store, cases=40, audits=40, seed=8)
    view = AuditsView(session)
    qtbot.add_widget(view)
    view.show()
    view.tabs.setCurrentIndex(1)  # Submitted
    assert view.model.rowCount() > 0
    assert {r.status for r in view.model.rows} == {AuditStatus.SUBMITTED}
    view.table.selectRow(0)
    chosen = view.selected()
    assert chosen is not None
    assert view.buttons["moderate"].isEnabled() and not view.buttons["delete"].isEnabled()
    view.buttons["return"].click()
    dialog = next(w for w in QApplication.topLevelWidgets()
                  if isinstance(w, ReasonDialog) and w.isVisible())  # fmt: skip
    assert not dialog.ok.isEnabled()
    qtbot.keyClicks(dialog.text, "Evidence for PLAN-01 is missing.")
    dialog.ok.click()
    assert get_audit(session.store, chosen.uid).status is AuditStatus.DRAFT
    assert chosen.uid not in {r.uid for r in view.model.rows}


def test_dashboard_performance_panel_shows_the_cores_figures(
    qtbot: QtBot, session: Session
) -> None:
    from auditor.figures.performance import performance_report
    from ui.dashboard.performance_panel import panel_figures, row_texts

    make_demo(session.store, cases=60, audits=30, seed=5)
    view = DashboardView(session)
    qtbot.add_widget(view)
    view.resize(1366, 700)
    view.show()
    view.shown()
    for team_index in (0, 1):
        view.team.setCurrentIndex(team_index)
        view.refresh()
        wanted = view.current_filter()
        shown = view.performance.report
        assert shown is not None and shown.team == wanted.team
        core = performance_report(
            session.store, shown.framework, team=wanted.team, date_from=wanted.date_from,
            date_to=wanted.date_to, on=shown.on,
        )  # fmt: skip
        assert shown.to_dict() == core.to_dict() == panel_figures(session.store, wanted).to_dict()
        table = view.performance.table
        assert table.rowCount() == len(core.indicators) == 11
        for row, indicator in enumerate(core.indicators):
            cells = [table.item(row, col).text() for col in range(table.columnCount())]
            assert cells == row_texts(indicator)
        assessment = row_texts(core.indicator("ASSESS-45"))
        assert assessment[1] == f"{core.indicator('ASSESS-45').total.in_scope:,}"
        assert "case list" in view.performance.summary.text()


def test_the_dashboards_compliance_chart_puts_small_samples_last_and_marks_them() -> None:
    """A criterion answered No on its only audit does not head the chart: the criteria on
    enough audits come first, worst first, then the small samples, marked *."""
    from auditor.figures.stats import SMALL_SAMPLE, CriterionFigures
    from ui.dashboard.charts import chart_order, criterion_label

    def criterion(code: str, yes: int, no: int) -> CriterionFigures:
        return CriterionFigures(code, "S", code, (), 90.0, {"yes": yes, "no": no})

    one_no = criterion("ONE-NO", 0, 1)
    worst = criterion("WORST", 5, SMALL_SAMPLE + 5)
    better = criterion("BETTER", SMALL_SAMPLE + 5, 5)
    assert [f.code for f in chart_order([one_no, better, worst])] == ["WORST", "BETTER", "ONE-NO"]
    assert criterion_label(one_no) == "✗ ONE-NO *"
    assert criterion_label(worst) == "✗ WORST"
