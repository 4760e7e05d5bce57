"""Databases as an older version of Case Auditor left them, for the upgrade's tests."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from auditor.store import Store
from auditor.store.schema import INITIAL_SCHEMA, TRAIL_UNAUDITED
from auditor.store.trail_blocks import _Block
from auditor.store.trail_hash import COLUMNS


def schema_12_database(path: Path, *, padding_mb: int = 0) -> None:
    """A database as schema 12 left it (before ``trail_unaudited`` and sealed trail rows),
    with ``padding_mb`` of data in it so that copying it takes many of the backup's steps."""
    with Store.open(path) as store:
        if padding_mb:
            store.execute(
                "INSERT INTO meta (key, value) VALUES ('test padding', randomblob(?))",
                [padding_mb << 20],
            )
        store.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        before_sealing(conn)
        conn.execute("DROP INDEX trail_unaudited")
        conn.execute("PRAGMA user_version = 12")
    finally:
        conn.close()


def before_sealing(conn: sqlite3.Connection) -> None:
    """Undo schema 14: ``trail`` as schema 13 left it (its id, its indexes, its triggers),
    every sealed row back in it, and the blocks' tables gone."""
    columns = ", ".join(COLUMNS)
    rows = [
        row
        for stored in conn.execute(
            "SELECT id, origin, first_seq, last_seq, rows, hash, data, checks FROM trail_blocks"
        ).fetchall()
        for row in _opened(stored)
    ]
    rows += conn.execute(f"SELECT {columns} FROM trail").fetchall()
    rows.sort(key=lambda r: (r[1], r[2]))
    for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name LIKE 'trail_block%'"
    ).fetchall():
        conn.execute(f"DROP TRIGGER {name}")
    for table in ("trail_blocks", "trail_block_runs", "trail_block_keys", "trail"):
        conn.execute(f"DROP TABLE {table}")
    for pattern in _SCHEMA_13_TRAIL:
        conn.execute(re.search(pattern, INITIAL_SCHEMA + TRAIL_UNAUDITED, re.DOTALL).group(0))
    conn.executemany(
        f"INSERT INTO trail ({columns}) VALUES ({', '.join('?' for _ in COLUMNS)})", rows
    )


_SCHEMA_13_TRAIL = (
    r"CREATE TABLE trail \(.*?\n\);",
    r"CREATE INDEX trail_audit .*?;",
    r"CREATE INDEX IF NOT EXISTS trail_unaudited .*?;",
    r"CREATE TRIGGER trail_no_update .*?END;",
    r"CREATE TRIGGER trail_no_delete .*?END;",
)


def _opened(stored: tuple) -> list[list]:
    block = _Block(stored)
    block.hash()
    return block.rows


def schema_version(path: Path) -> int:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


def upgrade_copies(path: Path) -> list[str]:
    """The copies an upgrade kept beside ``path``, as it was before."""
    return sorted(p.name for p in path.parent.glob(f"{path.stem}.before-schema-*"))
