"""Opening the database safely: WAL, foreign keys, durable commits, migrations, integrity.

Every write goes through :meth:`Store.atomic`, one transaction: a crash, a killed process or
a full disk leaves the database as it was before the write or after it, never in between.

The database is shared by several processes (the app, the command line, the report's child
process), so three rules hold here (docs/data-model.md, "Who opens the database"):

- A write transaction takes the write lock first (``BEGIN IMMEDIATE``) and waits for it up to
  the busy timeout. A deferred ``BEGIN`` that reads, then writes, fails at once when another
  connection committed in between, whatever the timeout (shared/PITFALLS.md #9).
- A process that only reads opens the database read-only (:meth:`Store.open` with
  ``readonly=True``): a read-only connection never checkpoints and deletes the WAL when it
  closes, which a read-write one does when it believes it is the last user.
- Before each transaction the connection checks that its WAL is still the file on disk. A
  process loses its POSIX locks when any descriptor of the database file is closed
  (shared/PITFALLS.md #8); another process may then delete the WAL under it, and every later
  commit would go into a deleted file. The guard notices and opens the database afresh
  before writing. It watches the WAL's index (``-shm``), which SQLite deletes with the WAL
  whenever it deletes the WAL, and not the WAL itself: see :meth:`Store.wal_is_current`.
  While another store of this process has the file open, a write waits instead (refused
  with a message, kept and retried by the app): see :meth:`Store._guard_wal`.
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from auditor import __version__
from auditor.clock import new_uid, now_utc
from auditor.errors import StoreError, UpgradeCancelled
from auditor.progress import Cancelled, Progress
from auditor.store.schema import (
    COMPARED_CHECKS_VERSION,
    LATEST_VERSION,
    MARKS_VERSION,
    MIGRATIONS,
    SEALED_VERSION,
)

if TYPE_CHECKING:
    import sqlite_utils

log = logging.getLogger(__name__)

# How long to wait for another process's write lock before giving up with a message.
BUSY_TIMEOUT_MS = 5000
# The page cache for bulk writes (Store.large_cache): 256 MB cut a 20-pack merge by 12 %.
BULK_CACHE_KIB = 256 * 1024
# SQLite copies the WAL back into the database inside whichever commit takes it past this
# many pages: that save waits for the copy (the slowest saves were these, ~4 ms against
# 0.5 ms). 10,000 pages (40 MB at 4 KiB) makes that rare; the app checkpoints when the
# auditor pauses (:meth:`Store.checkpoint`), so its WAL stays small, and the bound holds
# for a process that never pauses. Durability is the same either way: a commit is in the
# WAL, synced, before it is acknowledged.
WAL_AUTOCHECKPOINT_PAGES = 10_000
# An upgrade's progress is counted in pages copied; sealing a block of the trail takes
# about as long as copying SEAL_STEP_PAGES, compacting the database after as VACUUM_STEPS.
SEAL_STEP_PAGES = 1024
VACUUM_STEPS = 200_000
# Pages a backup copies between two progress reports (16 MB at 4 KiB: ~30 ms here).
BACKUP_STEP_PAGES = 4096
# Less free space than this and a failed write is put down to a full disk.
_FULL_BELOW_BYTES = 1 << 20
# The meta key of the secret behind pseudonymised case references (auditor/reports/pseudonym.py).
PSEUDONYM_KEY = "pseudonym_key"


# What the WAL guard says when it must wait for this process's other stores to close (a
# part of the audit form's "Not saved" line, so short enough for it at 1366 pixels).
WAL_REPLACED_SHARED = (
    "another program changed the database's files: saving resumes when other work in this "
    "window ends"
)


class _OpenFile:
    """This process's stores on one database file, as SQLite shares them: while one of
    its connections is open, every new one gets the same WAL index and the same locks
    (SQLite keeps them for each file and process). ``shm`` is the WAL index (its device
    and inode) they all use, as a read-write connection found it: the WAL guard compares
    the index on disk with it, and opens the file afresh only when it is the one store."""

    lock: ClassVar[threading.Lock] = threading.Lock()  # to join; the guard, to reopen
    _by_file: ClassVar[dict[object, _OpenFile]] = {}

    def __init__(self, key: object) -> None:
        self.key = key
        self.shm: tuple[int, int] | None = None
        self.stores = 0

    @classmethod
    def join(cls, path: Path, shm: tuple[int, int] | None) -> _OpenFile:
        """Count a store that has just opened ``path`` (``shm``: the index it found, None for
        a read-only one). Called with :attr:`lock` held, the connection made under it."""
        key = _file_id(path) or os.path.realpath(path)  # SQLite tells files by inode too
        entry = cls._by_file.get(key)
        if entry is None:
            entry = cls._by_file[key] = cls(key)
        if entry.shm is None:
            entry.shm = shm
        entry.stores += 1
        return entry

    def leave(self) -> None:
        with self.lock:
            self.stores -= 1
            if self.stores == 0 and self._by_file.get(self.key) is self:
                del self._by_file[self.key]


class Store:
    """An open Case Auditor database. Use one per thread; open another for a worker."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        path: Path,
        *,
        readonly: bool = False,
        busy_timeout_ms: int = BUSY_TIMEOUT_MS,
    ) -> None:
        self.conn = conn
        self._db: sqlite_utils.Database | None = None
        self._savepoints = 0
        self.path = path
        self.readonly = readonly
        self.busy_timeout_ms = busy_timeout_ms
        self._origin: str | None = None
        # The WAL index's name as text, made once: the guard stats it before every
        # transaction, and making the path again each time took as long as the stat itself.
        self._shm_name = str(_shm_path(path))
        self._file = _OpenFile.join(path, None if readonly else _file_id(self._shm_name))
        self._closed = False
        self.reopened = 0  # how often the WAL guard had to open the database afresh
        self._reconnecting = False  # the guard closed the connection, not yet opened anew
        self._after_commit: list[Callable[[Store], None]] = []
        self._notes: dict[str, Any] = {}  # what the open transaction wrote: see note()

    # -- opening -----------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        path: Path | str,
        *,
        create: bool = True,
        check: bool = True,
        readonly: bool = False,
        busy_timeout_ms: int = BUSY_TIMEOUT_MS,
        progress: Progress | None = None,
        cancelled: Cancelled | None = None,
    ) -> Store:
        """Open (and, with ``create``, make) the database at ``path``, migrating it if old.

        An upgrade (:func:`needs_upgrade`) reports on ``progress`` and asks ``cancelled``
        while it makes its copy of the database as it was, which is most of its time;
        cancelled, it raises :class:`UpgradeCancelled` and leaves the database unchanged.

        ``readonly`` opens it for reading only: for every process or command that does not
        write (a report, ``verify``, a listing). It works on a read-only file or folder too,
        and never migrates, creates or deletes anything.

        Raises :class:`StoreError` naming the file when it is missing, not a Case Auditor
        database, made by a newer version, damaged, on a full disk or read-only.
        """
        path = Path(path)
        if (readonly or not create) and not path.exists():
            raise StoreError(f"{path}: no such database")
        if path.exists() and path.is_dir():
            raise StoreError(f"{path} is a folder, not a database file")
        if readonly:
            return cls._open_readonly(path, check=check, busy_timeout_ms=busy_timeout_ms)
        created = not path.exists()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"Cannot make the folder for {path}: {_os_reason(exc)}") from exc
        try:
            with _OpenFile.lock:  # not while the guard opens the file afresh
                conn = _connect(path, busy_timeout_ms)
                store = cls(conn, path, busy_timeout_ms=busy_timeout_ms)
            try:
                if check:
                    store._quick_check()
                store._migrate(progress, cancelled)
                store._ensure_origin()
            except BaseException:
                store.close()  # its connection, and its place among the file's stores
                raise
        except BaseException:
            if created:
                _remove_new_database(path)
            raise
        return store

    @classmethod
    def _open_readonly(cls, path: Path, *, check: bool, busy_timeout_ms: int) -> Store:
        with _OpenFile.lock:
            conn = _connect_readonly(path, busy_timeout_ms)
            store = cls(conn, path, readonly=True, busy_timeout_ms=busy_timeout_ms)
        try:
            # The schema first: a database that must be upgraded is refused at once, not
            # after reading every page of it (4 s for a year's 500 MB here).
            store._check_schema_readable()
            if check:
                store._quick_check()
        except BaseException:
            store.close()
            raise
        return store

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            self.conn.close()
        finally:
            self._file.leave()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transactions and queries ------------------------------------------------------

    @property
    def db(self) -> sqlite_utils.Database:
        """sqlite-utils' view of this connection, made when first asked for. The store's own
        reads and writes go straight to the connection, so opening a database (starting the
        app, a command) does not import sqlite-utils and what it pulls in (~40 ms)."""
        if self._db is None or self._db.conn is not self.conn:
            import sqlite_utils

            self._db = sqlite_utils.Database(self.conn)
        return self._db

    @contextmanager
    def atomic(self) -> Iterator[None]:
        """One write transaction (a savepoint when nested); expected SQLite errors become
        :class:`StoreError` with a message a user can act on.

        The outermost level begins ``IMMEDIATE``: it waits (up to the busy timeout) for
        another process's write to finish instead of failing when it reads, then writes.
        After it commits, the callbacks registered with :meth:`after_commit` run; a rollback
        drops them.
        """
        if self.conn.in_transaction:
            with translate_errors(self.path), self._savepoint():
                yield
            return
        if self.readonly:
            raise StoreError(f"{self.path} was opened read-only: nothing can be saved to it.")
        with translate_errors(self.path):
            # The guard may open the database afresh: the connection is taken after it.
            self._guard_wal(writing=True)
            conn = self.conn
            conn.execute("BEGIN IMMEDIATE")
        self._notes.clear()  # none left from a transaction not begun here (a migration's)
        try:
            yield
        except BaseException:
            self._after_commit.clear()
            self._notes.clear()
            if conn.in_transaction:
                with translate_errors(self.path):
                    conn.execute("ROLLBACK")
            raise
        try:
            with translate_errors(self.path):
                conn.execute("COMMIT")
        except BaseException:
            self._after_commit.clear()
            self._notes.clear()
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        callbacks, self._after_commit = self._after_commit, []
        try:
            for callback in callbacks:
                callback(self)
        finally:
            self._notes.clear()

    @contextmanager
    def _savepoint(self) -> Iterator[None]:
        """A nested transaction inside the open one: undone alone when its block fails."""
        self._savepoints += 1
        name = f"nested_{self._savepoints}"
        self.conn.execute(f"SAVEPOINT {name}")
        try:
            yield
        except BaseException:
            self._notes.clear()  # what it wrote is undone: the notes may name some of it
            self.conn.execute(f"ROLLBACK TO {name}")
            self.conn.execute(f"RELEASE {name}")
            raise
        finally:
            self._savepoints -= 1
        self.conn.execute(f"RELEASE {name}")

    @contextmanager
    def large_cache(self) -> Iterator[None]:
        """A page cache of up to ``BULK_CACHE_KIB`` while a bulk write runs (a merge, a big
        import): the indexes of random uids it inserts into stay in memory between rows
        and between packs, instead of being read again page by page (the 50th pack merged
        as fast as the 1st). Only pages used take memory; the cache shrinks back after."""
        before = self.conn.execute("PRAGMA cache_size").fetchone()[0]
        self.conn.execute(f"PRAGMA cache_size = {-BULK_CACHE_KIB}")
        try:
            yield
        finally:
            self.conn.execute(f"PRAGMA cache_size = {int(before)}")

    def checkpoint(self) -> None:
        """Copy what the WAL holds back into the database now, without waiting for readers
        or writers (a passive checkpoint: it copies what it can and leaves the rest). The
        WAL file stays where it is, so the WAL guard sees the same file."""
        self.conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()

    def after_commit(self, callback: Callable[[Store], None]) -> None:
        """Call ``callback(store)`` once the open transaction commits, never if it rolls back
        (the trail notes its newest row beside the database this way)."""
        if callback not in self._after_commit:
            self._after_commit.append(callback)

    def note(self, key: str, value: Any) -> None:
        """Keep ``value`` (something the open transaction wrote) for the callbacks that run
        once it commits (:meth:`noted`), so they need not read it back (the trail's newest
        row for the anchor file: a read after the commit takes and drops a read lock). All
        notes are forgotten when any part of the transaction rolls back, a savepoint too,
        and when the next one begins: a callback never sees a value that was not
        committed, only none, and then reads it."""
        if self.conn.in_transaction:
            self._notes[key] = value

    def noted(self, key: str) -> Any:
        """A value :meth:`note` kept in the transaction that committed (None: read it)."""
        return self._notes.get(key)

    def query(self, sql: str, params: Any = ()) -> list[dict[str, Any]]:
        """The rows of ``sql`` as dicts. Straight from the connection: sqlite-utils wraps
        every query in a savepoint, two statements more for each read (an answer saved
        reads three times)."""
        with translate_errors(self.path):
            self._guard_wal()
            cursor = self.conn.execute(sql, params)
            if cursor.description is None:
                raise ValueError("query() is for SQL that returns rows: use execute()")
            keys = [d[0] for d in cursor.description]
            if len(set(keys)) < len(keys):  # sqlite-utils renames repeated names (id_2)
                return list(self.db.query(sql, params))
            return [dict(zip(keys, row, strict=True)) for row in cursor]

    def one(self, sql: str, params: Any = ()) -> dict[str, Any] | None:
        rows = self.query(sql, params)
        return rows[0] if rows else None

    def scalar(self, sql: str, params: Any = ()) -> Any:
        with translate_errors(self.path):
            self._guard_wal()
            row = self.conn.execute(sql, params).fetchone()
        return None if row is None else row[0]

    def execute(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        with translate_errors(self.path):
            self._guard_wal()
            return self.conn.execute(sql, params)

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

    # -- the WAL guard -------------------------------------------------------------------

    def wal_is_current(self) -> bool:
        """Whether this connection's WAL is still the file on disk (see the module's note).

        Told by the WAL's index, ``NAME.db-shm``: SQLite deletes the two together (a
        connection that closes last, or leaves WAL mode, unlinks the index, then the WAL),
        and a connection that makes a new WAL makes a new index with it. The process holds
        both open, so neither inode can be reused while it does. The index compared is the
        one this process's connections use (:class:`_OpenFile`), not the one this store
        found on disk when it opened. The WAL itself is not asked: on this machine (Linux
        6.18, ext4) a ``stat`` of a file before it is written made the commit's sync of it
        60-80 µs slower, probably because the kernel then gives the file a finer time,
        which the sync must write too (a saved answer's commit: 265 µs with the WAL asked,
        190 with the index; 5 pages written and synced by hand: 230 µs with a ``stat``
        first, 150 without). SQLite never syncs the index.
        """
        return self.readonly or _file_id(self._shm_name) == self._file.shm

    def _guard_wal(self, *, writing: bool = False) -> None:
        """Before a transaction: if another process deleted (or replaced) the WAL this
        connection uses, open the database afresh, so nothing is written into a deleted file.

        Only between transactions: inside one, the connection's snapshot must stay put.

        SQLite keeps a file's WAL index and locks for the whole process: while any
        connection of this process has the database open, a new one gets the same index,
        the deleted one, and the same lost locks. Opened beside the old one, the new
        connection wrote into the WAL another process had made since, with an index no
        other process reads, so they never saw its saves (the test with a second process
        that stays open). So the old connection is closed first, and only when it is this
        process's one connection to the file: while another store of this process (a
        worker's) has it open too, a write is refused with a :class:`StoreError` (the app
        keeps the change and tries again) and a read goes on in the old snapshot's world,
        until the others have closed. Closing the old connection deletes nothing another
        process uses: SQLite deletes the WAL and its index on close only when it can lock
        the database alone, and the process that deleted the WAL had checkpointed it whole.
        """
        if not self._reconnecting and (self.conn.in_transaction or self.wal_is_current()):
            return
        with _OpenFile.lock:
            if not self._reconnecting:
                if self._file.stores > 1:
                    if not writing:
                        return
                    raise StoreError(WAL_REPLACED_SHARED)
                log.warning(
                    "the write-ahead log of %s was removed by another process while this "
                    "one had it open (its locks were lost): opening the database afresh",
                    self.path,
                )
                self._reconnecting = True
                try:
                    self.conn.close()
                except sqlite3.Error:  # the old connection's files are gone: nothing to keep
                    log.exception("closing the stale connection to %s", self.path)
            # A failure here (a full disk) is raised; the next transaction tries again.
            self.conn = _connect(self.path, self.busy_timeout_ms)
            self._file.shm = _file_id(self._shm_name)
        self._reconnecting = False
        self.reopened += 1

    # -- internals -----------------------------------------------------------------------

    def _check_schema_readable(self) -> None:
        """A read-only store cannot migrate: refuse a schema this version cannot read."""
        current = self.schema_version
        if current > LATEST_VERSION:
            self._migrate()  # raises the "newer version" message
        if current < LATEST_VERSION:
            raise StoreError(
                f"{self.path} was made by an older version of Case Auditor and must be "
                "upgraded first: open it once in the app, or run 'case-auditor init' on it."
            )

    def _quick_check(self) -> None:
        try:
            result = self.conn.execute("PRAGMA quick_check").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise _open_error(self.path, exc) from exc
        if result != "ok":
            raise StoreError(f"{self.path} is damaged: {result}. Restore it from a backup.")

    def _migrate(
        self, progress: Progress | None = None, cancelled: Cancelled | None = None
    ) -> None:
        current = self.schema_version
        if current > LATEST_VERSION:
            raise StoreError(
                f"{self.path} was made by a newer version of Case Auditor (schema {current}; "
                f"this version knows up to {LATEST_VERSION}). Update Case Auditor to open it."
            )
        pending = [m for m in MIGRATIONS if m.version > current]
        if not pending:
            return
        if current == 0:  # a new database: nothing to copy, nothing to report
            progress = cancelled = None
        # Reported in pages: those the copy of the database as it was makes, then one for
        # each step after it. The copy of a year's database (500 MB) is most of an
        # upgrade's time, its migrations a second at most.
        after = len(pending) + (current < MARKS_VERSION)
        sealing = 0
        if 0 < current < SEALED_VERSION:  # a year's trail is sealed in about ten seconds
            from auditor.store.trail import backlog_blocks

            sealing = backlog_blocks(self) * SEAL_STEP_PAGES
            after += sealing + VACUUM_STEPS
        done = 0
        report: Progress = progress or (lambda _done, _total: None)
        if current > 0:
            backup = self.backup(
                suffix=f"before-schema-{pending[0].version}",
                progress=lambda copied, pages: report(copied, pages + after),
                cancelled=cancelled,
            )
            log.info("backed up %s to %s before migrating", self.path, backup)
            done = self.page_count()
        total = done + after
        # From here on the upgrade runs to its end, not cancelled: each migration is its
        # own transaction, and a database stopped halfway could be opened by neither this
        # version nor the one before.
        for migration in pending:
            then: Callable[[Store], None] | None = None
            if migration.version == SEALED_VERSION:  # sealing needs Python: see the schema
                from auditor.store.trail import seal_backlog

                start = done

                def seal(store: Store, start: int = start) -> None:
                    seal_backlog(
                        store,
                        lambda blocks, _of: report(start + blocks * SEAL_STEP_PAGES, total),
                    )

                then = seal

                done += sealing
            elif migration.version == COMPARED_CHECKS_VERSION:  # in Python: see the schema
                then = _rewrite_check_rules

            self._apply(migration.version, migration.name, migration.sql, then)
            done += 1
            report(done, total)
        if 0 < current < SEALED_VERSION:
            # The rows sealed left most of the file's pages free: given back to the disk
            # (500 MB → 120 MB for a year's database), with a copy kept above already.
            log.info("compacting %s after sealing its audit trail", self.path)
            with translate_errors(self.path):
                self.conn.execute("VACUUM")
            done += VACUUM_STEPS
            report(done, total)
        if current < MARKS_VERSION:
            # The audits' marks need their frameworks' scales, which the migration's SQL
            # cannot read: made here, in a transaction of their own (until then, and if this
            # is cut short, the figures count those audits from their texts).
            from auditor.store.summaries import refresh

            with self.atomic():
                refresh(self)
            report(total, total)

    def _apply(
        self, version: int, name: str, sql: str, then: Callable[[Store], None] | None = None
    ) -> None:
        """Run one migration's SQL, and ``then`` after it, in one transaction."""
        log.info("applying migration %d (%s) to %s", version, name, self.path)
        conn = self.conn
        try:
            conn.execute("BEGIN IMMEDIATE")
            for statement in _split_sql(sql):
                conn.execute(statement)
            if then is not None:
                then(self)
            conn.execute(f"PRAGMA user_version = {int(version)}")
            conn.execute("COMMIT")
        except BaseException as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise StoreError(f"{self.path}: cannot upgrade the database ({exc})") from exc
            raise

    def _ensure_origin(self) -> None:
        """This database's identity, made once: its origin id (trail chains are per origin)
        and the secret key of its pseudonyms (auditor/reports/pseudonym.py). Both are made
        here, by a read-write open, so a read-only process (the report's) finds them."""
        identity: dict[str, Callable[[], str]] = {
            "origin_id": new_uid,
            "created_at": now_utc,
            "created_by_version": lambda: __version__,
            PSEUDONYM_KEY: lambda: secrets.token_hex(32),
        }
        have = {r["key"] for r in self.query("SELECT key FROM meta")}
        missing = [key for key in identity if key not in have]
        if not missing:
            return
        with self.atomic():
            for key in missing:
                self.execute(
                    "INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)", [key, identity[key]()]
                )

    def backup(
        self,
        *,
        suffix: str,
        progress: Progress | None = None,
        cancelled: Cancelled | None = None,
    ) -> Path:
        """A consistent copy beside the database (SQLite's online backup), e.g. before a
        migration. Returns its path.

        Copied ``BACKUP_STEP_PAGES`` at a time, each step reported on ``progress`` (pages
        copied, of the database's) and ``cancelled`` asked after it; cancelled, no copy is
        left and :class:`UpgradeCancelled` is raised."""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        target = self.path.with_name(f"{self.path.stem}.{suffix}.{stamp}{self.path.suffix}")

        def step(_status: int, remaining: int, total: int) -> None:
            if progress is not None:
                progress(total - remaining, total)
            if cancelled is not None and remaining and cancelled():
                raise UpgradeCancelled(
                    f"The upgrade of {self.path.name} was cancelled: the database is as it "
                    "was, and is upgraded the next time it is opened."
                )

        try:
            with translate_errors(target):
                dest = sqlite3.connect(target)
                try:
                    self.conn.backup(dest, pages=BACKUP_STEP_PAGES, progress=step)
                finally:
                    dest.close()
        except BaseException:
            # A failed backup (a full disk) must not leave a file that looks like a backup.
            _remove_new_database(target)
            raise
        return target

    def page_count(self) -> int:
        return int(self.conn.execute("PRAGMA page_count").fetchone()[0])


def needs_upgrade(path: Path) -> bool:
    """Whether opening ``path`` would upgrade it (a database of an older version's schema):
    read from the file's header through SQLite, without opening it for writing."""
    if not path.is_file():
        return False
    try:
        conn = _connect_readonly(path, BUSY_TIMEOUT_MS)
        try:
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        finally:
            conn.close()
    except (sqlite3.Error, StoreError):
        return False  # not a database, or unreadable: Store.open says which
    return 0 < version < LATEST_VERSION


def _connect(path: Path, busy_timeout_ms: int) -> sqlite3.Connection:
    try:
        # isolation_level=None: we issue BEGIN/COMMIT ourselves (through atomic()), so Python's
        # sqlite3 never commits behind our back.
        conn = sqlite3.connect(path, isolation_level=None, timeout=busy_timeout_ms / 1000)
    except sqlite3.Error as exc:
        raise _open_error(path, exc) from exc
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        # FULL: a committed answer survives power loss, at ~0.2 ms a commit (PERFORMANCE.md).
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute(f"PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT_PAGES}")
        # Opens the WAL and its index now, so the guard has the files this connection uses.
        conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
    except sqlite3.Error as exc:
        conn.close()
        raise _open_error(path, exc) from exc
    return conn


def _connect_readonly(path: Path, busy_timeout_ms: int) -> sqlite3.Connection:
    """A read-only connection.

    SQLite reads a WAL database through a shared-memory file beside it, which it cannot make
    on a read-only medium or a full disk. When the WAL holds nothing (missing or empty), every
    commit is in the main file: then it is read as *immutable*, from the main file alone, so
    ``verify`` and a report still work there.
    """
    no_wal_before = _wal_is_empty(path)
    try:
        return _readonly(path, "mode=ro", busy_timeout_ms)
    except sqlite3.Error as exc:
        if not (no_wal_before and _cannot_make_working_files(exc)):
            raise _open_error(path, exc) from exc
        log.info("reading %s as immutable: %s", path, exc)
    try:
        return _readonly(path, "mode=ro&immutable=1", busy_timeout_ms)
    except sqlite3.Error as exc:
        raise _open_error(path, exc) from exc


def _readonly(path: Path, query: str, busy_timeout_ms: int) -> sqlite3.Connection:
    conn = sqlite3.connect(
        f"{path.resolve().as_uri()}?{query}",
        uri=True,
        isolation_level=None,
        timeout=busy_timeout_ms / 1000,
    )
    try:
        conn.execute("PRAGMA query_only = ON")
        conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
    except BaseException:
        conn.close()
        raise
    return conn


def _wal_is_empty(path: Path) -> bool:
    try:
        return os.stat(_wal_path(path)).st_size == 0
    except FileNotFoundError:
        return True


def _cannot_make_working_files(exc: sqlite3.Error) -> bool:
    text = str(exc).lower()
    return any(t in text for t in ("unable to open", "disk i/o", "disk is full", "readonly"))


def _disk_is_full(path: Path) -> bool:
    try:
        return shutil.disk_usage(path.parent).free < _FULL_BELOW_BYTES
    except OSError:
        return False


def _open_error(path: Path, exc: sqlite3.Error) -> StoreError:
    """The real cause of a failed open, in words: full disk, read-only, or not a database."""
    text = str(exc).lower()
    if "disk is full" in text or "database or disk is full" in text:
        return StoreError(f"Cannot open {path}: the disk is full. Free some space and try again.")
    if "readonly" in text or "read-only" in text:
        return StoreError(
            f"{path} is read-only (the file or its folder): Case Auditor can read it but cannot "
            "save to it. Copy it to a folder you can write to, or open it read-only."
        )
    if "unable to open" in text:
        if not os.access(path.parent, os.W_OK):
            if not path.exists():
                return StoreError(f"Cannot make {path}: its folder is read-only.")
            return StoreError(
                f"Cannot open {path} for saving: its folder is read-only, and Case Auditor "
                "keeps its working files beside the database."
            )
        return StoreError(f"Cannot open {path}: the file or its folder cannot be opened.")
    if "disk i/o" in text:
        if _disk_is_full(path):  # SQLite reports a full disk on its shared memory as I/O
            return StoreError(
                f"Cannot open {path}: the disk is full. Free some space and try again."
            )
        return StoreError(f"Cannot open {path}: the disk reported an error ({exc}).")
    if "locked" in text or "busy" in text:
        return StoreError(f"{path} is busy in another program. Close it there and try again.")
    return StoreError(f"{path} is not a Case Auditor database ({exc})")


def _wal_path(path: Path) -> Path:
    return path.with_name(path.name + "-wal")


def _shm_path(path: Path) -> Path:
    return path.with_name(path.name + "-shm")


def _file_id(path: Path | str) -> tuple[int, int] | None:
    """(device, inode) of a file, or None when it does not exist. Only ``stat``: the
    database's own files are never opened here except through SQLite (PITFALLS.md #8)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_dev, st.st_ino)


def _remove_new_database(path: Path) -> None:
    """Remove a database file this call created but could not finish (a full disk): no
    empty file that looks like a database is left behind."""
    for leftover in (path, _wal_path(path), _shm_path(path)):
        try:
            leftover.unlink()
        except FileNotFoundError:
            pass
        except OSError:
            log.warning("could not remove the unfinished database file %s", leftover)


def _rewrite_check_rules(store: Store) -> None:
    from auditor.store.check_rules import rewrite_in_lists

    rewrite_in_lists(store.conn)


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


class translate_errors:  # lower case: used as the function it was
    """Turn SQLite's expected failures into messages a user can act on.

    A class, not a generator made into a context manager: most statements a save runs go
    through one, and the generator's set-up and tear-down took 1.2 µs here, this 0.4."""

    __slots__ = ("path",)

    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, exc: BaseException | None, tb: object) -> None:
        if not isinstance(exc, sqlite3.OperationalError):
            return
        path, text = self.path, str(exc).lower()
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


def _os_reason(exc: OSError) -> str:
    return exc.strerror or str(exc)
