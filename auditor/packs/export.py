"""Making audit packs: an auditor's work coming back, or work sent out to an auditor.

A pack holds the chosen audits (tombstones too, so deletions travel) with their answers,
actions and moderations, the cases and programmes behind them, the framework versions they
use (whole, so an empty laptop can start), and the audit trail rows about all of these. Trail
rows about anything else are replaced by gaps, so the chains still verify without carrying
other people's work. Each exported audit's content hash is remembered as a version both sides
now know: the next pack coming back is compared with it to tell updates from conflicts.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auditor import __version__
from auditor.clock import new_uid, now_utc
from auditor.errors import NotFoundError, StoreError, ValidationError
from auditor.packs.content import audit_content, content_hash
from auditor.packs.pack import FrameworkRef, Manifest, counts, write_pack
from auditor.progress import Progress
from auditor.store import Store
from auditor.store.anchor import head_anchor
from auditor.store.trail import chain_gaps, rows_about

_AUDIT_COLUMNS = (
    "uid, framework_code, framework_version, case_type, auditor, status, audit_date, "
    "suggested_grade, compliance, final_grade, grade_reason, strengths, improvements, feedback, "
    "safeguarding_concern, safeguarding_note, blind, revision, created_at, updated_at, "
    "submitted_at, moderated_at, finalised_at, deleted_at"
)
_IN = "IN (SELECT value FROM json_each(?))"


@dataclass(frozen=True)
class PackSummary:
    """What a new pack file holds."""

    path: Path
    pack_id: str
    kind: str
    encrypted: bool
    counts: Mapping[str, int]
    frameworks: tuple[str, ...]  # "IN-CFA 1.0.0"
    checksum: str  # SHA-256 of the whole file
    size: int  # bytes


def export_pack(
    store: Store,
    path: Path | str,
    *,
    created_by: str,
    programme_uid: str | None = None,
    auditor: str | None = None,
    audit_uids: Sequence[str] | None = None,
    passphrase: str | None = None,
    progress: Progress | None = None,
    scrypt_n: int | None = None,
) -> PackSummary:
    """Write a pack of audits to ``path``: all of them, or those of a programme, of one
    auditor, or with the given uids (filters combine). With ``passphrase`` the pack is
    encrypted. ``progress(done, total)`` is called as the work goes on."""
    return _export(
        store,
        Path(path),
        created_by=created_by,
        kind="work",
        scope={"programme_uid": programme_uid, "auditor": auditor, "audit_uids": audit_uids},
        passphrase=passphrase,
        progress=progress,
        scrypt_n=scrypt_n,
    )


def make_assignment_pack(
    store: Store,
    path: Path | str,
    *,
    created_by: str,
    programme_uid: str,
    auditor: str,
    passphrase: str | None = None,
    progress: Progress | None = None,
    scrypt_n: int | None = None,
) -> PackSummary:
    """Write a pack sending work out: the programme, the cases assigned to ``auditor`` (as
    first or second auditor), the framework, and any audits of theirs already started (a
    draft returned to them, say). Never another auditor's audit: a blind double audit stays
    blind. An auditor with an empty database can import it and start."""
    if not auditor.strip():
        raise ValidationError("say which auditor the work is for")
    known = store.scalar(
        "SELECT 1 FROM programme_cases pc JOIN programmes p ON p.id = pc.programme_id "
        "WHERE p.uid = ? AND ? IN (pc.auditor, pc.second_auditor)",
        [programme_uid, auditor.strip()],
    )
    if not known:
        raise ValidationError(f"no case of this programme is assigned to {auditor.strip()}")
    return _export(
        store,
        Path(path),
        created_by=created_by,
        kind="assignment",
        scope={"programme_uid": programme_uid, "auditor": auditor.strip(), "audit_uids": None},
        passphrase=passphrase,
        progress=progress,
        scrypt_n=scrypt_n,
    )


def _export(
    store: Store,
    path: Path,
    *,
    created_by: str,
    kind: str,
    scope: dict[str, Any],
    passphrase: str | None,
    progress: Progress | None,
    scrypt_n: int | None,
) -> PackSummary:
    if not created_by.strip():
        raise ValidationError("say who is making the pack")
    step = progress or (lambda done, total: None)
    with store.atomic():
        step(0, 4)
        payload = collect_payload(store, **scope)
        anchor = head_anchor(store)
        step(2, 4)
    frameworks = tuple(
        FrameworkRef(f["code"], f["version"], f["sha256"]) for f in payload["frameworks"]
    )
    payload_bytes = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    manifest = Manifest(
        format_version=1,
        pack_id=new_uid(),
        kind=kind,
        app_version=__version__,
        created_at=now_utc(),
        created_by=created_by.strip(),
        origin=store.origin,
        scope={k: v for k, v in scope.items() if v},
        frameworks=frameworks,
        counts=counts(payload),
        payload_sha256=_sha256(payload_bytes),
        trail_anchor=anchor.to_json() if anchor else None,
    )
    checksum = write_pack(path, manifest, payload_bytes, passphrase=passphrase, scrypt_n=scrypt_n)
    step(4, 4)
    return PackSummary(
        path=path,
        pack_id=manifest.pack_id,
        kind=kind,
        encrypted=passphrase is not None,
        counts=manifest.counts,
        frameworks=tuple(f"{f.code} {f.version}" for f in frameworks),
        checksum=checksum,
        size=path.stat().st_size,
    )


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# -- collecting ------------------------------------------------------------------------


def collect_payload(
    store: Store,
    *,
    programme_uid: str | None = None,
    auditor: str | None = None,
    audit_uids: Sequence[str] | None = None,
) -> dict[str, Any]:
    """The payload of a pack (see ``docs/audit-pack-format.md``). Call inside a transaction:
    it records the exported audits' versions."""
    everything = programme_uid is None and auditor is None and audit_uids is None
    if programme_uid and not store.scalar(
        "SELECT 1 FROM programmes WHERE uid = ?", [programme_uid]
    ):
        raise NotFoundError(f"no programme with id {programme_uid}")
    audits = _audits(store, programme_uid, auditor, audit_uids)
    programme_ids = {a["programme_id"] for a in audits if a["programme_id"]}
    if programme_uid:
        programme_ids.add(store.scalar("SELECT id FROM programmes WHERE uid = ?", [programme_uid]))
    sample = _sample(store, programme_ids, auditor, {a["case_id"] for a in audits}, everything)
    case_ids = {a["case_id"] for a in audits} | {s["case_id"] for s in sample}
    cases = _by_ids(store, "cases", None if everything else case_ids)
    programmes = _programmes(store, None if everything else programme_ids)
    records = _audit_records(store, audits)
    scope = [a["uid"] for a in records] + [c["uid"] for c in cases]
    scope += [p["uid"] for p in programmes]
    trail, heads, gaps = _trail(store, scope)
    return {
        "frameworks": _frameworks(store, records, programmes),
        "cases": cases,
        "programmes": programmes,
        "programme_cases": [_public(s) for s in sample],
        "audits": records,
        "trail": trail,
        "trail_heads": heads,
        "trail_gaps": gaps,
    }


def _json_list(values: Iterable[Any]) -> str:
    return json.dumps(sorted(values, key=str))


def _audits(
    store: Store,
    programme_uid: str | None,
    auditor: str | None,
    audit_uids: Sequence[str] | None,
) -> list[dict[str, Any]]:
    where, params = ["1 = 1"], []
    if programme_uid:
        where.append("p.uid = ?")
        params.append(programme_uid)
    if auditor:
        where.append("a.auditor = ?")
        params.append(auditor)
    if audit_uids is not None:
        where.append(f"a.uid {_IN}")
        params.append(_json_list(audit_uids))
    return store.query(
        f"SELECT a.id, a.case_id, a.programme_id, c.uid AS case_uid, p.uid AS programme_uid, "
        f"{', '.join('a.' + c.strip() for c in _AUDIT_COLUMNS.split(','))} FROM audits a "
        "JOIN cases c ON c.id = a.case_id LEFT JOIN programmes p ON p.id = a.programme_id "
        f"WHERE {' AND '.join(where)} ORDER BY a.id",
        params,
    )


def _sample(
    store: Store, programme_ids: set[int], auditor: str | None, case_ids: set[int], all_: bool
) -> list[dict[str, Any]]:
    rows = store.query(
        "SELECT pc.*, p.uid AS programme_uid, c.uid AS case_uid FROM programme_cases pc "
        "JOIN programmes p ON p.id = pc.programme_id JOIN cases c ON c.id = pc.case_id "
        + ("" if all_ else f"WHERE pc.programme_id {_IN} ")
        + "ORDER BY pc.id",
        [] if all_ else [_json_list(programme_ids)],
    )
    if all_ or not auditor:
        return rows
    return [
        r
        for r in rows
        if auditor in (r["auditor"], r["second_auditor"]) or r["case_id"] in case_ids
    ]


# A moderation's judged pairs as one text and as marks, kept here for the figures
# (auditor/store/summaries.py): made from its answers, which travel.
_KEPT_HERE = ("judged", "marks")


def _public(row: Mapping[str, Any], leave_out: tuple[str, ...] = ()) -> dict[str, Any]:
    """A row without its local ids (uids travel; ids are this database's own) and without
    ``leave_out``."""
    return {
        k: v for k, v in row.items() if k != "id" and not k.endswith("_id") and k not in leave_out
    }


def _by_ids(store: Store, table: str, ids: set[int] | None) -> list[dict[str, Any]]:
    if ids is None:
        rows = store.query(f"SELECT * FROM {table} ORDER BY id")
    else:
        rows = store.query(f"SELECT * FROM {table} WHERE id {_IN} ORDER BY id", [_json_list(ids)])
    return [_public(r) for r in rows]


def _programmes(store: Store, ids: set[int] | None) -> list[dict[str, Any]]:
    auditors: dict[int, list[str]] = defaultdict(list)
    for row in store.query("SELECT programme_id, auditor FROM programme_auditors ORDER BY auditor"):
        auditors[row["programme_id"]].append(row["auditor"])
    where = "" if ids is None else f"WHERE id {_IN}"
    rows = store.query(
        f"SELECT * FROM programmes {where} ORDER BY id", [] if ids is None else [_json_list(ids)]
    )
    return [{**_public(r), "auditors": auditors[r["id"]]} for r in rows]


def _children(store: Store, table: str, audit_ids: str) -> dict[int, list[dict[str, Any]]]:
    grouped: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in store.query(f"SELECT * FROM {table} WHERE audit_id {_IN} ORDER BY id", [audit_ids]):
        grouped[row["audit_id"]].append(row)
    return grouped


def _audit_records(store: Store, audits: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each audit with its answers, actions, moderations, content hash and known versions."""
    ids = _json_list(a["id"] for a in audits)
    answers, actions = _children(store, "answers", ids), _children(store, "actions", ids)
    moderations = _children(store, "moderations", ids)
    moderation_answers: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in store.query(
        "SELECT * FROM moderation_answers WHERE moderation_id IN (SELECT id FROM moderations "
        f"WHERE audit_id {_IN}) ORDER BY criterion_code",
        [ids],
    ):
        moderation_answers[row.pop("moderation_id")].append(row)
    records = []
    for audit in audits:
        record = _public(audit)
        record["answers"] = [_public(r) for r in answers[audit["id"]]]
        record["actions"] = [_public(r) for r in actions[audit["id"]]]
        record["moderations"] = [
            {**_public(m, leave_out=_KEPT_HERE), "answers": moderation_answers[m["id"]]}
            for m in moderations[audit["id"]]
        ]
        record["content_hash"] = content_hash(
            audit_content(audit, record["answers"], record["actions"])
        )
        records.append(record)
    _remember_versions(store, records)
    return records


def _remember_versions(store: Store, records: list[dict[str, Any]]) -> None:
    """The exported versions become versions both sides know; each record lists its own."""
    now = now_utc()
    store.conn.executemany(
        "INSERT OR IGNORE INTO audit_versions (audit_uid, content_hash, revision, origin, "
        "recorded_at) VALUES (?, ?, ?, ?, ?)",
        [(r["uid"], r["content_hash"], r["revision"], store.origin, now) for r in records],
    )
    versions: dict[str, list[str]] = defaultdict(list)
    for row in store.query(
        f"SELECT audit_uid, content_hash FROM audit_versions WHERE audit_uid {_IN} "
        "ORDER BY recorded_at, content_hash",
        [_json_list(r["uid"] for r in records)],
    ):
        versions[row["audit_uid"]].append(row["content_hash"])
    for record in records:
        record["versions"] = versions[record["uid"]]


def _frameworks(
    store: Store, audits: list[dict[str, Any]], programmes: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    used = {(a["framework_code"], a["framework_version"]) for a in audits}
    used |= {(p["framework_code"], p["framework_version"]) for p in programmes}
    rows = [
        store.one(
            "SELECT code, version, title, sha256, source_text FROM frameworks "
            "WHERE code = ? AND version = ?",
            [code, version],
        )
        for code, version in sorted(used)
    ]
    return [r for r in rows if r is not None]


def _trail(
    store: Store, scope: list[str]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Trail rows about anything in ``scope`` (uids), whole chains per origin with gaps
    standing for the rows about other things."""
    # A row about an audit's answer, action or moderation carries the audit's uid, and one
    # about an audit itself carries it twice: rows with an audit are found by it, the rest
    # (cases, programmes) by what they are about; by index, not by reading the whole trail.
    rows = rows_about(store, scope, scope)
    by_origin: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_origin[row["origin"]].append(row)
    heads, gaps = [], []
    for origin, chain in by_origin.items():
        head = store.one("SELECT origin, seq, hash FROM trail_heads WHERE origin = ?", [origin])
        if head is None:
            raise StoreError(
                "The audit trail of this database is damaged (a chain has no head): run "
                "'case-auditor verify' and restore from a backup before making packs."
            )
        heads.append(head)
        links = {r["seq"]: (r["prev_hash"], r["hash"]) for r in chain}
        for gap in chain_gaps(links, (head["seq"], head["hash"])):
            gaps.append(
                {
                    "origin": origin,
                    "first_seq": gap["seq"],
                    "last_seq": gap["last_seq"],
                    "prev_hash": gap["prev_hash"],
                    "hash": gap["hash"],
                }
            )
    return rows, heads, gaps
