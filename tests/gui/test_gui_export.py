"""File → Export report… and File → Export audit feedback… through real widgets: filters,
the count of what they select, the Save dialog (patched), the progress dialog, the done
message; then the workbook opened with openpyxl and checked against the database."""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import QDate, Qt, QUrl
from PySide6.QtGui import QAction, QDesktopServices
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from auditor.audits.records import list_audits
from auditor.demo import make_demo
from auditor.figures.stats import AuditFilter, headline
from auditor.reports import export_report_from
from auditor.store import Store
from tests.gui.helpers import message_boxes, show_main_window
from ui.audits.view import AuditsView
from ui.errors import CRASH, USER_ERROR
from ui.file_choice import FileDialog
from ui.main_window import MainWindow
from ui.operations import OperationRunner
from ui.process_work import run_in_process
from ui.reports import export_report as export_report_module
from ui.reports.common import DONE_BOX
from ui.reports.export_feedback import ExportFeedbackDialog
from ui.reports.export_report import COUNT_DELAY_MS, ExportReportDialog, report_file_name
from ui.session import Changes, Session
from ui.settings import EXPORT_FOLDER, Settings
from ui.widgets.progress import ProgressDialog


@pytest.fixture
def audited(session: Session) -> Session:
    """A demo database with audits: 40 cases, 40 audits over the last 12 months."""
    make_demo(session.store, cases=40, audits=40, seed=11)
    return session


@pytest.fixture
def audited_window(qtbot: QtBot, audited: Session) -> Iterator[MainWindow]:
    win = show_main_window(qtbot, audited)
    yield win
    for widget in QApplication.topLevelWidgets():  # dialogs a test left open
        if isinstance(widget, (ExportReportDialog, ExportFeedbackDialog, QMessageBox)):
            widget.close()
    win.close()


class SaveAs:
    """Stands in for the Save dialog: answers with ``path`` and keeps what it suggested."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
        self.path = path
        self.suggested: list[str] = []
        monkeypatch.setattr(FileDialog, "getSaveFileName", self)

    def __call__(self, _parent: QWidget, _title: str, suggested: str, _filter: str) -> Any:
        self.suggested.append(suggested)
        return str(self.path), _filter


def shown(kind: type[QWidget]) -> Any:
    found = [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]
    assert len(found) == 1, f"expected one open {kind.__name__}, found {found}"
    return found[0]


def trigger(window: MainWindow, name: str) -> None:
    action = window.findChild(QAction, name)
    assert action is not None and action in window.menu("file").actions()
    action.trigger()


def summary(path: Path) -> dict[str, Any]:
    """The Summary sheet's label → value pairs."""
    ws = load_workbook(path)["Summary"]
    return {row[0]: row[1] for row in ws.iter_rows(values_only=True) if row and row[0]}


def plain(label: QLabel) -> str:
    """A label's text as read, without its bold tags."""
    return re.sub(r"<[^>]+>", "", label.text())


def all_text(path: Path) -> str:
    wb = load_workbook(path)
    return "\n".join(str(v) for ws in wb for row in ws.iter_rows(values_only=True)
                     for v in row if v is not None)  # fmt: skip


def choose(qtbot: QtBot, dialog: ExportReportDialog, combo: Any, index: int) -> str:
    """Pick ``combo``'s item ``index`` and wait for the dialog to count again."""
    combo.setCurrentIndex(index)
    wanted = dialog.audit_filter()
    qtbot.wait_until(lambda: dialog.scope is not None and dialog.scope.audit_filter.team
                     == wanted.team and dialog.scope.audit_filter.programme_uid
                     == wanted.programme_uid)  # fmt: skip
    return str(combo.currentText())


def test_ctrl_e_opens_the_export_and_a_team_report_counts_what_the_database_holds(
    qtbot: QtBot, audited_window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    audited_window.activateWindow()
    qtbot.wait_until(lambda: QApplication.activeWindow() is audited_window)
    qtbot.keyClick(audited_window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    dialog = shown(ExportReportDialog)
    everything = headline(audited_window.session.store, AuditFilter()).audits
    assert plain(dialog.selection).startswith(f"{everything} audits to report, audited ")
    assert dialog.pseudonymise.toolTip().startswith("Case references are replaced by pseudonyms")
    team = choose(qtbot, dialog, dialog.team, 1)
    assert dialog._timer.interval() == COUNT_DELAY_MS  # not the combo's index
    expected = headline(audited_window.session.store, AuditFilter(team=team)).audits
    assert 0 < expected < everything
    assert plain(dialog.selection).startswith(f"{expected} audits to report")
    save_as = SaveAs(monkeypatch, tmp_path / "team report.xlsx")
    opened: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", opened.append)
    in_child: list[object] = []

    def in_process(target: Any, *args: Any, **kwargs: Any) -> Any:
        in_child.append(target)
        return run_in_process(target, *args, **kwargs)

    monkeypatch.setattr(export_report_module, "run_in_process", in_process)

    dialog.export_button.click()

    assert in_child == [export_report_from]  # written in a child process: the GUI stays live
    assert Path(save_as.suggested[0]).name == report_file_name(date.today())
    assert not dialog.isVisible()
    [done] = message_boxes(DONE_BOX)
    assert f"{expected} audit" in done.text() and str(save_as.path) in done.informativeText()
    values = summary(save_as.path)
    assert values["Audits"] == expected and values["Team"] == team
    next(b for b in done.buttons() if b.text() == "&Open the file").click()
    assert opened == [QUrl.fromLocalFile(str(save_as.path))]
    assert audited_window.session.settings.get(EXPORT_FOLDER) == str(tmp_path)


def test_a_pseudonymised_programme_report_names_no_case(
    qtbot: QtBot, audited_window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = audited_window.session.store
    trigger(audited_window, "exportReportAction")
    dialog = shown(ExportReportDialog)
    counts = [headline(store, AuditFilter(programme_uid=dialog.programme.itemData(i))).audits
              for i in range(dialog.programme.count())]  # fmt: skip
    busiest = max(range(1, len(counts)), key=counts.__getitem__)
    programme = choose(qtbot, dialog, dialog.programme, busiest)
    dialog.pseudonymise.click()
    save_as = SaveAs(monkeypatch, tmp_path / "pseudonymised")  # no extension: one is added
    dialog.export_button.click()

    out = tmp_path / "pseudonymised.xlsx"
    values = summary(out)
    assert values["Programme"] == programme and values["Audits"] == counts[busiest] > 0
    matrix = load_workbook(out)["Case matrix"]
    cases = [row[1] for row in matrix.iter_rows(min_row=2, values_only=True) if row[1]]
    assert len(cases) == counts[busiest] and all(c.startswith("CASE-") for c in cases)
    text = all_text(out)
    references = [r["reference"] for r in store.query("SELECT reference FROM cases")]
    assert not [r for r in references if r in text]
    assert "DEMO-" not in text and "Demo Worker" not in text
    [done] = message_boxes(DONE_BOX)
    assert done.text().endswith("Case references are pseudonymised.")
    assert save_as.suggested


def test_no_audits_in_the_dates_says_so_and_nothing_can_be_exported(
    qtbot: QtBot, audited_window: MainWindow
) -> None:
    trigger(audited_window, "exportReportAction")
    dialog = shown(ExportReportDialog)
    assert not dialog.date_from.isEnabled()
    dialog.all_dates.click()
    assert dialog.date_from.isEnabled()
    dialog.date_from.setDate(QDate(2001, 1, 1))
    dialog.date_to.setDate(QDate(2001, 12, 31))
    qtbot.wait_until(lambda: dialog.scope is not None and dialog.scope.audit_filter.date_to
                     == date(2001, 12, 31))  # fmt: skip
    assert dialog.selection.text().startswith("No submitted, moderated or final audits match")
    assert not dialog.export_button.isEnabled()
    dialog.date_to.setDate(QDate(2000, 6, 1))
    qtbot.wait_until(lambda: "before the “from” date" in dialog.selection.text())
    assert not dialog.export_button.isEnabled()


@pytest.mark.parametrize("problem", ["open elsewhere", "a folder"])
def test_a_target_that_cannot_be_written_gets_the_core_message_and_no_file(
    qtbot: QtBot,
    audited_window: MainWindow,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    problem: str,
) -> None:
    target = tmp_path / "report.xlsx"
    if problem == "a folder":
        target.mkdir()
    else:

        def locked(_source: object, dest: object) -> None:  # Windows, with the file in Excel
            raise PermissionError(13, "Permission denied", str(dest))

        monkeypatch.setattr(os, "replace", locked)
        monkeypatch.setattr(export_report_module, "IN_CHILD_PROCESS", False)  # sees the patch
    trigger(audited_window, "exportReportAction")
    dialog = shown(ExportReportDialog)
    SaveAs(monkeypatch, target)
    dialog.export_button.click()

    [box] = message_boxes(USER_ERROR)
    expected = "it is open in another program" if problem == "open elsewhere" else "it is a folder"
    assert f"Cannot write {target}: {expected}" in box.text()
    assert not message_boxes(CRASH) and not message_boxes(DONE_BOX)
    assert dialog.isVisible() and dialog.export_button.isEnabled()  # try another name
    assert target.is_dir() if problem == "a folder" else not target.exists()
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".tmp"] == []
    box.close()


def test_cancel_stops_the_export_on_its_thread_and_leaves_no_file(
    qtbot: QtBot, full_store: Store, settings: Settings, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    make_demo(full_store, cases=40, audits=40, seed=11)
    threaded = OperationRunner()
    session = Session(full_store, threaded, settings, Changes())
    gate, writing = threading.Event(), threading.Event()
    threads: list[threading.Thread] = []
    import auditor.reports.workbook as workbook

    real = workbook.write_evidence

    def held(*args: Any) -> int:  # keeps the export going until the test has pressed Cancel
        threads.append(threading.current_thread())
        writing.set()
        gate.wait(10)
        return real(*args)

    monkeypatch.setattr(workbook, "write_evidence", held)
    monkeypatch.setattr(export_report_module, "IN_CHILD_PROCESS", False)  # sees the patch
    parent = QWidget()
    qtbot.add_widget(parent)
    parent.show()
    dialog = ExportReportDialog(session, parent)
    dialog.open()
    qtbot.wait_until(lambda: dialog.export_button.isEnabled(), timeout=10_000)
    target = tmp_path / "cancelled.xlsx"
    SaveAs(monkeypatch, target)
    dialog.export_button.click()
    assert writing.wait(10)
    progress = shown(ProgressDialog)
    progress.cancel_button.click()
    gate.set()
    qtbot.wait_until(lambda: "Export cancelled" in dialog.selection.text(), timeout=10_000)

    assert not progress.isVisible() and dialog.isVisible()
    assert "no file was written" in dialog.selection.text()
    assert threads and threads[0] is not threading.main_thread()
    assert not target.exists()
    assert [p.name for p in tmp_path.iterdir() if p.suffix in {".xlsx", ".tmp"}] == []
    assert not message_boxes(USER_ERROR) and not message_boxes(CRASH)
    assert threaded.wait_for_done(5000)


def test_feedback_for_the_audit_selected_in_the_audits_view(
    qtbot: QtBot, audited_window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    audited_window.show_view("audits")
    view = audited_window.page("audits")
    assert isinstance(view, AuditsView)
    view.tabs.setCurrentIndex(4)  # all audits
    qtbot.wait_until(lambda: view.model.rowCount() > 3)
    view.table.selectRow(3)
    audit = view.selected()
    assert audit is not None
    trigger(audited_window, "exportFeedbackAction")
    dialog = shown(ExportFeedbackDialog)
    assert dialog.audit.uid == audit.uid
    assert audit.case_reference in dialog.about.text()
    save_as = SaveAs(monkeypatch, tmp_path / "feedback.xlsx")
    dialog.export_button.click()

    assert Path(save_as.suggested[0]).name == (
        f"audit-feedback-{audit.case_reference}-{audit.audit_date}.xlsx"
    )
    ws = load_workbook(save_as.path)["Feedback"]
    rows = [row for row in ws.iter_rows(values_only=True) if row and row[0]]
    assert rows[0][0] == f"Case audit feedback: {audit.case_reference}"
    assert ("Auditor", audit.auditor) in [r[:2] for r in rows]
    [done] = message_boxes(DONE_BOX)
    assert str(save_as.path) in done.informativeText()
    done.close()


def test_pseudonymised_feedback_of_the_open_audit_names_neither_case_nor_worker(
    qtbot: QtBot, audited_window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    audit = list_audits(audited_window.session.store, status="final")[0]
    audited_window.open_audit(audit.uid)
    trigger(audited_window, "exportFeedbackAction")
    dialog = shown(ExportFeedbackDialog)
    assert dialog.audit.uid == audit.uid
    dialog.pseudonymise.click()
    save_as = SaveAs(monkeypatch, tmp_path / "feedback.xlsx")
    dialog.export_button.click()

    name = Path(save_as.suggested[0]).name
    assert name.startswith("audit-feedback-CASE-") and audit.case_reference not in name
    text = all_text(save_as.path)
    assert audit.case_reference not in text and "Demo Worker" not in text
    assert "Case audit feedback: CASE-" in text


def test_the_audits_view_button_exports_feedback_too(
    qtbot: QtBot, audited_window: MainWindow
) -> None:
    audited_window.show_view("audits")
    view = audited_window.page("audits")
    assert isinstance(view, AuditsView)
    view.tabs.setCurrentIndex(4)
    qtbot.wait_until(lambda: view.model.rowCount() > 0)
    view.table.selectRow(0)
    view.buttons["feedback"].click()
    assert shown(ExportFeedbackDialog).audit.uid == view.selected_uid()


def test_feedback_with_no_audit_chosen_says_how_to_choose_one(
    qtbot: QtBot, audited_window: MainWindow
) -> None:
    audited_window.show_view("cases")
    trigger(audited_window, "exportFeedbackAction")
    [box] = message_boxes(USER_ERROR)
    assert box.text().startswith("Choose an audit first: open it, or select it in the Audits")
    assert box.icon() is QMessageBox.Icon.Warning
    assert not [w for w in QApplication.topLevelWidgets()
                if isinstance(w, ExportFeedbackDialog) and w.isVisible()]  # fmt: skip
    box.close()
