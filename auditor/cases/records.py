"""Cases: the council's case reference, case type, team, worker and key dates.

Personal data is kept to what an audit needs: no child's name, no address, no date of birth.
A case is identified across laptops by its ``uid`` and matched by its council reference.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from auditor.clock import new_uid, now_utc, parse_date
from auditor.domain import CASE_DATE_FIELDS, CaseType
from auditor.errors import NotFoundError, ValidationError
from auditor.store import Store
from auditor.store.trail import Change
from auditor.store.trailed import CASE_FIELDS as TRAILED_CASE_FIELDS
from auditor.store.writes import change_cases, new_cases

CASE_FIELDS = tuple(TRAILED_CASE_FIELDS)  # reference, case type, team, worker, the dates


@dataclass(frozen=True)
class Case:
    id: int
    uid: str
    reference: str
    case_type: CaseType
    team: str
    worker: str
    dates: Mapping[str, date | None] = field(default_factory=dict)

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Case:
        return cls(
            id=row["id"],
            uid=row["uid"],
            reference=row["reference"],
            case_type=CaseType(row["case_type"]),
            team=row["team"],
            worker=row["worker"],
            dates={name: parse_date(row[name]) for name in CASE_DATE_FIELDS},
        )


def _clean(values: Mapping[str, Any]) -> dict[str, Any]:
    """Validate and normalise case fields; dates become ISO strings."""
    unknown = set(values) - set(CASE_FIELDS)
    if unknown:
        raise ValidationError(f"unknown case field(s): {', '.join(sorted(unknown))}")
    clean: dict[str, Any] = {}
    for name, value in values.items():
        if name in CASE_DATE_FIELDS:
            parsed = parse_date(value) if value not in (None, "") else None
            clean[name] = parsed.isoformat() if parsed else None
        elif name == "case_type":
            try:
                clean[name] = CaseType(value).value
            except ValueError:
                raise ValidationError(f"unknown case type '{value}'") from None
        else:
            clean[name] = str(value or "").strip()
    if "reference" in clean and not clean["reference"]:
        raise ValidationError("a case needs its case reference")
    return clean


def add_case(
    store: Store, *, actor: str, reference: str, case_type: CaseType | str, **fields: Any
) -> Case:
    """Add a case. A reference already in the database is refused."""
    values = _clean({"reference": reference, "case_type": case_type, **fields})
    if store.scalar("SELECT 1 FROM cases WHERE reference = ?", [values["reference"]]):
        raise ValidationError(f"case {values['reference']} is already in this database")
    uid, now = new_uid(), now_utc()
    row = {"uid": uid, **values, "created_at": now, "updated_at": now}
    with store.atomic():
        new_cases(store, [row], actor=actor)
    return get_case(store, uid)


def update_case(store: Store, uid: str, *, actor: str, **fields: Any) -> list[Change]:
    """Change some fields of a case; returns the changes made (also written to the trail)."""
    values = _clean(fields)
    with store.atomic():
        return change_cases(store, [(_row(store, uid), values)], actor=actor)


def has_cases(store: Store) -> bool:
    """Whether the database holds any case (an empty one is offered demo data)."""
    return store.scalar("SELECT 1 FROM cases LIMIT 1") is not None


def get_case(store: Store, uid: str) -> Case:
    return Case.from_row(_row(store, uid))


def find_case(store: Store, reference: str) -> Case | None:
    row = store.one("SELECT * FROM cases WHERE reference = ?", [reference.strip()])
    return Case.from_row(row) if row else None


def _row(store: Store, uid: str) -> dict[str, Any]:
    row = store.one("SELECT * FROM cases WHERE uid = ?", [uid])
    if row is None:
        raise NotFoundError(f"no case with id {uid}")
    return row


def list_cases(
    store: Store,
    *,
    team: str | None = None,
    case_type: str | None = None,
    text: str | None = None,
    limit: int | None = None,
) -> list[Case]:
    """Cases by reference, optionally filtered (``text`` matches reference, team or worker)."""
    where, params = ["1 = 1"], []
    if team:
        where.append("team = ?")
        params.append(team)
    if case_type:
        where.append("case_type = ?")
        params.append(case_type)
    if text:
        where.append("(reference LIKE ? OR team LIKE ? OR worker LIKE ?)")
        params.extend([f"%{text}%"] * 3)
    sql = f"SELECT * FROM cases WHERE {' AND '.join(where)} ORDER BY reference"
    if limit:
        sql += f" LIMIT {int(limit)}"
    return [Case.from_row(r) for r in store.query(sql, params)]


def teams(store: Store) -> list[str]:
    return [
        r["team"]
        for r in store.query("SELECT DISTINCT team FROM cases WHERE team != '' ORDER BY team")
    ]
