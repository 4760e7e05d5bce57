"""The board pack's pages: each page is one function from the figures to what it shows,
listed in :data:`PAGES`; adding a page is adding a function to that list.

Every page carries the programme, the period, the day the pack was made and "Page x of y"
(:class:`_Canvas` holds the pages back until the last is drawn, so it knows y).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from auditor import __version__
from auditor.audits.timeliness import time_taken_text
from auditor.clock import uk_date
from auditor.domain import Grade
from auditor.figures.agreement import AgreementReport, Kappa
from auditor.figures.performance import Indicator, PerformanceReport, TargetPoint
from auditor.figures.stats import (
    AMBER_MARGIN,
    SMALL_MARK,
    SMALL_SAMPLE,
    CriterionFigures,
    rag_status,
)
from auditor.reports.board_pack import charts
from auditor.reports.board_pack.figures import BoardPackFigures, TrendPoint
from auditor.words import plural

MARGIN = 2 * cm
RANKED_SHOWN = 10  # criteria below target listed: a board reads the worst, the workbook has all
NO_AUDITS = (
    "No audits match these filters: nothing was submitted, moderated or made final for this "
    "selection, so this pack has no figures. Change the filters to report on other audits."
)
SMALL_NOTE = (
    f"{SMALL_MARK} fewer than {SMALL_SAMPLE} audits behind the figure: it can swing widely "
    "from one month to the next."
)

_base = getSampleStyleSheet()
TITLE = ParagraphStyle("title", parent=_base["Title"], fontName="Helvetica-Bold", fontSize=18,
                       alignment=0, spaceAfter=6)  # fmt: skip
HEADING = ParagraphStyle("heading", parent=_base["Heading2"], fontName="Helvetica-Bold",
                         fontSize=13, spaceBefore=10, spaceAfter=4,
                         keepWithNext=1)  # fmt: skip  # never a heading alone at a page's foot
BODY = ParagraphStyle("body", parent=_base["BodyText"], fontName="Helvetica", fontSize=9.5,
                      leading=12.5)  # fmt: skip
CELL = ParagraphStyle("cell", parent=BODY, fontSize=8.5, leading=10.5)
NOTE = ParagraphStyle("note", parent=BODY, fontSize=8, leading=10, textColor=colors.grey)
WARNING = ParagraphStyle("warning", parent=BODY, fontName="Helvetica-Bold", fontSize=11,
                         leading=14, textColor=colors.HexColor("#9C0006"))  # fmt: skip
STATUS_COLOURS = {"green": "#C6EFCE", "amber": "#FFEB9C", "red": "#FFC7CE"}
GRID = TableStyle(
    [
        ("FONT", (0, 0), (-1, -1), "Helvetica", 8.5),
        ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8.5),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DDEBF7")),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#A6A6A6")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
    ]
)

Page = Callable[[BoardPackFigures], list[Flowable]]


# -- words for figures ----------------------------------------------------------------------


def percent(value: float | None, n: int | None = None) -> str:
    """ "72 %", with the small-sample mark when ``n`` is under SMALL_SAMPLE; "–" for none."""
    if value is None:
        return "–"
    mark = SMALL_MARK if n is not None and n < SMALL_SAMPLE else ""
    return f"{value:.0f} %{mark}"


def interval(bounds: tuple[float, float] | None) -> str:
    return "–" if bounds is None else f"{bounds[0]:.0f}–{bounds[1]:.0f} %"


def kappa(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


NO_GOOD_OR_BETTER_TARGET = (
    "No target set for % good or better: set one in the framework's Grading tab"
)


def against(value: float | None, target: float, n: int | None = None) -> str:
    """ "Met: 82 % against a target of 80 %" / "Below target by 13 points: 67 %* against
    a target of 80 %"; the gap from the figures as shown (whole percentages)."""
    if value is None:
        return f"Nothing to measure against the target of {percent(target)}"
    shown = f"{percent(value, n)} against a target of {percent(target)}"
    gap = round(target) - round(value)
    if gap <= 0:
        return f"Met: {shown}"
    return f"Below target by {plural(gap, 'point')}: {shown}"


def good_or_better_against_target(figures: BoardPackFigures) -> str:
    h, target = figures.headline, figures.good_or_better_target
    if target is None:
        return NO_GOOD_OR_BETTER_TARGET
    return against(h.good_or_better_percent, target, h.graded)


def _p(text: str, style: ParagraphStyle = BODY) -> Paragraph:
    return Paragraph(text, style)


def _cell(text: str) -> Paragraph:
    return Paragraph(escape(text), CELL)


def _table(rows: Sequence[Sequence[Any]], widths: Sequence[float],
           extra: Sequence[tuple[Any, ...]] = ()) -> Table:  # fmt: skip
    table = Table([list(r) for r in rows], colWidths=list(widths), repeatRows=1, hAlign="LEFT")
    table.setStyle(GRID)
    if extra:
        table.setStyle(TableStyle(list(extra)))
    return table


def _pairs(rows: Sequence[tuple[str, str]]) -> Table:
    table = Table([[_cell(a), _cell(b)] for a, b in rows], colWidths=[6.5 * cm, 10.5 * cm],
                  hAlign="LEFT")  # fmt: skip
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                               ("TOPPADDING", (0, 0), (-1, -1), 1)]))  # fmt: skip
    return table


# -- the pages ------------------------------------------------------------------------------


def what_was_audited(figures: BoardPackFigures) -> list[Flowable]:
    h = figures.headline
    story: list[Flowable] = [
        _p("Case audit board pack", TITLE),
        _p(escape(figures.framework), NOTE),
        _p("What was audited, and when", HEADING),
        _pairs(
            [
                ("Programme", figures.programme),
                ("Period (audit dates)", figures.period),
                *((k, v) for k, v in figures.filters if k not in {"Programme"}),
                ("Audits", f"{figures.audits:,}"),
                ("Cases", f"{figures.cases:,}"),
                ("Auditors", f"{h.auditors:,}"),
            ]
        ),
    ]
    if figures.empty:
        return [*story, Spacer(1, 12), _p(NO_AUDITS, WARNING)]
    return [*story, *_headline(figures)]


def _headline(figures: BoardPackFigures) -> list[Flowable]:
    h = figures.headline
    total = len([f for f in figures.criteria if f.status is not None])
    rows = [
        ("% good or better (final grade)",
         f"{percent(h.good_or_better_percent, h.graded)} of {plural(h.graded, 'graded audit')} "
         f"(95 % interval {interval(figures.good_or_better_interval)})"),
        ("Target for % good or better", good_or_better_against_target(figures)),
        ("% met, all criteria", percent(figures.met_percent)),
        ("Criteria at or above target",
         f"{figures.status_count('green')} of {total} "
         f"({figures.status_count('amber')} up to {AMBER_MARGIN:g} points below, "
         f"{figures.status_count('red')} further below)"),
        ("Immediate safeguarding concerns", f"{h.safeguarding_concerns:,}"),
        ("Open actions", f"{h.open_actions:,}, of which {h.overdue_actions:,} overdue"),
    ]  # fmt: skip
    headline_table = _pairs(rows)
    if figures.good_or_better_status in STATUS_COLOURS:  # the target row's value, coloured
        headline_table.setStyle(TableStyle([("BACKGROUND", (1, 1), (1, 1), colors.HexColor(
            STATUS_COLOURS[figures.good_or_better_status]))]))  # fmt: skip
    story: list[Flowable] = [_p("The headline", HEADING), headline_table, _p("Grades", HEADING)]
    grade_rows = [["Final grade", "Audits", "% of graded"]]
    for grade in Grade:
        share = None if h.graded == 0 else 100.0 * h.grades[grade] / h.graded
        grade_rows.append([grade.label, f"{h.grades[grade]:,}", percent(share)])
    grade_rows.append(["Good or better", f"{h.good_or_better:,}",
                       percent(h.good_or_better_percent, h.graded)])  # fmt: skip
    story += [
        _table(grade_rows, [7 * cm, 2.5 * cm, 2.5 * cm],
               [("FONT", (0, -1), (-1, -1), "Helvetica-Bold", 8.5)]),
        Spacer(1, 8),
        charts.grades_chart(h),
    ]  # fmt: skip
    if h.graded < SMALL_SAMPLE:
        story.append(_p(SMALL_NOTE, NOTE))
    return story


def criteria_below_target(figures: BoardPackFigures) -> list[Flowable]:
    ranked, small = figures.below_target, figures.below_target_small
    story: list[Flowable] = [_p("Criteria below target", HEADING)]
    if not ranked and not small:
        return [*story, _p("Every criterion with a target is at or above it.")]
    if ranked:
        shown = ranked[:RANKED_SHOWN]
        more = len(ranked) - len(shown)
        story += [
            _p(f"{plural(len(ranked), 'criterion')} below target on {SMALL_SAMPLE} or more "
               "audits, furthest below first"
               + (f"; the {len(shown)} furthest below are shown here, and the report "
                  "workbook's Criteria sheet lists every one" if more else "")
               + ". The interval is the range the true figure probably lies in (95 %, Wilson)."),
            _criteria_table(shown, ranked=True),
            Spacer(1, 8),
            charts.criteria_chart(shown),
        ]  # fmt: skip
    if small:
        story += [
            _p("Small samples, not ranked", HEADING),
            _p(f"Below target, but on fewer than {SMALL_SAMPLE} audits each: one or two audits "
               "move these figures a long way, so they are not ranked with those above."),
            _criteria_table(small, ranked=False),
        ]  # fmt: skip
    return story


def _criteria_table(rows: Sequence[CriterionFigures], *, ranked: bool) -> Table:
    titles = ["#" if ranked else "", "Criterion", "Audits", "% met", "95 % interval",
              "Target", "Points below"]  # fmt: skip
    body: list[list[Any]] = [[_cell(t) for t in titles]]  # wrapped: narrow columns
    extra: list[tuple[Any, ...]] = []
    for index, f in enumerate(rows, start=1):
        body.append([
            str(index) if ranked else SMALL_MARK,
            _cell(f"{f.code}  {f.text}"),
            f"{f.scored:,}",
            percent(f.met_percent, f.scored),
            interval(f.interval),
            percent(f.target),
            f"{f.gap:.0f}",
        ])  # fmt: skip
        if f.status in STATUS_COLOURS:
            extra.append(("BACKGROUND", (3, index), (3, index),
                          colors.HexColor(STATUS_COLOURS[f.status])))  # fmt: skip
    widths = [0.7 * cm, 8.2 * cm, 1.4 * cm, 1.5 * cm, 2.1 * cm, 1.4 * cm, 1.6 * cm]
    return _table(body, widths, extra)


def trend(figures: BoardPackFigures) -> list[Flowable]:
    story: list[Flowable] = [_p("The trend against targets", HEADING)]
    targets = sorted({f.target for f in figures.criteria if f.target is not None}, reverse=True)
    if figures.months:
        story += [charts.trend_chart(figures.months, targets[:2], figures.good_or_better_target),
                  Spacer(1, 4)]  # fmt: skip
        if any(m.small_sample for m in figures.months):
            story.append(_p(f"{SMALL_MARK} a month of fewer than {SMALL_SAMPLE} audits: read "
                            "the points below, which pool six months, rather than one month.",
                            NOTE))  # fmt: skip
    if figures.points:
        story += [_p("At the 6- and 12-month points", HEADING), _points_table(figures)]
        if figures.points_start is not None:
            story.append(_p(f"Each point covers the six months up to it, counted from "
                            f"{uk_date(figures.points_start)}. {SMALL_NOTE}", NOTE))  # fmt: skip
    if figures.good_or_better_target is None:
        story.append(_p(f"{NO_GOOD_OR_BETTER_TARGET}.", NOTE))
    return story


def _points_table(figures: BoardPackFigures) -> Table:
    points = figures.points
    header: list[Any] = ["", "Target", *(_cell(p.label) for p in points)]
    rows: list[list[Any]] = [
        header,
        ["Audits", "", *(f"{p.audits:,}" for p in points)],
        ["% good or better", percent(figures.good_or_better_target),
         *(_good_or_better_at(p, figures.good_or_better_target) for p in points)],
        ["% met, all criteria", "", *(percent(p.met_percent, p.scored) for p in points)],
    ]  # fmt: skip
    extra: list[tuple[Any, ...]] = []
    for column, p in enumerate(points, start=2):
        status = rag_status(p.good_or_better_percent, figures.good_or_better_target)
        if status in STATUS_COLOURS:
            extra.append(("BACKGROUND", (column, 2), (column, 2),
                          colors.HexColor(STATUS_COLOURS[status])))  # fmt: skip
    for f in figures.trend_criteria:
        row = len(rows)
        cells = [_at(p, f.code) for p in points]
        rows.append([_cell(f"{f.code}  {f.text}"), percent(f.target), *(c[0] for c in cells)])
        for column, (_text, status) in enumerate(cells, start=2):
            if status in STATUS_COLOURS:
                extra.append(("BACKGROUND", (column, row), (column, row),
                              colors.HexColor(STATUS_COLOURS[status])))  # fmt: skip
    rest = 17 * cm - 7 * cm - 1.4 * cm
    widths = [7 * cm, 1.4 * cm, *([rest / max(1, len(points))] * len(points))]
    return _table(rows, widths, extra)


def _good_or_better_at(point: TrendPoint, target: float | None) -> Any:
    """The point's % good or better, and with a target whether it is met or by how much."""
    if target is None:
        return percent(point.good_or_better_percent, point.graded)
    return _cell(against(point.good_or_better_percent, target, point.graded))


def _at(point: TrendPoint, code: str) -> tuple[str, str | None]:
    f = point.criteria.get(code)
    if f is None:
        return "–", None
    return percent(f.met_percent, f.scored), f.status


# -- performance: the case list beside the audits -------------------------------------------

MISSED_SHOWN = 6  # audit criteria below target at a point: the furthest below (the sheet has all)
PERFORMANCE_RULES = (
    "How these are counted: a case is in scope when the timescale applies to its type, it is "
    "in the chosen team and its timescale fell due in the chosen period. Visits, supervision "
    "and health assessments are measured as at {on} over the cases open then. Met: the end "
    "date on or before the due date; a case still open past its due date with no end date is "
    "not met. Not yet due: no end date, due date still to come. Not checkable: a date missing, "
    "unreadable or out of order, or a case closed with no end date. % met = met ÷ (met + not "
    "met), with its 95 % Wilson interval. Working days leave out weekends and England and "
    "Wales bank holidays. The target is the audit criterion's about the same thing, else the "
    "framework's usual one. The auditor and case-type filters apply to the audits only."
)


def one_decimal(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f} %"


def interval_one_decimal(bounds: tuple[float, float] | None) -> str:
    return "–" if bounds is None else f"{bounds[0]:.1f}–{bounds[1]:.1f} %"


def audit_beside(indicator: Indicator) -> str:
    """The audits' figure for the same thing, beside the case list's ("both kinds")."""
    c = indicator.criterion
    if c is None:
        return "No audit criterion about the same thing."
    return (f"Audits ({c.code}): {one_decimal(c.met_percent)} met of "
            f"{plural(c.scored, 'audit')}.")  # fmt: skip


def performance(figures: BoardPackFigures) -> list[Flowable]:
    report = figures.performance
    story: list[Flowable] = [_p("Performance across the whole case list", HEADING)]
    if report is None:
        return story
    team = f"the cases of {report.team}" if report.team else "every imported case"
    story.append(_p(
        f"These figures cover {team} ({plural(report.cases, 'case')}), not only the audited "
        f"ones, as at {uk_date(report.on)}: how many met each timescale of the framework, "
        "beside the audits' figure for the same thing."
    ))  # fmt: skip
    if not report.indicators:
        return [*story, _p("The framework has no timescales to measure.")]
    story += [_indicators_table(report.indicators), Spacer(1, 6)]
    if report.indicators[0].points:
        story += [_p("Against target at the 6-, 12- and 18-month points", HEADING),
                  _indicator_points_table(report.indicators)]  # fmt: skip
    story += _targets_missed(report)
    story.append(_p(PERFORMANCE_RULES.format(on=uk_date(report.on)), NOTE))
    return story


def _indicators_table(indicators: Sequence[Indicator]) -> Table:
    titles = ["Timescale", "In scope", "Met", "Not met", "Not yet due", "Not checkable",
              "% met", "95 % interval", "Median time", "Target"]  # fmt: skip
    rows: list[list[Any]] = [[_cell(t) for t in titles]]
    extra: list[tuple[Any, ...]] = []
    for i in indicators:
        t, row = i.total, len(rows)
        rows.append([
            _cell(f"{i.code}  {i.timescale.label}"),
            f"{t.in_scope:,}", f"{t.met:,}", f"{t.not_met:,}", f"{t.not_yet_due:,}",
            f"{t.not_checkable:,}", one_decimal(t.met_percent),
            _cell(interval_one_decimal(t.interval)),
            _cell(time_taken_text(t.median_taken, i.timescale.unit)), percent(i.target),
        ])  # fmt: skip
        rows.append(["", _cell(f"{i.verdict}. {audit_beside(i)}"), *[""] * 8])
        extra += [("SPAN", (0, row), (0, row + 1)), ("SPAN", (1, row + 1), (-1, row + 1)),
                  ("ALIGN", (1, row + 1), (-1, row + 1), "LEFT")]  # fmt: skip
        if i.status in STATUS_COLOURS:
            extra.append(("BACKGROUND", (6, row), (6, row),
                          colors.HexColor(STATUS_COLOURS[i.status])))  # fmt: skip
    widths = [3.7 * cm, 1.3 * cm, 1.0 * cm, 1.1 * cm, 1.1 * cm, 1.9 * cm, 1.4 * cm, 2.3 * cm,
              1.8 * cm, 1.4 * cm]  # fmt: skip
    return _table(rows, widths, extra)


def _indicator_points_table(indicators: Sequence[Indicator]) -> Table:
    points = indicators[0].points
    header: list[Any] = [_cell("Timescale"), _cell("Target"),
                         *(_cell(f"{p.period.label}: {uk_date(p.period.start)} to "
                                 f"{uk_date(p.period.end)}") for p in points)]  # fmt: skip
    rows: list[list[Any]] = [header]
    extra: list[tuple[Any, ...]] = []
    for i in indicators:
        row = len(rows)
        rows.append([_cell(i.code), percent(i.target),
                     *(_cell(f"{one_decimal(p.percent)} of {p.n:,}: {p.verdict}")
                       for p in i.points)])  # fmt: skip
        for column, p in enumerate(i.points, start=2):
            if p.status in STATUS_COLOURS:
                extra.append(("BACKGROUND", (column, row), (column, row),
                              colors.HexColor(STATUS_COLOURS[p.status])))  # fmt: skip
    rest = 17 * cm - 3.3 * cm - 1.3 * cm
    widths = [3.3 * cm, 1.3 * cm, *([rest / max(1, len(points))] * len(points))]
    return _table(rows, widths, extra)


def _targets_missed(report: PerformanceReport) -> list[Flowable]:
    """Every target missed at a point, by how much: the timescales (above, by code) and the
    audit criteria, the one furthest below at any point first."""
    missed = report.targets_missed
    if not missed:
        return [_p("Every timescale and audit criterion met its target at every point.")]
    codes = {i.code for i in report.indicators}
    timescales = sorted({code for code, _point in missed if code in codes})
    criteria = [c for c in report.audit if any(p.met is False for p in c.points)]
    criteria.sort(key=lambda c: min((p.gap for p in c.points if p.gap is not None),
                                    default=0.0))  # fmt: skip
    story: list[Flowable] = [_p("Targets missed at a point", HEADING)]
    if timescales:
        story.append(_p(f"Timescales: {len(timescales)} of {len(codes)} missed the target at "
                        "one point or more, by the points the table above gives."))  # fmt: skip
    if not criteria:
        return [*story, _p("Every audit criterion met its target at every point.")]
    shown = criteria[:MISSED_SHOWN]
    story.append(_p(
        f"Audit criteria: {plural(len(criteria), 'criterion')} missed the target at one point "
        "or more; " + (f"the {len(shown)} furthest below are shown, and the report workbook's "
                       "Performance sheet lists every one." if len(shown) < len(criteria)
                       else "furthest below first.")
    ))  # fmt: skip
    points = criteria[0].points
    header: list[Any] = [_cell("Audit criterion"), _cell("Target"),
                         *(_cell(f"{p.period.label}: % met, points below target")
                           for p in points)]  # fmt: skip
    rows: list[list[Any]] = [header]
    extra: list[tuple[Any, ...]] = []
    for c in shown:
        row = len(rows)
        rows.append([_cell(f"{c.criterion.code}  {c.criterion.text}"), percent(c.criterion.target),
                     *(_cell(_missed_by(p)) for p in c.points)])  # fmt: skip
        for column, p in enumerate(c.points, start=2):
            if p.status in STATUS_COLOURS:
                extra.append(("BACKGROUND", (column, row), (column, row),
                              colors.HexColor(STATUS_COLOURS[p.status])))  # fmt: skip
    rest = 17 * cm - 8.5 * cm - 1.3 * cm
    widths = [8.5 * cm, 1.3 * cm, *([rest / max(1, len(points))] * len(points))]
    return [*story, _table(rows, widths, extra)]


def _missed_by(p: TargetPoint) -> str:
    """ "55.9 %*: 34.1 below" or "92.0 %: met"; the mark under SMALL_SAMPLE audits."""
    if p.gap is None:
        return "–"
    mark = SMALL_MARK if p.n < SMALL_SAMPLE else ""
    if p.gap >= 0:
        return f"{one_decimal(p.percent)}{mark}: met"
    return f"{one_decimal(p.percent)}{mark}: {-p.gap:.1f} below"


def teams_actions_concerns(figures: BoardPackFigures) -> list[Flowable]:
    h = figures.headline
    titles = ["Team", "Audits", "% good or better", "% met, all criteria",
              "Safeguarding concerns", "Open actions", "Overdue actions"]  # fmt: skip
    rows: list[list[Any]] = [[_cell(t) for t in titles]]
    for t in figures.teams:
        th = t.headline
        rows.append([_cell(t.team), f"{th.audits:,}", percent(th.good_or_better_percent, th.graded),
                     percent(t.met_percent), f"{th.safeguarding_concerns:,}",
                     f"{th.open_actions:,}", f"{th.overdue_actions:,}"])  # fmt: skip
    rows.append([_cell("All teams"), f"{h.audits:,}", percent(h.good_or_better_percent, h.graded),
                 percent(figures.met_percent), f"{h.safeguarding_concerns:,}",
                 f"{h.open_actions:,}", f"{h.overdue_actions:,}"])  # fmt: skip
    widths = [5.0 * cm, 1.4 * cm, 2 * cm, 2 * cm, 2.6 * cm, 1.8 * cm, 2 * cm]
    overdue_day = uk_date(figures.overdue_on)
    concerns = h.safeguarding_concerns
    return [
        _p("By team", HEADING),
        _table(rows, widths, [("FONT", (0, -1), (-1, -1), "Helvetica-Bold", 8.5)]),
        _p(SMALL_NOTE, NOTE),
        _p("Actions", HEADING),
        _p(f"The audits raised actions on the cases: {h.open_actions:,} are still open, and "
           f"{h.overdue_actions:,} of them were due before {overdue_day} (overdue). The "
           "workbook's Actions sheet lists each one, overdue first."),
        _p("Safeguarding concerns raised", HEADING),
        _p(f"Auditors flagged an immediate safeguarding concern (a child believed to be unsafe "
           f"now) in {plural(concerns, 'audit')} of {figures.audits:,}. Each was raised with "
           "the team at the time of the audit."
           if concerns else
           f"No auditor flagged an immediate safeguarding concern in these "
           f"{plural(figures.audits, 'audit')}."),
    ]  # fmt: skip


def agreement_section(agreement: AgreementReport) -> list[Flowable]:
    """Moderation and agreement: the one place the pack shows them (the agreement figures
    from :mod:`auditor.figures.agreement`, as the workbook's Agreement sheet)."""
    a, g = agreement, agreement.grade
    story: list[Flowable] = [
        _p("Moderation agreement", HEADING),
        _pairs([
            ("Moderated audits", f"{a.moderated_audits:,}"),
            ("Moderations that changed the grade", f"{a.grade_changed:,}"),
            ("Blind double audits", f"{a.double_audits:,}"),
            ("Grade: pairs of judgements", f"{g.pairs:,}"),
            ("Grade: % agreement", percent(g.percent, g.pairs)),
            ("Grade: Cohen's kappa (95 % interval)", kappa_interval(g.cohen)),
            ("Grade: weighted kappa (quadratic; 95 % interval)", kappa_interval(g.weighted)),
            ("Answers left out (Not applicable on either side)", f"{a.left_out:,}"),
        ]),
    ]  # fmt: skip
    if a.grade_matrix.total:
        story += [Spacer(1, 6), _p("Moderated grades: the auditor's (rows) against the "
                                   "moderator's (columns)", NOTE),
                  grade_matrix_table(a)]  # fmt: skip
    least = [c for c in a.criteria if c.pairs][:5]
    if least:
        titles = ["Criterion (least agreement first)", "Pairs", "% agreement",
                  "Cohen's kappa (95 % interval)"]  # fmt: skip
        rows: list[list[Any]] = [[_cell(t) for t in titles]]
        rows += [[c.subject, f"{c.pairs:,}", percent(c.percent, c.pairs),
                  kappa_interval(c.cohen)] for c in least]  # fmt: skip
        story += [Spacer(1, 6), _table(rows, [6.5 * cm, 1.6 * cm, 2.4 * cm, 4.5 * cm])]
    if g.pairs == 0:
        story.append(_p("No audit in this selection was moderated or double audited, so there "
                        "is no agreement to report."))  # fmt: skip
    return story


def kappa_interval(found: Kappa | None) -> str:
    """ "0.80 (0.65 to 0.96)"; a dash when kappa is undefined (no pairs, or one grade
    used throughout by both)."""
    if found is None:
        return "–"
    return f"{found.estimate:.2f} ({found.low:.2f} to {found.high:.2f})"


def grade_matrix_table(agreement: AgreementReport) -> Table:
    counts = agreement.grade_matrix.counts
    grades = list(counts)
    titles = ["Auditor's grade", *(g.label for g in grades), "Total"]
    rows: list[list[Any]] = [[_cell(t) for t in titles]]  # wrapped: narrow columns
    for auditor in grades:
        row = [counts[auditor][moderator] for moderator in grades]
        rows.append([_cell(auditor.label), *row, sum(row)])
    totals = [sum(counts[a][m] for a in grades) for m in grades]
    rows.append(["Total", *totals, sum(totals)])
    return _table(rows, [4.4 * cm, *([2.5 * cm] * len(grades)), 1.6 * cm])


def moderation_and_method(figures: BoardPackFigures) -> list[Flowable]:
    return [*agreement_section(figures.agreement), *how_figures_are_made(figures)]


METHOD = (
    ("Which audits count", "Audits submitted, moderated or made final that match the filters "
     "on the first page; drafts and deleted audits never count."),
    ("% met", "Audits answered Yes ÷ audits answered anything but Not applicable. Partly is "
     "not met; Not applicable is left out."),
    ("Interval", "The 95 % Wilson score interval: the range the true figure probably lies in, "
     "given how many audits it rests on. Wide ranges mean few audits."),
    ("Small samples", f"A figure resting on fewer than {SMALL_SAMPLE} audits is marked "
     f"{SMALL_MARK}; criteria below target on so few audits are listed apart, not ranked."),
    ("Targets", f"Each criterion's target comes from the framework. Green: at or above it; "
     f"amber: up to {AMBER_MARGIN:g} points below; red: further below."),
    ("Grades", "The final grade (after moderation, the moderator's). % good or better = "
     "audits graded Outstanding or Good ÷ audits with a final grade."),
    ("Trend", "The same figures for each month of audit date, and at the 6- and 12-month "
     "points, each covering the six months up to it."),
    ("Actions", "Every action the counted audits raised; overdue = still open and due before "
     "the day the pack was made."),
    ("Agreement", "Pairs of judgements of the same case file (auditor and moderator, or two "
     "auditors of a blind double audit). Cohen's kappa corrects agreement for chance: 1 is "
     "perfect, 0 no better than chance."),
)  # fmt: skip


def how_figures_are_made(figures: BoardPackFigures) -> list[Flowable]:
    rows = [[_cell(k), _cell(v)] for k, v in METHOD]
    table = Table(rows, colWidths=[3.2 * cm, 13.8 * cm], hAlign="LEFT")
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return [
        KeepTogether([
            _p("How these figures are made", HEADING),
            table,
            _p(f"Made by Case Auditor {__version__}, from the same figures as the report "
               "workbook and the dashboard.", NOTE),
        ])
    ]  # fmt: skip


PAGES: tuple[Page, ...] = (
    what_was_audited,
    criteria_below_target,
    trend,
    performance,
    teams_actions_concerns,
    moderation_and_method,
)


def story(figures: BoardPackFigures, check: Callable[[], None] = lambda: None) -> list[Flowable]:
    """Every page's flowables, a page break between pages; an empty selection is one page.
    ``check()`` is called before each page (it raises to stop: Cancel)."""
    pages = PAGES[:1] if figures.empty else PAGES
    flow: list[Flowable] = []
    for index, page in enumerate(pages):
        check()
        if index:
            flow.append(PageBreak())
        flow += page(figures)
    return flow


def build(path: str, figures: BoardPackFigures, check: Callable[[], None] = lambda: None) -> int:
    """Write the pack to ``path``; returns the number of pages."""
    header = f"{figures.programme}  ·  {figures.period}"
    made = f"Made {figures.made}"
    pages: list[int] = []

    class NumberedCanvas(_Canvas):
        def decorate(self, page: int, total: int) -> None:
            self.setFont("Helvetica", 8)
            self.setFillColor(colors.HexColor("#595959"))
            width, height = A4
            self.drawString(MARGIN, height - 1.2 * cm, header[:110])
            self.drawRightString(width - MARGIN, height - 1.2 * cm, made)
            self.drawString(MARGIN, 1.1 * cm, "Case audit board pack")
            self.drawRightString(width - MARGIN, 1.1 * cm, f"Page {page} of {total}")
            pages.append(total)

    doc = SimpleDocTemplate(path, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN,
                            topMargin=MARGIN, bottomMargin=MARGIN,
                            title=f"Case audit board pack: {figures.programme}",
                            author=f"Case Auditor {__version__}",
                            subject=figures.period)  # fmt: skip
    doc.build(story(figures, check), canvasmaker=NumberedCanvas)
    return pages[0] if pages else 0


class _Canvas(Canvas):  # type: ignore[misc]  # reportlab has no type stubs
    """A canvas that keeps each page until the document ends, then draws the header and
    footer on every page knowing how many there are."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # reportlab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self.decorate(number, total)
            super().showPage()
        super().save()

    def decorate(self, page: int, total: int) -> None:
        raise NotImplementedError
