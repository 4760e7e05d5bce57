"""Real-looking (and obviously fake) case-list files built by the tests: CSV in the encodings
and delimiters councils' systems write, XLSX with title and totals rows, and hostile files."""

from __future__ import annotations

import codecs
import zipfile
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

import openpyxl

HEADER = [
    "Case Ref",
    "Case Type",
    "Team",
    "Social Worker",
    "Referral Date",
    "Assessment Completed",
    "Closure Date",
]
ROWS = [
    ["FAKE-0001", "CP", "Demo Team 1", "Demo Worker 01", "05/01/2026", "20/02/2026", ""],
    ["FAKE-0002", "Child in Need", "Demo Team 1", "Demo Worker 02", "12/01/2026", "", ""],
    ["FAKE-0003", "CLA", "Demo Team 2", "Demo Worker 03", "02/12/2025", "", "31/01/2026"],
    ["FAKE-0004", "Care leaver", "Demo Team 2", "Demo Worker 04", "", "", "15/01/2026"],
    ["FAKE-0005", "Early help", "Demo Team 3", "Demo Worker 05", "19/01/2026", "", ""],
]


def csv_text(rows: Sequence[Sequence[str]], delimiter: str = ",") -> str:
    def quoted(value: str) -> str:
        if any(ch in value for ch in f'"{delimiter}\n'):
            return '"' + value.replace('"', '""') + '"'
        return value

    return "".join(delimiter.join(quoted(v) for v in row) + "\r\n" for row in rows)


def write_csv(
    path: Path,
    rows: Sequence[Sequence[str]],
    *,
    encoding: str = "utf-8",
    bom: bool = False,
    delimiter: str = ",",
) -> Path:
    data = csv_text(rows, delimiter).encode(encoding)
    path.write_bytes((codecs.BOM_UTF8 if bom else b"") + data)
    return path


def write_xlsx(
    path: Path,
    rows: Sequence[Sequence[object]],
    *,
    title: str = "Case list",
    extra_sheets: Sequence[str] = (),
) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    for name in extra_sheets:
        workbook.create_sheet(name).append(["nothing", "here"])
    workbook.save(path)
    return path


def typed_rows() -> list[list[object]]:
    """ROWS as Excel holds them: dates as dates, one as a datetime, one as a serial number."""
    rows: list[list[object]] = []
    for row in ROWS:
        typed: list[object] = list(row[:4])
        for text in row[4:]:
            typed.append(datetime.strptime(text, "%d/%m/%Y") if text else None)
        rows.append(typed)
    rows[2][6] = (date(2026, 1, 31) - date(1899, 12, 30)).days  # a serial number, General format
    rows[0][4] = date(2026, 1, 5)
    return rows


def rewrite_part(source: Path, target: Path, part: str, content: bytes) -> Path:
    """A copy of an XLSX with one part's content replaced."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            new.writestr(info.filename, content if info.filename == part else old.read(info))
    return target
