"""The framework editor in the Frameworks screen: a copy of the built-in framework edited by
keyboard, checked as typed, previewed, published as its next version and audited against."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton
from pytestqt.qtbot import QtBot

from auditor.audits.records import start_audit
from auditor.frameworks import drafts
from auditor.frameworks.library import get_framework
from tests.gui.helpers import message_boxes
from ui.frameworks.editor import FrameworkEditor
from ui.frameworks.view import PUBLISHED_BOX, FrameworksView, PublishDialog
from ui.main_window import MainWindow
from ui.widgets.criterion_card import CriterionCard

NEW_WORDING = "Is the child's own view of the plan written in their words?"


def _frameworks(window: MainWindow) -> FrameworksView:
    window.show_view("frameworks")
    view = window.findChild(FrameworksView)
    assert view is not None
    return view


def _click(view: FrameworksView, name: str) -> None:
    button = view.findChild(QPushButton, name)
    assert button is not None and button.isEnabled()
    button.click()


def test_copy_edit_preview_publish_and_audit_a_framework(qtbot: QtBot, window: MainWindow) -> None:
    store = window.session.store
    view = _frameworks(window)
    builtin = get_framework(store, "IN-CFA")
    view.choice.setCurrentIndex(view.choice.findText(f"{builtin.title} (IN-CFA {builtin.version})"))
    _click(view, "copyFramework")
    editor = view.editor
    assert isinstance(editor, FrameworkEditor) and editor.isVisible()
    editor.activateWindow()
    qtbot.waitUntil(editor.isActiveWindow)
    first = builtin.criteria[0]

    # Reword the first criterion: choose it in the tree and type in the wording box.
    section = editor.tree.topLevelItem(0)
    editor.tree.setCurrentItem(section.child(0))
    assert editor.c_code.text() == first.code
    editor.c_text.setFocus()
    editor.c_text.selectAll()
    qtbot.keyClicks(editor.c_text, "Has the child been seen alone, and their room?")

    # Add a criterion after it, by keyboard, and write it; the problems name it until done.
    qtbot.keyClick(editor.c_text, Qt.Key.Key_R, Qt.KeyboardModifier.AltModifier)
    qtbot.wait_until(lambda: editor.c_code.text() != first.code)  # a mnemonic clicks after a beat
    new_code = editor.c_code.text()
    assert editor.tree.indexOfTopLevelItem(editor.tree.currentItem().parent()) == 0
    qtbot.keyClicks(editor.c_text, NEW_WORDING)
    editor.save_now()
    problems = [editor.problem_list.item(i).text() for i in range(editor.problem_list.count())]
    assert problems == [f"Criterion {new_code}: 'sources' must list the clause(s) it comes from"]
    qtbot.keyClick(editor.c_text, Qt.Key.Key_L, Qt.KeyboardModifier.AltModifier)
    assert QApplication.focusWidget() is editor.c_sources
    qtbot.keyClicks(editor.c_sources, "Local practice standard 4")
    qtbot.wait_until(lambda: "can be published" in editor.status.text(), timeout=3000)

    # The preview shows the audit form with the new criterion, as the real card.
    qtbot.keyClick(editor.c_sources, Qt.Key.Key_V, Qt.KeyboardModifier.AltModifier)
    assert editor.tabs.currentWidget() is editor.preview_page
    cards = {c.code: c for c in editor.preview_body.findChildren(CriterionCard)}
    assert new_code in cards and cards[new_code].criterion.text == NEW_WORDING
    qtbot.keyClick(editor.preview_type, Qt.Key.Key_Escape)
    assert not editor.isVisible()

    # Publish it as the next version; the draft leaves the list.
    assert view.drafts.count() == 1
    _click(view, "publishDraft")
    dialog = view.publish_dialog
    assert isinstance(dialog, PublishDialog) and dialog.minor.isChecked()
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    [done] = message_boxes(PUBLISHED_BOX)
    assert "published as version 1.1.0" in done.text()
    done.close()
    assert view.drafts.count() == 0 and drafts.list_drafts(store) == []
    assert view.choice.currentText().endswith("(IN-CFA 1.1.0)")

    # An audit started on it asks the new criterion, in the app's audit form.
    case_uid = store.scalar(
        "SELECT uid FROM cases WHERE case_type = 'child_protection' ORDER BY reference"
    )
    audit_uid = start_audit(store, case_uid=case_uid, auditor=window.session.actor,
                            framework_code="IN-CFA")  # fmt: skip
    window.open_audit(audit_uid)
    form = window.audit_form
    assert form is not None
    shown = {c.code: c for c in form.findChildren(CriterionCard)}
    assert shown[new_code].criterion.text == NEW_WORDING
    assert shown[first.code].criterion.text == "Has the child been seen alone, and their room?"
    QApplication.processEvents()


def test_a_new_framework_is_a_draft_nobody_can_audit_until_published(
    qtbot: QtBot, window: MainWindow
) -> None:
    view = _frameworks(window)
    before = view.choice.count()
    _click(view, "newFramework")
    editor = view.editor
    assert editor is not None
    editor.code.setFocus()
    editor.code.selectAll()
    qtbot.keyClicks(editor.code, "LOCAL-DIP")
    editor.done(0)  # closing saves what is waiting
    [draft] = drafts.list_drafts(window.session.store)
    assert draft.code == "LOCAL-DIP"
    assert view.choice.count() == before  # not a framework: not offered to audits
    assert "LOCAL-DIP" in view.drafts.item(0).text()
