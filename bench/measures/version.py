"""``case-auditor --version``: a fresh interpreter answering, beside ``python -c pass``."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.measures.common import Row

GOAL_S = 0.1
ROOT = Path(__file__).resolve().parents[2]


def _wall(args: list[str], runs: int) -> float:
    """Median wall time of ``runs`` fresh processes (a start-up is what people wait for)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, *args], cwd=ROOT, env=env, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure(scale: float, workdir: Path) -> list[Row]:
    runs = 5 if scale < 1 else 15
    _wall(["-m", "ui.launcher", "--version"], 1)  # compiles the modules once
    ours = _wall(["-m", "ui.launcher", "--version"], runs)
    bare = _wall(["-c", "pass"], runs)
    helps = _wall(["-m", "ui.launcher", "--help"], runs)
    return [
        Row("case-auditor --version", f"{ours:.3f} s", f"python -c pass {bare:.3f} s",
            ours / bare, f"≤ {GOAL_S} s", ours <= GOAL_S, note=f"--help: {helps:.3f} s"),
    ]  # fmt: skip
