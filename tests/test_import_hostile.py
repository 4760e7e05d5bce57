"""Hostile CSV case lists: thousands of repeated headers, and control characters hidden deep
in the file. Each is refused promptly with one line naming the file and where, and nothing
is imported: through the functions the app's import wizard calls (read_table with progress
and cancel) and through ``case-auditor cases preview`` and ``cases import``."""

from __future__ import annotations

import codecs
import sqlite3
from pathlib import Path

import pytest
from case_files import HEADER, csv_text, write_csv
from test_cli import cli

from auditor.importing import ImportFileError, guess_mapping, read_table, validate_table
from auditor.importing.reader import MAX_COLUMNS


def count_cases(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM cases").fetchone()[0])


def read_as_the_wizard_does(path: Path) -> None:
    """The import wizard's first step: read the file with progress and a Cancel to ask."""
    read_table(path, progress=lambda done, total: None, cancelled=lambda: False)


def refused_by_the_cli(path: Path, db: Path, message: str) -> None:
    """``cases preview`` and ``cases import`` both stop with one line (exit 2)."""
    for step in ("preview", "import"):
        result = cli("cases", step, str(path), "--db", str(db))
        assert (result.returncode, result.stderr) == (2, f"case-auditor: {message}\n"), step
    assert count_cases(db) == 0


def test_twenty_thousand_repeated_headers_are_refused_at_the_column_limit(
    tmp_path: Path,
) -> None:
    """Before issue 11 the CSV reader had no column limit, and naming repeated headers
    ("Team (2)", "Team (3)"...) searched a list for every candidate name: 4,000 repeats
    took 119 s and 20,000 never finished. The project has no pytest-timeout, so against
    that code this test does not fail quickly: the command line's part ends in a
    subprocess timeout after 120 s, and the wizard's part would run for hours."""
    path = tmp_path / "wide.csv"
    path.write_text(",".join(["Team"] * 20_000) + "\r\n" + ",".join(["DEMO-01-000123"] * 20_000))
    message = f"wide.csv, row 1: more than {MAX_COLUMNS:,} columns: refused"
    refused_by_the_cli(path, tmp_path / "c.db", message)
    with pytest.raises(ImportFileError) as caught:
        read_as_the_wizard_does(path)
    assert str(caught.value) == message


def test_the_column_limit_is_the_same_for_csv_as_for_xlsx(tmp_path: Path) -> None:
    """1,000 columns are read, however many headers repeat; 1,001 are refused on the row
    that has them, as an XLSX sheet is (before, a CSV had no limit at all)."""
    headers = ["Case Ref", "Case Type", *(["Team"] * (MAX_COLUMNS - 2))]
    row = ["DEMO-01-000123", "CP", *(["Demo Team 7"] * (MAX_COLUMNS - 2))]
    table = read_table(write_csv(tmp_path / "wide.csv", [headers, row]))
    assert len(set(table.headers)) == MAX_COLUMNS
    assert table.headers[2:5] == ("Team", "Team (2)", "Team (3)")
    assert validate_table(table, guess_mapping(table.headers)).ok
    wider = write_csv(tmp_path / "wider.csv", [headers, [*row, "one too many"]])
    with pytest.raises(ImportFileError, match=r"^wider.csv, row 2: more than 1,000 columns"):
        read_table(wider)


def _long_case_list(rows: int) -> list[list[str]]:
    return [
        HEADER,
        *(
            [f"DEMO-01-{n:06d}", "CP", "Demo Team 1", "Demo Worker 07", "05/01/2026", "", ""]
            for n in range(rows)
        ),
    ]


def test_a_nul_after_100_kb_is_refused_naming_row_and_column(tmp_path: Path) -> None:
    """Before issue 11 only the first 64 KB were checked: this row was imported, NUL and all."""
    rows = _long_case_list(3_000)
    rows[2_500][2] = "Demo\x00Team 1"  # row 2501 of the file, column C (Team)
    path = write_csv(tmp_path / "cases.csv", rows)
    assert len(csv_text(rows[:2_500]).encode()) > 100_000  # the NUL is beyond 100 KB
    message = (
        "cases.csv, row 2501, column C: a NUL character (U+0000), which a case list never "
        "holds: the file is damaged or not a text file; nothing was imported"
    )
    refused_by_the_cli(path, tmp_path / "c.db", message)
    with pytest.raises(ImportFileError) as caught:
        read_as_the_wizard_does(path)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [
        ("utf-8", b""),
        ("utf-8", codecs.BOM_UTF8),
        ("cp1252", b""),
        ("utf-16-le", codecs.BOM_UTF16_LE),
    ],
)
@pytest.mark.parametrize("control", ["\x00", "\x1b", "\x0c", "\x08"])
def test_a_control_character_anywhere_is_refused_whatever_the_encoding(
    tmp_path: Path, encoding: str, bom: bytes, control: str
) -> None:
    """A single control character (NUL, escape, form feed, backspace) deep in the file, in
    every encoding a case list comes in. Before issue 11 the UTF-16 and BOM files were not
    checked for NUL at all and the others only in their first 64 KB."""
    rows = _long_case_list(4_000)
    rows[3_900][3] = f"Demo Worker{control}07"  # row 3901, column D (Social Worker)
    path = tmp_path / "cases.csv"
    path.write_bytes(bom + csv_text(rows).encode(encoding))
    with pytest.raises(ImportFileError, match=r"^cases.csv, row 3901, column D: a (NUL|control)"):
        read_as_the_wizard_does(path)


def test_a_file_that_turns_out_windows_1252_late_is_still_read(tmp_path: Path) -> None:
    """A guard for the streamed reading: UTF-8 until its last row, then a Windows-1252 byte
    (an "É"), is read again from the start as Windows-1252, as when the file was read whole."""
    rows = _long_case_list(20_000)
    rows[-1][2] = "Équipe Démo 9"
    path = write_csv(tmp_path / "cases.csv", rows, encoding="cp1252")
    table = read_table(path)
    assert table.encoding == "cp1252"
    assert (len(table.rows), table.rows[-1].values[2]) == (20_000, "Équipe Démo 9")
