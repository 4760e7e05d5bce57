"""The largest case list accepted: a workbook a quarter over the limit is refused before
its rows are read, against openpyxl reading the same sheet (read-only, values only). (One
up to 30 rows over, the rows a title and header may take, is refused once it is read.)

At full size the limit itself (200,000 cases); smaller runs lower the limit with the scale.
A file of exactly the limit's cases, with a title and a header above them, is accepted.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl

from bench.measures.common import Row, cpu_seconds


def measure(scale: float, workdir: Path) -> list[Row]:
    from auditor.importing import reader
    from auditor.importing.errors import ImportFileError

    limit = reader.MAX_ROWS = int(reader.MAX_ROWS * scale)
    over = _workbook(workdir / "over.xlsx", limit + limit // 4)
    exact = _workbook(workdir / "exact.xlsx", limit)
    message = ""

    def ours() -> None:
        nonlocal message
        try:
            reader.read_table(over)
        except ImportFileError as exc:
            message = str(exc)

    def bare() -> None:
        workbook = openpyxl.load_workbook(over, read_only=True, data_only=True)
        for _ in workbook.active.iter_rows(values_only=True):
            pass
        workbook.close()

    refused = cpu_seconds(ours)
    read = cpu_seconds(bare)
    accepted = len(reader.read_table(exact).rows) == limit
    ratio = refused / read
    return [
        Row(
            f"case list limit ({limit:,} cases)",
            f"refused in {refused:.2f} s CPU",
            f"reading it: {read:.2f} s CPU",
            ratio,
            "counts cases; refused before reading",
            bool(message) and accepted and ratio < 0.5,
            message if accepted else "a file of exactly the limit was refused",
        )
    ]


def _workbook(path: Path, cases: int) -> Path:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Cases")
    sheet.append(["Demo Council: open cases (synthetic)"])
    sheet.append(["Case Ref", "Case Type", "Team", "Social Worker"])
    for i in range(1, cases + 1):
        sheet.append([f"FAKE-{i:06d}", "CP", f"Demo Team {i % 40}", f"Demo Worker {i % 400}"])
    workbook.save(path)
    return path
