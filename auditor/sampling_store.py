"""A programme's sample in the database: candidates for a draw, saving a draw with its record,
assigning cases to auditors (evenly or by hand) and each auditor's list.

The draw itself is pure (:mod:`auditor.sampling`), so a screen can preview it before saving.
``programmes.sample_json`` keeps every draw made for the programme::

    {"draws": [{"method": ..., "parameters": ..., "seed": ..., "population": ...,
                "sample": [...], "drawn_at": ..., "drawn_by": ...}, ...]}
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from auditor.clock import new_uid, now_utc, parse_date
from auditor.errors import NotFoundError, ValidationError
from auditor.programmes import Programme, find_programme, get_programme
from auditor.sampling import (
    Candidate,
    Sample,
    SampleSpec,
    draw_sample,
    population_fingerprint,
    redraw,
)
from auditor.sampling_assign import assign_evenly
from auditor.store import Store
from auditor.store.trail import Change, record


@dataclass(frozen=True)
class ProgrammeCase:
    """A case in a programme's sample, with who audits it and how far its audit has got."""

    case_uid: str
    reference: str
    case_type: str
    team: str
    worker: str
    closed_date: date | None
    auditor: str
    second_auditor: str
    audit_status: str | None


def load_candidates(store: Store) -> list[Candidate]:
    """Every case, with the date of its latest audit (deleted audits do not count)."""
    rows = store.execute(
        "SELECT c.uid, c.reference, c.case_type, c.team, c.closed_date, MAX(a.audit_date) "
        "FROM cases c LEFT JOIN audits a ON a.case_id = c.id AND a.deleted_at IS NULL "
        "GROUP BY c.id"
    ).fetchall()
    return [
        Candidate(uid, ref, case_type, team, parse_date(closed), parse_date(audited))
        for uid, ref, case_type, team, closed, audited in rows
    ]


def sampled_case_uids(store: Store, programme_uid: str) -> set[str]:
    return {
        r["uid"]
        for r in store.query(
            "SELECT c.uid FROM programme_cases pc JOIN cases c ON c.id = pc.case_id "
            "JOIN programmes p ON p.id = pc.programme_id WHERE p.uid = ?",
            [programme_uid],
        )
    }


def draw_for_programme(store: Store, programme_uid: str, spec: SampleSpec) -> Sample:
    """Draw (without saving) from every case not already in the programme's sample."""
    get_programme(store, programme_uid)
    return draw_sample(
        load_candidates(store), spec, already_sampled=sampled_case_uids(store, programme_uid)
    )


def save_sample(
    store: Store,
    programme_uid: str,
    sample: Sample,
    *,
    actor: str,
    auditors: Sequence[str] | None = None,
    assignment: Mapping[str, str] | None = None,
) -> int:
    """Add a drawn sample to a programme, in one transaction, and record how it was drawn.

    Cases go to ``assignment`` (case uid → auditor) when given, else are shared evenly among
    ``auditors`` (default: the programme's auditors; none leaves them unassigned). Auditors
    named here who are not yet on the programme are added to it. Returns the cases added.
    """
    programme = get_programme(store, programme_uid)
    names = [a.strip() for a in (auditors or programme.auditors) if a.strip()]
    if assignment is None:
        load = _load(store, programme)
        assignment = assign_evenly(sample.cases, names, current_load=load) if names else {}
    draw = {**sample.record(), "drawn_at": now_utc(), "drawn_by": actor}
    with store.atomic():
        add_auditors(store, programme_uid, [*names, *assignment.values()], actor=actor)
        rows = [
            (new_uid(), programme.id, assignment.get(c.uid, ""), now_utc(), c.uid)
            for c in sample.cases
        ]
        before = store.scalar(
            "SELECT COUNT(*) FROM programme_cases WHERE programme_id = ?", [programme.id]
        )
        store.db.conn.executemany(
            "INSERT OR IGNORE INTO programme_cases (uid, programme_id, case_id, auditor, "
            "added_at) SELECT ?, ?, id, ?, ? FROM cases WHERE uid = ?",
            rows,
        )
        added = int(
            store.scalar(
                "SELECT COUNT(*) FROM programme_cases WHERE programme_id = ?", [programme.id]
            )
        ) - int(before)
        _append_draw(store, programme, draw)
        record(store, _draw_changes(programme_uid, sample, assignment), actor=actor)
    return added


def _load(store: Store, programme: Programme) -> dict[str, int]:
    rows = store.query(
        "SELECT auditor, COUNT(*) AS n FROM programme_cases WHERE programme_id = ? "
        "GROUP BY auditor",
        [programme.id],
    )
    return {r["auditor"]: r["n"] for r in rows}


def _append_draw(store: Store, programme: Programme, draw: dict[str, Any]) -> None:
    """Read inside the writing transaction: a draw saved meanwhile elsewhere is kept."""
    text = store.scalar("SELECT sample_json FROM programmes WHERE id = ?", [programme.id])
    current = json.loads(text) if text else {}
    # Keep what else is recorded there (the double audits' seed): only the draws grow.
    updated = {**current, "draws": [*current.get("draws", []), draw]}
    store.execute(
        "UPDATE programmes SET sample_json = ?, updated_at = ? WHERE id = ?",
        [json.dumps(updated, ensure_ascii=False), now_utc(), programme.id],
    )


def _draw_changes(
    programme_uid: str, sample: Sample, assignment: Mapping[str, str]
) -> list[Change]:
    spec = sample.spec
    summary = f"{spec.method} sample, seed {spec.seed}: {len(sample.cases)} cases"
    changes = [Change("programme", programme_uid, "sample_drawn", None, summary)]
    changes.extend(
        Change(
            "programme",
            programme_uid,
            "case_added",
            None,
            f"{c.reference} → {assignment.get(c.uid) or '(unassigned)'}",
        )
        for c in sample.cases
    )
    return changes


def add_auditors(store: Store, programme_uid: str, names: Iterable[str], *, actor: str) -> int:
    """Put auditors on a programme (those already on it are left alone); returns how many
    were new."""
    programme = get_programme(store, programme_uid)
    new = sorted({n.strip() for n in names if n.strip()} - set(programme.auditors))
    with store.atomic():
        store.db.conn.executemany(
            "INSERT OR IGNORE INTO programme_auditors (programme_id, auditor) VALUES (?, ?)",
            [(programme.id, name) for name in new],
        )
        record(
            store,
            [Change("programme", programme_uid, "auditor_added", None, n) for n in new],
            actor=actor,
        )
    return len(new)


# ---------------------------------------------------------------------------------------
# Assignment and lists


def assign_cases(
    store: Store,
    programme_uid: str,
    assignments: Mapping[str, str],
    *,
    actor: str,
    second: bool = False,
) -> list[Change]:
    """Assign cases by hand: case reference → auditor (the second auditor with ``second``,
    for blind double audits). The auditor must be on the programme. Returns the changes."""
    programme = get_programme(store, programme_uid)
    column = "second_auditor" if second else "auditor"
    unknown = sorted({a for a in assignments.values() if a and a not in programme.auditors})
    if unknown:
        raise ValidationError(
            f"not auditors of '{programme.name}' (its auditors: "
            f"{', '.join(programme.auditors) or 'none'})",
            unknown,
        )
    current = {c.reference: c for c in programme_cases(store, programme_uid)}
    missing = sorted(set(assignments) - set(current))
    if missing:
        raise NotFoundError(f"not in the sample of '{programme.name}': {', '.join(missing)}")
    changes = [
        Change(
            "programme_case", current[ref].case_uid, column, getattr(current[ref], column), auditor
        )
        for ref, auditor in sorted(assignments.items())
        if getattr(current[ref], column) != auditor
    ]
    with store.atomic():
        store.db.conn.executemany(
            f"UPDATE programme_cases SET {column} = ? WHERE programme_id = ? AND case_id = "
            "(SELECT id FROM cases WHERE uid = ?)",
            [(c.new_value, programme.id, c.entity_uid) for c in changes],
        )
        record(store, changes, actor=actor)
    return changes


def share_evenly(
    store: Store,
    programme_uid: str,
    *,
    actor: str,
    auditors: Sequence[str] | None = None,
    only_unassigned: bool = True,
) -> list[Change]:
    """Share the programme's cases evenly among ``auditors`` (default: all its auditors):
    only the unassigned ones, or all of them with ``only_unassigned=False``."""
    programme = get_programme(store, programme_uid)
    names = list(auditors or programme.auditors)
    cases = programme_cases(store, programme_uid)
    todo = [c for c in cases if not (only_unassigned and c.auditor)]
    load = Counter(c.auditor for c in cases if c.auditor and only_unassigned)
    candidates = [Candidate(c.case_uid, c.reference, c.case_type, c.team) for c in todo]
    shared = assign_evenly(candidates, names, current_load=load)
    by_uid = {c.case_uid: c.reference for c in todo}
    return assign_cases(
        store, programme_uid, {by_uid[u]: a for u, a in shared.items()}, actor=actor
    )


def programme_cases(
    store: Store, programme_uid: str, *, auditor: str | None = None
) -> list[ProgrammeCase]:
    """The programme's sample by auditor and reference (only one auditor's list when named,
    as first or second auditor), with the status of each case's audit in this programme."""
    programme = get_programme(store, programme_uid)
    where = "pc.programme_id = ?"
    params: list[object] = [programme.id]
    if auditor is not None:
        where += " AND (pc.auditor = ? OR pc.second_auditor = ?)"
        params += [auditor, auditor]
    rows = store.query(
        "SELECT c.uid, c.reference, c.case_type, c.team, c.worker, c.closed_date, pc.auditor, "
        "pc.second_auditor, (SELECT a.status FROM audits a WHERE a.case_id = c.id AND "
        "a.programme_id = pc.programme_id AND a.deleted_at IS NULL ORDER BY a.id DESC LIMIT 1) "
        f"AS status FROM programme_cases pc JOIN cases c ON c.id = pc.case_id WHERE {where} "
        "ORDER BY pc.auditor, c.reference",
        params,
    )
    return [
        ProgrammeCase(
            r["uid"],
            r["reference"],
            r["case_type"],
            r["team"],
            r["worker"],
            parse_date(r["closed_date"]),
            r["auditor"],
            r["second_auditor"],
            r["status"],
        )
        for r in rows
    ]


def auditor_lists(store: Store, programme_uid: str) -> dict[str, list[ProgrammeCase]]:
    """Each auditor's cases (every programme auditor, even with none yet; "" for unassigned)."""
    programme = get_programme(store, programme_uid)
    lists: dict[str, list[ProgrammeCase]] = {name: [] for name in programme.auditors}
    for case in programme_cases(store, programme_uid):
        lists.setdefault(case.auditor, []).append(case)
    return lists


def check_sample_records(store: Store, name_or_uid: str) -> list[str]:
    """Repeat every recorded draw of a programme from its recorded population and seed.
    Returns the problems (empty: every draw is reproduced exactly)."""
    programme = find_programme(store, name_or_uid)
    problems = []
    for number, draw in enumerate((programme.sample or {}).get("draws", []), start=1):
        if population_fingerprint(draw["population"]) != draw["population_sha256"]:
            problems.append(f"draw {number}: its recorded population was changed")
        elif redraw(draw) != sorted(draw["sample"]):
            problems.append(
                f"draw {number} ({draw['method']}, seed {draw['seed']}) does not "
                "reproduce from its recorded population and seed"
            )
    return problems
