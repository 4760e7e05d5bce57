"""Trend: % met for each criterion and % good or better, month by month and at the 6- and
12-month points, coloured against each criterion's target, with line charts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from openpyxl.chart import LineChart, Reference, Series
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break

from auditor.clock import uk_date
from auditor.figures.stats import (
    AMBER_MARGIN,
    SMALL_SAMPLE,
    CriterionFigures,
    Headline,
    Period,
    criterion_figures,
    criterion_figures_by_month,
    first_audit_on,
    headline,
    headlines_by,
    overall_met_percent,
    six_month_points,
    within,
    worst_gaps_first,
)
from auditor.frameworks.crosswalk import Kind, Lineage, trend_lineage
from auditor.reports import styles
from auditor.reports.scope import ReportFigures, ReportScope
from auditor.reports.table import Column, TableWriter

FIRST_CRITERION_ROW = 5  # header, audits, % good or better, % met all criteria, criteria...
CHART_CRITERIA = 5  # criteria furthest below target drawn on the second chart


@dataclass(frozen=True)
class _Column:
    header: str
    headline: Headline
    criteria: list[CriterionFigures]
    is_point: bool = False


def write_trend(wb: Any, scope: ReportScope, figures: ReportFigures) -> None:
    lineage = _lineage(scope)
    columns = [] if scope.empty or scope.framework is None else _columns(scope, lineage)
    table = TableWriter(
        wb,
        "Trend",
        [
            Column("Code", 10),
            Column("Measure", 40),
            Column("Target", 8, styles.PERCENT_WHOLE),
            *(Column(c.header, 14 if c.is_point else 9) for c in columns),
        ],
        table="Trend",
        top_aligned=True,
    )
    if columns:
        _rows(table, scope, columns, lineage)
    ws = table.finish()
    if not columns:
        return
    last = get_column_letter(3 + len(columns))
    styles.against_target_rules(
        ws,
        f"D{FIRST_CRITERION_ROW}:{last}{table.last_row}",
        f"D{FIRST_CRITERION_ROW}",
        f"$C{FIRST_CRITERION_ROW}",
        AMBER_MARGIN / 100.0,
    )
    _notes_and_charts(ws, table, scope, figures, columns, lineage)


def _lineage(scope: ReportScope) -> Lineage | None:
    """The crosswalks behind the report's framework, or None when there are none (then the
    trend matches answers by criterion code, as it always has)."""
    if scope.empty or scope.framework is None:
        return None
    lineage = trend_lineage(scope.store, scope.framework)
    return None if lineage.empty else lineage


def _columns(scope: ReportScope, lineage: Lineage | None) -> list[_Column]:
    assert scope.framework is not None
    store, f, framework = scope.store, scope.audit_filter, scope.framework
    heads = headlines_by(store, f, "month", on=scope.on)
    months = criterion_figures_by_month(store, f, framework, lineage=lineage)
    nothing = [
        CriterionFigures(c.code, c.section, c.text, c.sources, c.target) for c in framework.criteria
    ] + [
        CriterionFigures(r.code, r.section, r.text, r.sources, r.target, retired_by=r.retired_by)
        for r in (lineage.retired if lineage else ())
    ]
    columns = [_Column(_month_label(m), heads[m], months.get(m, nothing)) for m in sorted(heads)]
    if scope.points_start is not None:
        for period in six_month_points(scope.points_start, scope.last_audit):
            narrowed = within(f, period.start, period.end)
            columns.append(
                _Column(
                    point_label(period, scope.points_start),
                    headline(store, narrowed, on=scope.on),
                    criterion_figures(store, narrowed, framework, lineage=lineage),
                    is_point=True,
                )
            )
    return columns


def _month_label(month: str) -> str:
    return date.fromisoformat(f"{month}-01").strftime("%b %Y")


def point_label(period: Period, points_start: date) -> str:
    """What a point's column covers: "12-month point: months 7–12 (Jul–Dec 2026)".

    A point covers the six months up to it, not the months since the start: its label
    says which months of the programme those are, and their names."""
    first = _months_between(points_start, period.start) + 1
    last = _months_between(points_start, period.end) + 1
    if period.start.year == period.end.year:
        names = f"{period.start:%b}–{period.end:%b %Y}"
    else:
        names = f"{period.start:%b %Y}–{period.end:%b %Y}"
    return f"{period.label}: months {first}–{last} ({names})"


def _months_between(start: date, day: date) -> int:
    """Whole months from ``start`` to ``day`` (0 within the first month)."""
    months = (day.year - start.year) * 12 + day.month - start.month
    return months - 1 if day.day < start.day else months


def _rows(
    table: TableWriter, scope: ReportScope, columns: list[_Column], lineage: Lineage | None
) -> None:
    assert scope.framework is not None
    reworded = lineage.reworded() if lineage else {}
    ws = table.ws
    table.append(["AUDITS", "Audits (number)", None, *(c.headline.audits for c in columns)])
    table.append(
        [
            "GRADE",
            "% good or better (final grade)",
            None,
            *(_percent(ws, c.headline.good_or_better_percent, c.headline.graded) for c in columns),
        ]
    )
    table.append(
        [
            "ALL",
            "% met, all criteria",
            None,
            *(
                _percent(ws, overall_met_percent(c.criteria), sum(f.scored for f in c.criteria))
                for c in columns
            ),
        ]
    )
    for index, criterion in enumerate(scope.framework.criteria):
        cells = [c.criteria[index] for c in columns]
        text = criterion.text
        if criterion.code in reworded:
            text += f" [wording changed in version {reworded[criterion.code]}]"
        table.append(
            [
                criterion.code,
                text,
                styles.fraction(criterion.target),
                *(_percent(ws, f.met_percent, f.scored) for f in cells),
            ]
        )
    for index in range(len(scope.framework.criteria), len(columns[0].criteria)):
        retired = columns[0].criteria[index]
        table.append(
            [
                retired.code,
                f"{retired.text} [retired by {retired.retired_by}: its line ends at the change]",
                styles.fraction(retired.target),
                *(_percent(ws, c.criteria[index].met_percent, c.criteria[index].scored)
                  for c in columns),
            ]
        )  # fmt: skip


def _percent(ws: Any, percent: float | None, n: int) -> Any:
    if percent is None:
        return None
    fmt = styles.PERCENT_SMALL_SAMPLE if n < SMALL_SAMPLE else styles.PERCENT
    return styles.cell(ws, styles.fraction(percent), fmt=fmt, alignment=styles.TOP)


def _notes_and_charts(
    ws: Any,
    table: TableWriter,
    scope: ReportScope,
    figures: ReportFigures,
    columns: list[_Column],
    lineage: Lineage | None,
) -> None:
    months = sum(1 for c in columns if not c.is_point)
    ws.row_breaks.append(Break(id=table.last_row + 1))  # the charts print on a page of their own
    ws.append([])
    ws.append([None, styles.cell(ws, _note(scope), font=styles.NOTE_FONT)])
    row = table.last_row + 2
    for line in _change_notes(scope, lineage):
        ws.append([None, styles.cell(ws, line, font=styles.NOTE_FONT)])
        row += 1
    worst = [f for f in worst_gaps_first(figures.criteria) if f.gap > 0][:CHART_CRITERIA]
    targets = sorted({f.target for f in worst if f.target is not None}, reverse=True)
    target_rows: dict[float, int] = {}
    if targets:
        ws.append([])
        ws.append([None, styles.cell(ws, "Targets, drawn on the chart below", font=styles.BOLD)])
        row += 2
        for target in targets:
            row += 1
            target_rows[target] = row
            ws.append(
                [
                    None,
                    f"Target {target:g} %",
                    None,
                    *(
                        styles.cell(ws, target / 100.0, fmt=styles.PERCENT_WHOLE)
                        for _ in range(months)
                    ),
                ]
            )
    anchor = row + 2
    ws.add_chart(_headline_chart(ws, months), f"B{anchor}")
    if worst:
        ws.add_chart(_gaps_chart(ws, scope, worst, target_rows, months), f"B{anchor + 20}")


def _note(scope: ReportScope) -> str:
    note = (
        "* fewer than 10 audits behind the figure. Colour: green at or above the target, "
        "amber up to 10 points below it, red further below."
    )
    if scope.points_start is not None:
        note += (
            " Each 6-month point covers the six months up to it, counted from "
            f"{uk_date(scope.points_start)}."
        )
    return note


def _change_notes(scope: ReportScope, lineage: Lineage | None) -> list[str]:
    """One sentence per crosswalk behind the trend: which version replaced which, from when,
    and which criteria were reworded, merged, new or retired."""
    notes: list[str] = []
    for step in lineage.steps if lineage else ():
        first = first_audit_on(scope.store, scope.audit_filter, step.new_code, step.new_version)
        when = f"its first audit {uk_date(first)}" if first else "no audits on it yet"
        parts = [f"{step.new_text} replaced {step.old_text} ({when})."]
        for kind, words in ((Kind.REWORDED, "Wording changed"), (Kind.NEW, "New")):
            if codes := step.of_kind(kind):
                parts.append(f"{words}: {', '.join(codes)}.")
        merged = [c for c in step.continuations if c.kind is Kind.MERGED]
        if merged:
            parts.append(
                "Merged: "
                + "; ".join(f"{c.criterion} from {', '.join(c.old)}" for c in merged)
                + " (an older audit counts once: met only when every one was met)."
            )
        if step.retired:
            parts.append(f"Retired, their lines end at the change: {', '.join(step.retired)}.")
        notes.append(" ".join(parts))
    if notes:
        notes.insert(0, "Answers on older versions count under the criterion that continues them.")
    return notes


def _line_chart(title: str, ws: Any, months: int) -> LineChart:
    chart = LineChart()
    chart.title = title
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = 1
    chart.y_axis.number_format = "0%"
    chart.y_axis.title = "%"
    chart.width, chart.height = 28, 9
    chart.legend.position = "b"
    styles.show_axes(chart)
    return chart


def _label_months(chart: LineChart, ws: Any, months: int) -> LineChart:
    styles.text_categories(
        chart, Reference(ws, min_col=4, max_col=3 + months, min_row=1, max_row=1)
    )
    return chart


def _series(ws: Any, row: int, months: int, title: str, *, dashed: bool = False) -> Series:
    values = Reference(ws, min_col=4, max_col=3 + months, min_row=row, max_row=row)
    series = Series(values, title=title)
    series.smooth = False
    if dashed:
        series.graphicalProperties.line.dashStyle = "dash"
    else:
        series.marker.symbol = "circle"
    return series


def _headline_chart(ws: Any, months: int) -> LineChart:
    chart = _line_chart("Good or better, and % met over all criteria, by month", ws, months)
    chart.series.append(_series(ws, 3, months, "% good or better"))
    chart.series.append(_series(ws, 4, months, "% met, all criteria"))
    return _label_months(chart, ws, months)


def _gaps_chart(
    ws: Any,
    scope: ReportScope,
    worst: list[CriterionFigures],
    target_rows: dict[float, int],
    months: int,
) -> LineChart:
    assert scope.framework is not None
    codes = [c.code for c in scope.framework.criteria]
    chart = _line_chart("Criteria furthest below target: % met by month", ws, months)
    for f in worst:
        row = FIRST_CRITERION_ROW + codes.index(f.code)
        chart.series.append(_series(ws, row, months, f.code))
    for target, row in target_rows.items():
        chart.series.append(_series(ws, row, months, f"Target {target:g} %", dashed=True))
    return _label_months(chart, ws, months)
