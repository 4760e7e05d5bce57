"""The store: opening, migrations with a backup, integrity, and refusing what it cannot use."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from auditor.errors import StoreError
from auditor.store import Store
from auditor.store.db import _split_sql
from auditor.store.schema import LATEST_VERSION, MIGRATIONS


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
        assert store.schema_version == LATEST_VERSION
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
