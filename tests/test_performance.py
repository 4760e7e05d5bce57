"""Timeliness across the whole case list: every indicator recomputed here from the case dates,
by hand for a crafted list around bank holidays and by an independent count (day by day,
holidays from the holidays library) for a random one, for several filters; and the report
sheet and the command's JSON show what the core computes."""

from __future__ import annotations

import json
import random
import statistics
from calendar import monthrange
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import holidays
import pytest
from openpyxl import load_workbook

from auditor.cases.records import add_case
from auditor.cli import main
from auditor.domain import CaseType
from auditor.figures.performance import (
    SAME_THING,
    PerformanceReport,
    Tally,
    performance_report,
)
from auditor.figures.stats import AuditFilter, wilson_interval
from auditor.frameworks.library import ensure_builtin_frameworks, get_framework
from auditor.frameworks.model import AUDIT_DATE, Framework, Timescale
from auditor.reports import export_report
from auditor.store import Store

ON = date(2026, 6, 30)
NORTH, SOUTH = "Demo Team North", "Demo Team South"


@pytest.fixture
def built_in(db_path: Path) -> Iterator[Store]:
    with Store.open(db_path) as s:
        ensure_builtin_frameworks(s)
        yield s


def _framework(store: Store) -> Framework:
    return get_framework(store, "IN-CFA")


def _add(store: Store, ref: str, team: str, kind: str = "child_in_need", **dates: str) -> None:
    add_case(store, actor="Test", reference=ref, case_type=kind, team=team, **dates)


# Easter 2026: Good Friday 3 April and Easter Monday 6 April; 25 May the spring bank holiday;
# 25 December a Friday, so Boxing Day's substitute is Monday 28 December.
CRAFTED = [
    ("DEMO-A", NORTH, {"referral_date": "2026-04-02", "assessment_start": "2026-04-07",
                       "assessment_end": "2026-06-10"}),  # 1 working day; 45 exactly
    ("DEMO-B", NORTH, {"referral_date": "2026-04-02", "assessment_start": "2026-04-08",
                       "assessment_end": "2026-06-11"}),  # 2 working days; 46
    ("DEMO-C", NORTH, {"referral_date": "2026-05-22", "assessment_start": "2026-05-26"}),
    ("DEMO-D", SOUTH, {"referral_date": "2026-12-24", "assessment_start": "2026-12-29"}),
    ("DEMO-E", SOUTH, {"referral_date": "2026-04-02"}),  # nothing since: overdue
    ("DEMO-F", NORTH, {"assessment_start": "2026-04-08"}),  # no referral date
    ("DEMO-G", NORTH, {"referral_date": "2026-06-10", "assessment_start": "2026-06-05"}),
    ("DEMO-H", NORTH, {"referral_date": "2026-06-29"}),  # due on 30 June: not yet due
]  # fmt: skip


@pytest.fixture
def crafted(built_in: Store) -> Store:
    for ref, team, dates in CRAFTED:
        _add(built_in, ref, team, **dates)
    return built_in


def _counts(t: Tally) -> tuple[int, int, int, int, int, int]:
    return (t.in_scope, t.met, t.not_met, t.overdue, t.not_yet_due, t.not_checkable)


def test_referral_and_assessment_counted_by_hand_around_bank_holidays(crafted: Store) -> None:
    report = performance_report(crafted, _framework(crafted), on=ON)
    referral = report.indicator("REFERRAL-1")
    # met: A (Thu 2 Apr → Tue 7 Apr is 1 working day over Easter), C (over the spring bank
    # holiday), D (over Christmas and the substitute Boxing Day); not met: B, E (overdue);
    # not yet due: H; not checkable: F (no referral), G (dates out of order).
    assert _counts(referral.total) == (8, 3, 2, 1, 1, 2)
    assert referral.total.met_percent == 60.0
    assert referral.total.interval == wilson_interval(3, 5)
    assert referral.total.median_taken == 1
    assert _counts(referral.by_team[NORTH]) == (6, 2, 1, 0, 1, 2)
    assert _counts(referral.by_team[SOUTH]) == (2, 1, 1, 1, 0, 0)
    assert {m: t.in_scope for m, t in referral.by_month.items()} == {
        "2026-04": 3,
        "2026-05": 1,
        "2026-06": 2,
        "2026-12": 1,
    }  # fmt: skip
    assessment = report.indicator("ASSESS-45")
    # 45 working days from 2 April 2026 end on 10 June: A met (45), B not (46), E overdue.
    assert _counts(assessment.total) == (8, 1, 2, 1, 4, 1)
    assert assessment.total.median_taken == 45.5
    assert _counts(assessment.by_month["2026-06"]) == (3, 1, 2, 1, 0, 0)
    assert assessment.target == 90.0 and assessment.criterion is not None
    assert assessment.criterion.code == SAME_THING["ASSESS-45"] == "ASSESS-04"


def test_the_team_and_the_period_filter_the_cases(crafted: Store) -> None:
    north = performance_report(crafted, _framework(crafted), team=NORTH, on=ON)
    assert _counts(north.indicator("REFERRAL-1").total) == (6, 2, 1, 0, 1, 2)
    assert north.cases == 6
    april = performance_report(
        crafted, _framework(crafted), date_from=date(2026, 4, 1), date_to=date(2026, 4, 30), on=ON
    )
    # Due in April: A, B and E (due 7 April); F, with no referral date, cannot be placed.
    assert _counts(april.indicator("REFERRAL-1").total) == (3, 1, 2, 1, 0, 0)
    assert april.indicator("ASSESS-45").total.in_scope == 0


def test_targets_at_the_points_say_met_or_by_how_much(crafted: Store) -> None:
    report = performance_report(
        crafted, _framework(crafted), points_start=date(2026, 1, 1), on=date(2027, 1, 15)
    )
    points = report.indicator("REFERRAL-1").points
    assert [p.period.label for p in points] == ["6-month point", "12-month point",
                                                "18-month point"]  # fmt: skip
    first, second, _ = points
    # Due January to June: A met, B not, C met, E not met (overdue), H not met by 15 Jan 2027.
    assert (first.percent, first.n) == (40.0, 5)
    assert first.met is False and first.verdict == "Not met, 50.0 points below the target"
    assert (second.percent, second.verdict) == (100.0, "Met, 10.0 points above the target")
    assert ("REFERRAL-1", first) in report.targets_missed


# ---------------------------------------------------------------------------------------
# An independent computation: day by day, bank holidays straight from the holidays library


def _holidays(year: int) -> set[date]:
    return set(holidays.country_holidays("GB", subdiv="ENG", years=range(year - 1, year + 2)))


HOLIDAYS = _holidays(2025) | _holidays(2027)


def _working(d: date) -> bool:
    return d.weekday() < 5 and d not in HOLIDAYS


def _plus_months(d: date, n: int) -> date:
    y, m = divmod(d.month - 1 + n, 12)
    return date(d.year + y, m + 1, min(d.day, monthrange(d.year + y, m + 1)[1]))


def _due_and_taken(t: Timescale, start: date, end: date | None) -> tuple[date, int | None]:
    if t.unit == "working_days":
        due, left = start, t.limit
        while left:
            due += timedelta(days=1)
            left -= _working(due)
        taken = None if end is None else sum(
            _working(start + timedelta(days=k)) for k in range(1, (end - start).days + 1)
        )  # fmt: skip
        return due, taken
    if t.unit == "days":
        return start + timedelta(days=t.limit), None if end is None else (end - start).days
    if t.unit == "weeks":
        return start + timedelta(weeks=t.limit), None if end is None else (end - start).days // 7
    months = 0
    while end is not None and _plus_months(start, months + 1) <= end:
        months += 1
    return _plus_months(start, t.limit), None if end is None else months


def _expected(
    cases: list[dict[str, Any]], t: Timescale, on: date, team: str | None,
    date_from: date | None, date_to: date | None,
) -> dict[str, Any]:  # fmt: skip
    """What the docs say, counted here: outcome per case, then the tallies."""
    rows = []
    for c in cases:
        if CaseType(c["case_type"]) not in t.applies_to or (team and c["team"] != team):
            continue
        closed = c.get("closed_date") is not None and c["closed_date"] <= on
        as_at = AUDIT_DATE in (t.start, t.end)
        if as_at and closed:
            continue
        start = on if t.start == AUDIT_DATE else c.get(t.start)
        end = on if t.end == AUDIT_DATE else c.get(t.end)
        due = _due_and_taken(t, start, None)[0] if start else None
        if start and end and end >= start:
            due, taken = _due_and_taken(t, start, end)
            outcome, overdue = ("met" if end <= due else "not_met"), False
        elif start and end is None and not closed:
            assert due is not None
            taken, overdue = None, due < on
            outcome = "not_met" if overdue else "not_yet_due"
        else:
            outcome, taken, overdue = "not_checkable", None, False
        day = on if as_at else due
        if (date_from or date_to) and (
            day is None or (date_from and day < date_from) or (date_to and day > date_to)
        ):
            continue
        rows.append((c["team"], day, outcome, taken, overdue))

    def tally(selected: list[tuple[Any, ...]]) -> dict[str, Any]:
        n = defaultdict(int)
        for _, _, outcome, _, overdue in selected:
            n[outcome] += 1
            n["overdue"] += overdue
        taken = [r[3] for r in selected if r[3] is not None]
        checked = n["met"] + n["not_met"]
        return {
            "in_scope": len(selected), "met": n["met"], "not_met": n["not_met"],
            "overdue": n["overdue"], "not_yet_due": n["not_yet_due"],
            "not_checkable": n["not_checkable"],
            "met_percent": 100 * n["met"] / checked if checked else None,
            "median_taken": statistics.median(taken) if taken else None,
        }  # fmt: skip

    months = sorted({r[1].isoformat()[:7] for r in rows if r[1]})
    teams = sorted({r[0] for r in rows})
    month_of = {r: r[1].isoformat()[:7] if r[1] else "" for r in rows}
    return {
        "total": tally(rows),
        "by_team": {tm: tally([r for r in rows if r[0] == tm]) for tm in teams},
        "by_month": {m: tally([r for r in rows if month_of[r] == m]) for m in months},
    }


def _random_cases(rng: random.Random, n: int) -> list[dict[str, Any]]:
    fields = ["referral_date", "assessment_start", "assessment_end", "strategy_discussion_date",
              "initial_conference_date", "core_group_first_date", "review_conference_date",
              "looked_after_start", "first_lac_review_date", "health_assessment_date",
              "last_visit", "last_supervision"]  # fmt: skip
    cases = []
    for i in range(n):
        base = date(2025, 11, 1) + timedelta(days=rng.randint(0, 420))
        c: dict[str, Any] = {
            "reference": f"DEMO-R{i:04d}",
            "case_type": rng.choice(["child_in_need", "child_protection", "looked_after"]),
            "team": rng.choice([NORTH, SOUTH, "Demo Team East"]),
        }
        for name in fields:
            if rng.random() < 0.8:  # some dates missing, some before the one they follow
                c[name] = base + timedelta(days=rng.randint(-5, 90))
        if rng.random() < 0.15:
            c["closed_date"] = base + timedelta(days=rng.randint(0, 200))
        cases.append(c)
    return cases


FILTERS = [
    {},
    {"team": SOUTH},
    {"date_from": date(2026, 2, 1), "date_to": date(2026, 5, 31)},
    {"team": NORTH, "date_from": date(2026, 3, 1)},
]


@pytest.mark.parametrize("chosen", FILTERS, ids=["all", "team", "period", "team-from"])
def test_every_indicator_agrees_with_an_independent_count(
    built_in: Store, chosen: dict[str, Any]
) -> None:
    cases = _random_cases(random.Random(18), 160)
    for c in cases:
        dates = {k: v.isoformat() for k, v in c.items() if isinstance(v, date)}
        _add(built_in, c["reference"], c["team"], c["case_type"], **dates)
    framework = _framework(built_in)
    report = performance_report(built_in, framework, on=ON, **chosen)
    assert len(report.indicators) == len(framework.timescales) == 11
    seen = 0
    for t in framework.timescales:
        expected = _expected(cases, t, ON, chosen.get("team"), chosen.get("date_from"),
                             chosen.get("date_to"))  # fmt: skip
        got = report.indicator(t.code)
        assert _plain(got.total) == expected["total"], t.code
        assert {k: _plain(v) for k, v in got.by_team.items()} == expected["by_team"], t.code
        assert {k: _plain(v) for k, v in got.by_month.items()} == expected["by_month"], t.code
        seen += expected["total"]["met"] + expected["total"]["not_met"]
    assert seen > 30  # the random list exercises the rules, not only their edges


def _plain(t: Tally) -> dict[str, Any]:
    d = t.to_dict()
    del d["interval"]
    return d


# ---------------------------------------------------------------------------------------
# The faces show the core's figures


def _report_json(report: PerformanceReport) -> Any:
    return json.loads(json.dumps(report.to_dict(), default=str))


def test_the_command_prints_the_cores_figures(
    crafted: Store, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    april = {"date_from": date(2026, 4, 1), "date_to": date(2026, 4, 30)}
    for args, chosen in (
        ([], {}),
        (["--team", NORTH], {"team": NORTH}),
        (["--from", "01/04/2026", "--to", "30/04/2026"], april),
    ):
        assert main(["performance", "--db", str(db_path), "--json", *args]) == 0
        printed = json.loads(capsys.readouterr().out)
        assert printed == _report_json(performance_report(crafted, _framework(crafted), **chosen))
    assert main(["performance", "--db", str(db_path)]) == 0
    text = capsys.readouterr().out
    assert "ASSESS-45: Assessment completed within 45 working days" in text
    assert "Audits (ASSESS-04)" in text and "Traceback" not in text


def test_the_command_refuses_an_unknown_team(
    crafted: Store, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["performance", "--db", str(db_path), "--team", "Nowhere"]) == 2
    assert "no team called 'Nowhere'" in capsys.readouterr().err


def test_the_report_sheet_shows_the_cores_figures(crafted: Store, tmp_path: Path) -> None:
    for chosen in ({}, {"team": NORTH}, {"date_from": date(2026, 4, 1)}):
        out = tmp_path / "report.xlsx"
        export_report(crafted, out, audit_filter=AuditFilter(**chosen), on=ON)
        ws = load_workbook(out)["Performance"]
        rows = list(ws.iter_rows(values_only=True))
        header = rows[0]
        assert ws.page_setup.orientation == "landscape" and ws.print_title_rows == "$1:$1"
        assert ws.page_setup.fitToWidth == 1
        core = performance_report(crafted, _framework(crafted), on=ON, **chosen)
        whole = {r[0]: dict(zip(header, r, strict=True)) for r in rows if r[2] == "All"}
        assert list(whole) == [i.code for i in core.indicators]
        for i in core.indicators:
            line, t = whole[i.code], i.total
            assert (line["In scope"], line["Met"], line["Not met"], line["Not yet due"],
                    line["Not checkable"]) == (t.in_scope, t.met, t.not_met, t.not_yet_due,
                                               t.not_checkable)  # fmt: skip
            assert line["% met"] == (
                None if t.met_percent is None else pytest.approx(t.met_percent / 100)
            )
            assert line["Against target"] == i.verdict
        teams = {r[3] for r in rows if r[0] == "REFERRAL-1" and r[2] == "Team"}
        assert teams == set(core.indicator("REFERRAL-1").by_team)
