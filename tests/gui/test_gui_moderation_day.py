"""The QA lead's day, by keyboard: moderating a submitted audit criterion by criterion (the
auditor's whole audit on screen, nothing pre-filled, a change needs a reason, a confirmation
after saving), Moderate… refused in advance on one's own audit, and Enter opening an audit
from the Audits list straight after switching to it."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QTabBar
from pytestqt.qtbot import QtBot

from auditor.audits.actions import add_action
from auditor.audits.moderating import OWN_AUDIT
from auditor.audits.records import get_audit, record_answer, start_audit, update_audit
from auditor.audits.workflow import submit_audit
from auditor.domain import AuditStatus, Grade
from auditor.store import Store
from tests.gui.conftest import AUDITOR, QA_LEAD
from ui.audits.view import AuditsView
from ui.main_window import MainWindow
from ui.moderation.card import UNDECIDED
from ui.moderation.view import ModerationView

GRADE_REASON = "The plan drifted for months although each criterion is met (demo)."
CONCERN_NOTE = "Told the team manager on the day of the audit (demo)."
ACTION = "Convene a strategy discussion today (demo)."
STRENGTHS = "Warm, steady relationship with the child (demo)."
FEEDBACK = "Thank you for a well-kept file (demo)."


def submitted_audit(store: Store) -> str:
    """A submitted audit by the test auditor: every answer Yes with evidence, graded Good
    (suggested Outstanding) with a reason, a safeguarding concern, an action, feedback."""
    case = store.scalar("SELECT uid FROM cases ORDER BY reference")
    uid = start_audit(store, case_uid=case, auditor=AUDITOR, framework_code="IN-CFA")
    for criterion in get_audit(store, uid).criteria:
        record_answer(store, uid, criterion.code, actor=AUDITOR, value="yes",
                      evidence=f"Evidence for {criterion.code} (demo).")  # fmt: skip
    update_audit(
        store, uid, actor=AUDITOR, final_grade=Grade.GOOD, grade_reason=GRADE_REASON,
        safeguarding_concern=True, safeguarding_note=CONCERN_NOTE, strengths=STRENGTHS,
        feedback=FEEDBACK,
    )  # fmt: skip
    add_action(store, uid, actor=AUDITOR, text=ACTION, owner="Demo Team Manager 1")
    submit_audit(store, uid, actor=AUDITOR)
    return uid


def open_moderation(qtbot: QtBot, window: MainWindow, uid: str) -> ModerationView:
    window.session.settings.auditor_name = QA_LEAD
    window.moderate(uid)
    view = window.moderation
    assert isinstance(view, ModerationView)
    # The first criterion has the keyboard focus: the first key decides it.
    qtbot.wait_until(lambda: QApplication.focusWidget() is view.order[0])
    return view


def press(qtbot: QtBot, key: str | Qt.Key) -> None:
    """A key where the focus is, as a person types it."""
    widget = QApplication.focusWidget()
    assert widget is not None
    qtbot.keyClick(widget, key)


def test_moderating_an_audit_start_to_end_by_keyboard(qtbot: QtBot, window: MainWindow) -> None:
    store = window.session.store
    uid = submitted_audit(store)
    view = open_moderation(qtbot, window, uid)

    # The auditor's whole audit is on screen beside the moderator's judgement.
    assert view.banner.isVisibleTo(view) and "IMMEDIATE SAFEGUARDING CONCERN" in view.banner.text()
    account = view.account
    assert CONCERN_NOTE in account.safeguarding.text()
    assert GRADE_REASON in account.grade.text() and "Outstanding" in account.grade.text()
    assert ACTION in account.actions.text()
    assert STRENGTHS in account.feedback["strengths"].text()
    assert FEEDBACK in account.feedback["feedback"].text()
    codes = list(view.cards)
    for code, card in view.cards.items():
        assert f"Evidence for {code} (demo)." in card.auditor_said.text()
        assert "<b>Yes</b>" in card.auditor_said.text()
    assert GRADE_REASON in view.grade_card.auditor_said.text()

    # Agree, agree, then change the third to No (2, then No's key 3) with a reason.
    changed = codes[2]
    press(qtbot, "1")
    assert QApplication.focusWidget() is view.cards[codes[1]], "agreeing goes to the next"
    press(qtbot, "1")
    press(qtbot, "2")
    assert view.cards[changed].choice_row.isVisibleTo(view)
    press(qtbot, "3")
    assert QApplication.focusWidget() is view.cards[changed].reason
    assert view.cards[changed].state.text() == "≠ Changed to No: give a reason"
    qtbot.keyClicks(QApplication.focusWidget(), "No plan on file for this (demo).")
    press(qtbot, Qt.Key.Key_Return)
    for code in codes[3:]:
        assert QApplication.focusWidget() is view.cards[code]
        press(qtbot, "1")
    assert "25 of 25" in view.progress.text() or "criteria decided" in view.progress.text()
    # The grade, by key too: agree with the auditor's Good.
    assert QApplication.focusWidget() is view.grade_card
    press(qtbot, "1")
    assert QApplication.focusWidget() is view.save_button
    qtbot.keyClick(view.save_button, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)

    # A confirmation says what was saved; the database holds the moderation.
    assert view.saved.isVisibleTo(view)
    total = len(codes)
    assert view.saved.text() == (
        f"✓ Moderation saved: you agreed {total - 1} of {total} criteria and changed 1 "
        f"({changed} Yes → No); you agreed the grade, Good. The audit is now moderated."
    )
    assert QApplication.focusWidget() is view.final_button
    audit = get_audit(store, uid)
    assert audit.status is AuditStatus.MODERATED
    assert audit.answers[changed].value == "no" and audit.final_grade is Grade.GOOD
    moderation = store.one("SELECT * FROM moderations")
    assert moderation is not None and moderation["moderator"] == QA_LEAD
    assert moderation["moderator_grade"] == "good" and moderation["auditor_grade"] == "good"
    rows = store.query("SELECT * FROM moderation_answers ORDER BY criterion_code")
    assert len(rows) == total
    differ = [r for r in rows if r["moderator_value"] != r["auditor_value"]]
    assert [(r["criterion_code"], r["moderator_value"], r["reason"]) for r in differ] == [
        (changed, "no", "No plan on file for this (demo).")
    ]
    assert view.status.text() == "Status: Moderated"
    assert all(card.read_only for card in view.order)

    # Opened again, the screen shows what was recorded, read-only.
    window.moderate(uid)
    again = window.moderation
    assert isinstance(again, ModerationView)
    assert again.cards[changed].state.text() == "≠ Changed to No"
    assert again.cards[codes[0]].state.text() == "✓ Agreed: Yes"
    assert "<b>Yes</b>" in again.cards[changed].auditor_said.text()


def test_nothing_is_decided_until_the_moderator_decides(qtbot: QtBot, window: MainWindow) -> None:
    store = window.session.store
    uid = submitted_audit(store)
    view = open_moderation(qtbot, window, uid)
    for card in view.order:
        assert card.decision is None and card.state.text() == UNDECIDED
        assert not card.agree_button.isChecked() and not card.change_button.isChecked()
    assert "0 of" in view.progress.text()
    qtbot.keyClick(view.order[0], Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    total = len(view.cards)
    assert view.problems.isVisibleTo(view)
    assert f"Decide {total} criteria" in view.problems.text()
    assert "Decide the grade" in view.problems.text()
    assert get_audit(store, uid).status is AuditStatus.SUBMITTED
    assert store.scalar("SELECT COUNT(*) FROM moderations") == 0
    assert QApplication.focusWidget() is view.order[0]


def test_the_changed_warning_clears_once_a_reason_is_given(
    qtbot: QtBot, window: MainWindow
) -> None:
    store = window.session.store
    view = open_moderation(qtbot, window, submitted_audit(store))
    first = view.order[0]
    press(qtbot, "2")
    press(qtbot, "2")  # Partly
    assert first.state.text() == "≠ Changed to Partly: give a reason"
    view.save()  # refused: the problems are listed, the focus goes to what is missing
    assert f"{first.code}: give a reason" in view.problems.text()
    assert QApplication.focusWidget() is first.reason
    qtbot.keyClicks(first.reason, "Partly seen (demo).")
    assert first.state.text() == "≠ Changed to Partly"
    assert f"{first.code}: give a reason" not in view.problems.text()
    # Decide the rest (and the grade): no problem is left on screen.
    press(qtbot, Qt.Key.Key_Return)
    while QApplication.focusWidget() is not view.save_button:
        press(qtbot, "1")
    assert not view.problems.isVisibleTo(view)
    # The grade changed without a note is refused, and the warning goes with the note.
    grade = view.grade_card
    grade.setFocus()
    press(qtbot, "2")
    press(qtbot, "3")  # Requires improvement
    assert grade.state.text() == "≠ Changed to Requires improvement to be good: give a reason"
    view.save()
    assert "Give a reason for changing the grade." in view.problems.text()
    qtbot.keyClicks(grade.reason, "The drift harmed the child (demo).")
    assert not view.problems.isVisibleTo(view)
    view.save()
    assert get_audit(store, view.uid).final_grade is Grade.REQUIRES_IMPROVEMENT
    assert "you changed the grade from Good to Requires improvement" in view.saved.text()


def mnemonics(texts: list[str]) -> list[str]:
    found = []
    for text in texts:
        match = re.search(r"&([^&])", text.replace("&&", ""))
        if match:
            found.append(match.group(1).casefold())
    return found


def test_every_mnemonic_on_the_moderation_screen_is_unique(
    qtbot: QtBot, window: MainWindow
) -> None:
    view = open_moderation(qtbot, window, submitted_audit(window.session.store))
    texts = [action.text() for action in window.menuBar().actions()]
    texts += [b.text() for b in view.findChildren(QAbstractButton) if b.isVisibleTo(view)]
    texts += [label.text() for label in view.findChildren(QLabel) if label.buddy()]
    for bar in view.findChildren(QTabBar):
        texts += [bar.tabText(i) for i in range(bar.count())]
    keys = mnemonics(texts)
    assert len(keys) >= 7
    assert len(keys) == len(set(keys)), f"mnemonics used twice: {sorted(keys)}"


def test_moderate_is_disabled_on_your_own_audit(qtbot: QtBot, window: MainWindow) -> None:
    uid = submitted_audit(window.session.store)
    window.show_view("audits")
    view = window.page("audits")
    assert isinstance(view, AuditsView)
    view.tabs.setCurrentIndex(1)  # Submitted
    assert view.selected_uid() == uid
    button = view.buttons["moderate"]
    assert not button.isEnabled()
    assert button.toolTip() == OWN_AUDIT == "You audited this case: another QA lead moderates it"
    # Another QA lead may.
    window.session.settings.auditor_name = QA_LEAD
    window.session.changes.audits_changed.emit()
    assert button.isEnabled() and button.toolTip() == "Moderate a submitted audit"


def test_enter_opens_the_selected_audit_straight_after_switching_to_audits(
    qtbot: QtBot, window: MainWindow
) -> None:
    store = window.session.store
    case = store.scalar("SELECT uid FROM cases ORDER BY reference")
    draft = start_audit(store, case_uid=case, auditor=AUDITOR, framework_code="IN-CFA")
    window.show_view("cases")
    window.nav.setFocus()
    qtbot.wait_until(lambda: QApplication.focusWidget() is window.nav)
    qtbot.keyClick(window.nav, Qt.Key.Key_Down)  # Cases → Audits, by the navigation
    assert window.current_view == "audits"
    view = window.page("audits")
    assert isinstance(view, AuditsView)
    assert QApplication.focusWidget() is window.nav  # the arrows still move through screens
    press(qtbot, Qt.Key.Key_Return)  # into the screen: its list, with the audit selected
    assert QApplication.focusWidget() is view.table
    assert view.selected_uid() == draft
    press(qtbot, Qt.Key.Key_Return)
    assert window.audit_form is not None and window.audit_form.uid == draft


def test_the_arrow_keys_move_through_every_screen_without_being_stopped(
    qtbot: QtBot, window: MainWindow
) -> None:
    """Going into a screen is Enter's job: the arrows never take the focus out of the
    navigation, so Audits (whose list takes the focus on Enter) does not stop them."""
    window.show_view("cases")
    window.nav.setFocus()
    qtbot.wait_until(lambda: QApplication.focusWidget() is window.nav)
    seen = []
    for _ in range(window.nav.count() - 1):
        press(qtbot, Qt.Key.Key_Down)
        seen.append(window.current_view)
    assert seen == ["audits", "actions", "dashboard", "frameworks", "programmes"]
    assert QApplication.focusWidget() is window.nav


def test_ctrl_page_down_changes_the_audits_list_from_the_table(
    qtbot: QtBot, window: MainWindow
) -> None:
    window.show_view("audits")
    view = window.page("audits")
    assert isinstance(view, AuditsView)
    view.enter()
    qtbot.wait_until(lambda: QApplication.focusWidget() is view.table)
    start = view.tabs.currentIndex()
    qtbot.keyClick(view.table, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    assert view.tabs.currentIndex() == (start + 1) % view.tabs.count()
    qtbot.keyClick(view.table, Qt.Key.Key_PageUp, Qt.KeyboardModifier.ControlModifier)
    assert view.tabs.currentIndex() == start
