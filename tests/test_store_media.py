"""The database on a full disk and on a read-only disk: the message names the real cause,
commands that only read still work, and nothing half-made is left behind."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from auditor.errors import StoreError
from auditor.frameworks.library import ensure_builtin_frameworks
from auditor.store import Store
from auditor.store.schema import MIGRATIONS
from tests.disks import fill, make_read_only, small_disk
from tests.test_cli import cli

ROOT = Path(__file__).resolve().parent.parent


def demo_database(db: Path) -> None:
    assert cli("demo", "--db", str(db), "--cases", "20", "--audits", "6").returncode == 0


def test_init_on_a_full_disk_says_so_and_leaves_no_file(tmp_path: Path) -> None:
    with small_disk("media") as disk:
        fill(disk)
        result = cli("init", "--db", str(disk / "new.db"))
        assert result.returncode == 2
        assert "the disk is full" in result.stderr
        assert "not a Case Auditor database" not in result.stderr
        assert sorted(p.name for p in disk.iterdir()) == ["filler.bin"]


def test_opening_for_work_on_a_full_disk_says_the_disk_is_full(tmp_path: Path) -> None:
    with small_disk("media") as disk:
        db = disk / "council.db"
        demo_database(db)
        fill(disk)
        with pytest.raises(StoreError, match="the disk is full") as raised:
            Store.open(db)
        assert "not a Case Auditor database" not in str(raised.value)


def test_reading_commands_work_on_a_full_disk(tmp_path: Path) -> None:
    with small_disk("media") as disk:
        db = disk / "council.db"
        demo_database(db)
        fill(disk)
        verify = cli("verify", "--db", str(db))
        assert verify.returncode == 0, verify.stderr
        listing = cli("cases", "list", "--db", str(db), "--json")
        assert listing.returncode == 0, listing.stderr
        assert listing.stdout.count('"reference"') == 20


def test_a_read_only_disk_is_read_and_named_read_only_for_work(tmp_path: Path) -> None:
    with small_disk("media") as disk:
        db = disk / "council.db"
        demo_database(db)
        make_read_only(disk)
        for command in (["verify"], ["cases", "list"], ["programme", "list"]):
            result = cli(*command, "--db", str(db))
            assert result.returncode == 0, (command, result.stderr)
        report = cli("report", "--db", str(db), "--out", str(tmp_path / "report.xlsx"))
        assert report.returncode == 0, report.stderr
        assert (tmp_path / "report.xlsx").stat().st_size > 0
        with pytest.raises(StoreError, match="read-only") as raised:
            Store.open(db)
        assert "not a Case Auditor database" not in str(raised.value)
        init = cli("init", "--db", str(db))
        assert init.returncode == 2 and "read-only" in init.stderr


def test_a_new_database_in_a_read_only_folder_is_refused_by_name(tmp_path: Path) -> None:
    with small_disk("media") as disk:
        make_read_only(disk)
        with pytest.raises(StoreError, match="read-only") as raised:
            Store.open(disk / "new.db")
        assert "new.db" in str(raised.value)


def test_a_migration_backup_that_cannot_be_made_leaves_no_empty_backup(tmp_path: Path) -> None:
    """An old database on a disk that fills up: the backup before the upgrade fails; no
    0-byte file that looks like a backup is left, and the database is as it was."""
    with small_disk("media", size="2m") as disk:
        db = disk / "old.db"
        with Store.open(db) as made:
            ensure_builtin_frameworks(made)
        _back_to_schema(db, MIGRATIONS[-1].version - 1)
        # Another connection keeps the WAL and its shared memory in place, so the open
        # itself needs no new space: the first thing to need it is the backup.
        keeper = sqlite3.connect(db)
        keeper.execute("SELECT COUNT(*) FROM meta").fetchone()
        try:
            fill(disk)
            with pytest.raises(StoreError, match="disk is full") as raised:
                Store.open(db)
            assert ".before-schema-" in str(raised.value)  # it was the backup that failed
            names = sorted(p.name for p in disk.iterdir())
            assert not [n for n in names if ".before-schema-" in n], names
            version = keeper.execute("PRAGMA user_version").fetchone()[0]
            assert version == MIGRATIONS[-1].version - 1
        finally:
            keeper.close()


def _back_to_schema(db: Path, version: int) -> None:
    """Pretend ``db`` was made by an older version: its user_version only (the migration
    would re-run; what matters here is the backup it makes first)."""
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA user_version = {version}")
    conn.commit()
    conn.close()
