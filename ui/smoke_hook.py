"""A hidden hook for smoke tests of the installed or frozen app: start, show, quit.

With ``CASE_AUDITOR_EXIT_AFTER_START_MS=N`` in the environment, once the main window is on
screen the app logs and prints ``main window shown``, then quits normally (exit status 0)
N milliseconds later. ``tests/test_packaging.py`` uses it to start the frozen bundle
offscreen and out again; a packager can use it the same way on Windows or macOS. Unset (as
for every user), it does nothing.

With ``CASE_AUDITOR_SMOKE_CHILD=1`` as well, it then starts the child process that writes
reports (``ui/process_work.py``) and prints its answer, ``child process ready``: a frozen
bundle proves it can start that process, which it cannot do without ``freeze_support()``.
"""

from __future__ import annotations

import logging
import os

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget

ENV_VAR = "CASE_AUDITOR_EXIT_AFTER_START_MS"
CHILD_ENV_VAR = "CASE_AUDITOR_SMOKE_CHILD"
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
        if os.environ.get(CHILD_ENV_VAR) == "1":
            from ui.process_work import child_answer, run_in_process

            answer = run_in_process(child_answer, progress=lambda _d, _t: None,
                                    cancelled=lambda: False)  # fmt: skip
            log.info(answer)
            print(answer, flush=True)
        QTimer.singleShot(delay, app.quit)

    QTimer.singleShot(0, _on_started)
