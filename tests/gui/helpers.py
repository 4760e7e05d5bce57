"""Helpers the GUI tests share (not fixtures)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QScrollBar,
    QTabBar,
    QTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from ui.main_window import MainWindow
from ui.session import Session


def message_boxes(name: str | None = None) -> list[QMessageBox]:
    """Visible message boxes (optionally only those with ``name`` as object name)."""
    return [
        w
        for w in QApplication.topLevelWidgets()
        if isinstance(w, QMessageBox) and w.isVisible() and (name is None or w.objectName() == name)
    ]


def close_message_boxes() -> None:
    for box in message_boxes():
        box.close()


CONTROLS = (
    QAbstractButton, QComboBox, QLineEdit, QPlainTextEdit, QTextEdit, QAbstractItemView,
    QAbstractSpinBox, QTabBar,
)  # fmt: skip


def _inside_a_control(widget: QWidget, top: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None and parent is not top:
        if isinstance(parent, CONTROLS):
            return True
        parent = parent.parentWidget()
    return False


def unlabelled(top: QWidget, checked: list[str] | None = None) -> list[str]:
    """Controls under ``top`` without an accessible name (or text/buddy) or a tooltip."""
    buddies = {id(label.buddy()) for label in top.findChildren(QLabel) if label.buddy()}
    problems = []
    checked = [] if checked is None else checked
    for widget in top.findChildren(QWidget):
        if (
            not isinstance(widget, CONTROLS)
            or isinstance(widget, QScrollBar)
            or widget.objectName().startswith("qt_")
            or _inside_a_control(widget, top)
        ):
            continue
        text = widget.text() if isinstance(widget, QAbstractButton) else ""
        checked.append(f"{type(widget).__name__} {widget.objectName() or text}")
        named = widget.accessibleName() or text or id(widget) in buddies
        if not named or not widget.toolTip():
            kind = type(widget).__name__
            problems.append(f"{kind} '{widget.objectName() or text}' in {type(top).__name__}")
    return problems


def show_main_window(qtbot: QtBot, session: Session) -> MainWindow:
    """A main window on ``session`` as the app shows it: 1366×768, on screen, started."""
    window = MainWindow(session, open_database=lambda _path: None)
    qtbot.add_widget(window)
    window.setWindowState(Qt.WindowState.WindowNoState)  # not maximised on a small test screen
    window.resize(1366, 768)
    window.show()
    qtbot.wait_exposed(window)
    window.start()
    return window
