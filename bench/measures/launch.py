"""Launch → usable main window, beside a bare PySide6 window started the same way."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.measures.common import Row, generated_db
from ui import smoke_hook

GOAL_S = 0.25
ROOT = Path(__file__).resolve().parents[2]

# A returning auditor: named, demo data already offered (no first-run dialog).
SEED_SETTINGS = """
from ui.settings import DEMO_OFFERED, Settings
settings = Settings.open_default()
settings.auditor_name = "Bench Auditor"
settings.set(DEMO_OFFERED, True)
settings.sync()
"""

BARE = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv[:1])
window = QMainWindow()
window.resize(1200, 800)
window.show()
QTimer.singleShot(0, lambda: (print("usable", flush=True), app.quit()))
app.exec()
"""


def _usable(args: list[str], data: Path) -> float:
    """Wall time from starting the process to its window shown with the event loop running
    (the app's smoke hook prints then and quits)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CASE_AUDITOR_DATA_DIR": str(data),
           smoke_hook.ENV_VAR: "0"}  # fmt: skip
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, *args],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    assert proc.stdout is not None
    usable = float("nan")
    for line in proc.stdout:
        if line.startswith(("usable", smoke_hook.SHOWN_MESSAGE)):
            usable = time.perf_counter() - started
    proc.wait(timeout=120)
    return usable


def measure(scale: float, workdir: Path) -> list[Row]:
    db = generated_db(workdir / "launch.db", cases=1_000, audits=500)
    data = workdir / "data"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CASE_AUDITOR_DATA_DIR": str(data)}
    subprocess.run([sys.executable, "-c", SEED_SETTINGS], cwd=ROOT, env=env, check=True)
    runs = 3 if scale < 1 else 9
    app = ["-m", "ui.launcher", "--db", str(db)]
    _usable(app, data)  # the first start fills the disk cache
    # The two take turns, so a slow spell of the machine falls on both alike.
    starts: tuple[list[float], list[float]] = ([], [])
    for _ in range(runs):
        starts[0].append(_usable(app, data))
        starts[1].append(_usable(["-c", BARE], data))
    ours, bare = statistics.median(starts[0]), statistics.median(starts[1])
    return [
        Row("launch → usable window", f"{ours:.2f} s", f"bare PySide6 window {bare:.2f} s",
            ours / bare, f"≤ {GOAL_S} s", ours <= GOAL_S),
    ]  # fmt: skip
