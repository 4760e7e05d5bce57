"""Benchmark: import a 50,000-row CSV and a 50,000-row XLSX case list; print the times.

Run: python bench/bench_import.py [--rows N]

The files are synthetic and obviously fake (references FAKE-000001, "Demo Team 7"). Each is
imported into a fresh database; read, validate and write are timed separately, then the CSV
is imported again with one case in ten changed (the update path).
"""

from __future__ import annotations

import argparse
import csv
import random
import tempfile
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import openpyxl

from auditor.importing import apply_import, guess_mapping, read_table, validate_table
from auditor.store import Store

HEADER = [
    "Case Ref",
    "Case Type",
    "Team",
    "Social Worker",
    "Referral Date",
    "Assessment Start",
    "Assessment Completed",
    "Plan Start Date",
    "Last Visit",
    "Last Supervision",
    "Closure Date",
]
TYPES = ["CP", "CIN", "CLA", "Care leaver", "Early help"]


def fake_rows(count: int, *, seed: int = 1, changed_every: int = 0) -> Iterator[list[object]]:
    rng = random.Random(seed)
    base = date(2025, 1, 1)
    for i in range(1, count + 1):
        referral = base + timedelta(days=rng.randint(0, 400))
        team = f"Demo Team {rng.randint(1, 40)}"
        if changed_every and i % changed_every == 0:
            team = "Demo Team Moved"
        yield [
            f"FAKE-{i:06d}",
            rng.choice(TYPES),
            team,
            f"Demo Worker {rng.randint(1, 400):03d}",
            referral,
            referral + timedelta(days=rng.randint(0, 3)),
            referral + timedelta(days=rng.randint(20, 70)),
            referral + timedelta(days=rng.randint(30, 90)),
            referral + timedelta(days=rng.randint(60, 200)),
            referral + timedelta(days=rng.randint(60, 200)),
            referral + timedelta(days=300) if rng.random() < 0.2 else None,
        ]


def write_csv(path: Path, rows: Iterator[list[object]]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(HEADER)
        for row in rows:
            writer.writerow([v.strftime("%d/%m/%Y") if isinstance(v, date) else v for v in row])


def write_xlsx(path: Path, rows: Iterator[list[object]], *, streaming: bool = False) -> None:
    """As Excel saves a sheet (shared strings, a dimension), or as a streaming writer does
    (inline strings, no dimension: openpyxl then parses the sheet twice to read it)."""
    workbook = openpyxl.Workbook(write_only=streaming)
    if streaming:
        sheet = workbook.create_sheet("Cases")
    else:
        sheet = workbook.active
        sheet.title = "Cases"
    sheet.append(["Demo Council: open cases (synthetic)"])
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    sheet.append(["Total", 0])
    workbook.save(path)


def bench(label: str, path: Path, db: Path) -> None:
    started = time.perf_counter()
    table = read_table(path)
    read = time.perf_counter() - started
    started = time.perf_counter()
    validation = validate_table(table, guess_mapping(table.headers))
    checked = time.perf_counter() - started
    assert validation.ok, validation.problems[:3]
    with Store.open(db) as store:
        started = time.perf_counter()
        summary = apply_import(store, validation, actor="Benchmark")
        wrote = time.perf_counter() - started
    rows = validation.rows_total
    total = read + checked + wrote
    print(f"{label}: {rows:,} rows, {path.stat().st_size / 1e6:.1f} MB — {summary}")
    print(
        f"  read {read:.2f} s + validate {checked:.2f} s = {read + checked:.2f} s; "
        f"write {wrote:.2f} s; total {total:.2f} s ({rows / total:,.0f} rows/s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=50_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        write_csv(tmp / "cases.csv", fake_rows(args.rows))
        write_xlsx(tmp / "cases.xlsx", fake_rows(args.rows))
        write_xlsx(tmp / "streamed.xlsx", fake_rows(args.rows), streaming=True)
        write_csv(tmp / "cases-next-month.csv", fake_rows(args.rows, changed_every=10))
        bench("CSV", tmp / "cases.csv", tmp / "csv.db")
        bench("XLSX (as Excel saves it)", tmp / "cases.xlsx", tmp / "xlsx.db")
        bench("XLSX (streaming writer, no dimension)", tmp / "streamed.xlsx", tmp / "s.db")
        bench("CSV re-import, 1 in 10 changed", tmp / "cases-next-month.csv", tmp / "csv.db")


if __name__ == "__main__":
    main()
