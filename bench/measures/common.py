"""What every measure of ``bench/run_all.py`` shares: its table row, CPU time, a database.

Each measure module in this folder exposes ``measure(scale, workdir) -> list[Row]``; scale 1.0
is the full size, 0.1 the ``--quick`` run. Figures compare the project with the bare library
doing the same work in the same run, in CPU time: its ratios hold steady on a busy machine.
Generated data only.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Row:
    """One line of the table: the project's figure, the bare library's, their ratio, the goal."""

    measure: str
    ours: str
    bare: str
    ratio: float | None
    goal: str
    met: bool | None
    note: str = ""


def cpu_seconds(fn: Callable[[], object]) -> float:
    """CPU seconds this process spends in ``fn()``."""
    started = time.process_time()
    fn()
    return time.process_time() - started


def generated_db(path: Path, *, audits: int = 1000, cases: int | None = None) -> Path:
    """A synthetic database (the demo's builder: obviously fake people and cases) at ``path``."""
    from auditor.demo import make_demo
    from auditor.store import Store

    with Store.open(path) as store:
        make_demo(store, cases=cases or audits, audits=audits, seed=1)
        store.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path
