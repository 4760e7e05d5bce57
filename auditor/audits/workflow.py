"""An audit's life: draft → submitted → moderated → final, and back to draft when returned.

Submission checks completeness and names everything missing. Moderation records the
moderator's answer for every criterion next to the auditor's (for agreement reports) and
changes the audit's answers where the moderator disagrees, each with a reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from auditor.audits.records import Audit, audit_row, get_audit, touch_audit
from auditor.audits.submission import submission_gaps
from auditor.clock import new_uid, now_utc
from auditor.domain import AuditStatus, Grade
from auditor.errors import AuditStateError, ValidationError
from auditor.store import Store
from auditor.store.summaries import refresh
from auditor.store.writes import change_audit, save_answers


def submission_problems(audit: Audit) -> list[str]:
    """Everything that stops ``audit`` being submitted, in plain words (empty: ready);
    :mod:`auditor.audits.submission` has the same by kind and section, and their summary."""
    return [gap.message for gap in submission_gaps(audit)]


def submit_audit(store: Store, audit_uid: str, *, actor: str) -> None:
    """Submit a complete draft; raises :class:`ValidationError` listing what is missing."""
    with store.atomic():
        audit = get_audit(store, audit_uid)
        _require_status(audit, AuditStatus.DRAFT, "submitted")
        problems = submission_problems(audit)
        if problems:
            raise ValidationError("This audit cannot be submitted yet.", problems)
        _set_status(store, audit_uid, AuditStatus.SUBMITTED, actor=actor, stamp="submitted_at")


def return_to_draft(store: Store, audit_uid: str, *, actor: str, reason: str) -> None:
    """Send a submitted audit back to its auditor for changes."""
    if not reason.strip():
        raise ValidationError("say why the audit is returned to its auditor")
    with store.atomic():
        audit = get_audit(store, audit_uid)
        _require_status(audit, AuditStatus.SUBMITTED, "returned to draft")
        _set_status(store, audit_uid, AuditStatus.DRAFT, actor=actor, reason=reason)


def finalise_audit(store: Store, audit_uid: str, *, actor: str) -> None:
    """Lock a submitted or moderated audit as final."""
    with store.atomic():
        audit = get_audit(store, audit_uid)
        if audit.status not in (AuditStatus.SUBMITTED, AuditStatus.MODERATED):
            raise AuditStateError(
                f"Only a submitted or moderated audit can be made final; "
                f"this one is {audit.status.label.lower()}."
            )
        _set_status(store, audit_uid, AuditStatus.FINAL, actor=actor, stamp="finalised_at")


def delete_audit(store: Store, audit_uid: str, *, actor: str, reason: str) -> None:
    """Delete a draft (kept as a tombstone so that packs carry the deletion)."""
    if not reason.strip():
        raise ValidationError("say why the audit is deleted")
    with store.atomic():
        row = audit_row(store, audit_uid)
        if row["status"] != AuditStatus.DRAFT:
            raise AuditStateError("Only a draft audit can be deleted.")
        # The trail records a deletion here as None → "deleted" (a merge: as a yes/no).
        change_audit(
            store, row, {"deleted": "deleted"}, old={"deleted": None}, actor=actor, reason=reason
        )
        touch_audit(store, row["id"])


@dataclass(frozen=True)
class ModeratedAnswer:
    value: str | None
    reason: str = ""


def moderate_audit(
    store: Store,
    audit_uid: str,
    *,
    moderator: str,
    grade: Grade | str,
    changes: Mapping[str, ModeratedAnswer] | None = None,
    note: str = "",
) -> str:
    """Record a moderation: the moderator's grade and any answers they change (with reasons).

    Criteria not in ``changes`` are taken as agreed. Returns the moderation's uid.
    """
    changes = changes or {}
    grade = Grade(grade)
    with store.atomic():
        audit = get_audit(store, audit_uid)
        _require_status(audit, AuditStatus.SUBMITTED, "moderated")
        _check_moderation(audit, moderator, grade, changes, note)
        uid = _insert_moderation(store, audit, moderator, grade, changes, note)
        apply_moderation(store, audit, moderator, grade, changes, note)
        _set_status(store, audit_uid, AuditStatus.MODERATED, actor=moderator, stamp="moderated_at")
    return uid


def _check_moderation(
    audit: Audit, moderator: str, grade: Grade, changes: Mapping[str, ModeratedAnswer], note: str
) -> None:
    if not moderator.strip():
        raise ValidationError("a moderation needs the moderator's name")
    if moderator.strip().casefold() == audit.auditor.casefold():
        raise ValidationError("an auditor cannot moderate their own audit")
    asked = {c.code: c for c in audit.criteria}
    problems = []
    for code, change in changes.items():
        if code not in asked:
            problems.append(f"{code} is not asked for this case")
        elif change.value and change.value not in {v.code for v in asked[code].scale.values}:
            problems.append(f"{code}: '{change.value}' is not on its scale")
        elif change.value != audit.answer_value(code) and not change.reason.strip():
            problems.append(f"{code}: give a reason for changing the answer")
    if grade != audit.final_grade and not note.strip():
        problems.append("give a reason for changing the grade")
    if problems:
        raise ValidationError("The moderation cannot be saved.", problems)


def _insert_moderation(
    store: Store,
    audit: Audit,
    moderator: str,
    grade: Grade,
    changes: Mapping[str, ModeratedAnswer],
    note: str,
) -> str:
    uid = new_uid()
    cursor = store.execute(
        "INSERT INTO moderations (uid, audit_id, moderator, auditor_grade, moderator_grade, "
        "note, created_at) VALUES (?, (SELECT id FROM audits WHERE uid = ?), ?, ?, ?, ?, ?)",
        [
            uid,
            audit.uid,
            moderator.strip(),
            audit.final_grade.value if audit.final_grade else None,
            grade.value,
            note,
            now_utc(),
        ],
    )
    rows = []
    for criterion in audit.criteria:
        mine = audit.answer_value(criterion.code)
        theirs = changes.get(criterion.code, ModeratedAnswer(mine))
        rows.append([cursor.lastrowid, criterion.code, mine, theirs.value, theirs.reason])
    store.conn.executemany(
        "INSERT INTO moderation_answers (moderation_id, criterion_code, auditor_value, "
        "moderator_value, reason) VALUES (?, ?, ?, ?, ?)",
        rows,
    )
    refresh(store, moderations=[int(cursor.lastrowid or 0)])  # the figures' text and marks
    return uid


def apply_moderation(
    store: Store,
    audit: Audit,
    moderator: str,
    grade: Grade,
    changes: Mapping[str, ModeratedAnswer],
    note: str,
) -> None:
    """The audit's answers and grade become the moderated ones (the trail keeps the old).

    ``moderate_audit`` calls it after checking; the demo builder calls it so its moderated
    audits show what a real moderation leaves (the moderator's answers, the old in the trail).
    """
    row = audit_row(store, audit.uid)
    changed = {
        code: change for code, change in changes.items() if change.value != audit.answer_value(code)
    }
    save_answers(
        store,
        row,
        {code: {"value": change.value} for code, change in changed.items()},
        actor=moderator,
        reason={code: f"Moderation: {change.reason}" for code, change in changed.items()},
    )
    refreshed = get_audit(store, audit.uid).grade()
    change_audit(
        store,
        row,
        {"final_grade": grade.value},
        actor=moderator,
        reason=f"Moderation: {note}",
        also={
            "suggested_grade": refreshed.suggested.value if refreshed.suggested else None,
            "compliance": refreshed.compliance,
        },
    )


def _require_status(audit: Audit, status: AuditStatus, verb: str) -> None:
    if audit.status is not status:
        raise AuditStateError(
            f"Only a {status.label.lower()} audit can be {verb}; this one is "
            f"{audit.status.label.lower()}."
        )


def _set_status(
    store: Store,
    audit_uid: str,
    status: AuditStatus,
    *,
    actor: str,
    stamp: str | None = None,
    reason: str = "",
) -> None:
    row = audit_row(store, audit_uid)
    change_audit(
        store,
        row,
        {"status": status.value},
        actor=actor,
        reason=reason,
        also={stamp: now_utc()} if stamp else None,
    )
    touch_audit(store, row["id"])
