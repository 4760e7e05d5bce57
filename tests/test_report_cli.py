"""case-auditor report and case-auditor feedback, as a QA lead types them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from report_data import fill, table_rows

from auditor.audits.records import start_audit
from auditor.cases.records import find_case
from auditor.cli import main
from auditor.importing.values import parse_uk_date
from auditor.store import Store

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def db(store: Store) -> str:
    fill(store)
    return str(store.path)


def test_report_with_filters(db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "north.xlsx"
    code = main(
        ["report", "--db", db, "--out", str(out), "--team", "North", "--from", "01/01/2026",
         "--to", "2026-01-31"]
    )  # fmt: skip
    assert code == 0
    assert f"Wrote {out}: 1 audit, 3 answers, 1 action in" in capsys.readouterr().out
    assert [r["Case"] for r in table_rows(out, "Case matrix")] == ["S-1"]


def test_report_of_nothing_says_so(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "none.xlsx"
    assert main(["report", "--db", db, "--out", str(out), "--from", "2030-01-01"]) == 0
    assert "no audits match these filters" in capsys.readouterr().out
    assert out.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--team", "Nowhere"], "no team called 'Nowhere' (known: North, South)"),
        (["--programme", "Nope"], "no programme called 'Nope'"),
        (["--auditor", "Nobody"], "no auditor called 'Nobody'"),
        (["--from", "31/02/2026"], "--from: 31/02/2026 is not a real date"),
        (["--from", "2026-02-01", "--to", "2026-01-01"], "--to is before --from"),
    ],
)
def test_report_user_errors_are_one_line(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    out = tmp_path / "r.xlsx"
    assert main(["report", "--db", db, "--out", str(out), *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"case-auditor: {message}") and err.count("\n") == 1
    assert not out.exists()


def test_feedback_by_case_reference(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "feedback.xlsx"
    assert main(["feedback", "S-1", "--db", db, "--out", str(out)]) == 0
    assert capsys.readouterr().out.strip() == f"Wrote {out}"
    assert main(["feedback", "NOPE", "--db", db, "--out", str(out)]) == 2
    assert "no audit with id NOPE" in capsys.readouterr().err


def test_feedback_for_a_case_audited_twice_asks_which(
    store: Store, db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = find_case(store, "S-1")
    assert case is not None
    again = start_audit(store, case_uid=case.uid, auditor="Test Auditor", framework_code="MINI")
    assert main(["feedback", "S-1", "--db", db, "--out", str(tmp_path / "f.xlsx")]) == 2
    err = capsys.readouterr().err
    assert "case S-1 has 2 audits: give the audit's id" in err and again in err
    assert main(["feedback", again, "--db", db, "--out", str(tmp_path / "f.xlsx")]) == 0


def test_a_typed_date_accepts_iso_and_british() -> None:
    assert parse_uk_date("2026-01-31") == parse_uk_date("31/01/2026")
    with pytest.raises(ValueError, match="dates are read day first"):
        parse_uk_date("01/31/2026")


def test_report_as_a_process_pseudonymised(db: str, tmp_path: Path) -> None:
    out = tmp_path / "p.xlsx"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "ui.launcher",
            "report",
            "--db",
            db,
            "--out",
            str(out),
            "--pseudonymise",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert all(r["Case"].startswith("CASE-") for r in table_rows(out, "Case matrix"))
