"""The window is on screen before its first view is built: the frame, the menus and the
navigation paint on the event loop's first turn; the Cases screen follows at once."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from auditor.demo import make_demo
from auditor.store import Store
from ui.app import AppController
from ui.operations import OperationRunner
from ui.settings import DEMO_OFFERED, Settings


def _controller(tmp_path: Path, runner: OperationRunner) -> AppController:
    settings = Settings.at(tmp_path / "settings.ini")
    settings.auditor_name = "Ann Auditor"
    settings.set(DEMO_OFFERED, True)  # no first-run dialog
    return AppController(settings, runner)


def test_the_window_shows_first_and_the_cases_screen_follows(
    qtbot: QtBot, tmp_path: Path, runner: OperationRunner
) -> None:
    db = tmp_path / "cases.db"
    with Store.open(db) as store:
        make_demo(store, cases=12, audits=0, seed=3)
    controller = _controller(tmp_path, runner)
    assert controller.open_database(db)
    window = controller.window
    assert window is not None
    qtbot.add_widget(window)
    assert window.isVisible() and window.pages == {}  # nothing built before it is shown
    qtbot.wait_until(lambda: "cases" in window.pages)
    assert window.current_view == "cases"
    qtbot.wait_until(lambda: window.page("cases").model.total == 12)  # type: ignore[attr-defined]
    controller.shutdown()
