"""Every screen at 1366×768 (item 2 of issue 12): nothing needs sideways scrolling, no label
or button is cut, the main window's first-run size fits the screen, and the lists show
their important columns with the main one widest."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QLabel,
    QScrollArea,
    QTableView,
    QWidget,
)
from pytestqt.qtbot import QtBot

from auditor.demo import make_demo
from tests.gui.helpers import show_main_window
from tests.gui.screens_walk import (
    SCREEN_HEIGHT,
    SCREEN_WIDTH,
    Screen,
    audit_form_screens,
    dialog_screens,
    import_wizard_screens,
    main_window_screens,
)
from ui.actions.view import ActionsView
from ui.app import style_sheet
from ui.audits.view import AuditsView
from ui.main_window import MainWindow
from ui.session import Session


@pytest.fixture
def busy_window(qtbot: QtBot, qapp: QApplication, session: Session) -> Iterator[MainWindow]:
    """A 1366×768 main window on a demo with drafts, submitted audits, actions, programmes,
    in the app's own style sheet (its headings are larger than the default font)."""
    make_demo(session.store, cases=60, audits=40, seed=3)
    qapp.setStyleSheet(style_sheet())
    win = show_main_window(qtbot, session)
    yield win
    win.close()
    qapp.setStyleSheet("")


def layout_problems(name: str, top: QWidget) -> list[str]:
    """What on ``top`` (a window or dialog, as shown) needs sideways scrolling or is cut."""
    problems = []
    if top.width() > SCREEN_WIDTH or top.height() > SCREEN_HEIGHT:
        problems.append(f"{name}: {top.width()}×{top.height()} is larger than the screen")
    for widget in [top, *top.findChildren(QWidget)]:
        if not widget.isVisible() or widget.objectName().startswith("qt_"):
            continue
        what = f"{name}: {_describe(widget)}"
        if isinstance(widget, QScrollArea) and widget.horizontalScrollBar().maximum() > 0:
            problems.append(f"{what} scrolls sideways by {widget.horizontalScrollBar().maximum()}")
        elif isinstance(widget, QLabel | QAbstractButton | QComboBox) and not _inside_item_view(
            widget
        ):
            problems += [f"{what} {p}" for p in _cut(widget)]
    return problems


def _cut(widget: QWidget) -> list[str]:
    """Why the text of a label, button or combo box does not show whole, if it does not."""
    if isinstance(widget, QLabel) and (widget.wordWrap() or not widget.text()):
        return _clipped(widget)
    needs = widget.sizeHint().width()
    if isinstance(widget, QLabel):  # plain lines measured: what the user reads
        needs = widget.minimumSizeHint().width() if widget.pixmap().isNull() else needs
    if widget.width() < needs:
        return [f"is {widget.width()} wide but its text needs {needs}"]
    return _clipped(widget)


def _clipped(widget: QWidget) -> list[str]:
    """A widget its parents cut short on the right (not one scrolled out of sight)."""
    shown = widget.visibleRegion().boundingRect()
    if shown.isEmpty() or widget.width() - shown.width() <= 2:
        return []
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QScrollArea):
        parent = parent.parentWidget()
    if parent is not None and shown.right() < widget.width() - 2:
        return [f"shows {shown.width()} of its {widget.width()} px: cut on the right"]
    return []


def _inside_item_view(widget: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractItemView):
            return True
        parent = parent.parentWidget()
    return False


def _describe(widget: QWidget) -> str:
    text = widget.text() if isinstance(widget, QLabel | QAbstractButton) else ""
    if isinstance(widget, QComboBox):
        text = widget.currentText()
    label = widget.objectName() or widget.accessibleName() or text[:40].replace("\n", " ")
    return f"{type(widget).__name__} '{label}'"


def _check(screens: Iterator[Screen]) -> list[str]:
    problems: list[str] = []
    seen = 0
    for name, top in screens:
        seen += 1
        problems += layout_problems(name, top)
    assert seen, "no screen was shown"
    return problems


# -- the screens -------------------------------------------------------------------------------


def test_every_view_fits_1366(qtbot: QtBot, busy_window: MainWindow) -> None:
    problems = _check(main_window_screens(qtbot, busy_window))
    assert not problems, "\n".join(problems)


def test_dialogs_fit_1366(qtbot: QtBot, busy_window: MainWindow) -> None:
    problems = _check(dialog_screens(busy_window))
    assert not problems, "\n".join(problems)


def test_import_wizard_fits_1366(
    qtbot: QtBot, busy_window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    problems = _check(import_wizard_screens(qtbot, busy_window, tmp_path, monkeypatch))
    assert not problems, "\n".join(problems)


def test_audit_form_and_moderation_fit_1366(qtbot: QtBot, busy_window: MainWindow) -> None:
    """The audit form (items 1-3, 5-7) and moderation (item 10) belong to other parts of
    issue 12; this test names what still does not fit there."""
    problems = _check(audit_form_screens(qtbot, busy_window))
    assert not problems, "\n".join(problems)


# -- the lists ---------------------------------------------------------------------------------


def _table_fits(table: QTableView) -> list[str]:
    header = table.horizontalHeader()
    last = max(range(header.count()), key=header.sectionViewportPosition)
    right = header.sectionViewportPosition(last) + header.sectionSize(last)
    if table.horizontalScrollBar().maximum() > 0 or right > table.viewport().width():
        return [f"{table.objectName()}: columns need {right} px, {table.viewport().width()} shown"]
    return []


def test_audits_list_shows_the_safeguarding_column_at_1366(
    qtbot: QtBot, busy_window: MainWindow
) -> None:
    busy_window.show_view("audits")  # the window is 1366×768: as maximised on such a screen
    view = busy_window.page("audits")
    assert isinstance(view, AuditsView)
    view.tabs.setCurrentIndex(view.tabs.count() - 1)  # every audit
    qtbot.wait_until(lambda: view.model.rowCount() > 0)
    qtbot.wait(10)
    assert _table_fits(view.table) == []


def test_in_actions_what_must_change_is_the_widest_column(
    qtbot: QtBot, busy_window: MainWindow
) -> None:
    busy_window.show_view("actions")
    view = busy_window.page("actions")
    assert isinstance(view, ActionsView)
    qtbot.wait_until(lambda: view.model.rowCount() > 0)
    qtbot.wait(10)
    header = view.table.horizontalHeader()
    widths = [header.sectionSize(c) for c in range(header.count())]
    assert widths[0] > max(widths[1:]), widths
    assert _table_fits(view.table) == []


def test_the_main_column_stays_widest_when_columns_must_give_way(
    qtbot: QtBot, busy_window: MainWindow
) -> None:
    """On a narrower window (or a larger font than the tests' offscreen one) the other
    columns give way before "What must change" does."""
    busy_window.resize(1000, 700)
    busy_window.show_view("actions")
    view = busy_window.page("actions")
    assert isinstance(view, ActionsView)
    qtbot.wait_until(lambda: view.model.rowCount() > 0)
    header = view.table.horizontalHeader()
    widths = [header.sectionSize(c) for c in range(header.count())]
    assert widths[0] > max(widths[1:]), widths
    assert widths[0] >= 0.3 * view.table.viewport().width(), widths  # room to read it
    assert _table_fits(view.table) == []


def test_first_run_size_fits_the_screen(qtbot: QtBot, session: Session) -> None:
    window = MainWindow(session, open_database=lambda _path: None)  # no geometry saved yet
    qtbot.add_widget(window)
    window.show()
    qtbot.wait_exposed(window)
    available = window.screen().availableGeometry()
    frame = window.frameGeometry()
    assert frame.width() <= available.width() and frame.height() <= available.height(), (
        frame,
        available,
    )
    bar = window.statusBar()
    assert bar.isVisible() and bar.geometry().bottom() < window.height()
    QApplication.processEvents()
