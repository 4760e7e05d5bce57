"""Importing a 50,000-row CSV case list against ``csv.reader`` + ``executemany``.

The project: read, map, validate and write the cases with their trail rows (one
transaction). The bare library: ``csv.reader`` over the same file and one ``executemany``
of its rows into a fresh table. CPU time, same run.
"""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

from bench.bench_import import fake_rows, write_csv
from bench.measures.common import Row, cpu_seconds


def measure(scale: float, workdir: Path) -> list[Row]:
    from auditor.importing import apply_import, guess_mapping, read_table, validate_table
    from auditor.store import Store

    count = int(50_000 * scale)
    path = workdir / "cases.csv"
    write_csv(path, fake_rows(count))
    store = Store.open(workdir / "import.db")

    def ours() -> None:
        table = read_table(path)
        validation = validate_table(table, guess_mapping(table.headers))
        assert validation.ok, validation.problems[:3]
        apply_import(store, validation, actor="Benchmark")

    def bare() -> None:
        conn = sqlite3.connect(workdir / "bare.db", isolation_level=None)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        with path.open(encoding="utf-8-sig", newline="") as file:
            reader = csv.reader(file)
            header = next(reader)
            columns = ", ".join(f"c{i}" for i in range(len(header)))
            conn.execute(f"CREATE TABLE cases (id INTEGER PRIMARY KEY, {columns})")
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(
                f"INSERT INTO cases ({columns}) VALUES ({', '.join('?' for _ in header)})",
                reader,
            )
            conn.execute("COMMIT")
        conn.close()

    try:
        project = cpu_seconds(ours)
    finally:
        store.close()
    library = cpu_seconds(bare)
    ratio = project / library
    return [
        Row(
            f"import {count:,}-row CSV",
            f"{project:.2f} s CPU",
            f"{library:.2f} s CPU",
            ratio,
            "≤ 2×",
            ratio <= 2.0,
        )
    ]
