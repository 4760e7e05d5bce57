"""Sealed trail rows (schema 14): a chain's rows are kept in compressed blocks of 1,024 once
written, and read back as they were written, every field and hash; a change to a sealed row,
a block or the index that finds them is caught by ``verify``; a database from before is
sealed by its upgrade with nothing changed that a report, a pack or ``verify`` shows."""

from __future__ import annotations

import sqlite3
import tempfile
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.audits.records import record_answer, start_audit
from auditor.cases.records import Case
from auditor.demo import make_demo
from auditor.packs import export_pack, read_pack
from auditor.store import Store
from auditor.store.schema import LATEST_VERSION
from auditor.store.trail import (
    Change,
    chain_rows,
    history,
    record,
    row_count,
    rows_about,
    trail_problems,
    verify_trail,
)
from auditor.store.trail_blocks import BLOCK_ROWS
from auditor.store.trail_hash import derived_uid, row_hash
from tests.older_databases import schema_12_database, schema_version
from tests.sealed_rows import edit_sealed_row
from tests.test_trail import _raw

ACTOR = "Test Auditor"


def _write(store: Store, sizes: list[int]) -> None:
    """Saves of ``sizes`` rows each: changes to made-up cases (no records to check)."""
    n = 0
    for size in sizes:
        with store.atomic():
            record(
                store,
                [Change("case", f"c{n + i}", "team", None, f"Team {n + i}") for i in range(size)],
                actor=ACTOR,
            )
        n += size


def _blocks(store: Store) -> list[tuple[int, int, int]]:
    return [
        tuple(r)
        for r in store.execute(
            "SELECT first_seq, last_seq, rows FROM trail_blocks ORDER BY first_seq"
        ).fetchall()
    ]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(min_value=1, max_value=1500), min_size=1, max_size=6))
def test_rows_read_back_as_written_however_saves_fall_on_blocks(sizes: list[int]) -> None:
    """Whatever the saves' sizes, the chain's rows up to the last multiple of 1,024 are
    sealed a block each, the rest are kept as written, and every row reads back whole:
    its uid the one its place gives, its hash that of its fields and the row before."""
    with tempfile.TemporaryDirectory() as folder, Store.open(Path(folder) / "t.db") as store:
        _write(store, sizes)
        total = sum(sizes)
        rows = chain_rows(store, store.origin)
        assert [r["seq"] for r in rows] == list(range(1, total + 1))
        assert [r["new_value"] for r in rows] == [f"Team {i}" for i in range(total)]
        previous = "0" * 64
        for row in rows:
            assert row["uid"] == derived_uid(store.origin, row["seq"])
            assert row["prev_hash"] == previous and row_hash(row) == row["hash"]
            previous = row["hash"]
        full = total // BLOCK_ROWS
        assert _blocks(store) == [
            (k * BLOCK_ROWS + 1, (k + 1) * BLOCK_ROWS, BLOCK_ROWS) for k in range(full)
        ]
        assert store.scalar("SELECT COUNT(*) FROM trail") == total - full * BLOCK_ROWS
        assert row_count(store) == total
        assert verify_trail(store) == []


@pytest.fixture
def sealed(store: Store) -> Store:
    """A database whose first 2,048 rows are sealed and a few more are as written."""
    _write(store, [1000, 1000, 100])
    assert len(_blocks(store)) == 2
    return store


def test_a_changed_sealed_row_is_named(sealed: Store, db_path: Path) -> None:
    with _raw(db_path) as conn:
        edit_sealed_row(conn, sealed.origin, 1500, new_value="Another team")
    [problem] = verify_trail(sealed)
    assert problem.endswith("row 1500: was changed after it was written (case team)")


def test_a_sealed_row_changed_with_its_block_check_is_caught_further_on(
    sealed: Store, db_path: Path
) -> None:
    """Someone who also rewrites the row's 4-byte check in the block: the hash of every row
    after it changes, and the next row no longer follows it."""
    with _raw(db_path) as conn:
        edit_sealed_row(conn, sealed.origin, 1500, new_value="Another team")
        row = {**chain_rows(sealed, sealed.origin)[1499], "new_value": "Another team"}
        conn.execute("DROP TRIGGER trail_blocks_no_update")
        block = conn.execute(
            "SELECT id, checks FROM trail_blocks WHERE first_seq = 1025"
        ).fetchone()
        checks = bytearray(block[1])
        at = (1500 - 1025) * 4
        checks[at : at + 4] = bytes.fromhex(row_hash(row)[:8])
        conn.execute("UPDATE trail_blocks SET checks = ? WHERE id = ?", [bytes(checks), block[0]])
    [problem] = verify_trail(sealed)
    assert "row 1501: was changed after it was written" in problem


@pytest.mark.parametrize(
    "edit, found",
    [
        ("UPDATE trail_blocks SET data = x'00' WHERE first_seq = 1", "the block cannot be read"),
        ("DELETE FROM trail_blocks WHERE first_seq = 1025", "rows 1025–2048 are missing"),
        ("DELETE FROM trail_block_keys WHERE block_id = 1", "the index that finds them"),
        ("DELETE FROM trail_block_runs WHERE first_seq = 1", "the index that finds them"),
        ("UPDATE trail_blocks SET hash = 'x' WHERE first_seq = 1", "row 1024: was changed"),
        ("INSERT INTO trail_block_keys VALUES ('x', 99)", "names 1 blocks it does not hold"),
    ],
)
def test_a_changed_block_or_index_is_caught(
    sealed: Store, db_path: Path, edit: str, found: str
) -> None:
    with _raw(db_path) as conn:
        for table in ("trail_blocks", "trail_block_keys", "trail_block_runs"):
            conn.execute(f"DROP TRIGGER {table}_no_update")
            conn.execute(f"DROP TRIGGER {table}_no_delete")
        conn.execute(edit)
    problems = trail_problems(sealed)
    assert any(found in p for p in problems), problems


def test_sealed_rows_cannot_be_changed_or_removed_through_sql(sealed: Store) -> None:
    for sql in (
        "UPDATE trail_blocks SET hash = 'x'",
        "DELETE FROM trail_blocks",
        "DELETE FROM trail_block_keys",
        "UPDATE trail_block_runs SET last_seq = 1",
        "DELETE FROM trail WHERE seq = 2100",  # a row as written: no block holds it
    ):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            sealed.conn.execute(sql)


def test_rows_about_an_audit_are_found_sealed_and_as_written(store: Store, case: Case) -> None:
    uid = start_audit(store, case_uid=case.uid, auditor=ACTOR, framework_code="MINI")
    record_answer(store, uid, "R-1", value="no", evidence="First look.", actor=ACTOR)
    _write(store, [2100])  # the audit's rows sealed with the first block
    record_answer(store, uid, "R-1", value="partly", actor=ACTOR)
    changes = [(r["field"], r["new_value"]) for r in history(store, uid)]
    assert changes == [
        ("created", "TEST-0001 on MINI 1.0.0"),
        ("case_type", "child_in_need"),
        ("R-1.value", "no"),
        ("R-1.evidence", "First look."),
        ("R-1.value", "partly"),
    ]
    rows = rows_about(store, [uid], [case.uid])
    assert [r["seq"] for r in rows] == [1, 2, 3, 4, 5, 2106]  # the case's row, then the audit's
    assert all(row_hash(r) == r["hash"] for r in rows)
    assert verify_trail(store) == []


@pytest.fixture
def older_demo(tmp_path: Path) -> tuple[Path, list[dict], dict]:
    """A demo database as schema 12 left it, its trail (2,000 rows) all as written, with
    the rows and a pack's trail as they were read then."""
    db = tmp_path / "older.db"
    with Store.open(db) as store:
        make_demo(store, cases=40, audits=30, seed=5)
        export_pack(store, tmp_path / "before.auditpack", created_by=ACTOR)
    schema_12_database(db)
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    rows = [dict(r) for r in conn.execute("SELECT * FROM trail ORDER BY seq")]
    conn.close()
    for row in rows:
        row.pop("id")
    return db, rows, read_pack(tmp_path / "before.auditpack").payload


def test_an_upgrade_seals_the_rows_written_before_and_changes_nothing_read(
    older_demo: tuple[Path, list[dict], dict], tmp_path: Path
) -> None:
    db, rows, payload = older_demo
    assert len(rows) > 2 * BLOCK_ROWS
    with Store.open(db) as store:
        assert schema_version(db) == LATEST_VERSION  # 14, the sealing, and every later one
        assert _blocks(store) == [(1, 1024, 1024), (1025, 2048, 1024)]
        assert store.scalar("SELECT COUNT(*) FROM trail") == len(rows) - 2048
        assert chain_rows(store, store.origin) == rows
        assert trail_problems(store) == []
        export_pack(store, tmp_path / "after.auditpack", created_by=ACTOR)
    assert read_pack(tmp_path / "after.auditpack").payload["trail"] == payload["trail"]


def test_a_changed_row_written_before_the_upgrade_is_still_caught_after_it(
    older_demo: tuple[Path, list[dict], dict],
) -> None:
    db, _rows, _payload = older_demo
    with _raw(db) as conn:
        conn.execute("UPDATE trail SET actor = 'Someone Else' WHERE seq = 700")
    with Store.open(db) as store:
        assert store.scalar("SELECT COUNT(*) FROM trail WHERE seq = 700") == 0  # sealed
        [problem] = verify_trail(store)
    assert "row 700: was changed after it was written" in problem


def test_a_field_changed_by_sql_is_caught_with_its_rows_sealed(tmp_path: Path) -> None:
    with Store.open(tmp_path / "demo.db") as store:
        make_demo(store, cases=40, audits=30, seed=5)
        assert _blocks(store)
        uid, code = store.execute(
            "SELECT a.uid, n.criterion_code FROM answers n JOIN audits a ON a.id = n.audit_id "
            "WHERE n.value = 'yes' ORDER BY n.id LIMIT 1"
        ).fetchone()
        assert store.scalar("SELECT COUNT(*) FROM trail WHERE audit_uid = ?", [uid]) == 0
        store.execute(
            "UPDATE answers SET value = 'no' WHERE criterion_code = ? AND audit_id = "
            "(SELECT id FROM audits WHERE uid = ?)",
            [code, uid],
        )
        problems = verify_trail(store)
    assert any(f"Answer {code} of audit {uid}" in p and "value is 'no'" in p for p in problems)


def test_a_block_is_small(sealed: Store) -> None:
    """A block of 1,024 rows is a few kilobytes, not the 500 KB the rows take as written."""
    size = sealed.scalar("SELECT length(data) + length(checks) FROM trail_blocks LIMIT 1")
    assert size < 20 * BLOCK_ROWS
    assert zlib.decompress(sealed.scalar("SELECT data FROM trail_blocks LIMIT 1"))
