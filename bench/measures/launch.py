"""Launch → usable main window, beside a bare PySide6 window started the same way."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.measures.common import Row, generated_db

GOAL_S = 0.25
ROOT = Path(__file__).resolve().parents[2]

# The app as ui.app.run_app starts it, quitting as soon as the event loop runs.
APP = """
import sys
from pathlib import Path
from PySide6.QtCore import QTimer
from ui.app import AppController, make_application
from ui.errors import install_handlers
from ui.operations import OperationRunner
from ui.settings import DEMO_OFFERED, Settings

install_handlers()
app = make_application()
settings = Settings.open_default()
settings.auditor_name = "Bench Auditor"
settings.set(DEMO_OFFERED, True)
controller = AppController(settings, OperationRunner())
controller.open_database(Path(sys.argv[1]))
QTimer.singleShot(0, lambda: (print("usable", flush=True), app.quit()))
app.exec()
controller.shutdown()
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


def _usable(code: str, args: list[str], data: Path) -> float:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CASE_AUDITOR_DATA_DIR": str(data)}
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", code, *args],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    assert proc.stdout is not None
    usable = float("nan")
    for line in proc.stdout:
        if line.startswith("usable"):
            usable = time.perf_counter() - started
    proc.wait(timeout=120)
    return usable


def measure(scale: float, workdir: Path) -> list[Row]:
    db = generated_db(workdir / "launch.db", cases=1_000, audits=500)
    runs = 3 if scale < 1 else 7
    _usable(APP, [str(db)], workdir / "warm")  # the first start fills the disk cache
    ours = statistics.median(_usable(APP, [str(db)], workdir / f"d{n}") for n in range(runs))
    bare = statistics.median(_usable(BARE, [], workdir / "bare") for _ in range(runs))
    return [
        Row("launch → usable window", f"{ours:.2f} s", f"bare PySide6 window {bare:.2f} s",
            ours / bare, f"≤ {GOAL_S} s", ours <= GOAL_S),
    ]  # fmt: skip
