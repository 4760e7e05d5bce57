"""The auditor's day in the audit form, by keyboard at 1366×768 (issue 12): the first key
answers the highlighted criterion, mnemonics never collide with the menus, the message
about a missing reason sends the typing to the reason box, the suggested grade says it is
provisional, an incomplete audit is summarised by section, a safeguarding action is due at
once, and someone else's draft is read-only until taken over."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from auditor.audits.records import get_audit, record_answer, start_audit
from auditor.audits.safeguarding import safeguarding_due_date
from auditor.clock import today
from auditor.domain import Grade
from auditor.store.trail import history
from tests.gui.conftest import AUDITOR, QA_LEAD
from tests.gui.helpers import message_boxes
from ui.audit_form.form import SAFE_NOW_QUESTION, AuditForm
from ui.cases.start_audit import StartAuditDialog
from ui.cases.view import CasesView
from ui.errors import USER_ERROR
from ui.main_window import MainWindow
from ui.widgets.action_dialog import ActionDialog
from ui.widgets.criterion_card import CriterionCard
from ui.widgets.reason import ReasonDialog

ALT = Qt.KeyboardModifier.AltModifier
D = TypeVar("D", bound=QWidget)


def draft_of(window: MainWindow, auditor: str = AUDITOR, answered: int = 0) -> str:
    """A draft by ``auditor`` of a child-in-need case, its first ``answered`` criteria Yes."""
    store = window.session.store
    case = store.scalar(
        "SELECT uid FROM cases WHERE case_type = 'child_in_need' ORDER BY reference"
    )
    uid = start_audit(store, case_uid=case, auditor=auditor, framework_code="IN-CFA")
    criteria = get_audit(store, uid).criteria
    for criterion in criteria[:answered]:
        value = (criterion.scale.by_key("1") or criterion.scale.values[0]).code
        record_answer(store, uid, criterion.code, value=value, actor=auditor)
    return uid


def open_form(qtbot: QtBot, window: MainWindow, uid: str) -> AuditForm:
    """Open the audit as the Audits view does, and wait until the form has the focus."""
    window.open_audit(uid)
    form = window.audit_form
    assert isinstance(form, AuditForm)
    qtbot.wait_until(lambda: form.isAncestorOf(QApplication.focusWidget()))
    return form


def back_to(qtbot: QtBot, window: MainWindow) -> None:
    """A dialog closed: the window manager makes the window active again (the offscreen
    platform does not, so the test does)."""
    window.activateWindow()
    qtbot.wait_until(lambda: QApplication.activeWindow() is window)


def focus() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def one_box(qtbot: QtBot, name: str) -> QMessageBox:
    """The one message box ``name``, once shown (a mnemonic's click comes a moment later)."""
    qtbot.wait_until(lambda: bool(message_boxes(name)))
    boxes = message_boxes(name)
    assert len(boxes) == 1, f"expected one {name}, found {boxes}"
    return boxes[0]


def open_dialog(kind: type[D], qtbot: QtBot | None = None) -> D:
    if qtbot is not None:  # opened by a mnemonic: its click comes a moment later
        qtbot.wait_until(lambda: any(isinstance(w, kind) and w.isVisible()
                                     for w in QApplication.topLevelWidgets()))  # fmt: skip
    found = [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]
    assert len(found) == 1, f"expected one open {kind.__name__}, found {found}"
    return found[0]


# -- 1. the first key ------------------------------------------------------------------------


def test_the_first_key_on_a_reopened_draft_answers_its_first_unanswered_criterion(
    qtbot: QtBot, window: MainWindow
) -> None:
    form = open_form(qtbot, window, draft_of(window, answered=3))
    codes = list(form.cards)
    fourth = form.cards[codes[3]]
    assert form.current is fourth and focus() is fourth, "the focus is on the highlighted card"
    # Tab goes into that card's evidence (not back to the first criterion); Escape returns.
    qtbot.keyClick(focus(), Qt.Key.Key_Tab)
    assert focus() is fourth.evidence
    qtbot.keyClick(focus(), Qt.Key.Key_Escape)
    assert focus() is fourth
    qtbot.keyClick(focus(), "1")
    form.flush()
    assert get_audit(window.session.store, form.uid).answer_value(codes[3]) == "yes"
    assert focus() is form.cards[codes[4]], "the focus follows to the next criterion"


def test_the_first_key_after_starting_an_audit_from_the_register_answers_the_first(
    qtbot: QtBot, window: MainWindow
) -> None:
    window.show_view("cases")
    cases = window.page("cases")
    assert isinstance(cases, CasesView)
    reference = window.session.store.scalar("SELECT reference FROM cases ORDER BY reference")
    qtbot.keyClicks(cases.text, reference)
    qtbot.wait_until(lambda: cases.model.rowCount() == 1)
    qtbot.keyClick(cases.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = open_dialog(StartAuditDialog)
    qtbot.wait_until(lambda: QApplication.activeWindow() is dialog)  # as a person waits
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    back_to(qtbot, window)
    form = window.audit_form
    assert isinstance(form, AuditForm)
    first = next(iter(form.cards.values()))
    qtbot.wait_until(lambda: QApplication.focusWidget() is first)
    qtbot.keyClick(focus(), "1")
    assert first.value == "yes"


# -- 3. mnemonics and the reason box ----------------------------------------------------------


def mnemonic(text: str) -> str | None:
    found = re.search(r"&([^&\s])", text.replace("&&", ""))
    return found.group(1).casefold() if found else None


def test_every_mnemonic_in_the_audit_form_is_unique_with_the_menu_bar(
    qtbot: QtBot, window: MainWindow
) -> None:
    form = open_form(qtbot, window, draft_of(window))
    owners: dict[str, list[str]] = {}
    texts = [action.text() for action in window.menuBar().actions()]
    texts += [form.tabs.tabText(i) for i in range(form.tabs.count())]
    texts += [b.text() for b in form.findChildren(QAbstractButton)]  # hidden ones too
    texts += [label.text() for label in form.findChildren(QLabel) if label.buddy() is not None]
    for text in texts:
        key = mnemonic(text)
        if key:
            owners.setdefault(key, []).append(text)
    assert len(texts) > 15
    shared = {key: names for key, names in owners.items() if len(names) > 1}
    assert shared == {}, f"mnemonics used twice: {shared}"


def test_after_the_message_about_a_missing_reason_the_typing_goes_into_the_reason(
    qtbot: QtBot, window: MainWindow
) -> None:
    uid = draft_of(window, answered=100)  # every criterion Yes: suggested Outstanding
    form = open_form(qtbot, window, uid)
    combo = form.grade.final_grade
    combo.setFocus()
    qtbot.keyClicks(combo, "Inadequate")  # the combo's type-ahead chooses it
    assert combo.currentData() == Grade.INADEQUATE.value
    qtbot.keyClick(focus(), Qt.Key.Key_U, ALT)  # S&ubmit…
    box = one_box(qtbot, USER_ERROR)
    assert "give a reason why your grade differs" in box.informativeText().casefold()
    qtbot.keyClick(box, Qt.Key.Key_Escape)
    back_to(qtbot, window)
    qtbot.wait_until(lambda: QApplication.focusWidget() is form.grade.reason)
    qtbot.keyClicks(focus(), "Inadequate: the risk was never assessed.")
    assert form.grade.reason.toPlainText() == "Inadequate: the risk was never assessed."
    assert combo.currentData() == Grade.INADEQUATE.value


# -- 5. the provisional grade -----------------------------------------------------------------


def test_the_suggested_grade_is_provisional_until_every_criterion_is_answered(
    qtbot: QtBot, window: MainWindow
) -> None:
    form = open_form(qtbot, window, draft_of(window))
    total = len(form.cards)
    label = form.grade.suggested_label
    assert label.text() == "Suggested grade: –"
    qtbot.keyClick(focus(), "1")
    assert label.text() == f"Suggested grade: Outstanding (provisional, on 1 of {total} answers)"
    for n in range(2, total + 1):
        qtbot.keyClick(focus(), "1")
        if n < total:
            assert f"(provisional, on {n} of {total} answers)" in label.text()
    assert label.text() == "Suggested grade: Outstanding"


# -- 6. an incomplete audit -------------------------------------------------------------------


def test_an_incomplete_audit_is_summarised_by_section_and_the_form_goes_to_the_first_gap(
    qtbot: QtBot, window: MainWindow
) -> None:
    form = open_form(qtbot, window, draft_of(window, answered=1))
    audit = get_audit(window.session.store, form.uid)
    first_section = audit.framework.sections[0]
    left = sum(1 for c in audit.criteria if c.section == first_section.code) - 1
    qtbot.keyClick(focus(), Qt.Key.Key_U, ALT)
    box = one_box(qtbot, USER_ERROR)
    lines = re.findall(r"<li>(.*?)</li>", box.informativeText())
    asked_sections = {c.section for c in audit.criteria}
    assert len(lines) <= len(asked_sections) + 2, "a line a section, not one a criterion"
    assert lines[0] == f"{first_section.title}: {left} criteria unanswered"
    assert "Choose the final grade" in lines
    second = list(form.cards)[1]
    assert lines[-1] == f"Going to the first: {second} is not answered."
    assert all(f"{c.code} is not answered" in box.detailedText() for c in audit.criteria[1:])
    qtbot.keyClick(box, Qt.Key.Key_Escape)
    back_to(qtbot, window)
    qtbot.wait_until(lambda: QApplication.focusWidget() is form.cards[second])
    qtbot.keyClick(focus(), "1")
    assert form.cards[second].value == "yes"


# -- 7. safeguarding --------------------------------------------------------------------------


def raise_concern(qtbot: QtBot, form: AuditForm) -> None:
    form.tabs.setCurrentIndex(0)
    form.grade.safeguarding.setFocus()
    qtbot.keyClick(focus(), Qt.Key.Key_Space)


def test_a_safeguarding_action_is_due_today_or_the_next_working_day(
    qtbot: QtBot, window: MainWindow
) -> None:
    form = open_form(qtbot, window, draft_of(window))
    qtbot.keyClick(focus(), Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)  # fmt: skip
    ordinary = open_dialog(ActionDialog)
    assert ordinary.due.date().toPython() == today() + timedelta(28)
    ordinary.reject()
    raise_concern(qtbot, form)
    assert get_audit(window.session.store, form.uid).safeguarding_concern
    qtbot.keyClick(focus(), Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)  # fmt: skip
    dialog = open_dialog(ActionDialog)
    assert dialog.windowTitle() == "Add a safeguarding action"
    due = dialog.due.date().toPython()
    assert due == safeguarding_due_date() and today() <= due <= today() + timedelta(4)
    qtbot.keyClicks(dialog.text, "Tell the team manager today.")
    dialog.accept()
    [action] = get_audit(window.session.store, form.uid).actions
    assert action.due_date == due


def test_raising_the_concern_while_the_child_is_answered_safe_asks_which_is_right(
    qtbot: QtBot, window: MainWindow
) -> None:
    store = window.session.store
    uid = draft_of(window)
    record_answer(store, uid, "SAFE-01", value="yes", actor=AUDITOR)
    form = open_form(qtbot, window, uid)
    raise_concern(qtbot, form)
    box = one_box(qtbot, SAFE_NOW_QUESTION)
    assert "You answered Yes to SAFE-01" in box.text()
    assert not get_audit(store, uid).safeguarding_concern, "nothing saved until answered"
    cancel = next(b for b in box.buttons() if b.text() == "Cancel")
    cancel.click()
    assert (
        not form.grade.safeguarding.isChecked() and not get_audit(store, uid).safeguarding_concern
    )

    raise_concern(qtbot, form)
    box = one_box(qtbot, SAFE_NOW_QUESTION)
    assert box.defaultButton() is not None
    assert box.defaultButton().text() == "Raise it and &correct SAFE-01"
    qtbot.keyClick(box, Qt.Key.Key_Return)
    back_to(qtbot, window)
    assert get_audit(store, uid).safeguarding_concern
    safe_now = form.cards["SAFE-01"]
    qtbot.wait_until(lambda: QApplication.focusWidget() is safe_now)
    qtbot.keyClick(focus(), "3")  # No: the child may be unsafe now
    assert get_audit(store, uid).answer_value("SAFE-01") == "no"


# -- 9. other people's drafts -----------------------------------------------------------------


def test_someone_elses_draft_is_read_only_until_taken_over_with_a_reason(
    qtbot: QtBot, window: MainWindow
) -> None:
    store = window.session.store
    uid = draft_of(window, answered=2)
    window.session.settings.auditor_name = QA_LEAD
    form = open_form(qtbot, window, uid)
    assert form.take_over_button.isVisibleTo(form) and not form.submit_button.isVisibleTo(form)
    assert f"{AUDITOR}'s draft: read-only for you" in form.header.mode_banner.text()
    card = focus()
    assert isinstance(card, CriterionCard)
    qtbot.keyClick(card, "1")
    assert get_audit(store, uid).answer_value(card.code) is None, "nothing is changed"

    qtbot.keyClick(focus(), Qt.Key.Key_T, ALT)  # &Take over…
    dialog = open_dialog(ReasonDialog, qtbot)
    qtbot.keyClicks(dialog.text, "Test Auditor is on leave until March.")
    dialog.ok.click()
    back_to(qtbot, window)
    audit = get_audit(store, uid)
    assert audit.auditor == QA_LEAD
    row = history(store, uid)[-1]
    assert (row["field"], row["old_value"], row["new_value"], row["actor"]) == (
        "auditor",
        AUDITOR,
        QA_LEAD,
        QA_LEAD,
    )
    assert row["reason"] == "Taken over: Test Auditor is on leave until March."
    assert not form.take_over_button.isVisibleTo(form) and form.submit_button.isVisibleTo(form)
    assert not form.header.mode_banner.isVisibleTo(form)
    card = form.cards[card.code]
    qtbot.wait_until(lambda: QApplication.focusWidget() is card)
    qtbot.keyClick(card, "1")
    form.flush()
    assert get_audit(store, uid).answer_value(card.code) == "yes"
    assert history(store, uid)[-1]["actor"] == QA_LEAD


def test_a_pause_after_answering_checkpoints_the_database_off_the_gui_thread(
    qtbot: QtBot, window: MainWindow
) -> None:
    """No save waits for SQLite to copy the WAL back into the database: the form does it on
    a worker once the auditor pauses, and the answers are then in the database file itself."""
    from tests.test_store import _in_database_file

    form = open_form(qtbot, window, draft_of(window))
    window.session.store.checkpoint()
    first = next(iter(form.cards))
    answer = f"SELECT value FROM answers WHERE criterion_code = '{first}'"
    qtbot.keyClick(focus(), "1")
    form.flush()
    assert window.session.store.scalar(answer) == "yes"  # saved at once, in the WAL
    assert _in_database_file(window.session.path, answer) == []
    assert form._checkpoint.isActive()  # waiting for the pause
    qtbot.wait_until(lambda: not form._checkpoint.isActive(), timeout=5000)
    window.session.runner.wait_for_done(5000)
    qtbot.wait_until(lambda: _in_database_file(window.session.path, answer) == [("yes",)])
