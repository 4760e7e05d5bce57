"""Merging 20 audit packs × 500 audits into an empty database, against raw ``executemany``
of the same rows in one transaction; and whether the last pack merges as fast as the first.

Each pack comes from its own generated database (another laptop). The bare figure copies
every row the merge left in each table into a fresh database of the same schema, and the
trail rows the packs carried into its ``trail`` as written (the merge seals them into
compressed blocks instead: the bare side does not compress). CPU time, the least of two
rounds on each side, the two sides taking turns (each round merges into a new database).
The last pack against the first: the trend of every pack's CPU time (its least over the
rounds; Theil–Sen: the median of the slopes between every two packs), worked out at the
last pack and at the first. One pack's time varies by half between neighbours on a busy
machine, so three at each end (the figure before) gave 0.75× and 1.5× in runs of the same
code; the trend reads all twenty.
"""

from __future__ import annotations

import sqlite3
import statistics
import time
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from bench.measures.common import Row, cpu_seconds

if TYPE_CHECKING:
    from auditor.packs import Pack
    from auditor.store import Store

ROUNDS = 2

_TABLES = (
    *("cases", "programmes", "audits", "answers", "actions", "moderations"),
    *("moderation_answers", "trail_heads", "trail_gaps", "imported_packs"),
)


def measure(scale: float, workdir: Path) -> list[Row]:
    from auditor.demo import make_demo
    from auditor.packs import export_pack, read_pack
    from auditor.store import Store
    from auditor.store.trail import COLUMNS

    audits = max(50, int(500 * scale))
    paths = []
    for seed in range(1, 21):
        path = workdir / f"laptop-{seed:02d}.auditpack"
        with Store.open(workdir / f"laptop-{seed:02d}.db") as store:
            make_demo(store, cases=audits, audits=audits, seed=seed)
            export_pack(store, path, created_by=f"Bench Auditor {seed:02d}")
        paths.append(path)
    packs = [read_pack(p) for p in paths]
    # Merge and bare copy take turns, twice over: the least of each side's rounds (one side
    # alone once, 17 s, could fall in a slow spell of the machine the other missed).
    projects, libraries, per_pack_rounds = [], [], []
    for round_ in range(ROUNDS):
        per_pack: list[float] = []
        with Store.open(workdir / f"qa-{round_}.db") as qa:
            projects.append(cpu_seconds(partial(_merge_each, qa, packs, per_pack)))
            tables = {t: qa.execute(f"SELECT * FROM {t}").fetchall() for t in _TABLES}
        tables["trail"] = [
            tuple(row[c] for c in COLUMNS) for pack in packs for row in pack.payload["trail"]
        ]
        bare_db = workdir / f"bare-{round_}.db"
        with Store.open(bare_db):
            pass  # the same schema, empty
        libraries.append(cpu_seconds(partial(_bare, bare_db, tables)))
        per_pack_rounds.append(per_pack)
        rows = sum(len(r) for r in tables.values())
        # A million rows as Python tuples, let go before the next round: the collector
        # walks every one it still tracks at each full collection, slowing that round.
        del tables
    project, library = min(projects), min(libraries)
    # Each pack's least time over the rounds: the trend reads the machine's quiet moments.
    fastest = [min(times) for times in zip(*per_pack_rounds, strict=True)]
    ratio = project / library
    first, last = _trend_ends(fastest)
    return [
        Row(
            f"merge 20 packs × {audits} audits",
            f"{project:.1f} s CPU",
            f"{library:.1f} s CPU",
            ratio,
            "≤ 1.5×",
            ratio <= 1.5,
            f"{rows:,} rows",
        ),
        Row(
            "merge: last pack / first pack",
            f"{last:.2f} s",
            f"{first:.2f} s",
            last / first,
            "flat (≤ 1.2×)",
            last / first <= 1.2,
            "the trend of all the packs' CPU times; each end's median of three: "
            f"{statistics.median(fastest[:3]):.2f} s, {statistics.median(fastest[-3:]):.2f} s",
        ),
    ]


def _merge_each(qa: Store, packs: list[Pack], per_pack: list[float]) -> None:
    """Every pack merged into ``qa`` in turn, each one's CPU time appended to ``per_pack``."""
    from auditor.packs import apply_merge

    for pack in packs:
        started = time.process_time()
        apply_merge(qa, pack, actor="Bench QA Lead")
        per_pack.append(time.process_time() - started)


def _bare(path: Path, tables: dict[str, list[tuple[object, ...]]]) -> None:
    """Every table's rows inserted as they are, in one transaction."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("BEGIN IMMEDIATE")
    for table, values in tables.items():
        if values:
            marks = ", ".join("?" for _ in values[0])
            conn.executemany(f"INSERT INTO {table} VALUES ({marks})", values)
    conn.execute("COMMIT")
    conn.close()


def _trend_ends(times: list[float]) -> tuple[float, float]:
    """The Theil–Sen line through ``times`` (pack i at x = i), at the first and the last
    pack: robust to a few packs slowed by something else on the machine."""
    slope = statistics.median(
        (times[j] - times[i]) / (j - i) for i in range(len(times)) for j in range(i + 1, len(times))
    )
    intercept = statistics.median(t - slope * i for i, t in enumerate(times))
    return intercept, intercept + slope * (len(times) - 1)
