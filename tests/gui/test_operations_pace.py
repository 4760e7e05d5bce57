"""Work off the GUI thread keeps the GUI thread free: progress reaches it at a pace it can
show, and no full garbage collection (which holds every thread) runs while the work does."""

from __future__ import annotations

import gc
import threading

from pytestqt.qtbot import QtBot

from ui.operations import PROGRESS_INTERVAL_S, CoreProgress, OperationRunner

REPORTS = 20_000


def test_a_flood_of_progress_reaches_the_gui_thread_paced_and_ends_at_the_total(
    qtbot: QtBot,
) -> None:
    ops = OperationRunner()
    shown: list[tuple[int, int, str]] = []

    def work(progress) -> None:  # type: ignore[no-untyped-def]
        for done in range(1, REPORTS + 1):
            progress(done, REPORTS, "Checking the rows")
        for text in ("Saving the cases", "Reloading the register"):
            progress(0, 0, text)  # a new text is never held back

    operation = ops.run(work, on_progress=lambda d, t, s: shown.append((d, t, s)))
    with qtbot.wait_signal(operation.finished, timeout=20_000):
        pass
    assert ops.wait_for_done(5000)
    qtbot.wait_until(lambda: ops.active == 0)
    assert shown[0] == (1, REPORTS, "Checking the rows")  # the bar moves at once
    assert (REPORTS, REPORTS, "Checking the rows") in shown  # and ends full
    assert shown[-2:] == [(0, 0, "Saving the cases"), (0, 0, "Reloading the register")]
    assert len(shown) < REPORTS / 20  # not one queued signal a row
    assert PROGRESS_INTERVAL_S <= 0.1  # still about 20 a second or more


def test_asking_whether_to_stop_between_reports_sends_nothing_to_the_gui_thread(
    qtbot: QtBot,
) -> None:
    """The core asks ``cancelled()`` (a report of 0, 0 and no text) beside its progress: the
    asks are not shown and do not make each report after them count as new."""
    ops = OperationRunner()
    shown: list[tuple[int, int, str]] = []

    def work(progress) -> None:  # type: ignore[no-untyped-def]
        bridge = CoreProgress(progress, lambda _done, _total: "Reading the rows")
        for done in range(1, REPORTS + 1):
            assert not bridge.cancelled()
            bridge.progress(done, REPORTS)

    operation = ops.run(work, on_progress=lambda d, t, s: shown.append((d, t, s)))
    with qtbot.wait_signal(operation.finished, timeout=20_000):
        pass
    assert ops.wait_for_done(5000)
    qtbot.wait_until(lambda: ops.active == 0)
    assert shown[0] == (1, REPORTS, "Reading the rows")
    assert shown[-1] == (REPORTS, REPORTS, "Reading the rows")
    assert (0, 0, "") not in shown
    assert len(shown) < REPORTS / 20


def test_a_count_in_the_text_is_paced_and_the_last_one_held_still_shown(
    qtbot: QtBot,
) -> None:
    """A text new only in its numbers ("Reading row 2") is paced like any report (sent
    each time, the signals kept the GUI thread from the GIL); one held back is still
    shown within the interval when no report follows it, as in a long silent step."""
    ops = OperationRunner()
    shown: list[tuple[int, int, str]] = []
    quiet = threading.Event()

    def work(progress) -> None:  # type: ignore[no-untyped-def]
        for done in range(1, REPORTS + 1):
            progress(done, REPORTS + 1, f"Reading row {done:,}")
        progress(0, 7, "Merging pack 1 of 2")
        progress(0, 7, "Merging pack 2 of 2")  # at once: held back
        quiet.wait(10)  # a long step that reports nothing

    operation = ops.run(work, on_progress=lambda d, t, s: shown.append((d, t, s)))
    qtbot.wait_until(lambda: shown[-1:] == [(0, 7, "Merging pack 2 of 2")], timeout=5000)
    quiet.set()
    with qtbot.wait_signal(operation.finished, timeout=20_000):
        pass
    assert ops.wait_for_done(5000)
    qtbot.wait_until(lambda: ops.active == 0)
    assert shown[0] == (1, REPORTS + 1, "Reading row 1")
    assert (0, 7, "Merging pack 1 of 2") in shown  # new words: sent at once
    assert len(shown) < REPORTS / 20


def test_no_full_collection_while_work_runs_off_the_gui_thread(qtbot: QtBot) -> None:
    ops = OperationRunner()
    before = gc.get_threshold()
    during: list[tuple[int, int, int]] = []
    operation = ops.run(lambda _progress: during.append(gc.get_threshold()))
    with qtbot.wait_signal(operation.finished, timeout=5000):
        pass
    assert ops.wait_for_done(5000)
    qtbot.wait_until(lambda: ops.active == 0)
    assert during[0][:2] == before[:2]  # the young generations are still collected
    assert during[0][2] > 1_000_000  # the oldest waits
    assert gc.get_threshold() == before  # and is collected as before once the work is done
