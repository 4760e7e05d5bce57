"""What a report is about: the filtered audits, their framework, dates and how to name cases.

Resolved once at the start of an export, inside one read transaction, so that every sheet
describes the same audits even if someone saves an answer while the export runs.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cached_property

from auditor.clock import uk_date
from auditor.domain import CaseType
from auditor.errors import NotFoundError
from auditor.figures.agreement import AgreementReport, agreement_report
from auditor.figures.performance import PerformanceReport, performance_report
from auditor.figures.stats import (
    AUDITS_FROM,
    AuditFilter,
    CriterionFigures,
    Headline,
    audit_date_range,
    criterion_figures,
    headline,
)
from auditor.frameworks.library import list_frameworks
from auditor.frameworks.model import Framework, ScaleValue
from auditor.programmes.records import Programme, get_programme
from auditor.reports.output import ExportError
from auditor.reports.pseudonym import Pseudonyms
from auditor.store import Store

NOT_APPLICABLE = "N/A"


def answer_text(value: ScaleValue) -> str:
    """How an answer reads in a workbook: its label, or N/A for not applicable."""
    return NOT_APPLICABLE if value.is_not_applicable else value.label


@dataclass(frozen=True)
class ReportScope:
    store: Store
    audit_filter: AuditFilter  # narrowed to the report's framework when there is one
    framework: Framework | None  # None only when nothing is selected and nothing names one
    framework_versions: tuple[str, ...]
    programme: Programme | None
    on: date  # actions are overdue when due before this day
    made_at: datetime
    points_start: date | None  # the 6- and 12-month points count from this day
    first_audit: date | None
    last_audit: date | None
    audits: int
    answers: int
    actions: int
    moderations: int
    pseudonyms: Pseudonyms | None = None

    @property
    def empty(self) -> bool:
        return self.audits == 0

    @property
    def pseudonymised(self) -> bool:
        return self.pseudonyms is not None

    def case_label(self, reference: str) -> str:
        """The case reference, or its pseudonym."""
        return reference if self.pseudonyms is None else self.pseudonyms(reference)

    def scrub(self, text: str, reference: str) -> str:
        """Free text with the case's own reference replaced by its pseudonym, if pseudonymised."""
        return text if self.pseudonyms is None else self.pseudonyms.scrub(text, reference)

    def where(self) -> tuple[str, list[object]]:
        where, params = self.audit_filter.sql()
        return where, list(params)

    @cached_property
    def answer_labels(self) -> dict[str, dict[str, str]]:
        """criterion code → answer code → the short text shown (Yes, Partly, No, N/A)."""
        if self.framework is None:
            return {}
        return {
            c.code: {v.code: answer_text(v) for v in c.scale.values}
            for c in self.framework.criteria
        }

    @cached_property
    def value_labels(self) -> dict[str, str]:
        """answer code → text, taking the first criterion that uses each code."""
        labels: dict[str, str] = {}
        for by_value in self.answer_labels.values():
            for code, label in by_value.items():
                labels.setdefault(code, label)
        return labels

    def answer_label(self, criterion_code: str, value: str | None) -> str | None:
        if value is None:
            return None
        return self.answer_labels.get(criterion_code, {}).get(value, value)

    @property
    def framework_text(self) -> str:
        if self.framework is None:
            return "None"
        versions = ", ".join(self.framework_versions) or self.framework.version
        word = "versions" if len(self.framework_versions) > 1 else "version"
        return f"{self.framework.title} ({self.framework.code}, {word} {versions})"

    def filter_lines(self) -> list[tuple[str, str]]:
        """The filters in words, for the Summary and About sheets."""
        f = self.audit_filter
        statuses = [s.label.lower() for s in f.statuses] or ["any status"]
        return [
            ("Programme", self.programme.name if self.programme else "All programmes"),
            ("Team", f.team or "All teams"),
            ("Auditor", f.auditor or "All auditors"),
            ("Case type", CaseType(f.case_type).label if f.case_type else "All case types"),
            ("Audit dates from", uk_date(f.date_from, "Any")),
            ("Audit dates to", uk_date(f.date_to, "Any")),
            ("Audits counted", _statuses_text(statuses)),
        ]


def _statuses_text(statuses: list[str]) -> str:
    listed = statuses[0] if len(statuses) == 1 else f"{', '.join(statuses[:-1])} and {statuses[-1]}"
    text = listed[:1].upper() + listed[1:]
    return text if "draft" in statuses else f"{text} (drafts are not counted)"


def resolve_scope(
    store: Store,
    audit_filter: AuditFilter,
    *,
    points_start: date | None = None,
    on: date | None = None,
    pseudonyms: Pseudonyms | None = None,
) -> ReportScope:
    """Everything a report needs to know before it writes a sheet."""
    programme = (
        get_programme(store, audit_filter.programme_uid) if audit_filter.programme_uid else None
    )
    audit_filter, framework, versions = _framework(store, audit_filter, programme)
    span = audit_date_range(store, audit_filter)
    first, last = span if span else (None, None)
    start = points_start or (programme.period_start if programme else None)
    start = start or audit_filter.date_from or (first.replace(day=1) if first else None)
    counts = _counts(store, audit_filter)
    return ReportScope(
        store=store,
        audit_filter=audit_filter,
        framework=framework,
        framework_versions=versions,
        programme=programme,
        on=on or date.today(),
        made_at=datetime.now(UTC),
        points_start=start,
        first_audit=first,
        last_audit=last,
        pseudonyms=pseudonyms,
        **counts,
    )


def _framework(
    store: Store, audit_filter: AuditFilter, programme: Programme | None
) -> tuple[AuditFilter, Framework | None, tuple[str, ...]]:
    """The one framework the report is about, and the versions of it the audits used."""
    where, params = audit_filter.sql()
    used = store.query(
        f"SELECT DISTINCT a.framework_code AS code, a.framework_version AS version {AUDITS_FROM} "
        f"WHERE {where}",
        params,
    )
    codes = sorted({r["code"] for r in used})
    if len(codes) > 1:
        raise ExportError(
            f"The chosen audits were scored on {len(codes)} frameworks ({', '.join(codes)}): "
            "choose one framework for the report (the Framework filter in the app, or --framework "
            "CODE on the command line)."
        )
    if codes:
        code, versions = codes[0], {r["version"] for r in used}
    elif audit_filter.framework_code:
        code, versions = audit_filter.framework_code, set()
    elif programme is not None:
        code, versions = programme.framework_code, {programme.framework_version}
    else:
        return audit_filter, None, ()
    known = [f for f in list_frameworks(store) if f.code == code]
    chosen = [f for f in known if f.version in versions] or known[-1:]
    if not chosen:
        raise NotFoundError(f"no framework with code {code}")
    narrowed = dataclasses.replace(audit_filter, framework_code=code)
    return narrowed, chosen[-1], tuple(f.version for f in chosen)


def _counts(store: Store, audit_filter: AuditFilter) -> dict[str, int]:
    where, params = audit_filter.sql()

    def count(join: str) -> int:
        return int(store.scalar(f"SELECT COUNT(*) {AUDITS_FROM} {join} WHERE {where}", params))

    return {
        "audits": count(""),
        "answers": count("JOIN answers an ON an.audit_id = a.id"),
        "actions": count("JOIN actions x ON x.audit_id = a.id AND x.deleted_at IS NULL"),
        "moderations": count("JOIN moderations m ON m.audit_id = a.id"),
    }


@dataclass(frozen=True)
class ReportFigures:
    """The figures more than one sheet shows, computed once."""

    headline: Headline
    criteria: list[CriterionFigures]  # framework order
    agreement: AgreementReport


def report_figures(scope: ReportScope) -> ReportFigures:
    f = scope.audit_filter
    criteria = [] if scope.framework is None else criterion_figures(scope.store, f, scope.framework)
    return ReportFigures(
        headline=headline(scope.store, f, on=scope.on),
        criteria=criteria,
        agreement=agreement_report(scope.store, f),
    )


@contextlib.contextmanager
def read_snapshot(store: Store) -> Iterator[None]:
    """One read transaction: every query inside sees the database as it was at the first.

    WAL lets other connections keep saving meanwhile; they are simply not seen.
    """
    conn = store.conn
    if conn.in_transaction:
        yield
        return
    store.execute("BEGIN")
    try:
        yield
    finally:
        if conn.in_transaction:
            store.execute("COMMIT")


def case_list_performance(scope: ReportScope, framework: Framework | None) -> PerformanceReport:
    """The whole case list's timeliness for the report's team, period, programme and
    points: what the Performance sheet, the board pack's pages and ``case-auditor
    performance`` show. (The auditor and case-type filters choose audits, not cases.)"""
    f = scope.audit_filter
    return performance_report(
        scope.store,
        framework,
        team=f.team,
        date_from=f.date_from,
        date_to=f.date_to,
        programme_uid=f.programme_uid,
        points_start=scope.points_start,
        on=scope.on,
    )
