"""One database, several processes: the app's connection keeps every acknowledged answer while
the report's child process, the command line and plain file I/O come and go around it.

These reproduce the faults as they happen (shared/PITFALLS.md #8 and #9): a real spawn child,
real command-line processes, a real plain ``open()``/``close()`` of the database file.
"""

from __future__ import annotations

import csv
import multiprocessing
import os
import sqlite3
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest

from auditor.audits.records import get_audit, record_answer, start_audit
from auditor.cases.records import add_case
from auditor.demo import make_demo
from auditor.errors import StoreError
from auditor.frameworks.library import ensure_builtin_frameworks
from auditor.reports.workbook import export_report_from
from auditor.store import Store
from tests.test_cli import cli

ROOT = Path(__file__).resolve().parent.parent
ACTOR = "Demo Auditor 01"


def read_elsewhere(db: Path, sql: str) -> list[tuple[object, ...]]:
    """What another process sees: the test of whether a write really reached the database."""
    code = (
        "import sqlite3, sys, json\n"
        "conn = sqlite3.connect(sys.argv[1])\n"
        "print(json.dumps(conn.execute(sys.argv[2]).fetchall()))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(db), sql], capture_output=True, text=True, check=True
    )
    import json

    return [tuple(row) for row in json.loads(out.stdout)]


def drop_locks_by_plain_io(db: Path) -> None:
    """What a file dialog sniffing the folder does: open and close the database file. On
    POSIX the close drops every lock this process holds on it (PITFALLS.md #8)."""
    with open(db, "rb") as f:
        f.read(16)


def wal_id(db: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(db.with_name(db.name + "-wal"))
    except FileNotFoundError:
        return None
    return (st.st_dev, st.st_ino)


@pytest.fixture
def app_store(tmp_path: Path) -> Store:
    """A database as the app holds it: open, with demo audits in it."""
    store = Store.open(tmp_path / "app.db")
    ensure_builtin_frameworks(store)
    make_demo(store, cases=12, audits=4, seed=5)
    yield store
    store.close()


def a_draft(store: Store) -> tuple[str, list[str]]:
    case = add_case(store, actor=ACTOR, reference="DEMO-09-000001", case_type="child_in_need")
    uid = start_audit(store, case_uid=case.uid, auditor=ACTOR, framework_code="IN-CFA")
    return uid, [c.code for c in get_audit(store, uid).criteria]


def answers_on_disk(db: Path, audit_uid: str) -> dict[str, str]:
    rows = read_elsewhere(
        db,
        "SELECT an.criterion_code, an.evidence FROM answers an JOIN audits a "
        f"ON a.id = an.audit_id WHERE a.uid = '{audit_uid}'",
    )
    return {str(code): str(evidence) for code, evidence in rows}


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX lock semantics")
def test_a_report_child_after_lost_locks_leaves_the_apps_wal_in_place(
    app_store: Store, tmp_path: Path
) -> None:
    """The issue's reproduction: plain open/close, a spawn child exports the report, then the
    app saves an answer, which another process must see."""
    uid, codes = a_draft(app_store)
    before = wal_id(app_store.path)
    drop_locks_by_plain_io(app_store.path)

    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        pool.apply(export_report_from, (app_store.path, tmp_path / "report.xlsx"))
    assert (tmp_path / "report.xlsx").exists()

    record_answer(app_store, uid, codes[0], value="yes", evidence="Seen after the report.",
                  actor=ACTOR)  # fmt: skip
    assert wal_id(app_store.path) == before  # the child opened read-only: nothing deleted
    assert answers_on_disk(app_store.path, uid) == {codes[0]: "Seen after the report."}


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX lock semantics")
def test_the_wal_guard_reopens_when_a_writer_deleted_the_wal(app_store: Store) -> None:
    """A command that writes (``init``) closes last and deletes the WAL while the app has
    lost its locks: the app's next save goes into the database, not into a deleted file."""
    uid, codes = a_draft(app_store)
    drop_locks_by_plain_io(app_store.path)
    assert cli("init", "--db", str(app_store.path)).returncode == 0
    assert not app_store.wal_is_current()  # the WAL the app had open is gone

    record_answer(app_store, uid, codes[0], value="no", evidence="Saved after the CLI ran.",
                  actor=ACTOR)  # fmt: skip
    record_answer(app_store, uid, codes[1], value="yes", evidence="And one more.", actor=ACTOR)
    assert app_store.reopened == 1
    assert app_store.wal_is_current()
    assert answers_on_disk(app_store.path, uid) == {
        codes[0]: "Saved after the CLI ran.",
        codes[1]: "And one more.",
    }
    assert cli("verify", "--db", str(app_store.path)).returncode == 0


class OtherProgram:
    """A second process that opens the database after the app's WAL was deleted, writes
    (making a WAL and an index of its own) and stays open, reading the draft's answers'
    ``column`` (in order of criterion) when asked."""

    def __init__(self, db: Path, audit_uid: str, column: str = "evidence") -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c",
             "import sqlite3, sys\n"
             "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
             "c.execute('CREATE TABLE other_program (note TEXT)')\n"
             "print('written', flush=True)\n"
             "while sys.stdin.readline():\n"
             "    print(c.execute(sys.argv[2]).fetchall(), flush=True)\n",
             str(db),
             f"SELECT an.{column} FROM answers an JOIN audits a ON a.id = an.audit_id "
             f"WHERE a.uid = '{audit_uid}' ORDER BY an.criterion_code"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert self.read_line() == "written"

    def read_line(self) -> str:
        assert self.process.stdout is not None
        return self.process.stdout.readline().strip()

    def sees(self) -> str:
        assert self.process.stdin is not None
        self.process.stdin.write("\n")
        self.process.stdin.flush()
        return self.read_line()

    def close(self) -> None:
        self.process.communicate(timeout=10)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX lock semantics")
def test_the_wal_guard_reopens_when_another_process_made_a_new_wal(app_store: Store) -> None:
    """After the WAL was deleted under the app, a second process makes a WAL of its own
    and stays open: the app's next save joins that WAL (its answer seen by the other
    process), it does not write into the deleted one."""
    uid, codes = a_draft(app_store)
    drop_locks_by_plain_io(app_store.path)
    assert cli("init", "--db", str(app_store.path)).returncode == 0
    other = OtherProgram(app_store.path, uid)
    try:
        assert wal_id(app_store.path) is not None  # the other process's new WAL
        assert not app_store.wal_is_current()
        record_answer(app_store, uid, codes[0], value="no", evidence="Saved beside another.",
                      actor=ACTOR)  # fmt: skip
        assert other.sees() == "[('Saved beside another.',)]"
    finally:
        other.close()
    assert app_store.reopened == 1
    assert answers_on_disk(app_store.path, uid) == {codes[0]: "Saved beside another."}


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX lock semantics")
def test_with_a_worker_store_open_a_save_waits_until_the_worker_closes(
    app_store: Store,
) -> None:
    """The same, while a worker's store (the app's own, on another connection) has the
    database open: SQLite would give a connection opened afresh the deleted index again.
    Saving is refused with the guard's message (the app keeps the change and retries),
    the worker's too; once the worker has closed, the save lands where the other process
    sees it."""
    uid, codes = a_draft(app_store)
    worker = Store.open(app_store.path, check=False)
    drop_locks_by_plain_io(app_store.path)
    assert cli("init", "--db", str(app_store.path)).returncode == 0
    other = OtherProgram(app_store.path, uid)
    try:
        for store in (app_store, worker):
            with pytest.raises(StoreError, match="another program changed the database's files"):
                record_answer(store, uid, codes[0], value="no", evidence="Refused.",
                              actor=ACTOR)  # fmt: skip
        assert worker.scalar("SELECT COUNT(*) FROM audits") == 5  # reads go on
        worker.close()

        record_answer(app_store, uid, codes[0], value="no", evidence="After the worker.",
                      actor=ACTOR)  # fmt: skip
        assert other.sees() == "[('After the worker.',)]"
        assert app_store.reopened == 1
        with Store.open(app_store.path, check=False) as later:  # a new worker: no stale index
            record_answer(later, uid, codes[1], value="yes", evidence="A later worker.",
                          actor=ACTOR)  # fmt: skip
        assert other.sees() == "[('After the worker.',), ('A later worker.',)]"
    finally:
        worker.close()
        other.close()
    assert cli("verify", "--db", str(app_store.path)).returncode == 0


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX lock semantics")
def test_read_only_commands_never_delete_the_wal(app_store: Store) -> None:
    uid, codes = a_draft(app_store)
    drop_locks_by_plain_io(app_store.path)
    before = wal_id(app_store.path)
    db = str(app_store.path)
    for command in (["verify"], ["cases", "list"], ["programme", "list"], ["frameworks", "list"]):
        result = cli(*command, "--db", db)
        assert result.returncode == 0, result.stderr
        assert wal_id(app_store.path) == before, command
    record_answer(app_store, uid, codes[0], value="yes", evidence="Still here.", actor=ACTOR)
    assert app_store.reopened == 0
    assert answers_on_disk(app_store.path, uid) == {codes[0]: "Still here."}


def write_case_list(path: Path, rows: int) -> None:
    base = date(2025, 1, 6)
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(["Case Ref", "Case Type", "Team", "Referral Date"])
        for i in range(1, rows + 1):
            referral = base + timedelta(days=i % 300)
            out.writerow([f"FAKE-{i:06d}", "CIN", f"Demo Team {i % 9}", referral.isoformat()])


def test_answers_saved_while_a_big_import_runs_in_another_process_all_land(
    app_store: Store, tmp_path: Path
) -> None:
    """With a deferred BEGIN, an answer save that read before another process committed was
    refused "busy" at once. Write transactions begin IMMEDIATE and wait: every answer lands."""
    uid, codes = a_draft(app_store)
    case_list = tmp_path / "cases.csv"
    write_case_list(case_list, 50_000)
    importer = subprocess.Popen(
        [sys.executable, "-m", "ui.launcher", "cases", "import", str(case_list),
         "--db", str(app_store.path), "--actor", "Demo Importer"],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    given: dict[str, str] = {}
    refused: list[str] = []
    during = 0
    n = 0
    while importer.poll() is None or n < 20:
        code = codes[n % len(codes)]
        evidence = f"Evidence {n} for {code}."
        try:
            record_answer(app_store, uid, code, value="no", evidence=evidence, actor=ACTOR)
            given[code] = evidence
            during += importer.poll() is None
        except StoreError as exc:
            refused.append(str(exc))
        n += 1
    _out, err = importer.communicate(timeout=120)
    assert importer.returncode == 0, err
    assert refused == []
    assert during > 0  # answers were really given while the import ran
    assert answers_on_disk(app_store.path, uid) == given
    assert read_elsewhere(app_store.path, "SELECT COUNT(*) FROM cases WHERE reference LIKE "
                          "'FAKE-%'") == [(50_000,)]  # fmt: skip


def test_a_write_waits_for_another_processs_write_lock(app_store: Store) -> None:
    """Another process holds the write lock for a moment: the save waits, then succeeds."""
    uid, codes = a_draft(app_store)
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sqlite3, sys, time\n"
         "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
         "c.execute('BEGIN IMMEDIATE'); print('held', flush=True); time.sleep(1.0)\n"
         "c.execute('COMMIT')\n", str(app_store.path)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    app_store.scalar("SELECT COUNT(*) FROM answers")  # a read first, as record_answer does
    started = time.monotonic()
    record_answer(app_store, uid, codes[0], value="yes", evidence="Waited.", actor=ACTOR)
    assert time.monotonic() - started > 0.3  # it really waited for the other writer
    holder.wait(timeout=10)
    holder.stdout.close()
    assert answers_on_disk(app_store.path, uid) == {codes[0]: "Waited."}


def test_a_read_only_store_refuses_writes_with_a_message(app_store: Store) -> None:
    with Store.open(app_store.path, readonly=True) as reader:
        assert reader.scalar("SELECT COUNT(*) FROM audits") == 4
        with pytest.raises(StoreError, match="opened read-only"), reader.atomic():
            pass
        with pytest.raises(StoreError, match="readonly|read-only"):
            reader.execute("DELETE FROM meta")
    assert app_store.scalar("SELECT COUNT(*) FROM meta") > 0


def test_read_only_open_of_a_missing_database_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no such database"):
        Store.open(tmp_path / "none.db", readonly=True)
    assert not (tmp_path / "none.db").exists()


def test_a_plain_sqlite_file_is_named_as_not_ours(tmp_path: Path) -> None:
    text = tmp_path / "notes.db"
    text.write_text("These are meeting notes, not a database.\n" * 50)
    for readonly in (False, True):
        with pytest.raises(StoreError, match="not a Case Auditor database"):
            Store.open(text, readonly=readonly)
    assert sqlite3.sqlite_version  # the file is left as it was
    assert text.read_text().startswith("These are meeting notes")
