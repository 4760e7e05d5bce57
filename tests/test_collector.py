"""The cyclic collector paused while bulk work runs (a register load, an import): paused
inside, running again after the last block ends, in any thread, and left off if it was."""

from __future__ import annotations

import gc
import threading
import weakref
from collections.abc import Iterator

import pytest

from auditor import collector


@pytest.fixture(autouse=True)
def _collector_restored() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    gc.enable() if was else gc.disable()


def test_paused_inside_and_running_again_after() -> None:
    with collector.paused():
        assert not gc.isenabled()
        with collector.paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer block still runs
    assert gc.isenabled()


def test_running_again_after_a_block_that_failed() -> None:
    with pytest.raises(RuntimeError), collector.paused():
        raise RuntimeError("the work failed")
    assert gc.isenabled()


def test_left_off_when_it_was_off() -> None:
    gc.disable()
    with collector.paused():
        pass
    assert not gc.isenabled()


def test_blocks_in_two_threads_the_first_ending_first() -> None:
    """An import beside a register load: the one ending first leaves the collector paused
    for the other, and the last to end sets it running."""
    started, first_done, seen = threading.Event(), threading.Event(), []

    def other() -> None:
        with collector.paused():
            started.set()
            first_done.wait(5)
            seen.append(gc.isenabled())

    with collector.paused():
        thread = threading.Thread(target=other)
        thread.start()
        assert started.wait(5)
    assert not gc.isenabled()  # the other thread's block still runs
    first_done.set()
    thread.join(5)
    assert seen == [False] and gc.isenabled()


def test_what_a_block_made_is_not_walked_by_the_next_collection() -> None:
    """Once the block ends, the next collection does not walk the rows it made (a
    walk of them all held the GIL 20–25 ms); they are still freed when dropped."""
    gc.collect()
    with collector.paused():
        rows = [[i, str(i)] for i in range(50_000)]
    walked: list[int] = []

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            walked.append(sum(len(gc.get_objects(g)) for g in range(info["generation"] + 1)))

    gc.callbacks.append(count)
    try:
        gc.collect(0)
    finally:
        gc.callbacks.remove(count)
    assert walked and walked[0] < 10_000
    assert gc.get_freeze_count() >= len(rows)
    del rows
    gc.unfreeze()


class _Marker:
    """Something a record holds whose freeing a weak reference can see."""


def test_dismantle_frees_the_records_and_leaves_what_others_hold() -> None:
    markers = [_Marker() for _ in range(300)]
    payload = {
        "audits": [{"uid": f"a{i}", "answers": [{"m": markers[i]}]} for i in range(200)],
        "trail": [{"seq": i, "m": markers[200 + i]} for i in range(100)],
    }
    kept = payload["audits"][7]  # held elsewhere: it must come through whole
    seen = [weakref.ref(m) for m in markers]
    del markers
    collector.dismantle(payload)
    assert payload == {}
    assert kept == {"uid": "a7", "answers": [{"m": seen[7]()}]}
    assert [i for i, ref in enumerate(seen) if ref() is not None] == [7]


def test_dismantle_empties_only_the_levels_asked() -> None:
    inner = {"x": [1, 2, 3]}
    outer = [[inner]]
    collector.dismantle(outer, levels=1)
    assert outer == [] and inner == {"x": [1, 2, 3]}  # its list was dropped whole
