"""A hidden hook for smoke tests of the installed or frozen app: start, show, quit.

With ``CASE_AUDITOR_EXIT_AFTER_START_MS=N`` in the environment, once the main window is on
screen the app logs and prints ``main window shown``, then quits normally (exit status 0)
N milliseconds later. ``tests/test_packaging.py`` uses it to start the frozen bundle
offscreen and out again; a packager can use it the same way on Windows or macOS. Unset (as
for every user), it does nothing.
"""

from __future__ import annotations

import logging
import os

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget

ENV_VAR = "CASE_AUDITOR_EXIT_AFTER_START_MS"
SHOWN_MESSAGE = "main window shown"

log = logging.getLogger(__name__)


def exit_after_start_ms() -> int | None:
    """The delay asked for, or None when the hook is off (unset, empty or not a number)."""
    value = os.environ.get(ENV_VAR, "").strip()
    return int(value) if value.isdigit() else None


def arm(app: QApplication, window: QWidget) -> None:
    """If the hook is on, report the window once the event loop runs, then quit."""
    delay = exit_after_start_ms()
    if delay is None:
        return

    def _on_started() -> None:
        if window.isVisible():
            log.info(SHOWN_MESSAGE)
            print(SHOWN_MESSAGE, flush=True)  # print() is a no-op without a console
        QTimer.singleShot(delay, app.quit)

    QTimer.singleShot(0, _on_started)
