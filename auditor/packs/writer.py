"""Writing a merged version of an audit that is already here, change by change, with trail.

Merging bypasses the status rules of the editing API on purpose (the pack's side already
went through them: a submitted audit arrives submitted), but every field it changes is
written to the trail with its old and new value, the user as actor and the reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from auditor.audits.records import refresh_suggestion
from auditor.clock import now_utc
from auditor.frameworks.library import get_framework
from auditor.packs.content import ACTION_FIELDS, ANSWER_FIELDS, AUDIT_FIELDS, Content, field_value
from auditor.store import Store
from auditor.store.trail import Change
from auditor.store.writes import change_action, change_audit, save_answers

_STAMPS = ("submitted_at", "moderated_at", "finalised_at")


def write_version(
    store: Store,
    ours_row: Mapping[str, Any],
    ours: Content,
    target: Content,
    theirs: Mapping[str, Any],
    *,
    actor: str,
    reason: str,
) -> int:
    """Bring our audit from ``ours`` to ``target`` content (``theirs`` is the pack's record,
    for the details of answers and actions new here). Returns the number of fields changed."""
    uid = ours_row["uid"]
    changes = _audit_fields(store, ours_row, ours, target, theirs, actor, reason)
    changes += _answers(store, ours_row, ours, target, theirs, actor, reason)
    changes += _actions(store, ours_row, ours, target, theirs, actor, reason)
    if not changes:
        return 0
    _refresh(store, ours_row)
    store.execute(
        "UPDATE audits SET revision = MAX(revision, ?) + 1, updated_at = ? WHERE id = ?",
        [theirs["revision"], now_utc(), ours_row["id"]],
    )
    assert all(c.audit_uid == uid for c in changes)
    return len(changes)


def _audit_fields(
    store: Store,
    row: Mapping[str, Any],
    ours: Content,
    target: Content,
    theirs: Mapping[str, Any],
    actor: str,
    reason: str,
) -> list[Change]:
    old = {name: field_value(ours, name) for name in AUDIT_FIELDS}
    new = {n: field_value(target, n) for n in AUDIT_FIELDS if old[n] != field_value(target, n)}
    also: dict[str, Any] = {}
    if new.get("deleted"):
        also["deleted_at"] = theirs["deleted_at"] or now_utc()
    if new.get("status") is not None and new["status"] == theirs["status"]:
        also.update({stamp: theirs[stamp] for stamp in _STAMPS})
    return change_audit(store, row, new, old=old, actor=actor, reason=reason, also=also)


def _subjects(prefix: str, *contents: Content) -> list[str]:
    return sorted(
        {k[len(prefix) :].rsplit(".", 1)[0] for c in contents for k in c if k.startswith(prefix)}
    )


def _answers(
    store: Store,
    row: Mapping[str, Any],
    ours: Content,
    target: Content,
    theirs: Mapping[str, Any],
    actor: str,
    reason: str,
) -> list[Change]:
    new = {
        code: {name: field_value(target, f"answer:{code}.{name}") for name in ANSWER_FIELDS}
        for code in _subjects("answer:", ours, target)
    }
    their_uids = {a["criterion_code"]: a["uid"] for a in theirs["answers"]}
    return save_answers(store, row, new, actor=actor, reason=reason, uids=their_uids)


def _actions(
    store: Store,
    row: Mapping[str, Any],
    ours: Content,
    target: Content,
    theirs: Mapping[str, Any],
    actor: str,
    reason: str,
) -> list[Change]:
    here = {
        r["uid"] for r in store.query("SELECT uid FROM actions WHERE audit_id = ?", [row["id"]])
    }
    their_rows = {a["uid"]: a for a in theirs["actions"]}
    changes: list[Change] = []
    for uid in _subjects("action:", ours, target):
        values = {n: field_value(target, f"action:{uid}.{n}") for n in ACTION_FIELDS}
        if values["text"] is None:  # the chosen side has no such action: it goes
            values = {n: field_value(ours, f"action:{uid}.{n}") for n in ACTION_FIELDS}
            values["deleted"] = True
        old = {n: field_value(ours, f"action:{uid}.{n}") for n in ACTION_FIELDS}
        if old == values:
            continue
        theirs_row = their_rows.get(uid) or {}
        also = (
            {"deleted_at": theirs_row.get("deleted_at") or now_utc()} if values["deleted"] else {}
        )
        insert = None
        if uid not in here:
            insert = {
                "audit_id": row["id"],
                "created_at": theirs_row.get("created_at") or now_utc(),
            }
        changes += change_action(
            store,
            {"uid": uid, **old},
            values,
            audit_uid=row["uid"],
            actor=actor,
            reason=reason,
            also=also,
            insert=insert,
        )
    return changes


def _refresh(store: Store, row: Mapping[str, Any]) -> None:
    """The suggested grade and compliance follow the merged answers."""
    framework = get_framework(store, row["framework_code"], row["framework_version"])
    refresh_suggestion(store, row, framework)


def remember_versions(
    store: Store, audit_uid: str, versions: Iterable[tuple[str, int, str]]
) -> None:
    """Record versions of an audit both sides now know: (content hash, revision, origin)."""
    remember_all_versions(store, [(audit_uid, h, rev, origin) for h, rev, origin in versions])


def remember_all_versions(store: Store, versions: Iterable[tuple[str, str, int, str]]) -> None:
    """Record (audit uid, content hash, revision, origin) versions in one go."""
    now = now_utc()
    store.conn.executemany(
        "INSERT OR IGNORE INTO audit_versions (audit_uid, content_hash, revision, origin, "
        "recorded_at) VALUES (?, ?, ?, ?, ?)",
        [(*version, now) for version in versions],
    )
