"""The one way errors reach the user (as Anki's ``aqt/errors.py``).

- A user error (:class:`~auditor.errors.AuditorError`: a locked audit, a missing reason, a
  full disk) gets a clear dialog with its message and, for a validation error, every problem.
- Anything else is a bug: it is logged with its traceback to the rotating log file and the
  crash dialog says where that file is. Nothing is silently swallowed.

Dialogs are opened window-modal with ``open()``, never ``exec()``: the event loop keeps
running (saves keep being written) and tests can read and close them.
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from types import TracebackType

from PySide6.QtCore import QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from auditor import APP_NAME
from auditor.errors import AuditorError, ValidationError
from auditor.logs import log_file
from auditor.words import sentence

log = logging.getLogger(__name__)
qt_log = logging.getLogger("qt")

USER_ERROR = "userErrorDialog"
CRASH = "crashDialog"

# Parentless dialogs are kept here until closed, or Python would delete them at once.
_open_dialogs: set[QMessageBox] = set()


def show_error(parent: QWidget | None, error: BaseException, *, doing: str = "") -> QMessageBox:
    """Tell the user about ``error``: a message for user errors, a crash dialog for bugs."""
    if isinstance(error, AuditorError):
        log.info("user error%s: %s", f" while {doing}" if doing else "", error)
        box = _user_error_box(parent, error)
    else:
        log.error(
            "unexpected error%s",
            f" while {doing}" if doing else "",
            exc_info=(type(error), error, error.__traceback__),
        )
        box = _crash_box(parent, error)
    _show(box)
    return box


def _user_error_box(parent: QWidget | None, error: AuditorError) -> QMessageBox:
    box = QMessageBox(QMessageBox.Icon.Warning, APP_NAME, sentence(str(error)), parent=parent)
    box.setObjectName(USER_ERROR)
    if isinstance(error, ValidationError) and error.problems:
        from html import escape  # here: not needed before a first error

        items = "".join(f"<li>{escape(sentence(p))}</li>" for p in error.problems)
        box.setInformativeText(f"<ul>{items}</ul>")
    return box


def _crash_box(parent: QWidget | None, error: BaseException) -> QMessageBox:
    box = QMessageBox(
        QMessageBox.Icon.Critical,
        f"{APP_NAME}: unexpected error",
        "Something went wrong that Case Auditor did not expect. Your saved work is safe: "
        "every answer is written to the database as you give it.",
        parent=parent,
    )
    box.setObjectName(CRASH)
    box.setInformativeText(
        f"The details are in the log file:\n{log_file()}\n\n"
        "Please send that file to whoever supports Case Auditor for you."
    )
    box.setDetailedText("".join(traceback.format_exception(error)))
    return box


@dataclass(frozen=True)
class Choice:
    """One answer to a question: its button's text and role, and what it does."""

    text: str
    role: QMessageBox.ButtonRole
    then: Callable[[], None] = lambda: None


def ask(
    parent: QWidget | None,
    question: str,
    choices: Sequence[Choice],
    *,
    default: int = 0,
    detail: str = "",
    object_name: str = "questionDialog",
) -> QMessageBox:
    """Ask ``question`` with a button per choice; ``default`` (an index) is the one Enter
    presses, a reject-role choice is the one Escape presses. The chosen ``then`` runs once
    the box has closed."""
    box = QMessageBox(QMessageBox.Icon.Warning, APP_NAME, question, parent=parent)
    box.setObjectName(object_name)
    if detail:
        box.setInformativeText(detail)
    buttons = [box.addButton(choice.text, choice.role) for choice in choices]
    box.setDefaultButton(buttons[default])
    for button, choice in zip(buttons, choices, strict=True):
        if choice.role is QMessageBox.ButtonRole.RejectRole:
            box.setEscapeButton(button)

    def answered(_result: int) -> None:
        clicked = box.clickedButton()
        for button, choice in zip(buttons, choices, strict=True):
            if button is clicked:
                choice.then()

    box.finished.connect(answered)
    _show(box)
    return box


def _show(box: QMessageBox) -> None:
    if box.parent() is None:
        _open_dialogs.add(box)
        box.finished.connect(lambda _result: _open_dialogs.discard(box))
    box.open()


@contextmanager
def reporting_user_errors(parent: QWidget | None, doing: str = "") -> Iterator[None]:
    """Show a user error as a dialog and carry on; let bugs reach the crash handler."""
    try:
        yield
    except AuditorError as exc:
        show_error(parent, exc, doing=doing)


def excepthook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
    """``sys.excepthook`` for the app: an exception no code caught (in a slot, say)."""
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, error, tb)
        return
    error.__traceback__ = tb
    show_error(QApplication.activeWindow(), error)


_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def _qt_message(kind: QtMsgType, context: object, message: str) -> None:
    qt_log.log(_QT_LEVELS.get(kind, logging.WARNING), "%s", message)


def install_handlers() -> None:
    """Route uncaught exceptions to the crash dialog and Qt's own messages into logging."""
    sys.excepthook = excepthook
    qInstallMessageHandler(_qt_message)
