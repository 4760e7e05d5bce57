"""The app's file dialogs never open the files they list: on Linux and macOS that would drop
the app's SQLite locks on its database, and another process could then delete the WAL the
app is writing into (shared/PITFALLS.md #8)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QFileDialog
from pytestqt.qtbot import QtBot

from auditor.frameworks.library import ensure_builtin_frameworks
from auditor.store import Store
from ui.file_choice import make_file_dialog

ROOT = Path(__file__).resolve().parents[2]


def wal_inode(db: Path) -> int | None:
    try:
        return os.stat(db.with_name(db.name + "-wal")).st_ino
    except FileNotFoundError:
        return None


def a_writer_opens_and_closes(db: Path) -> None:
    """The command line's ``init``: opens the database read-write and closes it, which
    deletes the WAL when it believes no other process has the database open."""
    result = subprocess.run(
        [sys.executable, "-m", "ui.launcher", "init", "--db", str(db)],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


def browse(qtbot: QtBot, dialog: QFileDialog, folder: Path) -> None:
    """Show the dialog in ``folder`` long enough for it to list and describe every file."""
    dialog.setViewMode(QFileDialog.ViewMode.Detail)  # the Type column asks about each file
    dialog.setDirectory(str(folder))
    dialog.show()
    qtbot.waitExposed(dialog)
    for _ in range(20):
        QApplication.processEvents()
        qtbot.wait(50)
    dialog.reject()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX lock semantics")
def test_browsing_the_databases_folder_keeps_the_apps_locks(qtbot: QtBot, tmp_path: Path) -> None:
    db = tmp_path / "council.db"
    with Store.open(db) as store:
        ensure_builtin_frameworks(store)
        before = wal_inode(db)
        dialog = make_file_dialog(None, "Save the report", str(tmp_path), "Workbooks (*.xlsx)")
        qtbot.addWidget(dialog)
        browse(qtbot, dialog, tmp_path)
        a_writer_opens_and_closes(db)
        assert wal_inode(db) == before  # our locks held: the writer left the WAL alone
        assert store.wal_is_current()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX lock semantics")
def test_qts_own_dialog_would_have_dropped_them(qtbot: QtBot, tmp_path: Path) -> None:
    """The reason for FileDialog: Qt's dialog, as it comes, reads the database file to guess
    its type, and closing it drops the locks. If Qt stops doing this, this test says so."""
    db = tmp_path / "council.db"
    with Store.open(db) as store:
        ensure_builtin_frameworks(store)
        dialog = QFileDialog(None, "Save the report", str(tmp_path), "All files (*)")
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        qtbot.addWidget(dialog)
        browse(qtbot, dialog, tmp_path)
        a_writer_opens_and_closes(db)
        assert not store.wal_is_current()
