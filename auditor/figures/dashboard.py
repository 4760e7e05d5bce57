"""The dashboard's figures in one call: headlines, compliance per criterion, the monthly
trend and moderation agreement, for one filter. Built on :mod:`auditor.figures.stats` and
:mod:`auditor.figures.agreement` (the numbers the reports use); adds only the monthly trend of
answers met, which those modules do not give as one series.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from auditor.figures.agreement import AgreementReport, agreement_report
from auditor.figures.stats import (
    AuditFilter,
    CriterionFigures,
    Headline,
    criterion_figures_by_month,
    criterion_figures_pooled_and_by_month,
    first_audit_on,
    headline_pooled_and_by_month,
    headlines_by,
    month_figures_and_headlines,
)
from auditor.frameworks.crosswalk import Lineage, trend_lineage
from auditor.frameworks.library import get_framework, list_frameworks
from auditor.frameworks.model import Framework
from auditor.programmes.records import get_programme
from auditor.store import Store


@dataclass(frozen=True)
class MonthPoint:
    """One month of the trend (by audit date)."""

    month: str  # YYYY-MM
    audits: int
    good_or_better_percent: float | None  # of audits with a final grade
    met_percent: float | None  # answers met (Yes) of answers scored (N/A left out)

    @property
    def label(self) -> str:
        """ "Mar 2026"."""
        return date.fromisoformat(f"{self.month}-01").strftime("%b %Y")

    @property
    def month_name(self) -> str:
        """ "Mar"."""
        return date.fromisoformat(f"{self.month}-01").strftime("%b")

    @property
    def short_label(self) -> str:
        """ "Mar 26", for crowded chart axes."""
        return date.fromisoformat(f"{self.month}-01").strftime("%b %y")


@dataclass(frozen=True)
class VersionChange:
    """Where the trend crosses from one framework version to the next (a crosswalk)."""

    month: str | None  # YYYY-MM of the first audit on the new version; None: none yet
    new: str  # "IN-CFA 2.0.0"
    old: str
    reworded: tuple[str, ...]  # criteria whose wording changed (or that merged old ones)


@dataclass(frozen=True)
class DashboardFigures:
    framework: Framework | None
    headline: Headline
    criteria: list[CriterionFigures]  # framework order
    trend: list[MonthPoint]  # oldest first
    agreement: AgreementReport
    changes: tuple[VersionChange, ...] = ()  # newest first; empty without a crosswalk
    reworded: dict[str, str] = field(default_factory=dict)  # criterion → version it changed in


def dashboard_framework(store: Store, audit_filter: AuditFilter) -> Framework | None:
    """The framework whose criteria the dashboard shows: the programme's, the filter's, or
    the newest version of the first framework registered."""
    if audit_filter.programme_uid:
        programme = get_programme(store, audit_filter.programme_uid)
        return get_framework(store, programme.framework_code, programme.framework_version)
    if audit_filter.framework_code:
        return get_framework(store, audit_filter.framework_code)
    frameworks = list_frameworks(store)
    return get_framework(store, frameworks[0].code) if frameworks else None


def monthly_trend(
    store: Store,
    audit_filter: AuditFilter,
    framework: Framework | None,
    *,
    lineage: Lineage | None = None,
    figures_by_month: dict[str, list[CriterionFigures]] | None = None,
    headlines_by_month: dict[str, Headline] | None = None,
) -> list[MonthPoint]:
    """Per month: audits, % good or better, and % of answers met across all criteria (older
    versions' answers through their crosswalks, when a ``lineage`` is given).
    ``figures_by_month`` (:func:`criterion_figures_by_month`) and ``headlines_by_month``
    (:func:`headlines_by` month): when the caller has them already."""
    by_month = headlines_by_month
    if by_month is None:
        by_month = headlines_by(store, audit_filter, "month")
    met: dict[str, float | None] = {}
    if framework is not None:
        by = figures_by_month
        if by is None:
            by = criterion_figures_by_month(store, audit_filter, framework, lineage=lineage)
        for month, figures in by.items():
            scored = sum(f.scored for f in figures)
            met[month] = None if scored == 0 else 100.0 * sum(f.met for f in figures) / scored
    return [
        MonthPoint(month, h.audits, h.good_or_better_percent, met.get(month))
        for month, h in sorted(by_month.items())
    ]


def dashboard_figures(store: Store, audit_filter: AuditFilter) -> DashboardFigures:
    """Everything the dashboard draws, for ``audit_filter`` (run it off the GUI thread)."""
    framework = dashboard_framework(store, audit_filter)
    lineage = trend_lineage(store, framework) if framework else None
    lineage = None if lineage is None or lineage.empty else lineage
    criteria: list[CriterionFigures] = []
    by_month: dict[str, list[CriterionFigures]] = {}
    if framework is not None and lineage is None:
        criteria, by_month, pooled, headlines_by_month = month_figures_and_headlines(
            store, audit_filter, framework
        )
    else:
        if framework is not None:
            criteria, by_month = criterion_figures_pooled_and_by_month(
                store, audit_filter, framework, lineage=lineage
            )
        pooled, headlines_by_month = headline_pooled_and_by_month(store, audit_filter)
    return DashboardFigures(
        framework=framework,
        headline=pooled,
        criteria=[f for f in criteria if f.retired_by is None],  # bars: the tool in use now
        trend=monthly_trend(
            store,
            audit_filter,
            framework,
            lineage=lineage,
            figures_by_month=by_month,
            headlines_by_month=headlines_by_month,
        ),
        agreement=agreement_report(store, audit_filter),
        changes=_changes(store, audit_filter, lineage),
        reworded=lineage.reworded() if lineage else {},
    )


def _changes(
    store: Store, audit_filter: AuditFilter, lineage: Lineage | None
) -> tuple[VersionChange, ...]:
    changes = []
    for step in lineage.steps if lineage else ():
        first = first_audit_on(store, audit_filter, step.new_code, step.new_version)
        changes.append(
            VersionChange(
                first.isoformat()[:7] if first else None,
                step.new_text,
                step.old_text,
                tuple(
                    c.criterion
                    for c in step.continuations
                    if c.kind.value in ("reworded", "merged")
                ),
            )
        )
    return tuple(changes)
