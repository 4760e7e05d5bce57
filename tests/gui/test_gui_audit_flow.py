"""A whole audit through real widgets, offscreen: open a demo case, answer every criterion
with the keyboard, type evidence, watch the suggested grade change, add an action, raise
the safeguarding flag, submit; then moderate it and make it final; then amend it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox
from pytestqt.qtbot import QtBot

from auditor.audits.records import get_audit
from auditor.domain import AuditStatus, Grade
from auditor.store.trail import history
from tests.gui.conftest import QA_LEAD
from tests.gui.helpers import message_boxes
from ui.audit_form.form import AuditForm
from ui.audit_form.grade_panel import GradePanel
from ui.cases.start_audit import StartAuditDialog
from ui.cases.view import CasesView
from ui.errors import USER_ERROR
from ui.main_window import MainWindow
from ui.moderation.view import ModerationView
from ui.widgets.action_dialog import ActionDialog
from ui.widgets.history import HistoryDialog
from ui.widgets.reason import ReasonDialog


def open_dialog(kind: type[QDialog]) -> QDialog:
    found = [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]
    assert len(found) == 1, f"expected one open {kind.__name__}, found {found}"
    return found[0]


def start_audit_by_keyboard(qtbot: QtBot, window: MainWindow, reference: str) -> AuditForm:
    window.show_view("cases")
    cases = window.page("cases")
    assert isinstance(cases, CasesView)
    assert cases.model.rowCount() == 12
    qtbot.keyClicks(cases.text, reference)
    qtbot.wait_until(lambda: cases.model.rowCount() == 1)
    assert cases.selected_uid() is not None
    assert reference in cases.panel.title.text()
    assert "Timescales" in [w.text() for w in cases.panel.findChildren(type(cases.count))]
    qtbot.keyClick(cases.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = open_dialog(StartAuditDialog)
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    assert isinstance(window.audit_form, AuditForm)
    return window.audit_form


def test_full_audit_by_keyboard_then_moderation(qtbot: QtBot, window: MainWindow) -> None:
    store = window.session.store
    reference = store.scalar(
        "SELECT reference FROM cases WHERE case_type = 'child_protection' ORDER BY reference"
    )
    form = start_audit_by_keyboard(qtbot, window, reference)
    total = len(form.cards)
    assert form.header.progress.text() == f"0 of {total} answered"
    assert form.grade.suggested_label.text() == "Suggested grade: –"

    # Answer every criterion from the keyboard: Yes, except a Partly and a limiting No.
    codes = list(form.cards)
    limiting = [c for c in codes if form.cards[c].criterion.limiting][-1]
    with_partly = [c for c in codes if c != limiting and "partly" in
                   {v.code for v in form.cards[c].criterion.scale.values}]  # fmt: skip
    partly = with_partly[len(with_partly) // 2]
    grades_seen = []
    for n, code in enumerate(codes, start=1):
        card = form.current
        assert card is not None and card.code == code, "the form moves to the next criterion"
        assert card.property("current") is True
        key = {limiting: "3", partly: "2"}.get(code, "1")
        qtbot.keyClick(card, key)
        assert form.header.progress.text() == f"{n} of {total} answered"
        grades_seen.append(form.grade.suggested_label.text())
        if code in (limiting, partly):
            # "No" and "Partly" ask for evidence: the focus goes into the evidence box.
            assert card.needs_evidence and card.prompt.isVisibleTo(card)
            qtbot.keyClicks(card.evidence, f"Seen on the file for {code}.")
            assert not card.needs_evidence
            qtbot.keyClick(card.evidence, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    # Until every criterion is answered the suggestion is provisional, on so many answers.
    assert grades_seen[0] == f"Suggested grade: Outstanding (provisional, on 1 of {total} answers)"
    at_limiting = codes.index(limiting)
    assert grades_seen[at_limiting - 1].startswith("Suggested grade: Outstanding (provisional")
    assert grades_seen[at_limiting].startswith("Suggested grade: Requires improvement to be good")
    assert grades_seen[-1] == "Suggested grade: Requires improvement to be good"
    assert form.header.saved.text().startswith("Saved ")

    # Tab goes from a criterion into its evidence box; typed evidence is saved.
    first = form.cards[codes[0]]
    form.set_current(first)
    qtbot.keyClick(first, Qt.Key.Key_Tab)
    qtbot.keyClicks(first.evidence, "Risk analysis dated 03/03/2026.")
    form.flush()
    audit = get_audit(store, form.uid)
    assert audit.answers[codes[0]].evidence == "Risk analysis dated 03/03/2026."
    assert audit.answers[limiting].value == "no"
    assert audit.answers[partly].evidence == f"Seen on the file for {partly}."

    # Final grade: a different grade from the suggestion needs a reason.
    panel: GradePanel = form.grade
    panel.final_grade.setCurrentIndex(panel.final_grade.findData(Grade.INADEQUATE.value))
    assert panel.reason_note.isVisibleTo(panel) and "required" in panel.reason_note.text()
    qtbot.keyClicks(panel.reason, "The child was left at risk for weeks.")

    # The safeguarding flag stands out in words, not colour alone, and needs an action.
    panel.safeguarding.click()
    assert form.header.banner.isVisibleTo(form)
    assert "IMMEDIATE SAFEGUARDING CONCERN" in form.header.banner.text()
    form.submit()
    box = message_boxes(USER_ERROR)[0]
    assert "An immediate safeguarding concern needs at least one open action" in (
        box.informativeText()
    )
    box.close()

    qtbot.keyClick(form, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)  # fmt: skip
    dialog = open_dialog(ActionDialog)
    assert isinstance(dialog, ActionDialog)
    qtbot.keyClicks(dialog.text, "Convene a strategy discussion today.")
    qtbot.keyClicks(dialog.owner, "Team manager")
    dialog.accept()
    assert form.actions.table.rowCount() == 1
    assert form.tabs.tabText(2) == "Act&ions (1)"

    form.submit()
    confirm = next(b for b in message_boxes() if b.objectName() == "confirmSubmit")
    confirm.button(QMessageBox.StandardButton.Yes).click()
    audit = get_audit(store, form.uid)
    assert audit.status is AuditStatus.SUBMITTED
    assert audit.final_grade is Grade.INADEQUATE and audit.safeguarding_concern
    assert (
        form.header.mode_banner.isVisibleTo(form) and "read-only" in form.header.mode_banner.text()
    )
    assert all(not b.isEnabled() for b in form.current.buttons.buttons())  # type: ignore[union-attr]
    assert not form.submit_button.isVisibleTo(form)

    # Moderation by a QA lead: change one answer (with a reason) and agree the grade.
    window.session.settings.auditor_name = QA_LEAD
    window.moderate(form.uid)
    view = window.moderation
    assert isinstance(view, ModerationView)
    row = view.cards[partly]
    assert not row.reason.isVisibleTo(view)
    for code, card in view.cards.items():  # agreement is decided criterion by criterion
        if code != partly:
            qtbot.keyClick(card, "1")
    qtbot.keyClick(view.grade_card, "1")
    qtbot.keyClick(row, "2")
    qtbot.keyClick(row, "1")  # changed to Yes
    assert row.reason.isVisibleTo(view) and row.state.text().startswith("≠")
    view.save()  # no reason yet: refused with a message naming the criterion
    assert f"{partly}: give a reason" in view.problems.text()
    assert get_audit(store, form.uid).status is AuditStatus.SUBMITTED
    qtbot.keyClicks(row.reason, "The plan of 02/03 shows it in full.")
    view.save()
    assert get_audit(store, form.uid).status is AuditStatus.MODERATED
    assert get_audit(store, form.uid).answers[partly].value == "yes"
    view.final_button.click()
    assert get_audit(store, form.uid).status is AuditStatus.FINAL

    # An amendment after final needs a reason, and shows in the audit's history.
    window.open_audit(form.uid)
    final_form = window.audit_form
    assert isinstance(final_form, AuditForm)
    assert final_form.amend_button.isVisibleTo(final_form)
    final_form.amend()
    reason_dialog = open_dialog(ReasonDialog)
    assert isinstance(reason_dialog, ReasonDialog)
    assert not reason_dialog.ok.isEnabled()
    qtbot.keyClicks(reason_dialog.text, "Evidence found after moderation.")
    reason_dialog.ok.click()
    card = final_form.cards[codes[1]]
    final_form.set_current(card)
    qtbot.keyClick(card, "2")
    qtbot.keyClicks(card.evidence, "Only partly, on a second look.")
    final_form.flush()
    rows = [r for r in history(store, form.uid) if r["field"] == f"{codes[1]}.value"]
    assert rows[-1]["new_value"] == "partly"
    assert rows[-1]["reason"] == "Evidence found after moderation."
    assert rows[-1]["actor"] == QA_LEAD
    final_form.history()
    dialog = open_dialog(HistoryDialog)
    assert isinstance(dialog, HistoryDialog)
    table = dialog.table
    reasons = [table.item(r, 5).text() for r in range(table.rowCount())]
    assert "Evidence found after moderation." in reasons
    dialog.close()


def test_submitting_an_incomplete_audit_names_what_is_missing(
    qtbot: QtBot, window: MainWindow
) -> None:
    reference = window.session.store.scalar("SELECT reference FROM cases ORDER BY reference")
    form = start_audit_by_keyboard(qtbot, window, reference)
    first = form.current
    assert first is not None
    qtbot.keyClick(first, "1")
    form.submit()
    boxes = message_boxes(USER_ERROR)
    assert len(boxes) == 1, "a user error is a dialog, not a traceback"
    box = boxes[0]
    assert box.text() == "This audit cannot be submitted yet."
    second = list(form.cards)[1]
    assert f"{second} is not answered" in box.informativeText()
    assert "Choose the final grade" in box.informativeText()
    assert form.current is form.cards[second], "the form goes to the first missing answer"
    box.close()
    assert get_audit(window.session.store, form.uid).status is AuditStatus.DRAFT
