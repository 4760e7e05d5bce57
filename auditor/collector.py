"""Python's cyclic garbage collector, paused while bulk work builds many objects.

A 100,000-case register or a 50,000-row import makes hundreds of thousands of tuples,
dicts and records that hold no reference cycles. Each of them counts towards a collection,
and each full collection walks every object alive and frees nothing: a fifth of the
register's load at 100,000 cases, up to a tenth of a 50,000-row import's CPU (measured
here). Reference counting still frees everything at once as usual; only the search for
cycles waits until the work is done.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

# How deep dismantle() empties containers item by item: a pack's payload (a dict) and its
# lists of records; each record (an audit and its answers: a few hundred objects, tens of
# microseconds) is freed at once.
DISMANTLED_LEVELS = 2

_lock = threading.Lock()
_holders = 0  # blocks inside paused(), in any thread
_was_enabled = False  # the collector's state when the first of them began


@contextmanager
def paused() -> Iterator[None]:
    """No cyclic collection inside the block. Blocks may nest and run in several threads
    at once (an import beside a register load): the collector runs again when the last
    of them ends, if it ran before the first began."""
    global _holders, _was_enabled
    with _lock:
        if _holders == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _holders += 1
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0 and _was_enabled:
                # What the blocks made is moved out of the collector's sight first: else
                # the next young collection walks all of it at once (20–25 ms here, the
                # GIL held, the window frozen), and the next full one again. It is still
                # freed by reference counting when dropped; only a reference cycle made
                # inside a block is no longer looked for.
                gc.freeze()
                gc.enable()


def dismantle(value: Any, levels: int = DISMANTLED_LEVELS) -> None:
    """Empty ``value`` (a dict or list) and the dicts and lists in it, ``levels`` deep, an
    item at a time, so that what they hold is freed a few objects at a time, other threads
    running in between.

    Reference counting frees everything a dropped container holds in one go, the GIL held
    throughout: a 500-audit pack's payload (24 MB of JSON, hundreds of thousands of dicts
    and lists) took 30–40 ms to free here, during which the window could not paint. Run
    off the GUI thread, this lets it paint in between. Only for data nobody will read
    again: the containers are left empty."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        container, depth = stack.pop()
        while container:
            child = container.popitem()[1] if type(container) is dict else container.pop()
            if depth + 1 < levels and type(child) in (dict, list):
                stack.append((child, depth + 1))
            del child  # freed here, unless it waits on the stack or is held elsewhere
