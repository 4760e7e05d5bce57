"""The board pack's charts, drawn as vector graphics (reportlab.graphics), each with its
numbers written on it so that it reads in black and white and without the table beside it."""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import LineLegend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors

from auditor.domain import Grade
from auditor.figures.stats import SMALL_MARK, CriterionFigures, Headline
from auditor.reports.board_pack.figures import TrendPoint
from auditor.reports.styles import GRADE_COLOURS

WIDTH = 480  # points: the text width of an A4 page with 2 cm margins, less a little
FONT = "Helvetica"
MET = colors.HexColor("#1F4E79")
SECOND = colors.HexColor("#C55A11")
TARGET = colors.HexColor("#7F7F7F")
SHORT_GRADE = {
    Grade.OUTSTANDING: "Outstanding",
    Grade.GOOD: "Good",
    Grade.REQUIRES_IMPROVEMENT: "Requires improvement",
    Grade.INADEQUATE: "Inadequate",
}


def _title(drawing: Drawing, text: str) -> None:
    drawing.add(String(0, drawing.height - 12, text, fontName="Helvetica-Bold", fontSize=10))


def grades_chart(head: Headline) -> Drawing:
    """Audits by final grade, one coloured column a grade, the count above each."""
    drawing = Drawing(WIDTH, 170)
    _title(drawing, "Audits by final grade")
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 40, 25, WIDTH - 60, 115
    chart.data = [[head.grades[g] for g in Grade]]
    chart.categoryAxis.categoryNames = [SHORT_GRADE[g] for g in Grade]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 8
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = max(1, *chart.data[0]) * 1.15
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 8
    chart.valueAxis.labelTextFormat = "%d"
    chart.barLabelFormat = "%d"
    chart.barLabels.nudge = 7
    chart.barLabels.fontName = FONT
    chart.barLabels.fontSize = 8
    for index, colour in enumerate(GRADE_COLOURS):
        chart.bars[(0, index)].fillColor = colors.HexColor(f"#{colour}")
    chart.bars.strokeColor = None
    drawing.add(chart)
    return drawing


def criteria_chart(figures: Sequence[CriterionFigures]) -> Drawing:
    """% met beside its target for each criterion given (worst first, top down)."""
    rows = list(reversed(figures))  # reportlab draws the first category at the bottom
    height = 40 + 22 * len(rows)
    drawing = Drawing(WIDTH, height + 20)
    _title(drawing, "% met (dark) against target (grey), criteria furthest below target")
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 70, 20, WIDTH - 110, height - 20
    chart.data = [[f.target or 0.0 for f in rows], [f.met_percent or 0.0 for f in rows]]
    chart.categoryAxis.categoryNames = [f.code for f in rows]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 8
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 20
    chart.valueAxis.labelTextFormat = "%d %%"
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 8
    chart.bars[0].fillColor = colors.HexColor("#D9D9D9")
    chart.bars[1].fillColor = MET
    chart.bars.strokeColor = None
    chart.barLabelFormat = "%.0f %%"
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    chart.barLabels.fontName = FONT
    chart.barLabels.fontSize = 7
    drawing.add(chart)
    return drawing


def trend_chart(
    months: Sequence[TrendPoint],
    targets: Sequence[float],
    good_or_better_target: float | None = None,
) -> Drawing:
    """% good or better and % met (all criteria) month by month, criteria targets dashed
    grey, the target for % good or better (if set) dashed in its line's colour.
    A month resting on fewer than SMALL_SAMPLE audits carries the small-sample mark."""
    drawing = Drawing(WIDTH, 210)
    _title(drawing, "By month: % good or better and % met over all criteria")
    chart = HorizontalLineChart()
    chart.x, chart.y, chart.width, chart.height = 40, 50, WIDTH - 60, 130
    series: list[list[float | None]] = [
        [m.good_or_better_percent for m in months],
        [m.met_percent for m in months],
    ]
    series += [[t] * len(months) for t in targets]
    if good_or_better_target is not None:
        series.append([good_or_better_target] * len(months))
    chart.data = series
    chart.categoryAxis.categoryNames = [
        m.label.replace(" 20", " ") + (SMALL_MARK if m.small_sample else "") for m in months
    ]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.angle = 30 if len(months) > 8 else 0
    chart.categoryAxis.labels.boxAnchor = "ne" if len(months) > 8 else "n"
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 20
    chart.valueAxis.labelTextFormat = "%d %%"
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 8
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.HexColor("#E0E0E0")
    chart.joinedLines = True
    palette = [MET, SECOND] + [TARGET] * len(targets)
    if good_or_better_target is not None:
        palette.append(MET)
    for index, colour in enumerate(palette):
        chart.lines[index].strokeColor = colour
        chart.lines[index].strokeWidth = 1.5 if index < 2 else 1
        if index >= 2:
            chart.lines[index].strokeDashArray = (4, 3)
    drawing.add(chart)
    legend = LineLegend()
    legend.x, legend.y = 40, 8
    legend.fontName, legend.fontSize = FONT, 8
    legend.columnMaximum = 1
    legend.colorNamePairs = [
        (MET, "% good or better"),
        (SECOND, "% met, all criteria"),
        *((TARGET, f"Target {t:g} %") for t in targets),
        *(
            [(MET, f"Good or better target {good_or_better_target:g} %")]
            if good_or_better_target is not None
            else []
        ),
    ]
    if len(legend.colorNamePairs) > 3:  # two rows, or the names run into each other
        legend.columnMaximum, legend.y, legend.deltay = 2, 17, 10
    legend.deltax = 140
    drawing.add(legend)
    return drawing
