"""Summary: what was audited, the headline figures, the grades and a chart of them."""

from __future__ import annotations

from typing import Any

from openpyxl.chart import BarChart, Reference
from openpyxl.chart.marker import DataPoint

from auditor import __version__
from auditor.clock import uk_date, uk_time
from auditor.domain import Grade
from auditor.figures.stats import SMALL_SAMPLE, overall_met_percent, wilson_interval
from auditor.reports import styles
from auditor.reports.layout import Lines
from auditor.reports.scope import ReportFigures, ReportScope
from auditor.reports.table import NO_AUDITS

WIDTHS = (52, 14, 14, 40)


def write_summary(wb: Any, scope: ReportScope, figures: ReportFigures) -> None:
    ws = wb.create_sheet("Summary")
    styles.set_up_sheet(ws, WIDTHS)
    ws.page_setup.orientation = "portrait"
    lines = Lines(ws, WIDTHS)
    title = "Case audit report"
    if scope.framework is not None:
        title += f": {scope.framework.title}"
    lines.add(styles.cell(ws, title, font=styles.TITLE_FONT))
    made = uk_time(scope.made_at)
    lines.add(styles.cell(ws, f"Made {made} by Case Auditor {__version__}", font=styles.NOTE_FONT))
    _what_was_audited(lines, scope, figures)
    if scope.empty:
        lines.add()
        lines.add(styles.cell(ws, NO_AUDITS, font=styles.WARNING_FONT))
        return
    _headline(lines, scope, figures)
    _grades(lines, figures)


def _what_was_audited(lines: Lines, scope: ReportScope, figures: ReportFigures) -> None:
    lines.heading("What was audited")
    for label, value in scope.filter_lines():
        lines.pair(label, value)
    if scope.first_audit and scope.last_audit:
        lines.pair("First audit", scope.first_audit, fmt=styles.DATE)
        lines.pair("Last audit", scope.last_audit, fmt=styles.DATE)
    lines.pair("Framework", scope.framework_text)
    lines.pair("Audits", scope.audits)
    lines.pair("Auditors", figures.headline.auditors)
    lines.pair(
        "Case references",
        "Pseudonymised (the same case has the same pseudonym in every export from this "
        "database); worker and action-owner names left out"
        if scope.pseudonymised
        else "As recorded",
    )


def _headline(lines: Lines, scope: ReportScope, figures: ReportFigures) -> None:
    h, ws = figures.headline, lines.ws
    lines.heading("Headline figures")
    small = h.graded < SMALL_SAMPLE
    fmt = styles.PERCENT_SMALL_SAMPLE if small else styles.PERCENT
    interval = wilson_interval(h.good_or_better, h.graded)
    lines.pair(
        "Good or better (final grade)",
        styles.fraction(h.good_or_better_percent),
        "fewer than 10 graded audits: read with care" if small else None,
        fmt=fmt,
    )
    if interval:
        lines.add(
            "  95 % confidence interval (Wilson)",
            styles.cell(
                ws, styles.fraction(interval[0]), fmt=styles.PERCENT, alignment=styles.LEFT
            ),
            styles.cell(
                ws, styles.fraction(interval[1]), fmt=styles.PERCENT, alignment=styles.LEFT
            ),
        )
    lines.pair(
        "% met, all criteria (Yes ÷ answers other than N/A)",
        styles.fraction(overall_met_percent(figures.criteria)),
        fmt=styles.PERCENT,
    )
    statuses = [f.status for f in figures.criteria]
    for status, label in (
        ("green", "Criteria at or above target (green)"),
        ("amber", "Criteria up to 10 points below target (amber)"),
        ("red", "Criteria more than 10 points below target (red)"),
    ):
        lines.pair(label, statuses.count(status))
    lines.pair("Immediate safeguarding concerns", h.safeguarding_concerns)
    lines.pair("Open actions", h.open_actions)
    lines.pair(f"Overdue actions (open, due before {uk_date(scope.on)})", h.overdue_actions)
    _agreement(lines, figures)


def _agreement(lines: Lines, figures: ReportFigures) -> None:
    a = figures.agreement
    lines.pair("Moderated audits", a.moderated_audits)
    lines.pair("Moderations that changed the grade", a.grade_changed)
    lines.pair("Blind double audits", a.double_audits)
    lines.pair(
        f"Grade agreement ({a.grade.pairs} pairs of judgements)",
        styles.fraction(a.grade.percent),
        fmt=styles.PERCENT,
    )
    lines.pair("  Cohen's kappa (agreement beyond chance)", a.grade.kappa, fmt=styles.KAPPA)


def _grades(lines: Lines, figures: ReportFigures) -> None:
    h, ws = figures.headline, lines.ws
    lines.heading("Grades (final grade)")
    header = lines.add(*(styles.header_cell(ws, t) for t in ("Grade", "Audits", "% of graded")))
    for grade in Grade:
        share = None if h.graded == 0 else 100.0 * h.grades[grade] / h.graded
        lines.add(
            grade.label,
            h.grades[grade],
            styles.cell(ws, styles.fraction(share), fmt=styles.PERCENT),
        )
    lines.add(styles.cell(ws, "Graded audits", font=styles.BOLD), h.graded)
    lines.add()
    chart = BarChart()
    chart.type = "col"
    chart.title = "Audits by final grade"
    chart.y_axis.title = "Audits"
    chart.y_axis.majorGridlines = None
    chart.legend = None
    styles.show_axes(chart)
    chart.add_data(
        Reference(ws, min_col=2, min_row=header, max_row=header + 4), titles_from_data=True
    )
    styles.text_categories(chart, Reference(ws, min_col=1, min_row=header + 1, max_row=header + 4))
    series = chart.series[0]
    for index, colour in enumerate(styles.GRADE_COLOURS):
        point = DataPoint(idx=index)
        point.graphicalProperties.solidFill = colour
        series.dPt.append(point)
    chart.width, chart.height = 16, 8
    ws.add_chart(chart, f"A{lines.row + 1}")
