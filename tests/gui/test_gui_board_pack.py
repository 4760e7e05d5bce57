"""File → Export board pack… through real widgets: the filters and count, the Save dialog
(patched), the child process, the done message; then the PDF's text against the database;
and Cancel, which leaves no file."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QCheckBox, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

import auditor.reports.board_pack.figures as pack_figures
from auditor.demo import make_demo
from auditor.figures.stats import AuditFilter, headline
from auditor.reports.board_pack import export_board_pack_from
from auditor.store import Store
from tests.gui.helpers import message_boxes, show_main_window
from ui.errors import CRASH, USER_ERROR
from ui.file_choice import FileDialog
from ui.main_window import MainWindow
from ui.operations import OperationRunner
from ui.process_work import run_in_process
from ui.reports import export_board_pack as module
from ui.reports import export_report as export_report_module
from ui.reports.common import DONE_BOX
from ui.reports.export_board_pack import ExportBoardPackDialog, board_pack_file_name
from ui.session import Changes, Session
from ui.settings import Settings
from ui.widgets.progress import ProgressDialog


@pytest.fixture
def audited_window(qtbot: QtBot, session: Session) -> Iterator[MainWindow]:
    make_demo(session.store, cases=40, audits=40, seed=11)
    win = show_main_window(qtbot, session)
    yield win
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, (ExportBoardPackDialog, QMessageBox)):
            widget.close()
    win.close()


class SaveAs:
    def __init__(self, monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
        self.path = path
        self.asked: list[tuple[str, str]] = []
        monkeypatch.setattr(FileDialog, "getSaveFileName", self)

    def __call__(self, _parent: QWidget, _title: str, suggested: str, file_filter: str) -> Any:
        self.asked.append((suggested, file_filter))
        return str(self.path), file_filter


def shown(kind: type[QWidget]) -> Any:
    found = [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]
    assert len(found) == 1, f"expected one open {kind.__name__}, found {found}"
    return found[0]


def pdf_text(path: Path) -> str:
    return re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(path).pages))


def test_the_file_menu_item_writes_the_pack_for_a_team_in_a_child_process(
    qtbot: QtBot, audited_window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    action = audited_window.findChild(QAction, "exportBoardPackAction")
    assert action is not None and action in audited_window.menu("file").actions()
    assert action.text() == "Export &board pack…"
    action.trigger()
    dialog = shown(ExportBoardPackDialog)
    assert dialog.windowTitle().startswith("Export board pack")
    # The pack names no case or worker: there is nothing to pseudonymise, so no choice.
    assert not [b for b in dialog.findChildren(QCheckBox) if b.text() == "&Pseudonymise"]
    store = audited_window.session.store
    qtbot.wait_until(lambda: dialog.scope is not None)
    dialog.team.setCurrentIndex(1)
    team = dialog.team.currentData()
    qtbot.wait_until(lambda: dialog.scope is not None and dialog.scope.audit_filter.team == team)
    expected = headline(store, AuditFilter(team=team))
    assert expected.audits > 0 and dialog.export_button.isEnabled()
    save_as = SaveAs(monkeypatch, tmp_path / "board")  # no extension: .pdf is added
    in_child: list[object] = []

    def in_process(target: Any, *args: Any, **kwargs: Any) -> Any:
        in_child.append(target)
        return run_in_process(target, *args, **kwargs)

    monkeypatch.setattr(export_report_module, "run_in_process", in_process)  # writes both
    dialog.export_button.click()

    assert in_child == [export_board_pack_from]
    suggested, file_filter = save_as.asked[0]
    assert Path(suggested).name == board_pack_file_name(date.today()) and "*.pdf" in file_filter
    qtbot.wait_until(lambda: bool(message_boxes(DONE_BOX)), timeout=20_000)
    [done] = message_boxes(DONE_BOX)
    out = tmp_path / "board.pdf"
    pages = len(PdfReader(out).pages)
    assert done.text() == f"The board pack is saved: {expected.audits} audits, {pages} pages."
    text = pdf_text(out)
    assert f"Team {team}" in text and f"Page {pages} of {pages}" in text
    assert f"Audits {expected.audits} Cases" in text
    assert f"Open actions {expected.open_actions}, of which {expected.overdue_actions}" in text
    assert not message_boxes(USER_ERROR) and not message_boxes(CRASH)
    done.close()


def test_cancel_stops_the_pack_and_leaves_no_file(
    qtbot: QtBot, full_store: Store, settings: Settings, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    make_demo(full_store, cases=40, audits=40, seed=11)
    threaded = OperationRunner()
    session = Session(full_store, threaded, settings, Changes())
    gate, working = threading.Event(), threading.Event()
    real = pack_figures.board_pack_figures

    def held(*args: Any) -> Any:  # keeps the export going until the test has pressed Cancel
        working.set()
        gate.wait(10)
        return real(*args)

    monkeypatch.setattr(pack_figures, "board_pack_figures", held)
    monkeypatch.setattr(module, "IN_CHILD_PROCESS", False)  # on a thread: sees the patch
    parent = QWidget()
    qtbot.add_widget(parent)
    parent.show()
    dialog = ExportBoardPackDialog(session, parent)
    dialog.open()
    qtbot.wait_until(lambda: dialog.export_button.isEnabled(), timeout=10_000)
    target = tmp_path / "cancelled.pdf"
    SaveAs(monkeypatch, target)
    dialog.export_button.click()
    assert working.wait(10)
    progress = shown(ProgressDialog)
    progress.cancel_button.click()
    gate.set()
    qtbot.wait_until(lambda: "Export cancelled" in dialog.selection.text(), timeout=10_000)

    assert not progress.isVisible() and dialog.isVisible()
    assert not target.exists()
    assert [p.name for p in tmp_path.iterdir() if p.suffix in {".pdf", ".tmp"}] == []
    assert not message_boxes(USER_ERROR) and not message_boxes(CRASH)
    assert threaded.wait_for_done(5000)
    dialog.close()
