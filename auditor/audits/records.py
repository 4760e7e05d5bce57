"""Audits: starting one, answering criteria, and the audit's own fields.

Every change is one transaction that also writes the audit trail, so an answer is on disk
(and in the trail) the moment this returns. Status rules: a draft is editable; a submitted
or moderated audit is read-only; a final audit changes only by amendment, with a reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from auditor.audits.grading import GradeResult, grade_audit, suggested_grade
from auditor.audits.ownership import check_drafts_auditor
from auditor.cases.records import Case, get_case
from auditor.clock import new_uid, now_utc, parse_date, today
from auditor.domain import AuditStatus, CaseType, Grade
from auditor.errors import AuditStateError, NotFoundError, ValidationError
from auditor.frameworks.library import get_framework, registered_framework
from auditor.frameworks.model import Framework
from auditor.store import Store
from auditor.store.summaries import kept_for_figures
from auditor.store.writes import change_audit, new_audit, save_answers, values_with_answer

if TYPE_CHECKING:
    from auditor.audits.actions import Action

UNSET: Any = object()  # "leave this field as it is" (None means "clear it")

# Fields of an audit a person edits directly, with how a stored value is checked.
TEXT_FIELDS = ("grade_reason", "strengths", "improvements", "feedback", "safeguarding_note")
MAX_TEXT = 50_000  # characters: far beyond any real note, small enough to keep exports sane


@dataclass(frozen=True)
class Answer:
    criterion_code: str
    value: str | None
    evidence: str
    updated_by: str
    updated_at: str


@dataclass(frozen=True)
class Audit:
    """Everything about one audit, as read in one go."""

    uid: str
    case: Case
    case_type: CaseType  # the type the case had when the audit was started: it grades
    framework: Framework
    programme_uid: str | None
    auditor: str
    status: AuditStatus
    audit_date: date
    answers: Mapping[str, Answer]
    final_grade: Grade | None
    grade_reason: str
    strengths: str
    improvements: str
    feedback: str
    safeguarding_concern: bool
    safeguarding_note: str
    blind: bool
    revision: int
    created_at: str
    updated_at: str
    submitted_at: str | None
    actions: tuple[Action, ...]

    @property
    def criteria(self) -> tuple[Any, ...]:
        """The criteria asked for the audit's case type and these answers, in framework
        order (one asked only when another has a given answer drops out while it has not)."""
        return self.framework.criteria_asked(self.case_type, self.answer_values)

    @property
    def answer_values(self) -> dict[str, str | None]:
        """criterion code → answer code, every answer kept (asked or not)."""
        return {code: a.value for code, a in self.answers.items()}

    @property
    def case_type_words(self) -> str:
        """The type the audit was made for, and the case's type now when it has changed."""
        label = self.case_type.label
        if self.case.case_type is self.case_type:
            return label
        return f"{label} when audited (now {self.case.case_type.label})"

    def grade(self) -> GradeResult:
        return grade_audit(self.framework, self.case_type, self.answer_values)

    def answer_value(self, code: str) -> str | None:
        answer = self.answers.get(code)
        return answer.value if answer else None


# ---------------------------------------------------------------------------------------
# Reading


def get_audit(store: Store, uid: str) -> Audit:
    # Actions build on audits (auditor.audits.actions imports this module); an audit lists
    # its actions, so that one import is made here, where it is used.
    from auditor.audits.actions import actions_of

    row = audit_row(store, uid)
    answers = {
        r["criterion_code"]: Answer(
            r["criterion_code"], r["value"], r["evidence"], r["updated_by"], r["updated_at"]
        )
        for r in store.query("SELECT * FROM answers WHERE audit_id = ?", [row["id"]])
    }
    return Audit(
        uid=uid,
        case=get_case(store, row["case_uid"]),
        case_type=CaseType(row["case_type"]),
        framework=get_framework(store, row["framework_code"], row["framework_version"]),
        programme_uid=row["programme_uid"],
        auditor=row["auditor"],
        status=AuditStatus(row["status"]),
        audit_date=parse_date(row["audit_date"]) or today(),
        answers=answers,
        final_grade=Grade(row["final_grade"]) if row["final_grade"] else None,
        grade_reason=row["grade_reason"],
        strengths=row["strengths"],
        improvements=row["improvements"],
        feedback=row["feedback"],
        safeguarding_concern=bool(row["safeguarding_concern"]),
        safeguarding_note=row["safeguarding_note"],
        blind=bool(row["blind"]),
        revision=row["revision"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        submitted_at=row["submitted_at"],
        actions=tuple(actions_of(store, row["id"], uid)),
    )


# An audit by its uid, as the records find it: not a tombstone, and with its case.
_LIVE_AUDIT = "a.uid = ? AND a.deleted_at IS NULL"


def audit_row(store: Store, uid: str) -> dict[str, Any]:
    row = store.one(
        "SELECT a.*, c.uid AS case_uid, p.uid AS programme_uid FROM audits a "
        "JOIN cases c ON c.id = a.case_id LEFT JOIN programmes p ON p.id = a.programme_id "
        f"WHERE {_LIVE_AUDIT}",
        [uid],
    )
    if row is None:
        raise NotFoundError(f"no audit with id {uid}")
    return row


@dataclass(frozen=True)
class AuditSummary:
    uid: str
    case_reference: str
    case_type: str
    team: str
    auditor: str
    status: AuditStatus
    audit_date: str
    suggested_grade: Grade | None
    final_grade: Grade | None
    compliance: float | None
    safeguarding_concern: bool


def list_audits(
    store: Store,
    *,
    status: AuditStatus | str | None = None,
    auditor: str | None = None,
    programme_uid: str | None = None,
    case_uid: str | None = None,
) -> list[AuditSummary]:
    """Audits (tombstones excluded), newest first, optionally filtered."""
    where, params = ["a.deleted_at IS NULL"], []
    for clause, value in (
        ("a.status = ?", status),
        ("a.auditor = ?", auditor),
        ("p.uid = ?", programme_uid),
        ("c.uid = ?", case_uid),
    ):
        if value:
            where.append(clause)
            params.append(str(value))
    rows = store.query(
        "SELECT a.uid, c.reference, a.case_type, c.team, a.auditor, a.status, a.audit_date, "
        "a.suggested_grade, a.final_grade, a.compliance, a.safeguarding_concern FROM audits a "
        "JOIN cases c ON c.id = a.case_id LEFT JOIN programmes p ON p.id = a.programme_id "
        f"WHERE {' AND '.join(where)} ORDER BY a.audit_date DESC, a.id DESC",
        params,
    )
    return [
        AuditSummary(
            r["uid"],
            r["reference"],
            r["case_type"],
            r["team"],
            r["auditor"],
            AuditStatus(r["status"]),
            r["audit_date"],
            Grade(r["suggested_grade"]) if r["suggested_grade"] else None,
            Grade(r["final_grade"]) if r["final_grade"] else None,
            r["compliance"],
            bool(r["safeguarding_concern"]),
        )
        for r in rows
    ]


# ---------------------------------------------------------------------------------------
# Writing


def start_audit(
    store: Store,
    *,
    case_uid: str,
    auditor: str,
    framework_code: str,
    framework_version: str | None = None,
    programme_uid: str | None = None,
    audit_date: date | None = None,
    blind: bool = False,
) -> str:
    """Open a new draft audit of a case; returns its uid."""
    if not auditor.strip():
        raise ValidationError("an audit needs the auditor's name")
    case = get_case(store, case_uid)
    framework = get_framework(store, framework_code, framework_version)
    if not framework.criteria_for(case.case_type):
        raise ValidationError(
            f"framework {framework.code} asks nothing about {case.case_type.label} cases"
        )
    programme_id = None
    if programme_uid:
        programme_id = store.scalar("SELECT id FROM programmes WHERE uid = ?", [programme_uid])
        if programme_id is None:
            raise NotFoundError(f"no programme with id {programme_uid}")
    uid, now = new_uid(), now_utc()
    with store.atomic():
        new_audit(
            store,
            {
                "uid": uid,
                "case_id": case.id,
                "programme_id": programme_id,
                "framework_code": framework.code,
                "framework_version": framework.version,
                "case_type": case.case_type.value,  # the audit keeps it if the case changes
                "auditor": auditor.strip(),
                "status": AuditStatus.DRAFT.value,
                "audit_date": (audit_date or today()).isoformat(),
                "blind": int(blind),
                "created_at": now,
                "updated_at": now,
            },
            actor=auditor,
            description=f"{case.reference} on {framework.code} {framework.version}",
        )
    return uid


def record_answer(
    store: Store,
    audit_uid: str,
    criterion_code: str,
    *,
    actor: str,
    value: str | None = UNSET,
    evidence: str = UNSET,
    reason: str = "",
) -> None:
    """Save one criterion's answer and/or evidence at once, in its own transaction.

    ``value`` is a code from the criterion's scale (``None`` clears it). On a final audit
    this is an amendment and needs ``reason``.
    """
    with store.atomic():
        row = _answering_row(store, audit_uid)
        check_editable(row, reason, actor)
        framework = registered_framework(store, row["framework_code"], row["framework_version"])
        problem = answer_problem(
            framework, row["case_type"], criterion_code, None if value is UNSET else value
        )
        if problem:
            raise ValidationError(problem)
        if evidence is not UNSET:
            evidence = _check_text("evidence", evidence)
        given = {"value": value} if value is not UNSET else {}
        if evidence is not UNSET:
            given["evidence"] = evidence
        # Every answer read once: for the one saved, the grade and the figures' text and marks.
        values, answers = values_with_answer(store, row["id"], criterion_code)
        changes = save_answers(
            store, row, {criterion_code: given}, actor=actor, reason=reason, answers=answers
        )
        if not changes:
            return
        columns: dict[str, Any] = {}
        if any(c.field.endswith(".value") for c in changes):
            values[criterion_code] = answers[criterion_code][1]
            columns = _suggestion_of(framework, row["case_type"], values)
            columns |= kept_for_figures(framework, values)
        touch_audit(store, row["id"], also=columns)


# What saving an answer reads of its audit: the columns it uses, not the whole row (its free
# texts, 31 columns as a dict, and its programme's uid). Found as audit_row finds it.
_ANSWERING_COLUMNS = ("id", "uid", "status", "auditor", "framework_code", "framework_version",
                      "case_type")  # fmt: skip
_ANSWERING = (
    f"SELECT {', '.join(f'a.{c}' for c in _ANSWERING_COLUMNS)} FROM audits a "
    f"JOIN cases c ON c.id = a.case_id WHERE {_LIVE_AUDIT}"
)


def _answering_row(store: Store, uid: str) -> dict[str, Any]:
    found = store.execute(_ANSWERING, [uid]).fetchone()
    if found is None:
        raise NotFoundError(f"no audit with id {uid}")
    return dict(zip(_ANSWERING_COLUMNS, found, strict=True))


def answer_problem(
    framework: Framework, case_type: str, code: str, value: str | None
) -> str | None:
    """Why ``value`` cannot be the answer to criterion ``code`` in an audit of a case of
    this type on ``framework`` (None: it can). ``None`` (no answer) is on every scale.

    The one rule for answers: saving one here, and every answer of an imported pack."""
    try:
        criterion = framework.criterion(code)
    except KeyError:
        return f"{framework.code} has no criterion {code}"
    if not criterion.applies(case_type):
        return f"{code} is not asked for this type of case"
    if value is not None and value not in {v.code for v in criterion.scale.values}:
        return f"'{value}' is not an answer on the scale of {code}"
    return None


def refresh_suggestion(store: Store, row: Mapping[str, Any], framework: Framework) -> None:
    """Store the suggested grade and compliance with the audit, for lists and reports."""
    columns = _suggestion(store, row, framework)
    store.execute(
        "UPDATE audits SET suggested_grade = ?, compliance = ? WHERE id = ?",
        [*columns.values(), row["id"]],
    )


def _suggestion(store: Store, row: Mapping[str, Any], framework: Framework) -> dict[str, Any]:
    """The suggested grade and compliance of the audit's answers, as its columns."""
    answers = dict(
        store.execute(
            "SELECT criterion_code, value FROM answers WHERE audit_id = ?", [row["id"]]
        ).fetchall()
    )
    return _suggestion_of(framework, row["case_type"], answers)


def _suggestion_of(
    framework: Framework, case_type: str, answers: Mapping[str, str | None]
) -> dict[str, Any]:
    grade, compliance = suggested_grade(framework, case_type, answers)
    return {"suggested_grade": grade.value if grade else None, "compliance": compliance}


def touch_audit(store: Store, audit_id: int, also: Mapping[str, Any] | None = None) -> None:
    """Every change bumps the revision: audit packs use it to spot changes on both sides.
    ``also``: other columns set in the same statement (the suggested grade)."""
    sets = "".join(f", {column} = ?" for column in also or {})
    store.execute(
        f"UPDATE audits SET revision = revision + 1, updated_at = ?{sets} WHERE id = ?",
        [now_utc(), *(also or {}).values(), audit_id],
    )


def _check_text(name: str, value: Any) -> str:
    text = "" if value is None else str(value)
    if len(text) > MAX_TEXT:
        raise ValidationError(f"{name} is longer than {MAX_TEXT:,} characters")
    return text


def update_audit(
    store: Store,
    audit_uid: str,
    *,
    actor: str,
    reason: str = "",
    final_grade: Grade | str | None = UNSET,
    safeguarding_concern: bool = UNSET,
    audit_date: date | None = UNSET,
    **texts: str,
) -> None:
    """Change the audit's own fields: final grade, safeguarding flag, date, and texts
    (``grade_reason``, ``strengths``, ``improvements``, ``feedback``, ``safeguarding_note``)."""
    unknown = set(texts) - set(TEXT_FIELDS)
    if unknown:
        raise ValidationError(f"unknown audit field(s): {', '.join(sorted(unknown))}")
    new: dict[str, Any] = {name: _check_text(name, value) for name, value in texts.items()}
    if final_grade is not UNSET:
        new["final_grade"] = Grade(final_grade).value if final_grade else None
    if safeguarding_concern is not UNSET:
        new["safeguarding_concern"] = int(bool(safeguarding_concern))
    if audit_date is not UNSET:
        if audit_date is None:
            raise ValidationError("an audit needs its date")
        new["audit_date"] = audit_date.isoformat()
    with store.atomic():
        row = audit_row(store, audit_uid)
        check_editable(row, reason, actor)
        if change_audit(store, row, new, actor=actor, reason=reason):
            touch_audit(store, row["id"])


def check_editable(row: Mapping[str, Any], reason: str, actor: str | None = None) -> None:
    """Refuse changes the audit's status forbids. A final audit needs an amendment reason;
    a draft is changed by its own auditor only (``actor``, when given)."""
    status = AuditStatus(row["status"])
    if status is AuditStatus.DRAFT:
        if actor is not None:
            check_drafts_auditor(row["auditor"], actor)
        return
    if status is AuditStatus.FINAL:
        if not reason.strip():
            raise AuditStateError("This audit is final: an amendment needs a reason.")
        return
    raise AuditStateError(
        f"This audit is {status.label.lower()} and read-only. It can be changed again once "
        "it is returned to draft, or by amendment once it is final."
    )
