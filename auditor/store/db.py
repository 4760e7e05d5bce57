"""Opening the database safely: WAL, foreign keys, durable commits, migrations, integrity.

Every write goes through :meth:`Store.atomic`, one transaction: a crash, a killed process or
a full disk leaves the database as it was before the write or after it, never in between.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from auditor import __version__
from auditor.clock import new_uid, now_utc
from auditor.errors import StoreError
from auditor.store.schema import LATEST_VERSION, MIGRATIONS

log = logging.getLogger(__name__)

# How long to wait for another process's write lock before giving up with a message.
_BUSY_TIMEOUT_MS = 5000


class Store:
    """An open Case Auditor database. Use one per thread; open another for a worker."""

    def __init__(self, db: sqlite_utils.Database, path: Path) -> None:
        self.db = db
        self.path = path
        self._origin: str | None = None
        self._after_commit: list[Callable[[Store], None]] = []

    # -- opening -----------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path | str, *, create: bool = True, check: bool = True) -> Store:
        """Open (and, with ``create``, make) the database at ``path``, migrating it if old.

        Raises :class:`StoreError` naming the file when it is not a Case Auditor database,
        was made by a newer version, or fails its integrity check.
        """
        path = Path(path)
        if not create and not path.exists():
            raise StoreError(f"{path}: no such database")
        if path.exists() and path.is_dir():
            raise StoreError(f"{path} is a folder, not a database file")
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = _connect(path)
        store = cls(sqlite_utils.Database(conn), path)
        try:
            if check:
                store._quick_check()
            store._migrate()
            store._ensure_origin()
        except BaseException:
            conn.close()
            raise
        return store

    def close(self) -> None:
        self.db.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transactions and queries ------------------------------------------------------

    @contextmanager
    def atomic(self) -> Iterator[sqlite_utils.Database]:
        """One transaction (a savepoint when nested); expected SQLite errors become
        :class:`StoreError` with a message a user can act on."""
        outermost = not self.db.conn.in_transaction
        try:
            with translate_errors(self.path), self.db.atomic() as db:
                yield db
        except BaseException:
            if outermost:
                self._after_commit.clear()
            raise
        if outermost:
            callbacks, self._after_commit = self._after_commit, []
            for callback in callbacks:
                callback(self)

    def after_commit(self, callback: Callable[[Store], None]) -> None:
        """Call ``callback(store)`` once the open transaction commits, never if it rolls back
        (the trail notes its newest row beside the database this way)."""
        if callback not in self._after_commit:
            self._after_commit.append(callback)

    def query(self, sql: str, params: Any = ()) -> list[dict[str, Any]]:
        with translate_errors(self.path):
            return list(self.db.query(sql, params))

    def one(self, sql: str, params: Any = ()) -> dict[str, Any] | None:
        rows = self.query(sql, params)
        return rows[0] if rows else None

    def scalar(self, sql: str, params: Any = ()) -> Any:
        with translate_errors(self.path):
            row = self.db.execute(sql, params).fetchone()
        return None if row is None else row[0]

    def execute(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        with translate_errors(self.path):
            return self.db.execute(sql, params)

    # -- identity and versions ---------------------------------------------------------

    @property
    def origin(self) -> str:
        """This database's own identity, made at ``init``: trail chains are kept per origin."""
        if self._origin is None:
            self._origin = self.meta("origin_id")
        assert self._origin is not None
        return self._origin

    @property
    def schema_version(self) -> int:
        return int(self.scalar("PRAGMA user_version"))

    def meta(self, key: str) -> str | None:
        value = self.scalar("SELECT value FROM meta WHERE key = ?", [key])
        return None if value is None else str(value)

    def set_meta(self, key: str, value: str) -> None:
        with self.atomic():
            self.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [key, value],
            )

    def integrity_problems(self) -> list[str]:
        """``PRAGMA integrity_check`` and foreign keys: an empty list means sound."""
        rows = [r[0] for r in self.execute("PRAGMA integrity_check").fetchall()]
        problems = [] if rows == ["ok"] else [f"integrity: {r}" for r in rows]
        for table, rowid, parent, _ in self.execute("PRAGMA foreign_key_check").fetchall():
            problems.append(f"{table} row {rowid} refers to a missing {parent} row")
        return problems

    # -- internals -----------------------------------------------------------------------

    def _quick_check(self) -> None:
        try:
            result = self.db.execute("PRAGMA quick_check").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path} is not a Case Auditor database ({exc})") from exc
        if result != "ok":
            raise StoreError(f"{self.path} is damaged: {result}. Restore it from a backup.")

    def _migrate(self) -> None:
        current = self.schema_version
        if current > LATEST_VERSION:
            raise StoreError(
                f"{self.path} was made by a newer version of Case Auditor (schema {current}; "
                f"this version knows up to {LATEST_VERSION}). Update Case Auditor to open it."
            )
        pending = [m for m in MIGRATIONS if m.version > current]
        if not pending:
            return
        if current > 0:
            backup = self.backup(suffix=f"before-schema-{pending[0].version}")
            log.info("backed up %s to %s before migrating", self.path, backup)
        for migration in pending:
            self._apply(migration.version, migration.name, migration.sql)

    def _apply(self, version: int, name: str, sql: str) -> None:
        log.info("applying migration %d (%s) to %s", version, name, self.path)
        conn = self.db.conn
        try:
            conn.execute("BEGIN IMMEDIATE")
            for statement in _split_sql(sql):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {int(version)}")
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise StoreError(f"{self.path}: cannot upgrade the database ({exc})") from exc

    def _ensure_origin(self) -> None:
        if self.meta("origin_id") is None:
            with self.atomic():
                for key, value in (
                    ("origin_id", new_uid()),
                    ("created_at", now_utc()),
                    ("created_by_version", __version__),
                ):
                    self.execute(
                        "INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)", [key, value]
                    )

    def backup(self, *, suffix: str) -> Path:
        """A consistent copy beside the database (SQLite's online backup), e.g. before a
        migration. Returns its path."""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        target = self.path.with_name(f"{self.path.stem}.{suffix}.{stamp}{self.path.suffix}")
        with translate_errors(target):
            dest = sqlite3.connect(target)
            try:
                self.db.conn.backup(dest)
            finally:
                dest.close()
        return target


def _connect(path: Path) -> sqlite3.Connection:
    try:
        # isolation_level=None: we issue BEGIN/COMMIT ourselves (through atomic()), so Python's
        # sqlite3 never commits behind our back.
        conn = sqlite3.connect(path, isolation_level=None, timeout=_BUSY_TIMEOUT_MS / 1000)
        conn.execute("PRAGMA journal_mode = WAL")
        # FULL: a committed answer survives power loss, at ~0.2 ms a commit (PERFORMANCE.md).
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path} is not a Case Auditor database ({exc})") from exc
    return conn


def _split_sql(sql: str) -> list[str]:
    """Split a migration into statements (triggers keep their inner semicolons)."""
    statements, buffer = [], ""
    for line in sql.splitlines(keepends=True):
        if line.strip().startswith("--"):
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements


@contextmanager
def translate_errors(path: Path) -> Iterator[None]:
    """Turn SQLite's expected failures into messages a user can act on."""
    try:
        yield
    except sqlite3.OperationalError as exc:
        text = str(exc).lower()
        if "disk is full" in text or "disk i/o" in text:
            raise StoreError(
                f"Could not save to {path}: the disk is full or failing. Nothing was "
                "half-saved; free some space and try again."
            ) from exc
        if "locked" in text or "busy" in text:
            raise StoreError(
                f"{path} is busy in another program. Close it there and try again."
            ) from exc
        if "readonly" in text:
            raise StoreError(f"{path} is read-only: Case Auditor cannot save to it.") from exc
        raise
