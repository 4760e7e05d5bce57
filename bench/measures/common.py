"""What every measure in ``bench/measures/`` shares: the table row, CPU timing, a database.

Each measure module exposes ``measure(scale, workdir) -> list[Row]``; ``bench/run_all.py``
runs every one in a fresh process and prints their rows as one table. ``scale`` is 1.0 for
the full size and 0.1 for ``--quick``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Row:
    """One line of the table: our figure beside the bare library's for the same work."""

    measure: str
    ours: str
    bare: str
    ratio: float | None
    goal: str
    met: bool | None
    note: str = ""


def cpu_seconds(fn: Callable[[], object]) -> float:
    """CPU time ``fn`` takes (CPU-time ratios hold steady on a busy shared machine)."""
    started = time.process_time()
    fn()
    return time.process_time() - started


def least_alternated(
    ours: Callable[[], object], bare: Callable[[], object], rounds: int
) -> tuple[float, float]:
    """The least CPU time of each side over ``rounds``, the two sides taking turns: on this
    shared machine the speed changes from one second to the next (one side's three rounds
    run back to back could fall in a slow spell the other missed)."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(rounds):
        times[0].append(cpu_seconds(ours))
        times[1].append(cpu_seconds(bare))
    return min(times[0]), min(times[1])


def scaled(full: int, scale: float, *, least: int = 1) -> int:
    """``full`` at ``scale``, never below ``least`` (a tenth of a small size is still work)."""
    return max(least, round(full * scale))


def generated_db(
    path: Path, *, audits: int = 1000, cases: int | None = None, seed: int = 1
) -> Path:
    """A synthetic database at ``path`` (the demo builder's data: obviously fake)."""
    from auditor.demo import make_demo
    from auditor.store import Store

    with Store.open(path) as store:
        make_demo(store, cases=cases or audits, audits=audits, seed=seed)
        store.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path
