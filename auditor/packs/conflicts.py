"""Conflicts a merge kept for later: listed side by side and resolved by a person.

A conflict is stored when a pack is merged without a resolution for it: our version stays,
and the pack's version of the audit is kept whole so that the choice can be made later
("ours", "theirs", or a side per field). Resolving writes the chosen values with trail rows.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from auditor.clock import now_utc
from auditor.errors import NotFoundError, ValidationError
from auditor.packs.content import audit_content, content_hash
from auditor.packs.merge import Resolution, resolution_problems, resolve_decision
from auditor.packs.plan import CONFLICT, Decision, MergeConflict, conflict_of, our_contents
from auditor.store import Store


def list_conflicts(store: Store, *, include_resolved: bool = False) -> list[MergeConflict]:
    """Stored conflicts, oldest first, each compared with our audit as it is now."""
    where = "" if include_resolved else "WHERE m.resolved_at IS NULL"
    rows = store.query(
        "SELECT m.*, c.uid AS case_uid, c.reference FROM merge_conflicts m "
        "JOIN audits a ON a.uid = m.audit_uid JOIN cases c ON c.id = a.case_id "
        f"{where} ORDER BY m.id"
    )
    conflicts = []
    for row in rows:
        decision = _decision(store, row)
        refs = {decision.record["case_uid"]: row["reference"]}
        conflicts.append(conflict_of(decision, refs, row["pack_created_by"], row["uid"]))
    return conflicts


def resolve_conflicts(store: Store, resolutions: Mapping[str, Resolution], *, actor: str) -> int:
    """Resolve several stored conflicts in one transaction: every choice written, or none.
    Returns how many were resolved."""
    if not resolutions:
        raise ValidationError("Choose Keep ours, Take theirs or field by field for an audit first.")
    with store.atomic():
        for conflict_id, resolution in resolutions.items():
            resolve_conflict(store, conflict_id, resolution, actor=actor)
    return len(resolutions)


def resolve_conflict(store: Store, conflict_id: str, resolution: Resolution, *, actor: str) -> None:
    """Resolve a stored conflict: "ours", "theirs", or a side per field key."""
    if not actor.strip():
        raise ValidationError("say who is resolving the conflict")
    with store.atomic():
        row = store.one("SELECT * FROM merge_conflicts WHERE uid = ?", [conflict_id])
        if row is None:
            raise NotFoundError(f"no conflict with id {conflict_id}")
        if row["resolved_at"] is not None:
            raise ValidationError(f"this conflict was resolved on {row['resolved_at']}")
        decision = _decision(store, row)
        problems = resolution_problems(decision, resolution)
        if problems:
            raise ValidationError("The resolution cannot be used.", problems)
        origin = decision.record.get("_origin", "")
        resolve_decision(
            store,
            decision,
            resolution,
            actor=actor.strip(),
            reason=f"Merged from pack by {row['pack_created_by']}",
            origin=str(origin),
        )
        store.execute(
            "UPDATE merge_conflicts SET resolved_at = ?, resolved_by = ?, resolution = ? "
            "WHERE uid = ?",
            [now_utc(), actor.strip(), json.dumps(resolution), conflict_id],
        )


def _decision(store: Store, row: dict[str, Any]) -> Decision:
    record = json.loads(row["theirs_json"])
    ours = our_contents(store, [row["audit_uid"]]).get(row["audit_uid"])
    if ours is None:
        raise NotFoundError(f"the audit of conflict {row['uid']} is no longer here")
    theirs = audit_content(record, record["answers"], record["actions"])
    decision = Decision(CONFLICT, record, theirs, content_hash(theirs))
    decision.ours_row, decision.ours = ours
    decision.ours_hash = content_hash(decision.ours)
    return decision
