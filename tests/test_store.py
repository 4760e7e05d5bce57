"""The store: opening, migrations with a backup, integrity, and refusing what it cannot use."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from auditor.errors import StoreError, UpgradeCancelled
from auditor.store import Store
from auditor.store import db as store_db
from auditor.store.db import _split_sql, needs_upgrade
from auditor.store.schema import LATEST_VERSION, MIGRATIONS
from tests.child_python import run_python
from tests.older_databases import schema_12_database, schema_version, upgrade_copies


def test_new_database_is_at_latest_schema_with_wal_and_foreign_keys(db_path: Path) -> None:
    with Store.open(db_path) as store:
        assert store.schema_version == LATEST_VERSION
        assert store.scalar("PRAGMA journal_mode") == "wal"
        assert store.scalar("PRAGMA foreign_keys") == 1
        assert store.scalar("PRAGMA synchronous") == 2  # FULL
        assert len(store.origin) == 36
        assert store.integrity_problems() == []


def test_origin_is_stable_across_opens(db_path: Path) -> None:
    with Store.open(db_path) as store:
        origin = store.origin
    with Store.open(db_path) as store:
        assert store.origin == origin


def _make_v1_database(path: Path) -> None:
    """An older database as version 1 of the app left it, with a case in it."""
    conn = sqlite3.connect(path, isolation_level=None)
    for statement in _split_sql(MIGRATIONS[0].sql):
        conn.execute(statement)
    conn.execute("PRAGMA user_version = 1")
    conn.execute("INSERT INTO meta VALUES ('origin_id', 'old-origin-0000-0000-0000-000000000000')")
    conn.execute(
        "INSERT INTO cases (uid, reference, case_type, created_at, updated_at) "
        "VALUES ('u1', 'OLD-1', 'child_in_need', '2025-01-01', '2025-01-01')"
    )
    conn.close()


def test_migrating_an_older_schema_keeps_data_and_backs_up_first(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    _make_v1_database(path)
    with Store.open(path) as store:
        assert store.schema_version == LATEST_VERSION
        assert store.scalar("SELECT reference FROM cases") == "OLD-1"
        assert "closure_days" in store.db.table_names()
        assert store.origin.startswith("old-origin")
    [backup] = tmp_path.glob("old.before-schema-2.*.db")
    with sqlite3.connect(backup) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
        assert conn.execute("SELECT reference FROM cases").fetchone()[0] == "OLD-1"


def test_a_database_from_a_newer_version_is_refused_unchanged(db_path: Path) -> None:
    Store.open(db_path).close()
    with sqlite3.connect(db_path) as conn:
        conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    with pytest.raises(StoreError, match="made by a newer version of Case Auditor"):
        Store.open(db_path)
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION + 1


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "cases.db"
    path.write_bytes(b"Case reference,Team\nDEMO-1,North\n" * 200)
    with pytest.raises(StoreError, match="is not a Case Auditor database"):
        Store.open(path)
    assert path.read_bytes().startswith(b"Case reference")


def test_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="is a folder"):
        Store.open(tmp_path)


def test_open_without_create_needs_an_existing_file(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no such database"):
        Store.open(tmp_path / "missing.db", create=False)
    assert not (tmp_path / "missing.db").exists()


def test_failed_write_rolls_back_everything(store: Store) -> None:
    with pytest.raises(sqlite3.IntegrityError), store.atomic():
        store.execute("INSERT INTO meta VALUES ('k1', 'v1')")
        store.execute("INSERT INTO meta VALUES ('k1', 'again')")
    assert store.meta("k1") is None


def test_full_disk_becomes_a_clear_error(store: Store) -> None:
    # SQLite's max_page_count makes the database "full" at its current size.
    pages = store.scalar("PRAGMA page_count")
    store.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(StoreError, match="disk is full"), store.atomic():
        store.execute("INSERT INTO meta VALUES ('big', ?)", ["x" * 1_000_000])
    assert store.meta("big") is None


def test_migration_3_adds_pack_sync_state_to_a_version_2_database(tmp_path: Path) -> None:
    path = tmp_path / "v2.db"
    conn = sqlite3.connect(path, isolation_level=None)
    for migration in MIGRATIONS[:2]:
        for statement in _split_sql(migration.sql):
            conn.execute(statement)
    conn.execute("PRAGMA user_version = 2")
    conn.execute("INSERT INTO meta VALUES ('origin_id', 'v2-origin')")
    conn.close()
    with Store.open(path) as store:
        assert store.schema_version == LATEST_VERSION  # 3 and every later migration
        tables = set(store.db.table_names())
        assert {
            "audit_versions",
            "imported_packs",
            "merge_conflicts",
            "case_aliases",
            "trail_gaps",
        } <= tables
        assert store.origin == "v2-origin"
    [backup] = tmp_path.glob("v2.before-schema-3.*.db")
    with sqlite3.connect(backup) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 2


def _in_database_file(db: Path, sql: str) -> list[tuple[object, ...]]:
    """``sql`` run on the database file alone, the WAL left unread (``immutable``), in
    another process: opening the file in this one would drop this process's locks."""
    import json
    import subprocess
    import sys

    code = (
        "import json, sqlite3, sys; "
        "c = sqlite3.connect(f'file:{sys.argv[1]}?immutable=1', uri=True); "
        "print(json.dumps(c.execute(sys.argv[2]).fetchall()))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(db), sql], capture_output=True, text=True, check=True
    )
    return [tuple(row) for row in json.loads(done.stdout)]


def test_saves_stay_in_the_wal_until_a_checkpoint_puts_them_in_the_database_file(
    tmp_path: Path,
) -> None:
    """Saving never waits for the WAL to be copied back (SQLite's automatic checkpoint runs
    only past WAL_AUTOCHECKPOINT_PAGES); ``checkpoint`` copies it, as the app does when the
    auditor pauses. Either way every save is in the database as soon as it is made."""
    from auditor.audits.records import record_answer, start_audit
    from auditor.cases.records import add_case
    from auditor.frameworks.library import ensure_builtin_frameworks
    from auditor.store.db import WAL_AUTOCHECKPOINT_PAGES

    db = tmp_path / "wal.db"
    with Store.open(db) as store:
        assert store.scalar("PRAGMA wal_autocheckpoint") == WAL_AUTOCHECKPOINT_PAGES
        ensure_builtin_frameworks(store)
        case = add_case(store, actor="Test", reference="TEST-0001", case_type="child_in_need")
        uid = start_audit(store, case_uid=case.uid, auditor="Test", framework_code="IN-CFA")
        store.checkpoint()
        for value in ("yes", "no", "partly"):
            record_answer(store, uid, "RISK-01", value=value, evidence="Seen.", actor="Test")
        answer = "SELECT value FROM answers WHERE criterion_code = 'RISK-01'"
        assert _in_database_file(db, answer) == []  # in the WAL only, for now
        assert store.scalar(answer) == "partly"  # and in the database all the same
        store.checkpoint()
        assert _in_database_file(db, answer) == [("partly",)]


def test_opening_and_using_a_database_does_not_import_sqlite_utils(tmp_path: Path) -> None:
    """The store's reads and writes go straight to the connection: starting the app or a
    command does not pay for importing sqlite-utils (~40 ms); its view is made on demand."""
    code = (
        "import sys; from pathlib import Path; from auditor.store import Store; "
        "from auditor.frameworks.library import ensure_builtin_frameworks; "
        "s = Store.open(Path(sys.argv[1])); ensure_builtin_frameworks(s); "
        "s.query('SELECT code FROM frameworks'); s.scalar('SELECT 1'); "
        "assert 'sqlite_utils' not in sys.modules, 'imported'; "
        "assert s.db.conn is s.conn; print('sqlite_utils' in sys.modules); s.close()"
    )
    assert run_python(code, str(tmp_path / "x.db")) == "True"  # asked for, it is there


def test_an_older_database_needs_an_upgrade_and_a_current_one_does_not(tmp_path: Path) -> None:
    older, current = tmp_path / "older.db", tmp_path / "current.db"
    schema_12_database(older)
    Store.open(current).close()
    not_one = tmp_path / "notes.db"
    not_one.write_text("not a database\n" * 100)
    assert needs_upgrade(older)
    assert not needs_upgrade(current)
    assert not needs_upgrade(tmp_path / "missing.db")  # made afresh, nothing to upgrade
    assert not needs_upgrade(not_one)  # Store.open says what is wrong with it
    assert schema_version(older) == 12, "asking changes nothing"


@pytest.fixture
def older(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A schema-12 database of a few hundred pages, copied 16 pages a backup step."""
    db = tmp_path / "older.db"
    schema_12_database(db, padding_mb=1)
    monkeypatch.setattr(store_db, "BACKUP_STEP_PAGES", 16)
    return db


def test_an_upgrade_reports_its_progress_to_the_end_and_keeps_a_copy(older: Path) -> None:
    db = older
    reports: list[tuple[int, int]] = []
    with Store.open(db, progress=lambda done, total: reports.append((done, total))) as store:
        assert store.schema_version == LATEST_VERSION
        assert store.scalar("SELECT COUNT(*) FROM sqlite_master WHERE name = 'trail_blocks'")
    assert len(reports) > 16, "the copy is reported step by step"
    assert [done for done, _ in reports] == sorted(done for done, _ in reports)
    assert len({total for _, total in reports}) == 1 and reports[-1][0] == reports[-1][1]
    [copy] = upgrade_copies(db)
    assert schema_version(db.with_name(copy)) == 12, "the copy is the database as it was"


def test_an_upgrade_cancelled_while_its_copy_is_made_leaves_the_database_as_it_was(
    older: Path,
) -> None:
    db = older
    asked: list[int] = []

    def cancelled() -> bool:
        asked.append(1)
        return len(asked) >= 3

    with pytest.raises(UpgradeCancelled, match="older.db was cancelled: the database is as it was"):
        Store.open(db, cancelled=cancelled)
    assert schema_version(db) == 12
    assert upgrade_copies(db) == [], "no half-made copy is left to look like a backup"
    with Store.open(db) as store:  # and the next open upgrades it
        assert store.schema_version == LATEST_VERSION
    assert len(upgrade_copies(db)) == 1


def test_a_reader_refuses_an_older_database_before_reading_all_of_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``verify`` and the report open read-only with the check: an older database is refused
    at once, not after the quick check has read every page (4 s for a year's 500 MB)."""
    db = tmp_path / "older.db"
    schema_12_database(db)

    def every_page(_store: Store) -> None:
        raise AssertionError("the whole file was read first")

    monkeypatch.setattr(Store, "_quick_check", every_page)
    with pytest.raises(StoreError, match="made by an older version of Case Auditor"):
        Store.open(db, readonly=True, check=True)
