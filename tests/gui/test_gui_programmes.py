"""The Programmes screen through real widgets: create a programme, draw its sample (preview,
then save) and check it against the core's own draw for the same seed, the exclusion window,
sharing evenly, assigning by hand, double audits, re-checking the seed, bad input and Cancel."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import date, timedelta
from typing import Any

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QApplication, QInputDialog, QWidget
from pytestqt.qtbot import QtBot

from auditor.audits.records import start_audit
from auditor.clock import today
from auditor.programmes.assignment import auditor_lists, programme_cases
from auditor.programmes.records import create_programme, find_programme, list_programmes
from auditor.programmes.samples import check_sample_records, draw_for_programme
from auditor.programmes.sampling import SampleSpec
from auditor.store import Store
from tests.gui.helpers import message_boxes, unlabelled
from ui.main_window import MainWindow
from ui.operations import OperationRunner
from ui.programmes.draw_sample import DrawSampleDialog
from ui.programmes.new_programme import NewProgrammeDialog
from ui.programmes.sample_preview import EMPTY
from ui.programmes.view import ProgrammesView
from ui.session import Changes, Session
from ui.settings import Settings

ASH, BIRCH, CEDAR = "Demo Auditor Ash", "Demo Auditor Birch", "Demo Auditor Cedar"


def visible(kind: type) -> Any:
    return next(w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible())


def sample_references(store: Store, uid: str) -> list[str]:
    return sorted(c.reference for c in programme_cases(store, uid))


@pytest.fixture
def view(qtbot: QtBot, window: MainWindow) -> ProgrammesView:
    qtbot.keyClick(window.nav, Qt.Key.Key_6, Qt.KeyboardModifier.ControlModifier)
    page = window.page("programmes")
    assert isinstance(page, ProgrammesView) and window.current_view == "programmes"
    return page


def make_programme(view: ProgrammesView, *, auditors: tuple[str, ...] = (ASH, BIRCH),
                   double: float = 0.0) -> str:  # fmt: skip
    uid = create_programme(view.session.store, actor="Test", name="Demo dip sample",
                           framework_code="IN-CFA", auditors=auditors,
                           double_audit_percent=double)  # fmt: skip
    view._on_created(uid)
    assert view.panel.title.text() == "Demo dip sample"
    return uid


def open_draw(view: ProgrammesView) -> DrawSampleDialog:
    view.panel.buttons["draw"].click()
    dialog = visible(DrawSampleDialog)
    assert isinstance(dialog, DrawSampleDialog)
    return dialog


def preview_and_save(dialog: DrawSampleDialog) -> None:
    if dialog.preview_panel.sample is None:
        assert not dialog.save_button.isEnabled(), "nothing is saved before a preview"
        dialog.preview_button.click()
    assert dialog.save_button.isEnabled()
    dialog.save_button.click()
    assert not dialog.isVisible()


def test_create_a_programme_through_the_dialog(qtbot: QtBot, view: ProgrammesView) -> None:
    before = view.model.total
    view.new_button.click()
    dialog = visible(NewProgrammeDialog)
    assert unlabelled(dialog) == []
    qtbot.keyClicks(dialog.name, "Demo dip sample June")
    qtbot.keyClicks(dialog.auditors, ASH)
    qtbot.keyClick(dialog.auditors, Qt.Key.Key_Return)  # one name a line
    qtbot.keyClicks(dialog.auditors, BIRCH)
    dialog.double_percent.setValue(10)
    dialog.ok.click()
    assert not dialog.isVisible()
    programme = find_programme(view.session.store, "Demo dip sample June")
    assert programme.auditors == (ASH, BIRCH) and programme.framework_code == "IN-CFA"
    assert programme.due_date == dialog.due.date().toPython()
    assert programme.double_audit_percent == 10
    assert view.model.total == before + 1 and view.selected_uid() == programme.uid
    assert view.panel.title.text() == "Demo dip sample June"
    assert f"Auditors: {ASH}, {BIRCH}." in view.panel.facts.text()
    assert "Double audits: 10 %" in view.panel.facts.text()
    assert view.panel.draws.text() == "No sample drawn yet."
    assert view.panel.model.rowCount() == 0 and not view.panel.buttons["evenly"].isEnabled()


def test_an_empty_name_is_refused_and_nothing_is_created(view: ProgrammesView) -> None:
    before = len(list_programmes(view.session.store))
    view.new_button.click()
    dialog = visible(NewProgrammeDialog)
    dialog.name.setText("   ")
    dialog.ok.click()
    boxes = message_boxes("userErrorDialog")
    assert len(boxes) == 1 and "needs a name" in boxes[0].text()
    boxes[0].close()
    assert dialog.isVisible(), "what was typed is kept for the user to correct"
    assert len(list_programmes(view.session.store)) == before
    dialog.reject()


def test_stratified_draw_with_a_fixed_seed_matches_the_core(view: ProgrammesView) -> None:
    store = view.session.store
    uid = make_programme(view)
    dialog = open_draw(view)
    assert unlabelled(dialog) == []
    assert dialog.choices.exclude_months.value() == 12 and dialog.choices.seed.value() >= 0
    dialog.choices.choose("stratified", "number")
    dialog.choices.by_type.setChecked(True)
    dialog.choices.n.setValue(6)
    dialog.choices.seed.setValue(4242)
    expected = draw_for_programme(store, uid, SampleSpec(
        method="stratified", by=("team", "case_type"), n=6, exclude_months=12, seed=4242,
        reference_date=today(),
    ))  # fmt: skip
    dialog.preview_button.click()
    preview = dialog.preview_panel
    assert preview.summary.text() == "12 eligible cases. Would draw 6 cases with seed 4242."
    assert preview.strata.rowCount() == len(expected.strata)
    drawn = [int(preview.strata.item(r, 2).text()) for r in range(preview.strata.rowCount())]
    assert drawn == [s.sampled for s in expected.strata] and sum(drawn) == 6
    preview_and_save(dialog)
    wanted = sorted(c.reference for c in expected.cases)
    assert sample_references(store, uid) == wanted
    assert sorted(r.reference for r in view.panel.model.rows) == wanted
    assert "stratified by team and case type" in view.panel.draws.text()
    assert "seed 4242" in view.panel.draws.text()
    assert view.panel.message.text() == "✓ 6 cases added to the sample."
    assert Counter(c.auditor for c in programme_cases(store, uid)) == {ASH: 3, BIRCH: 3}
    row = view.model.row_of_uid(uid)
    assert [view.model.index(row, column).data() for column in (1, 2, 3)] == ["6", "0", "0"]
    tooltip = view.model.index(row, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert tooltip == "Demo dip sample: 6 cases, 0 audits started, 0 submitted"
    view.panel.buttons["check"].click()
    assert view.panel.check_result.text().startswith("✓ Checked: drawing the draw again")
    assert check_sample_records(store, uid) == []


def test_the_exclusion_window_leaves_out_recent_audits(view: ProgrammesView) -> None:
    store = view.session.store
    cases = store.query("SELECT uid, reference FROM cases ORDER BY reference")
    for case, months_ago in zip(cases, (2, 11, 14), strict=False):
        start_audit(store, case_uid=case["uid"], auditor=ASH, framework_code="IN-CFA",
                    audit_date=today() - timedelta(days=30 * months_ago))  # fmt: skip
    uid = make_programme(view)
    dialog = open_draw(view)
    dialog.choices.choose("random", "number")
    dialog.choices.n.setValue(50)  # more than there are: the preview says so before saving
    dialog.preview_button.click()
    assert dialog.preview_panel.summary.text().startswith("10 eligible cases. Would draw 10")
    notes = dialog.preview_panel.notes.text()
    assert "2 cases audited in the 12 months before" in notes
    assert "50 cases asked for but 10 eligible: all taken" in notes
    preview_and_save(dialog)
    sampled = sample_references(store, uid)
    assert len(sampled) == 10
    assert cases[0]["reference"] not in sampled and cases[1]["reference"] not in sampled
    assert cases[2]["reference"] in sampled, "audited 14 months ago: outside the window"


def test_assign_evenly_gives_lists_that_differ_by_at_most_one(view: ProgrammesView) -> None:
    store = view.session.store
    uid = make_programme(view, auditors=(ASH, BIRCH, CEDAR))
    dialog = open_draw(view)
    dialog.choices.n.setValue(10)
    dialog.choices.share.setChecked(False)
    preview_and_save(dialog)
    panel = view.panel
    panel.auditor_filter.setCurrentIndex(panel.auditor_filter.findData(""))
    assert panel.model.rowCount() == 10 and {r.auditor for r in panel.model.rows} == {""}
    assert panel.model.index(0, 3).data() == "(unassigned)"
    panel.buttons["evenly"].click()
    sizes = {name: len(cases) for name, cases in auditor_lists(store, uid).items()}
    assert sum(sizes.values()) == 10 and "" not in sizes
    assert max(sizes.values()) - min(sizes.values()) <= 1
    assert panel.message.text() == "✓ 10 cases shared evenly."
    assert panel.model.rowCount() == 0  # still showing the unassigned: none are left
    for name in (ASH, BIRCH, CEDAR):
        panel.auditor_filter.setCurrentIndex(panel.auditor_filter.findData(name))
        mine = sorted(r.reference for r in panel.model.rows)
        assert mine == sorted(c.reference for c in programme_cases(store, uid, auditor=name))
        assert f"Showing {sizes[name]} · " in panel.sizes.text()


def test_assign_by_hand_and_add_an_auditor(qtbot: QtBot, view: ProgrammesView) -> None:
    store = view.session.store
    uid = make_programme(view)
    dialog = open_draw(view)
    dialog.choices.n.setValue(4)
    preview_and_save(dialog)
    panel = view.panel
    panel.buttons["add_auditor"].click()
    ask = visible(QInputDialog)
    ask.setTextValue(CEDAR)
    ask.accept()
    assert CEDAR in find_programme(store, uid).auditors
    assert panel.message.text() == f"✓ {CEDAR} added to the programme."
    assert panel.assign_to.findData(CEDAR) >= 0
    selection = panel.table.selectionModel()
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    for row in (0, 2):
        selection.select(panel.model.index(row, 0), flags)
    chosen = panel.selected_references()
    assert len(chosen) == 2
    panel.assign_to.setCurrentIndex(panel.assign_to.findData(CEDAR))
    panel.buttons["assign"].click()
    by_reference = {c.reference: c.auditor for c in programme_cases(store, uid)}
    assert [by_reference[r] for r in chosen] == [CEDAR, CEDAR]
    assert Counter(by_reference.values())[CEDAR] == 2
    assert panel.message.text() == f"✓ 2 cases given to {CEDAR}."
    assert f"{CEDAR} 2" in panel.sizes.text()


def test_double_audits_get_a_second_auditor(view: ProgrammesView) -> None:
    store = view.session.store
    uid = make_programme(view, double=50)
    panel = view.panel
    assert panel.buttons["double"].isVisible() and not panel.buttons["double"].isEnabled()
    dialog = open_draw(view)
    dialog.choices.n.setValue(4)
    preview_and_save(dialog)
    assert panel.table.isColumnHidden(4)
    panel.buttons["double"].click()
    seconds = [c for c in programme_cases(store, uid) if c.second_auditor]
    assert len(seconds) == 2 and all(c.second_auditor != c.auditor for c in seconds)
    assert not panel.table.isColumnHidden(4) and not panel.buttons["double"].isEnabled()
    assert panel.message.text() == "✓ 2 cases will be audited twice."


def test_unknown_hand_picked_references_are_named_and_nothing_is_saved(
    view: ProgrammesView,
) -> None:
    store = view.session.store
    uid = make_programme(view)
    dialog = open_draw(view)
    dialog.choices.choose("hand")
    assert not dialog.choices.n.isEnabled() and dialog.choices.references.isEnabled()
    known = store.scalar("SELECT reference FROM cases ORDER BY reference")
    dialog.choices.references.setPlainText(f"{known}\nNOT-A-CASE-1")
    dialog.preview_button.click()
    boxes = message_boxes("userErrorDialog")
    assert len(boxes) == 1 and "is not a case here" in boxes[0].text()
    assert "NOT-A-CASE-1" in boxes[0].informativeText()
    boxes[0].close()
    assert dialog.preview_panel.summary.text() == EMPTY and not dialog.save_button.isEnabled()
    dialog.choices.choose("stratified", "number")
    dialog.choices.by_team.setChecked(False)
    dialog.preview_button.click()
    boxes = message_boxes("userErrorDialog")
    assert len(boxes) == 1 and "what to stratify by" in boxes[0].informativeText()
    boxes[0].close()
    dialog.reject()
    assert programme_cases(store, uid) == [] and find_programme(store, uid).sample is None


def test_a_changed_choice_needs_a_new_preview(view: ProgrammesView) -> None:
    make_programme(view)
    dialog = open_draw(view)
    dialog.preview_button.click()
    assert dialog.save_button.isEnabled()
    dialog.choices.seed.setValue(dialog.choices.seed.value() + 1)
    assert not dialog.save_button.isEnabled()
    assert "press Preview again" in dialog.preview_panel.summary.text()
    dialog.reject()


def test_cancel_stops_the_draw_off_the_gui_thread(
    qtbot: QtBot, demo_session: Session, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ui.programmes.draw_sample as module

    store = demo_session.store
    uid = create_programme(store, actor="Test", name="Demo dip sample", framework_code="IN-CFA",
                           auditors=[ASH])  # fmt: skip
    threaded = OperationRunner()
    session = Session(store, threaded, settings, Changes())
    started, release = threading.Event(), threading.Event()
    threads: list[int] = []  # idents: current_thread() would register a dummy thread

    def slow_draw(worker_store: Store, programme_uid: str, spec: SampleSpec) -> Any:
        threads.append(threading.get_ident())
        started.set()
        release.wait(10)  # a very large register, being read
        return draw_for_programme(worker_store, programme_uid, spec)

    monkeypatch.setattr(module, "draw_for_programme", slow_draw)
    parent = QWidget()
    qtbot.add_widget(parent)
    dialog = DrawSampleDialog(session, find_programme(store, uid), parent)
    dialog.open()
    dialog.preview_button.click()
    assert started.wait(5)
    progress = dialog.progress
    assert progress is not None and progress.isVisible()
    progress.cancel_button.click()
    release.set()
    qtbot.wait_until(lambda: not progress.isVisible(), timeout=5000)
    assert threaded.wait_for_done(5000)
    assert threads and threads[0] != threading.main_thread().ident
    assert dialog.preview_panel.summary.text() == EMPTY and not dialog.save_button.isEnabled()
    assert message_boxes() == []
    assert programme_cases(store, uid) == []
    dialog.reject()


def test_a_case_added_elsewhere_shows_when_the_view_is_shown_again(
    window: MainWindow, view: ProgrammesView
) -> None:
    uid = create_programme(view.session.store, actor="Test", name="Made elsewhere",
                           framework_code="IN-CFA", period_start=date(2099, 1, 1))  # fmt: skip
    window.show_view("cases")
    window.show_view("programmes")
    assert view.model.row_of_uid(uid) == 0  # newest period first


def test_enter_on_a_sampled_case_opens_my_audit_blind_when_i_am_its_second_auditor(
    qtbot: QtBot, view: ProgrammesView, window: MainWindow
) -> None:
    from tests.gui.conftest import AUDITOR

    store = view.session.store
    uid = make_programme(view, auditors=(AUDITOR, BIRCH), double=100)
    dialog = open_draw(view)
    dialog.choices.n.setValue(4)
    preview_and_save(dialog)
    view.panel.buttons["double"].click()  # every case: one of us first, the other second
    panel = view.panel

    def press_enter_on(case: Any) -> None:
        row = next(n for n, r in enumerate(panel.model.rows) if r.case_uid == case.case_uid)
        panel.table.setCurrentIndex(panel.model.index(row, 0))
        qtbot.keyClick(panel.table, Qt.Key.Key_Return)

    second = next(c for c in programme_cases(store, uid) if c.second_auditor == AUDITOR)
    press_enter_on(second)
    form = window.audit_form
    assert form is not None and window.current_view == "audit"
    row = store.one("SELECT uid, auditor, blind FROM audits WHERE uid = ?", [form.uid])
    assert row is not None and row["auditor"] == AUDITOR and row["blind"] == 1
    window.show_view("programmes")
    press_enter_on(second)  # the same audit again, not a second one
    assert window.audit_form is not None and window.audit_form.uid == row["uid"]
    assert store.scalar("SELECT COUNT(*) FROM audits") == 1
    window.show_view("programmes")
    first = next(c for c in programme_cases(store, uid) if c.auditor == AUDITOR)
    press_enter_on(first)
    assert window.audit_form is not None
    assert store.scalar("SELECT blind FROM audits WHERE uid = ?", [window.audit_form.uid]) == 0


def test_enter_on_someone_elses_case_says_whose_it_is_and_starts_nothing(
    qtbot: QtBot, view: ProgrammesView
) -> None:
    make_programme(view, auditors=(BIRCH, CEDAR))
    dialog = open_draw(view)
    dialog.choices.n.setValue(2)
    preview_and_save(dialog)
    view.panel.table.setCurrentIndex(view.panel.model.index(0, 0))
    qtbot.keyClick(view.panel.table, Qt.Key.Key_Return)
    [box] = message_boxes()
    assert "is not assigned to Test Auditor" in box.text()
    box.close()
    assert view.session.store.scalar("SELECT COUNT(*) FROM audits") == 0


def test_starting_an_audit_of_a_case_sampled_for_me_files_it_under_that_programme(
    view: ProgrammesView,
) -> None:
    from tests.gui.conftest import AUDITOR
    from ui.cases.start_audit import StartAuditDialog

    store = view.session.store
    uid = make_programme(view, auditors=(BIRCH, AUDITOR), double=100)
    dialog = open_draw(view)
    dialog.choices.n.setValue(2)
    preview_and_save(dialog)
    view.panel.buttons["double"].click()
    second = next(c for c in programme_cases(store, uid) if c.second_auditor == AUDITOR)
    start = StartAuditDialog(view.session, second.case_uid)
    assert start.programme.currentData() == uid  # chosen for me
    audit = start.start()
    row = store.one("SELECT blind, programme_id FROM audits WHERE uid = ?", [audit])
    assert row is not None and row["blind"] == 1
    assert row["programme_id"] == store.scalar("SELECT id FROM programmes WHERE uid = ?", [uid])
    other = next(c for c in store.query("SELECT uid FROM cases") if c["uid"] not in
                 {p.case_uid for p in programme_cases(store, uid)})  # fmt: skip
    assert StartAuditDialog(view.session, other["uid"]).programme.currentData() is None
