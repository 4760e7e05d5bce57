"""Who audits which case of a programme's sample: sharing cases evenly (a pure rule), giving
cases to an auditor by hand, adding auditors, and each auditor's list."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from auditor.clock import parse_date
from auditor.errors import NotFoundError, ValidationError
from auditor.programmes.records import get_programme
from auditor.programmes.sampling import Candidate
from auditor.store import Store
from auditor.store.trail import Change, record


def assign_evenly(
    cases: Sequence[Candidate],
    auditors: Sequence[str],
    *,
    current_load: Mapping[str, int] | None = None,
) -> dict[str, str]:
    """Case uid → auditor. Cases are ordered by team, case type and reference and dealt one
    at a time to the auditor with the fewest cases so far (ties in the order given), so each
    auditor ends with the same number of cases, give or take one, and a similar mix of teams.
    ``current_load`` counts cases an auditor already has in the programme."""
    names = [a.strip() for a in auditors if a.strip()]
    if not names:
        raise ValidationError("cases can only be shared among at least one auditor")
    load = {name: (current_load or {}).get(name, 0) for name in names}
    result: dict[str, str] = {}
    for case in sorted(cases, key=lambda c: (c.team, c.case_type, c.reference)):
        auditor = min(names, key=lambda name: load[name])
        result[case.uid] = auditor
        load[auditor] += 1
    return result


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


def add_auditors(store: Store, programme_uid: str, names: Iterable[str], *, actor: str) -> int:
    """Put auditors on a programme (those already on it are left alone); returns how many
    were new."""
    programme = get_programme(store, programme_uid)
    new = sorted({n.strip() for n in names if n.strip()} - set(programme.auditors))
    with store.atomic():
        store.conn.executemany(
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
        store.conn.executemany(
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
