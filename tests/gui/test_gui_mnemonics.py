"""Every mnemonic is unique on its screen (item 3 of issue 12): Alt+letter must do one thing.
The walk covers every screen's visible buttons, labels with buddies, tabs and group boxes,
and the menu bar's titles where the menu bar is live (the main window's screens)."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QAbstractButton, QGroupBox, QLabel, QMainWindow, QTabBar, QWidget
from pytestqt.qtbot import QtBot

from auditor.demo import make_demo
from tests.gui.helpers import show_main_window
from tests.gui.screens_walk import (
    Screen,
    audit_form_screens,
    dialog_screens,
    import_wizard_screens,
    main_window_screens,
)
from ui.main_window import MainWindow
from ui.session import Session

_MNEMONIC = re.compile(r"&([^&\s])")


def mnemonic(text: str) -> str | None:
    """The letter after a single & ("Re&open" → "o"); "&&" is a plain ampersand."""
    found = _MNEMONIC.search(text.replace("&&", ""))
    return found.group(1).casefold() if found else None


def mnemonics(top: QWidget) -> dict[str, list[str]]:
    """letter → what on ``top`` answers Alt+letter (visible things only)."""
    found: dict[str, list[str]] = defaultdict(list)

    def add(text: str, what: str) -> None:
        letter = mnemonic(text)
        if letter:
            found[letter].append(f"{what} '{text}'")

    if isinstance(top, QMainWindow):
        for action in top.menuBar().actions():
            if action.isVisible():
                add(action.text(), "menu")
    for widget in top.findChildren(QWidget):
        if not widget.isVisible():
            continue
        if isinstance(widget, QAbstractButton):
            add(widget.text(), type(widget).__name__)
        elif isinstance(widget, QLabel) and widget.buddy() is not None:
            add(widget.text(), "label")
        elif isinstance(widget, QGroupBox):
            add(widget.title(), "group box")
        elif isinstance(widget, QTabBar):
            for index in range(widget.count()):
                if widget.isTabVisible(index):
                    add(widget.tabText(index), "tab")
    return found


def collisions(screens: Iterator[Screen]) -> list[str]:
    problems = []
    seen = 0
    for name, top in screens:
        seen += 1
        for letter, users in sorted(mnemonics(top).items()):
            if len(users) > 1:
                problems.append(f"{name}: Alt+{letter.upper()} is " + " and ".join(users))
    assert seen, "no screen was shown"
    return problems


@pytest.fixture
def busy_window(qtbot: QtBot, session: Session) -> Iterator[MainWindow]:
    make_demo(session.store, cases=60, audits=40, seed=3)
    win = show_main_window(qtbot, session)
    yield win
    win.close()


def test_mnemonic_reads_the_letter_after_a_single_ampersand() -> None:
    assert mnemonic("Re&open") == "o" and mnemonic("&File") == "f"
    assert mnemonic("Tom && Jerry") is None and mnemonic("Plain") is None


def test_every_view_has_unique_mnemonics(qtbot: QtBot, busy_window: MainWindow) -> None:
    problems = collisions(main_window_screens(qtbot, busy_window))
    assert not problems, "\n".join(problems)


def test_dialogs_have_unique_mnemonics(busy_window: MainWindow) -> None:
    problems = collisions(dialog_screens(busy_window))
    assert not problems, "\n".join(problems)


def test_import_wizard_has_unique_mnemonics(
    qtbot: QtBot, busy_window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    problems = collisions(import_wizard_screens(qtbot, busy_window, tmp_path, monkeypatch))
    assert not problems, "\n".join(problems)


def test_audit_form_and_moderation_have_unique_mnemonics(
    qtbot: QtBot, busy_window: MainWindow
) -> None:
    """The audit form (item 3: the Feedback tab's Alt+E) and moderation belong to other
    parts of issue 12; this test names the collisions still there."""
    problems = collisions(audit_form_screens(qtbot, busy_window))
    assert not problems, "\n".join(problems)


def test_every_menu_has_unique_mnemonics(busy_window: MainWindow) -> None:
    """Inside an open menu Alt is not needed: the letter alone picks the item, so two items
    with one letter make the key cycle between them instead of choosing."""
    clashes = []
    menus = [action.menu() for action in busy_window.menuBar().actions() if action.menu()]
    for menu in menus:
        seen: dict[str, list[str]] = defaultdict(list)
        for action in menu.actions():
            letter = mnemonic(action.text())
            if letter and action.isVisible():
                seen[letter].append(action.text())
        clashes += [
            f"{menu.title()}: {', '.join(texts)}" for texts in seen.values() if len(texts) > 1
        ]
    assert clashes == []
