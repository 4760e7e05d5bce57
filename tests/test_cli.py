"""The command line, as a QA lead or a script uses it: real processes, real exit codes."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from auditor import __version__
from auditor.cli import main

ROOT = Path(__file__).resolve().parent.parent


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ui.launcher", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
    )


def test_version() -> None:
    result = cli("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"case-auditor {__version__}"


def test_init_is_idempotent(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    first = cli("init", "--db", str(db))
    second = cli("--db", str(db), "init")
    assert first.returncode == second.returncode == 0
    assert "Database ready" in second.stdout
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM frameworks").fetchone()[0] >= 1


def test_database_from_environment(tmp_path: Path) -> None:
    db = tmp_path / "env.db"
    assert cli("init", env={"CASE_AUDITOR_DB": str(db)}).returncode == 0
    assert db.exists()


def test_demo_is_reproducible_from_the_seed(tmp_path: Path) -> None:
    def snapshot(db: Path) -> list[tuple]:
        with sqlite3.connect(db) as conn:
            return conn.execute(
                "SELECT c.reference, c.case_type, c.team, a.auditor, a.status, a.final_grade, "
                "an.criterion_code, an.value FROM audits a JOIN cases c ON c.id = a.case_id "
                "JOIN answers an ON an.audit_id = a.id ORDER BY a.id, an.criterion_code"
            ).fetchall()

    a, b = tmp_path / "a.db", tmp_path / "b.db"
    for db in (a, b):
        result = cli("demo", "--db", str(db), "--cases", "40", "--seed", "7")
        assert result.returncode == 0, result.stderr
    assert "Added 40 demo cases, 20 audits" in result.stdout
    assert snapshot(a) == snapshot(b) != []


def test_demo_keeps_every_case_types_dates(tmp_path: Path) -> None:
    """The first case's columns are not every case's: seed 2 starts with a case that has no
    looked-after dates and later adds looked-after children."""
    db = tmp_path / "d.db"
    result = cli("demo", "--db", str(db), "--cases", "60", "--seed", "2")
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(db) as conn:
        missing = conn.execute(
            "SELECT COUNT(*) FROM cases WHERE case_type = 'looked_after' "
            "AND looked_after_start IS NULL"
        ).fetchone()[0]
        cp = conn.execute(
            "SELECT COUNT(*) FROM cases WHERE case_type = 'child_protection' "
            "AND initial_conference_date IS NULL"
        ).fetchone()[0]
    assert missing == cp == 0


def test_verify_passes_then_detects_tampering(tmp_path: Path) -> None:
    db = tmp_path / "v.db"
    assert cli("demo", "--db", str(db), "--cases", "10").returncode == 0
    ok = cli("verify", "--db", str(db))
    assert ok.returncode == 0, ok.stderr
    assert "audit trail intact" in ok.stdout
    with sqlite3.connect(db) as conn:
        conn.execute("DROP TRIGGER trail_no_update")
        conn.execute("UPDATE trail SET actor = 'Someone Else' WHERE seq = 5")
    bad = cli("verify", "--db", str(db))
    assert bad.returncode == 1
    assert "row 5: was changed after it was written" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_verify_a_missing_database_is_one_clear_line(tmp_path: Path) -> None:
    result = cli("verify", "--db", str(tmp_path / "nope.db"))
    assert result.returncode == 2
    assert result.stderr.strip() == f"case-auditor: {tmp_path / 'nope.db'}: no such database"


def test_frameworks_list_and_show_json(tmp_path: Path) -> None:
    db = str(tmp_path / "f.db")
    listed = json.loads(cli("frameworks", "list", "--json", "--db", db).stdout)
    assert {"code": "IN-CFA", "version": "1.0.0"}.items() <= listed[0].items()
    shown = json.loads(cli("frameworks", "show", "IN-CFA", "--json", "--db", db).stdout)
    first = shown["criteria"][0]
    assert set(first) >= {
        "code",
        "section",
        "text",
        "scale",
        "applies_to",
        "limiting",
        "target",
        "sources",
    }
    assert all(c["sources"] for c in shown["criteria"])


def test_frameworks_show_unknown_code(tmp_path: Path) -> None:
    result = cli("frameworks", "show", "NOPE", "--db", str(tmp_path / "f.db"))
    assert result.returncode == 2
    assert result.stderr.strip() == "case-auditor: no framework with code NOPE"


def test_a_non_database_file_is_refused_without_traceback(tmp_path: Path) -> None:
    fake = tmp_path / "cases.xlsx"
    fake.write_bytes(b"PK\x03\x04 not really a database" * 100)
    result = cli("init", "--db", str(fake))
    assert result.returncode == 2
    assert "is not a Case Auditor database" in result.stderr
    assert "Traceback" not in result.stderr


def test_main_without_command_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "init" in capsys.readouterr().out
