"""File → Import framework…, Export framework… and Blank framework template…, through the
File menu with the file dialogs standing in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from auditor.frameworks.library import get_framework, list_frameworks
from auditor.frameworks.workbook import (
    example_framework,
    read_framework_workbook,
    write_blank_template,
)
from tests.gui.helpers import message_boxes
from ui.errors import USER_ERROR
from ui.file_choice import FileDialog
from ui.frameworks.view import FrameworksView
from ui.frameworks.workbook_dialogs import DONE_BOX, ExportFrameworkDialog
from ui.main_window import MainWindow


class Chosen:
    """Stands in for the Open or Save dialog: answers with ``path``, keeps what it was shown."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, name: str, path: Path) -> None:
        self.path = path
        self.suggested: list[str] = []
        monkeypatch.setattr(FileDialog, name, self)

    def __call__(self, _parent: QWidget, _title: str, suggested: str, _filter: str) -> Any:
        self.suggested.append(suggested)
        return str(self.path), _filter


def trigger(window: MainWindow, name: str) -> None:
    action = window.findChild(QAction, name)
    assert action is not None and action in window.menu("file").actions()
    action.trigger()


def local_workbook(tmp_path: Path, code: str = "LOCAL-VISITS") -> Path:
    path = write_blank_template(tmp_path / "local.xlsx")
    book = openpyxl.load_workbook(path)
    book["Framework"]["B2"] = code
    book["Framework"]["B3"] = "Visits dip sample"
    book.save(path)
    return path


def test_import_framework_from_the_file_menu_adds_it_and_the_frameworks_view_shows_it(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window.show_view("frameworks")
    view = window.findChild(FrameworksView)
    assert view is not None
    Chosen(monkeypatch, "getOpenFileName", local_workbook(tmp_path))

    trigger(window, "frameworks_import")

    [done] = message_boxes(DONE_BOX)
    assert done.text() == (
        "Imported the framework Visits dip sample (LOCAL-VISITS version 1.0.0): "
        "1 criterion in 1 section."
    )
    imported = get_framework(window.session.store, "LOCAL-VISITS")
    assert imported.criteria == example_framework().criteria
    assert [view.choice.itemText(i) for i in range(view.choice.count())][-1] == (
        "Visits dip sample (LOCAL-VISITS 1.0.0)"
    )
    done.close()


def test_a_workbook_with_problems_lists_them_all_and_imports_nothing(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = local_workbook(tmp_path, "BROKEN")
    book = openpyxl.load_workbook(path)
    book["Criteria"]["E2"] = "yes_maybe"
    book["Criteria"]["G2"] = "lots"
    book.save(path)
    Chosen(monkeypatch, "getOpenFileName", path)
    before = len(list_frameworks(window.session.store))

    trigger(window, "frameworks_import")

    [error] = message_boxes(USER_ERROR)
    assert error.text() == "The workbook local.xlsx has 2 problems; nothing was imported"
    detail = error.informativeText()
    assert "Criteria, row 2, column Scale: &#x27;yes_maybe&#x27; is not a scale" in detail
    assert "Criteria, row 2, column Target: &#x27;lots&#x27; is not a percentage" in detail
    assert len(list_frameworks(window.session.store)) == before
    error.close()


def test_export_framework_writes_the_chosen_framework_as_a_workbook(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    trigger(window, "frameworks_export")
    [dialog] = [w for w in QApplication.topLevelWidgets() if isinstance(w, ExportFrameworkDialog)
                and w.isVisible()]  # fmt: skip
    index = next(i for i, f in enumerate(dialog.frameworks) if f.code == "IN-CFA")
    dialog.choice.setCurrentIndex(index)
    save_as = Chosen(monkeypatch, "getSaveFileName", tmp_path / "in-cfa")

    dialog.export_button.click()

    assert Path(save_as.suggested[0]).name == "IN-CFA-1.0.0.xlsx"
    assert not dialog.isVisible()
    [done] = message_boxes(DONE_BOX)
    assert str(tmp_path / "in-cfa.xlsx") in done.informativeText()
    builtin = get_framework(window.session.store, "IN-CFA")
    assert read_framework_workbook(tmp_path / "in-cfa.xlsx") == builtin
    done.close()


def test_blank_template_from_the_file_menu(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    save_as = Chosen(monkeypatch, "getSaveFileName", tmp_path / "blank.xlsx")

    trigger(window, "frameworks_template")

    assert Path(save_as.suggested[0]).name == "framework-template.xlsx"
    [done] = message_boxes(DONE_BOX)
    assert done.text() == "The blank framework workbook is saved."
    assert read_framework_workbook(tmp_path / "blank.xlsx") == example_framework()
    done.close()
