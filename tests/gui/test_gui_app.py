"""Starting the app: first run (name, demo data), switching databases, a bad file."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QProgressBar
from pytestqt.qtbot import QtBot

from auditor.cases.records import add_case
from auditor.errors import DatabaseInUse
from auditor.store import Store
from auditor.store import db as store_db
from auditor.store.lock import DatabaseLock
from auditor.store.schema import LATEST_VERSION
from tests.gui.helpers import message_boxes
from tests.older_databases import schema_12_database, schema_version, upgrade_copies
from ui.app import AppController
from ui.errors import USER_ERROR
from ui.first_run import FirstRunDialog
from ui.main_window import MainWindow
from ui.operations import OperationRunner
from ui.settings import DEMO_OFFERED, Settings
from ui.widgets.progress import ProgressDialog


def first_run_dialog() -> FirstRunDialog:
    found = [w for w in QApplication.topLevelWidgets()
             if isinstance(w, FirstRunDialog) and w.isVisible()]  # fmt: skip
    assert len(found) == 1
    return found[0]


def test_first_run_asks_the_name_and_loads_demo_data(
    qtbot: QtBot, tmp_path: Path, runner: OperationRunner
) -> None:
    settings = Settings.at(tmp_path / "settings.ini")
    controller = AppController(settings, runner)
    db = tmp_path / "data" / "first.db"
    assert controller.open_database(db)
    assert db.exists(), "the database is created on first run"
    window = controller.window
    assert window is not None
    qtbot.add_widget(window)
    dialog = first_run_dialog()
    assert dialog.demo.isVisible()
    qtbot.keyClicks(dialog.name, "Ann Auditor")
    dialog.demo.setChecked(True)
    dialog.ok.click()
    assert settings.auditor_name == "Ann Auditor"
    assert "Ann Auditor" in window.who.text()
    with Store.open(db) as store:
        assert store.scalar("SELECT COUNT(*) FROM cases") == 300
    assert window.page("cases").model.total == 300  # type: ignore[attr-defined]
    controller.shutdown()


def test_switching_databases_and_a_file_that_is_not_one(
    qtbot: QtBot, tmp_path: Path, runner: OperationRunner
) -> None:
    settings = Settings.at(tmp_path / "settings.ini")
    settings.auditor_name = "Ann Auditor"
    controller = AppController(settings, runner)
    first, second = tmp_path / "one.db", tmp_path / "two.db"
    assert controller.open_database(first)
    qtbot.add_widget(controller.window)
    first_run_dialog().reject()  # an empty database: the demo offer is made once
    old = controller.window
    assert controller.open_database(second)
    qtbot.add_widget(controller.window)
    assert controller.window is not old and not old.isVisible()  # type: ignore[union-attr]
    assert settings.recent_databases()[:2] == [str(second.resolve()), str(first.resolve())]
    bad = tmp_path / "notes.db"
    bad.write_text("this is not a database\n" * 200)
    current = controller.window
    assert not controller.open_database(bad)
    assert controller.window is current and current.isVisible()  # type: ignore[union-attr]
    boxes = message_boxes(USER_ERROR)
    assert len(boxes) == 1 and "notes.db" in boxes[0].text()
    boxes[0].close()
    # Switching databases moves the lock: the first is free again, the second is held.
    DatabaseLock.acquire(first).release()
    with pytest.raises(DatabaseInUse, match=str(os.getpid())):
        DatabaseLock.acquire(second)
    controller.shutdown()
    DatabaseLock.acquire(second).release()  # shutting down lets go of it


def test_opening_a_database_another_window_holds_is_refused_naming_the_holder(
    qtbot: QtBot, tmp_path: Path, runner: OperationRunner
) -> None:
    settings = Settings.at(tmp_path / "settings.ini")
    settings.auditor_name = "Ann Auditor"
    controller = AppController(settings, runner)
    settings.set(DEMO_OFFERED, True)  # no first-run dialog: this test is about the lock
    mine, theirs = tmp_path / "mine.db", tmp_path / "theirs.db"
    assert controller.open_database(mine)
    qtbot.add_widget(controller.window)
    current = controller.window
    with DatabaseLock.acquire(theirs):  # as another app would hold it
        assert not controller.open_database(theirs)
        [box] = message_boxes(USER_ERROR)
        assert "already open in Case Auditor" in box.text()
        assert f"process {os.getpid()} on " in box.text()
        box.close()
    assert controller.window is current and current.isVisible()  # type: ignore[union-attr]
    assert not theirs.exists()  # refused before the database was touched
    # Reopening the database this window already holds is not refused by its own lock.
    assert controller.open_database(Path(str(mine.parent / "." / mine.name)))
    qtbot.add_widget(controller.window)
    controller.shutdown()


def test_help_about_names_the_database_and_its_schema_version(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "about", lambda _parent, _title, text: shown.append(text))
    window.about()
    [text] = shown
    assert str(window.session.path) in text
    assert f"Schema version: {LATEST_VERSION}" in text


def test_every_window_shortcut_is_listed_in_help_keyboard_shortcuts(window: MainWindow) -> None:
    from ui.menus.shortcuts import SHORTCUTS

    listed = " ".join(keys for _area, rows in SHORTCUTS for keys, _what in rows)
    assert "Ctrl+1 … Ctrl+6" in listed  # the views, one line for the six
    shortcuts = {a.shortcut().toString() for a in window.actions() if not a.shortcut().isEmpty()}
    assert {"Ctrl+I", "Ctrl+E", "Ctrl+O"} <= shortcuts  # the menus really have them
    missing = {
        key
        for key in shortcuts
        if key not in listed and not (key.startswith("Ctrl+") and key[5:].isdigit())
    }
    assert not missing, f"not in Help → Keyboard shortcuts: {sorted(missing)}"


def _upgrade_dialog() -> ProgressDialog | None:
    found = [w for w in QApplication.topLevelWidgets()
             if isinstance(w, ProgressDialog) and w.isVisible()]  # fmt: skip
    return found[0] if found else None


def _ready_settings(tmp_path: Path) -> Settings:
    settings = Settings.at(tmp_path / "settings.ini")
    settings.auditor_name = "Ann Auditor"
    settings.set(DEMO_OFFERED, True)  # no first-run dialog: these tests are about upgrading
    return settings


def test_an_older_database_is_upgraded_off_the_gui_thread_behind_a_progress_bar(
    qtbot: QtBot, tmp_path: Path, threaded: OperationRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "older.db"
    schema_12_database(db, padding_mb=4)
    monkeypatch.setattr(store_db, "BACKUP_STEP_PAGES", 4)  # many steps: the bar moves
    copied_on: list[int] = []
    backup = Store.backup

    def recorded_backup(store: Store, **kwargs: object) -> Path:
        copied_on.append(threading.get_ident())
        return backup(store, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Store, "backup", recorded_backup)
    seen: list[tuple[str, int]] = []  # what the GUI thread showed while the upgrade ran

    def look() -> None:
        dialog = _upgrade_dialog()
        if dialog is not None:
            seen.append((dialog.text.text(), dialog.bar.value()))

    timer = QTimer()
    timer.timeout.connect(look)
    timer.start(1)
    controller = AppController(_ready_settings(tmp_path), threaded)
    assert controller.open_database(db)
    timer.stop()
    qtbot.add_widget(controller.window)
    assert copied_on and copied_on[0] != threading.get_ident(), "the copy ran on a worker"
    assert seen, "the GUI thread kept painting while the database was upgraded"
    assert any("Upgrading older.db for this version" in text for text, _ in seen)
    assert len({value for _, value in seen}) > 1, "the bar moved"
    assert _upgrade_dialog() is None
    assert controller.window is not None and controller.window.isVisible()
    assert schema_version(db) == LATEST_VERSION
    assert len(upgrade_copies(db)) == 1
    controller.shutdown()


class _EscapeWhileCopying:
    """Presses Escape on the upgrade's dialog as soon as it shows, as a person would; the
    copy waits for that (on its worker), so the cancel always lands while it is made."""

    def __init__(self, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
        self.qtbot = qtbot
        self.pressed = threading.Event()
        self.parents: list[object] = []  # the dialog's parent when it was pressed
        monkeypatch.setattr(store_db, "BACKUP_STEP_PAGES", 16)  # several steps to ask at
        backup = Store.backup

        def backup_once_pressed(store: Store, **kwargs: object) -> Path:
            assert self.pressed.wait(10), "Escape was never pressed"
            return backup(store, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(Store, "backup", backup_once_pressed)
        self.timer = QTimer()
        self.timer.timeout.connect(self._press)
        self.timer.start(5)

    def _press(self) -> None:
        dialog = _upgrade_dialog()
        if dialog is not None and not self.pressed.is_set():
            self.parents.append(dialog.parentWidget())
            self.qtbot.keyClick(dialog, Qt.Key.Key_Escape)
            self.pressed.set()

    def stop(self) -> None:
        self.timer.stop()


def test_cancelling_an_upgrade_leaves_the_database_as_it_was_and_opens_nothing(
    qtbot: QtBot, tmp_path: Path, threaded: OperationRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "older.db"
    schema_12_database(db, padding_mb=1)
    escape = _EscapeWhileCopying(qtbot, monkeypatch)
    controller = AppController(_ready_settings(tmp_path), threaded)
    assert not controller.open_database(db)
    escape.stop()
    assert escape.parents == [None], "at start-up the dialog is the first thing shown"
    assert controller.window is None and _upgrade_dialog() is None
    assert message_boxes(USER_ERROR) == [], "a cancel is not an error"
    assert schema_version(db) == 12
    assert upgrade_copies(db) == []
    DatabaseLock.acquire(db).release()  # the lock was let go of
    controller.shutdown()


def test_cancelling_an_upgrade_from_file_open_keeps_the_database_already_open(
    qtbot: QtBot, tmp_path: Path, threaded: OperationRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    controller = AppController(_ready_settings(tmp_path), threaded)
    mine = tmp_path / "mine.db"
    assert controller.open_database(mine)
    current = controller.window
    qtbot.add_widget(current)
    older = tmp_path / "older.db"
    schema_12_database(older, padding_mb=1)
    escape = _EscapeWhileCopying(qtbot, monkeypatch)
    assert not controller.open_database(older)
    escape.stop()
    assert escape.parents == [current], "the dialog sat over the window"
    assert controller.window is current and current.isVisible()  # type: ignore[union-attr]
    assert controller.session is not None and controller.session.path == mine
    assert schema_version(older) == 12 and upgrade_copies(older) == []
    DatabaseLock.acquire(older).release()
    with pytest.raises(DatabaseInUse):
        DatabaseLock.acquire(mine)  # still this window's
    controller.shutdown()


def test_a_list_still_loading_when_another_database_opens_reaches_no_closed_window(
    qtbot: QtBot, tmp_path: Path, threaded: OperationRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Open one database, and another before its case register has loaded (Open recent,
    at once): the first window's load ends after its widgets are deleted, and must reach
    none of them (it raised "Internal C++ object already deleted" in the event loop)."""
    import ui.cases.view as cases_view

    release = threading.Event()
    real = cases_view._loading_register

    def held(*args: object) -> object:
        load = real(*args)  # type: ignore[arg-type]

        def load_when_released(store: Store, report: object) -> object:
            release.wait(10)
            return load(store, report)  # type: ignore[arg-type]

        return load_when_released

    monkeypatch.setattr(cases_view, "_loading_register", held)
    controller = AppController(_ready_settings(tmp_path), threaded)
    first, second = tmp_path / "one.db", tmp_path / "two.db"
    with Store.open(first) as store:
        add_case(store, actor="Admin", reference="FIRST-1", case_type="child_in_need")
    assert controller.open_database(first)
    old = controller.window
    assert old is not None
    qtbot.wait_until(lambda: old.page("cases").findChild(QProgressBar).isVisible())
    assert controller.open_database(second)
    qtbot.add_widget(controller.window)
    release.set()
    qtbot.wait_until(lambda: threaded.active == 0)
    qtbot.wait(50)  # anything the old window's load sent has been handled by now
    new_cases = controller.window.page("cases")  # type: ignore[union-attr]
    assert new_cases.model.total == 0, "the new window shows its own (empty) register"
    controller.shutdown()
