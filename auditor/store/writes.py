"""Writing audits, answers, actions and cases: the change and its trail rows in one call.

Each function writes new values into its table and, in the same call, a trail row (old →
new) for every field the trail records (:mod:`auditor.store.trailed` lists them). Every
writer goes through these (the editing API, moderation, case imports, pack merges, the
demo), so a field's latest trail value is its value in the table by construction, and
``case-auditor verify`` can tell a value changed any other way. Call them inside the
caller's transaction; status rules and validation stay with the caller.
"""

from __future__ import annotations

import itertools
import json
import operator
from collections.abc import Mapping, Sequence
from typing import Any

from auditor.clock import new_uid, now_utc
from auditor.store.db import Store
from auditor.store.summaries import refresh, unanswered_marks
from auditor.store.trail import Change, record
from auditor.store.trailed import (
    ACTION_FIELDS,
    ANSWER_FIELDS,
    AUDIT_FIELDS,
    CASE_FIELDS,
    UNKNOWN,
    Field,
)

Values = Mapping[str, Any]


def _column_value(spec: Field, value: Any) -> Any:
    """A trail field's new value as its column stores it."""
    if spec.kind == "flag":
        return int(bool(value))
    if spec.kind == "deleted":
        return now_utc() if value else None
    return value


def _columns(fields: Mapping[str, Field], changes: Sequence[Change]) -> dict[str, Any]:
    return {fields[c.field].column: _column_value(fields[c.field], c.new_value) for c in changes}


def _from_start(
    entity: str, uid: str, fields: Mapping[str, Field], row: Values, audit_uid: str, reason: str
) -> list[Change]:
    """Rows for the fields a new record holds other than a new one starts with (the demo's
    submitted audits, done actions)."""
    return [
        Change(entity, uid, name, spec.start, row[spec.column], audit_uid=audit_uid, reason=reason)
        for name, spec in fields.items()
        if spec.start is not UNKNOWN
        and spec.kind in ("value", "flag")
        and spec.column in row
        and row[spec.column] != spec.start
    ]


def _insert(store: Store, table: str, row: Values) -> int:
    cursor = store.execute(
        f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})",
        list(row.values()),
    )
    return int(cursor.lastrowid or 0)


def _update(store: Store, table: str, key: str, value: Any, columns: Values) -> None:
    store.execute(
        f"UPDATE {table} SET {', '.join(f'{c} = ?' for c in columns)} WHERE {key} = ?",
        [*columns.values(), value],
    )


# -- audits ------------------------------------------------------------------------------


def new_audit(store: Store, row: Values, *, actor: str, description: str) -> int:
    """Insert an audit (``row``: its columns, ``uid`` included) with its "created" trail row
    saying ``description``; returns its id."""
    uid = row["uid"]
    # No answers yet: the figures' text and marks of them are known (auditor/store/summaries).
    marks = unanswered_marks(store, row["framework_code"], row["framework_version"])
    audit_id = _insert(store, "audits", {"answered": "", "marks": marks, **row})
    changes = [Change("audit", uid, "created", None, description, audit_uid=uid)]
    # Set with the record and never changed, yet recorded, so a later change is found.
    changes.append(Change("audit", uid, "case_type", None, row["case_type"], audit_uid=uid))
    record(store, changes + _from_start("audit", uid, AUDIT_FIELDS, row, uid, ""), actor=actor)
    return audit_id


def change_audit(
    store: Store,
    audit: Values,
    new: Values,
    *,
    actor: str,
    reason: str = "",
    old: Values | None = None,
    also: Values | None = None,
) -> list[Change]:
    """Set recorded fields of an audit (``new``, by trail field name) and, in the same
    UPDATE, other columns (``also``: time stamps, the suggested grade). ``audit`` is its row
    (``id``, ``uid`` and the current values); ``old`` the values the trail records as old
    where the caller sees them otherwise. Returns the changes (the fields that differ)."""
    before = old if old is not None else audit
    uid = audit["uid"]
    changes = [
        Change("audit", uid, name, before.get(name), value, audit_uid=uid, reason=reason)
        for name, value in new.items()
        if before.get(name) != value
    ]
    columns = _columns(AUDIT_FIELDS, changes) | dict(also or {})
    if columns:
        _update(store, "audits", "id", audit["id"], columns)
    if changes:
        record(store, changes, actor=actor)
    return changes


# -- answers -----------------------------------------------------------------------------


def save_answers(
    store: Store,
    audit: Values,
    new: Mapping[str, Values],
    *,
    actor: str,
    reason: str | Mapping[str, str] = "",
    uids: Mapping[str, str] | None = None,
    answers: dict[str, list[Any]] | None = None,
) -> list[Change]:
    """Set answers of one audit (``audit``: its ``id`` and ``uid``): ``new`` maps a criterion
    code to its new ``value`` and/or ``evidence`` (a field left out keeps its value). A new
    answer takes its uid from ``uids`` or a new one; ``reason`` may differ per code.
    Returns the changes.

    ``answers``: the audit's answers as ``[uid, value, evidence]`` by code, as the caller
    read them in this transaction: every one (:func:`audit_answers`), or at least those of
    ``new`` when the caller holds every value otherwise (:func:`values_with_answer`). They are
    brought up to date here, and the audit's text and marks for the figures are left for the
    caller to store with its other columns (:func:`~auditor.store.summaries.kept_for_figures`):
    one UPDATE of the audit per answer saved, not two. Until it does, they are unknown (the
    triggers), never wrong."""
    existing = answers if answers is not None else _answers(store, audit["id"], list(new))
    changes: list[Change] = []
    inserts, updates, now = [], [], now_utc()
    for code, values in new.items():
        row = existing.get(code)
        before = {"value": row[1], "evidence": row[2]} if row else {"value": None, "evidence": ""}
        after = {**before, **values}
        after["evidence"] = after["evidence"] or ""
        names = [n for n in ANSWER_FIELDS if before[n] != after[n]]
        if not names:
            continue
        uid = row[0] if row else (uids or {}).get(code) or new_uid()
        why = reason if isinstance(reason, str) else reason.get(code, "")
        changes += [
            Change("answer", uid, f"{code}.{n}", before[n], after[n], audit["uid"], why)
            for n in names
        ]
        if row:
            updates.append((after["value"], after["evidence"], actor, now, uid))
        else:
            inserts.append((uid, audit["id"], code, after["value"], after["evidence"], actor, now))
        if answers is not None:
            answers[code] = [uid, after["value"], after["evidence"]]
    if not changes:
        return []
    if updates:
        store.conn.executemany(
            "UPDATE answers SET value = ?, evidence = ?, updated_by = ?, updated_at = ? "
            "WHERE uid = ?",
            updates,
        )
    if inserts:
        store.conn.executemany(
            "INSERT INTO answers (uid, audit_id, criterion_code, value, evidence, updated_by, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            inserts,
        )
    record(store, changes, actor=actor)
    if answers is None and any(c.field.endswith(".value") for c in changes):
        refresh(store, audits=[audit["id"]])  # the figures' text and marks of its answers
    return changes


_ANSWERS_OF = "SELECT criterion_code, uid, value, evidence FROM answers WHERE audit_id = ?"


def audit_answers(store: Store, audit_id: int) -> dict[str, list[Any]]:
    """Every answer of an audit as ``[uid, value, evidence]`` by criterion code."""
    return {code: rest for code, *rest in store.execute(_ANSWERS_OF, [audit_id])}


# Every answer's value of an audit as one JSON object that SQLite makes in C, with the row of
# the one answer being saved: a save needs every value (the grade, the figures' text and
# marks) but the uid and evidence of one. Read here: the bench's audit of 15 answers in
# 21.7 µs, 25.6 as rows; an audit of 35 in 37 µs, 53 as rows (Python's work for each row).
# Only text goes into the JSON (a value or code that is not text, which only plain SQL could
# leave, is counted instead, and then every answer is read as a row, as it always was).
_VALUES_AND_ONE = (
    "SELECT json_group_object(criterion_code, value) FILTER (WHERE typeof(value) = 'text' "
    "AND typeof(criterion_code) = 'text'), count(*) FILTER (WHERE value IS NOT NULL "
    "AND (typeof(value) != 'text' OR typeof(criterion_code) != 'text')), "
    "max(CASE WHEN criterion_code = ?2 THEN uid END), "
    "max(CASE WHEN criterion_code = ?2 THEN evidence END) FROM answers WHERE audit_id = ?1"
)


def values_with_answer(
    store: Store, audit_id: int, code: str
) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    """Every answer with a value of an audit (criterion → value; an answer with none left
    out, as the grade and the figures leave it out) and the answer to ``code`` as
    ``[uid, value, evidence]`` (``{}`` when it has none yet), for :func:`save_answers`."""
    values_json, not_text, uid, evidence = store.execute(
        _VALUES_AND_ONE, [audit_id, code]
    ).fetchone()
    if not_text:
        answers = audit_answers(store, audit_id)
        values = {c: answer[1] for c, answer in answers.items() if answer[1] is not None}
        return values, {code: answers[code]} if code in answers else {}
    values = json.loads(values_json)
    return values, {code: [uid, values.get(code), evidence]} if uid is not None else {}


def _answers(store: Store, audit_id: int, codes: Sequence[str]) -> dict[str, list[Any]]:
    """(uid, value, evidence) of the audit's existing answers, by code: just the one when one
    is asked for, else all of them."""
    if len(codes) != 1:
        return audit_answers(store, audit_id)
    cursor = store.execute(_ANSWERS_OF + " AND criterion_code = ?", [audit_id, codes[0]])
    return {code: rest for code, *rest in cursor}


# -- actions -----------------------------------------------------------------------------


def new_action(store: Store, row: Values, *, audit_uid: str, actor: str, reason: str = "") -> None:
    """Insert an action (``row``: its columns, ``uid`` and ``text`` included) with its
    "created" trail row."""
    uid = row["uid"]
    _insert(store, "actions", row)
    changes = [Change("action", uid, "created", None, row["text"], audit_uid, reason)]
    changes += _from_start("action", uid, ACTION_FIELDS, row, audit_uid, reason)
    record(store, changes, actor=actor)


def change_action(
    store: Store,
    action: Values,
    new: Values,
    *,
    audit_uid: str,
    actor: str,
    reason: str = "",
    also: Values | None = None,
    insert: Values | None = None,
) -> list[Change]:
    """Set recorded fields of an action (``new``, by trail field name; ``action``: its
    ``uid`` and current values) with other columns (``also``), bumping ``updated_at``.
    With ``insert`` (the other columns of a new row) the action is made, from every field
    of ``new``, its trail rows the fields that differ from ``action``. Returns the changes."""
    uid = action["uid"]
    changes = [
        Change("action", uid, name, action.get(name), value, audit_uid, reason)
        for name, value in new.items()
        if action.get(name) != value
    ]
    if not changes and insert is None:
        return []
    made = (
        changes if insert is None else [Change("action", uid, n, None, v) for n, v in new.items()]
    )
    columns = _columns(ACTION_FIELDS, made) | dict(also or {}) | {"updated_at": now_utc()}
    if insert is None:
        _update(store, "actions", "uid", uid, columns)
    else:
        _insert(store, "actions", {"uid": uid, **columns, **insert})
    if changes:
        record(store, changes, actor=actor)
    return changes


# -- cases -------------------------------------------------------------------------------


def new_cases(store: Store, rows: Sequence[Values], *, actor: str) -> None:
    """Insert cases (their columns, ``uid`` and ``reference`` included), each with its
    "created" trail row, in one statement."""
    if not rows:
        return
    columns = list(dict.fromkeys(itertools.chain.from_iterable(rows)))
    try:  # the usual case, every row with every column: made in C
        values = operator.itemgetter(*columns)
        params: list[Any] = [values(r) for r in rows]
    except KeyError:
        params = [[r.get(c) for c in columns] for r in rows]
    store.conn.executemany(
        f"INSERT INTO cases ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})",
        params,
    )
    record(
        store,
        [Change("case", r["uid"], "created", None, r["reference"]) for r in rows],
        actor=actor,
    )


def change_cases(
    store: Store, updates: Sequence[tuple[Values, Values]], *, actor: str
) -> list[Change]:
    """Change cases: (row, new) pairs, ``row`` a case's ``uid`` and every case field,
    ``new`` the fields to set. One statement for them all; returns the changes."""
    changes: list[Change] = []
    params = []
    now = now_utc()
    for row, new in updates:
        changed = [Change("case", row["uid"], k, row[k], v) for k, v in new.items() if row[k] != v]
        if changed:
            changes += changed
            values = {c.field: c.new_value for c in changed}
            params.append([values.get(c, row[c]) for c in CASE_FIELDS] + [now, row["uid"]])
    if not changes:
        return []
    sets = ", ".join(f"{c} = ?" for c in CASE_FIELDS)
    store.conn.executemany(f"UPDATE cases SET {sets}, updated_at = ? WHERE uid = ?", params)
    record(store, changes, actor=actor)
    return changes
