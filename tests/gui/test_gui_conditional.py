"""Conditional criteria in the audit form, by keyboard (issue 14, item 4): answering the gate
"Is there a child protection plan?" No hides the plan's cards and Yes shows them (with any
answer they kept), moving skips hidden cards, and the progress, compliance, suggested grade,
limiting note and section rows follow what is asked."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from auditor.audits.records import get_audit, start_audit
from auditor.cases.records import add_case
from auditor.frameworks.library import register_framework
from auditor.frameworks.model import load_framework_file
from tests.gui.conftest import AUDITOR
from ui.audit_form.form import AuditForm
from ui.main_window import MainWindow

CONDITIONAL = Path(__file__).parents[1] / "fixtures" / "conditional.toml"


def focus() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def open_conditional_audit(qtbot: QtBot, window: MainWindow) -> AuditForm:
    """A new draft on the conditional test framework of a child protection case, open."""
    store = window.session.store
    register_framework(store, load_framework_file(CONDITIONAL))
    case = add_case(
        store, actor=AUDITOR, reference="DEMO-CP-000123", case_type="child_protection", team="X"
    )
    uid = start_audit(store, case_uid=case.uid, auditor=AUDITOR, framework_code="COND")
    window.open_audit(uid)
    form = window.audit_form
    assert isinstance(form, AuditForm)
    qtbot.wait_until(lambda: focus() is form.cards["R-1"])
    return form


def shown(form: AuditForm) -> list[str]:
    return [code for code, card in form.cards.items() if not card.isHidden()]


def press(qtbot: QtBot, key: str | Qt.Key, then: str) -> None:
    """One key on the focused widget; the focus is then on card ``then``."""
    qtbot.keyClick(focus(), key)
    form = focus().window().findChild(AuditForm)
    assert form is not None
    assert focus() is form.cards[then], f"after {key!r} the focus is on {then}"


def test_the_gate_no_hides_its_cards_and_yes_shows_them_and_the_figures_follow(
    qtbot: QtBot, window: MainWindow
) -> None:
    form = open_conditional_audit(qtbot, window)
    grade, progress = form.grade, form.header.progress
    review_heading = form.criteria.headings["REVIEW"]
    review_row = grade.section_rows["REVIEW"]
    assert shown(form) == ["R-1", "P-0", "V-1"], "the plan's criteria wait for P-0"
    assert review_heading.isHidden() and all(w.isHidden() for w in review_row)

    press(qtbot, "1", then="P-0")  # R-1 Yes
    assert progress.text() == "1 of 3 answered"
    press(qtbot, "1", then="P-1")  # P-0 Yes: there is a plan, so P-1 is asked
    assert shown(form) == ["R-1", "P-0", "P-1", "V-1"]
    assert progress.text() == "2 of 4 answered"

    qtbot.keyClick(focus(), "2")  # P-1 Partly: evidence first, and P-2 is asked
    assert focus() is form.cards["P-1"].evidence
    qtbot.keyClicks(focus(), "The plan names who but gives no dates.")
    qtbot.keyClick(focus(), Qt.Key.Key_Escape)
    assert shown(form) == ["R-1", "P-0", "P-1", "P-2", "V-1"]
    assert not review_heading.isHidden() and not any(w.isHidden() for w in review_row)
    press(qtbot, Qt.Key.Key_Down, then="P-2")
    press(qtbot, "1", then="V-1")  # P-2 Yes
    qtbot.keyClick(focus(), "1")  # V-1 Yes: every criterion asked is answered
    assert focus() is grade.final_grade
    assert progress.text() == "5 of 5 answered"
    assert grade.suggested_label.text() == "Suggested grade: Outstanding"  # 4.5 of 5: 90 %

    form.set_current(form.cards["V-1"])
    for code in ("P-2", "P-1", "P-0"):
        press(qtbot, Qt.Key.Key_Up, then=code)
    qtbot.keyClick(focus(), "3")  # P-0 No: no plan, so neither P-1 nor P-2 is asked
    assert focus() is form.cards["P-0"].evidence
    qtbot.keyClicks(focus(), "No child protection plan on file.")
    qtbot.keyClick(focus(), Qt.Key.Key_Escape)
    assert shown(form) == ["R-1", "P-0", "V-1"]
    assert review_heading.isHidden() and all(w.isHidden() for w in review_row)
    assert progress.text() == "3 of 3 answered"
    assert grade.compliance.text().startswith("Compliance 67 %")  # R-1, P-0 No, V-1
    assert grade.suggested_label.text() == "Suggested grade: Requires improvement to be good"
    press(qtbot, Qt.Key.Key_Down, then="V-1")  # Down and Up skip the hidden cards
    press(qtbot, Qt.Key.Key_Up, then="P-0")
    form.flush()
    kept = get_audit(window.session.store, form.uid)
    assert kept.answer_value("P-1") == "partly", "a hidden card's answer is kept"
    assert [c.code for c in kept.criteria] == ["R-1", "P-0", "V-1"]

    qtbot.keyClick(focus(), "1")  # P-0 Yes again: P-1 and P-2 are back with their answers
    assert shown(form) == ["R-1", "P-0", "P-1", "P-2", "V-1"]
    assert focus() is form.cards["P-1"].evidence or focus() is form.cards["P-1"]
    assert form.cards["P-1"].value == "partly" and form.cards["P-2"].value == "yes"
    assert progress.text() == "5 of 5 answered"
    assert grade.suggested_label.text() == "Suggested grade: Outstanding"
