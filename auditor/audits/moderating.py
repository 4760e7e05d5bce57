"""What a moderator decides before a moderation is saved, read without writing anything.

A moderation is deliberate: the moderator agrees with, or changes, every criterion and the
grade, one by one. Nothing counts as agreed by default here (``moderate_audit`` still takes
a criterion left out of its changes as agreed, for callers that moderate only some
answers); these functions say what is still to decide, turn the decisions into the changes
``moderate_audit`` records, and say in words what was saved.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from auditor.audits.records import Audit
from auditor.audits.workflow import ModeratedAnswer
from auditor.domain import Grade
from auditor.store import Store

OWN_AUDIT = "You audited this case: another QA lead moderates it"
NO_NAME = "Set your name (Edit → Your name…) before you moderate"
MOST_CODES_NAMED = 6  # a longer list of criteria is cut to its first few and a count


@dataclass(frozen=True)
class Decision:
    """The moderator's decision on one criterion or on the grade: agree with the auditor,
    or change to ``value`` (an answer code, or a grade's value) with a ``reason``."""

    agreed: bool
    value: str | None = None
    reason: str = ""


def moderation_refusal(auditor: str, moderator: str) -> str:
    """Why ``moderator`` may not moderate an audit by ``auditor``; "" when they may.

    The same comparison as the rule ``moderate_audit`` enforces at save."""
    if not moderator.strip():
        return NO_NAME
    if moderator.strip().casefold() == auditor.strip().casefold():
        return OWN_AUDIT
    return ""


def undecided(audit: Audit, decisions: Mapping[str, Decision | None]) -> list[str]:
    """The codes of the criteria asked for the case that have no decision yet, in order."""
    return [c.code for c in audit.criteria if decisions.get(c.code) is None]


def decision_problems(
    audit: Audit, decisions: Mapping[str, Decision | None], grade: Decision | None
) -> list[str]:
    """Everything that stops these decisions being saved, in plain words (empty: ready)."""
    problems = []
    missing = undecided(audit, decisions)
    if missing:
        problems.append(f"Decide {_criteria(len(missing))}: {name_codes(missing)}.")
    for criterion in audit.criteria:
        decision = decisions.get(criterion.code)
        if decision is not None and not decision.agreed and not decision.reason.strip():
            problems.append(f"{criterion.code}: give a reason for changing the answer.")
    if grade is None:
        problems.append("Decide the grade: agree with the auditor's, or change it.")
    elif not grade.agreed and not grade.reason.strip():
        problems.append("Give a reason for changing the grade.")
    return problems


def changes_from(
    audit: Audit, decisions: Mapping[str, Decision | None]
) -> dict[str, ModeratedAnswer]:
    """The changed answers, as ``moderate_audit`` takes them (agreed ones are left out)."""
    return {
        code: ModeratedAnswer(d.value, d.reason.strip())
        for code, d in decisions.items()
        if d is not None and not d.agreed and d.value != audit.answer_value(code)
    }


def moderated_grade(audit: Audit, grade: Decision) -> Grade:
    """The grade the moderation records: the auditor's when agreed, else the chosen one."""
    if grade.agreed:
        if audit.final_grade is None:
            raise ValueError("the audit has no grade to agree with")
        return audit.final_grade
    return Grade(str(grade.value))


def saved_summary(audit: Audit, changes: Mapping[str, ModeratedAnswer], grade: Grade) -> str:
    """What a saved moderation recorded, in one sentence or two, for the confirmation.

    ``audit`` is the audit as it was before the moderation (the auditor's answers)."""
    total = len(audit.criteria)
    agreed = total - len(changes)
    parts = [f"Moderation saved: you agreed {agreed} of {_criteria(total)}"]
    if changes:
        moves = [
            f"{code} {_label(audit, code, audit.answer_value(code))} → "
            f"{_label(audit, code, change.value)}"
            for code, change in changes.items()
        ]
        parts.append(f" and changed {len(changes)} ({'; '.join(moves)})")
    if grade == audit.final_grade:
        parts.append(f"; you agreed the grade, {grade.label}.")
    else:
        before = audit.final_grade.label if audit.final_grade else "none"
        parts.append(f"; you changed the grade from {before} to {grade.label}.")
    return "".join(parts) + " The audit is now moderated."


def name_codes(codes: Sequence[str]) -> str:
    """ "RISK-01, VOICE-02" — or the first few and how many more, for a long list."""
    if len(codes) <= MOST_CODES_NAMED:
        return ", ".join(codes)
    shown = ", ".join(codes[: MOST_CODES_NAMED - 1])
    return f"{shown} and {len(codes) - MOST_CODES_NAMED + 1} more"


def _criteria(count: int) -> str:
    return f"{count} criterion" if count == 1 else f"{count} criteria"


def _label(audit: Audit, code: str, value: str | None) -> str:
    if not value:
        return "not answered"
    criterion = next(c for c in audit.criteria if c.code == code)
    return str(criterion.scale.value(value).label)


@dataclass(frozen=True)
class RecordedModeration:
    """The newest moderation saved for an audit: what the auditor had answered and graded
    before it, and the moderator's decisions."""

    moderator: str
    created_at: str
    auditor_values: Mapping[str, str | None]
    auditor_grade: Grade | None
    decisions: Mapping[str, Decision]
    grade: Decision


def recorded_moderation(store: Store, audit_uid: str) -> RecordedModeration | None:
    """The newest moderation of the audit ``audit_uid``, or None when it has none."""
    row = store.one(
        "SELECT m.* FROM moderations m JOIN audits a ON a.id = m.audit_id WHERE a.uid = ? "
        "ORDER BY m.created_at DESC, m.id DESC LIMIT 1",
        [audit_uid],
    )
    if row is None:
        return None
    answers = store.query("SELECT * FROM moderation_answers WHERE moderation_id = ?", [row["id"]])
    auditor_values = {a["criterion_code"]: a["auditor_value"] for a in answers}
    decisions = {
        a["criterion_code"]: (
            Decision(agreed=True)
            if a["moderator_value"] == a["auditor_value"]
            else Decision(False, a["moderator_value"], a["reason"])
        )
        for a in answers
    }
    auditor_grade = Grade(row["auditor_grade"]) if row["auditor_grade"] else None
    moderator_grade = Grade(row["moderator_grade"])
    grade = (
        Decision(agreed=True)
        if moderator_grade == auditor_grade
        else Decision(False, moderator_grade.value, row["note"])
    )
    return RecordedModeration(
        row["moderator"], row["created_at"], auditor_values, auditor_grade, decisions, grade
    )
