"""Performance: every timescale over the whole case list (not only the audited cases), by
team, by month and at the 6-, 12- and 18-month points against target, with the audit
criterion about the same thing beside it; then each audit criterion at the points.

The figures are :func:`auditor.figures.performance.performance_report`'s, the ones the
dashboard's panel and ``case-auditor performance`` show.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from auditor.clock import uk_date
from auditor.figures.dashboard import dashboard_framework
from auditor.figures.performance import (
    CriterionPoints,
    Indicator,
    PerformanceReport,
    Tally,
    TargetPoint,
    against_target,
)
from auditor.figures.stats import AMBER_MARGIN
from auditor.reports import styles
from auditor.reports.scope import ReportFigures, ReportScope, case_list_performance
from auditor.reports.table import Column, TableWriter

COLUMNS = (
    Column("Code", 13),
    Column("Measure", 30, wrap=True),
    Column("Breakdown", 11),
    Column("Group", 18, wrap=True),
    Column("In scope", 8),
    Column("Met", 7),
    Column("Not met", 7),
    Column("Overdue, no end date", 9),
    Column("Not yet due", 7),
    Column("Not checkable", 9),
    Column("Behind the %", 8),
    Column("% met", 8, styles.PERCENT),
    Column("95 % CI from", 8, styles.PERCENT),
    Column("95 % CI to", 8, styles.PERCENT),
    Column("Median taken", 8, "0.#"),
    Column("Unit", 11),
    Column("Target", 7, styles.PERCENT_WHOLE),
    Column("Against target", 20, wrap=True),
    Column("Audit criterion", 11),
    Column("Audits % met", 8, styles.PERCENT),
    Column("Audits scored", 8),
)
ALL, TEAM, MONTH, POINT, AUDIT_POINT = "All", "Team", "Month", "Point", "Audit point"
# What a printed page says, at its top: only the whole-list rows print.
PRINT_NOTE = (
    "Printed: the whole case list and the 6-month points; teams, months and audit criteria "
    "on screen (filter Breakdown)"
)


def write_performance(wb: Any, scope: ReportScope, figures: ReportFigures) -> None:
    f = scope.audit_filter
    # With no audits chosen the report names no framework: the case list is still measured,
    # against the framework the dashboard and the command would use.
    framework = scope.framework or dashboard_framework(scope.store, f)
    report = case_list_performance(scope, framework)
    table = TableWriter(wb, "Performance", COLUMNS, table="Performance", top_aligned=True)
    rows = [row for indicator in report.indicators for row in indicator_rows(indicator)]
    # The whole case list and the 6-month points of every indicator come first: they are
    # what prints (a page or two); teams, months and the audit criteria at each point
    # follow, read filtered on screen (by Breakdown), as the Evidence sheet is.
    printed = [row for row in rows if row[2] in (ALL, POINT)]
    for row in printed:
        table.append(row)
    for row in rows:
        if row[2] not in (ALL, POINT):
            table.append(row)
    for line in report.audit:
        for row in _audit_rows(line):
            table.append(row)
    ws = table.finish(empty="The framework has no timescales to measure.")
    if printed:
        ws.print_area = f"A1:{table.letter(COLUMNS[-1].header)}{len(printed) + 1}"
        ws.oddHeader.center.text = PRINT_NOTE
    styles.against_target_rules(
        ws,
        table.column_range("% met"),
        f"{table.letter('% met')}2",
        f"${table.letter('Target')}2",
        AMBER_MARGIN / 100.0,
    )
    ws.append([])
    for note in _notes(report):
        ws.append([None, styles.cell(ws, note, font=styles.NOTE_FONT)])


def indicator_rows(i: Indicator) -> list[list[Any]]:
    """The indicator over all cases in scope, then by team, by month and at each point."""
    label = i.timescale.label
    c = i.criterion
    audit = [c.code, styles.fraction(c.met_percent), c.scored] if c else [None, None, None]
    rows = [[i.code, label, ALL, "All cases in scope", *_tally(i, i.total), *audit]]
    rows += [
        [i.code, label, TEAM, team or "(no team)", *_tally(i, t), None, None, None]
        for team, t in i.by_team.items()
    ]
    rows += [
        [i.code, label, MONTH, _month(m), *_tally(i, t), None, None, None]
        for m, t in i.by_month.items()
    ]
    rows += [_point_row(i.code, label, POINT, p) for p in i.points]
    return rows


def _tally(i: Indicator, t: Tally) -> list[Any]:
    low, high = t.interval or (None, None)
    return [
        t.in_scope,
        t.met,
        t.not_met,
        t.overdue,
        t.not_yet_due,
        t.not_checkable,
        t.checked,
        styles.fraction(t.met_percent),
        styles.fraction(low),
        styles.fraction(high),
        t.median_taken,
        i.timescale.unit.replace("_", " "),
        styles.fraction(i.target),
        against_target(t.met_percent, i.target),
    ]


def _percent(p: TargetPoint) -> list[Any]:
    return [styles.fraction(p.percent), None, None]


def _audit_rows(line: CriterionPoints) -> list[list[Any]]:
    c = line.criterion
    return [_point_row(c.code, c.text, AUDIT_POINT, p) for p in line.points]


def _point_row(code: str, label: str, breakdown: str, p: TargetPoint) -> list[Any]:
    """A 6-month point of an indicator or an audit criterion: how many behind the %, the %,
    the target and the verdict; the case-list counts stay empty."""
    return [
        code, label, breakdown, _point(p), *([None] * 6), p.n, *_percent(p), None, None,
        styles.fraction(p.target), p.verdict, None, None, None,
    ]  # fmt: skip


def _month(month: str) -> str:
    """ "2026-03" → "Mar 2026", as the Trend sheet names months."""
    return date.fromisoformat(f"{month}-01").strftime("%b %Y")


def _point(p: TargetPoint) -> str:
    return f"{p.period.label} ({uk_date(p.period.start)} to {uk_date(p.period.end)})"


def _notes(report: PerformanceReport) -> list[str]:
    notes = [
        "Every imported case counts, not only the audited ones. A case counts in the month "
        "its timescale fell due; visits, supervision and health assessments are measured as "
        f"at {uk_date(report.on)} over the cases open then. % met = met / (met + not met): "
        "not yet due and not checkable (a date missing, unreadable or out of order) are left "
        "out. Working days leave out weekends and England and Wales bank holidays.",
        "The team and the period filter the cases too (by the month they count in); the "
        "auditor and case-type filters apply to the audits only.",
    ]
    if report.points_start is not None:
        notes.append(
            "Each 6-month point covers the six months up to it, counted from "
            f"{uk_date(report.points_start)}."
        )
    return notes
