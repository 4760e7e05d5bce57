"""The progress dialog behind every long operation: it shows progress, closes when the work
ends, reports a failure, and Cancel really stops the work (on a real worker thread)."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from auditor.errors import AuditorError
from ui.operations import OperationRunner, ProgressFn
from ui.widgets.progress import run_with_progress


def test_success_closes_the_dialog_then_hands_over_the_result(
    parent: QWidget, runner: OperationRunner
) -> None:
    seen: list[tuple[int, int, str]] = []
    results: list[object] = []

    def work(progress: ProgressFn) -> str:
        for n in range(1, 4):
            progress(n, 3, f"Row {n} of 3")
            seen.append((n, 3, f"Row {n} of 3"))
        return "done"

    dialog = run_with_progress(parent, runner, work, title="Importing cases",
                               on_success=results.append)  # fmt: skip
    assert results == ["done"]
    assert not dialog.isVisible()
    assert dialog.bar.maximum() == 3 and dialog.bar.value() == 3
    assert dialog.text.text() == "Row 3 of 3"


def test_a_user_error_is_shown_saying_what_was_being_done(
    parent: QWidget, runner: OperationRunner, qtbot: QtBot
) -> None:
    def work(_progress: ProgressFn) -> None:
        raise AuditorError("The file report.xlsx is open in another program.")

    dialog = run_with_progress(parent, runner, work, title="Exporting the report")
    assert not dialog.isVisible()
    boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox)]
    box = next(b for b in boxes if b.isVisible())
    assert "open in another program" in box.text()
    box.close()


def test_cancel_stops_the_work_on_its_thread(
    parent: QWidget, threaded: OperationRunner, qtbot: QtBot
) -> None:
    started = threading.Event()
    stopped_at: list[int] = []
    cancelled: list[bool] = []

    def work(progress: ProgressFn) -> None:
        n = 0
        try:
            while n < 10_000:  # about 100 s: only Cancel ends it within the test
                progress(n, 10_000, f"Step {n}")
                started.set()
                threading.Event().wait(0.01)
                n += 1
        finally:
            stopped_at.append(n)

    dialog = run_with_progress(parent, threaded, work, title="Merging packs",
                               on_success=lambda _r: pytest.fail("it finished"),
                               on_cancelled=lambda: cancelled.append(True))  # fmt: skip
    assert started.wait(5)
    assert dialog.isVisible()
    dialog.cancel_button.click()
    qtbot.wait_until(lambda: cancelled == [True], timeout=5000)
    assert not dialog.isVisible()
    assert stopped_at and stopped_at[0] < 10_000


def test_escape_cancels_rather_than_hiding_a_running_operation(
    parent: QWidget, threaded: OperationRunner, qtbot: QtBot
) -> None:
    started = threading.Event()
    cancelled: list[bool] = []

    def work(progress: ProgressFn) -> None:
        while True:
            progress(0, 0, "")
            started.set()
            threading.Event().wait(0.01)

    dialog = run_with_progress(parent, threaded, work, title="Exporting",
                               on_cancelled=lambda: cancelled.append(True))  # fmt: skip
    assert started.wait(5)
    dialog.reject()  # what Escape does
    assert dialog.isVisible() or cancelled  # still showing until the work has stopped
    qtbot.wait_until(lambda: cancelled == [True], timeout=5000)
    assert not dialog.isVisible()


def test_cancel_all_stops_running_work_when_the_app_closes(
    threaded: OperationRunner, qtbot: QtBot
) -> None:
    started = threading.Event()
    stopped: list[str] = []

    def work(progress: ProgressFn) -> None:
        try:
            while True:
                progress(0, 0, "")
                started.set()
                threading.Event().wait(0.01)
        finally:
            stopped.append("stopped")

    threaded.run(work, label="a long merge")
    assert started.wait(5)
    threaded.cancel_all()
    assert threaded.wait_for_done(5000)
    assert stopped == ["stopped"]
    qtbot.wait_until(lambda: threaded.active == 0, timeout=5000)
