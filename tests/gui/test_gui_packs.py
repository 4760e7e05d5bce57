"""Audit packs through the File menu, offscreen: export a pack (plain and encrypted), send
work to an auditor, import packs into another database with a preview, refusals of a wrong
passphrase and a changed file, conflicts side by side resolved either way (or later), and a
cancelled merge that leaves nothing behind."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox
from pytestqt.qtbot import QtBot

from auditor.audits.records import get_audit, record_answer, start_audit, update_audit
from auditor.cases.records import add_case
from auditor.demo import make_demo
from auditor.frameworks.library import register_framework
from auditor.frameworks.model import Framework, parse_framework
from auditor.packs import FORMAT_VERSION, apply_merge, export_pack, list_conflicts, read_pack
from auditor.packs.container import MAGIC
from auditor.programmes.records import add_programme_cases, create_programme
from auditor.store import Store
from auditor.store.trail import history
from auditor.words import plural
from tests.gui.helpers import message_boxes, show_main_window
from ui.errors import USER_ERROR
from ui.file_choice import FileDialog
from ui.main_window import MainWindow
from ui.operations import Operation, OperationRunner
from ui.packs import import_packs
from ui.packs.conflict_view import ConflictView
from ui.packs.conflicts import ResolveConflictsDialog
from ui.packs.export_pack import ExportPackDialog
from ui.packs.import_packs import CANCELLED, MERGED, REFUSED
from ui.packs.preview import PackPreviewDialog
from ui.packs.send_work import SendWorkDialog
from ui.packs.writer import DONE
from ui.session import Changes, Session
from ui.settings import Settings
from ui.widgets.progress import ProgressDialog

ASH = "Demo Auditor Ash"
QA = "Test QA Lead"
SECRET = "correct horse battery"
MakeWindow = Callable[..., MainWindow]


# -- set-up --------------------------------------------------------------------------------


@pytest.fixture
def make_window(qtbot: QtBot, tmp_path: Path, runner: OperationRunner) -> Iterator[MakeWindow]:
    """A main window on a database of its own (another laptop), for the person named."""
    stores: list[Store] = []
    windows: list[MainWindow] = []

    def make(name: str, person: str, ops: OperationRunner | None = None) -> MainWindow:
        store = Store.open(tmp_path / f"{name}.db")
        stores.append(store)
        settings = Settings.at(tmp_path / f"{name}-settings.ini")
        settings.auditor_name = person
        window = show_main_window(qtbot, Session(store, ops or runner, settings, Changes()))
        windows.append(window)
        return window

    yield make
    for box in message_boxes():
        box.close()
    for window in windows:
        window.close()
    for store in stores:
        store.close()


@pytest.fixture
def laptop(make_window: MakeWindow) -> MainWindow:
    """An auditor's laptop with synthetic demo audits (some of them Ash's)."""
    window = make_window("laptop", ASH)
    make_demo(window.session.store, cases=16, audits=12, seed=3)
    return window


def trigger(window: MainWindow, key: str) -> None:
    action = window.findChild(QAction, f"packs_{key}")
    assert action is not None and action.text() in [a.text() for a in window.menu("file").actions()]
    action.trigger()


def open_dialog(kind: type[QDialog]) -> Any:
    found = [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]
    assert len(found) == 1, f"expected one open {kind.__name__}, found {found}"
    return found[0]


def open_preview() -> PackPreviewDialog:
    """The preview, once it is open: it opens in a turn of the event loop after the read."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not any(
        isinstance(w, PackPreviewDialog) and w.isVisible() for w in QApplication.topLevelWidgets()
    ):
        QApplication.processEvents()
    preview = open_dialog(PackPreviewDialog)
    assert isinstance(preview, PackPreviewDialog)
    return preview


def one_box(name: str) -> QMessageBox:
    [box] = message_boxes(name)
    return box


def save_as(monkeypatch: pytest.MonkeyPatch, path: Path) -> list[str]:
    """The Save dialog answers ``path``; returns the names it suggested."""
    suggested: list[str] = []

    def answer(_parent: object, _title: str, start: str, _filter: str) -> tuple[str, str]:
        suggested.append(Path(start).name)
        return str(path), ""

    monkeypatch.setattr(FileDialog, "getSaveFileName", answer)
    return suggested


def choose_packs(monkeypatch: pytest.MonkeyPatch, *paths: Path) -> None:
    monkeypatch.setattr(FileDialog, "getOpenFileNames", lambda *_a: ([str(p) for p in paths], ""))


def passphrases(monkeypatch: pytest.MonkeyPatch, *answers: str | None) -> list[bool]:
    """The passphrase prompt answers these in turn; returns whether each ask said "again"."""
    asked: list[bool] = []
    queue = list(answers)

    def ask(_parent: object, _name: str, *, again: bool) -> str | None:
        asked.append(again)
        return queue.pop(0)

    monkeypatch.setattr(import_packs, "ask_passphrase", ask)
    return asked


def export_through_dialog(
    laptop: MainWindow, monkeypatch: pytest.MonkeyPatch, path: Path, secret: str | None = None
) -> QMessageBox:
    trigger(laptop, "export")
    dialog = open_dialog(ExportPackDialog)
    assert dialog.auditor.currentText() == ASH  # "me" by default
    assert dialog.programme.currentText() == "All programmes"
    suggested = save_as(monkeypatch, path)
    if secret is not None:
        dialog.secret.protect.click()
        dialog.secret.first.setText(secret)
        dialog.secret.second.setText(secret)
    dialog.save_button.click()
    assert suggested and suggested[0].startswith("audits-Demo-Auditor-Ash-")
    return one_box(DONE)


def import_through_dialog(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch, *paths: Path
) -> PackPreviewDialog:
    choose_packs(monkeypatch, *paths)
    trigger(window, "import")
    return open_preview()


def audit_uids(store: Store) -> set[str]:
    return {r["uid"] for r in store.query("SELECT uid FROM audits")}


def table_counts(store: Store) -> dict[str, int]:
    tables = ("cases", "audits", "answers", "actions", "trail", "imported_packs")
    return {t: store.scalar(f"SELECT COUNT(*) FROM {t}") for t in tables}


# -- export and import ---------------------------------------------------------------------


def test_export_then_import_into_an_empty_database_and_again_changes_nothing(
    laptop: MainWindow,
    make_window: MakeWindow,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    qtbot: QtBot,
) -> None:
    source = laptop.session.store
    ash = {r["uid"] for r in source.query("SELECT uid FROM audits WHERE auditor = ?", [ASH])}
    assert 0 < len(ash) < source.scalar("SELECT COUNT(*) FROM audits")
    path = tmp_path / "ash.auditpack"
    done = export_through_dialog(laptop, monkeypatch, path)
    assert f"Saved the pack ash.auditpack: {plural(len(ash), 'audit')}" in done.text()
    assert "passphrase" not in done.text()
    assert read_pack(path).manifest.counts["audits"] == len(ash)
    done.close()

    qa = make_window("qa", QA)
    changed: list[str] = []
    qa.session.changes.audits_changed.connect(lambda: changed.append("audits"))
    preview = import_through_dialog(qa, monkeypatch, path)
    page = preview.page_of("ash.auditpack")
    assert page.counts.text() == (
        f"Merging would add {plural(len(ash), 'audit')}, update 0, delete 0 and leave 0 unchanged. "
        "0 audits are in conflict."
    )
    assert page.made.text().startswith(f"Made by {ASH} on ")
    assert "Framework: IN-CFA" in page.made.text()
    assert "Frameworks: IN-CFA 1.0.0 new." in page.others.text()
    assert audit_uids(qa.session.store) == set()  # nothing written before Merge
    [pack] = [p.item.pack for p in preview.pages]
    assert pack is not None and pack.payload["audits"]
    preview.merge_button.click()
    merged = one_box(MERGED)
    # Merged, the pack read is freed off the GUI thread, a record at a time.
    qtbot.waitUntil(lambda: not any(pack.payload.values()))
    assert "Merged 1 pack." in merged.text()
    assert f"ash.auditpack: {plural(len(ash), 'audit')} added" in merged.informativeText()
    assert audit_uids(qa.session.store) == ash
    qtbot.waitUntil(lambda: changed == ["audits"])  # told in the turn after the message
    answers = (
        "SELECT COUNT(*) FROM answers WHERE audit_id IN (SELECT id FROM audits WHERE auditor = ?)"
    )
    assert qa.session.store.scalar(answers, [ASH]) == source.scalar(answers, [ASH])
    merged.close()

    before = table_counts(qa.session.store)
    again = import_through_dialog(qa, monkeypatch, path)
    text = again.page_of("ash.auditpack").counts.text()
    assert text.startswith("Already imported on ") and "changes nothing" in text
    again.merge_button.click()
    box = one_box(MERGED)
    assert "Nothing changed" in box.text()
    assert table_counts(qa.session.store) == before


def test_an_encrypted_pack_needs_its_passphrase_and_opens_with_it(
    laptop: MainWindow, make_window: MakeWindow, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "locked.auditpack"
    trigger(laptop, "export")
    dialog = open_dialog(ExportPackDialog)
    save_as(monkeypatch, path)
    dialog.secret.protect.click()
    dialog.secret.first.setText(SECRET)
    dialog.secret.second.setText(SECRET + "!")
    dialog.save_button.click()
    [error] = message_boxes(USER_ERROR)
    assert "two passphrases differ" in error.text()
    assert not path.exists() and dialog.isVisible()
    error.close()
    dialog.secret.second.setText(SECRET)
    dialog.save_button.click()
    done = one_box(DONE)
    assert "protected by the passphrase" in done.text()
    reference = laptop.session.store.scalar("SELECT reference FROM cases LIMIT 1")
    assert reference.encode() not in path.read_bytes()
    done.close()

    qa = make_window("qa", QA)
    asked = passphrases(monkeypatch, "not the passphrase", SECRET)
    preview = import_through_dialog(qa, monkeypatch, path)
    assert asked == [False, True]  # asked, then told it was wrong and asked again
    assert "protected by a passphrase" in preview.page_of("locked.auditpack").made.text()
    preview.merge_button.click()
    ash = laptop.session.store.query("SELECT uid FROM audits WHERE auditor = ?", [ASH])
    assert audit_uids(qa.session.store) == {r["uid"] for r in ash}


def test_a_wrong_passphrase_then_skipping_changes_nothing(
    laptop: MainWindow, make_window: MakeWindow, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "locked.auditpack"
    export_pack(laptop.session.store, path, created_by=ASH, passphrase=SECRET)
    qa = make_window("qa", QA)
    before = table_counts(qa.session.store)
    asked = passphrases(monkeypatch, "wrong passphrase", None)
    choose_packs(monkeypatch, path)
    trigger(qa, "import")
    assert asked == [False, True]
    box = one_box(REFUSED)
    assert box.text() == "No pack was imported."
    assert "locked.auditpack" in box.informativeText()
    assert "no passphrase was given" in box.informativeText()
    assert not [w for w in QApplication.topLevelWidgets()
                if isinstance(w, PackPreviewDialog) and w.isVisible()]  # fmt: skip
    assert table_counts(qa.session.store) == before


def test_a_changed_byte_is_refused_naming_the_file_and_the_good_pack_still_previews(
    laptop: MainWindow,
    make_window: MakeWindow,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    qtbot: QtBot,
) -> None:
    good, bad = tmp_path / "good.auditpack", tmp_path / "changed.auditpack"
    export_pack(laptop.session.store, good, created_by=ASH, auditor=ASH)
    data = bytearray(good.read_bytes())
    data[len(data) // 2] ^= 0x01
    bad.write_bytes(bytes(data))
    qa = make_window("qa", QA)
    before = table_counts(qa.session.store)

    preview = import_through_dialog(qa, monkeypatch, bad, good)
    assert preview.refusals.isVisible()
    assert "changed.auditpack" in preview.refusals.text()
    assert "was changed or damaged after it was made" in preview.refusals.text()
    assert [p.item.path.name for p in preview.pages] == ["good.auditpack"]
    [pack] = [p.item.pack for p in preview.pages]
    assert pack is not None and pack.payload["audits"]
    preview.close_button.click()
    assert table_counts(qa.session.store) == before
    qtbot.waitUntil(lambda: not any(pack.payload.values()))  # closed unmerged: freed too

    choose_packs(monkeypatch, bad)
    trigger(qa, "import")
    box = one_box(REFUSED)
    assert "changed.auditpack" in box.informativeText()
    assert table_counts(qa.session.store) == before


def test_a_newer_format_and_a_framework_that_differs_from_ours_are_refused_by_name(
    make_window: MakeWindow, mini: Framework, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    future = tmp_path / "future.auditpack"
    header = json.dumps(
        {"encrypted": False, "format_version": FORMAT_VERSION + 1, "sha256": "0" * 64},
        sort_keys=True,
        separators=(",", ":"),
    )
    future.write_bytes(MAGIC + header.encode() + b"\n" + b"PK\x05\x06" + bytes(18))
    own = Store.open(tmp_path / "own.db")
    register_framework(own, mini)
    case = add_case(own, actor=ASH, reference="TEST-0001", case_type="child_in_need")
    start_audit(own, case_uid=case.uid, auditor=ASH, framework_code="MINI")
    other = tmp_path / "other-mini.auditpack"
    export_pack(own, other, created_by=ASH)
    own.close()
    qa = make_window("qa", QA)
    changed = mini.source_text.replace("Is the level of risk recorded?", "Is risk recorded?")
    register_framework(qa.session.store, parse_framework(changed, origin="changed"))
    before = table_counts(qa.session.store)

    choose_packs(monkeypatch, future, other)
    trigger(qa, "import")
    box = one_box(REFUSED)
    text = box.informativeText()
    assert "future.auditpack" in text and "made by a newer version of Case Auditor" in text
    assert "other-mini.auditpack" in text and "MINI version 1.0.0 differs from the copy" in text
    assert table_counts(qa.session.store) == before


def test_cancel_during_the_merge_leaves_the_database_unchanged(
    laptop: MainWindow,
    make_window: MakeWindow,
    threaded: OperationRunner,
    monkeypatch: pytest.MonkeyPatch,
    qtbot: QtBot,
    tmp_path: Path,
) -> None:
    path = tmp_path / "ash.auditpack"
    export_pack(laptop.session.store, path, created_by=ASH, auditor=ASH)
    qa = make_window("qa", QA, threaded)
    before = table_counts(qa.session.store)
    choose_packs(monkeypatch, path)
    trigger(qa, "import")
    qtbot.wait_until(lambda: any(isinstance(w, PackPreviewDialog) and w.isVisible()
                                 for w in QApplication.topLevelWidgets()))  # fmt: skip
    preview = open_dialog(PackPreviewDialog)

    # The merge waits after its first step until Cancel has been clicked, so the click
    # lands while it runs however fast this machine is.
    clicked = threading.Event()
    report = Operation.report

    def report_then_wait(op: Operation, done: int, total: int, text: str = "") -> None:
        report(op, done, total, text)
        if text.startswith("Merging") and not clicked.is_set():
            assert clicked.wait(5)

    def click_cancel(dialog: ProgressDialog) -> None:
        dialog.cancel_button.click()  # as the user would
        clicked.set()

    monkeypatch.setattr(Operation, "report", report_then_wait)
    preview.merge_button.click()
    progress = open_dialog(ProgressDialog)
    qtbot.wait_until(lambda: progress.text.text().startswith("Merging ash.auditpack (1 of 1)"))
    click_cancel(progress)
    qtbot.wait_until(lambda: len(message_boxes(CANCELLED)) == 1, timeout=5000)
    assert "nothing was changed" in one_box(CANCELLED).text()
    assert not message_boxes(MERGED)
    assert table_counts(qa.session.store) == before
    assert preview.isVisible()  # the user can still merge
    one_box(CANCELLED).close()

    preview.merge_button.click()
    qtbot.wait_until(lambda: len(message_boxes(MERGED)) == 1, timeout=5000)
    assert table_counts(qa.session.store)["audits"] > 0


def test_send_work_makes_a_pack_of_the_auditors_assigned_cases(
    laptop: MainWindow, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    store = laptop.session.store
    uid = create_programme(store, actor=QA, name="Spring dip sample", framework_code="IN-CFA",
                           auditors=["Demo Auditor Birch", ASH])  # fmt: skip
    cases = [r["uid"] for r in store.query("SELECT uid FROM cases ORDER BY id LIMIT 3")]
    add_programme_cases(store, uid, [(c, "Demo Auditor Birch") for c in cases], actor=QA)
    path = tmp_path / "birch.auditpack"
    suggested = save_as(monkeypatch, path)
    trigger(laptop, "send")
    dialog = open_dialog(SendWorkDialog)
    dialog.programme.setCurrentIndex(dialog.programme.findText("Spring dip sample"))
    items = [dialog.auditor.itemText(i) for i in range(dialog.auditor.count())]
    assert items == [ASH, "Demo Auditor Birch"]
    dialog.auditor.setCurrentText(ASH)  # nothing assigned to Ash: said before any Save dialog
    assert dialog.assigned.text().startswith(f"✗ No case of this programme is assigned to {ASH}")
    assert not dialog.save_button.isEnabled()
    dialog.auditor.setCurrentText("Demo Auditor Birch")
    assert dialog.assigned.text() == "✓ 3 cases assigned to Demo Auditor Birch."
    assert dialog.save_button.isEnabled()
    dialog.save_button.click()
    assert suggested[0].startswith("work-for-Demo-Auditor-Birch-")
    done = one_box(DONE)
    assert "Saved the pack birch.auditpack: 0 audits, 3 cases, 1 programme" in done.text()
    pack = read_pack(path)
    assert pack.manifest.kind == "assignment" and pack.manifest.created_by == ASH
    assert {c["uid"] for c in pack.payload["cases"]} == set(cases)


def test_send_work_without_a_programme_says_how_to_make_one(make_window: MakeWindow) -> None:
    from ui.packs.send_work import NO_PROGRAMME

    empty = make_window("new-lead", "Demo QA Lead Oak")
    trigger(empty, "send")
    box = one_box(NO_PROGRAMME)
    assert "Create one on the Programmes screen (Ctrl+6)" in box.text()
    assert not any(isinstance(w, SendWorkDialog) and w.isVisible()
                   for w in QApplication.topLevelWidgets())  # fmt: skip
    box.close()


# -- conflicts -----------------------------------------------------------------------------


@pytest.fixture
def conflict(
    make_window: MakeWindow, mini: Framework, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[MainWindow, str, Path]:
    """An audit changed both on the auditor's laptop and in the QA lead's database since
    the last pack; the new pack from the laptop previewed in the QA lead's window."""
    own = Store.open(tmp_path / "own.db")
    register_framework(own, mini)
    case = add_case(own, actor=ASH, reference="TEST-0009", case_type="child_in_need")
    uid = start_audit(own, case_uid=case.uid, auditor=ASH, framework_code="MINI")
    record_answer(own, uid, "R-1", value="no", evidence="Nothing on file.", actor=ASH)
    qa = make_window("qa", QA)
    export_pack(own, tmp_path / "first.auditpack", created_by=ASH)
    apply_merge(qa.session.store, read_pack(tmp_path / "first.auditpack"), actor=QA)
    record_answer(qa.session.store, uid, "R-1", value="partly", evidence="QA view.", actor=ASH)
    record_answer(own, uid, "R-1", value="yes", actor=ASH)
    update_audit(own, uid, actor=ASH, strengths="Warm relationship.")
    path = tmp_path / "second.auditpack"
    export_pack(own, path, created_by=ASH)
    own.close()
    return qa, uid, path


def rows_of(view: ConflictView) -> list[tuple[str, str, str]]:
    table = view.table
    return [tuple(table.item(r, c).text() for c in range(3)) for r in range(table.rowCount())]  # type: ignore[misc]


@pytest.mark.parametrize("side", ["theirs", "ours"])
def test_a_conflict_is_shown_side_by_side_and_resolved(
    conflict: tuple[MainWindow, str, Path], monkeypatch: pytest.MonkeyPatch, side: str
) -> None:
    qa, uid, path = conflict
    preview = import_through_dialog(qa, monkeypatch, path)
    page = preview.page_of("second.auditpack")
    assert page.counts.text().endswith("1 audit is in conflict.")
    assert page.parts.currentWidget() is page.conflicts
    view = page.conflicts.view_of(uid)
    assert [view.table.horizontalHeaderItem(c).text() for c in range(3)] == [
        "Field", "Ours (this database)", "Theirs (the pack)"
    ]  # fmt: skip
    assert rows_of(view) == [
        ("Strengths", "(empty)", "Warm relationship."),
        ("R-1 answer", "partly", "yes"),
        ("R-1 evidence", "QA view.", "Nothing on file."),
    ]
    assert view.choice == "later"  # nothing is overwritten unless the user says so
    assert page.conflicts.list.item(0).text() == f"TEST-0009\n{ASH}: decide later"
    view.radios[side].click()
    assert page.conflicts.list.item(0).text().endswith("take theirs" if side == "theirs"
                                                       else "keep ours")  # fmt: skip
    assert all(k.currentData() == side and not k.isEnabled() for k in view.keep)
    preview.merge_button.click()
    box = one_box(MERGED)
    assert "1 conflict resolved, 0 kept for later" in box.informativeText()
    audit = get_audit(qa.session.store, uid)
    expected = ("yes", "Warm relationship.") if side == "theirs" else ("partly", "")
    assert (audit.answer_value("R-1"), audit.strengths) == expected
    assert list_conflicts(qa.session.store) == []
    mine = [r for r in history(qa.session.store, uid) if r["actor"] == QA]
    assert mine[-1]["reason"] == f"Merged from pack by {ASH}: conflict resolved"


def test_a_conflict_left_for_later_is_resolved_field_by_field_from_the_file_menu(
    conflict: tuple[MainWindow, str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    qa, uid, path = conflict
    preview = import_through_dialog(qa, monkeypatch, path)
    preview.merge_button.click()  # every conflict left at "Decide later"
    box = one_box(MERGED)
    assert "1 conflict waits for you to decide" in box.text()
    assert get_audit(qa.session.store, uid).answer_value("R-1") == "partly"  # ours stays
    box.close()

    trigger(qa, "conflicts")
    dialog = open_dialog(ResolveConflictsDialog)
    view = dialog.conflicts.view_of(uid)
    assert ("R-1 answer", "partly", "yes") in rows_of(view)
    view.radios["fields"].click()
    row = [r[0] for r in rows_of(view)].index("R-1 answer")
    assert view.keep[row].isEnabled()
    assert view.table.item(row, 1).font().bold()  # the value kept is in bold: ours so far
    view.keep[row].setCurrentIndex(view.keep[row].findData("theirs"))
    assert view.table.item(row, 2).font().bold() and not view.table.item(row, 1).font().bold()
    dialog.apply_button.click()
    assert dialog.status.text() == "Resolved 1 conflict. None is waiting now."
    audit = get_audit(qa.session.store, uid)
    assert audit.answer_value("R-1") == "yes"
    assert (audit.answers["R-1"].evidence, audit.strengths) == ("QA view.", "")
    assert list_conflicts(qa.session.store) == []
    dialog.close()

    trigger(qa, "conflicts")
    assert "No merge conflicts are waiting" in one_box("noConflictsMessage").text()
