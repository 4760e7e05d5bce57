"""Running a long core function in a child process, for work that would starve the GUI.

Work on a pool thread shares Python's GIL with the GUI thread. Most of the app's work lets
the GUI thread in often enough, but writing a big report does not: openpyxl's lxml writer
releases and retakes the GIL so often that the waiting GUI thread loses the race for it,
and the window froze for up to 0.8 s at a time (``bench/bench_gui_operations.py``). A child
process has its own GIL, so the window stays live whatever the work does.

:func:`run_in_process` is called from the operation's pool thread. The target is a
module-level function (it is pickled by name) that takes ``progress(done, total)`` and
``cancelled()`` keyword arguments, as the core's exports do. Progress comes back over a
pipe; Cancel sets an event the child's ``cancelled()`` reads, so the core stops where it
can clean up (the same path as a cancel in a thread). A child that dies without a word
(killed, out of memory) is reported as an error: the core writes to a temporary file and
moves it into place only at the end, so nothing half-written is left at the target.

No Qt here: the child imports only the core, and starts quicker for it.
"""

from __future__ import annotations

import logging
import multiprocessing
import pickle
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.synchronize import Event
from typing import Any, TypeVar

from auditor.errors import AuditorError

log = logging.getLogger(__name__)
T = TypeVar("T")
POLL_SECONDS = 0.1  # how often the parent asks whether Cancel was pressed

# "spawn" everywhere: a fork of a process running Qt threads is unsafe, and spawn is what
# Windows and macOS use anyway, so every platform runs the same way.
_CONTEXT = multiprocessing.get_context("spawn")


class ProcessFailed(RuntimeError):
    """The child process ended without a result (killed, crashed, out of memory)."""


def run_in_process(
    target: Callable[..., T],
    *args: Any,
    progress: Callable[[int, int], None],
    cancelled: Callable[[], bool],
    **kwargs: Any,
) -> T:
    """``target(*args, progress=…, cancelled=…, **kwargs)`` in a child process.

    ``progress`` and ``cancelled`` are the caller's, called on the caller's thread: the
    child's reports are forwarded to ``progress``, and ``cancelled()`` is asked at least
    every :data:`POLL_SECONDS`; once it says True the child is told to stop. The child's
    result is returned and its exception raised here (with its traceback as a note).
    """
    receive, send = _CONTEXT.Pipe(duplex=False)
    stop = _CONTEXT.Event()
    child = _CONTEXT.Process(
        target=_child_main, args=(target, args, kwargs, send, stop), daemon=True
    )
    child.start()
    send.close()  # the child has its own copy; EOF here then means the child is gone
    try:
        result: T = _wait(child, receive, stop, progress, cancelled)  # what target returned
        return result
    finally:
        receive.close()
        child.join(timeout=10)
        if child.is_alive():  # never expected: it has sent its outcome or died
            log.warning("child process %s did not end; terminating it", child.pid)
            child.terminate()
            child.join()


def _wait(
    child: Any,
    receive: Connection,
    stop: Event,
    progress: Callable[[int, int], None],
    cancelled: Callable[[], bool],
) -> Any:
    while True:
        if not stop.is_set() and cancelled():
            stop.set()  # the child stops at its next check and says so
        if not receive.poll(POLL_SECONDS):
            continue
        try:
            kind, *payload = receive.recv()
        except EOFError:
            child.join(timeout=10)
            raise ProcessFailed(
                f"The background process stopped unexpectedly (exit code {child.exitcode})."
            ) from None
        except Exception as exc:  # an answer that cannot be unpickled: a bug, said as one
            raise ProcessFailed("The background process's answer could not be read.") from exc
        if kind == "progress":
            progress(*payload)
        elif kind == "result":
            return payload[0]
        elif kind == "error":
            raise payload[0]
        else:  # "error-text": the child's exception could not be pickled
            message, details = payload
            error = AuditorError(message) if kind == "user-error-text" else ProcessFailed(message)
            error.add_note(details)
            raise error


def _child_main(
    target: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    send: Connection,
    stop: Event,
) -> None:
    """The child process: run the target, send its progress and then its outcome."""

    def progress(done: int, total: int) -> None:
        send.send(("progress", done, total))

    try:
        result = target(*args, progress=progress, cancelled=stop.is_set, **kwargs)
    except BaseException as exc:  # every outcome goes back to the parent
        details = "".join(traceback.format_exception(exc))
        exc.add_note(f"In the background process:\n{details}")
        try:
            send.send(("error", exc))
        except (pickle.PicklingError, TypeError, AttributeError):
            kind = "user-error-text" if isinstance(exc, AuditorError) else "error-text"
            send.send((kind, str(exc) or type(exc).__name__, details))
    else:
        send.send(("result", result))
    finally:
        send.close()


def child_answer(*, progress: Callable[[int, int], None], cancelled: Callable[[], bool]) -> str:
    """A target that only answers: the frozen app's self-check that it can start a child."""
    progress(1, 1)
    return "child process ready" if not cancelled() else "cancelled"
