"""Trend: % met for each criterion and % good or better, month by month and at the 6- and
12-month points, coloured against each criterion's target, with line charts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from openpyxl.chart import BarChart, LineChart, Reference, Series
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break

from auditor.clock import uk_date
from auditor.figures.stats import (
    AMBER_MARGIN,
    SMALL_SAMPLE,
    CriterionFigures,
    Headline,
    Period,
    criteria_below_target,
    criterion_figures,
    criterion_figures_by_month,
    first_audit_on,
    headline,
    headlines_by,
    overall_met_percent,
    six_month_points,
    within,
)
from auditor.frameworks.crosswalk import Kind, Lineage, trend_lineage
from auditor.reports import styles
from auditor.reports.scope import ReportFigures, ReportScope
from auditor.reports.table import Column, TableWriter
from auditor.words import plural

FIRST_CRITERION_ROW = 5  # header, audits, % good or better, % met all criteria, criteria...
CHART_CRITERIA = 8  # criteria furthest below target drawn on the second chart


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
    row = table.last_row + 1
    for line in [*_notes(scope), *_change_notes(scope, lineage)]:
        ws.append([None, styles.cell(ws, line, font=styles.NOTE_FONT)])
        row += 1
    ranked = criteria_below_target(figures.criteria)
    charted = [f for f in ranked if not f.small_sample][:CHART_CRITERIA]
    first_bar = 0
    if charted:
        ws.append([])
        ws.append([None, styles.cell(ws, below_target_title(scope), font=styles.BOLD)])
        ws.row_dimensions[row + 3].height = 2 * styles.LINE_HEIGHT  # "95 % CI from" wraps
        ws.append([None, *(styles.header_cell(ws, h) for h in BELOW_TARGET_HEADERS)])
        row += 3
        first_bar = row + 1
        for f in charted:
            ws.append([None, *_below_target_cells(ws, f)])
            row += 1
    small = [f for f in ranked if f.small_sample]
    if small:
        ws.append([None, styles.cell(ws, small_samples_note(small), font=styles.NOTE_FONT)])
        row += 1
    anchor = row + 2
    ws.add_chart(_headline_chart(ws, months), f"B{anchor}")
    if charted:
        ws.add_chart(_below_target_chart(ws, scope, first_bar, len(charted)), f"B{anchor + 20}")


BELOW_TARGET_HEADERS = ("Criterion", "% met", "Target", "95 % CI from", "95 % CI to", "Audits")


def below_target_title(scope: ReportScope) -> str:
    return (
        f"Criteria furthest below target, {uk_date(scope.first_audit)} to "
        f"{uk_date(scope.last_audit)} (all months pooled, {SMALL_SAMPLE} or more audits)"
    )


def _below_target_cells(ws: Any, f: CriterionFigures) -> list[Any]:
    low, high = f.interval or (None, None)
    return [
        f.code,
        *(
            styles.cell(ws, styles.fraction(p), fmt=styles.PERCENT)
            for p in (f.met_percent, f.target, low, high)
        ),
        f.scored,
    ]


def small_samples_note(small: list[CriterionFigures]) -> str:
    """The criteria below target on too few audits to rank, named so they are not lost."""
    named = "; ".join(
        f"{f.code} ({plural(f.scored, 'audit')}, {f.met_percent:.0f} % met)" for f in small
    )
    return f"Also below target, on fewer than {SMALL_SAMPLE} audits (not charted): {named}."


def _notes(scope: ReportScope) -> list[str]:
    """The notes under the table, a line each (a line longer than the page is cut)."""
    notes = [
        f"* fewer than {SMALL_SAMPLE} audits behind the figure. Colour: green at or above the "
        "target, amber up to 10 points below it, red further below."
    ]
    if scope.points_start is not None:
        notes.append(
            "Each 6-month point covers the six months up to it, counted from "
            f"{uk_date(scope.points_start)}."
        )
    return notes


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


def _below_target_chart(ws: Any, scope: ReportScope, first_row: int, count: int) -> BarChart:
    """% met and target side by side for the criteria furthest below target, pooled over
    the whole period: a month's figure rests on too few audits to rank on."""
    chart = BarChart()
    chart.type = "bar"  # horizontal: the criteria's codes read across
    chart.title = "Criteria furthest below target (all months pooled)"
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = 1
    chart.y_axis.number_format = "0%"
    chart.x_axis.scaling.orientation = "maxMin"  # the worst at the top
    chart.width, chart.height = 28, 9
    chart.legend.position = "b"
    styles.show_axes(chart)
    last = first_row + count - 1
    for column in (3, 4):  # % met, target
        values = Reference(ws, min_col=column, min_row=first_row - 1, max_row=last)
        chart.add_data(values, titles_from_data=True)
    styles.text_categories(chart, Reference(ws, min_col=2, min_row=first_row, max_row=last))
    return chart
