"""Targets for tests/test_process_work.py: module-level, so a child process can import them."""

from __future__ import annotations

import os
import time
from collections.abc import Callable

from auditor.errors import AuditorError
from auditor.reports import ExportCancelled

Progress = Callable[[int, int], None]
Ask = Callable[[], bool]


def count_to(n: int, *, progress: Progress, cancelled: Ask) -> dict[str, int]:
    for done in range(1, n + 1):
        progress(done, n)
    return {"counted": n, "pid": os.getpid()}


def refuse(*, progress: Progress, cancelled: Ask) -> None:
    raise AuditorError("The file report.xlsx is open in another program.")


def crash(*, progress: Progress, cancelled: Ask) -> None:
    {}["missing"]


class Unpicklable(Exception):
    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("cannot pickle this")


def raise_unpicklable(*, progress: Progress, cancelled: Ask) -> None:
    raise Unpicklable("strange failure")


def wait_for_cancel(*, progress: Progress, cancelled: Ask) -> str:
    """Reports once, then works until told to stop (at most 20 s), as an export would."""
    progress(0, 100)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if cancelled():
            raise ExportCancelled
        time.sleep(0.01)
    return "never cancelled"


def die(*, progress: Progress, cancelled: Ask) -> None:
    progress(1, 2)
    os._exit(3)  # as if killed: no answer, no clean-up
