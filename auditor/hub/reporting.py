"""The reporting copy: plain relational rows of the pushed audits for the council's BI tools
(schema ``audit_reporting``; the tables are listed in docs/hub.md).

Written by the pushing app in the same transaction as its packs, from the pack it has just
made (or read), so the copy holds the latest pushed version of each audit. It carries the
figures a dashboard needs and no free text (evidence, feedback, notes and action wording stay
in the packs), and with a pseudonymising hub a pseudonym from the hub's own key in place of
each case reference (auditor/reports/pseudonym.py), the same from every laptop.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from auditor.domain import CASE_DATE_FIELDS
from auditor.hub.schema import REPORTING
from auditor.reports.pseudonym import Pseudonyms

_CASE_FIELDS = ("uid", "reference", "case_type", "team", "worker", *CASE_DATE_FIELDS)
_AUDIT_FIELDS = (
    "uid", "case_uid", "programme_uid", "framework_code", "framework_version", "auditor",
    "status", "audit_date", "suggested_grade", "compliance", "final_grade",
    "safeguarding_concern", "revision", "created_at", "updated_at", "submitted_at",
    "moderated_at", "finalised_at", "deleted_at",
)  # fmt: skip


def pseudonyms_of(facts: Mapping[str, str]) -> Callable[[str], str] | None:
    """The hub's pseudonyms for case references, or None when it keeps references."""
    if facts.get("pseudonymise") != "yes":
        return None
    return Pseudonyms(bytes.fromhex(facts["pseudonym_key"]))


def copy_payload(
    conn: Any, payload: Mapping[str, Any], pseudonym: Callable[[str], str] | None
) -> int:
    """Upsert a pack's frameworks, cases and audits (with their answers, actions and
    moderations) into the reporting copy; returns how many audits were copied."""
    from psycopg.types.json import Jsonb

    cur = conn.cursor()
    frameworks = [
        {"code": f["code"], "version": f["version"], "title": f["title"], "sha256": f["sha256"]}
        for f in payload["frameworks"]
    ]
    cases = [_case_row(c, pseudonym) for c in payload["cases"]]
    # Cases and frameworks belong to no programme, so an auditor may neither read nor
    # change them (schema.py): their push adds the ones the copy lacks, through add_cases;
    # a QA lead's (or the owner's) also brings existing cases up to date.
    cur.execute(f"SELECT {REPORTING}.add_frameworks(%s)", [Jsonb(frameworks)])
    lead = cur.execute("SELECT has_table_privilege(%s, 'UPDATE')", [f"{REPORTING}.cases"])
    if lead.fetchone()[0]:
        _upsert(cur, "cases", _CASE_FIELDS, cases)
    else:
        rows = [dict(zip(_CASE_FIELDS, row, strict=True)) for row in cases]
        cur.execute(f"SELECT {REPORTING}.add_cases(%s)", [Jsonb(rows)])
    audits = payload["audits"]
    _upsert(
        cur,
        "audits",
        (*_AUDIT_FIELDS, "pushed_by", "pushed_at"),
        [_audit_row(a) for a in audits],
        extra="current_user, now()",
    )
    uids = [a["uid"] for a in audits]
    for table in ("answers", "actions", "moderations"):
        cur.execute(f"DELETE FROM {REPORTING}.{table} WHERE audit_uid = ANY(%s)", [uids])
    cur.executemany(
        f"INSERT INTO {REPORTING}.answers (audit_uid, programme_uid, criterion_code, value) "
        "VALUES (%s, %s, %s, %s)",
        [
            (a["uid"], a["programme_uid"], x["criterion_code"], x["value"])
            for a in audits
            for x in a["answers"]
        ],
    )
    cur.executemany(
        f"INSERT INTO {REPORTING}.actions (uid, audit_uid, programme_uid, owner, due_date, "
        "status, done_date, deleted_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
        [
            (x["uid"], a["uid"], a["programme_uid"], x["owner"], x["due_date"], x["status"],
             x["done_date"], x["deleted_at"])
            for a in audits
            for x in a["actions"]
        ],
    )  # fmt: skip
    cur.executemany(
        f"INSERT INTO {REPORTING}.moderations (uid, audit_uid, programme_uid, moderator, "
        "auditor_grade, moderator_grade, created_at) VALUES (%s, %s, %s, %s, %s, %s, %s)",
        [
            (m["uid"], a["uid"], a["programme_uid"], m["moderator"], m["auditor_grade"],
             m["moderator_grade"], m["created_at"])
            for a in audits
            for m in a["moderations"]
        ],
    )  # fmt: skip
    return len(audits)


def _case_row(case: Mapping[str, Any], pseudonym: Callable[[str], str] | None) -> list[Any]:
    row = [case[f] for f in _CASE_FIELDS]
    if pseudonym is not None:
        row[1] = pseudonym(case["reference"])
    return row


def _audit_row(audit: Mapping[str, Any]) -> list[Any]:
    row = [audit[f] for f in _AUDIT_FIELDS]
    row[_AUDIT_FIELDS.index("safeguarding_concern")] = bool(audit["safeguarding_concern"])
    return row


def _upsert(
    cur: Any, table: str, fields: tuple[str, ...], rows: list[list[Any]], extra: str = ""
) -> None:
    given = fields[: len(fields) - len(extra.split(","))] if extra else fields
    values = ", ".join(["%s"] * len(given)) + (f", {extra}" if extra else "")
    updates = ", ".join(f"{f} = EXCLUDED.{f}" for f in fields[1:])
    cur.executemany(
        f"INSERT INTO {REPORTING}.{table} ({', '.join(fields)}) VALUES ({values}) "
        f"ON CONFLICT (uid) DO UPDATE SET {updates}",
        rows,
    )
