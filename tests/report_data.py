"""Audits for the report tests, small enough to count by hand, and workbook readers."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from auditor.audits.actions import add_action
from auditor.audits.records import record_answer, start_audit, update_audit
from auditor.audits.workflow import ModeratedAnswer, moderate_audit, submit_audit
from auditor.cases.records import add_case
from auditor.store import Store

SHEETS = [
    "Summary",
    "Criteria",
    "Trend",
    "Performance",
    "By team",
    "By auditor",
    "Case matrix",
    "Evidence",
    "Actions",
    "Moderation",
    "Agreement",
    "About",
]
ME = "Test Auditor"
OTHER = "Second Auditor"
ON = date(2026, 3, 1)  # the day the reports are made: actions due before it are overdue
FORMULA_EVIDENCE = {
    "V-1": '=HYPERLINK("http://example.invalid","click me")',
}
RISKY_EVIDENCE = {
    "R-1": "+44 7700 900123 rang",
    "R-2": "-5 days late",
    "V-1": "@SUM(A1:A9)",
    "V-2": "#N/A",
}


def audit(
    store: Store,
    ref: str,
    *,
    team: str,
    day: date,
    answers: dict[str, str],
    grade: str,
    evidence: dict[str, str] | None = None,
    case_type: str = "child_in_need",
    auditor: str = ME,
    submit: bool = True,
    action_due: date | None = None,
    concern: bool = False,
) -> str:
    case = add_case(
        store, actor=auditor, reference=ref, case_type=case_type, team=team, worker=f"Worker {ref}"
    )
    uid = start_audit(
        store, case_uid=case.uid, auditor=auditor, framework_code="MINI", audit_date=day
    )
    for code, value in answers.items():
        text = (evidence or {}).get(code, f"Seen on the file of {ref}.")
        record_answer(store, uid, code, value=value, evidence=text, actor=auditor)
    update_audit(
        store,
        uid,
        actor=auditor,
        final_grade=grade,
        grade_reason="Judgement.",
        strengths="Warm relationship.",
        improvements="Plan needs dates.",
        safeguarding_concern=concern,
    )
    if action_due:
        add_action(
            store,
            uid,
            actor=auditor,
            text=f"Update the plan of {ref}",
            owner="Manager M",
            due_date=action_due,
        )
    if submit:
        submit_audit(store, uid, actor=auditor)
    return uid


def fill(store: Store) -> dict[str, str]:
    """Three counted audits (two North, one South), a moderation, and a draft."""
    uids = {
        "S-1": audit(
            store,
            "S-1",
            team="North",
            day=date(2026, 1, 10),
            answers={"R-1": "yes", "R-2": "yes", "V-1": "no"},
            evidence=FORMULA_EVIDENCE,
            grade="good",
            action_due=date(2026, 1, 20),
        ),
        "S-2": audit(
            store,
            "S-2",
            team="North",
            day=date(2026, 2, 3),
            answers={"R-1": "yes", "R-2": "na", "V-1": "yes"},
            grade="outstanding",
            auditor=OTHER,
        ),
        "S-3": audit(
            store,
            "S-3",
            team="South",
            day=date(2026, 2, 9),
            case_type="looked_after",
            answers={"R-1": "no", "R-2": "partly", "V-1": "yes", "V-2": "yes"},
            evidence=RISKY_EVIDENCE,
            grade="requires_improvement",
            action_due=date(2026, 3, 30),
            concern=True,
        ),
        "S-4": audit(
            store,
            "S-4",
            team="South",
            day=date(2026, 2, 9),
            answers={"R-1": "yes", "R-2": "yes", "V-1": "yes"},
            grade="outstanding",
            submit=False,
        ),
    }
    moderate_audit(
        store,
        uids["S-2"],
        moderator="QA Lead",
        grade="good",
        note="Views recorded but not used in the plan.",
        changes={"V-1": ModeratedAnswer("partly", "Views not used")},
    )
    return uids


def table_rows(path: Path, sheet: str) -> list[dict[str, Any]]:
    """A table sheet's rows as dicts keyed by the header row."""
    ws = load_workbook(path)[sheet]
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def summary_values(path: Path) -> dict[str, Any]:
    """The Summary sheet's label → value pairs (column A → column B)."""
    ws = load_workbook(path)["Summary"]
    return {row[0]: row[1] for row in ws.iter_rows(values_only=True) if row and row[0]}


def package_text(path: Path) -> str:
    """Every XML part of the workbook, as one string."""
    with zipfile.ZipFile(path) as z:
        return "\n".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml"))
