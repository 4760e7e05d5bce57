"""The child process that writes big reports: results, progress, errors and Cancel come
back to the caller as if the work had run on its own thread."""

from __future__ import annotations

import os
import time

import pytest

import tests.process_targets as targets
from auditor.errors import AuditorError
from auditor.reports import ExportCancelled
from ui.process_work import ProcessFailed, child_answer, run_in_process


def never() -> bool:
    return False


def test_the_result_and_every_progress_report_come_back() -> None:
    seen: list[tuple[int, int]] = []
    result = run_in_process(
        targets.count_to, 5, progress=lambda d, t: seen.append((d, t)), cancelled=never
    )
    assert result["counted"] == 5
    assert result["pid"] != os.getpid()  # it really ran elsewhere
    assert seen == [(1, 5), (2, 5), (3, 5), (4, 5), (5, 5)]


def test_a_user_error_keeps_its_type_and_message() -> None:
    with pytest.raises(AuditorError, match="open in another program"):
        run_in_process(targets.refuse, progress=lambda d, t: None, cancelled=never)


def test_a_bug_comes_back_with_the_childs_traceback_as_a_note() -> None:
    with pytest.raises(KeyError) as caught:
        run_in_process(targets.crash, progress=lambda d, t: None, cancelled=never)
    notes = "".join(getattr(caught.value, "__notes__", []))
    assert "In the background process" in notes and "process_targets.py" in notes


def test_an_exception_that_cannot_travel_is_still_reported() -> None:
    with pytest.raises(ProcessFailed, match="strange failure") as caught:
        run_in_process(targets.raise_unpicklable, progress=lambda d, t: None, cancelled=never)
    assert "Unpicklable" in "".join(caught.value.__notes__)


def test_cancel_reaches_the_child_which_stops_where_it_can_clean_up() -> None:
    started = time.monotonic()
    reports: list[int] = []

    def cancelled() -> bool:
        return bool(reports)  # Cancel pressed once the work has begun

    with pytest.raises(ExportCancelled):
        run_in_process(
            targets.wait_for_cancel, progress=lambda d, t: reports.append(d), cancelled=cancelled
        )
    assert time.monotonic() - started < 10  # not the target's 20 s


def test_a_child_that_dies_without_an_answer_is_an_error_not_a_hang() -> None:
    with pytest.raises(ProcessFailed, match="exit code 3"):
        run_in_process(targets.die, progress=lambda d, t: None, cancelled=never)


def test_the_self_check_target_answers() -> None:
    assert run_in_process(child_answer, progress=lambda d, t: None, cancelled=never) == (
        "child process ready"
    )
