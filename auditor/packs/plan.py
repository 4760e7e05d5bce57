"""Deciding what a pack would change here, before anything is written: the merge preview.

Every audit in a pack is matched by its uid and compared three ways: our content, the pack's
content, and the versions each side knows were exchanged (``audit_versions`` here, the
``versions`` list of each audit in the pack).

- not here → **added** (a tombstone for an audit we never had is kept as a **deletion**);
- the same content → **unchanged**;
- the pack's content is a version we already had → ours is newer: **unchanged**;
- our content is a version the pack's side had → only the pack changed: **updated**
  (or **deleted**, when the change is the deletion);
- otherwise both changed since they last met → a **conflict** for a person to resolve.

Cases are matched by uid, then by alias, then by council reference (recording an alias).
A uid and a council reference that disagree refuse the whole pack: a case known here by
that uid (or alias) under another reference, an audit here on another case or framework, an
answer, action, moderation or trail row whose uid is another record's here. Merging any of
them would file one child's audit on another child's case.
"""

from __future__ import annotations

import json
import operator
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from auditor import collector
from auditor.errors import PackContentError
from auditor.packs.content import Content, FieldDifference, audit_content, content_hash
from auditor.packs.content import differences as content_differences
from auditor.packs.pack import Pack, refusal
from auditor.packs.records import Names
from auditor.store import Store
from auditor.store.trail import rows_at

_IN = "IN (SELECT value FROM json_each(?))"
ADDED, UPDATED, DELETED, UNCHANGED, CONFLICT = (
    "added",
    "updated",
    "deleted",
    "unchanged",
    "conflict",
)


@dataclass(frozen=True)
class AuditChange:
    """One audit of a pack and what merging it does here."""

    audit_uid: str
    case_reference: str
    auditor: str
    status: str  # the pack's status of the audit
    differences: tuple[FieldDifference, ...] = ()  # ours → theirs, for updates and deletions


@dataclass(frozen=True)
class MergeConflict:
    """An audit changed both here and in the pack since they last met, field by field.

    ``conflict_id`` is the audit's uid in a preview (the key of ``resolutions``), and the
    stored conflict's id once a merge has kept it for later (:mod:`auditor.packs.conflicts`).
    """

    conflict_id: str
    audit_uid: str
    case_reference: str
    auditor: str
    pack_created_by: str
    ours_status: str
    theirs_status: str
    ours_revision: int
    theirs_revision: int
    ours_updated_at: str
    theirs_updated_at: str
    differences: tuple[FieldDifference, ...]


@dataclass(frozen=True)
class MergePreview:
    """What importing a pack would do. Nothing has been written."""

    pack_id: str
    kind: str
    created_by: str
    created_at: str
    origin: str
    already_imported_at: str | None  # set when this very pack was merged before: a no-op
    added: tuple[AuditChange, ...]
    updated: tuple[AuditChange, ...]
    deleted: tuple[AuditChange, ...]
    unchanged: tuple[AuditChange, ...]
    conflicts: tuple[MergeConflict, ...]
    new_cases: tuple[str, ...]  # case references
    cases_matched_by_reference: tuple[str, ...]  # known here under another uid
    cases_differing: tuple[str, ...]  # details differ from ours (ours are kept)
    new_programmes: tuple[str, ...]  # names
    new_frameworks: tuple[str, ...]  # "CODE version"
    new_trail_rows: int

    @property
    def changes_nothing(self) -> bool:
        return self.already_imported_at is not None or not (
            self.added
            or self.updated
            or self.deleted
            or self.conflicts
            or self.new_cases
            or self.new_programmes
            or self.new_frameworks
            or self.new_trail_rows
        )


@dataclass
class Decision:
    kind: str
    record: Mapping[str, Any]  # the pack's audit
    theirs: Content
    theirs_hash: str
    ours_row: dict[str, Any] | None = None
    ours: Content = field(default_factory=dict)
    ours_hash: str = ""


@dataclass
class MergePlan:
    pack: Pack
    already_imported_at: str | None
    case_ids: dict[str, int | None]  # pack case uid → our case id (None: new)
    aliases: dict[str, int]  # pack case uid → our case id, matched by reference
    differing_cases: list[str]
    programme_ids: dict[str, int | None]
    new_frameworks: list[Mapping[str, Any]]
    decisions: list[Decision]
    new_trail_rows: int
    # Our trail rows at the (origin, seq)s the pack carries, read once for the plan and
    # the merge: origin → seq → row in the order of the trail's COLUMNS.
    held_trail: dict[str, dict[int, tuple[Any, ...]]]


def preview_merge(store: Store, pack: Pack) -> MergePreview:
    """What merging ``pack`` would add, update, delete and leave, and its conflicts with
    field-by-field differences. Writes nothing. Raises :class:`PackContentError` for a
    pack that cannot be merged (a framework version that differs from ours, say)."""
    with collector.paused():
        return preview_from_plan(make_plan(store, pack))


def preview_from_plan(plan: MergePlan) -> MergePreview:
    manifest, pack = plan.pack.manifest, plan.pack
    refs = {c["uid"]: c["reference"] for c in pack.payload["cases"]}
    by_kind: dict[str, list[AuditChange]] = defaultdict(list)
    conflicts = []
    for d in plan.decisions:
        if d.kind == CONFLICT:
            conflicts.append(conflict_of(d, refs, manifest.created_by, d.record["uid"]))
        else:
            diffs = content_differences(d.ours, d.theirs) if d.kind in (UPDATED, DELETED) else ()
            by_kind[d.kind].append(
                AuditChange(
                    d.record["uid"],
                    refs[d.record["case_uid"]],
                    d.record["auditor"],
                    d.record["status"],
                    diffs,
                )
            )
    return MergePreview(
        pack_id=manifest.pack_id,
        kind=manifest.kind,
        created_by=manifest.created_by,
        created_at=manifest.created_at,
        origin=manifest.origin,
        already_imported_at=plan.already_imported_at,
        added=tuple(by_kind[ADDED]),
        updated=tuple(by_kind[UPDATED]),
        deleted=tuple(by_kind[DELETED]),
        unchanged=tuple(by_kind[UNCHANGED]),
        conflicts=tuple(conflicts),
        new_cases=tuple(refs[u] for u, i in plan.case_ids.items() if i is None),
        cases_matched_by_reference=tuple(refs[u] for u in plan.aliases),
        cases_differing=tuple(plan.differing_cases),
        new_programmes=tuple(
            p["name"] for p in pack.payload["programmes"] if plan.programme_ids[p["uid"]] is None
        ),
        new_frameworks=tuple(f"{f['code']} {f['version']}" for f in plan.new_frameworks),
        new_trail_rows=plan.new_trail_rows,
    )


def conflict_of(
    d: Decision, refs: Mapping[str, str], created_by: str, conflict_id: str
) -> MergeConflict:
    assert d.ours_row is not None
    return MergeConflict(
        conflict_id=conflict_id,
        audit_uid=d.record["uid"],
        case_reference=refs.get(d.record["case_uid"], ""),
        auditor=d.record["auditor"],
        pack_created_by=created_by,
        ours_status=d.ours_row["status"],
        theirs_status=d.record["status"],
        ours_revision=d.ours_row["revision"],
        theirs_revision=d.record["revision"],
        ours_updated_at=d.ours_row["updated_at"],
        theirs_updated_at=d.record["updated_at"],
        differences=content_differences(d.ours, d.theirs),
    )


# -- planning --------------------------------------------------------------------------


def make_plan(store: Store, pack: Pack) -> MergePlan:
    payload = pack.payload
    imported = store.one(
        "SELECT imported_at FROM imported_packs WHERE pack_id = ? OR checksum = ?",
        [pack.manifest.pack_id, pack.checksum],
    )
    case_ids, aliases, differing, problems = _match_cases(store, payload["cases"])
    decisions = decide(store, payload["audits"])
    problems += _audit_identity_problems(store, payload, case_ids, decisions)
    problems += _child_uid_problems(store, payload)
    new_trail_rows, trail_problems, held_trail = _trail_here(store, payload["trail"])
    problems += trail_problems
    if problems:
        raise refusal(pack.path, problems)
    return MergePlan(
        pack=pack,
        already_imported_at=imported["imported_at"] if imported else None,
        case_ids=case_ids,
        aliases=aliases,
        differing_cases=differing,
        programme_ids=_ids_by_uid(store, "programmes", [p["uid"] for p in payload["programmes"]]),
        new_frameworks=_new_frameworks(store, pack),
        decisions=decisions,
        new_trail_rows=new_trail_rows,
        held_trail=held_trail,
    )


def _ids_by_uid(store: Store, table: str, uids: list[str]) -> dict[str, int | None]:
    found = {
        r["uid"]: r["id"]
        for r in store.query(f"SELECT uid, id FROM {table} WHERE uid {_IN}", [json.dumps(uids)])
    }
    return {uid: found.get(uid) for uid in uids}


def _match_cases(
    store: Store, cases: list[Mapping[str, Any]]
) -> tuple[dict[str, int | None], dict[str, int], list[str], list[str]]:
    """Our case id for each case of the pack (None: new here), the uids matched by
    reference (aliases to record), references whose details differ from ours (ours are
    kept), and the cases whose uid is known here under another council reference."""
    uids = json.dumps([c["uid"] for c in cases])
    by_uid = {r["uid"]: r for r in store.query(f"SELECT * FROM cases WHERE uid {_IN}", [uids])}
    by_alias = {
        r["alias_uid"]: r
        for r in store.query(
            "SELECT a.alias_uid, c.* FROM case_aliases a JOIN cases c ON c.id = a.case_id "
            f"WHERE a.alias_uid {_IN}",
            [uids],
        )
    }
    refs = json.dumps([c["reference"] for c in cases])
    by_ref = {
        r["reference"]: r for r in store.query(f"SELECT * FROM cases WHERE reference {_IN}", [refs])
    }
    ids: dict[str, int | None] = {}
    aliases: dict[str, int] = {}
    differing, problems = [], []
    for i, case in enumerate(cases):
        ours = by_uid.get(case["uid"]) or by_alias.get(case["uid"])
        if ours is not None and ours["reference"] != case["reference"]:
            problems.append(
                f"cases[{i}].reference: case {case['uid'][:8]}… is {ours['reference']} in "
                f"this database but {case['reference']} in the pack (its audits would land "
                "on another child's case; correct the reference where it is wrong)"
            )
            continue
        if ours is None and case["reference"] in by_ref:
            ours = by_ref[case["reference"]]
            aliases[case["uid"]] = ours["id"]
        ids[case["uid"]] = ours["id"] if ours else None
        if ours and any(
            ours[k] != case[k]
            for k in case
            if k in ours and k not in ("uid", "created_at", "updated_at")
        ):
            differing.append(case["reference"])
    return ids, aliases, differing, problems


def _audit_identity_problems(
    store: Store,
    payload: Mapping[str, Any],
    case_ids: Mapping[str, int | None],
    decisions: list[Decision],
) -> list[str]:
    """An audit here is the pack's audit only if it is on the same case (matched as
    above) and the same framework version: otherwise its uid belongs to another audit."""
    names, problems = Names(payload), []
    where = {a["uid"]: i for i, a in enumerate(payload["audits"])}
    for d in decisions:
        ours, theirs = d.ours_row, d.record
        if ours is None or theirs["case_uid"] not in case_ids:
            continue  # new here, or its case is refused already
        at = f"audits[{where[theirs['uid']]}]"
        if case_ids[theirs["case_uid"]] != ours["case_id"]:
            here = store.scalar("SELECT reference FROM cases WHERE id = ?", [ours["case_id"]])
            problems.append(
                f"{at}.case_uid: audit {theirs['uid'][:8]}… is on case {here} in this "
                f"database but on {names.of('cases', _case(payload, theirs['case_uid']))} in "
                "the pack"
            )
        ours_framework = (ours["framework_code"], ours["framework_version"])
        if ours_framework != (theirs["framework_code"], theirs["framework_version"]):
            problems.append(
                f"{at}.framework_version: audit {theirs['uid'][:8]}… is on "
                f"{' '.join(ours_framework)} in this database but on "
                f"{theirs['framework_code']} {theirs['framework_version']} in the pack"
            )
    return problems


def _case(payload: Mapping[str, Any], uid: str) -> Mapping[str, Any]:
    return next(c for c in payload["cases"] if c["uid"] == uid)


def _child_uid_problems(store: Store, payload: Mapping[str, Any]) -> list[str]:
    """An answer, action or moderation whose uid is here belongs to the same audit (and an
    answer to the same criterion): a uid is never another record's."""
    problems = []
    names = Names(payload)
    for child in ("answers", "actions", "moderations"):
        uids = [row["uid"] for audit in payload["audits"] for row in audit[child]]
        if not uids:
            continue
        code = ", x.criterion_code AS code" if child == "answers" else ", NULL AS code"
        found = store.query(
            f"SELECT x.uid, a.uid AS audit_uid{code} FROM {child} x "
            f"JOIN audits a ON a.id = x.audit_id WHERE x.uid {_IN}",
            [json.dumps(uids)],
        )
        if not found:  # the usual case: every uid is new here, nothing to name
            continue
        theirs = {
            row["uid"]: (f"audits[{i}].{child}[{j}]", audit, row.get("criterion_code"))
            for i, audit in enumerate(payload["audits"])
            for j, row in enumerate(audit[child])
        }
        for ours in found:
            at, audit, criterion = theirs[ours["uid"]]
            if (ours["audit_uid"], ours["code"]) != (audit["uid"], criterion):
                problems.append(
                    f"{at}.uid: {ours['uid'][:8]}… is the uid of {child[:-1]} "
                    f"{'of ' + ours['code'] + ' ' if ours['code'] else ''}in audit "
                    f"{ours['audit_uid'][:8]}… in this database "
                    f"({names.of('audits', audit)})"
                )
    return problems


def _trail_here(
    store: Store, rows: list[Mapping[str, Any]]
) -> tuple[int, list[str], dict[str, dict[int, tuple[Any, ...]]]]:
    """How many of the pack's trail rows are new here, the problems of those that are
    not, and our rows at the seqs the pack carries, by origin then seq: a row of a chain is
    named by its (origin, seq), and one held here must be the same row, with the same uid
    (a different one is another row: the chains differ)."""
    by_origin: dict[str, list[int]] = defaultdict(list)  # each origin's rows, as indexes
    for i, origin in enumerate(map(operator.itemgetter("origin"), rows)):
        by_origin[str(origin)].append(i)
    held: dict[str, dict[int, tuple[Any, ...]]] = {}
    count, problems = 0, []
    for origin, carried in by_origin.items():
        ours = held[origin] = rows_at(store, origin, (rows[i]["seq"] for i in carried))
        for i in carried if ours else ():  # usually none: every row is new here
            row = rows[i]
            here = ours.get(int(row["seq"]))
            if here is None:
                continue
            count += 1
            if here[0] != row["uid"]:
                problems.append(
                    f"trail[{i}].uid: row {row['seq']} of database {origin[:8]}… is here with "
                    f"another uid ({here[0][:8]}…)"
                )
    return len(rows) - count, problems, held


def _new_frameworks(store: Store, pack: Pack) -> list[Mapping[str, Any]]:
    new = []
    for fw in pack.payload["frameworks"]:
        ours = store.one(
            "SELECT sha256 FROM frameworks WHERE code = ? AND version = ?",
            [fw["code"], fw["version"]],
        )
        if ours is None:
            new.append(fw)
        elif ours["sha256"] != fw["sha256"]:
            raise PackContentError(
                f"{pack.path.name} cannot be imported: its framework {fw['code']} version "
                f"{fw['version']} differs from the copy in this database. The framework was "
                "changed without a new version number; ask for it to be given one."
            )
    return new


def decide(store: Store, records: Iterable[Mapping[str, Any]]) -> list[Decision]:
    """What to do with each audit record of a pack (see the module's docstring)."""
    records = list(records)
    uids = [r["uid"] for r in records]
    ours = our_contents(store, uids)
    known: dict[str, set[str]] = defaultdict(set)
    for row in store.query(
        f"SELECT audit_uid, content_hash FROM audit_versions WHERE audit_uid {_IN}",
        [json.dumps(uids)],
    ):
        known[row["audit_uid"]].add(row["content_hash"])
    decisions = []
    for record in records:
        theirs = audit_content(record, record["answers"], record["actions"])
        decision = Decision(ADDED, record, theirs, content_hash(theirs))
        if record["uid"] in ours:
            decision.ours_row, decision.ours = ours[record["uid"]]
            decision.ours_hash = content_hash(decision.ours)
            decision.kind = _kind(decision, known[record["uid"]])
        elif record["deleted_at"] is not None:
            decision.kind = DELETED
        decisions.append(decision)
    return decisions


def _kind(d: Decision, our_versions: set[str]) -> str:
    if d.ours_hash == d.theirs_hash or d.theirs_hash in our_versions:
        return UNCHANGED
    if d.ours_hash in d.record["versions"]:
        deleting = d.record["deleted_at"] is not None and d.ours_row is not None
        return DELETED if deleting and d.ours_row["deleted_at"] is None else UPDATED  # type: ignore[index]
    return CONFLICT


def our_contents(store: Store, uids: list[str]) -> dict[str, tuple[dict[str, Any], Content]]:
    """Our row and content of each audit in ``uids`` that is here (tombstones too)."""
    rows = store.query(
        f"SELECT a.* FROM audits a WHERE a.uid {_IN}",  # a.case_type: the audit's own
        [json.dumps(uids)],
    )
    if not rows:
        return {}
    ids = json.dumps([r["id"] for r in rows])
    answers: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in store.query(f"SELECT * FROM answers WHERE audit_id {_IN}", [ids]):
        answers[row["audit_id"]].append(row)
    actions: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in store.query(f"SELECT * FROM actions WHERE audit_id {_IN} ORDER BY id", [ids]):
        actions[row["audit_id"]].append(row)
    return {r["uid"]: (r, audit_content(r, answers[r["id"]], actions[r["id"]])) for r in rows}
