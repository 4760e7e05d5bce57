"""Pushing: this database's new work into the hub as packs, append-only.

"New" is every audit whose present content the hub does not hold yet (tracking.py): one
pack a programme (audits outside any programme in a pack of their own, which only QA leads
may push), made by the same :func:`export_pack` as a pack file, encrypted when a passphrase
is given. Pack files made earlier (``hub push FILE``) go in as they are. A pack whose
checksum the hub already has is stored once and said to be already in the hub.

Three steps, so that this database is never locked while the hub is being talked to (the
app's saves would wait): the packs are made (each in its own short read of this database),
then stored in one hub transaction, then what was pushed is recorded here in one short
write. The hub's transaction commits just before this database's: if the second fails, the
next push sends the same audits again in a new pack, which the merge then finds unchanged —
nothing is lost or doubled. An audit changed while a push runs goes in its pushed version;
its newer one is pushed next time (versions are recorded by content hash).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auditor.errors import MergeCancelledError
from auditor.hub.connection import connect
from auditor.hub.reporting import copy_payload, pseudonyms_of
from auditor.hub.schema import HUB, hub_facts
from auditor.hub.tracking import audits_to_push, record_pack, record_versions
from auditor.packs import Pack, export_pack, read_pack
from auditor.progress import Cancelled, Progress
from auditor.store import Store


@dataclass(frozen=True)
class PushSummary:
    packs_stored: int
    packs_already: int  # already in the hub (the same checksum)
    audits: int  # audits in the packs stored
    copied: int  # audits written to the reporting copy


def push_work(
    store: Store,
    url: str,
    *,
    actor: str,
    passphrase: str | None = None,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> PushSummary:
    """Push every audit the hub does not hold in its present version (see the module)."""
    step = progress or (lambda done, total: None)
    with connect(url) as conn:
        facts = hub_facts(conn)
        hub_uid, pseudonym = facts["hub_uid"], pseudonyms_of(facts)
        with tempfile.TemporaryDirectory() as folder:
            groups = audits_to_push(store, hub_uid)
            made = []
            for n, (programme_uid, uids) in enumerate(groups.items()):
                _check(cancelled)
                step(n, 2 * len(groups))
                path = Path(folder) / f"push-{n}.auditpack"
                export_pack(store, path, created_by=actor, audit_uids=uids, passphrase=passphrase)
                made.append((path.read_bytes(), read_pack(path, passphrase), programme_uid))
        results = _store_all(conn, made, pseudonym, cancelled, step)
        _record_all(store, hub_uid, [pack for _, pack, _ in made])
    step(1, 1)
    return _summary(results)


def push_files(
    store: Store,
    url: str,
    paths: Sequence[Path],
    *,
    passphrase: str | None = None,
) -> PushSummary:
    """Push pack files made earlier (e-mailed ones, say). Each is read and checked first,
    with ``passphrase`` for encrypted ones; its programme is the one its audits belong to
    (a pack of several programmes, or none, is the QA leads' alone)."""
    packs = [(path.read_bytes(), read_pack(path, passphrase)) for path in paths]
    made = []
    for data, pack in packs:
        programmes = {a["programme_uid"] for a in pack.audits}
        made.append((data, pack, next(iter(programmes)) if len(programmes) == 1 else None))
    with connect(url) as conn:
        facts = hub_facts(conn)
        results = _store_all(conn, made, pseudonyms_of(facts), None, None)
        _record_all(store, facts["hub_uid"], [pack for _, pack, _ in made])
    return _summary(results)


def _store_all(
    conn: Any,
    made: list[tuple[bytes, Pack, str | None]],
    pseudonym: Callable[[str], str] | None,
    cancelled: Cancelled | None,
    step: Progress | None,
) -> list[tuple[bool, int, int]]:
    """Every pack into the hub in one hub transaction (all or none)."""
    results = []
    with conn.transaction():
        for n, (data, pack, programme_uid) in enumerate(made):
            _check(cancelled)
            if step is not None:
                step(len(made) + n, 2 * len(made))
            results.append(_store(conn, data, pack, programme_uid, pseudonym))
        _check(cancelled)
    return results


def _record_all(store: Store, hub_uid: str, packs: list[Pack]) -> None:
    """What the hub now holds, recorded here in one short write."""
    with store.atomic():
        for pack in packs:
            _record(store, hub_uid, pack, "pushed")


def _check(cancelled: Cancelled | None) -> None:
    if cancelled is not None and cancelled():
        raise MergeCancelledError("The sync was cancelled: nothing was pushed.")


def _store(
    conn: Any,
    data: bytes,
    pack: Pack,
    programme_uid: str | None,
    pseudonym: Callable[[str], str] | None,
) -> tuple[bool, int, int]:
    """Insert one pack unless its checksum is there; copy it for reporting when new.
    Returns (stored, audits, audits copied)."""
    row = conn.execute(
        f"INSERT INTO {HUB}.packs (sha256, pack_id, programme_uid, origin, encrypted, audits, "
        "bytes) VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (sha256) DO NOTHING RETURNING id",
        [
            pack.checksum,
            pack.manifest.pack_id,
            programme_uid,
            pack.manifest.origin,
            pack.encrypted,
            len(pack.audits),
            data,
        ],
    ).fetchone()
    if row is None:
        return False, 0, 0
    return True, len(pack.audits), copy_payload(conn, pack.payload, pseudonym)


def _record(store: Store, hub_uid: str, pack: Pack, direction: str) -> None:
    record_pack(store, hub_uid, pack.checksum, pack.manifest.pack_id, direction)
    record_versions(store, hub_uid, [(a["uid"], a["content_hash"]) for a in pack.audits])


def _summary(results: list[tuple[bool, int, int]]) -> PushSummary:
    return PushSummary(
        packs_stored=sum(1 for stored, _, _ in results if stored),
        packs_already=sum(1 for stored, _, _ in results if not stored),
        audits=sum(n for _, n, _ in results),
        copied=sum(c for _, _, c in results),
    )
