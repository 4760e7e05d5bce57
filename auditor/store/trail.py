"""The audit trail: who changed what, when, from what to what. Append-only, hash-chained.

Each row's hash covers its content and the previous row's hash *of the same origin*
(the database that wrote it). An edit or deletion made outside the app breaks a chain,
and :func:`verify_trail` names the first row where it breaks. Chains are per origin so
that trails merged from several laptops (audit packs) still verify, each chain intact.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from auditor.clock import new_uid, now_utc
from auditor.store.db import Store

GENESIS = "0" * 64
_HASHED_FIELDS = (
    "uid",
    "origin",
    "seq",
    "at",
    "actor",
    "entity",
    "entity_uid",
    "audit_uid",
    "field",
    "old_value",
    "new_value",
    "reason",
    "prev_hash",
)


@dataclass(frozen=True)
class Change:
    """One field of one entity changed, ready to be written to the trail."""

    entity: str  # audit, answer, action, case, programme, moderation, framework
    entity_uid: str
    field: str
    old_value: Any
    new_value: Any
    audit_uid: str | None = None
    reason: str = ""


def row_hash(row: dict[str, Any]) -> str:
    """SHA-256 over the hashed fields in a fixed order (canonical JSON)."""
    payload = json.dumps(
        [row.get(k) for k in _HASHED_FIELDS], ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def record(store: Store, changes: Iterable[Change], *, actor: str) -> int:
    """Append ``changes`` to this database's chain. Call inside the writing transaction.

    Returns the number of rows written. Changes whose old and new value are equal are skipped.
    """
    rows = []
    with store.atomic():
        head = store.one("SELECT seq, hash FROM trail_heads WHERE origin = ?", [store.origin])
        seq, prev = (head["seq"], head["hash"]) if head else (0, GENESIS)
        at = now_utc()
        for change in changes:
            old, new = _text(change.old_value), _text(change.new_value)
            if old == new:
                continue
            seq += 1
            row = {
                "uid": new_uid(),
                "origin": store.origin,
                "seq": seq,
                "at": at,
                "actor": actor,
                "entity": change.entity,
                "entity_uid": change.entity_uid,
                "audit_uid": change.audit_uid,
                "field": change.field,
                "old_value": old,
                "new_value": new,
                "reason": change.reason,
                "prev_hash": prev,
            }
            row["hash"] = prev = row_hash(row)
            rows.append(row)
        if rows:
            _insert_rows(store, rows)
            _set_head(store, store.origin, seq, prev)
    return len(rows)


def _insert_rows(store: Store, rows: list[dict[str, Any]]) -> None:
    columns = (*_HASHED_FIELDS, "hash")
    store.db.conn.executemany(
        f"INSERT INTO trail ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})",
        [[r[c] for c in columns] for r in rows],
    )


def _set_head(store: Store, origin: str, seq: int, hash_: str) -> None:
    store.execute(
        "INSERT INTO trail_heads (origin, seq, hash) VALUES (?, ?, ?) "
        "ON CONFLICT (origin) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
        [origin, seq, hash_],
    )


def history(store: Store, audit_uid: str) -> list[dict[str, Any]]:
    """Every trail row about one audit (its answers, actions, moderation), oldest first."""
    return store.query(
        "SELECT at, actor, entity, entity_uid, field, old_value, new_value, reason, origin "
        "FROM trail WHERE audit_uid = ? ORDER BY at, origin, seq",
        [audit_uid],
    )


def verify_trail(store: Store) -> list[str]:
    """Check every origin's chain and head. Returns the problems found (empty: intact)."""
    problems: list[str] = []
    heads = {r["origin"]: r for r in store.query("SELECT origin, seq, hash FROM trail_heads")}
    origins = [r["origin"] for r in store.query("SELECT DISTINCT origin FROM trail")]
    for origin in sorted(set(origins) | set(heads)):
        problems.extend(_verify_chain(store, origin, heads.get(origin)))
    return problems


def _verify_chain(store: Store, origin: str, head: dict[str, Any] | None) -> list[str]:
    expected_seq, prev = 1, GENESIS
    cursor = store.execute(
        f"SELECT id, {', '.join(_HASHED_FIELDS)}, hash FROM trail WHERE origin = ? ORDER BY seq",
        [origin],
    )
    names = [d[0] for d in cursor.description]
    for values in cursor:
        row = dict(zip(names, values, strict=True))
        where = f"audit trail ({origin[:8]}…) row {row['seq']}"
        if row["seq"] != expected_seq:
            return [f"{where}: rows {expected_seq}–{row['seq'] - 1} are missing"]
        if row["prev_hash"] != prev:
            return [f"{where}: does not follow the row before it (a row was removed or replaced)"]
        if row_hash(row) != row["hash"]:
            return [f"{where}: was changed after it was written ({row['entity']} {row['field']})"]
        prev, expected_seq = row["hash"], expected_seq + 1
    last_seq = expected_seq - 1
    if head is None:
        return [f"audit trail ({origin[:8]}…): its record of the newest row is missing"]
    if head["seq"] != last_seq or head["hash"] != prev:
        return [
            f"audit trail ({origin[:8]}…): rows after {last_seq} were deleted "
            f"(expected {head['seq']})"
        ]
    return []
