"""Merging 20 audit packs × 500 audits into an empty database, against raw ``executemany``
of the same rows in one transaction; and whether the last pack merges as fast as the first.

Each pack comes from its own generated database (another laptop). The bare figure copies
every row the merge left in each table into a fresh database of the same schema, and the
trail rows the packs carried into its ``trail`` as written (the merge seals them into
compressed blocks instead: the bare side does not compress). CPU time. The last pack against
the first: the trend of every pack's CPU time (Theil–Sen: the median of the slopes between
every two packs), worked out at the last pack and at the first. One pack's time varies by
half between neighbours on a busy machine, so three at each end (the figure before) gave
0.75× and 1.5× in runs of the same code; the trend reads all twenty.
"""

from __future__ import annotations

import sqlite3
import statistics
import time
from pathlib import Path

from bench.measures.common import Row, cpu_seconds

_TABLES = (
    *("cases", "programmes", "audits", "answers", "actions", "moderations"),
    *("moderation_answers", "trail_heads", "trail_gaps", "imported_packs"),
)


def measure(scale: float, workdir: Path) -> list[Row]:
    from auditor.demo import make_demo
    from auditor.packs import apply_merge, export_pack, read_pack
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
    per_pack: list[float] = []
    with Store.open(workdir / "qa.db") as qa:

        def ours() -> None:
            for pack in packs:
                started = time.process_time()
                apply_merge(qa, pack, actor="Bench QA Lead")
                per_pack.append(time.process_time() - started)

        project = cpu_seconds(ours)
        tables = {t: qa.execute(f"SELECT * FROM {t}").fetchall() for t in _TABLES}
        tables["trail"] = [
            tuple(row[c] for c in COLUMNS) for pack in packs for row in pack.payload["trail"]
        ]
    rows = sum(len(r) for r in tables.values())
    with Store.open(workdir / "bare.db"):
        pass  # the same schema, empty

    def bare() -> None:
        conn = sqlite3.connect(workdir / "bare.db", isolation_level=None)
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("BEGIN IMMEDIATE")
        for table, values in tables.items():
            if values:
                marks = ", ".join("?" for _ in values[0])
                conn.executemany(f"INSERT INTO {table} VALUES ({marks})", values)
        conn.execute("COMMIT")
        conn.close()

    library = cpu_seconds(bare)
    ratio = project / library
    first, last = _trend_ends(per_pack)
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
            f"{statistics.median(per_pack[:3]):.2f} s, {statistics.median(per_pack[-3:]):.2f} s",
        ),
    ]


def _trend_ends(times: list[float]) -> tuple[float, float]:
    """The Theil–Sen line through ``times`` (pack i at x = i), at the first and the last
    pack: robust to a few packs slowed by something else on the machine."""
    slope = statistics.median(
        (times[j] - times[i]) / (j - i) for i in range(len(times)) for j in range(i + 1, len(times))
    )
    intercept = statistics.median(t - slope * i for i, t in enumerate(times))
    return intercept, intercept + slope * (len(times) - 1)
