"""Writing a merged version of an audit that is already here, change by change, with trail.

Merging bypasses the status rules of the editing API on purpose (the pack's side already
went through them: a submitted audit arrives submitted), but every field it changes is
written to the trail with its old and new value, the user as actor and the reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from auditor.audits import refresh_suggestion
from auditor.clock import new_uid, now_utc
from auditor.frameworks import get_framework
from auditor.packs.content import ACTION_FIELDS, AUDIT_FIELDS, Content, field_value
from auditor.store import Store
from auditor.store.trail import Change, record

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
    changes = _audit_fields(store, ours_row, ours, target, theirs, reason)
    changes += _answers(store, ours_row, ours, target, theirs, actor, reason)
    changes += _actions(store, ours_row, ours, target, theirs, reason)
    if not changes:
        return 0
    _refresh(store, ours_row)
    store.execute(
        "UPDATE audits SET revision = MAX(revision, ?) + 1, updated_at = ? WHERE id = ?",
        [theirs["revision"], now_utc(), ours_row["id"]],
    )
    record(store, changes, actor=actor)
    assert all(c.audit_uid == uid for c in changes)
    return len(changes)


def _audit_fields(
    store: Store,
    row: Mapping[str, Any],
    ours: Content,
    target: Content,
    theirs: Mapping[str, Any],
    reason: str,
) -> list[Change]:
    uid, sets, changes = row["uid"], {}, []
    for name in AUDIT_FIELDS:
        old, new = field_value(ours, name), field_value(target, name)
        if old == new:
            continue
        changes.append(Change("audit", uid, name, old, new, audit_uid=uid, reason=reason))
        if name == "deleted":
            sets["deleted_at"] = (theirs["deleted_at"] or now_utc()) if new else None
        elif name == "safeguarding_concern":
            sets[name] = int(bool(new))
        else:
            sets[name] = new
        if name == "status" and new == theirs["status"]:
            sets.update({stamp: theirs[stamp] for stamp in _STAMPS})
    if sets:
        store.execute(
            f"UPDATE audits SET {', '.join(f'{k} = ?' for k in sets)} WHERE id = ?",
            [*sets.values(), row["id"]],
        )
    return changes


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
    existing = {
        r["criterion_code"]: r["uid"]
        for r in store.query(
            "SELECT criterion_code, uid FROM answers WHERE audit_id = ?", [row["id"]]
        )
    }
    their_uids = {a["criterion_code"]: a["uid"] for a in theirs["answers"]}
    changes, now = [], now_utc()
    for code in _subjects("answer:", ours, target):
        keys = (f"answer:{code}.value", f"answer:{code}.evidence")
        old = [field_value(ours, k) for k in keys]
        new = [field_value(target, k) for k in keys]
        if old == new:
            continue
        answer_uid = existing.get(code)
        if answer_uid is None:
            answer_uid = their_uids.get(code) or new_uid()
            store.execute(
                "INSERT INTO answers (uid, audit_id, criterion_code, value, evidence, "
                "updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [answer_uid, row["id"], code, new[0], new[1] or "", actor, now],
            )
        else:
            store.execute(
                "UPDATE answers SET value = ?, evidence = ?, updated_by = ?, updated_at = ? "
                "WHERE uid = ?",
                [new[0], new[1] or "", actor, now, answer_uid],
            )
        for name, before, after in zip(("value", "evidence"), old, new, strict=True):
            if before != after:
                changes.append(
                    Change(
                        "answer",
                        answer_uid,
                        f"{code}.{name}",
                        before,
                        after,
                        audit_uid=row["uid"],
                        reason=reason,
                    )
                )
    return changes


def _actions(
    store: Store,
    row: Mapping[str, Any],
    ours: Content,
    target: Content,
    theirs: Mapping[str, Any],
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
        diff = [n for n in ACTION_FIELDS if old[n] != values[n]]
        if not diff:
            continue
        _write_action(store, row["id"], uid, values, their_rows.get(uid), exists=uid in here)
        changes += [
            Change("action", uid, n, old[n], values[n], audit_uid=row["uid"], reason=reason)
            for n in diff
        ]
    return changes


def _write_action(
    store: Store,
    audit_id: int,
    uid: str,
    values: Mapping[str, Any],
    theirs: Mapping[str, Any] | None,
    *,
    exists: bool,
) -> None:
    now = now_utc()
    deleted_at = ((theirs or {}).get("deleted_at") or now) if values["deleted"] else None
    columns = {n: values[n] for n in ACTION_FIELDS if n != "deleted"}
    columns["deleted_at"] = deleted_at
    if exists:
        store.execute(
            f"UPDATE actions SET {', '.join(f'{k} = ?' for k in columns)}, updated_at = ? "
            "WHERE uid = ?",
            [*columns.values(), now, uid],
        )
        return
    created = (theirs or {}).get("created_at") or now
    names = ["uid", "audit_id", *columns, "created_at", "updated_at"]
    store.execute(
        f"INSERT INTO actions ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})",
        [uid, audit_id, *columns.values(), created, now],
    )


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
    store.db.conn.executemany(
        "INSERT OR IGNORE INTO audit_versions (audit_uid, content_hash, revision, origin, "
        "recorded_at) VALUES (?, ?, ?, ?, ?)",
        [(*version, now) for version in versions],
    )
