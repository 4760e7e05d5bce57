"""Performance information: the framework's timescales over the whole case list, beside the
audits.

The notices ask for "management information and the audit of the case files" side by side.
The audits are a sample; this module measures every imported case that has the dates, for
every timescale the framework defines, with the one rule that checks a case's dates
(:func:`auditor.audits.timeliness.check_timescale`, working days with bank holidays).
:func:`performance_report` is the one entry point: the report sheet, the dashboard panel
and ``case-auditor performance`` all show what it returns, so the three agree.

How a case is counted (docs/reports.md, "Performance"):

- **In scope**: the timescale applies to the case's type, the case is in the chosen team,
  and the month it counts in lies inside the chosen period. A timescale measured up to a day
  (last visit, last supervision, health assessment: ``end = "audit_date"``) is measured as at
  the day the figures are made (``on``), and a case closed by then is out of its scope.
- **The month a case counts in**: the month the timescale fell due (start date plus the
  limit); for the timescales measured as at a day, the month of that day. A case whose start
  date is missing or unreadable has no due date: it counts only when no period is chosen.
- **Met / not met**: the end date on or before the due date. A case with no end date whose
  due date has passed (as at ``on``, the case still open) is **not met** (overdue); one whose
  due date has not come yet is **not yet due**: neither a success nor a failure, left out
  of the percentage.
- **Not checkable**: a missing or unreadable start date, an unreadable end date, dates out
  of order, or a case closed with no end date. Left out of the percentage, and counted.
- **% met** = met / (met + not met), with its 95 % Wilson interval; the median time taken
  is in the timescale's own unit, over the cases met or not met that have both dates.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from auditor.audits.timeliness import check_timescale, due_date
from auditor.clock import today
from auditor.domain import CaseType
from auditor.figures.stats import (
    AuditFilter,
    CriterionFigures,
    Period,
    audit_date_range,
    criterion_figures,
    rag_status,
    six_month_points,
    wilson_interval,
    within,
)
from auditor.frameworks.model import AUDIT_DATE, Framework, Timescale
from auditor.programmes.records import get_programme
from auditor.store import Store
from auditor.workdays import WorkingCalendar

# The audit criterion about the same thing as a timescale: the one place that links the two
# (the framework's TOML has no field for it). A code the framework does not have is ignored.
SAME_THING = {
    "ASSESS-45": "ASSESS-04",  # assessment within 45 working days / within the statutory timescale
    "CP-VISIT-10": "PLAN-03",  # visits / the child visited regularly
    "CIN-VISIT-4W": "PLAN-03",
    "LAC-VISIT-6W": "PLAN-03",
    "SUPERVISION-1M": "OVER-02",  # supervision / the case discussed in regular supervision
}

MET, NOT_MET, NOT_YET_DUE, NOT_CHECKABLE = "met", "not_met", "not_yet_due", "not_checkable"


@dataclass
class Tally:
    """How the cases in scope of one timescale (in one team, month or point) came out."""

    met: int = 0
    not_met: int = 0
    overdue: int = 0  # of not_met: no end date, past due
    not_yet_due: int = 0
    not_checkable: int = 0
    taken: list[int] = field(default_factory=list, repr=False)

    def add(self, outcome: str, taken: int | None, overdue: bool = False) -> None:
        if outcome == MET:
            self.met += 1
        elif outcome == NOT_MET:
            self.not_met += 1
            self.overdue += overdue
        elif outcome == NOT_YET_DUE:
            self.not_yet_due += 1
        else:
            self.not_checkable += 1
        if taken is not None:
            self.taken.append(taken)

    @property
    def in_scope(self) -> int:
        return self.met + self.not_met + self.not_yet_due + self.not_checkable

    @property
    def checked(self) -> int:
        """Cases behind the percentage: met or not met."""
        return self.met + self.not_met

    @property
    def met_percent(self) -> float | None:
        return None if self.checked == 0 else 100.0 * self.met / self.checked

    @property
    def interval(self) -> tuple[float, float] | None:
        return wilson_interval(self.met, self.checked)

    @property
    def median_taken(self) -> float | None:
        return statistics.median(self.taken) if self.taken else None

    def to_dict(self) -> dict[str, Any]:
        interval = self.interval
        return {
            "in_scope": self.in_scope,
            "met": self.met,
            "not_met": self.not_met,
            "overdue": self.overdue,
            "not_yet_due": self.not_yet_due,
            "not_checkable": self.not_checkable,
            "met_percent": self.met_percent,
            "interval": list(interval) if interval else None,
            "median_taken": self.median_taken,
        }


@dataclass(frozen=True)
class TargetPoint:
    """One figure at a 6-, 12- or 18-month point against its target."""

    period: Period
    percent: float | None
    n: int  # cases (or scored answers) behind the percentage
    target: float | None

    @property
    def gap(self) -> float | None:
        """Points above the target (negative: below it)."""
        if self.percent is None or self.target is None:
            return None
        return self.percent - self.target

    @property
    def met(self) -> bool | None:
        return None if self.gap is None else self.gap >= 0

    @property
    def status(self) -> str | None:
        return rag_status(self.percent, self.target)

    @property
    def verdict(self) -> str:
        return against_target(self.percent, self.target)

    def to_dict(self) -> dict[str, Any]:
        return {
            "point": self.period.label,
            "from": self.period.start.isoformat(),
            "to": self.period.end.isoformat(),
            "percent": self.percent,
            "n": self.n,
            "target": self.target,
            "met": self.met,
            "gap": self.gap,
            "verdict": self.verdict,
        }


@dataclass(frozen=True)
class Indicator:
    """One timescale over the case list, beside the audit criterion about the same thing."""

    timescale: Timescale
    target: float | None
    as_at: bool  # measured as at the report's day (visits, supervision, health assessments)
    total: Tally
    by_team: dict[str, Tally]
    by_month: dict[str, Tally]  # YYYY-MM, oldest first
    points: tuple[TargetPoint, ...]
    criterion: CriterionFigures | None  # the audits' figure for the same thing, if any

    @property
    def code(self) -> str:
        return self.timescale.code

    @property
    def status(self) -> str | None:
        return rag_status(self.total.met_percent, self.target)

    @property
    def verdict(self) -> str:
        return against_target(self.total.met_percent, self.target)

    def to_dict(self) -> dict[str, Any]:
        c = self.criterion
        return {
            "code": self.code,
            "label": self.timescale.label,
            "unit": self.timescale.unit,
            "limit": self.timescale.limit,
            "target": self.target,
            "measured_as_at": self.as_at,
            **self.total.to_dict(),
            "verdict": self.verdict,
            "by_team": {k: v.to_dict() for k, v in self.by_team.items()},
            "by_month": {k: v.to_dict() for k, v in self.by_month.items()},
            "points": [p.to_dict() for p in self.points],
            "audit_criterion": None
            if c is None
            else {
                "code": c.code,
                "text": c.text,
                "met_percent": c.met_percent,
                "scored": c.scored,
                "target": c.target,
            },
        }


@dataclass(frozen=True)
class CriterionPoints:
    """An audit criterion's % met at each point against its target."""

    criterion: CriterionFigures  # over the whole filter
    points: tuple[TargetPoint, ...]

    def to_dict(self) -> dict[str, Any]:
        c = self.criterion
        return {
            "code": c.code,
            "text": c.text,
            "target": c.target,
            "met_percent": c.met_percent,
            "scored": c.scored,
            "points": [p.to_dict() for p in self.points],
        }


@dataclass(frozen=True)
class PerformanceReport:
    framework: Framework | None
    team: str | None
    date_from: date | None
    date_to: date | None
    on: date  # timescales measured up to a day are measured as at this one
    points_start: date | None  # the 6-, 12-, 18-month points count from this day
    cases: int  # cases read (in the team)
    indicators: tuple[Indicator, ...]
    audit: tuple[CriterionPoints, ...]  # every criterion of the framework, in order

    def indicator(self, code: str) -> Indicator:
        return next(i for i in self.indicators if i.code == code)

    @property
    def targets_missed(self) -> list[tuple[str, TargetPoint]]:
        """(code, point) for every indicator or criterion below its target at a point."""
        lines = [(i.code, i.points) for i in self.indicators]
        lines += [(c.criterion.code, c.points) for c in self.audit]
        return [(code, p) for code, points in lines for p in points if p.met is False]

    def to_dict(self) -> dict[str, Any]:
        f = self.framework
        return {
            "framework": None if f is None else {"code": f.code, "version": f.version},
            "team": self.team,
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
            "as_at": self.on.isoformat(),
            "points_start": self.points_start.isoformat() if self.points_start else None,
            "cases": self.cases,
            "indicators": [i.to_dict() for i in self.indicators],
            "audit_criteria": [c.to_dict() for c in self.audit],
        }


def against_target(percent: float | None, target: float | None) -> str:
    """ "Met, 3.5 points above the target", "Not met, 12.0 points below the target"."""
    if target is None:
        return "No target"
    if percent is None:
        return "Nothing to measure"
    gap = percent - target
    if gap >= 0:
        return "Met" if gap == 0 else f"Met, {gap:.1f} points above the target"
    return f"Not met, {-gap:.1f} points below the target"


def measured_as_at(timescale: Timescale) -> bool:
    """Whether the timescale runs up to a day (the audit's, here the report's) rather than
    between two case dates: "visited within the last 10 working days"."""
    return AUDIT_DATE in (timescale.start, timescale.end)


def usual_target(framework: Framework) -> float | None:
    """The framework's usual target (the one most criteria carry): for a timescale with no
    criterion about the same thing."""
    targets = Counter(c.target for c in framework.criteria if c.target is not None)
    return targets.most_common(1)[0][0] if targets else None


def performance_report(
    store: Store,
    framework: Framework | None,
    *,
    team: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    programme_uid: str | None = None,
    points_start: date | None = None,
    on: date | None = None,
    calendar: WorkingCalendar | None = None,
) -> PerformanceReport:
    """Every timescale of ``framework`` over the case list, with the audit figures beside
    them and both at the 6-, 12- and 18-month points (run it off the GUI thread).

    ``points_start``: default the programme's start, else ``date_from``, else the first
    audit's month, else the first month a case counts in. ``on``: default today.
    """
    on = on or today()
    programme = get_programme(store, programme_uid) if programme_uid else None
    audit_filter = AuditFilter(
        programme_uid=programme_uid,
        team=team,
        date_from=date_from,
        date_to=date_to,
        framework_code=framework.code if framework else None,
    )
    timescales = framework.timescales if framework else ()
    cases, outcomes = _case_outcomes(store, timescales, team, on, calendar)
    outcomes = {
        code: [o for o in rows if _in_period(o[1], date_from, date_to)]
        for code, rows in outcomes.items()
    }
    if points_start is None:
        points_start = programme.period_start if programme else None
    if points_start is None:
        points_start = date_from
    if points_start is None:
        span = audit_date_range(store, audit_filter)
        placed = [o[1] for rows in outcomes.values() for o in rows if o[1] is not None]
        first = span[0] if span else min(placed, default=None)
        points_start = first.replace(day=1) if first else None
    periods = six_month_points(points_start, date_to or on) if points_start else ()
    criteria = criterion_figures(store, audit_filter, framework) if framework else []
    by_code = {c.code: c for c in criteria}
    usual = usual_target(framework) if framework else None
    indicators = []
    for t in timescales:
        linked = by_code.get(SAME_THING.get(t.code, ""))
        target = linked.target if linked and linked.target is not None else usual
        indicators.append(_indicator(t, target, linked, outcomes[t.code], periods))
    return PerformanceReport(
        framework=framework,
        team=team,
        date_from=date_from,
        date_to=date_to,
        on=on,
        points_start=points_start,
        cases=cases,
        indicators=tuple(indicators),
        audit=_audit_points(store, audit_filter, framework, criteria, periods),
    )


# One case's outcome for one timescale: (team, the day it counts on, outcome, taken, overdue)
_Outcome = tuple[str, date | None, str, int | None, bool]


def _case_outcomes(
    store: Store,
    timescales: Iterable[Timescale],
    team: str | None,
    on: date,
    calendar: WorkingCalendar | None,
) -> tuple[int, dict[str, list[_Outcome]]]:
    """Every case's outcome for every timescale that applies to it, from one plain read of
    the columns the timescales use (no query per case)."""
    timescales = tuple(timescales)
    fields = sorted({n for t in timescales for n in (t.start, t.end) if n != AUDIT_DATE})
    columns = ", ".join(["team", "case_type", "closed_date", *fields])
    where, params = (" WHERE team = ?", [team]) if team else ("", [])
    rows = store.execute(f"SELECT {columns} FROM cases{where}", params).fetchall()
    by_type = {kind.value: [t for t in timescales if kind in t.applies_to] for kind in CaseType}
    outcomes: dict[str, list[_Outcome]] = {t.code: [] for t in timescales}
    parsed: dict[str, date | str] = {}  # the same dates recur across thousands of cases

    def read(raw: str | None) -> date | str | None:
        if raw is None or raw == "":
            return None
        value = parsed.get(raw)
        if value is None:
            try:
                value = date.fromisoformat(raw)
            except ValueError:
                value = raw  # left for check_timescale to report as not a date
            parsed[raw] = value
        return value

    # An outcome depends only on the timescale, its two dates and whether the case is closed:
    # many cases share them, so each combination is checked once (10 s → 1 s for 100,000).
    known: dict[tuple[Any, ...], tuple[date | None, str, int | None, bool]] = {}
    for row in rows:
        case_team, case_type, closed_raw = row[0], row[1], row[2]
        dates = {name: read(raw) for name, raw in zip(fields, row[3:], strict=True)}
        closed = read(closed_raw)
        closed_by_then = isinstance(closed, date) and closed <= on
        for t in by_type.get(case_type, ()):
            as_at = measured_as_at(t)
            if as_at and closed_by_then:
                continue  # a closed case is not visited or supervised any more
            key = (t.code, dates.get(t.start), dates.get(t.end), closed_by_then)
            outcome = known.get(key)
            if outcome is None:
                outcome = _outcome(t, dates, on, closed_by_then, as_at, calendar)
                known[key] = outcome
            outcomes[t.code].append((case_team, *outcome))
    return len(rows), outcomes


def _outcome(
    t: Timescale,
    dates: Mapping[str, date | str | None],
    on: date,
    closed: bool,
    as_at: bool,
    calendar: WorkingCalendar | None,
) -> tuple[date | None, str, int | None, bool]:
    """(the day the case counts on, outcome, time taken, overdue) for one timescale."""
    check = check_timescale(t, dates, audit_date=on, calendar=calendar)
    start = check.start_date
    due = check.due_date or (due_date(t, start, calendar=calendar) if start else None)
    counts_on = on if as_at else due
    if check.met is not None:
        return counts_on, MET if check.met else NOT_MET, check.taken, False
    if start is not None and check.end_date is None and dates.get(t.end) is None and not closed:
        assert due is not None
        if due < on:
            return counts_on, NOT_MET, None, True  # still open, past its due date
        return counts_on, NOT_YET_DUE, None, False
    return counts_on, NOT_CHECKABLE, None, False


def _in_period(day: date | None, start: date | None, end: date | None) -> bool:
    if start is None and end is None:
        return True
    if day is None:
        return False  # no due date: it cannot be placed in a period
    return (start is None or day >= start) and (end is None or day <= end)


def _indicator(
    t: Timescale,
    target: float | None,
    criterion: CriterionFigures | None,
    outcomes: list[_Outcome],
    periods: Iterable[Period],
) -> Indicator:
    total = Tally()
    by_team: dict[str, Tally] = defaultdict(Tally)
    by_month: dict[str, Tally] = defaultdict(Tally)
    periods = tuple(periods)
    at_points = [Tally() for _ in periods]
    for case_team, day, outcome, taken, overdue in outcomes:
        month = f"{day.year:04d}-{day.month:02d}" if day else ""
        for tally in (total, by_team[case_team], by_month[month]):
            tally.add(outcome, taken, overdue)
        if day is not None:
            for period, tally in zip(periods, at_points, strict=True):
                if period.start <= day <= period.end:
                    tally.add(outcome, taken, overdue)
    points = [
        TargetPoint(period, tally.met_percent, tally.checked, target)
        for period, tally in zip(periods, at_points, strict=True)
    ]
    return Indicator(
        timescale=t,
        target=target,
        as_at=measured_as_at(t),
        total=total,
        by_team=dict(sorted(by_team.items())),
        by_month={m: by_month[m] for m in sorted(by_month) if m},  # unplaced: in total only
        points=tuple(points),
        criterion=criterion,
    )


def _audit_points(
    store: Store,
    audit_filter: AuditFilter,
    framework: Framework | None,
    criteria: list[CriterionFigures],
    periods: Iterable[Period],
) -> tuple[CriterionPoints, ...]:
    """Each criterion's % met (the audits' compliance, from stats.py) at each point."""
    if framework is None:
        return ()
    at_points = [
        (p, criterion_figures(store, within(audit_filter, p.start, p.end), framework))
        for p in periods
    ]
    return tuple(
        CriterionPoints(
            c,
            tuple(
                TargetPoint(p, figs[i].met_percent, figs[i].scored, c.target)
                for p, figs in at_points
            ),
        )
        for i, c in enumerate(criteria)
    )
