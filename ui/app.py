"""Starting the desktop app: logging and error handlers, the QApplication, the database,
the main window; first run (the auditor's name, demo data); switching databases."""

from __future__ import annotations

import gc
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEventLoop, QObject, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox, QProgressDialog

import auditor
from auditor import APP_NAME
from auditor.errors import AuditorError, DatabaseInUse, UpgradeCancelled
from auditor.frameworks.library import register_builtin_frameworks
from auditor.logs import configure_logging
from auditor.paths import resources_dir
from auditor.store import Store
from auditor.store.db import needs_upgrade
from auditor.store.lock import DatabaseLock, lock_path
from ui import smoke_hook
from ui.errors import install_handlers, show_error
from ui.main_window import MainWindow
from ui.operations import CoreProgress, OperationRunner, ProgressFn
from ui.session import Changes, Session
from ui.settings import DEMO_OFFERED, Settings
from ui.widgets.progress import run_with_progress

if TYPE_CHECKING:
    from ui.first_run import FirstRunDialog

log = logging.getLogger(__name__)
DEMO_CASES = 300


def style_sheet() -> str:
    path = resources_dir() / "style" / "app.qss"
    return path.read_text(encoding="utf-8") if path.exists() else ""


# How long a save on the GUI thread waits for another program's write (an import on the
# command line): longer, and the window would freeze; the save is kept and retried instead.
GUI_BUSY_TIMEOUT_MS = 1000


class AppController(QObject):
    """Owns the open database and its window; opens another one on request."""

    def __init__(self, settings: Settings, runner: OperationRunner) -> None:
        super().__init__()
        self.settings = settings
        self.runner = runner
        self.session: Session | None = None
        self.window: MainWindow | None = None
        self.lock: DatabaseLock | None = None

    def open_database(self, path: Path) -> bool:
        """Open (or create) ``path`` in a new main window; the old one closes after saving.

        One window per database: a database another process has open is refused, with the
        holder named (``auditor.store.lock``)."""
        lock = None
        try:
            if self.lock is None or self.lock.path.resolve() != lock_path(path).resolve():
                lock = DatabaseLock.acquire(path)
            if not self._upgraded(path):
                if lock is not None:
                    lock.release()
                return False
            # The quick check runs in a worker below.
            store = Store.open(path, check=False, busy_timeout_ms=GUI_BUSY_TIMEOUT_MS)
            register_builtin_frameworks(store)
        except AuditorError as exc:
            if lock is not None:
                lock.release()
            if self.window is not None:
                show_error(self.window, exc, doing=f"opening {path}")
            elif isinstance(exc, DatabaseInUse):  # not a fault: say who has it open
                QMessageBox.warning(None, APP_NAME, str(exc))
            else:
                QMessageBox.critical(
                    None, APP_NAME, f"{APP_NAME} cannot open its database.\n\n{exc}"
                )
            return False
        old = self.window
        self.session = Session(store, self.runner, self.settings, Changes())
        self.window = MainWindow(self.session, open_database=self.open_database,
                                 load_demo=self.load_demo)  # fmt: skip
        self.settings.add_recent_database(path)
        self.window.show()  # before the old one closes, or the app would quit
        start_after_first_paint(self.window)
        if old is not None:
            old.close()
            old.session.close()
            old.deleteLater()
        if lock is not None:
            if self.lock is not None:
                self.lock.release()
            self.lock = lock
        self.runner.run(self.session.worker(lambda _store, _progress: None, check=True),
                        on_failure=lambda exc: show_error(self.window, exc),
                        label="check database")  # fmt: skip
        log.info("opened %s", path)
        self.first_run()
        return True

    def _upgraded(self, path: Path) -> bool:
        """Upgrade a database an older version made before opening it: off the GUI thread,
        behind a progress dialog, since the copy of it as it was kept first takes seconds for
        a year's database (1 s for 500 MB here, from the page cache). The window stays
        painted meanwhile; at start-up the dialog is the first thing shown. False if the user
        cancelled (the database is as it was); raises what the upgrade failed with."""
        if not needs_upgrade(path):
            return True
        outcome: dict[str, BaseException | None] = {}
        loop = QEventLoop()

        def upgrade(report: ProgressFn) -> None:
            words = CoreProgress(
                report,
                lambda _done, _total: (
                    f"Upgrading {path.name} for this version of {APP_NAME}. "
                    "A copy of it as it was is kept beside it first."
                ),
            )
            with Store.open(path, check=False, progress=words.progress, cancelled=words.cancelled):
                pass

        def ended(key: str, error: BaseException | None = None) -> None:
            outcome[key] = error
            loop.quit()

        run_with_progress(
            self.window, self.runner, upgrade, title="Upgrading the database",
            on_success=lambda _result: ended("done"),
            on_failure=lambda error: ended("failed", error),
            on_cancelled=lambda: ended("cancelled"),
        )  # fmt: skip
        if not outcome:  # unless a synchronous runner (tests) has finished already
            loop.exec()
        error = outcome.get("failed")
        if isinstance(error, UpgradeCancelled) or "cancelled" in outcome:
            log.info("upgrade of %s cancelled", path)
            return False
        if error is not None:
            raise error
        # Only an upgrade that ended opens the database: the loop also ends when the app
        # is told to quit meanwhile (the upgrade then still running on its worker).
        return "done" in outcome

    def first_run(self) -> None:
        """Ask the auditor's name once; offer demo data when the database is empty.

        A returning auditor (named, demo data offered before) is asked nothing, and the
        database is not looked at: the case records and this dialog are imported only when
        they may be needed, not before every window's first paint."""
        assert self.session is not None and self.window is not None
        if self.settings.auditor_name and self.settings.get(DEMO_OFFERED):
            return
        from auditor.cases.records import has_cases
        from ui.first_run import FirstRunDialog

        empty = not has_cases(self.session.store)
        offer_demo = empty and not self.settings.get(DEMO_OFFERED)
        if self.settings.auditor_name and not offer_demo:
            return
        dialog = FirstRunDialog(empty_database=offer_demo, parent=self.window)
        dialog.name.setText(self.settings.auditor_name)
        dialog.accepted.connect(lambda: self._on_first_run_accepted(dialog))
        dialog.open()

    def _on_first_run_accepted(self, dialog: FirstRunDialog) -> None:
        self.settings.auditor_name = dialog.name.text()
        self.settings.set(DEMO_OFFERED, True)
        self.settings.sync()
        if self.window is not None:
            self.window.refresh_who()
        if dialog.wants_demo:
            self.load_demo()
        elif self.session is not None:
            self.session.changes.audits_changed.emit()

    def load_demo(self) -> None:
        """Add synthetic demo data off the GUI thread, with a busy indicator."""
        session, window = self.session, self.window
        assert session is not None and window is not None
        busy = QProgressDialog("Adding synthetic demo data…", "", 0, 0, window)
        busy.setCancelButton(None)
        busy.setWindowTitle(APP_NAME)
        busy.setMinimumDuration(0)
        busy.show()

        def done(_summary: object) -> None:
            busy.close()
            session.changes.cases_changed.emit()
            session.changes.audits_changed.emit()

        def failed(error: BaseException) -> None:
            busy.close()
            show_error(window, error, doing="adding demo data")

        from auditor.demo import make_demo  # only here: the demo builder is slow to import

        self.runner.run(
            session.worker(lambda store, _p: make_demo(store, cases=DEMO_CASES)),
            on_success=done, on_failure=failed, label="demo data",
        )  # fmt: skip

    def shutdown(self) -> None:
        """Save what is unsaved, stop the work still running, close the database."""
        if self.window is not None and not self.window.close():
            # Quit without the window being closed first (the window asks about changes it
            # could not save, but the app is ending): say in the log what was lost.
            log.warning("quitting with audit changes not saved to %s", self.window.session.path)
        self.runner.cancel_all()  # each stops at its next progress report, cleanly
        self.runner.wait_for_done(10_000)
        if self.session is not None:
            self.session.close()
        if self.lock is not None:
            self.lock.release()
            self.lock = None
        self.settings.sync()


def start_after_first_paint(window: MainWindow) -> None:
    """Build the window's first view once the window is on screen: the event loop's first
    turn paints the frame, the menus and the navigation (usable at once), the next builds the
    view (the Cases screen: 40-60 ms) and starts its list loading. Not when the window was
    closed meanwhile (another database opened at once), nor when a view is up already."""

    def start() -> None:
        if window.isVisible() and not window.current_view:
            window.start()

    QTimer.singleShot(0, window, lambda: QTimer.singleShot(0, window, start))


# How long a thread running Python may keep the GIL while another waits for it (Python's
# default is 5 ms). The GUI thread takes the GIL several times a frame (a timer, a signal's
# slot, a paint), and waited up to this long each time while a worker read a case list or
# a pack: 35–75 ms between two frames at 5 ms, 12–34 ms at 1 ms, the work as fast.
GIL_SWITCH_INTERVAL_S = 0.001


def make_application() -> QApplication:
    sys.setswitchinterval(GIL_SWITCH_INTERVAL_S)
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(auditor.__version__)
    app.setStyleSheet(style_sheet())
    app.setWindowIcon(QIcon(str(resources_dir() / "icons" / "case-auditor-256.png")))
    app.setDesktopFileName("case-auditor")  # ties the window to packaging/case-auditor.desktop
    return app


def run_app(db: Path | str) -> int:
    """Open the app on the database ``db`` and run until it is closed.

    No garbage collection until the window is up: start-up makes objects that live as long
    as the app, and the collections it would trigger (50–80 ms here) find nothing to free.
    ``ui.launcher`` stops the collector before importing this module, for the same reason.
    """
    gc.disable()
    try:
        return _run_app(db)
    finally:
        gc.enable()  # an app that did not start, or has closed


def _run_app(db: Path | str) -> int:
    configure_logging()
    install_handlers()
    app = make_application()
    settings = Settings.open_default()
    runner = OperationRunner(on_failure=lambda exc: show_error(app.activeWindow(), exc))
    controller = AppController(settings, runner)
    if not controller.open_database(Path(db)):
        return 2
    app.aboutToQuit.connect(controller.shutdown)
    assert controller.window is not None
    # What start-up made (modules, Qt's wrappers, the window) lives as long as the app:
    # out of the garbage collector's sight, so each full collection later walks only what
    # the work made since (a full collection holds the GIL, and the GUI thread with it).
    gc.freeze()
    gc.enable()
    smoke_hook.arm(app, controller.window)
    return int(app.exec())
