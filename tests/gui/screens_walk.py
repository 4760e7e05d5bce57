"""Every screen of the app, shown one after another in a 1366×768 window, for the tests that
check each screen as a whole (it fits; its mnemonics are unique). Not fixtures: helpers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QDialog, QWidget, QWizard
from pytestqt.qtbot import QtBot

from auditor.audits.records import list_audits
from auditor.domain import AuditStatus
from tests.case_files import HEADER, ROWS, write_csv
from ui.file_choice import FileDialog
from ui.main_window import VIEWS, MainWindow

SCREEN_WIDTH, SCREEN_HEIGHT = 1366, 768

# (name, the top widget to check) for each screen shown
Screen = tuple[str, QWidget]


def main_window_screens(qtbot: QtBot, window: MainWindow) -> Iterator[Screen]:
    """Each navigation view in the main window."""
    for key, label, _tip in VIEWS:
        window.show_view(key)
        qtbot.wait(10)
        yield f"{label} view", window


def audit_form_screens(qtbot: QtBot, window: MainWindow) -> Iterator[Screen]:
    """The audit form, each tab in turn (on a draft), and the moderation screen."""
    store = window.session.store
    draft = list_audits(store, status=AuditStatus.DRAFT)[0]
    window.open_audit(draft.uid)
    form = window.audit_form
    assert form is not None
    for index in range(form.tabs.count()):
        form.tabs.setCurrentIndex(index)
        qtbot.wait(10)
        yield f"audit form, {form.tabs.tabText(index).replace('&', '')} tab", window
    submitted = list_audits(store, status=AuditStatus.SUBMITTED)[0]
    window.moderate(submitted.uid)
    qtbot.wait(10)
    yield "moderation", window
    window.show_view("audits")


def import_wizard_screens(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Screen]:
    """The import wizard's pages, on a small case list with a problem row."""
    from ui.import_cases.wizard import open_import_wizard

    bad = ["FAKE-0009", "Martian", "Demo Team 1", "W", "12/01/2026", "", ""]
    path = write_csv(tmp_path / "cases.csv", [HEADER, *ROWS, bad])
    wizard = open_import_wizard(window.session, window)
    yield "import wizard, file page", wizard
    monkeypatch.setattr(FileDialog, "getOpenFileName", lambda *_a, **_k: (str(path), ""))
    wizard.file_page.browse.click()
    for _ in range(3):
        if wizard.currentPage() is wizard.check_page:
            wizard.check_page.valid_only.click()
        wizard.button(QWizard.WizardButton.NextButton).click()
        qtbot.wait(10)
        yield f"import wizard, {wizard.currentPage().title() or 'a page'}", wizard
    wizard.close()


def dialog_screens(window: MainWindow) -> Iterator[Screen]:
    """The export dialogs (report, board pack, feedback, audit pack, send work), Sync with
    hub, and each tab of the framework editor."""
    from ui.hub.sync import SyncDialog
    from ui.packs.export_pack import ExportPackDialog
    from ui.reports.export_board_pack import open_export_board_pack
    from ui.reports.export_feedback import open_feedback_dialog
    from ui.reports.export_report import open_export_report

    session = window.session
    makers: list[tuple[str, Callable[[], QDialog | None]]] = [
        ("export report dialog", lambda: open_export_report(window, session)),
        (
            "export feedback dialog",
            lambda: open_feedback_dialog(
                window, session, list_audits(session.store, status=AuditStatus.SUBMITTED)[0].uid
            ),
        ),
        ("export audit pack dialog", lambda: _opened(ExportPackDialog(session, window))),
        ("export board pack dialog", lambda: open_export_board_pack(window, session)),
        ("sync with hub dialog", lambda: _opened(SyncDialog(session, window))),
    ]
    if _has_programme(window):
        from ui.packs.send_work import SendWorkDialog

        makers.append(("send work dialog", lambda: _opened(SendWorkDialog(session, window))))
    for name, make in makers:
        dialog = make()
        assert dialog is not None, name
        QApplication.processEvents()
        yield name, dialog
        dialog.reject()
    yield from _framework_editor_tabs(window)


def _framework_editor_tabs(window: MainWindow) -> Iterator[Screen]:
    """The framework editor on a copy of the built-in framework, one tab at a time."""
    from auditor.frameworks import drafts
    from auditor.frameworks.library import get_framework
    from ui.frameworks.editor import FrameworkEditor

    session = window.session
    draft = drafts.copy_draft(session.store, get_framework(session.store, "IN-CFA"),
                              actor=session.actor)  # fmt: skip
    editor = _opened(FrameworkEditor(session, draft.uid, window))
    editor.tree.setCurrentItem(editor.tree.topLevelItem(0).child(0))  # a criterion's form
    QApplication.processEvents()
    yield "framework editor, Content tab, a criterion", editor
    tabs = editor.tabs
    for index in range(tabs.count()):
        tabs.setCurrentIndex(index)
        QApplication.processEvents()
        yield f"framework editor, {tabs.tabText(index).replace('&', '')} tab", editor
    editor.reject()


def _opened(dialog: QDialog) -> QDialog:
    dialog.open()
    return dialog


def _has_programme(window: MainWindow) -> bool:
    from auditor.programmes.records import list_programmes

    return bool(list_programmes(window.session.store))
