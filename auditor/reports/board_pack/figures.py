"""Every number the board pack shows, gathered once from :mod:`auditor.figures`.

Kept apart from the drawing (``layout.py``, ``charts.py``) so that tests can check the
figures against the database and the PDF's text against the figures. Nothing here is worked
out in a new way: the pack calls the functions the workbook and the dashboard call, so the
board's PDF, the workbook and the QA lead's screen agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from auditor.clock import uk_date
from auditor.figures.agreement import AgreementReport
from auditor.figures.performance import PerformanceReport
from auditor.figures.stats import (
    AUDITS_FROM,
    SMALL_SAMPLE,
    CriterionFigures,
    Headline,
    criteria_below_target,
    criterion_figures,
    criterion_figures_by,
    headline,
    headlines_by,
    overall_met_percent,
    rag_status,
    six_month_points,
    wilson_interval,
    within,
)
from auditor.frameworks.crosswalk import Lineage, trend_lineage
from auditor.reports.scope import ReportScope, case_list_performance, report_figures

TREND_CRITERIA = 5  # criteria furthest below target followed through the trend


@dataclass(frozen=True)
class TrendPoint:
    """One month, or one 6-month point, of the trend."""

    label: str
    audits: int
    good_or_better_percent: float | None
    graded: int
    met_percent: float | None  # all criteria: every Yes ÷ every answer other than N/A
    scored: int
    criteria: dict[str, CriterionFigures]  # by code

    @property
    def small_sample(self) -> bool:
        return self.audits < SMALL_SAMPLE


@dataclass(frozen=True)
class TeamRow:
    team: str
    headline: Headline
    met_percent: float | None


@dataclass(frozen=True)
class BoardPackFigures:
    programme: str  # the programme's name, or "All programmes"
    period: str  # "10/01/2026 to 09/02/2026"
    made: str  # the day the pack was made, dd/mm/yyyy
    overdue_on: date  # actions due before this day are overdue
    framework: str
    filters: list[tuple[str, str]]
    audits: int
    cases: int
    headline: Headline
    criteria: list[CriterionFigures]  # framework order
    months: list[TrendPoint]  # oldest first
    points: list[TrendPoint]  # the 6-, 12- (and later) month points
    points_start: date | None
    teams: list[TeamRow]
    agreement: AgreementReport
    good_or_better_target: float | None  # the framework's [grading] target, if one is set
    performance: PerformanceReport | None  # the case list's timeliness; None when empty

    @property
    def empty(self) -> bool:
        return self.audits == 0

    @property
    def good_or_better_status(self) -> str | None:
        """green / amber / red against the target, as a criterion's % met is coloured."""
        return rag_status(self.headline.good_or_better_percent, self.good_or_better_target)

    @property
    def good_or_better_interval(self) -> tuple[float, float] | None:
        return wilson_interval(self.headline.good_or_better, self.headline.graded)

    @property
    def met_percent(self) -> float | None:
        return overall_met_percent(self.criteria)

    @property
    def below_target(self) -> list[CriterionFigures]:
        """Criteria below their target on enough audits to rank, furthest below first (the
        one ranking rule, :func:`criteria_below_target`, the workbook's Trend sheet uses)."""
        return [f for f in criteria_below_target(self.criteria) if not f.small_sample]

    @property
    def below_target_small(self) -> list[CriterionFigures]:
        """Criteria below target on fewer than SMALL_SAMPLE audits: shown, marked, not ranked
        (one or two audits swing a figure from 0 % to 100 %)."""
        return [f for f in criteria_below_target(self.criteria) if f.small_sample]

    @property
    def trend_criteria(self) -> list[CriterionFigures]:
        """The criteria the trend follows: those ranked furthest below target."""
        return self.below_target[:TREND_CRITERIA]

    def status_count(self, status: str) -> int:
        return sum(1 for f in self.criteria if f.status == status)


def board_pack_figures(scope: ReportScope) -> BoardPackFigures:
    """The pack's figures for the audits ``scope`` selects (call inside its read snapshot)."""
    base = report_figures(scope)
    empty = scope.empty or scope.framework is None
    lineage = None if empty else _lineage(scope)
    return BoardPackFigures(
        programme=scope.programme.name if scope.programme else "All programmes",
        period=period_text(scope),
        made=uk_date(scope.made_at.astimezone().date()),
        overdue_on=scope.on,
        framework=scope.framework_text,
        filters=scope.filter_lines(),
        audits=scope.audits,
        cases=_cases(scope),
        headline=base.headline,
        criteria=base.criteria,
        months=[] if empty else _months(scope, lineage),
        points=[] if empty else _points(scope, lineage),
        points_start=scope.points_start,
        teams=[] if empty else _teams(scope),
        agreement=base.agreement,
        good_or_better_target=None if scope.framework is None
        else scope.framework.grading.good_or_better_target,
        performance=None if empty else case_list_performance(scope, scope.framework),
    )  # fmt: skip


def period_text(scope: ReportScope) -> str:
    """The audit dates the pack covers: the filter's dates, else the first and last audit's."""
    f = scope.audit_filter
    first = f.date_from or scope.first_audit
    last = f.date_to or scope.last_audit
    if first is None and last is None:
        return "All dates"
    if first is None:
        return f"Up to {uk_date(last)}"
    if last is None:
        return f"From {uk_date(first)}"
    return f"{uk_date(first)} to {uk_date(last)}"


def _lineage(scope: ReportScope) -> Lineage | None:
    assert scope.framework is not None
    lineage = trend_lineage(scope.store, scope.framework)
    return None if lineage.empty else lineage


def _cases(scope: ReportScope) -> int:
    where, params = scope.where()
    return int(scope.store.scalar(f"SELECT COUNT(DISTINCT a.case_id) {AUDITS_FROM} WHERE {where}",
                                  params))  # fmt: skip


def _point(label: str, head: Headline, criteria: list[CriterionFigures]) -> TrendPoint:
    return TrendPoint(
        label=label,
        audits=head.audits,
        good_or_better_percent=head.good_or_better_percent,
        graded=head.graded,
        met_percent=overall_met_percent(criteria),
        scored=sum(f.scored for f in criteria),
        criteria={f.code: f for f in criteria},
    )


def _months(scope: ReportScope, lineage: Lineage | None) -> list[TrendPoint]:
    assert scope.framework is not None
    f = scope.audit_filter
    heads = headlines_by(scope.store, f, "month", on=scope.on)
    by_month = criterion_figures_by(scope.store, f, scope.framework, "month", lineage=lineage)
    return [
        _point(date.fromisoformat(f"{m}-01").strftime("%b %Y"), heads[m], by_month.get(m, []))
        for m in sorted(heads)
    ]


def _points(scope: ReportScope, lineage: Lineage | None) -> list[TrendPoint]:
    assert scope.framework is not None
    if scope.points_start is None:
        return []
    points = []
    for period in six_month_points(scope.points_start, scope.last_audit):
        narrowed = within(scope.audit_filter, period.start, period.end)
        label = f"{period.label}: {period.start:%b %Y} to {period.end:%b %Y}"
        points.append(
            _point(
                label,
                headline(scope.store, narrowed, on=scope.on),
                criterion_figures(scope.store, narrowed, scope.framework, lineage=lineage),
            )
        )
    return points


def _teams(scope: ReportScope) -> list[TeamRow]:
    assert scope.framework is not None
    f = scope.audit_filter
    heads = headlines_by(scope.store, f, "team", on=scope.on)
    met = criterion_figures_by(scope.store, f, scope.framework, "team")
    return [
        TeamRow(team or "(none recorded)", h, overall_met_percent(met.get(team, [])))
        for team, h in heads.items()
    ]
