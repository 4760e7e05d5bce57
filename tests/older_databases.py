"""Databases as an older version of Case Auditor left them, for the upgrade's tests."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from auditor.store import Store


def schema_12_database(path: Path, *, padding_mb: int = 0) -> None:
    """A database as schema 12 left it (before ``trail_unaudited``), with ``padding_mb``
    of data in it so that copying it takes many of the backup's steps."""
    with Store.open(path) as store:
        if padding_mb:
            store.execute(
                "INSERT INTO meta (key, value) VALUES ('test padding', randomblob(?))",
                [padding_mb << 20],
            )
        store.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("DROP INDEX trail_unaudited")
        conn.execute("PRAGMA user_version = 12")
    finally:
        conn.close()


def schema_version(path: Path) -> int:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


def upgrade_copies(path: Path) -> list[str]:
    """The copies an upgrade kept beside ``path``, as it was before."""
    return sorted(p.name for p in path.parent.glob(f"{path.stem}.before-schema-*"))
