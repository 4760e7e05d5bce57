"""Merging packs into this database, in one transaction (cancelled or failed: nothing kept).

:func:`merge_packs` is the one merge both faces call: the packs in order, each planned
against the database as the packs before it left it, all of them committed together or none.
New cases, programmes, frameworks, audits and trail rows go in as they are (in bulk, the same
uids). Audits only the pack changed are updated field by field with trail rows; audits in
conflict are resolved as the user chose, or kept as ours and stored for resolution later
(:mod:`auditor.packs.conflicts`). The pack is recorded, so importing it again changes nothing.
"""

from __future__ import annotations

import json
import operator
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from auditor import collector
from auditor.clock import new_uid, now_utc
from auditor.errors import MergeCancelledError, ValidationError
from auditor.frameworks.library import register_framework
from auditor.frameworks.model import parse_framework
from auditor.packs.content import Side, content_hash, merged_content
from auditor.packs.pack import CASE_COLUMNS, PROGRAMME_COLUMNS, Pack
from auditor.packs.plan import (
    ADDED,
    CONFLICT,
    DELETED,
    UNCHANGED,
    UPDATED,
    Decision,
    MergePlan,
    make_plan,
    our_contents,
)
from auditor.packs.writer import remember_all_versions, remember_versions, write_version
from auditor.progress import Cancelled, Progress
from auditor.store import Store
from auditor.store.summaries import refresh
from auditor.store.trail import Change, merge_chain, record

Resolution = Side | Mapping[str, Side]
# How one pack of a batch settles its conflicts: one side for every conflict it has when its
# turn comes, or a resolution per conflict id (as in its preview).
PackResolutions = Side | Mapping[str, Resolution]
_CHECK_EVERY = 50  # audits between progress reports and cancel checks
_IN = "IN (SELECT value FROM json_each(?))"
_AUDIT_COLUMNS = (
    "uid", "case_id", "programme_id", "framework_code", "framework_version", "case_type",
    "auditor", "status", "audit_date", "suggested_grade", "compliance", "final_grade",
    "grade_reason", "strengths", "improvements", "feedback", "safeguarding_concern",
    "safeguarding_note",
    "blind", "revision", "created_at", "updated_at", "submitted_at", "moderated_at",
    "finalised_at", "deleted_at",
)  # fmt: skip
_ANSWER_COLUMNS = (
    "uid", "audit_id", "criterion_code", "value", "evidence", "updated_by", "updated_at",
)  # fmt: skip
_ACTION_COLUMNS = (
    "uid", "audit_id", "text", "owner", "due_date", "status", "done_date", "created_at",
    "updated_at", "deleted_at",
)  # fmt: skip


@dataclass(frozen=True)
class MergeSummary:
    """What a merge did."""

    pack_id: str
    already_imported: bool
    added: int
    updated: int
    deleted: int
    unchanged: int
    conflicts_resolved: int
    conflicts_kept: tuple[str, ...]  # ids of conflicts stored for resolution later
    cases_added: int
    programmes_added: int
    frameworks_added: tuple[str, ...]
    trail_rows_added: int
    seconds: float


def merge_packs(
    store: Store,
    packs: Sequence[Pack],
    *,
    actor: str,
    resolutions: Sequence[PackResolutions | None] | None = None,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    pack_started: Callable[[int, Pack], None] | None = None,
) -> list[MergeSummary]:
    """Merge ``packs`` in order, all in one transaction: every pack is merged or none is
    (a refusal, an error or a cancel leaves the database as it was). ``actor`` is the
    person merging. The command line and the app both merge through this function.

    Each pack is planned against the database as the packs before it left it, so a pack
    given twice changes nothing the second time, and a conflict an earlier pack settled is
    no longer one. ``resolutions`` has one entry per pack: "ours" or "theirs" for every
    conflict that pack has when its turn comes, or a mapping of conflict id (the audit uid,
    as in the preview) to "ours", "theirs" or a side per field key; a conflict id that is
    no longer in conflict by then is dropped. Conflicts without a resolution keep our
    version and are stored for later. ``pack_started(index, pack)`` is called as each pack
    begins, ``progress(done, total)`` as its audits are merged; when ``cancelled()``
    returns True the merge stops with :class:`MergeCancelledError` and nothing is written.
    """
    if not actor.strip():
        raise ValidationError("say who is merging the pack")
    choices = list(resolutions) if resolutions is not None else [None] * len(packs)
    if len(choices) != len(packs):
        raise ValueError("merge_packs needs one resolution (or None) per pack")
    for choice in choices:
        if isinstance(choice, str) and choice not in ("ours", "theirs"):
            raise ValidationError(f"'{choice}': say ours or theirs")
    summaries = []
    # A pack's rows make hundreds of thousands of objects with no reference cycles: no
    # collection walks them (a fifth of a merge's CPU, measured here).
    with collector.paused(), store.large_cache(), store.atomic():
        for n, (pack, choice) in enumerate(zip(packs, choices, strict=True)):
            if pack_started is not None:
                pack_started(n, pack)
            summaries.append(_merge_one(store, pack, actor.strip(), choice, progress, cancelled))
    return summaries


def apply_merge(
    store: Store,
    pack: Pack,
    *,
    actor: str,
    resolutions: Mapping[str, Resolution] | None = None,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> MergeSummary:
    """Merge one pack: :func:`merge_packs` of ``[pack]`` (see there)."""
    [summary] = merge_packs(
        store,
        [pack],
        actor=actor,
        resolutions=[resolutions or {}],
        progress=progress,
        cancelled=cancelled,
    )
    return summary


def _merge_one(
    store: Store,
    pack: Pack,
    actor: str,
    choice: PackResolutions | None,
    progress: Progress | None,
    cancelled: Cancelled | None,
) -> MergeSummary:
    """One pack of a batch, inside the batch's transaction."""
    started = time.perf_counter()
    plan = make_plan(store, pack)
    if plan.already_imported_at is not None:
        return _nothing(pack, time.perf_counter() - started)
    chosen = _check_resolutions(plan, _this_turn(plan, choice))
    summary = _Merger(store, plan, actor, progress, cancelled).run(chosen)
    return replace(summary, seconds=time.perf_counter() - started)


def _this_turn(plan: MergePlan, choice: PackResolutions | None) -> dict[str, Resolution]:
    """The resolutions for the conflicts this pack has now. An id that is an audit of the
    pack but no longer in conflict is dropped; any other id is left for refusal."""
    conflicts = {d.record["uid"] for d in plan.decisions if d.kind == CONFLICT}
    if choice is None:
        return {}
    if isinstance(choice, str):
        return dict.fromkeys(sorted(conflicts), choice)
    audits = {d.record["uid"] for d in plan.decisions}
    return {k: v for k, v in choice.items() if k in conflicts or k not in audits}


def _nothing(pack: Pack, seconds: float) -> MergeSummary:
    return MergeSummary(pack.manifest.pack_id, True, 0, 0, 0, 0, 0, (), 0, 0, (), 0, seconds)


def _check_resolutions(
    plan: MergePlan, resolutions: Mapping[str, Resolution]
) -> dict[str, Resolution]:
    conflicts = {d.record["uid"]: d for d in plan.decisions if d.kind == CONFLICT}
    problems = []
    for conflict_id, choice in resolutions.items():
        if conflict_id not in conflicts:
            problems.append(f"{conflict_id} is not a conflict of this pack")
        else:
            problems += resolution_problems(conflicts[conflict_id], choice)
    if problems:
        raise ValidationError("The conflict resolutions cannot be used.", problems)
    return dict(resolutions)


def resolution_problems(decision: Decision, choice: Resolution) -> list[str]:
    if isinstance(choice, str):
        return [] if choice in ("ours", "theirs") else [f"'{choice}': say ours or theirs"]
    keys = set(decision.ours) | set(decision.theirs)
    return [
        f"{key}: '{side}' is not a field of this audit or not ours/theirs"
        for key, side in choice.items()
        if key not in keys or side not in ("ours", "theirs")
    ]


class _Merger:
    """One merge's work, step by step, inside the caller's transaction."""

    def __init__(
        self,
        store: Store,
        plan: MergePlan,
        actor: str,
        progress: Progress | None,
        cancelled: Cancelled | None,
    ) -> None:
        self.store, self.plan, self.actor = store, plan, actor
        self.manifest = plan.pack.manifest
        self.payload = plan.pack.payload
        self.progress = progress or (lambda done, total: None)
        self.cancelled = cancelled or (lambda: False)
        self.reason = f"Merged from pack by {self.manifest.created_by}"
        self.counts = dict.fromkeys((ADDED, UPDATED, DELETED, UNCHANGED, "resolved"), 0)
        self.kept: list[str] = []
        self.versions: list[tuple[str, str, int, str]] = []

    def _tick(self, done: int, total: int) -> None:
        if self.cancelled():
            raise MergeCancelledError("The merge was cancelled: nothing was changed.")
        self.progress(done, total)

    def run(self, resolutions: Mapping[str, Resolution]) -> MergeSummary:
        decisions = self.plan.decisions
        total = len(decisions) + 2
        self._tick(0, total)
        frameworks = self._frameworks()
        cases = self._cases()
        programmes = self._programmes()
        trail = self._trail()
        self._tick(1, total)
        self._insert_audits([d for d in decisions if d.kind in (ADDED, DELETED) and not d.ours_row])
        for i, decision in enumerate(decisions):
            if decision.ours_row is not None:
                self._merge_existing(decision, resolutions.get(decision.record["uid"]))
            if i % _CHECK_EVERY == 0:
                self._tick(2 + i, total)
        self._moderations()
        self._finish(cases, programmes, trail)
        self._tick(total, total)
        return MergeSummary(
            pack_id=self.manifest.pack_id,
            already_imported=False,
            added=self.counts[ADDED],
            updated=self.counts[UPDATED],
            deleted=self.counts[DELETED],
            unchanged=self.counts[UNCHANGED],
            conflicts_resolved=self.counts["resolved"],
            conflicts_kept=tuple(self.kept),
            cases_added=cases,
            programmes_added=programmes,
            frameworks_added=frameworks,
            trail_rows_added=trail,
            seconds=0.0,
        )

    # -- what audits hang on -----------------------------------------------------------

    def _frameworks(self) -> tuple[str, ...]:
        for fw in self.plan.new_frameworks:
            origin = f"framework {fw['code']} {fw['version']} in {self.plan.pack.path.name}"
            register_framework(self.store, parse_framework(fw["source_text"], origin=origin))
        return tuple(f"{f['code']} {f['version']}" for f in self.plan.new_frameworks)

    def _cases(self) -> int:
        new = [c for c in self.payload["cases"] if self.plan.case_ids[c["uid"]] is None]
        _insert(self.store, "cases", new, list(CASE_COLUMNS))
        self.case_id = _ids(self.store, "cases", [c["uid"] for c in self.payload["cases"]])
        self.case_id.update(self.plan.aliases)
        for uid, ours in self.plan.case_ids.items():
            self.case_id.setdefault(uid, ours or 0)
        now = now_utc()
        self.store.conn.executemany(
            "INSERT OR IGNORE INTO case_aliases (alias_uid, case_id, recorded_at) VALUES (?, ?, ?)",
            [(uid, case_id, now) for uid, case_id in self.plan.aliases.items()],
        )
        return len(new)

    def _programmes(self) -> int:
        programmes = self.payload["programmes"]
        new = [p for p in programmes if self.plan.programme_ids[p["uid"]] is None]
        _insert(self.store, "programmes", new, list(PROGRAMME_COLUMNS))
        self.programme_id = _ids(self.store, "programmes", [p["uid"] for p in programmes])
        self.store.conn.executemany(
            "INSERT OR IGNORE INTO programme_auditors (programme_id, auditor) VALUES (?, ?)",
            [(self.programme_id[p["uid"]], a) for p in programmes for a in p["auditors"]],
        )
        self.store.conn.executemany(
            "INSERT OR IGNORE INTO programme_cases (uid, programme_id, case_id, auditor, "
            "second_auditor, added_at) VALUES (?, ?, ?, ?, ?, ?)",
            [
                (
                    s["uid"],
                    self.programme_id[s["programme_uid"]],
                    self.case_id[s["case_uid"]],
                    s["auditor"],
                    s["second_auditor"],
                    s["added_at"],
                )
                for s in self.payload["programme_cases"]
            ],
        )
        return len(new)

    def _trail(self) -> int:
        rows: dict[str, list[dict[str, Any]]] = {}
        for row in self.payload["trail"]:
            rows.setdefault(row["origin"], []).append(row)
        gaps: dict[str, list[dict[str, Any]]] = {}
        for gap in self.payload["trail_gaps"]:
            gaps.setdefault(gap["origin"], []).append({**gap, "seq": gap["first_seq"]})
        # Another database's rows held here were read for the plan, in this transaction;
        # nothing since wrote to their chains. Ours are read again (None): the merge wrote.
        held = {**self.plan.held_trail, self.store.origin: None}
        return sum(
            merge_chain(
                self.store, head["origin"], rows.get(head["origin"], []),
                gaps.get(head["origin"], []), head, held=held.get(head["origin"]),
            )
            for head in self.payload["trail_heads"]
        )  # fmt: skip

    # -- audits ------------------------------------------------------------------------

    def _insert_audits(self, decisions: list[Decision]) -> None:
        """Audits new here, as they are, in bulk (rows made by ``itemgetter``: a pack's
        records have every field, checked when it was read)."""
        records = [d.record for d in decisions]
        fields = operator.itemgetter(*_AUDIT_COLUMNS[3:])
        rows = [
            (
                r["uid"],
                self.case_id[r["case_uid"]],
                self.programme_id[r["programme_uid"]] if r["programme_uid"] else None,
                *fields(r),
            )
            for r in records
        ]
        _insert_rows(self.store, "audits", _AUDIT_COLUMNS, rows)
        ids = _ids(self.store, "audits", [r["uid"] for r in records])
        answer = operator.itemgetter(*_ANSWER_COLUMNS[2:])
        answers = [(a["uid"], ids[r["uid"]], *answer(a)) for r in records for a in r["answers"]]
        _insert_rows(self.store, "answers", _ANSWER_COLUMNS, answers)
        refresh(self.store, audits=ids.values())  # the figures' text and marks of their answers
        action = operator.itemgetter(*_ACTION_COLUMNS[2:])
        actions = [(a["uid"], ids[r["uid"]], *action(a)) for r in records for a in r["actions"]]
        _insert_rows(self.store, "actions", _ACTION_COLUMNS, actions)
        for d in decisions:
            self.counts[d.kind] += 1
            self._remember(d)

    def _remember(self, d: Decision) -> None:
        """Every version the pack's side knew, and its current one, are known here now
        (written in one go by :meth:`_finish`)."""
        origin, theirs_rev = self.manifest.origin, d.record["revision"]
        for h in (*d.record["versions"], d.theirs_hash):
            self.versions.append((d.record["uid"], h, theirs_rev, origin))

    def _merge_existing(self, d: Decision, resolution: Resolution | None) -> None:
        assert d.ours_row is not None
        if d.kind == UNCHANGED:
            self.counts[UNCHANGED] += 1
            self._remember(d)
        elif d.kind in (UPDATED, DELETED):
            write_version(
                self.store, d.ours_row, d.ours, d.theirs, d.record,
                actor=self.actor, reason=self.reason,
            )  # fmt: skip
            self.counts[d.kind] += 1
            self._remember(d)
        elif resolution is None:
            self.kept.append(
                keep_conflict(
                    self.store,
                    d,
                    self.manifest.pack_id,
                    self.manifest.created_by,
                    actor=self.actor,
                    origin=self.manifest.origin,
                )
            )
        else:
            resolve_decision(
                self.store,
                d,
                resolution,
                actor=self.actor,
                reason=self.reason,
                origin=self.manifest.origin,
            )
            self.counts["resolved"] += 1

    def _moderations(self) -> None:
        """Moderations are facts with their own uid: any not here yet are added."""
        records = [r for r in self.payload["audits"] if r["moderations"]]
        if not records:
            return
        uids = [m["uid"] for r in records for m in r["moderations"]]
        present = set(_ids(self.store, "moderations", uids))
        audit_ids = _ids(self.store, "audits", [r["uid"] for r in records])
        added: list[int] = []
        for r in records:
            for m in r["moderations"]:
                if m["uid"] in present:
                    continue
                cursor = self.store.execute(
                    "INSERT INTO moderations (uid, audit_id, moderator, auditor_grade, "
                    "moderator_grade, note, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [m["uid"], audit_ids[r["uid"]], m["moderator"], m["auditor_grade"],
                     m["moderator_grade"], m["note"], m["created_at"]],
                )  # fmt: skip
                self.store.conn.executemany(
                    "INSERT INTO moderation_answers (moderation_id, criterion_code, "
                    "auditor_value, moderator_value, reason) VALUES (?, ?, ?, ?, ?)",
                    [(cursor.lastrowid, a["criterion_code"], a["auditor_value"],
                      a["moderator_value"], a["reason"]) for a in m["answers"]],
                )  # fmt: skip
                added.append(int(cursor.lastrowid or 0))
        refresh(self.store, moderations=added)  # the figures' text and marks of their pairs

    def _finish(self, cases: int, programmes: int, trail: int) -> None:
        remember_all_versions(self.store, self.versions)
        m = self.manifest
        text = (
            f"{self.counts[ADDED]} added, {self.counts[UPDATED]} updated, "
            f"{self.counts[DELETED]} deleted, {self.counts['resolved']} conflicts resolved, "
            f"{len(self.kept)} kept for resolution; {cases} cases, {programmes} programmes, "
            f"{trail} trail rows"
        )
        record(
            self.store,
            [Change("pack", m.pack_id, "imported", None, text,
                    reason=f"Pack made by {m.created_by} on {m.created_at}")],
            actor=self.actor,
        )  # fmt: skip
        self.store.execute(
            "INSERT INTO imported_packs (pack_id, checksum, origin, created_by, created_at, "
            "imported_at, imported_by, summary_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [m.pack_id, self.plan.pack.checksum, m.origin, m.created_by, m.created_at,
             now_utc(), self.actor, json.dumps({**self.counts, "kept": len(self.kept)})],
        )  # fmt: skip


def keep_conflict(
    store: Store, d: Decision, pack_id: str, created_by: str, *, actor: str, origin: str
) -> str:
    """Store a conflict for later (ours stays as it is). Returns the conflict's id."""
    existing = store.scalar(
        "SELECT uid FROM merge_conflicts WHERE audit_uid = ? AND theirs_hash = ?",
        [d.record["uid"], d.theirs_hash],
    )
    if existing:
        store.execute(
            "UPDATE merge_conflicts SET resolved_at = NULL, resolution = NULL WHERE uid = ? "
            "AND resolution IS NULL",
            [existing],
        )
        return str(existing)
    uid = new_uid()
    store.execute(
        "INSERT INTO merge_conflicts (uid, audit_uid, pack_id, pack_created_by, ours_hash, "
        "theirs_hash, theirs_json, detected_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [uid, d.record["uid"], pack_id, created_by, d.ours_hash, d.theirs_hash,
         json.dumps({**d.record, "_origin": origin}, ensure_ascii=False), now_utc()],
    )  # fmt: skip
    record(
        store,
        [Change("audit", d.record["uid"], "conflict", None, "kept ours until resolved",
                audit_uid=d.record["uid"],
                reason=f"Merged from pack by {created_by}: changed in both places")],
        actor=actor,
    )  # fmt: skip
    return uid


def resolve_decision(
    store: Store, d: Decision, choice: Resolution, *, actor: str, reason: str, origin: str
) -> None:
    """Apply a person's resolution of a conflict: the chosen values, with trail rows."""
    assert d.ours_row is not None
    target = merged_content(d.ours, d.theirs, choice)
    why = f"{reason}: conflict resolved"
    written = write_version(store, d.ours_row, d.ours, target, d.record, actor=actor, reason=why)
    if not written:
        record(
            store,
            [Change("audit", d.record["uid"], "conflict", None, "resolved: kept ours",
                    audit_uid=d.record["uid"], reason=why)],
            actor=actor,
        )  # fmt: skip
    store.execute(
        "UPDATE merge_conflicts SET resolved_at = ?, resolved_by = ?, resolution = ? "
        "WHERE audit_uid = ? AND theirs_hash = ? AND resolved_at IS NULL",
        [now_utc(), actor, json.dumps(choice), d.record["uid"], d.theirs_hash],
    )
    [(row, result)] = our_contents(store, [d.record["uid"]]).values()
    versions = [(h, d.record["revision"], origin) for h in d.record["versions"]]
    versions += [(d.theirs_hash, d.record["revision"], origin)]
    versions += [(d.ours_hash, d.ours_row["revision"], store.origin)]
    versions += [(content_hash(result), row["revision"], store.origin)]
    remember_versions(store, d.record["uid"], versions)


def _insert(store: Store, table: str, rows: list[dict[str, Any]], columns: list[str]) -> None:
    if rows:
        values = operator.itemgetter(*columns)
        _insert_rows(store, table, columns, [values(r) for r in rows])


def _insert_rows(
    store: Store, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    if rows:
        store.conn.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) "
            f"VALUES ({', '.join('?' for _ in columns)})",
            rows,
        )


def _ids(store: Store, table: str, uids: list[str]) -> dict[str, int]:
    return {
        uid: id_
        for uid, id_ in store.execute(
            f"SELECT uid, id FROM {table} WHERE uid {_IN}", [json.dumps(uids)]
        )
    }
