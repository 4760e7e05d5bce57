"""Actions raised by an audit: what must change on the case, who does it, by when.

Adding or rewording an action follows the audit's status rules (amendment after final);
marking an action done is follow-up work and is allowed whatever the audit's status.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from auditor.audits.records import UNSET, audit_row, check_editable, touch_audit
from auditor.clock import new_uid, now_utc, parse_date, today
from auditor.domain import ActionStatus
from auditor.errors import NotFoundError, ValidationError
from auditor.store import Store
from auditor.store.writes import change_action, new_action


@dataclass(frozen=True)
class Action:
    uid: str
    audit_uid: str
    text: str
    owner: str
    due_date: date | None
    status: str
    done_date: date | None

    def is_overdue(self, on: date | None = None) -> bool:
        return (
            self.status == "open" and self.due_date is not None and self.due_date < (on or today())
        )


def actions_of(store: Store, audit_id: int, audit_uid: str) -> list[Action]:
    """The live actions of one audit, oldest first."""
    return [
        Action(
            r["uid"],
            audit_uid,
            r["text"],
            r["owner"],
            parse_date(r["due_date"]),
            r["status"],
            parse_date(r["done_date"]),
        )
        for r in store.query(
            "SELECT * FROM actions WHERE audit_id = ? AND deleted_at IS NULL ORDER BY id",
            [audit_id],
        )
    ]


def add_action(
    store: Store,
    audit_uid: str,
    *,
    actor: str,
    text: str,
    owner: str = "",
    due_date: date | None = None,
    reason: str = "",
) -> str:
    """Raise an action on an audit; returns its uid."""
    if not text.strip():
        raise ValidationError("an action needs a description of what must change")
    uid, now = new_uid(), now_utc()
    with store.atomic():
        row = audit_row(store, audit_uid)
        check_editable(row, reason, actor)
        new_action(
            store,
            {
                "uid": uid,
                "audit_id": row["id"],
                "text": text.strip(),
                "owner": owner.strip(),
                "due_date": due_date.isoformat() if due_date else None,
                "status": ActionStatus.OPEN.value,
                "created_at": now,
                "updated_at": now,
            },
            audit_uid=audit_uid,
            actor=actor,
            reason=reason,
        )
        touch_audit(store, row["id"])
    return uid


def update_action(
    store: Store,
    action_uid: str,
    *,
    actor: str,
    reason: str = "",
    text: str = UNSET,
    owner: str = UNSET,
    due_date: date | None = UNSET,
) -> None:
    """Reword, reassign or re-date an action."""
    new: dict[str, Any] = {}
    if text is not UNSET:
        if not text.strip():
            raise ValidationError("an action needs a description of what must change")
        new["text"] = text.strip()
    if owner is not UNSET:
        new["owner"] = owner.strip()
    if due_date is not UNSET:
        new["due_date"] = due_date.isoformat() if due_date else None
    with store.atomic():
        action, audit = _action_and_audit(store, action_uid)
        check_editable(audit, reason, actor)
        _apply(store, action, audit, new, actor=actor, reason=reason)


def set_action_status(
    store: Store, action_uid: str, *, actor: str, done: bool, done_date: date | None = None
) -> None:
    """Mark an action done (on ``done_date``, default today) or open again."""
    new = {
        "status": ActionStatus.DONE.value if done else ActionStatus.OPEN.value,
        "done_date": (done_date or today()).isoformat() if done else None,
    }
    with store.atomic():
        action, audit = _action_and_audit(store, action_uid)
        _apply(store, action, audit, new, actor=actor, reason="")


def delete_action(store: Store, action_uid: str, *, actor: str, reason: str = "") -> None:
    """Remove an action (kept as a tombstone so the deletion travels in audit packs)."""
    with store.atomic():
        action, audit = _action_and_audit(store, action_uid)
        check_editable(audit, reason, actor)
        _apply(store, action, audit, {"deleted_at": now_utc()}, actor=actor, reason=reason)


def _action_and_audit(store: Store, action_uid: str) -> tuple[dict[str, Any], dict[str, Any]]:
    action = store.one(
        "SELECT a.*, au.uid AS audit_uid FROM actions a "
        "JOIN audits au ON au.id = a.audit_id "
        "WHERE a.uid = ? AND a.deleted_at IS NULL",
        [action_uid],
    )
    if action is None:
        raise NotFoundError(f"no action with id {action_uid}")
    return action, audit_row(store, action["audit_uid"])


def _apply(
    store: Store,
    action: dict[str, Any],
    audit: dict[str, Any],
    new: dict[str, Any],
    *,
    actor: str,
    reason: str,
) -> None:
    if change_action(store, action, new, audit_uid=audit["uid"], actor=actor, reason=reason):
        touch_audit(store, audit["id"])


@dataclass(frozen=True)
class ActionRow:
    """An action with its case and audit, for the actions list and reports."""

    uid: str
    audit_uid: str
    case_reference: str
    team: str
    auditor: str
    text: str
    owner: str
    due_date: date | None
    status: str
    done_date: date | None
    # Raised on an audit that flags an immediate safeguarding concern: a child may be
    # unsafe now, so the actions list marks it and, while it is open, puts it first.
    safeguarding: bool = False

    @property
    def comes_first(self) -> bool:
        """An open safeguarding action leads every list of actions, whatever its order."""
        return self.safeguarding and self.status == ActionStatus.OPEN

    def days_overdue(self, on: date | None = None) -> int:
        """Calendar days past the due date for an open action; 0 when not overdue."""
        if self.status != ActionStatus.OPEN or self.due_date is None:
            return 0
        return max(0, ((on or today()) - self.due_date).days)


def list_all_actions(
    store: Store, *, team: str | None = None, auditor: str | None = None, status: str | None = None
) -> list[ActionRow]:
    """Every live action of live audits: open safeguarding ones (``comes_first``) first,
    then soonest due first."""
    where, params = ["x.deleted_at IS NULL", "a.deleted_at IS NULL"], []
    for clause, value in (
        ("c.team = ?", team),
        ("a.auditor = ?", auditor),
        ("x.status = ?", status),
    ):
        if value:
            where.append(clause)
            params.append(value)
    rows = store.query(
        "SELECT x.uid, a.uid AS audit_uid, c.reference, c.team, a.auditor, x.text, x.owner, "
        "x.due_date, x.status, x.done_date, a.safeguarding_concern "
        "FROM actions x JOIN audits a ON a.id = x.audit_id "
        f"JOIN cases c ON c.id = a.case_id WHERE {' AND '.join(where)} "
        "ORDER BY a.safeguarding_concern AND x.status = 'open' DESC, "
        "x.due_date IS NULL, x.due_date, x.id",
        params,
    )
    return [
        ActionRow(
            r["uid"],
            r["audit_uid"],
            r["reference"],
            r["team"],
            r["auditor"],
            r["text"],
            r["owner"],
            parse_date(r["due_date"]),
            r["status"],
            parse_date(r["done_date"]),
            bool(r["safeguarding_concern"]),
        )
        for r in rows
    ]
