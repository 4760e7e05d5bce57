"""The dashboard's figures: the monthly trend and the one-call bundle."""

from __future__ import annotations

from datetime import date

from auditor.audits.records import record_answer, start_audit, update_audit
from auditor.audits.workflow import submit_audit
from auditor.cases.records import add_case
from auditor.domain import Grade
from auditor.figures.dashboard import MonthPoint, dashboard_figures, monthly_trend
from auditor.figures.stats import AuditFilter
from auditor.frameworks.model import Framework
from auditor.store import Store

ME = "Test Auditor"


def _audit(store: Store, ref: str, team: str, day: date, answers: dict[str, str], grade: str):  # type: ignore[no-untyped-def]
    case = add_case(store, actor=ME, reference=ref, case_type="child_in_need", team=team)
    uid = start_audit(store, case_uid=case.uid, auditor=ME, framework_code="MINI", audit_date=day)
    for code, value in answers.items():
        record_answer(store, uid, code, value=value, evidence="Seen.", actor=ME)
    update_audit(store, uid, actor=ME, final_grade=grade, grade_reason="Judgement.")
    submit_audit(store, uid, actor=ME)


def test_monthly_trend_counts_grades_and_answers_met(store: Store, mini: Framework) -> None:
    _audit(store, "A", "North", date(2026, 1, 5), {"R-1": "yes", "R-2": "yes", "V-1": "no"},
           "good")  # fmt: skip
    _audit(store, "B", "South", date(2026, 1, 20), {"R-1": "yes", "R-2": "na", "V-1": "yes"},
           "outstanding")  # fmt: skip
    _audit(store, "C", "North", date(2026, 2, 3), {"R-1": "no", "R-2": "partly", "V-1": "no"},
           "inadequate")  # fmt: skip
    trend = monthly_trend(store, AuditFilter(), mini)
    assert trend == [
        MonthPoint("2026-01", 2, 100.0, 80.0),  # 4 Yes of 5 scored (the N/A left out)
        MonthPoint("2026-02", 1, 0.0, 0.0),
    ]
    assert trend[0].label == "Jan 2026"
    north = monthly_trend(store, AuditFilter(team="North"), mini)
    assert [(p.month, p.audits) for p in north] == [("2026-01", 1), ("2026-02", 1)]


def test_dashboard_figures_for_a_filter(store: Store) -> None:
    _audit(store, "A", "North", date(2026, 1, 5), {"R-1": "yes", "R-2": "yes", "V-1": "no"},
           "good")  # fmt: skip
    figures = dashboard_figures(store, AuditFilter(framework_code="MINI"))
    assert figures.framework is not None and figures.framework.code == "MINI"
    assert figures.headline.audits == 1 and figures.headline.grades[Grade.GOOD] == 1
    assert [c.code for c in figures.criteria] == ["R-1", "R-2", "V-1", "V-2"]
    assert figures.criteria[2].met_percent == 0.0
    assert len(figures.trend) == 1
    assert figures.agreement.moderated_audits == 0
    empty = dashboard_figures(store, AuditFilter(framework_code="MINI", team="Nowhere"))
    assert empty.headline.audits == 0 and empty.trend == []
