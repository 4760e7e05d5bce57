"""Starting the desktop app: one window per database, and the hidden start-and-quit hook."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from auditor.store.lock import DatabaseLock, lock_path
from ui import app as ui_app
from ui import smoke_hook

ROOT = Path(__file__).resolve().parent.parent


def test_a_second_window_on_the_same_database_is_refused_naming_the_holder(
    qapp: object, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(ui_app, "configure_logging", lambda: None)
    monkeypatch.setattr(
        ui_app.QMessageBox, "warning", lambda _parent, _title, text: shown.append(text)
    )
    # Any other box would block the test (modal) rather than fail it.
    monkeypatch.setattr(ui_app.QMessageBox, "critical", lambda *args: pytest.fail(str(args)))
    with DatabaseLock.acquire(db_path):
        assert ui_app.run_app(str(db_path)) == 2
    [message] = shown
    assert f"process {os.getpid()} on " in message
    assert "already open in Case Auditor" in message
    assert not db_path.exists()  # refused before the database was opened


def test_the_hook_is_off_unless_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(smoke_hook.ENV_VAR, raising=False)
    assert smoke_hook.exit_after_start_ms() is None
    monkeypatch.setenv(smoke_hook.ENV_VAR, "soon")
    assert smoke_hook.exit_after_start_ms() is None
    monkeypatch.setenv(smoke_hook.ENV_VAR, "250")
    assert smoke_hook.exit_after_start_ms() == 250


def start_with_the_hook(db_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Start the app (a fresh process, offscreen) on ``db_path``; the hook quits it."""
    return subprocess.run(
        [sys.executable, "-m", "ui.launcher", "--db", str(db_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "QT_QPA_PLATFORM": "offscreen",
            smoke_hook.ENV_VAR: "100",
            **env,
        },
    )


def test_the_app_starts_to_its_main_window_and_quits_with_the_hook(db_path: Path) -> None:
    started = time.perf_counter()
    result = start_with_the_hook(db_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == smoke_hook.SHOWN_MESSAGE
    assert time.perf_counter() - started < 60
    assert db_path.exists()
    assert not lock_path(db_path).exists()  # released on the way out


def test_the_hook_can_prove_the_app_starts_its_report_process(db_path: Path) -> None:
    result = start_with_the_hook(db_path, **{smoke_hook.CHILD_ENV_VAR: "1"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [*smoke_hook.SHOWN_MESSAGE.split(), "child", "process", "ready"]


# Printed once the event loop runs, the window on screen (just before the hook says so):
# the modules loaded by then.
_MODULES_AT_FIRST_PAINT = """
import sys
from PySide6.QtCore import QTimer
from ui import smoke_hook
arm = smoke_hook.arm
def arm_and_list(app, window):
    QTimer.singleShot(0, lambda: print(" ".join(sorted(sys.modules)), flush=True))
    arm(app, window)
smoke_hook.arm = arm_and_list
from ui.launcher import main
sys.exit(main(["--db", sys.argv[1]]))
"""


def test_a_returning_auditors_window_is_shown_before_the_case_records_are_loaded(
    qapp: object, db_path: Path
) -> None:
    """The window is painted first, its Cases view built just after (ui.app's
    start_after_first_paint): what only the view and the first-run dialog use is not
    imported before the first paint, which a returning auditor waits for at every start."""
    from auditor.frameworks.library import register_builtin_frameworks
    from auditor.store import Store
    from ui.settings import DEMO_OFFERED, Settings

    with Store.open(db_path) as store:  # opened before: its built-in framework is held
        register_builtin_frameworks(store)
    settings = Settings.open_default()
    settings.auditor_name = "Test Auditor"
    settings.set(DEMO_OFFERED, True)
    settings.sync()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen",
           smoke_hook.ENV_VAR: "0"}  # fmt: skip
    result = subprocess.run(
        [sys.executable, "-c", _MODULES_AT_FIRST_PAINT, str(db_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    listed, shown = result.stdout.splitlines()[:2]
    assert shown == smoke_hook.SHOWN_MESSAGE
    loaded = set(listed.split())
    assert "ui.main_window" in loaded
    # logging.handlers too: auditor.logs rotates the log itself (the module took 12 ms).
    for module in ("auditor.cases.records", "auditor.audits.records", "ui.first_run",
                   "ui.cases.view", "auditor.about", "auditor.frameworks.model",
                   "logging.handlers"):  # fmt: skip
        assert module not in loaded, module
