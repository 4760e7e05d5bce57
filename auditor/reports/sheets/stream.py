"""Audits and their answers, streamed from SQL in one order: the big sheets never hold
more than one audit's rows in memory."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from auditor.clock import parse_date
from auditor.figures.stats import AUDITS_FROM
from auditor.reports.scope import ReportScope

AUDIT_COLUMNS = (
    "a.id, c.reference, a.case_type, c.team, c.worker, a.auditor, p.name, a.audit_date, "
    "a.submitted_at, a.status, a.suggested_grade, a.final_grade, a.compliance, "
    "a.safeguarding_concern"
)
ORDER = "ORDER BY a.audit_date, a.id"


@dataclass(frozen=True, slots=True)
class AuditRow:
    id: int
    reference: str
    case_type: str
    team: str
    worker: str
    auditor: str
    programme: str | None
    audit_date: date
    submitted: date | None
    status: str
    suggested_grade: str | None
    final_grade: str | None
    compliance: float | None
    safeguarding_concern: bool


Answer = tuple[str, str | None, str]  # criterion code, value, evidence


def audits_with_answers(scope: ReportScope) -> Iterator[tuple[AuditRow, list[Answer]]]:
    """Every filtered audit (oldest first) with its answers, in framework order."""
    where, params = scope.where()
    audits = scope.store.execute(
        f"SELECT {AUDIT_COLUMNS} {AUDITS_FROM} WHERE {where} {ORDER}", params
    )
    answers = scope.store.execute(
        f"SELECT a.id, an.criterion_code, an.value, an.evidence {AUDITS_FROM} "
        f"JOIN answers an ON an.audit_id = a.id WHERE {where} {ORDER}",
        params,
    )
    framework = scope.framework
    order = {c.code: i for i, c in enumerate(framework.criteria)} if framework else {}
    conditional = framework is not None and any(c.asked_when for c in framework.criteria)
    pending = next(answers, None)
    for raw in audits:
        audit = _audit_row(raw)
        mine: list[Answer] = []
        while pending is not None and pending[0] == audit.id:
            mine.append((pending[1], pending[2], pending[3]))
            pending = next(answers, None)
        if conditional:
            mine = _asked_only(scope, audit.case_type, mine)
        mine.sort(key=lambda a: order.get(a[0], len(order)))
        yield audit, mine


def _asked_only(scope: ReportScope, case_type: str, answers: list[Answer]) -> list[Answer]:
    """The answers less those kept for a criterion of the framework not asked in this audit
    (its condition does not hold): a report shows what the grade counted."""
    assert scope.framework is not None
    values = {code: value for code, value, _ in answers}
    asked = {c.code for c in scope.framework.criteria_asked(case_type, values)}
    known = {c.code for c in scope.framework.criteria}
    return [a for a in answers if a[0] in asked or a[0] not in known]


def _audit_row(raw: Any) -> AuditRow:
    return AuditRow(
        id=raw[0],
        reference=raw[1],
        case_type=raw[2],
        team=raw[3],
        worker=raw[4],
        auditor=raw[5],
        programme=raw[6],
        audit_date=date.fromisoformat(raw[7]),
        submitted=parse_date(raw[8]),
        status=raw[9],
        suggested_grade=raw[10],
        final_grade=raw[11],
        compliance=raw[12],
        safeguarding_concern=bool(raw[13]),
    )
