"""Run every speed measure (issue 16) and print one table.

Run: python bench/run_all.py [--quick] [--only NAME ...] [--workdir DIR]

Every module in bench/measures/ but ``common`` is a measure exposing
``measure(scale, workdir) -> list[Row]``; they run in name order, each in a fresh
interpreter (one measure's imports must not speed up another's start), on generated data
in a temporary folder. For every row the table shows the project's figure, the bare
library's figure for the same work in the same run, their ratio, the goal and whether it
is met. ``--quick`` runs everything at a tenth of the size (under two minutes in all).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's code, also when another copy is installed

from bench.measures.common import Row  # noqa: E402

MEASURES = ROOT / "bench" / "measures"
NOT_MEASURES = {"common", "__init__"}

# Runs one measure in the child process; its rows come back as JSON on the last line.
CHILD = """
import dataclasses, json, sys
from pathlib import Path
from importlib import import_module
rows = import_module("bench.measures." + sys.argv[1]).measure(float(sys.argv[2]), Path(sys.argv[3]))
print("ROWS " + json.dumps([dataclasses.asdict(row) for row in rows]))
"""


def measure_names() -> list[str]:
    return sorted(p.stem for p in MEASURES.glob("*.py") if p.stem not in NOT_MEASURES)


def run_measure(name: str, scale: float, workdir: Path) -> list[Row]:
    """One measure in a fresh interpreter; a measure that fails is one row saying so."""
    folder = workdir / name
    folder.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CASE_AUDITOR_DATA_DIR": str(folder / "data")}
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    # Start-up measures compile every module again when bytecode is not kept (as an
    # installed or frozen app keeps it): keep it, outside the source tree.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(workdir / "pycache")
    done = subprocess.run(
        [sys.executable, "-c", CHILD, name, str(scale), str(folder)],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip
    for line in reversed(done.stdout.splitlines()):
        if line.startswith("ROWS "):
            return [Row(**fields) for fields in json.loads(line[5:])]
    error = (done.stderr.strip().splitlines() or ["no output"])[-1]
    return [Row(name, "failed", "", None, "", None, note=error[:120])]


def print_table(rows: list[Row]) -> None:
    header = ("measure", "ours", "bare library, same work", "ratio", "goal", "met?")
    cells = [
        (
            r.measure,
            r.ours,
            r.bare,
            "" if r.ratio is None else f"{r.ratio:.2f}×",
            r.goal,
            {True: "yes", False: "NO", None: "–"}[r.met],
        )
        for r in rows
    ]
    widths = [max(len(c[i]) for c in [header, *cells]) for i in range(len(header))]
    print(" | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print("-+-".join("-" * w for w in widths))
    for c in cells:
        print(" | ".join(v.ljust(w) for v, w in zip(c, widths, strict=True)))
    notes = [f"  {r.measure}: {r.note}" for r in rows if r.note]
    if notes:
        print("\nNotes:\n" + "\n".join(notes))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="a tenth of the size")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="only these measures")
    parser.add_argument("--workdir", type=Path, help="keep the generated data here")
    args = parser.parse_args()
    scale = 0.1 if args.quick else 1.0
    names = [n for n in measure_names() if not args.only or n in args.only]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as temporary:
        workdir = args.workdir or Path(temporary)
        rows: list[Row] = []
        for name in names:
            began = time.perf_counter()
            rows += run_measure(name, scale, workdir)
            print(f"{name}: {time.perf_counter() - began:.0f} s", file=sys.stderr, flush=True)
    print(f"\nSpeed measures at scale {scale:g} ({time.perf_counter() - started:.0f} s in all):\n")
    print_table(rows)


if __name__ == "__main__":
    main()
