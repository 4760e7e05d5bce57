"""The operation runner, the error dialogs and the settings."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QByteArray
from PySide6.QtWidgets import QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from auditor.errors import ValidationError
from tests.gui.helpers import message_boxes
from ui.errors import CRASH, USER_ERROR, reporting_user_errors, show_error
from ui.operations import Cancelled, Operation, OperationRunner
from ui.settings import LAST_VIEW, Settings


def test_synchronous_runner_calls_back_at_once(runner: OperationRunner) -> None:
    seen: list[object] = []

    def work(progress) -> int:  # type: ignore[no-untyped-def]
        progress(1, 2, "half")
        return 42

    runner.run(work, on_success=seen.append, on_progress=lambda d, t, s: seen.append((d, t, s)))
    assert seen == [(1, 2, "half"), 42]
    assert runner.active == 0


def test_threaded_runner_delivers_on_the_gui_thread(qtbot: QtBot) -> None:
    ops = OperationRunner()
    threads: dict[str, object] = {}

    def work(progress) -> str:  # type: ignore[no-untyped-def]
        threads["work"] = threading.current_thread()
        progress(1, 1, "")
        return "done"

    def success(result: object) -> None:
        threads["success"] = threading.current_thread()

    with qtbot.wait_signal(ops.run(work, on_success=success).finished, timeout=5000):
        pass
    assert threads["work"] is not threading.main_thread()
    assert threads["success"] is threading.main_thread()
    assert ops.wait_for_done(5000)
    qtbot.wait_until(lambda: ops.active == 0)


def test_failure_reaches_the_handler_not_a_traceback(runner: OperationRunner) -> None:
    failures: list[BaseException] = []

    def work(progress) -> None:  # type: ignore[no-untyped-def]
        raise ValidationError("bad file")

    runner.run(work, on_failure=failures.append)
    assert [str(f) for f in failures] == ["bad file"]


def test_cancelled_operation_reports_nothing(runner: OperationRunner) -> None:
    failures: list[BaseException] = []
    successes: list[object] = []
    operation = Operation(lambda progress: progress(1, 2, ""), "cancel me")
    operation.cancel()
    operation.failed.connect(failures.append)
    operation.execute()
    assert [type(f) for f in failures] == [Cancelled]

    def work(progress) -> None:  # type: ignore[no-untyped-def]
        raise Cancelled("stopped by the user")

    runner.run(work, on_failure=failures.append, on_success=successes.append)
    assert len(failures) == 1 and successes == []


def test_user_error_shows_its_message_and_problems(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.add_widget(parent)
    error = ValidationError("This audit cannot be submitted yet.", ["R-1 is not answered"])
    box = show_error(parent, error)
    assert box.objectName() == USER_ERROR
    assert box.isVisible()
    assert box.text() == "This audit cannot be submitted yet."
    assert "R-1 is not answered" in box.informativeText()
    box.close()


def test_bug_is_logged_with_traceback_and_names_the_log(
    qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    try:
        raise RuntimeError("boom")
    except RuntimeError as exc:
        error = exc
    with caplog.at_level(logging.ERROR):
        box = show_error(None, error)
    assert box.objectName() == CRASH
    assert "case-auditor.log" in box.informativeText()
    assert "RuntimeError: boom" in box.detailedText()
    assert any(r.exc_info and r.exc_info[1] is error for r in caplog.records)
    assert message_boxes(CRASH) == [box]
    box.close()


def test_reporting_user_errors_lets_bugs_through(qtbot: QtBot) -> None:
    with reporting_user_errors(None):
        raise ValidationError("a reason is required")
    boxes = message_boxes(USER_ERROR)
    assert [b.text() for b in boxes] == ["A reason is required"]  # a sentence
    for b in boxes:
        b.close()
    with pytest.raises(KeyError), reporting_user_errors(None):
        raise KeyError("bug")
    assert not any(isinstance(b, QMessageBox) for b in message_boxes(USER_ERROR))


def test_settings_defaults_and_round_trip(tmp_path: Path, qapp: object) -> None:
    path = tmp_path / "s.ini"
    settings = Settings.at(path)
    assert settings.auditor_name == ""
    assert settings.get(LAST_VIEW) == "cases"
    assert settings.recent_databases() == []
    settings.auditor_name = "  Ann Auditor "
    settings.add_recent_database(tmp_path / "a.db")
    settings.add_recent_database(tmp_path / "b.db")
    settings.add_recent_database(tmp_path / "a.db")
    settings.set(LAST_VIEW, "actions")
    settings.set_window_state("geometry", QByteArray(b"xyz"))
    settings.sync()
    again = Settings.at(path)
    assert again.auditor_name == "Ann Auditor"
    assert again.recent_databases() == [str(tmp_path / "a.db"), str(tmp_path / "b.db")]
    assert again.get(LAST_VIEW) == "actions"
    assert bytes(again.window_state("geometry")) == b"xyz"  # type: ignore[arg-type]


def test_one_recent_database_comes_back_as_a_list(tmp_path: Path, qapp: object) -> None:
    path = tmp_path / "s.ini"
    Settings.at(path).add_recent_database(tmp_path / "only.db")
    Settings.at(path).sync()
    assert Settings.at(path).recent_databases() == [str(tmp_path / "only.db")]
