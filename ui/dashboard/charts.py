"""The dashboard's charts, drawn with QtCharts (Qt's own chart module, same Qt release).

Every chart carries its numbers as text (bar and point labels, "✗ below target" in the
criterion names), so colour is never the only signal.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QHorizontalBarSeries,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QColor, QFont, QPen

from auditor.domain import GRADE_LABELS, Grade
from auditor.figures.dashboard import MonthPoint
from auditor.figures.stats import (
    SMALL_MARK,
    SMALL_SAMPLE,
    CriterionFigures,
    Headline,
    worst_gaps_first,
)

BLUE = QColor("#1a5fb4")
GREY = QColor("#8a9099")
GREEN = QColor("#1d6b34")
DARK = QColor("#1d2025")


def _chart(title: str) -> QChart:
    chart = QChart()
    chart.setTitle(title)
    font = QFont(chart.titleFont())
    font.setBold(True)
    chart.setTitleFont(font)
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    chart.setMargins(QMargins(4, 4, 4, 4))
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    return chart


def _percent_axis(title: str = "") -> QValueAxis:
    axis = QValueAxis()
    axis.setRange(0, 100)
    axis.setTickCount(6)
    axis.setLabelFormat("%d %%")
    if title:
        axis.setTitleText(title)
    return axis


def grade_chart(headline: Headline) -> QChart:
    """How many audits got each final grade, best at the top, counts beside the bars."""
    chart = _chart(f"Final grades ({headline.graded} graded audits)")
    bars = QBarSet("Audits")
    bars.setColor(BLUE)
    bars.setLabelColor(DARK)
    grades = list(reversed(Grade))  # horizontal bars draw bottom-up
    for grade in grades:
        bars.append(headline.grades.get(grade, 0))
    series = QHorizontalBarSeries()
    series.append(bars)
    series.setLabelsVisible(True)
    series.setLabelsPosition(QHorizontalBarSeries.LabelsPosition.LabelsOutsideEnd)
    series.setLabelsFormat("@value")
    chart.addSeries(series)
    categories = QBarCategoryAxis()
    categories.append([GRADE_LABELS[g] for g in grades])
    chart.addAxis(categories, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(categories)
    counts = QValueAxis()
    counts.setRange(0, max([1, *headline.grades.values()]) * 1.15)
    counts.applyNiceNumbers()
    counts.setLabelFormat("%d")
    counts.setTitleText("Audits")
    chart.addAxis(counts, Qt.AlignmentFlag.AlignBottom)
    series.attachAxis(counts)
    chart.legend().hide()
    return chart


REWORDED_MARK = "†"  # the criterion's wording changed in a newer version (a crosswalk)
CHANGE_MARK = "◆"  # the month the first audit on a newer version was made


def criterion_label(figure: CriterionFigures, reworded: Collection[str] = ()) -> str:
    """The criterion's code with its verdict against target in words/symbols, and † when its
    wording changed in a newer version."""
    code = f"{figure.code} {REWORDED_MARK}" if figure.code in reworded else figure.code
    if figure.met_percent is None:
        return f"{code} (no answers)"
    if figure.small_sample:
        code += f" {SMALL_MARK}"
    if figure.target is None:
        return code
    return f"{'✓' if figure.met_percent >= figure.target else '✗'} {code}"


def chart_order(figures: list[CriterionFigures]) -> list[CriterionFigures]:
    """Worst first among the criteria resting on enough audits; small samples after them
    (still worst first), so one or two audits at 0 % do not head the chart."""
    return sorted(worst_gaps_first(figures), key=lambda f: f.small_sample)


def criteria_chart(figures: Sequence[CriterionFigures], reworded: Collection[str] = ()) -> QChart:
    """% met per criterion beside its target, worst first (horizontal bars, values shown);
    criteria on fewer than SMALL_SAMPLE audits last, marked (stats.criteria_below_target's
    rule: one or two audits swing a figure from 0 % to 100 %)."""
    title = "Compliance per criterion against its target (✗ below target"
    if any(f.small_sample for f in figures):
        title += f"; {SMALL_MARK} fewer than {SMALL_SAMPLE} audits, last"
    title += f"; {REWORDED_MARK} wording changed)" if reworded else ")"
    chart = _chart(title)
    met, target = QBarSet("% met"), QBarSet("Target")
    met.setColor(BLUE)
    target.setColor(GREY)
    for bar_set in (met, target):
        bar_set.setLabelColor(DARK)
    shown = list(reversed(figures))  # horizontal bars draw bottom-up: worst at the top
    for figure in shown:
        met.append(round(figure.met_percent or 0.0))
        target.append(figure.target or 0.0)
    series = QHorizontalBarSeries()
    series.append(met)
    series.append(target)
    series.setLabelsVisible(True)
    series.setLabelsPosition(QHorizontalBarSeries.LabelsPosition.LabelsOutsideEnd)
    series.setLabelsFormat("@value %")
    chart.addSeries(series)
    names = QBarCategoryAxis()
    names.append([criterion_label(f, reworded) for f in shown])
    chart.addAxis(names, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(names)
    values = _percent_axis()
    values.setRange(0, 110)
    values.setTickCount(12)
    chart.addAxis(values, Qt.AlignmentFlag.AlignBottom)
    series.attachAxis(values)
    return chart


def trend_chart(points: Sequence[MonthPoint], changes: Collection[str] = ()) -> QChart:
    """% good or better and % answers met, month by month (points labelled with values);
    a month in ``changes`` (YYYY-MM) is marked ◆: a newer framework version starts there."""
    chart = _chart(f"Monthly trend ({CHANGE_MARK} new framework version)" if changes else
                   "Monthly trend")  # fmt: skip
    lines = (
        ("% graded Good or better", BLUE, [p.good_or_better_percent for p in points]),
        ("% answers met", GREEN, [p.met_percent for p in points]),
    )
    months = QBarCategoryAxis()
    if len(points) <= 12:  # month names are unique within a year: the years go in the title
        months.append([_marked(p.month_name, p, changes) for p in points] or ["–"])
        if points:
            months.setTitleText(f"{points[0].label} to {points[-1].label}")
    else:
        months.append([_marked(p.short_label, p, changes) for p in points])
        months.setLabelsAngle(-60)
    chart.addAxis(months, Qt.AlignmentFlag.AlignBottom)
    percent = _percent_axis()
    chart.addAxis(percent, Qt.AlignmentFlag.AlignLeft)
    for name, colour, values in lines:
        series = QLineSeries()
        series.setName(name)
        series.setPen(QPen(colour, 2.5))
        series.setPointsVisible(True)
        series.setPointLabelsVisible(True)
        series.setPointLabelsFormat("@yPoint %")
        series.setPointLabelsClipping(False)
        for x, value in enumerate(values):
            if value is not None:
                series.append(x, round(value))
        chart.addSeries(series)
        series.attachAxis(months)
        series.attachAxis(percent)
    return chart


def _marked(label: str, point: MonthPoint, changes: Collection[str]) -> str:
    return f"{CHANGE_MARK} {label}" if point.month in changes else label
