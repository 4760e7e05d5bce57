"""What someone with the sqlite3 shell can do to the trail and the records, and what verify
says about it. Every edit is plain SQL on the database file (the trail's append-only
triggers dropped first where the edit touches the trail)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from report_data import table_rows

from auditor.audits.actions import add_action, update_action
from auditor.audits.records import record_answer, start_audit, update_audit
from auditor.cases.records import Case, update_case
from auditor.errors import TrailForkError
from auditor.frameworks.library import register_framework
from auditor.frameworks.model import Framework
from auditor.packs import apply_merge, export_pack, read_pack
from auditor.programmes.records import create_programme
from auditor.reports import export_report
from auditor.store import Store
from auditor.store.anchor import (
    anchor_path,
    head_anchor,
    read_anchor_file,
    write_pending_anchors,
)
from auditor.store.trail import (
    APPEND_ONLY_TRIGGERS,
    Change,
    merge_chain,
    record,
    trail_problems,
    verify_trail,
)
from tests.test_cli import cli as _cli
from tests.test_trail import _raw

ROOT = Path(__file__).resolve().parent.parent
ME = "Test Auditor"


@pytest.fixture
def audit(store: Store, case: Case) -> str:
    """A graded audit with an answered criterion, an action whose owner changed, and a case
    whose team changed: every kind of record with trail rows."""
    uid = start_audit(store, case_uid=case.uid, auditor=ME, framework_code="MINI")
    record_answer(store, uid, "R-1", value="no", evidence="No risk analysis found.", actor=ME)
    record_answer(store, uid, "R-1", value="partly", actor=ME)
    update_audit(store, uid, actor=ME, final_grade="requires_improvement", grade_reason="Thin.")
    action = add_action(store, uid, actor=ME, text="Record the risk analysis (test).")
    update_action(store, action, actor=ME, owner="Demo Team Manager 2")
    update_case(store, case.uid, actor=ME, team="Test Team B")
    return uid


def _put_back_triggers(conn: sqlite3.Connection) -> None:
    """As they were: only the edit under test is left to find."""
    for name, sql in APPEND_ONLY_TRIGGERS.items():
        conn.execute(f"DROP TRIGGER IF EXISTS {name}")
        conn.execute(sql)


def _found(store: Store) -> str:
    return "\n".join(trail_problems(store))


def test_an_untouched_database_verifies_and_its_newest_row_is_noted_beside_it(
    store: Store, audit: str, db_path: Path
) -> None:
    assert trail_problems(store) == []
    assert read_anchor_file(db_path) == head_anchor(store)
    assert anchor_path(db_path).name == "test.db.anchor"


def test_the_anchor_never_names_a_row_a_rolled_back_savepoint_wrote(
    store: Store, case: Case, db_path: Path
) -> None:
    """The anchor file is written from the head the committing transaction noted it wrote
    (Store.note), not read back: a savepoint that wrote rows and rolled back must leave the
    committed head, or verify would report the trail cut short of its anchor."""
    with store.atomic():
        update_case(store, case.uid, actor=ME, team="Test Team B")
        committed = head_anchor(store)
        with pytest.raises(RuntimeError), store.atomic():
            update_case(store, case.uid, actor=ME, team="Test Team C")
            assert head_anchor(store).seq == committed.seq + 1
            raise RuntimeError("undone")
    assert head_anchor(store) == committed
    assert read_anchor_file(db_path) == committed
    assert trail_problems(store) == []
    # Rows written after the rollback, in the same transaction: their head is the anchor.
    with store.atomic():
        with pytest.raises(RuntimeError), store.atomic():
            update_case(store, case.uid, actor=ME, team="Test Team C")
            raise RuntimeError("undone")
        update_case(store, case.uid, actor=ME, team="Test Team D")
    assert read_anchor_file(db_path) == head_anchor(store)
    assert head_anchor(store).seq == committed.seq + 1
    # A transaction rolled back whole leaves the anchor as it was.
    with pytest.raises(RuntimeError), store.atomic():
        update_case(store, case.uid, actor=ME, team="Test Team E")
        raise RuntimeError("undone")
    assert read_anchor_file(db_path) == head_anchor(store)
    # One not begun by atomic() (a migration's), rows written and rolled back: the next
    # transaction runs the callback left behind, which must not take that head.
    store.conn.execute("BEGIN IMMEDIATE")
    update_case(store, case.uid, actor=ME, team="Test Team F")
    store.conn.execute("ROLLBACK")
    with store.atomic():
        store.execute("INSERT INTO meta (key, value) VALUES ('test', 'no trail row')")
    assert read_anchor_file(db_path) == head_anchor(store)
    assert trail_problems(store) == []


def test_deleting_the_newest_rows_and_moving_the_head_back_is_caught(
    store: Store, audit: str, db_path: Path
) -> None:
    # The newest rows are about a programme: no audit, answer or case shows the loss.
    create_programme(store, actor=ME, name="Test round", framework_code="MINI")
    create_programme(store, actor=ME, name="Second test round", framework_code="MINI")
    last = head_anchor(store)
    assert last is not None
    with _raw(db_path) as conn:
        conn.execute("DELETE FROM trail WHERE seq >= ?", [last.seq - 1])
        conn.execute(
            "UPDATE trail_heads SET seq = seq - 2, hash = (SELECT hash FROM trail WHERE seq = ?)",
            [last.seq - 2],
        )
        _put_back_triggers(conn)
    assert verify_trail(store) == []  # the chain alone looks whole
    assert f"the anchor file test.db.anchor records row {last.seq}" in _found(store)
    assert f"The audit trail ends at row {last.seq - 2}" in _found(store)


def test_rows_bridged_by_a_gap_in_this_databases_own_chain_are_caught(
    store: Store, audit: str, db_path: Path
) -> None:
    with _raw(db_path) as conn:
        prev, after = (
            conn.execute("SELECT hash FROM trail WHERE seq = ?", [seq]).fetchone()[0]
            for seq in (2, 4)
        )
        conn.execute("DELETE FROM trail WHERE seq IN (3, 4)")
        conn.execute(
            "INSERT INTO trail_gaps (origin, first_seq, last_seq, prev_hash, hash) "
            "VALUES (?, 3, 4, ?, ?)",
            [store.origin, prev, after],
        )
        _put_back_triggers(conn)
    assert "rows 3–4 of this database's own chain are missing" in _found(store)


def test_deleting_the_whole_trail_is_caught(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    assert _cli("demo", "--db", str(db), "--cases", "20").returncode == 0
    with _raw(db) as conn:
        conn.execute("DELETE FROM trail")
        conn.execute("DELETE FROM trail_heads")
        audits = conn.execute("SELECT COUNT(*) FROM audits").fetchone()[0]
    result = _cli("verify", "--db", str(db))
    assert audits == 10
    assert result.returncode == 1, result.stdout
    assert "has no rows in the audit trail" in result.stderr
    assert "The audit trail ends at row 0 but the anchor file demo.db.anchor" in result.stderr
    assert "Traceback" not in result.stderr


TAMPERING = {
    "an answer's value": (
        "UPDATE answers SET value = 'yes' WHERE criterion_code = 'R-1'",
        "Answer R-1 of audit {audit} (case TEST-0001): value is 'yes', but the audit trail "
        "last set it to 'partly'",
    ),
    "an answer's evidence": (
        "UPDATE answers SET evidence = 'Full risk analysis on file.'",
        "Answer R-1 of audit {audit} (case TEST-0001): evidence is 'Full risk analysis on "
        "file.', but the audit trail last set it to 'No risk analysis found.'",
    ),
    "a final grade": (
        "UPDATE audits SET final_grade = 'good'",
        "final_grade is 'good', but the audit trail last set it to 'requires_improvement'",
    ),
    "a status never changed": (
        "UPDATE audits SET status = 'final'",
        "status is 'final', but the audit trail never changed it from 'draft'",
    ),
    "a deletion": (
        "UPDATE audits SET deleted_at = '2026-01-01T00:00:00+00:00'",
        "deleted is 'deleted', but the audit trail never changed it from empty",
    ),
    "an answer added": (
        "INSERT INTO answers (uid, audit_id, criterion_code, value, evidence, updated_by, "
        "updated_at) VALUES ('answer-by-sql', 1, 'V-1', 'yes', '', 'x', 'x')",
        "Answer V-1 of audit {audit} (case TEST-0001) has no rows in the audit trail",
    ),
    "an action's status": (
        "UPDATE actions SET status = 'done'",
        "status is 'done', but the audit trail never changed it from 'open'",
    ),
    "an action's owner": (
        "UPDATE actions SET owner = 'Someone Else'",
        "owner is 'Someone Else', but the audit trail last set it to 'Demo Team Manager 2'",
    ),
    "a case's team": (
        "UPDATE cases SET team = 'Test Team C'",
        "Case TEST-0001 ({case}): team is 'Test Team C', but the audit trail last set it to "
        "'Test Team B'",
    ),
}


@pytest.mark.parametrize("what", TAMPERING)
def test_a_record_changed_without_its_trail_row_is_caught(
    store: Store, case: Case, audit: str, db_path: Path, what: str
) -> None:
    sql, expected = TAMPERING[what]
    assert trail_problems(store) == []
    with sqlite3.connect(db_path, isolation_level=None) as conn:
        conn.execute(sql)
    [problem] = trail_problems(store)
    assert expected.format(audit=audit, case=case.uid) in problem
    assert problem.endswith("(it was changed outside Case Auditor)") or "no rows" in problem


def test_a_grade_given_to_an_ungraded_audit_by_sql_is_caught(
    store: Store, case: Case, db_path: Path
) -> None:
    uid = start_audit(store, case_uid=case.uid, auditor=ME, framework_code="MINI")
    with sqlite3.connect(db_path, isolation_level=None) as conn:
        conn.execute("UPDATE audits SET final_grade = 'outstanding' WHERE uid = ?", [uid])
    [problem] = trail_problems(store)
    assert f"Audit {uid} (case TEST-0001): final_grade is 'outstanding'" in problem
    assert "never changed it from empty" in problem


def test_missing_or_changed_triggers_are_caught(store: Store, audit: str, db_path: Path) -> None:
    with sqlite3.connect(db_path, isolation_level=None) as conn:
        conn.execute("DROP TRIGGER trail_no_delete")
        conn.execute("DROP TRIGGER trail_no_update")
        conn.execute(
            "CREATE TRIGGER trail_no_update BEFORE UPDATE ON trail WHEN 0 "
            "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END"
        )
    assert trail_problems(store) == [
        "The trigger trail_no_update that keeps the audit trail append-only is changed: "
        "the trail could be edited unseen",
        "The trigger trail_no_delete that keeps the audit trail append-only is missing: "
        "the trail could be edited unseen",
    ]


def test_the_anchor_moves_with_committed_changes_only(
    store: Store, audit: str, db_path: Path
) -> None:
    before = read_anchor_file(db_path)
    with pytest.raises(RuntimeError), store.atomic():
        record_answer(store, audit, "R-2", value="yes", actor=ME)
        raise RuntimeError("the save fails after the trail row is written")
    assert read_anchor_file(db_path) == before == head_anchor(store)
    record_answer(store, audit, "R-2", value="yes", actor=ME)
    after = read_anchor_file(db_path)
    assert after == head_anchor(store) and before is not None and after is not None
    assert after.seq == before.seq + 1
    assert trail_problems(store) == []


def test_anchors_in_a_pack_and_a_report_catch_a_trail_cut_back_with_its_anchor_file(
    store: Store, audit: str, db_path: Path, tmp_path: Path
) -> None:
    export_pack(store, tmp_path / "work.auditpack", created_by=ME)
    in_pack = read_pack(tmp_path / "work.auditpack").manifest.trail_anchor
    export_report(store, tmp_path / "r.xlsx")
    [about] = [
        r for r in table_rows(tmp_path / "r.xlsx", "About") if r["Topic"] == "Audit trail anchor"
    ]
    head = head_anchor(store)
    assert head is not None and in_pack == head.to_json()
    assert about["How it is worked out"].startswith(f"{head.seq}:{head.hash}: row {head.seq}")
    # Someone removes the newest row (the case's new team with it), moves the head back and
    # deletes the anchor file too: this database alone cannot tell any more ...
    with _raw(db_path) as conn:
        conn.execute("DELETE FROM trail WHERE seq = ?", [head.seq])
        conn.execute(
            "UPDATE trail_heads SET seq = ?, hash = (SELECT hash FROM trail WHERE seq = ?)",
            [head.seq - 1, head.seq - 1],
        )
        conn.execute("UPDATE cases SET team = 'Test Team A'")
        _put_back_triggers(conn)
    write_pending_anchors()
    anchor_path(db_path).unlink()
    assert trail_problems(store) == []
    # ... but the anchor the pack and the report hold can.
    result = _cli("verify", "--db", str(db_path), "--anchor", f"{head.seq}:{head.hash}")
    assert result.returncode == 1
    assert f"but the anchor {head.seq}:{head.hash} records row {head.seq}" in result.stderr


def test_an_anchor_that_is_not_one_is_one_clear_line(store: Store, db_path: Path) -> None:
    result = _cli("verify", "--db", str(db_path), "--anchor", "12:not-a-hash")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "case-auditor: '12:not-a-hash' is not an anchor: write it as the row number, ':' and hash"
    )


def test_merged_audits_verify_and_are_checked_against_the_other_databases_rows(
    store: Store, case: Case, tmp_path: Path, mini: Framework
) -> None:
    qa_path = tmp_path / "qa.db"
    uid = start_audit(store, case_uid=case.uid, auditor=ME, framework_code="MINI")
    record_answer(store, uid, "R-1", value="no", evidence="Nothing on file.", actor=ME)
    record_answer(store, uid, "R-1", value="yes", evidence="Found it.", actor=ME)
    export_pack(store, tmp_path / "p.auditpack", created_by=ME)
    with Store.open(qa_path) as qa:
        register_framework(qa, mini)
        apply_merge(qa, read_pack(tmp_path / "p.auditpack"), actor="QA Lead")
        assert trail_problems(qa) == []
        with sqlite3.connect(qa_path, isolation_level=None) as conn:
            conn.execute("UPDATE answers SET evidence = 'Typed in by SQL.'")
        [problem] = trail_problems(qa)
    assert "evidence is 'Typed in by SQL.', but the audit trail never gave it that value" in (
        problem
    )


def test_a_pack_carrying_our_own_chain_further_than_ours_is_refused(
    store: Store, audit: str
) -> None:
    """Another database holds our chain to a later row: this one was put back from an
    older copy. Its gaps would hide our own lost rows."""
    head = head_anchor(store)
    assert head is not None
    gap = {"seq": head.seq + 1, "last_seq": head.seq + 3, "prev_hash": head.hash, "hash": "f" * 64}
    with pytest.raises(TrailForkError, match="restored from an older copy"), store.atomic():
        merge_chain(store, store.origin, [], [gap], {"seq": head.seq + 3, "hash": "f" * 64})
    assert head_anchor(store) == head and trail_problems(store) == []


def test_a_write_of_the_anchor_file_cut_off_by_a_crash_leaves_the_older_anchor(
    store: Store, audit: str, db_path: Path
) -> None:
    write_pending_anchors()
    older = read_anchor_file(db_path)
    record_answer(store, audit, "R-2", value="yes", actor=ME)
    newer = read_anchor_file(db_path)
    assert older is not None and newer is not None and newer.seq == older.seq + 1
    data = bytearray(anchor_path(db_path).read_bytes())
    [cut] = [i for i in (0, 1) if f'"seq": {newer.seq},'.encode() in data[i * 384 : i * 384 + 384]]
    data[cut * 384 + 60 : cut * 384 + 384] = b"\0" * (384 - 60)  # the rest never reached the disk
    anchor_path(db_path).write_bytes(bytes(data))
    assert read_anchor_file(db_path) == older
    assert trail_problems(store) == []


def test_an_early_demo_audit_still_verifies_and_its_answers_are_still_checked(
    store: Store, case: Case, db_path: Path
) -> None:
    """Demo data made before this check: the audit inserted with its grade, texts and
    evidence, and trail rows for its creation, status and answer values only, the answer
    rows naming the audit (as auditor/demo.py wrote them)."""
    uid = "0e4a5b7c-0000-4000-8000-000000000001"
    store.execute(
        "INSERT INTO audits (uid, case_id, framework_code, framework_version, auditor, status, "
        "audit_date, final_grade, strengths, created_at, updated_at, case_type) VALUES (?, ?, "
        "'MINI', '1.0.0', 'Demo Auditor Ash', 'submitted', '2026-01-10', 'good', "
        "'Warm (demo).', 'x', 'x', 'child_in_need')",
        [uid, case.id],
    )
    audit_id = store.scalar("SELECT id FROM audits WHERE uid = ?", [uid])
    store.execute(
        "INSERT INTO answers (uid, audit_id, criterion_code, value, evidence, updated_by, "
        "updated_at) VALUES ('a1', ?, 'R-1', 'yes', 'Seen in case notes (demo).', 'x', 'x')",
        [audit_id],
    )
    record(
        store,
        [
            Change("audit", uid, "created", None, "TEST-0001", audit_uid=uid),
            Change("answer", uid, "R-1.value", None, "yes", audit_uid=uid),
            Change("audit", uid, "status", "draft", "submitted", audit_uid=uid),
        ],
        actor="Demo Auditor Ash",
    )
    assert trail_problems(store) == []
    with sqlite3.connect(db_path, isolation_level=None) as conn:
        conn.execute("UPDATE answers SET value = 'no'")
    [problem] = trail_problems(store)
    assert "Answer R-1 of audit 0e4a5b7c-" in problem and "last set it to 'yes'" in problem
