"""Fixtures for the desktop app's tests: a synchronous operation runner that fails the test
on leaked threads, settings in a temp folder, and a store with the built-in framework."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from auditor.demo import make_demo
from auditor.frameworks.library import ensure_builtin_frameworks
from auditor.store import Store
from tests.gui.helpers import show_main_window
from ui.main_window import MainWindow
from ui.operations import OperationRunner
from ui.session import Changes, Session
from ui.settings import Settings

AUDITOR = "Test Auditor"
QA_LEAD = "Test QA Lead"


@pytest.fixture
def runner(qapp: QApplication) -> Iterator[OperationRunner]:
    """Operations run at once on the test's thread; a thread left running fails the test."""
    threads_before = threading.active_count()
    ops = OperationRunner(synchronous=True)
    yield ops
    assert ops.active == 0, "an operation never finished"
    assert ops.wait_for_done(5000)
    assert threading.active_count() <= threads_before, "a thread was leaked"


@pytest.fixture
def settings(tmp_path: Path, qapp: QApplication) -> Settings:
    s = Settings.at(tmp_path / "settings.ini")
    s.auditor_name = AUDITOR
    return s


@pytest.fixture
def full_store(db_path: Path) -> Iterator[Store]:
    """A store with the built-in framework (IN-CFA) and the test framework (MINI)."""
    with Store.open(db_path) as s:
        ensure_builtin_frameworks(s)
        yield s


@pytest.fixture
def session(full_store: Store, runner: OperationRunner, settings: Settings) -> Session:
    return Session(full_store, runner, settings, Changes())


@pytest.fixture
def demo_session(session: Session) -> Session:
    """A session on a small synthetic demo database (12 cases, no audits yet)."""
    make_demo(session.store, cases=12, audits=0, seed=7)
    return session


@pytest.fixture
def window(qtbot: QtBot, demo_session: Session) -> Iterator[MainWindow]:
    win = show_main_window(qtbot, demo_session)
    win.activateWindow()
    qtbot.wait_until(lambda: QApplication.activeWindow() is win)
    yield win
    win.close()


@pytest.fixture
def parent(qtbot: QtBot) -> QWidget:
    """A dialog's parent: closing it at the end of the test takes the dialog with it."""
    widget = QWidget()
    qtbot.add_widget(widget)
    widget.show()
    return widget


@pytest.fixture
def threaded(qtbot: QtBot) -> Iterator[OperationRunner]:
    """A runner with real worker threads, for Cancel clicked while the work runs."""
    ops = OperationRunner()
    yield ops
    # Every result delivered (views reload after a change) before the databases close.
    qtbot.wait_until(lambda: ops.active == 0, timeout=5000)
    assert ops.wait_for_done(5000)
