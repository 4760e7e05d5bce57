"""Benchmark: does the GUI thread stay responsive while the app imports, exports and merges?

Run: python bench/bench_gui_operations.py [--rows N] [--bad-every K] [--audits M]
                                         [--pack-audits P] [--why]

Drives the real dialogs of a real main window (Qt offscreen unless QT_QPA_PLATFORM says
otherwise) with the app's threaded OperationRunner, as a QA lead would use them, on one
synthetic database built first in a temp folder (not timed):
1. File → Import cases…: an N-row CSV (default 50,000; one row in K has an impossible
   date, so the problem table fills); read, columns page, check every row (validate and
   preview), import only the valid rows;
2. File → Export report… on a database of M audits (default 5,000): count, then write;
3. File → Import audit packs…: read and preview one pack of P audits (default 500), merge.

For each step: wall time from the click to its result on screen, and how the GUI thread
kept up meanwhile: a 10 ms QTimer on the GUI thread records the gap between its ticks
(a gap is how long a click or a repaint would wait). "after:" rows are the views reloading
once a step's data changed. The GUI-thread-only steps the dialogs run after a worker
finishes are timed by name below the table. With --why a sampling thread notes where the
GUI thread was (or which thread held the GIL) during every gap over 50 ms.
OPENPYXL_LXML=False before the command makes openpyxl write without lxml, to compare.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's code, also when another copy is installed
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# Imported after the path and platform are set.
from PySide6.QtCore import QMessageLogContext, Qt, QtMsgType, qInstallMessageHandler  # noqa: E402
from PySide6.QtWidgets import (  # noqa: E402
    QAbstractButton,
    QApplication,
    QMessageBox,
    QWizard,
)

from bench.bench_import import fake_rows, write_csv  # noqa: E402
from bench.bench_merge import _make_pack as make_pack  # noqa: E402
from bench.bench_report import _build as build_database  # noqa: E402
from bench.gui_probe import Probe, StallSampler, print_stalls, print_table  # noqa: E402

NEXT = QWizard.WizardButton.NextButton
FINISH = QWizard.WizardButton.FinishButton
IMPOSSIBLE_DATE = "31/02/2025"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=50_000, help="rows in the case list")
    parser.add_argument("--bad-every", type=int, default=10,
                        help="one row in this many has a problem (0: none)")  # fmt: skip
    parser.add_argument("--audits", type=int, default=5_000, help="audits in the database")
    parser.add_argument("--pack-audits", type=int, default=500, help="audits in the pack")
    parser.add_argument("--why", action="store_true", help="sample where stalls come from")
    parser.add_argument("--switch-interval", type=float, metavar="MS",
                        help="Python's GIL switch interval (default: the app's, 1)")  # fmt: skip
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        started = time.perf_counter()
        db = build_database(tmp / "qa.db", args.audits)
        csv_path = tmp / "cases.csv"
        write_csv(csv_path, case_rows(args.rows, args.bad_every))
        pack = make_pack(tmp, 2, args.pack_audits, None)
        print(f"built the data in {time.perf_counter() - started:.1f} s (not timed below)")
        from ui.app import GIL_SWITCH_INTERVAL_S

        print(f"Python {sys.version.split()[0]}, GIL switch interval "
              f"{(args.switch_interval or GIL_SWITCH_INTERVAL_S * 1000):g} ms, "
              f"openpyxl with lxml: {openpyxl_lxml()}\n")  # fmt: skip
        run(tmp, db, csv_path, pack, args)


def openpyxl_lxml() -> bool:
    from openpyxl.xml import LXML

    return bool(LXML)


def case_rows(count: int, bad_every: int):  # type: ignore[no-untyped-def]
    """bench_import's fake case list, with an impossible referral date in one row in
    ``bad_every`` (a problem the check lists by row, column and value)."""
    for n, row in enumerate(fake_rows(count), start=1):
        if bad_every and n % bad_every == 0:
            row[4] = IMPOSSIBLE_DATE
        yield row


def run(tmp: Path, db: Path, csv_path: Path, pack: Path, args: argparse.Namespace) -> None:
    from auditor.frameworks.library import ensure_builtin_frameworks
    from auditor.store import Store
    from ui.app import make_application
    from ui.main_window import MainWindow
    from ui.operations import OperationRunner
    from ui.session import Changes, Session
    from ui.settings import Settings

    qInstallMessageHandler(quiet_offscreen)
    app = make_application()  # sets the app's GIL switch interval
    if args.switch_interval:
        sys.setswitchinterval(args.switch_interval / 1000)
    failures: list[BaseException] = []
    runner = OperationRunner(on_failure=failures.append)
    settings = Settings.at(tmp / "settings.ini")
    settings.auditor_name = "Bench QA Lead"
    store = Store.open(db, check=False)
    ensure_builtin_frameworks(store)
    window = MainWindow(Session(store, runner, settings, Changes()), open_database=print)
    window.resize(1366, 768)
    window.show()
    gc.freeze()  # as ui.app.run_app does once the window is up
    probe = Probe(app, runner, failures)
    sampler = StallSampler(probe) if args.why else None
    probe.instrument()
    probe.start()
    if sampler is not None:
        sampler.start()
    try:
        probe.step("Main window: start, load the register", window.start,
                   lambda: runner.active == 0)  # fmt: skip
        import_cases(probe, window, csv_path, args)
        export_report(probe, window, tmp / "report.xlsx", args.audits)
        merge_pack(probe, window, pack, args.pack_audits)
    finally:
        if sampler is not None:
            sampler.stop()
        probe.stop()
        runner.wait_for_done(60_000)
        window.close()
        store.close()
    print_table(probe)
    if sampler is not None:
        print_stalls(probe, sampler)


def import_cases(probe: Probe, window, csv_path: Path, args: argparse.Namespace) -> None:  # type: ignore[no-untyped-def]
    from ui.import_cases.wizard import ImportWizard

    rows = f"{args.rows:,}-row CSV"
    probe.step(f"Import cases: open the wizard ({rows})", lambda: trigger(window, "importCases"),
               lambda: shown(ImportWizard) is not None)  # fmt: skip
    wizard = shown(ImportWizard)
    with user_picks("getOpenFileName", (str(csv_path), "")):
        probe.step("  Browse…: read the file", press(wizard.file_page.browse),
                   lambda: wizard.button(NEXT).isEnabled())  # fmt: skip
    probe.step("  Next: the columns page", press(wizard.button(NEXT)),
               lambda: wizard.currentPage() is wizard.columns_page)  # fmt: skip
    probe.step("  Next: check every row (validate + preview)", press(wizard.button(NEXT)),
               lambda: wizard.state.validation is not None)  # fmt: skip
    check = wizard.check_page
    print(f"check page says: {check.counts.text()}")
    if check.valid_only.isVisible():
        press(check.valid_only)()
    probe.step("  Import: write the cases", press(wizard.button(NEXT)),
               lambda: wizard.currentPage() is wizard.done_page,
               after="  after: the case register reloads")  # fmt: skip
    print(f"done page says: {' '.join(wizard.done_page.summary.text().splitlines())}")
    wizard.button(FINISH).click()


def export_report(probe: Probe, window, target: Path, audits: int) -> None:  # type: ignore[no-untyped-def]
    from ui.reports.common import DONE_BOX
    from ui.reports.export_report import ExportReportDialog

    probe.step(f"Export report: open, count the audits ({audits:,})",
               lambda: trigger(window, "exportReportAction"),
               lambda: (d := shown(ExportReportDialog)) is not None
               and d.export_button.isEnabled())  # fmt: skip
    dialog = shown(ExportReportDialog)
    with user_picks("getSaveFileName", (str(target), "")):
        probe.step("  Export…: write the workbook", press(dialog.export_button),
                   lambda: box(DONE_BOX) is not None)  # fmt: skip
    done = box(DONE_BOX)
    print(f"export says: {done.text()} ({target.stat().st_size / 1e6:.1f} MB)")
    done.close()


def merge_pack(probe: Probe, window, pack: Path, audits: int) -> None:  # type: ignore[no-untyped-def]
    from ui.packs.import_packs import MERGED
    from ui.packs.preview import PackPreviewDialog

    with user_picks("getOpenFileNames", ([str(pack)], "")):
        probe.step(f"Import audit packs: read, preview ({audits:,} audits)",
                   lambda: trigger(window, "packs_import"),
                   lambda: shown(PackPreviewDialog) is not None)  # fmt: skip
    preview = shown(PackPreviewDialog)
    print(f"preview says: {preview.pages[0].counts.text()}")
    probe.step("  Merge", press(preview.merge_button), lambda: box(MERGED) is not None,
               after="  after: the views reload")  # fmt: skip
    merged = box(MERGED)
    print(f"merge says: {merged.text()}")
    merged.close()


@contextlib.contextmanager
def user_picks(function: str, chosen: object) -> Iterator[None]:
    """The file dialog answers ``chosen`` at once, as when the user picks a file. The app
    asks through ``ui.file_choice.FileDialog`` (never Qt's static functions, which read the
    files they list): standing in for ``QFileDialog`` instead left its modal dialog open
    offscreen, waiting for a click that never came (why this script used to hang)."""
    from ui.file_choice import FileDialog

    original = FileDialog.__dict__[function]
    setattr(FileDialog, function, staticmethod(lambda *_a, **_k: chosen))
    try:
        yield
    finally:
        setattr(FileDialog, function, original)


def press(button: QAbstractButton) -> Callable[[], None]:
    """A click as the mouse makes it: the button takes the focus, then is clicked (a
    field that had the focus sees its editing finished first)."""

    def click() -> None:
        button.setFocus(Qt.FocusReason.MouseFocusReason)
        button.click()

    return click


def quiet_offscreen(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    """Qt's messages to stderr, less the offscreen platform's note on every new window."""
    if "does not support propagateSizeHints" not in message:
        print(message, file=sys.stderr)


def trigger(window, name: str) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QAction

    action = window.findChild(QAction, name)
    assert action is not None, name
    action.trigger()


def shown(kind: type) -> object | None:
    found = [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]
    return found[0] if found else None


def box(name: str) -> QMessageBox | None:
    found = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox)
             and w.isVisible() and w.objectName() == name]  # fmt: skip
    return found[0] if found else None


if __name__ == "__main__":
    main()
