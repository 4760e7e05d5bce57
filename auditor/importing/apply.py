"""Writing a validated case list: one transaction, all the chosen rows or none.

A case already in the database (matched by its council reference) is updated, never
duplicated, and every changed field is listed and written to the audit trail; audits of the
case are untouched. A blank cell leaves the stored value as it is. Rows go in with raw
``executemany`` in batches (about 4× faster than row-by-row helpers), with ``progress`` and
``cancelled`` checked between batches: cancelling rolls the whole import back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from auditor import collector
from auditor.cases.records import CASE_FIELDS
from auditor.clock import new_uid, new_uids, now_utc
from auditor.importing.errors import ImportCancelled, ImportProblemsError
from auditor.importing.validate import CaseRecord, Validation
from auditor.store import Store
from auditor.store.trail import Change, batched, record
from auditor.store.writes import change_cases, new_cases

BATCH = 1_000
T = TypeVar("T")


@dataclass(frozen=True)
class CaseChange:
    """One field of an existing case that the import changes."""

    reference: str
    field: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class ImportSummary:
    """What an import did (``written``) or would do (a preview)."""

    added: int
    updated: int
    unchanged: int
    skipped: int
    changes: tuple[CaseChange, ...] = ()
    added_references: tuple[str, ...] = ()
    written: bool = False

    def __str__(self) -> str:
        verb = "" if self.written else "would be "
        return (
            f"{self.added:,} {verb}added, {self.updated:,} {verb}updated "
            f"({len(self.changes):,} changes), {self.unchanged:,} unchanged, "
            f"{self.skipped:,} skipped"
        )


@dataclass
class _Plan:
    inserts: list[dict[str, Any]] = field(default_factory=list)
    updates: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)
    changes: list[CaseChange] = field(default_factory=list)
    unchanged: int = 0


def preview_import(store: Store, validation: Validation) -> ImportSummary:
    """What importing the valid rows would do, without writing anything (a dry run)."""
    with collector.paused():
        plan = _plan(store, validation.records)
    return _summary(plan, validation, written=False)


def apply_import(
    store: Store,
    validation: Validation,
    *,
    actor: str,
    valid_only: bool = False,
    source: str = "",
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> ImportSummary:
    """Import the validated rows in one transaction.

    With problems in the file nothing is written (:class:`ImportProblemsError`) unless
    ``valid_only``, which imports the rows without problems and skips the others; problems
    with the whole file (an unmapped reference column) always stop the import.
    ``progress(done, total)`` is called between batches; ``cancelled()`` returning True rolls
    everything back and raises :class:`ImportCancelled`.
    """
    _refuse_problems(validation, valid_only)
    # The rows and trail rows made hold no cycles: no collection walking them.
    # The trail rows are made in memory and written ten blocks at a time (batched), sealed
    # as they are written: not written a batch at a time and read back to be sealed.
    with collector.paused(), store.large_cache(), store.atomic(), batched(store):
        plan = _plan(store, validation.records)
        total = len(plan.inserts) + len(plan.updates)
        done = 0
        for batch in _batches(plan.inserts):
            _check(cancelled)
            new_cases(store, batch, actor=actor)
            done += len(batch)
            _report(progress, done, total)
        for update_batch in _batches(plan.updates):
            _check(cancelled)
            change_cases(store, update_batch, actor=actor)
            done += len(update_batch)
            _report(progress, done, total)
        _check(cancelled)
        summary = _summary(plan, validation, written=True)
        record(store, [_imported(summary, source or validation.source)], actor=actor)
    _report(progress, total, total)
    return summary


def _refuse_problems(validation: Validation, valid_only: bool) -> None:
    if validation.file_problems or (validation.problems and not valid_only):
        lines = [str(p) for p in validation.problems]
        if validation.file_problems:
            message = f"{validation.source} cannot be imported; nothing was imported"
        else:
            message = (
                f"{validation.source} has {len(validation.problems):,} problem(s) in "
                f"{validation.rows_with_problems:,} row(s); nothing was imported. Fix the file, "
                f"or import only the {len(validation.records):,} valid rows"
            )
        raise ImportProblemsError(message, lines)


def _check(cancelled: Callable[[], bool] | None) -> None:
    if cancelled is not None and cancelled():
        raise ImportCancelled("import cancelled: nothing was imported")


def _report(progress: Callable[[int, int], None] | None, done: int, total: int) -> None:
    if progress is not None:
        progress(done, total)


def _batches(items: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), BATCH):
        yield items[start : start + BATCH]


def _plan(store: Store, records: Sequence[CaseRecord]) -> _Plan:
    """Split records into new cases, changed cases and unchanged ones."""
    existing = _existing(store)
    plan = _Plan()
    now = now_utc()
    added = sum(1 for r in records if r.reference not in existing) if existing else len(records)
    uids = new_uids(added)
    for rec in records:
        row = existing.get(rec.reference) if existing else None
        if row is None:
            plan.inserts.append(_new_case(rec.values, next(uids), now))
            continue
        values = {k: v for k, v in rec.values.items() if v not in (None, "")}
        changed = {k: v for k, v in values.items() if row[k] != v}
        if not changed:
            plan.unchanged += 1
            continue
        plan.updates.append((row, changed))
        plan.changes.extend(CaseChange(rec.reference, k, row[k], v) for k, v in changed.items())
    return plan


# A new case's field left blank in the file (None or ""), as the table's defaults give a
# field no column of the file holds: team and worker "", every other field NULL.
_BLANK_TEXT = ("team", "worker")


def _new_case(values: Mapping[str, str | None], uid: str, now: str) -> dict[str, Any]:
    """A new case's columns: the file's fields (blank ones as the table's defaults give
    them), its uid and time stamps. The fields the file does not hold are left to the
    table's defaults, which are the same: a narrower row, inserted faster, storing the same
    case. Blanks are looked for, not each field tested: 50,000 rows, a dozen fields each."""
    row: dict[str, Any] = dict(values)
    for name in _BLANK_TEXT:
        if name in row and row[name] is None:
            row[name] = ""
    if "" in row.values():
        for name, value in values.items():
            if value == "" and name not in _BLANK_TEXT:
                row[name] = None
    row["uid"] = uid
    row["created_at"] = row["updated_at"] = now
    return row


def _existing(store: Store) -> dict[str, dict[str, Any]]:
    cursor = store.execute(f"SELECT id, uid, {', '.join(CASE_FIELDS)} FROM cases")
    names = [d[0] for d in cursor.description]
    return {row[2]: dict(zip(names, row, strict=True)) for row in cursor}


def _summary(plan: _Plan, validation: Validation, *, written: bool) -> ImportSummary:
    return ImportSummary(
        added=len(plan.inserts),
        updated=len(plan.updates),
        unchanged=plan.unchanged,
        skipped=validation.rows_with_problems,
        changes=tuple(plan.changes),
        added_references=tuple(r["reference"] for r in plan.inserts),
        written=written,
    )


def _imported(summary: ImportSummary, source: str) -> Change:
    """The import's own trail row (each case's rows are written with the case)."""
    return Change("import", new_uid(), "imported", None, f"{source}: {summary}")


def count_by_field(changes: Sequence[CaseChange]) -> Mapping[str, int]:
    """How many changes touch each field (for a summary line per field)."""
    counts: dict[str, int] = {}
    for change in changes:
        counts[change.field] = counts.get(change.field, 0) + 1
    return counts
