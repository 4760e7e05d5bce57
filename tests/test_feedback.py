"""The feedback workbook a practitioner receives for one audit."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from report_data import RISKY_EVIDENCE, fill

from auditor.errors import NotFoundError
from auditor.reports import export_audit_feedback
from auditor.reports.pseudonym import Pseudonyms
from auditor.store import Store


@pytest.fixture
def uids(store: Store) -> dict[str, str]:
    return fill(store)


def _cells(path: Path) -> list[tuple[object, ...]]:
    return [row for row in load_workbook(path)["Feedback"].iter_rows(values_only=True)]


def test_feedback_has_the_case_answers_grade_and_actions(
    store: Store, uids: dict[str, str], tmp_path: Path
) -> None:
    out = export_audit_feedback(store, uids["S-3"], tmp_path / "feedback.xlsx")
    rows = _cells(out)
    pairs = {r[0]: r[1] for r in rows if r and r[0]}
    assert pairs["Case"] == "S-3" and pairs["Allocated worker"] == "Worker S-3"
    assert pairs["Final grade"] == "Requires improvement to be good"
    assert pairs["Immediate safeguarding concern"] == "Yes"
    answers = {r[0]: (r[2], r[3]) for r in rows if r and r[0] in {"R-1", "R-2", "V-1", "V-2"}}
    assert answers == {
        "R-1": ("No", RISKY_EVIDENCE["R-1"]),
        "R-2": ("Partly", RISKY_EVIDENCE["R-2"]),
        "V-1": ("Yes", RISKY_EVIDENCE["V-1"]),
        "V-2": ("Yes", RISKY_EVIDENCE["V-2"]),
    }
    flat = [c for r in rows for c in r if c is not None]
    assert "Warm relationship." in flat and "Plan needs dates." in flat
    assert "Update the plan of S-3" in flat and "Manager M" in flat
    ws = load_workbook(out)["Feedback"]
    for row in ws.iter_rows():
        for cell in row:
            assert cell.data_type not in ("f", "e"), cell.coordinate


def test_pseudonymised_feedback(store: Store, uids: dict[str, str], tmp_path: Path) -> None:
    out = export_audit_feedback(store, uids["S-3"], tmp_path / "f.xlsx", pseudonymise=True)
    flat = [str(c) for r in _cells(out) for c in r if c is not None]
    pseudonym = Pseudonyms.for_store(store)("S-3")
    assert f"Case audit feedback: {pseudonym}" in flat
    assert not any("S-3" in t or "Worker" in t or "Manager M" in t for t in flat)


def test_unknown_audit(store: Store, tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        export_audit_feedback(store, "no-such-audit", tmp_path / "f.xlsx")
    assert not (tmp_path / "f.xlsx").exists()


def test_moderated_feedback_shows_what_the_auditor_said_and_why_it_changed(
    store: Store, uids: dict[str, str], tmp_path: Path
) -> None:
    """S-2: the auditor answered V-1 Yes and graded Outstanding; the moderator made them
    Partly ("Views not used") and Good ("Views recorded but not used in the plan.")."""
    out = export_audit_feedback(store, uids["S-2"], tmp_path / "feedback.xlsx")
    rows = _cells(out)
    pairs = {r[0]: r[1] for r in rows if r and r[0]}
    assert pairs["Moderated by"] == "QA Lead"
    assert pairs["Grade"] == "Changed from Outstanding (the auditor's) to Good."
    assert pairs["The moderator's reason"] == "Views recorded but not used in the plan."
    assert pairs["Answers changed"] == "1 of 3 criteria: V-1 (see each criterion below)"
    header = next(r for r in rows if r and r[0] == "Code")
    assert header[2:5] == ("Answer", "Evidence seen (by the auditor)", "Moderation")
    criteria = {r[0]: r[2:5] for r in rows if r and r[0] in {"R-1", "R-2", "V-1"}}
    assert criteria["V-1"] == (
        "Partly",
        "Seen on the file of S-2.",
        "Changed from Yes (the auditor's answer) to Partly: Views not used",
    )
    assert criteria["R-1"] == ("Yes", "Seen on the file of S-2.", None)  # agreed
