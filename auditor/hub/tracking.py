"""What this database exchanged with a hub, kept in its own SQLite tables (migration 8):
the packs it pushed or merged, so none is pulled twice, and the audit versions the hub is
known to hold, so none is pushed twice. Keyed by the hub's id, not its address, so a hub
reached by another name is still the same hub."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable

from auditor.clock import now_utc
from auditor.packs.content import content_hash
from auditor.packs.plan import our_contents
from auditor.store import Store


def known_packs(store: Store, hub_uid: str) -> set[str]:
    """SHA-256 of every hub pack this database pushed or merged."""
    rows = store.query("SELECT sha256 FROM hub_packs WHERE hub_uid = ?", [hub_uid])
    return {r["sha256"] for r in rows}


def record_pack(store: Store, hub_uid: str, sha256: str, pack_id: str, direction: str) -> None:
    store.execute(
        "INSERT OR IGNORE INTO hub_packs (hub_uid, sha256, pack_id, direction, recorded_at) "
        "VALUES (?, ?, ?, ?, ?)",
        [hub_uid, sha256, pack_id, direction, now_utc()],
    )


def record_versions(store: Store, hub_uid: str, versions: Iterable[tuple[str, str]]) -> None:
    """The hub holds these (audit uid, content hash) pairs: they need no pushing."""
    store.conn.executemany(
        "INSERT OR IGNORE INTO hub_audit_versions (hub_uid, audit_uid, content_hash) "
        "VALUES (?, ?, ?)",
        [(hub_uid, uid, digest) for uid, digest in versions],
    )


def audits_to_push(store: Store, hub_uid: str) -> dict[str | None, list[str]]:
    """Audits whose present content the hub does not hold yet, by programme uid (None for
    audits outside any programme), in the order they were made here."""
    rows = store.query(
        "SELECT a.uid, p.uid AS programme_uid FROM audits a "
        "LEFT JOIN programmes p ON p.id = a.programme_id ORDER BY a.id"
    )
    if not rows:
        return {}
    contents = our_contents(store, [r["uid"] for r in rows])
    held = {
        (r["audit_uid"], r["content_hash"])
        for r in store.query(
            "SELECT audit_uid, content_hash FROM hub_audit_versions WHERE hub_uid = ?", [hub_uid]
        )
    }
    groups: dict[str | None, list[str]] = defaultdict(list)
    for row in rows:
        digest = content_hash(contents[row["uid"]][1])
        if (row["uid"], digest) not in held:
            groups[row["programme_uid"]].append(row["uid"])
    return dict(groups)


def pushed_and_pulled(store: Store, hub_uid: str) -> dict[str, int]:
    rows = store.query(
        "SELECT direction, count(*) AS n FROM hub_packs WHERE hub_uid = ? GROUP BY direction",
        [hub_uid],
    )
    counts = {"pushed": 0, "pulled": 0}
    counts.update({r["direction"]: r["n"] for r in rows})
    return counts


def as_json(values: Iterable[str]) -> str:
    return json.dumps(sorted(values))
