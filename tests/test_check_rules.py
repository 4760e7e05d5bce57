"""Schema 16: the tables' CHECK rules on lists, written as comparisons, allow and refuse
what the lists did, in a new database and in one upgraded from schema 15."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auditor.demo import make_demo
from auditor.store import Store
from auditor.store.check_rules import as_comparisons, rewrite_in_lists
from auditor.store.schema import INITIAL_SCHEMA, LATEST_VERSION
from auditor.store.summaries import summary_problems
from auditor.store.trail import trail_problems
from tests.older_databases import schema_version, upgrade_copies

ROOT = Path(__file__).resolve().parent.parent
CASE_TYPES = ("early_help", "child_in_need", "child_protection", "looked_after", "care_leaver")
LIST_RULE = f"CHECK (kind IN ({','.join(repr(t) for t in CASE_TYPES)}))"


def _table(rule: str) -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.execute(f"CREATE TABLE t (kind TEXT {rule})")
    return conn


def _allowed(conn: sqlite3.Connection, value: Any) -> bool:
    try:
        conn.execute("INSERT INTO t (kind) VALUES (?)", [value])
    except sqlite3.IntegrityError:
        return False
    return True


near_codes = st.one_of(
    st.sampled_from(CASE_TYPES),
    st.sampled_from(CASE_TYPES).map(str.upper),
    st.sampled_from(CASE_TYPES).map(lambda t: f" {t}"),
    st.sampled_from(CASE_TYPES).map(lambda t: t[:-1]),
    st.none(),
    st.text(max_size=20),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False),
    st.binary(max_size=8),
)


@given(near_codes)
def test_the_comparisons_allow_and_refuse_what_the_list_did(value: Any) -> None:
    rewritten = as_comparisons(f"CREATE TABLE t (kind TEXT {LIST_RULE})")
    assert " IN (" not in rewritten
    listed = _table(LIST_RULE)
    compared = _table(rewritten.removeprefix("CREATE TABLE t (kind TEXT ").removesuffix(")"))
    assert _allowed(compared, value) == _allowed(listed, value)


def test_short_lists_and_other_rules_are_left_as_written() -> None:
    """SQLite runs a list of two as comparisons already; other rules are not lists."""
    sql = (
        "CREATE TABLE t (a TEXT CHECK (a IN ('open','done')), "
        "b TEXT CHECK ((b = 'new') = (c IS NULL)), c TEXT)"
    )
    assert as_comparisons(sql) == sql


def _rules(store: Store) -> str:
    return "\n".join(
        sql for (sql,) in store.execute("SELECT sql FROM sqlite_schema WHERE type = 'table'")
    )


def _refused(conn: sqlite3.Connection, sql: str) -> str:
    with pytest.raises(sqlite3.IntegrityError) as refused:
        conn.execute(sql)
    return str(refused.value)


def _assert_rules_hold(conn: sqlite3.Connection) -> None:
    """A bad case type, audit status and grade are refused; no grade yet is allowed."""
    (audit_id,) = conn.execute("SELECT id FROM audits LIMIT 1").fetchone()
    message = _refused(
        conn,
        "INSERT INTO cases (uid, reference, case_type, created_at, updated_at) "
        "VALUES ('u-test', 'FAKE-TEST', 'child protection', 'x', 'x')",
    )
    assert "case_type = 'early_help' OR" in message
    _refused(conn, f"UPDATE audits SET status = 'closed' WHERE id = {audit_id}")
    _refused(conn, f"UPDATE audits SET suggested_grade = 'great' WHERE id = {audit_id}")
    _refused(conn, f"UPDATE audits SET case_type = 'adult' WHERE id = {audit_id}")
    conn.execute("BEGIN")
    conn.execute(f"UPDATE audits SET suggested_grade = NULL WHERE id = {audit_id}")
    conn.execute("ROLLBACK")


def test_a_new_database_has_no_rule_on_a_list_of_three_or_more(db_path: Path) -> None:
    with Store.open(db_path) as store:
        make_demo(store, cases=30, audits=20, seed=3)
        rules = _rules(store)
        assert not re.search(r"IN \('[^']*'(,\s*'[^']*'){2,}\)", rules)
        assert "CHECK (status IN ('open','done'))" in rules  # two values: as written
    with sqlite3.connect(db_path, isolation_level=None) as conn:
        _assert_rules_hold(conn)


def _as_lists(sql: str) -> str:
    """A table's text as schema 15 left it: each run of comparisons back to its list."""

    def listed(found: re.Match[str]) -> str:
        values = re.findall(r"= ('[^']*')", found.group(0))
        return f"CHECK ({found.group(1)} IN ({','.join(values)}))"

    return re.sub(r"CHECK \((\w+) = '[^']*'(?: OR \1 = '[^']*')+\)", listed, sql)


def _schema_15(db_path: Path) -> dict[str, int]:
    """The demo database as schema 15 left it; its tables' row counts."""
    with Store.open(db_path) as store:
        make_demo(store, cases=40, audits=30, seed=5)
        counts = {
            table: store.scalar(f"SELECT COUNT(*) FROM {table}")
            for table in ("cases", "audits", "answers", "moderations", "trail_blocks")
        }
    with sqlite3.connect(db_path, isolation_level=None) as conn:
        (version,) = conn.execute("PRAGMA schema_version").fetchone()
        conn.execute("BEGIN")
        conn.execute("PRAGMA writable_schema = ON")
        for name, sql in conn.execute(
            "SELECT name, sql FROM sqlite_schema WHERE type = 'table'"
        ).fetchall():
            conn.execute("UPDATE sqlite_schema SET sql = ? WHERE name = ?", [_as_lists(sql), name])
        conn.execute(f"PRAGMA schema_version = {version + 1}")
        conn.execute("PRAGMA writable_schema = OFF")
        conn.execute("PRAGMA user_version = 15")
        conn.execute("COMMIT")
        cases = conn.execute("SELECT sql FROM sqlite_schema WHERE name = 'cases'").fetchone()[0]
    as_written = re.search(
        r"case_type TEXT NOT NULL CHECK \(case_type IN \([^)]*\)\)", INITIAL_SCHEMA
    )
    assert as_written is not None and as_written.group(0) in cases  # as schema 1 wrote it
    return counts


def test_a_schema_15_database_gets_the_comparisons_when_opened(db_path: Path) -> None:
    counts = _schema_15(db_path)
    # A second program has the database open across the upgrade: it reads the new rules.
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("SELECT COUNT(*) FROM cases").fetchone()
    with Store.open(db_path) as store:
        assert store.schema_version == LATEST_VERSION == 16
        assert " IN ('early_help'" not in _rules(store)
        for table, count in counts.items():
            assert store.scalar(f"SELECT COUNT(*) FROM {table}") == count
        problems = store.integrity_problems() + trail_problems(store, []) + summary_problems(store)
        assert problems == []
    _assert_rules_hold(other)
    other.close()
    assert schema_version(db_path) == 16
    assert upgrade_copies(db_path)  # the copy made before the upgrade, as for any other


class _Refusing:
    """A connection whose SQLite refuses to edit its schema after the first table (as one
    built in defensive mode refuses any)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn, self.edits = conn, 0

    def execute(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        if sql.startswith("UPDATE sqlite_schema"):
            self.edits += 1
            if self.edits > 1:
                raise sqlite3.OperationalError("table sqlite_master may not be modified")
        return self.conn.execute(sql, params)


def test_a_refused_edit_keeps_every_table_as_it_was(db_path: Path) -> None:
    _schema_15(db_path)
    conn = sqlite3.connect(db_path, isolation_level=None)
    before = conn.execute("SELECT name, sql FROM sqlite_schema ORDER BY name").fetchall()
    (version,) = conn.execute("PRAGMA schema_version").fetchone()
    conn.execute("BEGIN IMMEDIATE")
    refusing = _Refusing(conn)
    assert rewrite_in_lists(refusing) == []  # type: ignore[arg-type]
    assert refusing.edits == 2
    conn.execute("COMMIT")
    assert conn.execute("SELECT name, sql FROM sqlite_schema ORDER BY name").fetchall() == before
    assert conn.execute("PRAGMA schema_version").fetchone()[0] == version
    assert conn.execute("PRAGMA writable_schema").fetchone()[0] == 0
    conn.close()


# A second program on the database: it opens it before the upgrade, waits, and then writes
# a case with a bad case type, printing SQLite's answer.
OTHER_PROGRAM = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=10)
conn.execute("SELECT COUNT(*) FROM cases").fetchone()
print("open", flush=True)
sys.stdin.readline()
try:
    conn.execute("INSERT INTO cases (uid, reference, case_type, created_at, updated_at) "
                 "VALUES ('u-other', 'FAKE-OTHER', 'adult', 'x', 'x')")
    print("written", flush=True)
except sqlite3.IntegrityError as exc:
    print("refused:", exc, flush=True)
"""


def test_another_process_open_across_the_upgrade_reads_the_new_rules(db_path: Path) -> None:
    """The schema version moved on: a process that had read the old text reads the new."""
    _schema_15(db_path)
    other = subprocess.Popen(
        [sys.executable, "-c", OTHER_PROGRAM, str(db_path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert other.stdin is not None and other.stdout is not None
    assert other.stdout.readline() == "open\n"
    with Store.open(db_path) as store:
        assert store.schema_version == 16
    answer, _ = other.communicate("go\n", timeout=30)  # closes its pipes
    assert answer.startswith("refused: CHECK constraint failed: case_type = 'early_help' OR")
    verified = subprocess.run(
        [sys.executable, "-m", "auditor", "verify", "--db", str(db_path)],
        capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert verified.returncode == 0, verified.stderr
    assert "database sound" in verified.stdout
