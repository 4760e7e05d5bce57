"""The audit trail: every change recorded; tampering outside the app is detected."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from auditor.audits import record_answer, start_audit
from auditor.cases import Case
from auditor.store import Store
from auditor.store.trail import Change, history, record, verify_trail

ACTOR = "Test Auditor"


@pytest.fixture
def audited(store: Store, case: Case) -> str:
    uid = start_audit(store, case_uid=case.uid, auditor=ACTOR, framework_code="MINI")
    record_answer(store, uid, "R-1", value="no", evidence="No risk analysis found.", actor=ACTOR)
    record_answer(store, uid, "R-1", value="partly", actor=ACTOR)
    return uid


def _raw(db_path: Path) -> sqlite3.Connection:
    """A connection as a user with a database tool would open it, triggers dropped."""
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("DROP TRIGGER IF EXISTS trail_no_update")
    conn.execute("DROP TRIGGER IF EXISTS trail_no_delete")
    return conn


def test_history_lists_each_change_with_old_and_new_value(store: Store, audited: str) -> None:
    # Row 1 of the chain is the case being added; the audit's own rows follow.
    rows = [(r["field"], r["old_value"], r["new_value"]) for r in history(store, audited)]
    assert rows == [
        ("created", None, "TEST-0001 on MINI 1.0.0"),
        ("R-1.value", None, "no"),
        ("R-1.evidence", "", "No risk analysis found."),
        ("R-1.value", "no", "partly"),
    ]
    assert {r["actor"] for r in history(store, audited)} == {ACTOR}
    assert verify_trail(store) == []


def test_the_app_cannot_update_or_delete_trail_rows(store: Store, audited: str) -> None:
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store.execute("UPDATE trail SET new_value = 'yes'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store.execute("DELETE FROM trail")


def test_an_edited_row_is_detected(store: Store, audited: str, db_path: Path) -> None:
    with _raw(db_path) as conn:
        conn.execute(
            "UPDATE trail SET new_value = 'yes' WHERE field = 'R-1.value' AND new_value = 'partly'"
        )
    [problem] = verify_trail(store)
    assert "row 5: was changed after it was written (answer R-1.value)" in problem


def test_a_deleted_middle_row_is_detected(store: Store, audited: str, db_path: Path) -> None:
    with _raw(db_path) as conn:
        conn.execute("DELETE FROM trail WHERE seq = 3")
    [problem] = verify_trail(store)
    assert "rows 3–3 are missing" in problem


def test_deleting_the_newest_rows_is_detected(store: Store, audited: str, db_path: Path) -> None:
    with _raw(db_path) as conn:
        conn.execute("DELETE FROM trail WHERE seq = (SELECT MAX(seq) FROM trail)")
    [problem] = verify_trail(store)
    assert "were deleted" in problem


def test_rows_from_another_origin_verify_as_their_own_chain(
    store: Store, audited: str, tmp_path: Path
) -> None:
    with Store.open(tmp_path / "laptop2.db") as other:
        record(other, [Change("case", "x", "created", None, "X")], actor="Second Auditor")
        rows = other.query("SELECT * FROM trail")
        head = other.one("SELECT * FROM trail_heads")
    with store.atomic():
        for row in rows:
            row.pop("id")
            store.db["trail"].insert(row)
        store.db["trail_heads"].insert(head)
    assert verify_trail(store) == []
    record(store, [Change("case", "y", "created", None, "Y")], actor=ACTOR)
    assert verify_trail(store) == []


def test_unchanged_values_are_not_recorded(store: Store) -> None:
    assert record(store, [Change("case", "x", "team", "A", "A")], actor=ACTOR) == 0
