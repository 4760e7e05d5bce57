"""The crosswalk dialog, opened from the Frameworks screen: propose, adjust a row, save."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from auditor.frameworks.crosswalk import Kind, load_crosswalk
from tests import crosswalk_data as data
from ui.frameworks.view import FrameworksView
from ui.session import Session


def test_propose_adjust_one_row_and_save(qtbot: QtBot, session: Session) -> None:
    data.versions(session.store)
    view = FrameworksView(session)
    qtbot.add_widget(view)
    view.reload()
    view.choice.setCurrentIndex(view.choice.findText("TREND 2.0.0", Qt.MatchFlag.MatchContains))
    qtbot.mouseClick(view.crosswalk_button, Qt.MouseButton.LeftButton)
    dialog = next(d for d in view.children() if d.__class__.__name__ == "CrosswalkDialog")
    qtbot.wait_exposed(dialog)
    assert dialog.old_choice.currentText().endswith("(TREND 1.0.0)")
    assert dialog.new_choice.currentText().endswith("(TREND 2.0.0)")
    save = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
    # The proposal: A-1 continues A-1, the rest are new, four old criteria retired.
    assert [dialog.kind_box(r).currentText() for r in range(4)] == ["Same", "New", "New", "New"]
    assert "A-2, B-1, B-2, C-1" in dialog.retired.text()
    assert save.isEnabled()

    # B-9 merges B-1 and B-2: a kind without its old codes is a problem until they are typed.
    row = dialog.row_of("B-9")
    kind = dialog.kind_box(row)
    kind.setFocus()
    kind.setCurrentIndex(list(Kind).index(Kind.MERGED))
    assert "B-9 is merged: it continues two or more old criteria, not 0." in dialog.problems.text()
    assert not save.isEnabled()
    edit = dialog.continues_edit(row)
    edit.setFocus()
    qtbot.keyClicks(edit, "B-1, B-2")
    assert dialog.problems.text() == ""
    assert dialog.retired.text().endswith("A-2, C-1.")
    assert save.isEnabled()
    qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
    assert dialog.result() == dialog.DialogCode.Accepted
    saved = load_crosswalk(session.store, "TREND", "2.0.0")
    assert saved is not None
    assert saved.continuation("B-9").old == ("B-1", "B-2")  # type: ignore[union-attr]
    assert saved.retired == ("A-2", "C-1")

    # Opened again, it shows what was saved, not a fresh proposal.
    again = view.open_crosswalk()
    assert again.kind_box(again.row_of("B-9")).currentText() == "Merged"
    again.reject()
