"""Programmes: a round of audits (monthly, thematic, "all cases closed in the last three
months") with its framework, period, due date, auditors and sample of cases."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from auditor.clock import new_uid, now_utc, parse_date
from auditor.errors import NotFoundError, ValidationError
from auditor.frameworks.library import get_framework
from auditor.store import Store
from auditor.store.trail import Change, record


@dataclass(frozen=True)
class Programme:
    id: int
    uid: str
    name: str
    framework_code: str
    framework_version: str
    period_start: date | None
    period_end: date | None
    due_date: date | None
    description: str
    sample: dict[str, Any] | None
    double_audit_percent: float
    auditors: tuple[str, ...]


def create_programme(
    store: Store,
    *,
    actor: str,
    name: str,
    framework_code: str,
    framework_version: str | None = None,
    period_start: date | None = None,
    period_end: date | None = None,
    due_date: date | None = None,
    description: str = "",
    auditors: Iterable[str] = (),
    double_audit_percent: float = 0.0,
) -> str:
    """Create a programme; returns its uid."""
    problems = programme_problems(name, period_start, period_end, double_audit_percent)
    if problems:
        raise ValidationError(problems[0])
    framework = get_framework(store, framework_code, framework_version)
    uid, now = new_uid(), now_utc()
    with store.atomic():
        cursor = store.execute(
            "INSERT INTO programmes (uid, name, framework_code, framework_version, period_start, "
            "period_end, due_date, description, double_audit_percent, created_by, created_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                uid,
                name.strip(),
                framework.code,
                framework.version,
                _iso(period_start),
                _iso(period_end),
                _iso(due_date),
                description,
                double_audit_percent,
                actor,
                now,
                now,
            ],
        )
        store.conn.executemany(
            "INSERT OR IGNORE INTO programme_auditors (programme_id, auditor) VALUES (?, ?)",
            [(cursor.lastrowid, a.strip()) for a in auditors if a.strip()],
        )
        record(store, [Change("programme", uid, "created", None, name.strip())], actor=actor)
    return uid


def programme_problems(
    name: str, period_start: date | None, period_end: date | None, double_audit_percent: float
) -> list[str]:
    """What is wrong with a programme's own fields (empty: nothing). The one rule for
    programmes: creating one here, and every programme of an imported pack."""
    problems = []
    if not name.strip():
        problems.append("a programme needs a name")
    if period_start and period_end and period_end < period_start:
        problems.append("the programme's period ends before it starts")
    if not 0 <= double_audit_percent <= 100:
        problems.append("the share of double audits must be from 0 to 100 %")
    return problems


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def get_programme(store: Store, uid: str) -> Programme:
    row = store.one("SELECT * FROM programmes WHERE uid = ?", [uid])
    if row is None:
        raise NotFoundError(f"no programme with id {uid}")
    return _from_row(store, row)


def find_programme(store: Store, name_or_uid: str) -> Programme:
    """A programme by uid or by exact name (as typed on the command line)."""
    row = store.one(
        "SELECT * FROM programmes WHERE uid = ? OR name = ? ORDER BY id DESC",
        [name_or_uid, name_or_uid],
    )
    if row is None:
        raise NotFoundError(f"no programme called '{name_or_uid}'")
    return _from_row(store, row)


def list_programmes(store: Store) -> list[Programme]:
    return [
        _from_row(store, r)
        for r in store.query("SELECT * FROM programmes ORDER BY period_start DESC, name")
    ]


def _from_row(store: Store, row: dict[str, Any]) -> Programme:
    auditors = tuple(
        r["auditor"]
        for r in store.query(
            "SELECT auditor FROM programme_auditors WHERE programme_id = ? ORDER BY auditor",
            [row["id"]],
        )
    )
    return Programme(
        id=row["id"],
        uid=row["uid"],
        name=row["name"],
        framework_code=row["framework_code"],
        framework_version=row["framework_version"],
        period_start=parse_date(row["period_start"]),
        period_end=parse_date(row["period_end"]),
        due_date=parse_date(row["due_date"]),
        description=row["description"],
        sample=json.loads(row["sample_json"]) if row["sample_json"] else None,
        double_audit_percent=row["double_audit_percent"],
        auditors=auditors,
    )


def add_programme_cases(
    store: Store, programme_uid: str, assignments: Iterable[tuple[str, str]], *, actor: str
) -> int:
    """Add cases to a programme's sample: ``(case_uid, auditor)`` pairs. Returns how many
    were new (a case already in the sample keeps its assignment)."""
    programme = get_programme(store, programme_uid)
    added = 0
    with store.atomic():
        for case_uid, auditor in assignments:
            cursor = store.execute(
                "INSERT OR IGNORE INTO programme_cases (uid, programme_id, case_id, auditor, "
                "added_at) SELECT ?, ?, id, ?, ? FROM cases WHERE uid = ?",
                [new_uid(), programme.id, auditor, now_utc(), case_uid],
            )
            added += cursor.rowcount
        record(
            store, [Change("programme", programme_uid, "sample_added", None, added)], actor=actor
        )
    return added
