"""Which fields of audits, answers, actions and cases the audit trail records, and the check
that each one still holds the value the trail gave it last.

Every write of these fields goes through :mod:`auditor.store.writes`, which writes the new
value and its trail row in the same call. So a value that differs from its latest trail value
was changed some other way (plain SQL, a database tool), and :func:`record_problems` says so.

How a field's value is checked:

- The rows of **this database's own chain** are authoritative: the newest of them about a
  field must give its current value. Every change made here writes one, a merged pack's
  change included.
- A field with no row of its own chain (a record that arrived in a pack, or one never
  changed) must hold its value from before any change (``start``: a new audit is a draft with
  no grade, a new answer has no value) or a value another database's rows gave it (a pack's
  version kept in a conflict is one of those, not necessarily the newest).
- A field whose first value is set with its record and has no trail row of its own (an
  audit's date, an action's owner and due date, a case's team, worker and dates) is checked
  from its first recorded change on.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from auditor.domain import CASE_DATE_FIELDS, CASE_TEXT_FIELDS
from auditor.store import trail_blocks
from auditor.store.db import Store
from auditor.store.trail_hash import COLUMNS

UNKNOWN: Any = object()  # set when the record is made, without a trail row of its own


@dataclass(frozen=True)
class Field:
    """A field the trail records: the column holding it, its value before any change, and
    how it is stored (``value``; ``flag``: 0/1; ``deleted``: a yes/no kept as the time of the
    deletion; ``deleted_at``: that time itself)."""

    column: str
    start: Any = UNKNOWN
    kind: str = "value"

    @property
    def is_tombstone(self) -> bool:
        return self.kind in ("deleted", "deleted_at")


AUDIT_FIELDS: dict[str, Field] = {
    "status": Field("status", "draft"),
    "audit_date": Field("audit_date"),
    # The case type the audit was made for: set when it is started (a trail row says so)
    # and never changed; audits from before it was kept are checked from a recorded one.
    "case_type": Field("case_type"),
    "final_grade": Field("final_grade", None),
    "grade_reason": Field("grade_reason", ""),
    "strengths": Field("strengths", ""),
    "improvements": Field("improvements", ""),
    "feedback": Field("feedback", ""),
    "safeguarding_concern": Field("safeguarding_concern", 0, "flag"),
    "safeguarding_note": Field("safeguarding_note", ""),
    "deleted": Field("deleted_at", None, "deleted"),
}
ANSWER_FIELDS: dict[str, Field] = {
    "value": Field("value", None),
    "evidence": Field("evidence", ""),
}
ACTION_FIELDS: dict[str, Field] = {
    "text": Field("text"),
    "owner": Field("owner"),
    "due_date": Field("due_date"),
    "status": Field("status", "open"),
    "done_date": Field("done_date", None),
    "deleted": Field("deleted_at", None, "deleted"),  # as a merge records a deletion
    "deleted_at": Field("deleted_at", None, "deleted_at"),  # as the editing API does
}
CASE_FIELDS: dict[str, Field] = {
    name: Field(name) for name in ("reference", "case_type", *CASE_TEXT_FIELDS, *CASE_DATE_FIELDS)
}
# The field a "created" row gives its first value (an audit's says what it is about).
CREATED_GIVES = {"action": "text", "case": "reference"}
_LIMIT = 20  # problems named one by one; the rest are counted


def as_text(value: Any) -> str | None:
    """A value as the trail stores it: text, flags as 1/0, ``None`` kept."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def comparable(spec: Field, value: Any) -> str | None:
    """A stored or trail value in the form both are compared in."""
    if spec.is_tombstone:
        return "deleted" if value not in (None, "", "0", 0, False) else None
    return as_text(value)


@dataclass
class _History:
    """What the trail says about one field of one record."""

    own_seq: int = 0  # the newest row of this database's own chain, 0 if none
    own_value: Any = None
    others: set[Any] = field(default_factory=set)  # values other databases' rows gave it

    def add(self, own: bool, seq: int, old: Any, new: Any) -> None:
        if own:
            if seq > self.own_seq:
                self.own_seq, self.own_value = seq, new
        else:
            self.others.update((old, new))


def _show(value: str | None) -> str:
    if value in (None, ""):
        return "empty"
    assert value is not None
    return f"'{value}'" if len(value) <= 40 else f"'{value[:39]}…'"


def field_problem(spec: Field, current: Any, history: _History | None) -> str | None:
    """How ``current`` disagrees with the trail, or ``None`` when it agrees (or cannot be
    checked: a first value set with its record and never changed)."""
    now = comparable(spec, current)
    if history is not None and history.own_seq:
        latest = comparable(spec, history.own_value)
        return None if latest == now else f"the audit trail last set it to {_show(latest)}"
    allowed = {comparable(spec, v) for v in history.others} if history else set()
    if spec.start is not UNKNOWN:
        allowed.add(comparable(spec, spec.start))
    if not allowed or now in allowed:
        return None
    if history is None:
        return f"the audit trail never changed it from {_show(comparable(spec, spec.start))}"
    return "the audit trail never gave it that value"


class _Findings:
    """Problems, the first few named and the rest counted."""

    def __init__(self, limit: int) -> None:
        self.limit, self.named, self.more = limit, list[str](), 0

    def add(self, problem: str) -> None:
        if len(self.named) < self.limit:
            self.named.append(problem)
        else:
            self.more += 1

    def mismatch(self, what: str, name: str, spec: Field, current: Any, history: Any) -> None:
        if (
            history is not None
            and history.own_seq
            and spec.kind in ("value", "flag")
            and as_text(current) == as_text(history.own_value)
        ):
            return  # the usual case, quickly
        why = field_problem(spec, current, history)
        if why is not None:
            self.add(
                f"{what}: {name} is {_show(comparable(spec, current))}, but {why} "
                "(it was changed outside Case Auditor)"
            )

    def result(self) -> list[str]:
        if self.more:
            return [*self.named, f"And {self.more:,} more records or fields unlike the trail."]
        return self.named


def record_problems(store: Store, *, limit: int = _LIMIT) -> list[str]:
    """Every audit, answer and action without trail rows, and every recorded field of them
    and of cases whose value is not the one the trail gave it (see the module's docstring)."""
    found = _Findings(limit)
    checked: set[str] = set()
    for key, rows in _rows_by_record(store):
        if rows[0][7] is not None:  # rows about an audit, its answers and actions
            checked.add(key)
            _check_audit(store, found, key, rows)
        else:
            _check_case(store, found, key, rows)
    for uid, reference in store.execute(
        "SELECT a.uid, c.reference FROM audits a JOIN cases c ON c.id = a.case_id ORDER BY a.uid"
    ):
        if uid not in checked:
            found.add(f"Audit {uid} (case {reference}) has no rows in the audit trail")
    return found.result()


def _rows_by_record(store: Store) -> Iterator[tuple[str, list[tuple[Any, ...]]]]:
    """The trail rows about each audit (with its answers and actions) and each case, as
    written and sealed: an audit's or a case's uid with its rows, once the last block that
    holds rows about it (trail_block_keys) has been read. Blocks are read once each, in the
    order they were sealed; only the rows of records not yet whole are held meanwhile."""
    conn = store.conn
    last_block = dict(
        conn.execute("SELECT key, MAX(block_id) FROM trail_block_keys GROUP BY key").fetchall()
    )
    written: dict[str, list[tuple[Any, ...]]] = {}
    for row in conn.execute(
        f"SELECT {', '.join(COLUMNS)} FROM trail WHERE audit_uid IS NOT NULL OR entity = 'case'"
    ):
        written.setdefault(trail_blocks.key_of(row), []).append(row)
    pending: dict[str, list[tuple[Any, ...]]] = {}
    for block_id, rows in trail_blocks.blocks_in_order(store):
        whole = set()
        for row in rows:
            if row[7] is None and row[5] != "case":
                continue  # about a programme, a framework, a pack: not checked here
            key = trail_blocks.key_of(row)
            pending.setdefault(key, []).append(row)
            if last_block.get(key) == block_id:
                whole.add(key)
        for key in whole:
            yield key, pending.pop(key) + written.pop(key, [])
    # Rows of records the finding table does not name as whole (it was changed: verify says
    # so from the blocks) and records with rows as written only.
    for key, rows in pending.items():
        yield key, rows + written.pop(key, [])
    yield from written.items()


_FIELDS = {"audit": AUDIT_FIELDS, "answer": ANSWER_FIELDS, "action": ACTION_FIELDS}
_AUDIT_COLUMNS = ", ".join(f"a.{f.column}" for f in AUDIT_FIELDS.values())
_ACTION_NAMES = [n for n, f in ACTION_FIELDS.items() if f.kind != "deleted_at"]
_ACTION_COLUMNS = ", ".join(f"x.{ACTION_FIELDS[n].column}" for n in _ACTION_NAMES)


def _check_audit(store: Store, found: _Findings, uid: str, rows: list[tuple[Any, ...]]) -> None:
    conn = store.conn
    audit = conn.execute(
        f"SELECT a.id, c.reference, {_AUDIT_COLUMNS} FROM audits a "
        "JOIN cases c ON c.id = a.case_id WHERE a.uid = ?",
        [uid],
    ).fetchone()
    if audit is None:
        return  # rows about an audit this database does not hold (a pack's, left out)
    audit_id, reference, *values = audit
    own = store.origin
    facts, early_demo = _facts(
        (r[7], r[5], r[6], r[8], r[1] == own, r[2], r[9], r[10]) for r in rows
    )
    what = f"Audit {uid} (case {reference})"
    if not any(key[0] == "audit" for key in facts):
        found.add(f"{what} has no rows in the audit trail")
        return  # nor have its answers and actions: one line says it
    fields = _EARLY_DEMO if early_demo else _FIELDS
    for (name, spec), value in zip(fields["audit"].items(), values, strict=True):
        found.mismatch(what, name, spec, value, facts.get(("audit", uid, name)))
    recorded = {key[:2] for key in facts}
    for code, *answer in conn.execute(
        "SELECT criterion_code, value, evidence FROM answers WHERE audit_id = ? "
        "ORDER BY criterion_code",
        [audit_id],
    ):
        part = f"Answer {code} of audit {uid} (case {reference})"
        if ("answer", code) not in recorded:
            found.add(f"{part} has no rows in the audit trail")
            continue
        for (name, spec), value in zip(fields["answer"].items(), answer, strict=True):
            found.mismatch(part, name, spec, value, facts.get(("answer", code, name)))
    for action_uid, *action in conn.execute(
        f"SELECT x.uid, {_ACTION_COLUMNS} FROM actions x WHERE x.audit_id = ? ORDER BY x.uid",
        [audit_id],
    ):
        part = f"Action {action_uid} of audit {uid} (case {reference})"
        if ("action", action_uid) not in recorded:
            found.add(f"{part} has no rows in the audit trail")
            continue
        for name, value in zip(_ACTION_NAMES, action, strict=True):
            history = facts.get(("action", action_uid, name))
            found.mismatch(part, name, fields["action"][name], value, history)


def _facts(rows: Iterable[tuple[Any, ...]]) -> tuple[dict[tuple[str, str, str], _History], bool]:
    """One audit's trail rows by (entity, record, field): answers by criterion code, the
    API's and the merge's ways of recording an action's deletion as one field. And whether
    the rows are those of an early demo audit (see ``_EARLY_DEMO``)."""
    facts: dict[tuple[str, str, str], _History] = {}
    early_demo = False
    for audit_uid, entity, entity_uid, name, own, seq, old, new in rows:
        if entity == "answer":
            early_demo = early_demo or entity_uid == audit_uid
            key, _, name = name.rpartition(".")
        elif entity in ("audit", "action"):
            key = entity_uid
            if entity == "action" and name in ("created", "deleted_at"):
                name = "text" if name == "created" else "deleted"
        else:
            continue
        facts.setdefault((entity, key, name), _History()).add(bool(own), seq, old, new)
    return facts, early_demo


# The demo data of versions before this check recorded an audit's creation, status and
# answer values only (its answer rows named the audit, not the answer: how they are told,
# inside the hash chain). Their other fields are checked from their first recorded change.
_EARLY_DEMO = {
    entity: {name: replace(spec, start=UNKNOWN) for name, spec in fields.items()}
    for entity, fields in (
        ("audit", AUDIT_FIELDS),
        ("answer", ANSWER_FIELDS),
        ("action", ACTION_FIELDS),
    )
}


_CASE_COLUMNS = ", ".join(CASE_FIELDS)


def _check_case(store: Store, found: _Findings, uid: str, rows: list[tuple[Any, ...]]) -> None:
    """A case with no trail rows is not checked: each of its fields is a first value, set
    with the case (see ``_History``)."""
    values = store.conn.execute(
        f"SELECT {_CASE_COLUMNS} FROM cases WHERE uid = ?", [uid]
    ).fetchone()
    if values is None:
        return
    own = store.origin
    facts: dict[str, _History] = {}
    for row in rows:
        name = CREATED_GIVES["case"] if row[8] == "created" else row[8]
        facts.setdefault(name, _History()).add(row[1] == own, row[2], row[9], row[10])
    what = f"Case {values[0]} ({uid})"
    for (name, spec), value in zip(CASE_FIELDS.items(), values, strict=True):
        found.mismatch(what, name, spec, value, facts.get(name))
