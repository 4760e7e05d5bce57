"""A programme's sample in the database: candidates for a draw, saving a draw with its record
(and sharing its cases among the auditors, :mod:`auditor.programmes.assignment`), and checking
that every recorded draw reproduces.

The draw itself is pure (:mod:`auditor.programmes.sampling`), so a screen can preview it
before saving.
``programmes.sample_json`` keeps every draw made for the programme::

    {"draws": [{"method": ..., "parameters": ..., "seed": ..., "population": ...,
                "sample": [...], "drawn_at": ..., "drawn_by": ...}, ...]}
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from auditor.clock import new_uid, now_utc, parse_date
from auditor.programmes.assignment import add_auditors, assign_evenly
from auditor.programmes.records import Programme, find_programme, get_programme
from auditor.programmes.sampling import (
    Candidate,
    Sample,
    SampleSpec,
    draw_sample,
    population_fingerprint,
    redraw,
)
from auditor.store import Store
from auditor.store.trail import Change, record


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
        store.conn.executemany(
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
