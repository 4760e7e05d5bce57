"""Killing the app loses nothing: the real app in its own process answers a criterion from
the keyboard and types evidence; the process is SIGKILLed; the database has both."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from auditor.audits.records import get_audit, start_audit
from auditor.demo import make_demo
from auditor.store import Store
from auditor.store.trail import verify_trail

ROOT = Path(__file__).resolve().parents[2]

APP_SCRIPT = textwrap.dedent("""
    import sys
    from pathlib import Path
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtTest import QTest
    from ui.app import AppController, make_application
    from ui.operations import OperationRunner
    from ui.settings import Settings

    def wait(ms):
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    db, audit_uid, pause = sys.argv[1], sys.argv[2], int(sys.argv[3])
    app = make_application()
    settings = Settings.open_default()
    settings.auditor_name = "Kill Test Auditor"
    controller = AppController(settings, OperationRunner())
    controller.open_database(Path(db))
    window = controller.window
    window.open_audit(audit_uid)
    form = window.audit_form
    card = form.current
    QTest.keyClick(card, "3")                      # "No": saved at once, focus to evidence
    print("answered", card.code, flush=True)
    QTest.keyClicks(card.evidence, "No risk analysis on the file.")
    wait(pause)                                    # past the 400 ms pause in typing
    print("typed", flush=True)
    wait(60_000)                                   # the parent kills us here
""")


def run_until(proc: subprocess.Popen[str], word: str) -> str:
    assert proc.stdout is not None
    while True:
        line = proc.stdout.readline()
        assert line, f"the app exited before '{word}' (code {proc.poll()})"
        if line.startswith(word):
            return line.split()[-1] if " " in line.strip() else ""


@pytest.fixture
def killed_db(tmp_path: Path) -> tuple[Path, str]:
    db = tmp_path / "kill.db"
    with Store.open(db) as store:
        make_demo(store, cases=5, audits=0, seed=1)
        case = store.scalar("SELECT uid FROM cases ORDER BY reference")
        uid = start_audit(store, case_uid=case, auditor="Kill Test Auditor",
                          framework_code="IN-CFA")  # fmt: skip
    return db, uid


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_answer_and_typed_evidence_survive_sigkill(
    tmp_path: Path, killed_db: tuple[Path, str]
) -> None:
    db, uid = killed_db
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "QT_QPA_PLATFORM": "offscreen",
        "CASE_AUDITOR_DATA_DIR": str(tmp_path / "data"),
    }
    proc = subprocess.Popen(
        [sys.executable, "-c", APP_SCRIPT, str(db), uid, "700"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env,
    )  # fmt: skip
    try:
        code = run_until(proc, "answered")
        run_until(proc, "typed")
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        assert proc.stdout is not None
        proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL
    with Store.open(db) as store:
        answer = get_audit(store, uid).answers[code]
        assert (answer.value, answer.evidence) == ("no", "No risk analysis on the file.")
        assert store.integrity_problems() == []
        assert verify_trail(store) == []
        actors = {r["actor"] for r in store.query("SELECT actor FROM trail WHERE audit_uid = ?",
                                                  [uid])}  # fmt: skip
        assert actors == {"Kill Test Auditor"}
