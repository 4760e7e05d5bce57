"""The lists by keyboard: Find in the register with several words and the way back from an
empty result; safeguarding actions marked and first in Actions."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from auditor.audits.actions import list_all_actions
from auditor.demo import make_demo
from ui.actions.model import ACTION_COLUMNS
from ui.actions.view import ActionsView
from ui.cases.view import CasesView
from ui.main_window import MainWindow
from ui.session import Session


def _find(qtbot: QtBot, cases: CasesView, text: str) -> None:
    """Ctrl+F, type ``text`` over what is there, Enter (the filter runs at once)."""
    qtbot.keyClick(cases, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is cases.text
    cases.text.selectAll()
    qtbot.keyClicks(cases.text, text)
    qtbot.keyClick(cases.text, Qt.Key.Key_Return)


def test_find_matches_every_word_in_any_field(qtbot: QtBot, window: MainWindow) -> None:
    cases = window.page("cases")
    assert isinstance(cases, CasesView)
    # A team such as "Demo Safeguarding Team North": its kind and its side are two words
    # of one field; each team serves one case type, whose words are in another field.
    team = sorted({r.team for r in cases.model.rows if r.team.endswith(("North", "South"))})[0]
    kind, side = team.split()[1], team.split()[-1]
    members = {r.uid for r in cases.model.rows if r.team == team}
    type_word = {r.case_type for r in cases.model.rows if r.team == team}.pop().split("_")[-1]
    _find(qtbot, cases, f"{kind.lower()} {side.lower()}")
    assert {r.uid for r in cases.model.rows} == members
    _find(qtbot, cases, f"{side}  {type_word.upper()}")  # a case type word, another order
    assert {r.uid for r in cases.model.rows} == members
    worker = cases.model.rows[0].worker
    reference = cases.model.rows[0].reference
    _find(qtbot, cases, f"{worker.split()[-1]} {reference[-4:]} {side.lower()}")
    assert [r.reference for r in cases.model.rows] == [reference]
    assert cases.table.isVisible() and not cases.empty.isVisible()


def test_an_empty_result_says_so_and_clears_by_keyboard(qtbot: QtBot, window: MainWindow) -> None:
    cases = window.page("cases")
    assert isinstance(cases, CasesView)
    cases.status.setCurrentIndex(cases.status.findData("open"))
    _find(qtbot, cases, "safeguarding nowhere")
    assert cases.model.rowCount() == 0
    assert not cases.table.isVisible() and cases.empty.isVisible()
    assert cases.no_match.text() == (
        "No case matches “safeguarding nowhere” with the team, type and status chosen."
    )
    qtbot.keyClick(cases.text, Qt.Key.Key_Tab)  # to the team, the type, the status...
    for _ in range(20):
        if QApplication.focusWidget() is cases.clear_button:
            break
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is cases.clear_button, "Tab reaches Clear the filters"
    qtbot.keyClick(cases.clear_button, Qt.Key.Key_Space)
    assert cases.model.rowCount() == 12 and cases.text.text() == ""
    assert cases.status.currentIndex() == 0
    assert cases.table.isVisible() and not cases.empty.isVisible()
    assert QApplication.focusWidget() is cases.table
    _find(qtbot, cases, "nothing like this")
    assert cases.no_match.text() == "No case matches “nothing like this”."
    qtbot.keyClick(cases.text, Qt.Key.Key_L, Qt.KeyboardModifier.AltModifier)  # C&lear
    qtbot.wait_until(lambda: cases.model.rowCount() == 12)  # a mnemonic clicks after a beat


def test_safeguarding_actions_are_marked_and_first(qtbot: QtBot, session: Session) -> None:
    make_demo(session.store, cases=40, audits=40, seed=2)
    with session.store.atomic():  # two audits with actions flag a concern (demo: 2 % do)
        session.store.execute(
            "UPDATE audits SET safeguarding_concern = 1 WHERE id IN (SELECT audit_id FROM "
            "actions WHERE status = 'open' ORDER BY due_date DESC LIMIT 2)"
        )
    view = ActionsView(session)
    qtbot.add_widget(view)
    view.show()
    view.shown()
    urgent = [r for r in view.model.rows if r.comes_first]
    assert urgent and len(urgent) < view.model.rowCount(), "the demo has both kinds"
    column = next(i for i, c in enumerate(ACTION_COLUMNS) if c.title == "Safeguarding")
    for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
        for sort_column in (0, 2):  # by what must change, by due date
            view.table.sortByColumn(sort_column, order)
            leading = view.model.rows[: len(urgent)]
            assert all(r.comes_first for r in leading), (sort_column, order)
    first = view.model.index(0, column)
    assert first.data() == "⚠ Safeguarding"  # in words...
    assert first.data(Qt.ItemDataRole.BackgroundRole) is not None  # ...and in colour
    ordinary = view.model.rows.index(next(r for r in view.model.rows if not r.safeguarding))
    assert view.model.index(ordinary, column).data() == ""
    core = list_all_actions(session.store)  # the core's own order leads with them too
    assert all(r.comes_first for r in core[: len(urgent)])
