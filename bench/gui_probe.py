"""The measuring half of bench_gui_operations.py: how the GUI thread keeps up while the app
works, and, when it does not, what it was doing.

- :class:`Probe` runs a 10 ms timer on the GUI thread and keeps the time of every tick; a
  step (a click and the wait for its result) is measured as its wall time and the gaps
  between ticks meanwhile. It also times, by name, the GUI-thread steps the dialogs take
  after a worker finishes (by wrapping those methods; the app's code is not changed) and
  the worker operations themselves.
- :class:`StallSampler` is a thread that wakes every 2 ms. While the GUI thread has not
  ticked for 50 ms it notes the GUI thread's Python stack; when it wakes itself much later
  than it asked (another thread held the GIL), it notes the other threads' stacks: where
  the holder was when it let the GIL go, the end of the stall, which points at the loop
  that held it. (Python hands the GIL over every 5 ms, but a thread that also lets it go
  very often for a moment, as SQLite, file and lxml calls do, can keep it far longer: a
  waiting thread woken by each release loses the race and never asks for its turn.)
"""

from __future__ import annotations

import itertools
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from PySide6.QtCore import QEventLoop, Qt, QTimer, Slot
from PySide6.QtWidgets import QApplication

ROOT = Path(__file__).resolve().parent.parent
TICK_MS = 10
QUIET_S = 0.3  # no operation running for this long: the app has settled
STALL_S = 0.05  # the sampler looks at gaps longer than this
REPORT_MS = 100  # a gap longer than this is called a stall


@dataclass
class Span:
    label: str
    start: float
    end: float
    thread: int = 0


@dataclass
class Row:
    name: str
    start: float
    end: float
    gaps: list[float] = field(default_factory=list)


class Probe:
    def __init__(self, app: QApplication, runner: Any, failures: list[BaseException]) -> None:
        self.app, self.runner, self.failures = app, runner, failures
        self.gui_thread = threading.get_ident()
        self.ticks: list[float] = []
        self.last_tick = time.perf_counter()
        self.rows: list[Row] = []
        self.gui_spans: list[Span] = []  # GUI-thread steps, by name
        self.work_spans: list[Span] = []  # operations on the pool's threads
        self.current = ""  # the step being measured (read by the sampler)
        self._timer = QTimer()
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _tick(self) -> None:
        self.last_tick = now = time.perf_counter()
        self.ticks.append(now)

    # -- steps ------------------------------------------------------------------------------

    def step(
        self,
        name: str,
        action: Callable[[], object],
        done: Callable[[], bool],
        *,
        after: str = "  after: background work",
    ) -> None:
        """Do ``action`` (a click), wait for ``done`` (its result on screen): one row. Then
        wait until no operation has run for a while; if any did (views reloading), that
        is a row named ``after``."""
        self.current = name
        started = time.perf_counter()
        action()
        self.wait(done)
        result = time.perf_counter()
        self.rows.append(self._row(name, started, result))
        self.current = after
        settled = self.settle()
        if any(s.end > result for s in self.work_spans):  # work after the result
            self.rows.append(self._row(after, result, settled))
        self.current = ""

    def wait(self, done: Callable[[], bool], timeout: float = 600) -> None:
        """Run the event loop until ``done()``; polled every 5 ms."""
        loop = QEventLoop()
        deadline = time.perf_counter() + timeout

        def poll() -> None:
            if self.failures or done() or time.perf_counter() > deadline:
                loop.quit()

        poller = QTimer()
        poller.setTimerType(Qt.TimerType.PreciseTimer)
        poller.timeout.connect(poll)
        poller.start(5)
        if not done():
            loop.exec()
        poller.stop()
        if self.failures:
            raise RuntimeError(f"an operation failed: {self.failures[0]!r}") from self.failures[0]
        if not done():
            titles = [w.windowTitle() for w in QApplication.topLevelWidgets() if w.isVisible()]
            raise TimeoutError(f"{self.current}: no result after {timeout} s; open: {titles}")

    def settle(self) -> float:
        """Wait until no operation has run for QUIET_S; return when the last one ended."""
        busy = [time.perf_counter()]

        def quiet() -> bool:
            now = time.perf_counter()
            if self.runner.active:
                busy[0] = now
            return now - busy[0] >= QUIET_S

        self.wait(quiet)
        return busy[0]

    def _row(self, name: str, start: float, end: float) -> Row:
        times = [start, *(t for t in self.ticks if start < t <= end), end]
        return Row(name, start, end, [b - a for a, b in itertools.pairwise(times)])

    # -- timing the app's own steps ---------------------------------------------------------

    def instrument(self) -> None:
        """Time the GUI-thread steps named below and every operation's work."""
        from ui.cases.view import CasesView
        from ui.import_cases import check_page as import_check_page
        from ui.import_cases import done_page as import_done_page
        from ui.import_cases.check_page import CheckPage
        from ui.import_cases.columns_page import ColumnsPage
        from ui.import_cases.done_page import DonePage
        from ui.import_cases.file_page import FilePage
        from ui.import_cases.tables import ProblemsModel
        from ui.operations import Operation
        from ui.packs.import_packs import PackImport
        from ui.packs.preview import PackPreviewDialog
        from ui.reports.export_report import ExportReportDialog
        from ui.widgets.progress import ProgressDialog

        fit = import_check_page.fit_columns
        named = [
            (FilePage, "_on_read", "file page: show what was read"),
            (ColumnsPage, "initializePage",
             "columns page: column table + case-type words of every row"),
            (CheckPage, "_show", "check page: fill the problem and change tables"),
            (ProblemsModel, "set_problems", "  of which: problems model set_rows"),
            (import_check_page, "fit_columns", "  of which: fit_columns (check page)"),
            (DonePage, "initializePage", "done page: summary and change table"),
            (import_done_page, "fit_columns", "  of which: fit_columns (done page)"),
            (CasesView, "_show_rows", "cases view: fill the register table"),
            (ExportReportDialog, "__init__", "export dialog: build it (teams read here)"),
            (ExportReportDialog, "_show_count", "export dialog: show the count"),
            (ExportReportDialog, "_on_exported", "export dialog: done message"),
            (PackPreviewDialog, "__init__", "pack preview: build the dialog and its tree"),
            (PackImport, "_merged", "packs: merged message, change signals"),
            (ProgressDialog, "show_progress", "progress dialog: show a progress report"),
        ]  # fmt: skip
        assert import_done_page.fit_columns is fit
        for owner, name, label in named:
            setattr(owner, name, self._timed(getattr(owner, name), label))
        on_result = Operation._on_result

        @Slot(object)
        def result_handled(operation: Operation, result: object) -> None:
            started = time.perf_counter()
            try:
                on_result(operation, result)
            finally:
                label = f"result of “{operation.label}” handled (all its callbacks)"
                self.gui_spans.append(Span(label, started, time.perf_counter()))

        Operation._on_result = result_handled  # type: ignore[method-assign]
        execute = Operation.execute

        def executed(operation: Operation) -> None:
            span = Span(operation.label, time.perf_counter(), float("inf"), threading.get_ident())
            self.work_spans.append(span)
            try:
                execute(operation)
            finally:
                span.end = time.perf_counter()

        Operation.execute = executed  # type: ignore[method-assign]

    def _timed(self, function: Callable[..., Any], label: str) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.gui_spans.append(Span(label, started, time.perf_counter()))

        return timed

    def worker_at(self, thread: int, when: float) -> str:
        for span in self.work_spans:
            if span.thread == thread and span.start <= when <= span.end:
                return span.label
        return "a pool thread"


# -- the sampler ------------------------------------------------------------------------------


class StallSampler(threading.Thread):
    def __init__(self, probe: Probe) -> None:
        super().__init__(name="stall sampler", daemon=True)
        self.probe = probe
        self._stop_event = threading.Event()
        # (step, where the GUI thread was) → ms; (step, where another thread was) → ms
        self.gui: dict[tuple[str, str], float] = defaultdict(float)
        self.gil: dict[tuple[str, str], float] = defaultdict(float)
        self.threads: list[tuple[int, float]] = []  # (ident, time) of each GIL sample

    def stop(self) -> None:
        self._stop_event.set()
        self.join()

    def run(self) -> None:
        me, gui = threading.get_ident(), self.probe.gui_thread
        before = time.perf_counter()
        while not self._stop_event.is_set():
            time.sleep(0.002)
            now = time.perf_counter()
            waited, before = now - before, now
            step = self.probe.current
            if now - self.probe.last_tick < STALL_S or not step:
                continue
            frames = sys._current_frames()
            self.gui[(step, where(frames.get(gui)))] += waited * 1000
            if waited > 0.02:  # this thread could not run: someone held the GIL
                for ident, frame in frames.items():
                    if ident not in (me, gui):
                        held = f"[{self.probe.worker_at(ident, now)}] {where(frame)}"
                        self.gil[(step, held)] += waited * 1000


def where(frame: FrameType | None, depth: int = 3) -> str:
    """The innermost frame, and the innermost frames of this project's code."""
    if frame is None:
        return "?"
    if frame.f_code is Probe.wait.__code__:
        return "the event loop: in Qt's C++ code (layout, painting), or waiting for the GIL"
    parts: list[str] = []
    innermost = True
    while frame is not None and len(parts) < depth:
        path = Path(frame.f_code.co_filename)
        ours = any(ROOT / part in path.parents for part in ("ui", "auditor"))
        if innermost or ours:
            name = path.relative_to(ROOT) if ours else path.name
            parts.append(f"{name}:{frame.f_lineno} {frame.f_code.co_name}")
        innermost = False
        frame = frame.f_back
    return " ← ".join(parts)


# -- printing ---------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def print_table(probe: Probe) -> None:
    width = max(len(row.name) for row in probe.rows)
    print(f"{'operation':{width}s} | {'wall s':>7s} | {'max GUI gap ms':>14s} | "
          f"{'p99 gap ms':>10s} | {'ticks':>6s}")  # fmt: skip
    print(f"{'-' * width}-+-{'-' * 7}-+-{'-' * 14}-+-{'-' * 10}-+-{'-' * 6}")
    for row in probe.rows:
        gaps = [g * 1000 for g in row.gaps]
        flag = "  ← stall" if max(gaps) > REPORT_MS else ""
        print(f"{row.name:{width}s} | {row.end - row.start:7.2f} | {max(gaps):14.0f} | "
              f"{percentile(gaps, 0.99):10.0f} | {len(gaps) - 1:6d}{flag}")  # fmt: skip
    print(f"(ticks every {TICK_MS} ms on the GUI thread; a gap is the time between two ticks)")
    print("\nGUI-thread steps, in the operation they ran in (calls, total ms, longest ms):")
    for row in probe.rows:
        spans = [s for s in probe.gui_spans if row.start <= s.start <= row.end]
        by_label: dict[str, list[float]] = defaultdict(list)
        for span in spans:
            by_label[span.label].append((span.end - span.start) * 1000)
        shown = {k: v for k, v in by_label.items() if max(v) >= 1}
        if shown:
            print(row.name.strip())
        for label, times in sorted(shown.items(), key=lambda kv: -max(kv[1])):
            print(f"    {label}: {len(times)} × , {sum(times):,.0f} ms, longest {max(times):,.0f}")
    print("\nWorker operations (on the pool's threads):")
    for span in probe.work_spans:
        print(f"    {span.label}: {span.end - span.start:.2f} s")


def print_stalls(probe: Probe, sampler: StallSampler) -> None:
    print(f"\nWhere the time went during GUI gaps over {STALL_S * 1000:.0f} ms (sampled):")
    for row in probe.rows:
        gui = {k[1]: v for k, v in sampler.gui.items() if k[0] == row.name}
        gil = {k[1]: v for k, v in sampler.gil.items() if k[0] == row.name}
        if not gui:
            continue
        print(row.name.strip())
        for text, ms in sorted(gui.items(), key=lambda kv: -kv[1])[:6]:
            print(f"    GUI thread at {text}: {ms:,.0f} ms")
        for text, ms in sorted(gil.items(), key=lambda kv: -kv[1])[:4]:
            print(f"    GIL let go by {text}: {ms:,.0f} ms")
