"""Benchmark the desktop app: launch to a usable main window, and the 100,000-case register.

Run: python bench/bench_gui.py [--db PATH] [--cases N] [--runs R]

Without --db it builds a demo database with N cases (default 100,000) in a temp folder
first (that takes ~25 s and is not part of the figures). Qt runs offscreen unless
QT_QPA_PLATFORM says otherwise.

Figures:
- launch → usable window: from starting the process (python -m, a fresh interpreter) to
  the main window shown with the event loop running (it answers input from then on);
- launch → register loaded: until the off-thread load of every case has reached the table;
- in-process: reading the register (SQL), filling the model, a text filter, a team
  filter, and a sort by worker, on all N rows.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's code, also when another copy is installed
PROBE = """
import sys, time
from pathlib import Path
from PySide6.QtCore import QTimer
from ui.app import AppController, make_application
from ui.errors import install_handlers
from ui.operations import OperationRunner
from ui.settings import DEMO_OFFERED, LAST_VIEW, Settings

install_handlers()
app = make_application()
settings = Settings.open_default()
settings.auditor_name = "Bench Auditor"
settings.set(DEMO_OFFERED, True)
settings.set(LAST_VIEW, "cases")
controller = AppController(settings, OperationRunner())
controller.open_database(Path(sys.argv[1]))
cases = controller.window.page("cases")
cases.loaded.connect(lambda n: (print("loaded", n, flush=True), app.quit()))
QTimer.singleShot(0, lambda: print("usable", flush=True))
app.exec()
controller.shutdown()
"""


def launch_once(db: Path, data_dir: Path) -> tuple[float, float]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CASE_AUDITOR_DATA_DIR": str(data_dir)}
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", PROBE, str(db)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    assert proc.stdout is not None
    usable = loaded = float("nan")
    for line in proc.stdout:
        if line.startswith("usable"):
            usable = time.perf_counter() - started
        elif line.startswith("loaded"):
            loaded = time.perf_counter() - started
    proc.wait(timeout=120)
    return usable, loaded


def in_process(db: Path) -> list[tuple[str, float]]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from auditor.cases.register import RegisterFilter, load_register
    from auditor.store import Store
    from ui.cases.model import CaseRegisterModel

    QApplication.instance() or QApplication([])
    figures = []

    def timed(label: str, step):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        result = step()
        figures.append((label, time.perf_counter() - started))
        return result

    with Store.open(db, create=False, check=False) as store:
        rows = timed("read the register (SQL, all rows)", lambda: load_register(store))
    model = CaseRegisterModel()
    timed("fill the table model", lambda: model.set_rows(rows))
    timed("text filter 'worker 07'", lambda: model.apply_filter(RegisterFilter(text="worker 07")))
    several = RegisterFilter(text="safeguarding north worker 07")  # every word, any field
    timed("text filter, four words", lambda: model.apply_filter(several))
    team = rows[len(rows) // 2].team
    timed("team filter", lambda: model.apply_filter(RegisterFilter(team=team)))
    timed("clear the filter", lambda: model.apply_filter(RegisterFilter()))
    timed("sort by worker, descending", lambda: model.sort(3, Qt.SortOrder.DescendingOrder))
    figures.append((f"  ({len(rows):,} rows)", 0.0))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--db", type=Path, help="an existing database (default: build one)")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = args.db
        if db is None:
            from auditor.demo import make_demo
            from auditor.store import Store

            db = Path(folder) / "bench.db"
            print(f"building a demo database with {args.cases:,} cases…", flush=True)
            with Store.open(db) as store:
                make_demo(store, cases=args.cases, audits=min(args.cases, 5_000), seed=1)
        runs = [launch_once(db, Path(folder) / f"data{n}") for n in range(args.runs)]
        usable = [u for u, _ in runs]
        loaded = [lo for _, lo in runs]
        print(f"database: {db} ({db.stat().st_size / 1e6:.0f} MB)")
        print(
            f"launch → usable main window: median {statistics.median(usable):.2f} s "
            f"(min {min(usable):.2f}, max {max(usable):.2f}, {args.runs} runs)"
        )
        print(
            f"launch → register loaded:    median {statistics.median(loaded):.2f} s "
            f"(min {min(loaded):.2f}, max {max(loaded):.2f})"
        )
        for label, seconds in in_process(db):
            print(f"{label:38s} {seconds * 1000:8.0f} ms" if seconds else label)


if __name__ == "__main__":
    main()
