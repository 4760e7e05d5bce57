"""Importing a 50,000-row CSV case list against ``csv.reader`` + ``executemany``.

The project: read, map, validate and write the cases with their trail rows (one
transaction). The bare library does the same writing without the checks: ``csv.reader``
over the same file, and ``executemany`` of one case row (a random uid, the cells as they
are, two timestamps) and one trail row of the same size per case (a fixed 64-character
text where ours has each row's chained hash) into the app's own ``cases`` and ``trail``
tables with every index and UNIQUE rule, in one ``synchronous=FULL`` transaction. What
differs: the bare side maps no case type, reads no date, checks no cell and hashes
nothing (its CHECK constraints are dropped so the raw cells fit). CPU time, same run: the
least of five rounds on each side, the two sides alternated.
"""

from __future__ import annotations

import csv
import itertools
import os
import re
import sqlite3
from pathlib import Path

from bench.bench_import import fake_rows, write_csv
from bench.measures.common import Row, least_alternated

ROUNDS = 5


def measure(scale: float, workdir: Path) -> list[Row]:
    from auditor.importing import apply_import, guess_mapping, read_table, validate_table
    from auditor.store import Store

    count = int(50_000 * scale)
    path = workdir / "cases.csv"
    write_csv(path, fake_rows(count))

    def ours(db: Path) -> None:
        with Store.open(db) as store:
            table = read_table(path)
            validation = validate_table(table, guess_mapping(table.headers))
            assert validation.ok, validation.problems[:3]
            apply_import(store, validation, actor="Benchmark")

    schema = _bare_schema(workdir / "schema.db")

    def bare(bare_db: Path) -> None:
        conn = sqlite3.connect(bare_db, isolation_level=None)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.executescript(schema)
        now, mark = "2026-12-01T10:00:00+00:00", "0" * 64
        with path.open(encoding="utf-8-sig", newline="") as file:
            reader = csv.reader(file)
            header = next(reader)
            cases = [(os.urandom(16).hex(), *row, now, now) for row in reader]
        trail = [
            (os.urandom(16).hex(), "bare-origin", seq, now, "Benchmark", "case", case[0],
             None, "created", None, case[1], "", mark, mark)
            for seq, case in enumerate(cases, 1)
        ]  # fmt: skip
        columns = ["uid", *_CSV_COLUMNS[: len(header)], "created_at", "updated_at"]
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(
            f"INSERT INTO cases ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})",
            cases,
        )
        conn.executemany(
            f"INSERT INTO trail ({', '.join(_TRAIL)}) VALUES ({', '.join('?' for _ in _TRAIL)})",
            trail,
        )
        conn.execute("COMMIT")
        conn.close()

    # Each side into a new database every round, the two taking turns: the least of each
    # side's rounds (one import's CPU time varied by half between runs on a busy machine).
    rounds = itertools.count()
    project, library = least_alternated(
        lambda: ours(workdir / f"import-{next(rounds)}.db"),
        lambda: bare(workdir / f"bare-{next(rounds)}.db"),
        ROUNDS,
    )
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


# The bench file's columns as the cases table names them (bench_import.HEADER's order).
_CSV_COLUMNS = (
    "reference", "case_type", "team", "worker", "referral_date", "assessment_start",
    "assessment_end", "plan_start", "last_visit", "last_supervision", "closed_date",
)  # fmt: skip
_TRAIL = (
    "uid", "origin", "seq", "at", "actor", "entity", "entity_uid", "audit_uid", "field",
    "old_value", "new_value", "reason", "prev_hash", "hash",
)  # fmt: skip


def _bare_schema(path: Path) -> str:
    """The app's cases and trail tables with their indexes, CHECK rules dropped."""
    from auditor.store import Store

    with Store.open(path) as store:
        rows = store.execute(
            "SELECT sql FROM sqlite_master WHERE tbl_name IN ('cases', 'trail') "
            "AND type IN ('table', 'index') AND sql IS NOT NULL"
        ).fetchall()
    return ";\n".join(_without_checks(sql) for (sql,) in rows) + ";"


def _without_checks(sql: str) -> str:
    return re.sub(r"CHECK \((?:[^()]|\([^()]*\))*\)", "", sql)
