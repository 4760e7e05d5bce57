"""An audit's content as two databases compare it: the fields a person changes, flattened.

Content is what an auditor or a moderator can change: status, date, grade, texts, the
safeguarding flag, whether the audit is deleted, every answer (value and evidence) and every
action. Local row ids, timestamps, the revision counter and figures computed from the answers
are left out, so the same audit hashes the same on every laptop. Keys are flat strings:

    status, final_grade, ...                the audit's own fields
    answer:R-1.value, answer:R-1.evidence    one criterion's answer
    action:<uid>.status                      one field of one action
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

AUDIT_FIELDS = (
    "status",
    "audit_date",
    "final_grade",
    "grade_reason",
    "strengths",
    "improvements",
    "feedback",
    "safeguarding_concern",
    "safeguarding_note",
    "deleted",
)
ANSWER_FIELDS = ("value", "evidence")
ACTION_FIELDS = ("text", "owner", "due_date", "status", "done_date", "deleted")
_LABELS = {
    "status": "Status",
    "audit_date": "Audit date",
    "final_grade": "Final grade",
    "grade_reason": "Reason for the grade",
    "strengths": "Strengths",
    "improvements": "Improvements",
    "feedback": "Practitioner feedback",
    "safeguarding_concern": "Immediate safeguarding concern",
    "safeguarding_note": "Safeguarding note",
    "deleted": "Deleted",
}
_EMPTY_TEXT = {"evidence", "grade_reason", "strengths", "improvements", "feedback", "text", "owner"}
_EMPTY_TEXT |= {"safeguarding_note"}

Content = dict[str, Any]
Side = Literal["ours", "theirs"]


def audit_content(
    audit: Mapping[str, Any],
    answers: Iterable[Mapping[str, Any]],
    actions: Iterable[Mapping[str, Any]],
) -> Content:
    """The flat content of an audit from its row (or pack record), answers and actions."""
    content: Content = {name: audit.get(name) for name in AUDIT_FIELDS[:-1]}
    content["safeguarding_concern"] = bool(audit.get("safeguarding_concern"))
    content["deleted"] = audit.get("deleted_at") is not None
    for answer in answers:
        if answer.get("value") is None and not answer.get("evidence"):
            continue  # an empty answer is the same as no answer
        code = answer["criterion_code"]
        content[f"answer:{code}.value"] = answer.get("value")
        content[f"answer:{code}.evidence"] = answer.get("evidence") or ""
    for action in actions:
        for name in ACTION_FIELDS[:-1]:
            content[f"action:{action['uid']}.{name}"] = action.get(name)
        content[f"action:{action['uid']}.deleted"] = action.get("deleted_at") is not None
    return content


def content_hash(content: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical JSON of ``content``: equal on every laptop for equal audits."""
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def field_value(content: Mapping[str, Any], key: str) -> Any:
    """A field's value, with what "absent" means for it (no answer, no text, not deleted)."""
    if key in content:
        return content[key]
    name = key.rsplit(".", 1)[-1]
    if name == "deleted":
        return False if key.startswith("action:") else None
    return "" if name in _EMPTY_TEXT else None


@dataclass(frozen=True)
class FieldDifference:
    """One field that differs between our audit and the pack's, for a side-by-side view.

    ``part`` is "audit", "answer" or "action"; ``subject`` the criterion code or the action
    uid (empty for the audit's own fields); ``field`` the field within it.
    """

    key: str
    part: str
    subject: str
    field: str
    label: str
    ours: Any
    theirs: Any


def differences(ours: Mapping[str, Any], theirs: Mapping[str, Any]) -> tuple[FieldDifference, ...]:
    """Every field whose value differs, in a stable order: audit fields, answers, actions."""
    keys = sorted(set(ours) | set(theirs), key=_order)
    return tuple(
        _difference(key, field_value(ours, key), field_value(theirs, key), ours, theirs)
        for key in keys
        if field_value(ours, key) != field_value(theirs, key)
    )


def _order(key: str) -> tuple[int, str, int]:
    """Audit fields in their own order, then answers by criterion, then actions."""
    if ":" not in key:
        return (0, "", AUDIT_FIELDS.index(key))
    part, rest = key.split(":", 1)
    subject, name = rest.rsplit(".", 1)
    if part == "answer":
        return (1, subject, ANSWER_FIELDS.index(name))
    return (2, subject, ACTION_FIELDS.index(name))


def _difference(
    key: str, ours: Any, theirs: Any, ours_all: Mapping[str, Any], theirs_all: Mapping[str, Any]
) -> FieldDifference:
    if ":" not in key:
        return FieldDifference(key, "audit", "", key, _LABELS[key], ours, theirs)
    part, rest = key.split(":", 1)
    subject, name = rest.rsplit(".", 1)
    if part == "answer":
        label = f"{subject} {'answer' if name == 'value' else 'evidence'}"
    else:
        text = ours_all.get(f"action:{subject}.text") or theirs_all.get(f"action:{subject}.text")
        label = f"Action “{_short(str(text or ''))}”: {name.replace('_', ' ')}"
    return FieldDifference(key, part, subject, name, label, ours, theirs)


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def merged_content(
    ours: Mapping[str, Any],
    theirs: Mapping[str, Any],
    choice: Side | Mapping[str, Side],
) -> Content:
    """Our content with the pack's value taken wherever ``choice`` says "theirs".

    ``choice`` is one side for the whole audit, or a side per field key (fields not named
    keep ours).
    """
    if choice == "ours":
        return dict(ours)
    if choice == "theirs":
        return dict(theirs)
    assert not isinstance(choice, str)
    merged = dict(ours)
    for key, side in choice.items():
        if side == "theirs":
            merged[key] = field_value(theirs, key)
    return merged
