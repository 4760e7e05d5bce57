"""Blind double audits: a share of a programme's cases audited twice, independently.

The programme's ``double_audit_percent`` says how many of its sampled cases get a second
auditor; :func:`assign_double_audits` chooses them reproducibly (the seed is kept in the
programme's ``sample_json``). The second audit is started blind. Until both audits of a pair
are submitted, neither auditor may see the other's answers (:func:`visible_answers`); packs
made for an auditor only ever carry that auditor's own audits.
"""

from __future__ import annotations

import json
import random
import secrets
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from auditor.audits.records import Answer, audit_row, get_audit, start_audit
from auditor.domain import AuditStatus
from auditor.errors import BlindAuditError, NotFoundError, ValidationError
from auditor.programmes.records import get_programme
from auditor.store import Store
from auditor.store.trail import Change, record


def assign_double_audits(
    store: Store, programme_uid: str, *, actor: str, seed: int | None = None
) -> list[str]:
    """Give ``double_audit_percent`` of the programme's assigned cases a second auditor
    (another of the programme's auditors). The same seed chooses the same cases. Returns
    the uids of the cases chosen."""
    programme = get_programme(store, programme_uid)
    if programme.double_audit_percent <= 0:
        raise ValidationError("this programme asks for no double audits")
    rows = store.query(
        "SELECT pc.id, pc.auditor, pc.second_auditor, c.uid FROM programme_cases pc "
        "JOIN cases c ON c.id = pc.case_id WHERE pc.programme_id = ? AND pc.auditor != '' "
        "ORDER BY c.reference",
        [programme.id],
    )
    if any(r["second_auditor"] for r in rows):
        raise ValidationError("double audits are already assigned in this programme")
    if len(set(programme.auditors)) < 2:
        raise ValidationError("a double audit needs at least two auditors in the programme")
    seed = secrets.randbelow(2**31) if seed is None else seed
    rng = random.Random(seed)
    share = max(1, round(len(rows) * programme.double_audit_percent / 100)) if rows else 0
    chosen = sorted(rng.sample(rows, share), key=lambda r: r["id"])
    with store.atomic():
        for row in chosen:
            others = sorted(a for a in programme.auditors if a != row["auditor"])
            store.execute(
                "UPDATE programme_cases SET second_auditor = ? WHERE id = ?",
                [rng.choice(others), row["id"]],
            )
        # Read inside the transaction: a draw saved meanwhile elsewhere is kept.
        text = store.scalar("SELECT sample_json FROM programmes WHERE id = ?", [programme.id])
        sample = json.loads(text) if text else {}
        sample["double_audit"] = {"percent": programme.double_audit_percent, "seed": seed}
        store.execute(
            "UPDATE programmes SET sample_json = ? WHERE id = ?",
            [json.dumps(sample), programme.id],
        )
        text = f"{share} of {len(rows)} cases (seed {seed})"
        record(
            store, [Change("programme", programme_uid, "double_audits", None, text)], actor=actor
        )
    return [r["uid"] for r in chosen]


def start_programme_audit(
    store: Store,
    *,
    programme_uid: str,
    case_uid: str,
    auditor: str,
    audit_date: date | None = None,
) -> str:
    """Start the audit of a sampled case by its assigned auditor (first or second); the
    second auditor's audit of a double-audited case is blind. Returns its uid."""
    programme = get_programme(store, programme_uid)
    row = store.one(
        "SELECT pc.auditor, pc.second_auditor, c.reference FROM programme_cases pc "
        "JOIN cases c ON c.id = pc.case_id WHERE pc.programme_id = ? AND c.uid = ?",
        [programme.id, case_uid],
    )
    if row is None:
        raise NotFoundError("this case is not in the programme's sample")
    if auditor.strip() not in (row["auditor"], row["second_auditor"]):
        raise ValidationError(f"case {row['reference']} is not assigned to {auditor.strip()}")
    if _started_audit(store, programme.id, case_uid, auditor):
        raise ValidationError(f"{auditor.strip()} has already started this case's audit")
    return start_audit(
        store,
        case_uid=case_uid,
        auditor=auditor,
        framework_code=programme.framework_code,
        framework_version=programme.framework_version,
        programme_uid=programme_uid,
        audit_date=audit_date,
        blind=auditor.strip() == row["second_auditor"],
    )


def programmes_assigning(store: Store, *, case_uid: str, auditor: str) -> list[str]:
    """The programmes (uids, newest first) whose sample gives this case to ``auditor``, as
    its first or second auditor: the programmes an audit of it by them belongs to."""
    rows = store.query(
        "SELECT p.uid FROM programme_cases pc JOIN programmes p ON p.id = pc.programme_id "
        "JOIN cases c ON c.id = pc.case_id WHERE c.uid = ? AND ? IN (pc.auditor, "
        "pc.second_auditor) ORDER BY p.period_start DESC, p.id DESC",
        [case_uid, auditor.strip()],
    )
    return [r["uid"] for r in rows]


def open_programme_audit(
    store: Store,
    *,
    programme_uid: str,
    case_uid: str,
    auditor: str,
    audit_date: date | None = None,
) -> str:
    """The auditor's audit of a case in the programme's sample: the one already started,
    else a new one (blind for the second auditor of a double audit). Returns its uid."""
    existing = _started_audit(store, get_programme(store, programme_uid).id, case_uid, auditor)
    if existing is not None:
        return existing
    return start_programme_audit(
        store,
        programme_uid=programme_uid,
        case_uid=case_uid,
        auditor=auditor,
        audit_date=audit_date,
    )


def _started_audit(store: Store, programme_id: int, case_uid: str, auditor: str) -> str | None:
    """The uid of ``auditor``'s (undeleted) audit of the case in the programme, if any."""
    uid = store.scalar(
        "SELECT a.uid FROM audits a JOIN cases c ON c.id = a.case_id WHERE a.programme_id = ? "
        "AND c.uid = ? AND a.auditor = ? AND a.deleted_at IS NULL ORDER BY a.id DESC LIMIT 1",
        [programme_id, case_uid, auditor.strip()],
    )
    return str(uid) if uid else None


def _pair(store: Store, audit_uid: str) -> tuple[dict[str, Any], str, str] | None:
    """The audit's row and the two auditors of its double audit, if it is one."""
    row = audit_row(store, audit_uid)
    pair = store.one(
        "SELECT auditor, second_auditor FROM programme_cases "
        "WHERE programme_id = ? AND case_id = ? AND second_auditor != ''",
        [row["programme_id"], row["case_id"]],
    )
    if pair is None or row["auditor"] not in (pair["auditor"], pair["second_auditor"]):
        return None
    return row, pair["auditor"], pair["second_auditor"]


def double_audit_partner(store: Store, audit_uid: str) -> str | None:
    """The uid of the other audit of a blind double audit (None: not one, or not started)."""
    found = _pair(store, audit_uid)
    if found is None:
        return None
    row, first, second = found
    other = second if row["auditor"] == first else first
    partner = store.scalar(
        "SELECT uid FROM audits WHERE programme_id = ? AND case_id = ? AND auditor = ? "
        "AND deleted_at IS NULL ORDER BY id LIMIT 1",
        [row["programme_id"], row["case_id"], other],
    )
    return None if partner is None else str(partner)


def answers_hidden_from(store: Store, audit_uid: str, *, viewer: str) -> bool:
    """True while ``viewer`` is the other auditor of this audit's double audit and the two
    audits are not both submitted (or further). Anyone else (a QA lead) may see them."""
    found = _pair(store, audit_uid)
    if found is None:
        return False
    row, first, second = found
    partner = double_audit_partner(store, audit_uid)
    partner_status = audit_row(store, partner)["status"] if partner else AuditStatus.DRAFT
    return _hidden(first, second, row["auditor"], row["status"], viewer, partner_status)


def arriving_audits_hidden_from(
    store: Store, audits: Iterable[Mapping[str, Any]], *, viewer: str
) -> set[tuple[str, str]]:
    """The same rule for audits arriving from outside (packs pulled from the team hub, their
    fields as the packs give them), before they are merged: (uid, status) of the versions
    ``viewer`` may not see yet, as the other auditor of that case's blind double audit in this
    database's programme while either audit is still a draft (or the viewer's is not
    started). The viewer's double audits are read once, not once an audit."""
    pairs = {
        (r["programme_uid"], r["case_uid"]): r
        for r in store.query(
            "SELECT p.uid AS programme_uid, c.uid AS case_uid, pc.programme_id, pc.case_id, "
            "pc.auditor, pc.second_auditor FROM programme_cases pc "
            "JOIN programmes p ON p.id = pc.programme_id JOIN cases c ON c.id = pc.case_id "
            "WHERE pc.second_auditor != '' AND ? IN (pc.auditor, pc.second_auditor)",
            [viewer.strip()],
        )
    }
    hidden: set[tuple[str, str]] = set()
    for audit in audits:
        pair = pairs.get((audit.get("programme_uid"), audit.get("case_uid")))
        if pair is None:
            continue
        own = store.scalar(
            "SELECT status FROM audits WHERE programme_id = ? AND case_id = ? AND auditor = ? "
            "AND deleted_at IS NULL ORDER BY id LIMIT 1",
            [pair["programme_id"], pair["case_id"], viewer.strip()],
        )
        given = status = str(audit.get("status", ""))
        if status == AuditStatus.DRAFT:  # an old pack of an audit held here since submitted
            held_here = store.scalar("SELECT status FROM audits WHERE uid = ?", [audit["uid"]])
            status = held_here or status
        if _hidden(pair["auditor"], pair["second_auditor"], str(audit.get("auditor", "")),
                   status, viewer, own or AuditStatus.DRAFT):  # fmt: skip
            hidden.add((str(audit["uid"]), given))
    return hidden


def _hidden(first: str, second: str, auditor: str, status: str, viewer: str,
            viewers_status: str) -> bool:  # fmt: skip
    """The one rule: the other auditor of a pair does not see an audit while either of the
    two is a draft."""
    who = viewer.strip().casefold()
    if who == auditor.casefold() or who not in (first.casefold(), second.casefold()):
        return False
    if auditor.casefold() not in (first.casefold(), second.casefold()):
        return False
    return AuditStatus.DRAFT in (status, viewers_status)


def visible_answers(store: Store, audit_uid: str, *, viewer: str) -> Mapping[str, Answer]:
    """The audit's answers as ``viewer`` may see them; raises :class:`BlindAuditError` while
    they are hidden from the other auditor of a blind double audit."""
    if answers_hidden_from(store, audit_uid, viewer=viewer):
        raise BlindAuditError(
            "This is a blind double audit: the other auditor's answers stay hidden until "
            "both audits are submitted."
        )
    return get_audit(store, audit_uid).answers
