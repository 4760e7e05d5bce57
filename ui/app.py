"""Starting the desktop app: logging, the QApplication, the database, the main window."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from auditor import APP_NAME, __version__
from auditor.errors import AuditorError
from auditor.frameworks import ensure_builtin_frameworks
from auditor.logs import configure_logging
from auditor.paths import default_db_path, resources_dir
from auditor.store import Store
from auditor.store.lock import DatabaseLock
from ui import smoke_hook
from ui.main_window import MainWindow

log = logging.getLogger(__name__)


def run_app(db: str | None = None) -> int:
    """Open the app on ``db`` (default database when None) and run until it is closed."""
    configure_logging()
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setWindowIcon(QIcon(str(resources_dir() / "icons" / "case-auditor-256.png")))
    app.setDesktopFileName("case-auditor")  # ties the window to packaging/case-auditor.desktop
    path = Path(db) if db else default_db_path()
    try:
        # One window per database: refused, with the holder named, while another has it.
        lock = DatabaseLock.acquire(path)
    except AuditorError as exc:
        QMessageBox.warning(None, APP_NAME, str(exc))
        return 2
    with lock:
        return _run_window(app, path)


def _run_window(app: QApplication, path: Path) -> int:
    try:
        store = Store.open(path)
        ensure_builtin_frameworks(store)
    except AuditorError as exc:
        QMessageBox.critical(None, APP_NAME, f"Case Auditor cannot open its database.\n\n{exc}")
        return 2
    window = MainWindow(store)
    window.show()
    log.info("started on %s", path)
    smoke_hook.arm(app, window)
    return int(app.exec())
