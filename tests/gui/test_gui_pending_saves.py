"""A change the app cannot save yet is kept, shown, retried and asked about, never dropped.

First the pending queue on its own (plain Python), then the audit form through real widgets
against real faults: a full disk (a small tmpfs, root only) and another process holding the
database's write lock (``BEGIN IMMEDIATE`` in a subprocess).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from auditor.audits.records import get_audit, start_audit
from auditor.demo import make_demo
from auditor.errors import StoreError, ValidationError
from auditor.frameworks.library import ensure_builtin_frameworks
from auditor.store import Store
from auditor.store.db import WAL_REPLACED_SHARED
from tests import disks
from tests.gui.conftest import AUDITOR
from tests.gui.helpers import message_boxes, show_main_window
from tests.test_cli import cli
from tests.test_store_processes import OtherProgram, drop_locks_by_plain_io
from ui.audit_form.autosave import RETRY_MAX_MS, PendingSaves
from ui.audit_form.form import UNSAVED, AuditForm
from ui.errors import CRASH, USER_ERROR
from ui.main_window import MainWindow
from ui.operations import OperationRunner
from ui.reports.export_feedback import ExportFeedbackDialog
from ui.session import Changes, Session
from ui.settings import Settings
from ui.widgets.action_dialog import ActionDialog

ROOT = Path(__file__).resolve().parents[2]

# -- the queue on its own ------------------------------------------------------------------


class Recorder:
    """A save that writes into a list, failing for the keys told to."""

    def __init__(self, failing: dict[str, Exception] | None = None) -> None:
        self.written: list[tuple[str, object]] = []
        self.failing = failing or {}

    def __call__(self, key: str, value: object) -> None:
        if key in self.failing:
            raise self.failing[key]
        self.written.append((key, value))


def busy() -> StoreError:
    return StoreError("test.db is busy in another program. Close it there and try again.")


def test_a_newer_edit_replaces_the_older_and_the_changes_are_written_in_order() -> None:
    pending = PendingSaves()
    pending.put("evidence:RISK-01", "Risk")
    pending.put("answer:RISK-01", "partly")
    pending.put("evidence:RISK-01", "Risk named, not analysed.")
    assert list(pending) == ["answer:RISK-01", "evidence:RISK-01"]
    save = Recorder()
    result = pending.write(save)
    assert save.written == [("answer:RISK-01", "partly"),
                            ("evidence:RISK-01", "Risk named, not analysed.")]  # fmt: skip
    assert result.saved == ["answer:RISK-01", "evidence:RISK-01"]
    assert len(pending) == 0 and pending.problem is None


def test_a_store_error_keeps_that_change_and_every_later_one_until_they_are_written() -> None:
    pending = PendingSaves()
    for key, value in (("answer:A", "yes"), ("evidence:A", "Seen."), ("answer:B", "no")):
        pending.put(key, value)
    error = busy()
    save = Recorder({"evidence:A": error})
    result = pending.write(save)
    assert result.saved == ["answer:A"] and result.waiting is error
    assert save.written == [("answer:A", "yes")], "nothing overtakes the change that waits"
    assert list(pending) == ["evidence:A", "answer:B"] and pending.problem is error
    save.failing.clear()
    assert pending.write(save).saved == ["evidence:A", "answer:B"]
    assert len(pending) == 0 and pending.problem is None


def test_a_change_the_core_refuses_is_dropped_and_the_rest_are_written() -> None:
    pending = PendingSaves()
    pending.put("evidence:A", "x" * 60_000)
    pending.put("answer:B", "yes")
    refusal = ValidationError("evidence is longer than 50,000 characters")
    result = pending.write(Recorder({"evidence:A": refusal}))
    assert result.refused == {"evidence:A": refusal} and result.saved == ["answer:B"]
    assert len(pending) == 0 and pending.problem is None


def test_a_bug_keeps_its_change_and_the_others_are_still_written() -> None:
    pending = PendingSaves()
    pending.put("audit:feedback", "Well done.")
    pending.put("answer:B", "yes")
    bug = RuntimeError("a bug")
    result = pending.write(Recorder({"audit:feedback": bug}))
    assert result.bugs == {"audit:feedback": bug} and result.saved == ["answer:B"]
    assert list(pending) == ["audit:feedback"] and pending.get("audit:feedback") == "Well done."
    assert pending.problem is bug


def test_an_edit_made_while_its_older_value_is_being_written_still_waits() -> None:
    pending = PendingSaves()
    pending.put("evidence:A", "Seen")

    def save_while_typing(key: str, value: object) -> None:
        pending.put(key, "Seen on the plan.")

    pending.write(save_while_typing)
    assert pending.get("evidence:A") == "Seen on the plan."


def test_only_one_change_is_written_when_asked() -> None:
    pending = PendingSaves()
    pending.put("evidence:A", "a")
    pending.put("evidence:B", "b")
    save = Recorder()
    pending.write(save, only="evidence:B")
    assert save.written == [("evidence:B", "b")] and list(pending) == ["evidence:A"]


def test_retries_back_off_from_one_second_to_fifteen_and_start_again_once_saved() -> None:
    pending = PendingSaves()
    pending.put("answer:A", "yes")
    failing = Recorder({"answer:A": busy()})
    delays = []
    for _ in range(6):
        pending.write(failing)
        delays.append(pending.retry_delay_ms())
    assert delays == [1000, 2000, 4000, 8000, RETRY_MAX_MS, RETRY_MAX_MS]
    pending.write(Recorder())
    pending.put("answer:A", "no")
    pending.write(failing)
    assert pending.retry_delay_ms() == 1000


# -- the audit form against real faults ----------------------------------------------------

READ_SCRIPT = textwrap.dedent("""
    import json, sqlite3, sys
    conn = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
    rows = conn.execute(
        "SELECT criterion_code, value, evidence FROM answers JOIN audits "
        "ON audits.id = answers.audit_id WHERE audits.uid = ?", [sys.argv[2]]).fetchall()
    print(json.dumps({code: [value, evidence] for code, value, evidence in rows}))
""")

LOCK_SCRIPT = textwrap.dedent("""
    import sqlite3, sys
    conn = sqlite3.connect(sys.argv[1], isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")   # the write lock, as the command line's import takes it
    print("locked", flush=True)
    sys.stdin.readline()              # held until the test says so
    conn.execute("ROLLBACK")
    conn.close()
""")


def answers_on_disk(db: Path, audit_uid: str) -> dict[str, list[str | None]]:
    """The audit's answers as another process reads them (read-only)."""
    out = subprocess.run(
        [sys.executable, "-c", READ_SCRIPT, str(db), audit_uid],
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    result: dict[str, list[str | None]] = json.loads(out.stdout)
    return result


class WriteLock:
    """Another process holding the database's write lock until :meth:`release`."""

    def __init__(self, db: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", LOCK_SCRIPT, str(db)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert self.proc.stdout is not None
        assert self.proc.stdout.readline().strip() == "locked"

    def release(self) -> None:
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            self.proc.stdin.write("\n")
            self.proc.stdin.close()
            assert self.proc.wait(timeout=30) == 0
        assert self.proc.stdout is not None
        self.proc.stdout.close()


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 4 MB tmpfs the test can fill."""
    with disks.small_disk("pending-saves", size="4m") as mount:
        yield mount


def open_session(db: Path, runner: OperationRunner, settings: Settings) -> Session:
    store = Store.open(db)
    ensure_builtin_frameworks(store)
    make_demo(store, cases=12, audits=0, seed=7)
    return Session(store, runner, settings, Changes())


def open_new_audit(window: MainWindow) -> AuditForm:
    store = window.session.store
    case_uid = store.scalar(
        "SELECT uid FROM cases WHERE case_type = 'child_protection' ORDER BY reference"
    )
    uid = start_audit(store, case_uid=case_uid, auditor=AUDITOR, framework_code="IN-CFA")
    window.open_audit(uid)
    assert isinstance(window.audit_form, AuditForm)
    return window.audit_form


def form_with_short_waits(
    qtbot: QtBot, tmp_path: Path, runner: OperationRunner, settings: Settings,
    window_on: list[MainWindow],
) -> tuple[MainWindow, AuditForm, Path]:  # fmt: skip
    """A new audit open in a window on its own database, whose saves give up waiting for
    another process's lock after 0.1 s rather than 1 s (a WriteLock then refuses them)."""
    db = tmp_path / "audits.db"
    window = show_main_window(qtbot, open_session(db, runner, settings))
    window_on.append(window)
    window.session.store.execute("PRAGMA busy_timeout = 100")
    return window, open_new_audit(window), db


def status(form: AuditForm) -> str:
    return form.header.saved.text()


@pytest.fixture
def window_on(
    qtbot: QtBot, runner: OperationRunner, settings: Settings
) -> Iterator[list[MainWindow]]:
    """Main windows opened by the test on its own databases; closed (and the stores with
    them) at the end, after the test has made sure nothing waits to be saved."""
    windows: list[MainWindow] = []
    yield windows
    for window in windows:
        if window.audit_form is not None:
            window.audit_form.saver.discard()
        window.close()
        window.session.store.close()


def test_on_a_full_disk_the_evidence_and_the_answer_wait_and_are_saved_once_space_is_freed(
    qtbot: QtBot,
    small_disk: Path,
    runner: OperationRunner,
    settings: Settings,
    window_on: list[MainWindow],
) -> None:
    db = small_disk / "audits.db"
    window = show_main_window(qtbot, open_session(db, runner, settings))
    window_on.append(window)
    form = open_new_audit(window)
    first, second = list(form.cards.values())[:2]
    # An empty WAL, so the next write needs a new block of the disk.
    window.session.store.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    filler = disks.fill(small_disk)

    form.set_current(first)
    first.evidence.setFocus()
    qtbot.keyClicks(first.evidence, "Risk named on the file, not analysed.")
    form.set_current(second)  # moving on saves the typed evidence at once
    assert status(form).startswith("⚠ Not saved — 1 change waiting: the disk is full")
    qtbot.keyClick(second, "1")
    assert status(form) == (
        "⚠ Not saved — 2 changes waiting: the disk is full (free some space). Retrying…"
    )
    # The form keeps showing what was typed and chosen, marked as not saved yet.
    assert first.evidence.toPlainText() == "Risk named on the file, not analysed."
    assert second.value == "yes" and "not saved yet" in second.state.text()
    assert form.header.progress.text().startswith("1 of ")
    assert answers_on_disk(db, form.uid) == {}

    filler.unlink()
    qtbot.wait_until(lambda: status(form).startswith("Saved "), timeout=30_000)
    assert answers_on_disk(db, form.uid) == {
        first.code: [None, "Risk named on the file, not analysed."],
        second.code: ["yes", ""],
    }
    assert "not saved yet" not in second.state.text()


def test_answers_refused_while_another_process_writes_are_all_saved_after_it_is_done(
    qtbot: QtBot, tmp_path: Path, runner: OperationRunner, settings: Settings,
    window_on: list[MainWindow],
) -> None:  # fmt: skip
    db = tmp_path / "audits.db"
    window = show_main_window(qtbot, open_session(db, runner, settings))
    window_on.append(window)
    # Give up waiting for the lock after 0.1 s rather than 5 s: the other process holds it
    # until told to let go, so every save below is refused "busy".
    window.session.store.execute("PRAGMA busy_timeout = 100")
    form = open_new_audit(window)
    codes = list(form.cards)[:4]
    lock = WriteLock(db)
    try:
        for n, code in enumerate(codes[:3], start=1):
            assert form.current is form.cards[code]
            qtbot.keyClick(form.cards[code], "1")
            assert status(form).startswith(f"⚠ Not saved — {n} change")
        reason = "another program is writing to the database"
        assert status(form) == f"⚠ Not saved — 3 changes waiting: {reason}. Retrying…"
        assert form.header.progress.text().startswith("3 of ")
        assert answers_on_disk(db, form.uid) == {}
    finally:
        lock.release()
    # The next answer saves itself and every answer still waiting, in the order given.
    qtbot.keyClick(form.cards[codes[3]], "1")
    assert status(form).startswith("Saved ")
    assert answers_on_disk(db, form.uid) == {code: ["yes", ""] for code in codes}


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX lock semantics")
def test_answers_given_while_a_worker_shares_a_replaced_log_are_saved_once_it_has_closed(
    qtbot: QtBot, tmp_path: Path, runner: OperationRunner, settings: Settings,
    window_on: list[MainWindow],
) -> None:  # fmt: skip
    """The app lost its locks (shared/PITFALLS.md #8), the command line deleted the WAL,
    another program made a new one and stays open, and a worker's store of the app has the
    database open: the answers wait, saying why, and are saved where the other program
    sees them once the worker has closed."""
    db = tmp_path / "audits.db"
    window = show_main_window(qtbot, open_session(db, runner, settings))
    window_on.append(window)
    form = open_new_audit(window)
    codes = list(form.cards)[:3]
    worker = Store.open(db, check=False)
    drop_locks_by_plain_io(db)
    assert cli("init", "--db", str(db)).returncode == 0
    other = OtherProgram(db, form.uid, column="value")
    try:
        for code in codes[:2]:
            qtbot.keyClick(form.cards[code], "1")
        assert status(form) == (
            f"⚠ Not saved — 2 changes waiting: {WAL_REPLACED_SHARED}. Retrying…"
        )
        assert other.sees() == "[]"
        worker.close()
        qtbot.keyClick(form.cards[codes[2]], "1")
        assert status(form).startswith("Saved ")
        assert other.sees() == "[('yes',), ('yes',), ('yes',)]"
    finally:
        worker.close()
        other.close()


def unsaved_question() -> QMessageBox:
    boxes = message_boxes(UNSAVED)
    assert len(boxes) == 1, "leaving with unsaved changes asks"
    return boxes[0]


def press(box: QMessageBox, text: str) -> None:
    button = next(b for b in box.buttons() if b.text().replace("&", "").startswith(text))
    button.click()


def test_closing_with_unsaved_evidence_asks_and_cancel_keeps_the_form_and_the_text(
    qtbot: QtBot, tmp_path: Path, runner: OperationRunner, settings: Settings,
    window_on: list[MainWindow],
) -> None:  # fmt: skip
    window, form, db = form_with_short_waits(qtbot, tmp_path, runner, settings, window_on)
    card = form.current
    assert card is not None
    reference = form.audit.case.reference
    lock = WriteLock(db)
    try:
        card.evidence.setFocus()
        qtbot.keyClicks(card.evidence, "Seen on the plan dated 02/03/2026.")

        assert not window.close()
        box = unsaved_question()
        assert box.text() == (
            f"1 change to the audit of {reference} is not saved: another program is "
            "writing to the database."
        )
        assert box.defaultButton().text().replace("&", "") == "Retry saving"
        assert box.escapeButton().text() == "Cancel"
        assert {b.text().replace("&", "") for b in box.buttons()} == {
            "Retry saving", "Close and lose it", "Cancel"
        }  # fmt: skip
        press(box, "Cancel")
        assert window.isVisible() and window.audit_form is form
        assert card.evidence.toPlainText() == "Seen on the plan dated 02/03/2026."
        assert status(form).startswith("⚠ Not saved — 1 change waiting")

        # Retry while the other process still writes: asked again, nothing lost.
        window.show_view("cases")
        press(unsaved_question(), "Retry")
        press(unsaved_question(), "Cancel")
        assert window.audit_form is form and window.stack.currentWidget() is form
        assert window.nav.currentRow() == 1
    finally:
        lock.release()
    # Once the other process is done, closing saves the text and asks nothing.
    assert window.close()
    assert message_boxes(UNSAVED) == []
    assert answers_on_disk(db, form.uid)[card.code] == [None, "Seen on the plan dated 02/03/2026."]


def test_close_and_lose_drops_the_changes_it_names_and_leaves_the_form(
    qtbot: QtBot, tmp_path: Path, runner: OperationRunner, settings: Settings,
    window_on: list[MainWindow],
) -> None:  # fmt: skip
    window, form, db = form_with_short_waits(qtbot, tmp_path, runner, settings, window_on)
    first, second = list(form.cards.values())[:2]
    lock = WriteLock(db)
    try:
        qtbot.keyClick(first, "1")
        qtbot.keyClick(second, "2")
        qtbot.keyClicks(second.evidence, "Partly seen.")
        window.show_view("cases")
        box = unsaved_question()
        assert box.text().startswith("3 changes to the audit of")
        press(box, "Close and lose 3 changes")
        assert window.audit_form is None and window.current_view == "cases"
    finally:
        lock.release()
    assert answers_on_disk(db, form.uid) == {}


def test_a_bug_while_saving_is_reported_once_and_the_answers_are_kept_until_they_save(
    qtbot: QtBot, tmp_path: Path, runner: OperationRunner, settings: Settings,
    window_on: list[MainWindow],
) -> None:  # fmt: skip
    db = tmp_path / "audits.db"
    window = show_main_window(qtbot, open_session(db, runner, settings))
    window_on.append(window)
    form = open_new_audit(window)
    first, second = list(form.cards.values())[:2]
    window.session.store.close()  # every save now fails with an error the code never expects
    qtbot.keyClick(first, "1")
    qtbot.keyClick(second, "1")
    crashes = message_boxes(CRASH)
    assert len(crashes) == 1, "the bug is reported, once, not at every retry"
    crashes[0].close()
    assert status(form).startswith("⚠ Not saved — 2 changes waiting: an unexpected error")
    assert (first.value, second.value) == ("yes", "yes")

    window.session.store = Store.open(db)
    qtbot.wait_until(lambda: status(form).startswith("Saved "), timeout=30_000)
    assert answers_on_disk(db, form.uid) == {first.code: ["yes", ""], second.code: ["yes", ""]}


def test_switching_database_with_unsaved_answers_asks_and_switches_once_they_are_saved(
    qtbot: QtBot, tmp_path: Path, runner: OperationRunner, settings: Settings,
    window_on: list[MainWindow],
) -> None:  # fmt: skip
    db, other = tmp_path / "audits.db", tmp_path / "other.db"
    opened: list[Path] = []
    window = MainWindow(open_session(db, runner, settings), open_database=opened.append)
    qtbot.add_widget(window)
    window_on.append(window)
    window.show()
    window.start()
    window.session.store.execute("PRAGMA busy_timeout = 100")
    form = open_new_audit(window)
    card = form.current
    assert card is not None
    settings.add_recent_database(other)
    lock = WriteLock(db)
    try:
        qtbot.keyClick(card, "1")
        window._fill_recent()
        recent = next(a for a in window.recent_menu.actions() if a.text() == str(other))
        recent.trigger()
        box = unsaved_question()
        assert box.text().startswith("1 change to the audit of")
        assert opened == [], "nothing else opens while the answer waits"
    finally:
        lock.release()
    press(box, "Retry")
    assert opened == [other]
    assert answers_on_disk(db, form.uid) == {card.code: ["yes", ""]}


def test_feedback_is_not_exported_while_changes_to_the_audit_wait(
    qtbot: QtBot, tmp_path: Path, runner: OperationRunner, settings: Settings,
    window_on: list[MainWindow],
) -> None:  # fmt: skip
    """The practitioner's feedback is written from the database: with an answer still
    waiting it would leave that answer out, so the export says so and waits."""
    window, form, db = form_with_short_waits(qtbot, tmp_path, runner, settings, window_on)
    lock = WriteLock(db)
    try:
        qtbot.keyClick(form.current, "2")
        assert status(form).startswith("⚠ Not saved")
        window.findChild(QAction, "exportFeedbackAction").trigger()
        [box] = message_boxes(USER_ERROR)
        assert "not saved yet" in box.text()
        assert not [w for w in QApplication.topLevelWidgets()
                    if isinstance(w, ExportFeedbackDialog) and w.isVisible()]  # fmt: skip
        box.close()
    finally:
        lock.release()


def test_an_action_that_cannot_be_saved_opens_again_with_what_was_typed(
    qtbot: QtBot, tmp_path: Path, runner: OperationRunner, settings: Settings,
    window_on: list[MainWindow],
) -> None:  # fmt: skip
    window, form, db = form_with_short_waits(qtbot, tmp_path, runner, settings, window_on)
    lock = WriteLock(db)
    try:
        form.actions.add()
        [dialog] = [w for w in QApplication.topLevelWidgets()
                    if isinstance(w, ActionDialog) and w.isVisible()]  # fmt: skip
        qtbot.keyClicks(dialog.text, "Book the overdue visit this week.")
        qtbot.keyClicks(dialog.owner, "Demo Team Manager 02")
        dialog.ok.click()
        [box] = message_boxes(USER_ERROR)
        assert "busy" in box.text()
        box.close()
        assert dialog.isVisible()  # back, with what was typed
        assert dialog.text.toPlainText() == "Book the overdue visit this week."
    finally:
        lock.release()
    dialog.ok.click()
    assert not message_boxes(USER_ERROR)
    [action] = get_audit(window.session.store, form.uid).actions
    assert (action.text, action.owner) == (
        "Book the overdue visit this week.",
        "Demo Team Manager 02",
    )
