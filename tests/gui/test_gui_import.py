"""File → Import cases…: the wizard driven through its real widgets on real-looking (and
obviously fake) files, with the database checked afterwards."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QWidget, QWizard
from pytestqt.qtbot import QtBot

from auditor.importing import list_mappings
from auditor.store import Store
from tests.case_files import HEADER, ROWS, rewrite_part, write_csv, write_xlsx
from tests.gui.helpers import message_boxes, unlabelled
from ui.file_choice import FileDialog
from ui.import_cases.wizard import BUTTON_TIPS, ImportWizard, open_import_wizard
from ui.main_window import MainWindow
from ui.operations import Cancelled, OperationRunner, ProgressFn, Work
from ui.session import Changes, Session
from ui.settings import Settings

NEXT = QWizard.WizardButton.NextButton


# -- driving the wizard -------------------------------------------------------------------------


def start(session: Session, parent: QWidget) -> ImportWizard:
    wizard = open_import_wizard(session, parent)
    assert wizard.isVisible() and wizard.currentPage() is wizard.file_page
    return wizard


def choose(wizard: ImportWizard, path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Browse… and pick ``path`` in the (patched) file chooser."""
    monkeypatch.setattr(
        FileDialog, "getOpenFileName", lambda *_a, **_k: (str(path), "Case lists (*.csv *.xlsx)")
    )
    wizard.file_page.browse.click()


def click_next(wizard: ImportWizard) -> None:
    button = wizard.button(NEXT)
    assert button.isEnabled(), f"{button.text()} is disabled on {wizard.currentPage().title()}"
    button.click()


def cells(model: QAbstractItemModel) -> list[tuple[str, ...]]:
    """A table as the user reads it."""
    return [
        tuple(model.index(r, c).data() for c in range(model.columnCount()))
        for r in range(model.rowCount())
    ]


def case_rows(store: Store) -> dict[str, dict[str, Any]]:
    return {r["reference"]: r for r in store.query("SELECT * FROM cases")}


def case_count(store: Store) -> int:
    return int(store.scalar("SELECT COUNT(*) FROM cases"))


# -- files ----------------------------------------------------------------------------------------


def bom_csv(tmp_path: Path) -> Path:
    """UTF-8 with a BOM, as Excel's "CSV UTF-8" writes it; UK dates like 31/01/2026."""
    return write_csv(tmp_path / "cases.csv", [HEADER, *ROWS], bom=True)


BAD_ROWS = [
    HEADER,
    ROWS[0],  # row 2: fine
    ["FAKE-0002", "Martian", "Demo Team 1", "W", "12/01/2026", "", ""],  # 3: unknown type
    ["", "CP", "Demo Team 1", "W", "", "", ""],  # 4: no reference
    ["FAKE-0003", "CP", "Demo Team 1", "W", "31/02/2026", "", ""],  # 5: impossible date
    ["FAKE-0006", "CP", "Demo Team 2", "W", "", "", ""],  # 6 and 7: the same reference
    ["FAKE-0006", "CLA", "Demo Team 2", "W", "", "", ""],
    ROWS[4],  # row 8: fine
]


# -- the tests ------------------------------------------------------------------------------------


def test_file_menu_offers_import_cases_on_ctrl_i(qtbot: QtBot, window: MainWindow) -> None:
    action = next(a for a in window.menu("file").actions() if a.objectName() == "importCases")
    assert action.text() == "&Import cases…"
    assert action.shortcut() == QKeySequence("Ctrl+I")
    action.trigger()
    wizard = next(w for w in QApplication.topLevelWidgets()
                  if isinstance(w, ImportWizard) and w.isVisible())  # fmt: skip
    assert wizard.windowTitle().startswith("Import cases")
    assert wizard.currentPage().title() == "Choose the case list"
    assert not wizard.button(NEXT).isEnabled()  # no file chosen yet
    wizard.reject()


def test_a_bom_csv_with_uk_dates_is_imported_whole(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = window.session
    before = case_count(session.store)
    wizard = start(session, window)
    choose(wizard, bom_csv(tmp_path), monkeypatch)
    assert wizard.file_page.status.text() == (
        "✓ Read cases.csv (UTF-8 with BOM, comma-separated): 5 rows below the header on row 1."
    )
    assert not wizard.file_page.sheet.isVisible()  # a CSV has no sheets
    click_next(wizard)
    assert wizard.currentPage() is wizard.columns_page
    columns = wizard.columns_page.columns
    assert [columns.item(r, 0).text() for r in range(columns.rowCount())] == HEADER
    assert columns.combos["Social Worker"].currentText() == "Allocated worker"
    assert columns.combos["Case Ref"].currentText() == "Case reference (required)"
    assert columns.item(0, 2).text() == "FAKE-0001   ·   FAKE-0002   ·   FAKE-0003"
    assert wizard.columns_page.required.text() == (
        "✓ Case reference: from “Case Ref”     ✓ Case type: from “Case Type”"
    )
    click_next(wizard)
    check = wizard.check_page
    assert check.counts.text() == "✓ All 5 rows can be imported."
    assert check.preview.text().startswith(
        "If you import: 5 new cases will be added, 0 cases updated, 0 unchanged."
    )
    assert not check.problems.isVisible() and not check.valid_only.isVisible()
    assert wizard.button(NEXT).text() == "&Import"
    with qtbot.wait_signal(session.changes.cases_changed):
        click_next(wizard)
    assert wizard.currentPage() is wizard.done_page
    assert wizard.done_page.summary.text().splitlines()[:3] == [
        "✓ cases.csv was imported:",
        "• 5 new cases added",
        "• 0 cases updated",
    ]
    cases = case_rows(session.store)
    assert case_count(session.store) == before + 5
    assert cases["FAKE-0003"]["closed_date"] == "2026-01-31"
    assert cases["FAKE-0001"]["referral_date"] == "2026-01-05"
    assert cases["FAKE-0002"]["worker"] == "Demo Worker 02"
    wizard.button(QWizard.WizardButton.FinishButton).click()
    assert not wizard.isVisible()


def test_a_corrected_mapping_is_saved_and_offered_next_month(
    qtbot: QtBot, session: Session, parent: QWidget, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    header = ["Case Ref", "Case Type", "Team", "Area Team", "Key Contact"]
    rows = [["FAKE-0101", "CIN", "Old Team", "Team North", "Demo Worker A"],
            ["FAKE-0102", "CP", "Old Team", "Team South", "Demo Worker B"]]  # fmt: skip
    wizard = start(session, parent)
    choose(wizard, write_csv(tmp_path / "january.csv", [header, *rows]), monkeypatch)
    click_next(wizard)
    page = wizard.columns_page
    combos = page.columns.combos
    assert combos["Key Contact"].currentText() == "Not imported"  # not a heading it knows
    assert combos["Team"].currentData() == "team"
    combos["Key Contact"].setCurrentIndex(combos["Key Contact"].findData("worker"))
    combos["Area Team"].setCurrentIndex(combos["Area Team"].findData("team"))
    assert combos["Team"].currentText() == "Not imported"  # a detail reads one column
    assert page.note.isVisible()
    assert page.note.text() == "Team now comes from “Area Team”; “Team” is no longer imported."
    assert not page.save_button.isEnabled()
    page.save_name.setText("Monthly list")
    page.save_button.click()
    assert page.saved.isVisible()
    assert page.saved.text().startswith("✓ Saved as “Monthly list”")
    assert list_mappings(session.store) == ["Monthly list"]
    click_next(wizard)
    click_next(wizard)
    cases = case_rows(session.store)
    assert (cases["FAKE-0101"]["team"], cases["FAKE-0101"]["worker"]) == (
        "Team North", "Demo Worker A",
    )  # fmt: skip
    wizard.button(QWizard.WizardButton.FinishButton).click()

    # Next month's file has its columns in another order and one more case.
    header2 = ["Key Contact", "Area Team", "Case Type", "Case Ref", "Team"]
    rows2 = [["Demo Worker C", "Team East", "CLA", "FAKE-0103", "Old Team"]]
    again = start(session, parent)
    offered = [again.file_page.mapping.itemText(i) for i in range(again.file_page.mapping.count())]
    assert offered == ["Guess from the column headings", "Saved mapping: Monthly list"]
    assert again.file_page.mapping.currentText() == "Saved mapping: Monthly list"
    choose(again, write_csv(tmp_path / "february.csv", [header2, *rows2]), monkeypatch)
    click_next(again)
    combos = again.columns_page.columns.combos
    assert combos["Key Contact"].currentData() == "worker"
    assert combos["Area Team"].currentData() == "team"
    assert combos["Team"].currentText() == "Not imported"
    assert again.columns_page.save_name.text() == "Monthly list"
    assert not again.columns_page.note.isVisible()

    # A file without one of the saved mapping's columns: the page says which.
    again.back()
    header3 = ["Case Ref", "Case Type", "Area Team"]
    choose(
        again,
        write_csv(tmp_path / "march.csv", [header3, ["FAKE-0104", "CLA", "Team East"]]),
        monkeypatch,
    )
    click_next(again)
    assert again.columns_page.note.isVisible()
    assert again.columns_page.note.text() == (
        "⚠ The saved mapping “Monthly list” reads columns this file does not have: "
        "Allocated worker (from a column “Key Contact”). Choose them below."
    )


def test_problems_are_listed_by_row_column_and_value_and_only_valid_rows_imported(
    qtbot: QtBot, session: Session, parent: QWidget, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    before = case_count(session.store)
    wizard = start(session, parent)
    choose(wizard, write_csv(tmp_path / "cases.csv", BAD_ROWS), monkeypatch)
    click_next(wizard)
    # "Martian" is not a case type this app knows: it may be mapped, but is left as it is.
    words = wizard.columns_page.words
    assert words.isVisible() and list(words.combos) == ["Martian"]
    click_next(wizard)
    check = wizard.check_page
    assert check.counts.text() == (
        "⚠ 7 rows checked: 2 can be imported, 5 have problems (5 problems, listed below)."
    )
    shown = cells(check.problems_model)
    assert [row[:3] for row in shown] == [
        ("3", "Case Type", "Martian"),
        ("4", "Case Ref", ""),
        ("5", "Referral Date", "31/02/2026"),
        ("6", "Case Ref", "FAKE-0006"),
        ("7", "Case Ref", "FAKE-0006"),
    ]
    assert shown[0][3].startswith("Unknown case type (known: Early help")
    assert shown[1][3] == "Missing case reference"
    assert shown[2][3] == "31/02/2026 is not a real date"
    assert shown[3][3] == "The same reference is on rows 6, 7"
    # The default is not to import a file with problems.
    assert check.fix_first.isChecked() and not wizard.button(NEXT).isEnabled()
    assert check.valid_only.text() == (
        "Import &only the 2 valid rows; leave out the 5 rows with problems"
    )
    check.valid_only.click()
    assert wizard.button(NEXT).isEnabled()
    assert check.preview.text().startswith(
        "If you import the 2 valid rows: 2 new cases will be added"
    )
    click_next(wizard)
    assert wizard.done_page.summary.text().splitlines()[-1] == "• 5 rows with problems left out"
    assert set(case_rows(session.store)) == {"FAKE-0001", "FAKE-0005"}
    assert case_count(session.store) == before + 2


def test_a_councils_own_case_type_word_can_be_mapped(
    qtbot: QtBot, session: Session, parent: QWidget, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    rows = [["Case Ref", "Case Type"], ["FAKE-0201", "ICS 12"], ["FAKE-0202", "ICS 12"],
            ["FAKE-0203", "CP"]]  # fmt: skip
    wizard = start(session, parent)
    choose(wizard, write_csv(tmp_path / "cases.csv", rows), monkeypatch)
    click_next(wizard)
    words = wizard.columns_page.words
    combo = words.combos["ICS 12"]
    assert combo.currentText() == "Not sure: leave these rows out"
    labels = [w.text() for w in words.findChildren(type(wizard.file_page.sheet_label))]
    assert "“ICS 12” (2 rows):" in labels
    combo.setCurrentIndex(combo.findData("child_in_need"))
    click_next(wizard)
    assert wizard.check_page.counts.text() == "✓ All 3 rows can be imported."
    click_next(wizard)
    assert case_rows(session.store)["FAKE-0201"]["case_type"] == "child_in_need"


def test_an_xlsx_with_title_and_totals_rows_and_a_chosen_sheet(
    qtbot: QtBot, session: Session, parent: QWidget, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    path = write_xlsx(
        tmp_path / "cases.xlsx",
        [["Open cases, January 2026"], [], HEADER, *ROWS[:3], ["Total", 3]],
        title="Open",
    )
    workbook = openpyxl.load_workbook(path)
    workbook.create_sheet("Closed").append(HEADER)
    workbook["Closed"].append(ROWS[3])
    workbook.save(path)
    wizard = start(session, parent)
    choose(wizard, path, monkeypatch)
    page = wizard.file_page
    assert page.status.text().splitlines() == [
        "✓ Read cases.xlsx, sheet 'Open': 3 rows below the header on row 3.",
        "• Rows above the header (row 3) were skipped as titles.",
        "• Reading stopped at the totals row (row 7).",
    ]
    assert page.sheet.isVisible()
    assert [page.sheet.itemText(i) for i in range(page.sheet.count())] == ["Open", "Closed"]
    page.sheet.setCurrentIndex(1)
    assert (
        page.status.text() == "✓ Read cases.xlsx, sheet 'Closed': 1 row below the header on row 1."
    )
    click_next(wizard)
    click_next(wizard)
    click_next(wizard)
    assert set(case_rows(session.store)) == {"FAKE-0004"}


def test_reimport_updates_by_reference_lists_the_changes_and_never_duplicates(
    qtbot: QtBot, session: Session, parent: QWidget, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    header = ["Case Ref", "Case Type", "Team"]
    january = [["CASE-TEST-0001", "CP", "Team North"], ["CASE-TEST-0002", "CIN", "Team North"]]
    first = write_csv(tmp_path / "january.csv", [header, *january])
    wizard = start(session, parent)
    choose(wizard, first, monkeypatch)
    for _ in range(3):
        click_next(wizard)
    wizard.button(QWizard.WizardButton.FinishButton).click()

    february = [
        ["CASE-TEST-0001", "CP", "Team South"],  # moved team
        ["CASE-TEST-0002", "CIN", "Team North"],  # as it was
        ["CASE-TEST-0003", "CLA", "Team East"],  # new
    ]
    second = write_csv(tmp_path / "february.csv", [header, *february])
    wizard = start(session, parent)
    choose(wizard, second, monkeypatch)
    click_next(wizard)
    click_next(wizard)
    check = wizard.check_page
    assert check.preview.text().startswith(
        "If you import: 1 new case will be added, 1 case updated (1 change, listed below), "
        "1 unchanged."
    )
    assert cells(check.changes_model) == [("CASE-TEST-0001", "Team", "Team North", "Team South")]
    click_next(wizard)
    assert cells(wizard.done_page.changes_model) == [
        ("CASE-TEST-0001", "Team", "Team North", "Team South")
    ]
    assert "• 1 case updated (1 change, listed below)" in wizard.done_page.summary.text()
    references = [r["reference"] for r in session.store.query("SELECT reference FROM cases")]
    assert sorted(references) == ["CASE-TEST-0001", "CASE-TEST-0002", "CASE-TEST-0003"]
    assert case_rows(session.store)["CASE-TEST-0001"]["team"] == "Team South"


class CancelFirstImport(OperationRunner):
    """A synchronous runner whose first import is cancelled at its first progress report,
    as the progress dialog's Cancel button does: ``progress`` raises :class:`Cancelled`."""

    def __init__(self) -> None:
        super().__init__(synchronous=True)
        self.cancels_left = 1

    def run(self, work: Work, **kwargs: Any) -> Any:
        if kwargs.get("label") == "Importing cases" and self.cancels_left:
            self.cancels_left -= 1
            work = self._cancelling(work)
        return super().run(work, **kwargs)

    @staticmethod
    def _cancelling(work: Work) -> Work:
        def cancelled_work(progress: ProgressFn) -> Any:
            def report(done: int, total: int, text: str) -> None:
                progress(done, total, text)
                raise Cancelled("Importing cases")

            return work(report)

        return cancelled_work


def test_cancel_during_the_import_leaves_nothing_imported(
    qtbot: QtBot, full_store: Store, settings: Settings, parent: QWidget, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    runner = CancelFirstImport()
    session = Session(full_store, runner, settings, Changes())
    rows = [["Case Ref", "Case Type", "Team"]]
    rows += [[f"CASE-TEST-{n:04d}", "CP", "Team North"] for n in range(1, 2501)]
    before = (case_count(full_store), full_store.scalar("SELECT COUNT(*) FROM trail"))
    wizard = start(session, parent)
    choose(wizard, write_csv(tmp_path / "cases.csv", rows), monkeypatch)
    click_next(wizard)
    click_next(wizard)
    assert wizard.check_page.counts.text() == "✓ All 2,500 rows can be imported."
    click_next(wizard)  # Import: cancelled after the first 1,000 rows were written
    assert runner.cancels_left == 0
    assert wizard.currentPage() is wizard.check_page
    assert wizard.check_page.outcome.text().startswith(
        "The import was cancelled. Nothing was imported: the database is as it was."
    )
    assert (case_count(full_store), full_store.scalar("SELECT COUNT(*) FROM trail")) == before
    assert message_boxes() == []
    click_next(wizard)  # Import again, not cancelled this time
    assert wizard.currentPage() is wizard.done_page
    assert case_count(full_store) == before[0] + 2500
    assert runner.active == 0


@pytest.mark.parametrize(
    ("name", "make", "message"),
    [
        ("cases.csv", "workbook", "✗ cases.csv is not a CSV file: it is an Excel workbook"),
        ("cases.xlsx", "text", "✗ cases.xlsx is not an Excel workbook (.xlsx): it looks like a "
                               "text (CSV) file; rename it .csv"),
        ("cases.xlsx", "entities", "✗ cases.xlsx contains an XML DOCTYPE or ENTITY declaration"),
        ("cases.xls", "text", "✗ cases.xls: it is an old-style Excel 97-2003 workbook (.xls)"),
    ],
)  # fmt: skip
def test_a_hostile_or_misnamed_file_is_refused_with_a_clear_message(
    qtbot: QtBot, session: Session, parent: QWidget, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, name: str, make: str, message: str,
) -> None:  # fmt: skip
    good = write_xlsx(tmp_path / "good.xlsx", [HEADER, *ROWS])
    path = tmp_path / name
    if make == "workbook":
        path.write_bytes(good.read_bytes())
    elif make == "text":
        write_csv(path, [HEADER, *ROWS])
    else:
        entity = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "a">]><worksheet/>'
        rewrite_part(good, path, "xl/worksheets/sheet1.xml", entity)
    wizard = start(session, parent)
    choose(wizard, path, monkeypatch)
    status = wizard.file_page.status.text()
    assert status.startswith(message)
    assert status.endswith("Choose another file, or save this one as CSV or .xlsx from the "
                           "program that made it.")  # fmt: skip
    assert "Traceback" not in status and message_boxes() == []
    assert not wizard.button(NEXT).isEnabled()
    assert case_count(session.store) == 0


def test_every_page_names_its_controls(
    qtbot: QtBot, session: Session, parent: QWidget, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    problems: list[str] = []
    checked: list[str] = []
    wizard = start(session, parent)
    choose(wizard, write_csv(tmp_path / "cases.csv", BAD_ROWS), monkeypatch)
    for _ in range(3):
        problems += unlabelled(wizard.currentPage(), checked)
        if wizard.currentPage() is wizard.check_page:
            wizard.check_page.valid_only.click()
        click_next(wizard)
    problems += unlabelled(wizard.currentPage(), checked)
    buttons = [wizard.button(which) for which in BUTTON_TIPS]
    problems += [b.text() for b in buttons if not (b.toolTip() and b.accessibleName())]
    assert len(checked) > 15
    assert problems == []


@pytest.fixture
def threaded_session(full_store: Store, settings: Settings, threaded: OperationRunner) -> Session:
    return Session(full_store, threaded, settings, Changes())


def test_reading_checking_and_importing_run_off_the_gui_thread(
    qtbot: QtBot, threaded_session: Session, parent: QWidget, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    rows = [["Case Ref", "Case Type", "Team", "Referral Date"]]
    rows += [[f"CASE-TEST-{n:05d}", "CIN", "Team North", "31/01/2026"] for n in range(1, 3001)]
    gui_thread = threading.current_thread()
    seen: list[threading.Thread] = []
    import ui.import_cases.work as work_module

    real_read = work_module.read_table

    def read_and_note(*args: Any, **kwargs: Any) -> Any:
        seen.append(threading.current_thread())
        return real_read(*args, **kwargs)

    monkeypatch.setattr(work_module, "read_table", read_and_note)
    wizard = start(threaded_session, parent)
    choose(wizard, write_csv(tmp_path / "cases.csv", rows), monkeypatch)
    qtbot.wait_until(lambda: wizard.button(NEXT).isEnabled(), timeout=10_000)
    assert seen and seen[0] is not gui_thread
    click_next(wizard)
    click_next(wizard)
    check = wizard.check_page
    qtbot.wait_until(lambda: check.counts.text() == "✓ All 3,000 rows can be imported.",
                     timeout=10_000)  # fmt: skip
    click_next(wizard)
    qtbot.wait_until(lambda: wizard.currentPage() is wizard.done_page, timeout=20_000)
    assert case_count(threaded_session.store) == 3000


def test_a_typed_path_is_read_once_though_the_field_loses_focus_while_it_is_read(
    qtbot: QtBot, threaded_session: Session, parent: QWidget, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    rows = [["Case Ref", "Case Type", "Team", "Referral Date"]]
    rows += [[f"CASE-TEST-{n:05d}", "CIN", "Team North", "31/01/2026"] for n in range(1, 2001)]
    path = write_csv(tmp_path / "typed.csv", rows)
    reads: list[Path] = []
    gate = threading.Event()
    import ui.import_cases.work as work_module

    real_read = work_module.read_table

    def counted(source: Path, *args: Any, **kwargs: Any) -> Any:
        reads.append(Path(source))
        gate.wait(10)  # still reading while the focus moves
        return real_read(source, *args, **kwargs)

    monkeypatch.setattr(work_module, "read_table", counted)
    wizard = start(threaded_session, parent)
    field = wizard.file_page.path
    field.setFocus()
    qtbot.keyClicks(field, f"  {path}  ")  # as pasted, with spaces around it
    qtbot.keyClick(field, Qt.Key.Key_Return)
    qtbot.wait_until(lambda: bool(reads), timeout=5000)
    field.editingFinished.emit()  # the focus leaves it for the progress dialog
    wizard.file_page.browse.setFocus()
    gate.set()
    qtbot.wait_until(lambda: wizard.button(NEXT).isEnabled(), timeout=10_000)
    assert reads == [path]


def test_the_columns_page_reads_no_row_on_the_gui_thread_to_show_a_file_just_read(
    qtbot: QtBot, threaded_session: Session, parent: QWidget, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """Guessing the columns and counting the unknown case-type words each read every row
    (tens of ms at 50,000 rows): both are done as the file is read, off the GUI thread, and
    the page still lists the words; a column chosen as Case type later has its own counted."""
    import auditor.importing.guessing as guessing
    import ui.import_cases.columns as columns_module

    threads: dict[str, list[threading.Thread]] = {"guess": [], "words": []}

    def noting(kind: str, real: Any) -> Any:
        def note(*args: Any, **kwargs: Any) -> Any:
            threads[kind].append(threading.current_thread())
            return real(*args, **kwargs)

        return note

    monkeypatch.setattr(guessing, "guess_from", noting("guess", guessing.guess_from))
    monkeypatch.setattr(
        columns_module, "parse_case_type", noting("words", columns_module.parse_case_type)
    )
    wizard = start(threaded_session, parent)
    choose(wizard, write_csv(tmp_path / "cases.csv", BAD_ROWS), monkeypatch)
    qtbot.wait_until(lambda: wizard.button(NEXT).isEnabled(), timeout=10_000)
    click_next(wizard)
    page = wizard.columns_page
    assert page.columns.combos["Case Type"].currentData() == "case_type"
    assert page.words.isVisible() and list(page.words.combos) == ["Martian"]
    gui = threading.current_thread()
    assert threads["guess"] and gui not in threads["guess"]
    assert threads["words"] and gui not in threads["words"]

    team = page.columns.combos["Team"]
    team.setCurrentIndex(team.findData("case_type"))  # the user says Team holds the type
    assert list(page.words.combos) == ["Demo Team 1", "Demo Team 2", "Demo Team 3"]
    case_type = page.columns.combos["Case Type"]
    case_type.setCurrentIndex(case_type.findData("case_type"))
    assert list(page.words.combos) == ["Martian"]


# -- guesses from the headers and the values (issue 12, item 11) -----------------------------

ISSUE_HEADER = [
    "Person", "Category", "Referral Dt", "Assessment Start Date", "Assessment Completed Date",
    "Key Contact",
]  # fmt: skip
ISSUE_ROWS = [
    ["DEMO-01-000201", "Child Protection", "05/01/2026", "06/01/2026", "20/02/2026", "Demo A"],
    ["DEMO-01-000202", "Looked After", "12/01/2026", "13/01/2026", "", "Demo B"],
]


def sure(wizard: ImportWizard) -> dict[str, str]:
    """Each column's "How sure" cell, by its heading, as the Columns page shows it."""
    columns = wizard.columns_page.columns
    heading = columns.horizontalHeaderItem(3).text()
    assert heading == "How sure"
    return {columns.item(r, 0).text(): columns.item(r, 3).text() for r in range(columns.rowCount())}


def test_ordinary_headers_and_values_are_guessed_and_every_column_left_out_is_named(
    qtbot: QtBot, session: Session, parent: QWidget, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    wizard = start(session, parent)
    choose(wizard, write_csv(tmp_path / "list.csv", [ISSUE_HEADER, *ISSUE_ROWS]), monkeypatch)
    click_next(wizard)
    combos = wizard.columns_page.columns.combos
    assert {h: combos[h].currentData() for h in ISSUE_HEADER} == {
        "Person": "reference",
        "Category": "case_type",
        "Referral Dt": "referral_date",
        "Assessment Start Date": "assessment_start",
        "Assessment Completed Date": "assessment_end",
        "Key Contact": None,
    }
    assert sure(wizard) == {
        "Person": "From the values (all 2 values different)",
        "Category": "From the values (100 % are case types)",
        "Referral Dt": "From the header",
        "Assessment Start Date": "From the header",
        "Assessment Completed Date": "From the header",
        "Key Contact": "Not sure: no case detail matches it",
    }
    # The user's own choice, by keyboard, says so.
    combos["Key Contact"].setFocus()
    qtbot.keyClicks(combos["Key Contact"], "Allocated")  # type-ahead; a space would open it
    assert combos["Key Contact"].currentData() == "worker"
    assert sure(wizard)["Key Contact"] == "Your choice"
    qtbot.keyClick(combos["Key Contact"], Qt.Key.Key_Home)  # back to "Not imported"
    assert combos["Key Contact"].currentData() is None
    assert sure(wizard)["Key Contact"] == "Your choice: not imported"
    click_next(wizard)
    check = wizard.check_page
    assert check.left_out.isVisible()
    assert check.left_out.text() == (
        "Not imported: Key Contact. Press Back to read it as case details."
    )
    click_next(wizard)
    assert "• Columns not imported: Key Contact" in wizard.done_page.summary.text()
    cases = case_rows(session.store)
    assert cases["DEMO-01-000201"]["assessment_end"] == "2026-02-20"
    assert cases["DEMO-01-000202"]["case_type"] == "looked_after"


def test_after_an_import_the_changes_read_before_and_now(
    qtbot: QtBot, session: Session, parent: QWidget, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    header = ["Case Ref", "Case Type", "Team"]
    first = write_csv(tmp_path / "jan.csv", [header, ["CASE-TEST-0101", "CP", "Team North"]])
    wizard = start(session, parent)
    choose(wizard, first, monkeypatch)
    for _ in range(3):
        click_next(wizard)
    wizard.button(QWizard.WizardButton.FinishButton).click()
    second = write_csv(tmp_path / "feb.csv", [header, ["CASE-TEST-0101", "CP", "Team South"]])
    wizard = start(session, parent)
    choose(wizard, second, monkeypatch)
    click_next(wizard)
    click_next(wizard)

    def headings(model: QAbstractItemModel) -> list[str]:
        return [model.headerData(c, Qt.Orientation.Horizontal) for c in range(4)]

    check = wizard.check_page.changes_model
    assert headings(check) == ["Case", "Detail", "Now", "From the file"]
    assert cells(check) == [("CASE-TEST-0101", "Team", "Team North", "Team South")]
    click_next(wizard)
    done = wizard.done_page.changes_model
    assert headings(done) == ["Case", "Detail", "Before", "Now"]
    now = headings(done).index("Now")
    assert cells(done)[0][now] == case_rows(session.store)["CASE-TEST-0101"]["team"]
