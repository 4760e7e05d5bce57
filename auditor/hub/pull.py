"""Pulling: the hub's packs this database has not merged, merged by the one merge.

Every pack the hub lets this person see (row-level security decides) and this database has
neither pushed nor merged is fetched first, whole, with the connection then closed; only
then are they merged by :func:`merge_packs`, all in one transaction that also records them
as merged. A hub lost while fetching leaves this database as it was; a conflict is kept for
a person, exactly as with pack files (``list_conflicts``, the app's conflicts screen).
Encrypted packs need the passphrase they were made with; without it they wait in the hub.
A pack that would show an auditor the other half of a blind double audit before both are
submitted waits in the hub too, and is merged by the first pull after.
"""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auditor.errors import (
    MergeCancelledError,
    PackAuthenticationError,
    PackDamagedError,
    PassphraseRequiredError,
)
from auditor.hub.connection import connect
from auditor.hub.schema import HUB, hub_facts
from auditor.hub.tracking import known_packs, record_pack, record_versions
from auditor.packs import MergeSummary, Pack, merge_packs, read_header, read_pack
from auditor.programmes.double_audit import arriving_audits_hidden_from
from auditor.progress import Cancelled, Progress
from auditor.store import Store

# Why a pack waits in the hub (PullSummary.held), in the words the command and the app use.
HELD_REASON = (
    "the other auditor's half of a blind double audit, merged once both audits are submitted."
)


@dataclass(frozen=True)
class HubPack:
    """A pack waiting in the hub, as listed (without its bytes)."""

    id: int
    sha256: str
    programme_uid: str | None
    encrypted: bool
    audits: int
    pushed_by: str
    pushed_at: str


@dataclass(frozen=True)
class PullSummary:
    merged: tuple[MergeSummary, ...]
    locked: int  # encrypted packs left in the hub: no (or another) passphrase
    held: int = 0  # packs left in the hub while they would show a blind double audit

    @property
    def conflicts_kept(self) -> int:
        return sum(len(s.conflicts_kept) for s in self.merged)

    @property
    def audits(self) -> int:
        return sum(s.added + s.updated + s.deleted for s in self.merged)


def waiting_packs(conn: Any, store: Store, hub_uid: str) -> list[HubPack]:
    """The hub's packs visible to this person that this database has not pushed or merged."""
    known = known_packs(store, hub_uid)
    rows = conn.execute(
        f"SELECT id, sha256, programme_uid, encrypted, audits, pushed_by, pushed_at "
        f"FROM {HUB}.packs ORDER BY id"
    ).fetchall()
    return [
        HubPack(
            id=row[0],
            sha256=row[1],
            programme_uid=row[2],
            encrypted=row[3],
            audits=row[4],
            pushed_by=row[5],
            pushed_at=row[6].isoformat(),
        )
        for row in rows
        if row[1] not in known
    ]


def pull(
    store: Store,
    url: str,
    *,
    actor: str,
    passphrase: str | None = None,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> PullSummary:
    """Fetch and merge the waiting packs (see the module). ``progress(done, total)`` counts
    packs fetched, then audits merged."""
    step = progress or (lambda done, total: None)
    with tempfile.TemporaryDirectory() as folder:
        with connect(url) as conn:
            hub_uid = hub_facts(conn)["hub_uid"]
            waiting = waiting_packs(conn, store, hub_uid)
            files = []
            for n, listed in enumerate(waiting):
                step(n, len(waiting))
                if cancelled is not None and cancelled():
                    raise MergeCancelledError("The sync was cancelled: nothing was merged.")
                files.append(_fetch(conn, listed, Path(folder)))
            step(len(waiting), len(waiting))
        packs, locked = _readable(files, passphrase)
        packs, held = _not_blind_breaking(store, packs, actor)
        with store.atomic():
            merged = merge_packs(
                store, packs, actor=actor, progress=progress, cancelled=cancelled
            ) if packs else []  # fmt: skip
            for pack in packs:
                record_pack(store, hub_uid, pack.checksum, pack.manifest.pack_id, "pulled")
                record_versions(
                    store, hub_uid, [(a["uid"], a["content_hash"]) for a in pack.audits]
                )
    return PullSummary(tuple(merged), locked, held)


def _fetch(conn: Any, listed: HubPack, folder: Path) -> Path:
    row = conn.execute(f"SELECT bytes FROM {HUB}.packs WHERE id = %s", [listed.id]).fetchone()
    # Named for messages: a refused pack is named by who pushed it and its place in the hub.
    path = folder / f"hub pack {listed.id} from {listed.pushed_by}.auditpack"
    data = bytes(row[0])
    if hashlib.sha256(data).hexdigest() != listed.sha256:
        raise PackDamagedError(f"{path.name} does not match its checksum in the hub")
    path.write_bytes(data)
    return path


def _not_blind_breaking(store: Store, packs: list[Pack], viewer: str) -> tuple[list[Pack], int]:
    """The packs ``viewer`` may merge now: one carrying the other auditor's audit of a blind
    double audit waits in the hub (not merged, not recorded) until both are submitted, as
    a pack file made for an auditor never carries it (auditor/programmes/double_audit.py)."""
    hidden = arriving_audits_hidden_from(
        store, (a for pack in packs for a in pack.audits), viewer=viewer
    )
    kept = [
        pack for pack in packs if not any((a["uid"], a["status"]) in hidden for a in pack.audits)
    ]
    return kept, len(packs) - len(kept)


def _readable(files: list[Path], passphrase: str | None) -> tuple[list[Pack], int]:
    packs, locked = [], 0
    for path in files:
        if read_header(path).encrypted and passphrase is None:
            locked += 1
            continue
        try:
            packs.append(read_pack(path, passphrase))
        except (PassphraseRequiredError, PackAuthenticationError):
            locked += 1  # made with another passphrase: it waits for someone who has it
    return packs, locked
