"""One way to run work off the GUI thread: an operation runner over a ``QThreadPool``.

The work is a plain function of a ``progress`` callback; it runs on a pool thread and must
not touch widgets or the GUI thread's :class:`~auditor.store.Store` (open its own Store on
the same path). Its result, failure and progress reach the GUI thread as Qt signals, where
the callbacks given to :meth:`OperationRunner.run` are called. Tests make the runner
synchronous: the work then runs at once on the calling thread, callbacks included.
"""

from __future__ import annotations

import gc
import logging
import re
import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal, Slot

log = logging.getLogger(__name__)

ProgressFn = Callable[[int, int, str], None]
Work = Callable[[ProgressFn], Any]
SuccessFn = Callable[[Any], None]
FailureFn = Callable[[BaseException], None]


# Progress reaches the GUI thread at most this often (about 20 a second): a loop reporting
# every row would otherwise queue thousands of signals for the event loop to work through.
PROGRESS_INTERVAL_S = 0.05
_DIGITS = re.compile(r"\d")
# The oldest generation's threshold while work runs off the GUI thread (see hold_full_collections).
_NO_FULL_COLLECTIONS = 1_000_000_000
_held = 0
_thresholds = gc.get_threshold()


def hold_full_collections() -> None:
    """No automatic full (oldest-generation) garbage collection until the matching
    :func:`release_full_collections`: the young generations are still collected.

    A full collection walks every object alive and holds the GIL while it does; run on a
    worker thread in the middle of an import or a merge (hundreds of thousands of rows
    alive), it took 50–130 ms here, and the GUI thread could not paint or take a click
    meanwhile. Once the work is done its rows are freed by reference counting and the
    next full collection walks far fewer objects. Calls nest (GUI thread only)."""
    global _held, _thresholds
    if _held == 0:
        _thresholds = gc.get_threshold()
        gc.set_threshold(_thresholds[0], _thresholds[1], _NO_FULL_COLLECTIONS)
    _held += 1


def release_full_collections() -> None:
    """Undo one :func:`hold_full_collections`; the last one restores the thresholds."""
    global _held
    _held = max(0, _held - 1)
    if _held == 0:
        gc.set_threshold(*_thresholds)


class Cancelled(Exception):
    """Raised inside the work by ``progress`` once the operation was cancelled."""


class CoreProgress:
    """The core's ``progress(done, total)`` and ``cancelled()`` callbacks over an
    operation's ``progress(done, total, text)``, which raises :class:`Cancelled` once the
    user pressed Cancel.

    The core is told through ``cancelled()`` rather than by the exception, so it stops
    where it chooses: inside its transaction, or before its file is in place. A Cancel
    that comes after that (the core's last report follows its commit or its file) is too
    late and is ignored, rather than reported as the failure of finished work.
    """

    def __init__(self, report: ProgressFn, words: Callable[[int, int], str]) -> None:
        self._report = report
        self._words = words
        self._stopped = False

    def progress(self, done: int, total: int) -> None:
        if self._stopped:
            return
        try:
            self._report(done, total, self._words(done, total))
        except Cancelled:
            self._stopped = True

    def cancelled(self) -> bool:
        if not self._stopped:
            try:
                self._report(0, 0, "")  # a total of 0 moves nothing on the bar: only asks
            except Cancelled:
                self._stopped = True
        return self._stopped


class Operation(QObject):
    """One piece of work. Lives on the GUI thread; its signals arrive there."""

    succeeded = Signal(object)
    failed = Signal(object)
    progressed = Signal(int, int, str)
    finished = Signal()

    # Emitted from the pool thread; queued to this object's (the GUI) thread.
    _result = Signal(object)
    _error = Signal(object)
    _progress = Signal(int, int, str)

    def __init__(self, work: Work, label: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.work = work
        self.label = label
        self._cancel = threading.Event()
        self._reported: tuple[float, str] | None = None  # when, and the text, last sent
        # Off the GUI thread, a report whose text differs from the last one's only in its
        # numbers ("Reading row 2,000") is paced too: held here, and sent by this timer
        # on the GUI thread if no later report is sent first (see report()).
        self.paced = False
        self._held: tuple[int, int, str] | None = None
        # Guards _held, which the worker sets and the GUI thread's timer takes, and
        # _in_flight, the reports sent and not yet shown: a held report is sent only when
        # none is on its way, or it could be shown before an older one still queued (the
        # window then went on showing the older).
        self._held_lock = threading.Lock()
        self._in_flight = 0
        self._pace = QTimer(self)
        self._pace.setInterval(round(PROGRESS_INTERVAL_S * 1000))
        self._pace.timeout.connect(self._send_held)
        self._result.connect(self._on_result)
        self._error.connect(self._on_error)
        self._progress.connect(self._deliver)

    def cancel(self) -> None:
        """Ask the work to stop: its next ``progress`` call raises :class:`Cancelled`."""
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def start_pacing(self) -> None:
        """The work runs off the GUI thread: pace texts new only in their numbers too, and
        send the one held back from the GUI thread's timer (see :meth:`report`)."""
        self.paced = True
        self._pace.start()

    def report(self, done: int, total: int, text: str = "") -> None:
        """The ``progress`` callback handed to the work (any thread). Sent on to the GUI
        thread when it says something new (the first report, new words, the end) and
        otherwise at most every :data:`PROGRESS_INTERVAL_S`.

        A count in the text ("Reading cases.csv: 2,000 rows") makes every report's text
        new; sent each time, the signals (each lets the GIL go and takes it straight back)
        kept the GUI thread from the GIL while a CSV was read, ~100 ms. So when the work
        runs off the GUI thread (``paced``), a text new only in its numbers waits its turn
        like any other report, and the latest one held is sent within the interval."""
        if self._cancel.is_set():
            raise Cancelled(self.label)
        if not total and not text:
            # Only asks whether to stop (CoreProgress.cancelled, every 1,000 rows): nothing
            # to show. Sent on, it counted as a new text, so each ask and the report after
            # it crossed to the GUI thread, and each signal lets the GIL go and take it back
            # at once, which kept the waiting GUI thread from it (~100 ms reading a CSV).
            return
        now = time.monotonic()
        last = self._reported
        if (
            last is None
            or (text != last[1] and not (self.paced and _same_words(text, last[1])))
            or (total and done >= total)
            or now - last[0] >= PROGRESS_INTERVAL_S
        ):
            with self._held_lock:  # before the signal: a held report never follows a newer one
                self._held = None
                self._in_flight += 1
            self._reported = (now, text)
            self._progress.emit(done, total, text)
        else:
            with self._held_lock:
                self._held = (done, total, text)

    @Slot(int, int, str)
    def _deliver(self, done: int, total: int, text: str) -> None:
        """GUI thread: a report sent by report()."""
        with self._held_lock:
            self._in_flight -= 1
        self.progressed.emit(done, total, text)

    @Slot()
    def _send_held(self) -> None:
        """GUI thread: a report held back by report() and not overtaken by a newer one."""
        with self._held_lock:
            if self._in_flight:
                return  # the next tick, once the older report is shown
            held, self._held = self._held, None
        if held is not None:
            self.progressed.emit(*held)

    def execute(self) -> None:
        """Run the work on the current thread and post the outcome as signals."""
        try:
            try:
                result = self.work(self.report)
            except BaseException as exc:  # reported to the GUI thread, never swallowed
                self._error.emit(exc)
            else:
                self._result.emit(result)
        except RuntimeError:  # the app is closing and took this operation with it
            log.warning("operation %s finished after the app closed", self.label)

    @Slot(object)
    def _on_result(self, result: object) -> None:
        self._pace.stop()
        self.succeeded.emit(result)
        self.finished.emit()

    @Slot(object)
    def _on_error(self, error: BaseException) -> None:
        self._pace.stop()
        self.failed.emit(error)
        self.finished.emit()


class _Runnable(QRunnable):
    def __init__(self, operation: Operation) -> None:
        super().__init__()
        self.operation = operation

    def run(self) -> None:
        self.operation.execute()


class OperationRunner(QObject):
    """Runs operations on its own thread pool (or synchronously, for tests).

    ``on_failure`` is the default error handler (the app passes its one error function);
    a :class:`Cancelled` operation is not an error and reaches no handler.
    """

    def __init__(
        self,
        *,
        on_failure: FailureFn | None = None,
        synchronous: bool = False,
        max_threads: int = 2,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.synchronous = synchronous
        self.default_failure = on_failure
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(max_threads)
        self._live: set[Operation] = set()

    def run(
        self,
        work: Work,
        *,
        on_success: SuccessFn | None = None,
        on_failure: FailureFn | None = None,
        on_progress: Callable[[int, int, str], None] | None = None,
        on_finished: Callable[[], None] | None = None,
        label: str = "",
    ) -> Operation:
        """Start ``work(progress)``; the callbacks run on the GUI thread. ``on_finished``
        runs last whatever the outcome: success, failure or cancel."""
        # No parent: the operation lives while someone holds it (this runner until it has
        # finished, a caller waiting on its signals); deleteLater() would pull it from under
        # a caller still connected to it.
        operation = Operation(work, label or getattr(work, "__name__", "operation"))
        # Work for a window that has closed since (another database opened while its list
        # was loading) reaches none of its callbacks: they would touch deleted widgets.
        gone: Callable[[], bool] | None = getattr(work, OWNER_GONE, None)
        if on_success is not None:
            operation.succeeded.connect(_unless_gone(on_success, gone))
        operation.failed.connect(lambda exc: self._failed(exc, on_failure, operation.label, gone))
        if on_progress is not None:
            operation.progressed.connect(_unless_gone(on_progress, gone))
        self._live.add(operation)
        operation.finished.connect(lambda: self._finished(operation))
        if on_finished is not None:
            operation.finished.connect(_unless_gone(on_finished, gone))
        if self.synchronous:
            operation.execute()  # same thread: the signals are delivered at once
        else:
            hold_full_collections()
            operation.finished.connect(release_full_collections)
            operation.start_pacing()
            self.pool.start(_Runnable(operation))
        return operation

    @property
    def active(self) -> int:
        """Operations started and not yet finished."""
        return len(self._live)

    def cancel_all(self) -> None:
        """Ask every running operation to stop (the app is closing): an import or merge
        rolls back, an export leaves no file, rather than being cut off half-way."""
        for operation in list(self._live):
            operation.cancel()

    def wait_for_done(self, msecs: int = -1) -> bool:
        """Block until the pool's threads are idle (closing the app, tests)."""
        return bool(self.pool.waitForDone(msecs))

    def _failed(
        self,
        error: BaseException,
        handler: FailureFn | None,
        label: str,
        gone: Callable[[], bool] | None = None,
    ) -> None:
        if isinstance(error, Cancelled):
            log.info("operation %s cancelled", label)
            return
        if gone is not None and gone():
            log.info("operation %s of a closed window failed: %r", label, error)
            return
        handler = handler or self.default_failure
        if handler is None:
            raise error
        handler(error)

    def _finished(self, operation: Operation) -> None:
        self._live.discard(operation)


# The attribute a piece of work may carry: a function that says its window (and the
# database it read) has closed, after which none of its callbacks is called (ui.session).
OWNER_GONE = "owner_gone"


def _unless_gone(
    callback: Callable[..., Any], gone: Callable[[], bool] | None
) -> Callable[..., Any]:
    if gone is None:
        return callback

    def deliver(*args: Any) -> Any:
        return None if gone() else callback(*args)

    return deliver


def _same_words(text: str, other: str) -> bool:
    """Whether two progress texts differ in their numbers only."""
    return _DIGITS.sub("", text) == _DIGITS.sub("", other)
