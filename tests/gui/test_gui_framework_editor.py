"""The framework editor in the Frameworks screen: a copy of the built-in framework edited by
keyboard, checked as typed, previewed, published as its next version and audited against."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QPushButton, QTableWidget
from pytestqt.qtbot import QtBot

from auditor.audits.records import start_audit
from auditor.domain import CaseType, Grade
from auditor.frameworks import drafts
from auditor.frameworks.library import get_framework
from auditor.frameworks.model import GradingRules, ScaleValue, Timescale
from tests.gui.helpers import message_boxes
from ui.errors import USER_ERROR
from ui.frameworks.editor import FrameworkEditor
from ui.frameworks.scales_form import CODE, COUNTS, KEY, LABEL, SCORE
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


# -- scales, grading and timescales as forms ------------------------------------------------

ALT = Qt.KeyboardModifier.AltModifier


def _edit_a_copy(qtbot: QtBot, window: MainWindow) -> tuple[FrameworksView, FrameworkEditor]:
    """The Frameworks screen with the editor open on a copy of the built-in framework."""
    view = _frameworks(window)
    builtin = get_framework(window.session.store, "IN-CFA")
    view.choice.setCurrentIndex(view.choice.findText(f"{builtin.title} (IN-CFA {builtin.version})"))
    _click(view, "copyFramework")
    editor = view.editor
    assert isinstance(editor, FrameworkEditor)
    editor.activateWindow()
    qtbot.waitUntil(editor.isActiveWindow)
    return view, editor


def _type_in_cell(qtbot: QtBot, table: QTableWidget, row: int, column: int, text: str) -> None:
    """Type ``text`` into a cell as a user does: F2, the text, Enter."""
    table.setCurrentCell(row, column)
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_F2)
    cell = QApplication.focusWidget()
    assert isinstance(cell, QLineEdit)
    cell.selectAll()
    qtbot.keyClick(cell, Qt.Key.Key_Delete)
    qtbot.keyClicks(cell, text)
    qtbot.keyClick(cell, Qt.Key.Key_Return)
    qtbot.wait_until(
        lambda: table.state() != QTableWidget.State.EditingState
    )  # Enter commits later


def _replace(qtbot: QtBot, field: QLineEdit, text: str) -> None:
    assert QApplication.focusWidget() is field
    field.selectAll()
    qtbot.keyClicks(field, text)


def _problems(editor: FrameworkEditor) -> list[str]:
    editor.save_now()
    return [editor.problem_list.item(i).text() for i in range(editor.problem_list.count())]


def _preview_grade(qtbot: QtBot, editor: FrameworkEditor) -> str:
    """The preview's suggested grade once the draft is checked (after the typing pause)."""
    qtbot.wait_until(lambda: "can be published" in editor.status.text(), timeout=3000)
    qtbot.keyClick(editor.tabs, Qt.Key.Key_V, ALT)
    assert editor.tabs.currentWidget() is editor.preview_page
    return editor.preview_grade.text()


def test_scales_grading_and_timescales_made_in_forms_are_the_published_framework(
    qtbot: QtBot, window: MainWindow
) -> None:
    store = window.session.store
    view, editor = _edit_a_copy(qtbot, window)
    builtin = get_framework(store, "IN-CFA")

    # Scales: a new scale, renamed, with a third answer "Not known" scoring nothing.
    qtbot.keyClick(editor.tree, Qt.Key.Key_A, ALT)
    assert editor.tabs.currentWidget() is editor.scales_form
    scales = editor.scales_form
    qtbot.keyClick(scales.scale_list, Qt.Key.Key_D, ALT)
    qtbot.wait_until(lambda: scales.scale_list.count() == len(builtin.scales) + 1)
    _replace(qtbot, scales.code, "yes_no_unknown")
    qtbot.keyClick(scales.code, Qt.Key.Key_L, ALT)
    _replace(qtbot, scales.label, "Yes / No / Not known")
    scales.values.setCurrentCell(1, CODE)
    qtbot.keyClick(scales.label, Qt.Key.Key_E, ALT)  # Add answer, after "No"
    qtbot.wait_until(lambda: scales.values.rowCount() == 3)
    for column, text in ((CODE, "unknown"), (LABEL, "Not known"), (KEY, "5"), (SCORE, "")):
        _type_in_cell(qtbot, scales.values, 2, column, text)
    assert scales.values.item(2, COUNTS).text() == "Not applicable: left out"
    assert scales.values.item(0, COUNTS).text() == "Met"

    # The criterion's scale combo offers it at once; the first criterion uses it.
    qtbot.keyClick(scales.values, Qt.Key.Key_N, ALT)
    editor.tree.setCurrentItem(editor.tree.topLevelItem(0).child(0))
    assert editor.c_scale.findText("yes_no_unknown") >= 0
    editor.c_scale.setCurrentIndex(editor.c_scale.findText("yes_no_unknown"))

    # The preview grades its answers: three Yes and a Partly (87.5 %) are Good...
    partly = [
        c
        for c in builtin.criteria_for(CaseType.CHILD_IN_NEED)
        if c.asked_when is None and not c.limiting and c.scale.code == "yes_partly_no"
    ]
    assert _preview_grade(qtbot, editor) == "Suggested grade: answer some criteria to see it."
    editor.preview_type.setCurrentIndex(editor.preview_type.findData("child_in_need"))
    for criterion, key in zip(partly[:4], "1112", strict=True):
        card = {c.code: c for c in editor.preview_body.findChildren(CriterionCard)}[criterion.code]
        qtbot.keyClick(card, key)
        qtbot.wait_until(lambda code=criterion.code: code in editor.preview_answers)
    qtbot.wait_until(lambda: "Good" in editor.preview_grade.text())
    assert editor.preview_grade.text() == (
        "Suggested grade: Good. Compliance 88 %, 4 of "
        f"{len(builtin.criteria_asked('child_in_need', editor.preview_answers))} answered."
    )

    # ...and Outstanding once Outstanding starts at 85 %: the preview follows the threshold.
    qtbot.keyClick(editor.preview_type, Qt.Key.Key_G, ALT)
    assert editor.tabs.currentWidget() is editor.grading_form
    outstanding = editor.grading_form.spins["outstanding_min"]
    qtbot.keyClick(editor.grading_form, Qt.Key.Key_O, ALT)
    assert QApplication.focusWidget() is outstanding.lineEdit() or outstanding.hasFocus()
    outstanding.selectAll()
    qtbot.keyClicks(outstanding, "85")
    assert "85 % or more: Outstanding" in editor.grading_form.bands.text()
    assert _preview_grade(qtbot, editor).startswith("Suggested grade: Outstanding.")

    # Timescales: a local one, from the last visit to the audit, 10 working days.
    qtbot.keyClick(editor.tabs, Qt.Key.Key_T, ALT)
    timescales = editor.timescales_form
    assert editor.tabs.currentWidget() is timescales
    timescales.listing.setCurrentRow(timescales.listing.count() - 1)
    qtbot.keyClick(timescales.listing, Qt.Key.Key_D, ALT)
    qtbot.wait_until(lambda: timescales.listing.count() == len(builtin.timescales) + 1)
    _replace(qtbot, timescales.label, "Child visited in the 10 working days before the audit")
    qtbot.keyClick(timescales.label, Qt.Key.Key_C, ALT)
    _replace(qtbot, timescales.code, "VISIT-10")
    timescales.start.setCurrentIndex(timescales.start.findData("last_visit"))
    timescales.end.setCurrentIndex(timescales.end.findData("audit_date"))
    qtbot.keyClick(timescales.code, Qt.Key.Key_M, ALT)
    _replace(qtbot, timescales.limit, "10")
    qtbot.keyClick(timescales.limit, Qt.Key.Key_E, ALT)
    _replace(qtbot, timescales.source, "Local practice standard 7")
    assert _problems(editor) == ["No problems: the draft can be published."]
    qtbot.keyClick(editor.tabs, Qt.Key.Key_Escape)

    # Published, the framework has exactly those scales, thresholds and timescales.
    _click(view, "publishDraft")
    qtbot.keyClick(view.publish_dialog, Qt.Key.Key_Return)
    [done] = message_boxes(PUBLISHED_BOX)
    done.close()
    published = get_framework(store, "IN-CFA", "1.1.0")
    assert list(published.scales) == [*builtin.scales, "yes_no_unknown"]
    new_scale = published.scales["yes_no_unknown"]
    assert new_scale.label == "Yes / No / Not known"
    assert new_scale.values == (
        ScaleValue("yes", "Yes", "1", 1.0, False),
        ScaleValue("no", "No", "3", 0.0, True),
        ScaleValue("unknown", "Not known", "5", None, False),
    )
    assert published.criteria[0].scale == new_scale
    assert published.grading == GradingRules(85.0, 75.0, 50.0, Grade.REQUIRES_IMPROVEMENT)
    assert published.timescales == (*builtin.timescales, Timescale(
        "VISIT-10", "Child visited in the 10 working days before the audit", "last_visit",
        "audit_date", 10, "working_days", tuple(CaseType), "Local practice standard 7",
    ))  # fmt: skip


def test_a_bad_value_is_named_and_marked_as_typed_and_the_draft_cannot_be_published(
    qtbot: QtBot, window: MainWindow
) -> None:
    view, editor = _edit_a_copy(qtbot, window)
    qtbot.keyClick(editor.tree, Qt.Key.Key_T, ALT)
    timescales = editor.timescales_form
    assert editor.tabs.currentWidget() is timescales
    code = timescales.code.text()
    timescales.limit.setFocus()
    _replace(qtbot, timescales.limit, "ten")
    qtbot.wait_until(lambda: "1 problem" in editor.status.text(), timeout=3000)
    problem = f"Timescale {code}: 'limit' must be a positive whole number"
    assert [editor.problem_list.item(0).text()] == [problem]
    assert timescales.limit.property("problem") == problem
    assert timescales.label.property("problem") == ""
    assert timescales.listing.item(0).text().endswith("— has a problem")

    # A score that is not a number is named by its scale and answer, and its cell marked.
    qtbot.keyClick(timescales.limit, Qt.Key.Key_A, ALT)
    scales = editor.scales_form
    _type_in_cell(qtbot, scales.values, 1, SCORE, "half")
    scale = scales.current_code()
    assert _problems(editor)[0] == f"Scale '{scale}': score of 'partly' is not a number"
    assert scales.values.item(1, SCORE).toolTip() == _problems(editor)[0]
    assert scales.values.item(1, COUNTS).text() == "Score is not a number"
    qtbot.keyClick(editor.tabs, Qt.Key.Key_Escape)

    _click(view, "publishDraft")
    qtbot.keyClick(view.publish_dialog, Qt.Key.Key_Return)
    [refused] = message_boxes(USER_ERROR)
    assert "put it right before publishing" in refused.text()
    assert f"Scale '{scale}': score of 'partly'" in html.unescape(refused.informativeText())
    refused.close()
    assert len(drafts.list_drafts(window.session.store)) == 1
    assert window.session.store.scalar("SELECT count(*) FROM frameworks WHERE code = 'IN-CFA'") == 1


def test_a_scale_in_use_cannot_be_removed_and_the_message_names_its_criteria(
    qtbot: QtBot, window: MainWindow
) -> None:
    _view, editor = _edit_a_copy(qtbot, window)
    builtin = get_framework(window.session.store, "IN-CFA")
    users = [c.code for c in builtin.criteria if c.scale.code == "yes_no_always"]
    qtbot.keyClick(editor.tree, Qt.Key.Key_A, ALT)
    scales = editor.scales_form
    scales.scale_list.setCurrentRow(list(builtin.scales).index("yes_no_always"))
    qtbot.keyClick(scales.scale_list, Qt.Key.Key_R, ALT)
    qtbot.wait_until(lambda: scales.note.text() != "")  # a mnemonic clicks after a beat
    assert scales.note.text() == (
        f"The scale yes_no_always cannot be removed: 1 criterion uses it ({users[0]}). "
        "Give it another scale first."
    )
    assert list(editor.raw["scales"]) == list(builtin.scales)

    # A scale nobody uses goes, and the criteria's combo no longer offers it.
    qtbot.keyClick(scales.scale_list, Qt.Key.Key_D, ALT)
    qtbot.wait_until(lambda: scales.scale_list.count() == len(builtin.scales) + 1)
    scales.scale_list.setFocus()
    qtbot.keyClick(scales.scale_list, Qt.Key.Key_R, ALT)
    qtbot.wait_until(lambda: scales.note.text() == "The scale scale_1 is removed.")
    assert list(editor.raw["scales"]) == list(builtin.scales)
    editor.tree.setCurrentItem(editor.tree.topLevelItem(0).child(0))
    offered = [editor.c_scale.itemText(i) for i in range(editor.c_scale.count())]
    assert offered == list(builtin.scales)
    qtbot.keyClick(editor.tree, Qt.Key.Key_Escape)  # closing saves what is waiting
    assert "scale_1" not in drafts.get_draft(window.session.store, editor.uid).source_text


def test_the_target_for_good_or_better_is_set_in_the_grading_tab(
    qtbot: QtBot, window: MainWindow
) -> None:
    view, editor = _edit_a_copy(qtbot, window)
    form = editor.grading_form
    qtbot.keyClick(editor.tree, Qt.Key.Key_G, ALT)
    assert editor.tabs.currentWidget() is form
    assert not form.has_target.isChecked() and not form.target.isEnabled()
    assert "No target: the board pack" in form.target_meaning.text()
    qtbot.keyClick(form, Qt.Key.Key_E, ALT)  # S&et a target for % good or better
    qtbot.wait_until(form.has_target.isChecked)  # a mnemonic clicks after a short animation
    assert form.target.isEnabled()
    form.target.setFocus()
    form.target.selectAll()
    qtbot.keyClicks(form.target, "75")
    assert form.raw["grading"]["good_or_better_target"] == 75
    assert "at least 75 % of the audits have a final grade of Outstanding or Good" in (
        form.target_meaning.text()
    )
    qtbot.keyClick(form, Qt.Key.Key_E, ALT)  # untick: no target at all
    qtbot.wait_until(lambda: not form.has_target.isChecked())
    assert "good_or_better_target" not in form.raw["grading"]
    qtbot.keyClick(form, Qt.Key.Key_E, ALT)
    qtbot.wait_until(form.has_target.isChecked)
    assert form.raw["grading"]["good_or_better_target"] == 75
    assert _problems(editor) == ["No problems: the draft can be published."]
    qtbot.keyClick(editor.tabs, Qt.Key.Key_Escape)
    _click(view, "publishDraft")
    qtbot.keyClick(view.publish_dialog, Qt.Key.Key_Return)
    [done] = message_boxes(PUBLISHED_BOX)
    done.close()
    published = get_framework(window.session.store, "IN-CFA", "1.1.0")
    assert published.grading.good_or_better_target == 75.0
