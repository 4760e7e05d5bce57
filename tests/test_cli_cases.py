"""The case, programme and sample commands, as a QA lead or a script uses them."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from case_files import HEADER, ROWS, write_csv, write_xlsx
from test_cli import cli

from auditor.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def count_cases(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM cases").fetchone()[0])


BAD = [HEADER, ROWS[0], ["FAKE-0002", "Martian", "T", "W", "", "", ""], ROWS[2]]


def test_import_with_problems_writes_nothing_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "c.db"
    code, out, err = run(
        capsys, "cases", "import", str(write_csv(tmp_path / "b.csv", BAD)), "--db", str(db)
    )
    assert code == 2
    assert "Case Type → Case type" in out
    assert err.splitlines() == [
        "case-auditor: 1 problem in 1 row; nothing was imported. Fix the file, or use "
        "--valid-only to import the 2 valid rows",
        "  - row 3, column 'Case Type', value 'Martian': unknown case type (known: Early help, "
        "Child in need, Child protection, Child looked after, Care leaver, or CP, CIN, CLA/LAC, "
        "EH)",
    ]
    assert count_cases(db) == 0


def test_import_valid_only_dry_run_and_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db, path = str(tmp_path / "c.db"), str(write_csv(tmp_path / "b.csv", BAD, bom=True))
    code, out, _ = run(capsys, "cases", "import", path, "--db", db, "--valid-only", "--dry-run")
    assert code == 0
    assert "Dry run, nothing written: 2 would be added" in out
    assert count_cases(Path(db)) == 0
    code, out, _ = run(capsys, "cases", "import", path, "--db", db, "--valid-only", "--json")
    report = json.loads(out)
    assert code == 0 and report["imported"] and report["added"] == 2 and report["skipped"] == 1
    assert report["problems"] == [
        {
            "row": 3,
            "column": "Case Type",
            "value": "Martian",
            "problem": report["problems"][0]["problem"],
        }
    ]
    assert report["mapping"]["reference"] == "Case Ref"
    code, out, _ = run(capsys, "cases", "list", "--db", db, "--type", "CP", "--json")
    assert [c["reference"] for c in json.loads(out)] == ["FAKE-0001"]
    assert json.loads(out)[0]["referral_date"] == "2026-01-05"


def test_saved_mapping_and_corrections_for_next_month(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "c.db")
    jan = write_csv(tmp_path / "jan.csv", [["Ref", "Kind", "Unit"], ["FAKE-1", "S47", "T1"]])
    code, out, err = run(
        capsys,
        "cases",
        "import",
        str(jan),
        "--db",
        db,
        "--map",
        "case_type=Kind",
        "--map",
        "team=Unit",
        "--type-word",
        "S47=CP",
        "--save-mapping",
        "Demo monthly",
    )
    assert code == 0, err
    assert "Imported: 1 added" in out
    code, out, _ = run(capsys, "cases", "mappings", "--db", db)
    assert out.splitlines() == [
        "Demo monthly",
        "  Ref → Case reference",
        "  Kind → Case type",
        "  Unit → Team",
        "  case type word 'S47' → child_protection",
    ]
    feb = write_xlsx(tmp_path / "feb.xlsx", [["Unit", "Ref", "Kind"], ["T2", "FAKE-1", "S47"]])
    code, out, _ = run(capsys, "cases", "import", str(feb), "--db", db, "--mapping", "Demo monthly")
    assert code == 0
    assert "0 added, 1 updated (1 changes)" in out
    assert "FAKE-1 team: T1 → T2" in out


def test_unsafe_or_mislabelled_files_are_one_line(tmp_path: Path) -> None:
    fake = write_csv(tmp_path / "cases.xlsx", [HEADER, *ROWS])
    result = cli("cases", "import", str(fake), "--db", str(tmp_path / "c.db"))
    assert result.returncode == 2
    assert result.stderr.startswith("case-auditor: cases.xlsx is not an Excel workbook")
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_programme_sample_assign_show_and_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "p.db")
    rows = [
        HEADER,
        *(
            [f"FAKE-{i:03d}", "CP" if i % 2 else "CIN", f"Demo Team {i % 3}", "W", "", "", ""]
            for i in range(30)
        ),
    ]
    assert (
        run(capsys, "cases", "import", str(write_csv(tmp_path / "c.csv", rows)), "--db", db)[0] == 0
    )
    code, out, _ = run(
        capsys,
        "programme",
        "create",
        "Dip May",
        "--db",
        db,
        "--auditors",
        "Demo Auditor Ash,Demo Auditor Birch",
        "--from",
        "01/05/2026",
        "--to",
        "31-May-2026",
        "--due",
        "2026-06-15",
    )
    assert code == 0 and "Created programme 'Dip May'" in out

    args = [
        "sample",
        "Dip May",
        "--db",
        db,
        "--method",
        "stratified",
        "--by",
        "team",
        "--n",
        "6",
        "--seed",
        "11",
        "--on",
        "30/04/2026",
    ]
    code, dry, _ = run(capsys, *args, "--dry-run")
    assert code == 0 and "Dry run: nothing saved. Run again with --seed 11" in dry
    code, saved, _ = run(capsys, *args)
    assert code == 0 and "Saved 6 cases to 'Dip May'." in saved
    assert dry.splitlines()[:-1] == saved.splitlines()[:-1]  # the dry run showed this sample
    assert "  Demo Team 0: 2 of 10" in saved

    code, out, _ = run(capsys, "programme", "show", "Dip May", "--db", db, "--json")
    shown = json.loads(out)
    assert {a: len(c) for a, c in shown["cases"].items()} == {
        "Demo Auditor Ash": 3,
        "Demo Auditor Birch": 3,
    }
    assert shown["draws"][0]["seed"] == 11 and "population" not in shown["draws"][0]
    first = shown["cases"]["Demo Auditor Ash"][0]["reference"]
    code, out, _ = run(
        capsys,
        "programme",
        "assign",
        "Dip May",
        "--db",
        db,
        "--case",
        first,
        "--auditor",
        "Demo Auditor Birch",
    )
    assert code == 0 and "1 case assigned" in out
    code, out, _ = run(
        capsys, "programme", "show", "Dip May", "--db", db, "--auditor", "Demo Auditor Birch"
    )
    assert "Demo Auditor Birch: 4 cases" in out and first in out
    code, out, _ = run(capsys, "programme", "check-sample", "Dip May", "--db", db)
    assert code == 0 and "every recorded draw (1) reproduces exactly" in out
    code, out, _ = run(capsys, "programme", "list", "--db", db)
    assert "Dip May" in out and "6 cases" in out


def test_sample_errors_are_clear(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "p.db")
    run(capsys, "programme", "create", "Dip", "--db", db)
    code, _, err = run(capsys, "sample", "Dip", "--db", db, "--method", "random")
    assert code == 2
    assert err.splitlines() == [
        "case-auditor: the sample cannot be drawn as asked",
        "  - a random sample needs one of: a number, a percentage, a quota",
    ]
    code, _, err = run(capsys, "sample", "Nope", "--db", db, "--method", "closed")
    assert (code, err.strip()) == (2, "case-auditor: no programme called 'Nope'")
    code, _, err = run(capsys, "programme", "assign", "Dip", "--db", db)
    assert "give either --case REF --auditor NAME, or --evenly" in err
