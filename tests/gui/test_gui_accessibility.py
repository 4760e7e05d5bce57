"""Every control on every screen has a name a screen reader reads and a tooltip; the app
lays out at 150 % scaling; an uncaught bug reaches the crash dialog and the log."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import (
    QApplication,
)
from pytestqt.qtbot import QtBot

from auditor.audits.records import list_audits, record_answer, start_audit
from auditor.demo import make_demo
from tests.gui.conftest import QA_LEAD
from tests.gui.helpers import message_boxes, unlabelled
from ui.errors import CRASH, excepthook
from ui.main_window import VIEWS, MainWindow

ROOT = Path(__file__).resolve().parents[2]


def test_every_screen_names_its_controls(qtbot: QtBot, window: MainWindow) -> None:
    store = window.session.store
    make_demo(store, cases=20, audits=20, seed=5)
    problems: list[str] = []
    checked: list[str] = []
    for key, *_ in VIEWS:
        window.show_view(key)
        problems += unlabelled(window.page(key), checked)
    case = store.scalar("SELECT uid FROM cases ORDER BY reference")
    draft = start_audit(store, case_uid=case, auditor="Test Auditor", framework_code="IN-CFA")
    window.open_audit(draft)
    assert window.audit_form is not None
    problems += unlabelled(window.audit_form, checked)
    submitted = list_audits(store, status="submitted")[0]
    window.session.settings.auditor_name = QA_LEAD
    window.moderate(submitted.uid)
    assert window.moderation is not None
    problems += unlabelled(window.moderation, checked)
    assert len(checked) > 150
    assert problems == []


def test_the_window_lays_out_at_150_percent(tmp_path: Path) -> None:
    """A separate process with QT_SCALE_FACTOR=1.5: the audit form fits and nothing warns."""
    script = (
        "import sys\n"
        "from PySide6.QtWidgets import QApplication\n"
        "from auditor.store import Store\n"
        "from auditor.demo import make_demo\n"
        "from ui.main_window import MainWindow\n"
        "from ui.operations import OperationRunner\n"
        "from ui.session import Changes, Session\n"
        "from ui.settings import Settings\n"
        "app = QApplication([])\n"
        "store = Store.open(sys.argv[1])\n"
        "make_demo(store, cases=10, audits=10, seed=1)\n"
        "from auditor.audits.records import start_audit\n"
        "case = store.scalar('SELECT uid FROM cases ORDER BY reference')\n"
        "draft = start_audit(store, case_uid=case, auditor='A', framework_code='IN-CFA')\n"
        "s = Settings.open_default(); s.auditor_name = 'Scaled Auditor'\n"
        "w = MainWindow(Session(store, OperationRunner(synchronous=True), s, Changes()),\n"
        "               open_database=lambda p: None)\n"
        "w.resize(1366, 768); w.show(); w.start()\n"
        "w.open_audit(draft)\n"
        "app.processEvents()\n"
        "print(app.primaryScreen().devicePixelRatio(), w.audit_form.current.width(),\n"
        "      w.audit_form.current.evidence.height())\n"
    )
    env = {
        "PYTHONPATH": str(ROOT),
        "QT_QPA_PLATFORM": "offscreen",
        "QT_SCALE_FACTOR": "1.5",
        "CASE_AUDITOR_DATA_DIR": str(tmp_path / "data"),
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "scaled.db")],
        capture_output=True, text=True, env=env, timeout=120, cwd=ROOT,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    ratio, card_width, evidence_height = result.stdout.split()
    assert float(ratio) == 1.5
    assert int(card_width) > 300 and int(evidence_height) > 40
    noise = "This plugin does not support propagateSizeHints()"
    assert [line for line in result.stderr.splitlines() if line and noise not in line] == []


def test_an_uncaught_bug_is_logged_and_shown_with_the_log_location(
    qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    try:
        {}["missing"]
    except KeyError as exc:
        error = exc
    with caplog.at_level(logging.ERROR):
        excepthook(KeyError, error, error.__traceback__)
    boxes = message_boxes(CRASH)
    assert len(boxes) == 1
    assert "case-auditor.log" in boxes[0].informativeText()
    assert any("unexpected error" in r.message and r.exc_info for r in caplog.records)
    boxes[0].close()


def test_a_user_error_in_the_form_is_a_dialog(qtbot: QtBot, window: MainWindow) -> None:
    """Saving to an audit someone else submitted meanwhile: a message, not a traceback."""
    store = window.session.store
    case = store.scalar("SELECT uid FROM cases ORDER BY reference")
    draft_uid = start_audit(store, case_uid=case, auditor="Test Auditor", framework_code="IN-CFA")
    window.open_audit(draft_uid)
    form = window.audit_form
    assert form is not None
    code = form.current.code if form.current else ""
    store.execute("UPDATE audits SET status = 'submitted' WHERE uid = ?", [draft_uid])
    qtbot.keyClick(form.current, "1")
    boxes = message_boxes("userErrorDialog")
    assert len(boxes) == 1 and "read-only" in boxes[0].text()
    assert form.header.saved.text().startswith("⚠ Not saved")
    boxes[0].close()
    with pytest.raises(Exception, match="read-only"):
        record_answer(store, draft_uid, code, value="yes", actor="x")
    assert QApplication.activeWindow() is not None
