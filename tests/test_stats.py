"""Figures for the dashboard and reports, checked against hand-counted data."""

from __future__ import annotations

from datetime import date

import pytest

from auditor.audits.actions import add_action
from auditor.audits.records import record_answer, start_audit, update_audit
from auditor.audits.workflow import submit_audit
from auditor.cases.records import add_case
from auditor.domain import Grade
from auditor.figures.stats import (
    AuditFilter,
    Period,
    add_months,
    audit_date_range,
    criterion_figures,
    criterion_figures_by,
    criterion_figures_by_month,
    headline,
    headlines_by,
    overall_met_percent,
    rag_status,
    six_month_points,
    wilson_interval,
    within,
    worst_gaps_first,
)
from auditor.frameworks.model import Framework
from auditor.store import Store

ME = "Test Auditor"


def _audit(
    store: Store,
    ref: str,
    team: str,
    day: date,
    answers: dict[str, str],
    grade: str,
    *,
    submit: bool = True,
    action_due: date | None = None,
) -> str:
    case = add_case(store, actor=ME, reference=ref, case_type="child_in_need", team=team)
    uid = start_audit(store, case_uid=case.uid, auditor=ME, framework_code="MINI", audit_date=day)
    for code, value in answers.items():
        record_answer(store, uid, code, value=value, evidence="Seen.", actor=ME)
    update_audit(store, uid, actor=ME, final_grade=grade, grade_reason="Judgement.")
    if action_due:
        add_action(store, uid, actor=ME, text="Update the plan", due_date=action_due)
    if submit:
        submit_audit(store, uid, actor=ME)
    return uid


@pytest.fixture
def audited(store: Store) -> Store:
    _audit(
        store,
        "S-1",
        "North",
        date(2026, 1, 10),
        {"R-1": "yes", "R-2": "yes", "V-1": "no"},
        "good",
        action_due=date(2026, 1, 20),
    )
    _audit(
        store,
        "S-2",
        "North",
        date(2026, 2, 3),
        {"R-1": "yes", "R-2": "na", "V-1": "yes"},
        "outstanding",
    )
    _audit(
        store,
        "S-3",
        "South",
        date(2026, 2, 9),
        {"R-1": "no", "R-2": "partly", "V-1": "yes"},
        "requires_improvement",
        action_due=date(2026, 3, 30),
    )
    _audit(
        store,
        "S-4",
        "South",
        date(2026, 2, 9),
        {"R-1": "yes", "R-2": "yes", "V-1": "yes"},
        "outstanding",
        submit=False,
    )  # a draft: never counted
    return store


def test_criterion_counts_exclude_drafts_and_na(audited: Store, mini: Framework) -> None:
    figures = {f.code: f for f in criterion_figures(audited, AuditFilter(), mini)}
    r1, r2, v1 = figures["R-1"], figures["R-2"], figures["V-1"]
    assert (r1.met, r1.scored, r1.met_percent) == (2, 3, pytest.approx(200 / 3))
    assert (r2.counts, r2.applied, r2.scored, r2.met_percent) == (
        {"yes": 1, "na": 1, "partly": 1},
        3,
        2,
        50.0,
    )
    assert v1.met_percent == pytest.approx(200 / 3)
    assert figures["V-2"].met_percent is None and figures["V-2"].status is None
    assert r1.status == "red"  # 66.7 % against a 90 % target
    assert r1.small_sample


def test_filters_by_team_and_dates(audited: Store, mini: Framework) -> None:
    north = {f.code: f for f in criterion_figures(audited, AuditFilter(team="North"), mini)}
    assert north["R-1"].scored == 2
    february = AuditFilter(date_from=date(2026, 2, 1), date_to=date(2026, 2, 28))
    assert headline(audited, february).audits == 2
    assert headline(audited, AuditFilter(team="Nowhere")).audits == 0


def test_headline_grades_concerns_and_actions(audited: Store) -> None:
    h = headline(audited, AuditFilter(), on=date(2026, 3, 1))
    assert h.audits == 3
    assert h.grades == {
        Grade.OUTSTANDING: 1,
        Grade.GOOD: 1,
        Grade.REQUIRES_IMPROVEMENT: 1,
        Grade.INADEQUATE: 0,
    }
    assert h.good_or_better_percent == pytest.approx(200 / 3)
    assert (h.open_actions, h.overdue_actions) == (2, 1)


def test_headlines_by_team_and_month(audited: Store) -> None:
    by_team = headlines_by(audited, AuditFilter(), "team")
    assert {k: v.audits for k, v in by_team.items()} == {"North": 2, "South": 1}
    by_month = headlines_by(audited, AuditFilter(), "month")
    assert {k: v.audits for k, v in by_month.items()} == {"2026-01": 1, "2026-02": 2}


def test_monthly_criterion_figures(audited: Store, mini: Framework) -> None:
    months = criterion_figures_by_month(audited, AuditFilter(), mini)
    assert list(months) == ["2026-01", "2026-02"]
    january = {f.code: f for f in months["2026-01"]}
    assert january["V-1"].met_percent == 0


def test_criterion_figures_by_team(audited: Store, mini: Framework) -> None:
    by_team = criterion_figures_by(audited, AuditFilter(), mini, "team")
    assert list(by_team) == ["North", "South"]
    south = {f.code: f for f in by_team["South"]}
    assert (south["R-1"].met, south["R-1"].scored) == (0, 1)  # the South draft is not counted
    assert overall_met_percent(by_team["North"]) == pytest.approx(400 / 5)


def test_worst_gaps_first(audited: Store, mini: Framework) -> None:
    order = [f.code for f in worst_gaps_first(criterion_figures(audited, AuditFilter(), mini))]
    # 50 % vs 80 % target (gap 30); R-1: 66.7 % vs 90 % (gap 23.3); no target last.
    assert order == ["R-2", "R-1", "V-1", "V-2"]


def test_wilson_interval_matches_published_values() -> None:
    low, high = wilson_interval(8, 10)  # type: ignore[misc]
    assert (round(low, 1), round(high, 1)) == (49.0, 94.3)
    assert wilson_interval(0, 0) is None
    low, high = wilson_interval(10, 10)  # type: ignore[misc]
    assert high == 100.0 and round(low, 1) == 72.2


@pytest.mark.parametrize(
    ("percent", "target", "status"),
    [
        (95, 90, "green"),
        (90, 90, "green"),
        (85, 90, "amber"),
        (80, 90, "amber"),
        (79.9, 90, "red"),
        (50, None, None),
        (None, 90, None),
    ],
)
def test_rag_status(percent: float | None, target: float | None, status: str | None) -> None:
    assert rag_status(percent, target) == status


def test_overall_met_percent_counts_every_scored_answer(audited: Store, mini: Framework) -> None:
    figures = criterion_figures(audited, AuditFilter(), mini)
    # Yes: R-1 2, R-2 1, V-1 2 = 5; scored: 3 + 2 + 3 = 8 (R-2's N/A left out).
    assert overall_met_percent(figures) == pytest.approx(500 / 8)
    assert overall_met_percent([]) is None


def test_add_months_keeps_the_day_or_takes_the_months_last() -> None:
    assert add_months(date(2026, 1, 15), 6) == date(2026, 7, 15)
    assert add_months(date(2025, 8, 31), 6) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 1), 2) == date(2027, 1, 1)


def test_six_month_points_cover_six_months_each() -> None:
    points = six_month_points(date(2026, 1, 1))
    assert points == (
        Period("6-month point", date(2026, 1, 1), date(2026, 6, 30)),
        Period("12-month point", date(2026, 7, 1), date(2026, 12, 31)),
    )
    later = six_month_points(date(2026, 1, 1), last=date(2027, 1, 1))
    assert [p.label for p in later] == ["6-month point", "12-month point", "18-month point"]


def test_within_narrows_the_filter_dates(audited: Store) -> None:
    february = within(AuditFilter(), date(2026, 2, 1), date(2026, 2, 28))
    assert headline(audited, february).audits == 2
    narrowed = within(AuditFilter(date_from=date(2026, 2, 5)), date(2026, 2, 1), date(2026, 2, 28))
    assert (narrowed.date_from, narrowed.date_to) == (date(2026, 2, 5), date(2026, 2, 28))
    assert headline(audited, narrowed).audits == 1


def test_audit_date_range(audited: Store) -> None:
    assert audit_date_range(audited, AuditFilter()) == (date(2026, 1, 10), date(2026, 2, 9))
    assert audit_date_range(audited, AuditFilter(team="Nowhere")) is None
