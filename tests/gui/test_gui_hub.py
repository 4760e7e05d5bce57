"""File → Sync with hub… against a real PostgreSQL: push then pull behind the progress
dialog, the address remembered without a password, conflicts handed to the conflicts dialog."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from auditor.audits.records import record_answer, start_audit
from auditor.cases.records import add_case
from auditor.frameworks.library import ensure_builtin_frameworks
from auditor.hub import pull, push_work
from auditor.store import Store
from tests.gui.conftest import AUDITOR
from tests.gui.helpers import message_boxes
from ui.errors import USER_ERROR
from ui.hub.sync import SYNCED, SyncDialog
from ui.main_window import MainWindow
from ui.packs.conflicts import ResolveConflictsDialog
from ui.settings import HUB_URL


@pytest.fixture
def other(tmp_path: Path) -> Iterator[Store]:
    """Another laptop, synced through the core."""
    with Store.open(tmp_path / "other.db") as store:
        ensure_builtin_frameworks(store)
        yield store


def draft(store: Store, value: str = "yes") -> str:
    case = add_case(
        store,
        actor=AUDITOR,
        reference="DEMO-HUB-0001",
        case_type="child_in_need",
        team="Demo Team A",
        worker="Demo Worker 1",
    )
    uid = start_audit(store, case_uid=case.uid, auditor=AUDITOR, framework_code="IN-CFA")
    record_answer(store, uid, "RISK-01", value=value, evidence="Seen on file.", actor=AUDITOR)
    return uid


def open_sync(window: MainWindow) -> SyncDialog:
    action = window.findChild(QAction, "hubSync")
    assert action is not None and action in window.menu("file").actions()
    action.trigger()
    [dialog] = [
        w for w in QApplication.topLevelWidgets() if isinstance(w, SyncDialog) and w.isVisible()
    ]
    return dialog


def sync(window: MainWindow, url: str) -> QMessageBox:
    dialog = open_sync(window)
    dialog.url.setText(url)
    dialog.sync_button.click()
    [box] = message_boxes(SYNCED)
    return box


def value_in(store: Store, uid: str) -> str | None:
    return store.scalar(
        "SELECT x.value FROM answers x JOIN audits a ON a.id = x.audit_id "
        "WHERE a.uid = ? AND x.criterion_code = 'RISK-01'",
        [uid],
    )


def test_sync_pushes_then_pulls_and_remembers_the_address(
    window: MainWindow, other: Store, hub_url: str
) -> None:
    uid = draft(window.session.store)
    theirs = draft(other, "no")
    push_work(other, hub_url, actor="Other Auditor")

    box = sync(window, hub_url)

    assert box.text() == (
        "Pushed 1 pack (1 audit) and merged 1 pack (1 audit added or changed here)."
    )
    assert value_in(window.session.store, theirs) == "no"
    pull(other, hub_url, actor="Other Auditor")
    assert value_in(other, uid) == "yes"
    assert window.session.settings.get(HUB_URL) == hub_url
    assert open_sync(window).url.text() == hub_url  # offered again next time


def test_a_conflict_from_the_hub_opens_the_conflicts_dialog(
    window: MainWindow, other: Store, hub_url: str, qtbot: QtBot
) -> None:
    uid = draft(window.session.store)
    sync(window, hub_url).close()
    pull(other, hub_url, actor=AUDITOR)
    record_answer(other, uid, "RISK-01", value="no", actor=AUDITOR)
    push_work(other, hub_url, actor=AUDITOR)
    record_answer(window.session.store, uid, "RISK-01", value="partly", actor=AUDITOR)

    box = sync(window, hub_url)
    assert "1 conflict waits for you to decide" in box.text()
    [decide] = [b for b in box.buttons() if b.text() == "&Decide now…"]
    decide.click()

    qtbot.wait_until(
        lambda: any(
            isinstance(w, ResolveConflictsDialog) and w.isVisible()
            for w in QApplication.topLevelWidgets()
        )
    )
    assert value_in(window.session.store, uid) == "partly"  # ours until a person decides


def test_an_address_with_a_password_is_refused_and_not_kept(
    window: MainWindow, hub_url: str
) -> None:
    dialog = open_sync(window)
    dialog.url.setText("postgresql://qa:hunter22@db.example/hub")
    dialog.sync_button.click()

    [box] = message_boxes(USER_ERROR)
    assert "~/.pgpass" in box.text()
    assert window.session.settings.get(HUB_URL) == ""
    with psycopg.connect(hub_url) as conn:
        assert conn.execute("SELECT count(*) FROM audit_hub.packs").fetchone() == (0,)


def test_the_passphrase_opens_encrypted_packs_and_locks_what_is_pushed(
    window: MainWindow, other: Store, hub_url: str, qtbot: QtBot
) -> None:
    """Typed by keyboard into the dialog, never kept: without it an encrypted pack waits in
    the hub; with it the pack is merged, and what this laptop pushes goes in encrypted."""
    theirs = draft(other, "no")
    push_work(other, hub_url, actor="Other Auditor", passphrase="team secret")
    box = sync(window, hub_url)
    assert "1 encrypted pack stayed in the hub" in box.text()
    assert value_in(window.session.store, theirs) is None
    box.close()

    uid = draft(window.session.store)
    dialog = open_sync(window)
    dialog.url.setText(hub_url)
    assert not dialog.encrypt.isEnabled()  # nothing to encrypt with yet
    dialog.activateWindow()
    qtbot.wait_until(lambda: QApplication.activeWindow() is dialog)
    qtbot.keyClick(dialog.url, Qt.Key.Key_P, Qt.KeyboardModifier.AltModifier)
    qtbot.wait_until(lambda: QApplication.focusWidget() is dialog.passphrase)
    qtbot.keyClicks(dialog.passphrase, "team secret")
    qtbot.keyClick(dialog.passphrase, Qt.Key.Key_E, Qt.KeyboardModifier.AltModifier)
    qtbot.wait_until(dialog.encrypt.isChecked)  # a mnemonic clicks after a short animation
    dialog.sync_button.click()
    [box] = message_boxes(SYNCED)

    assert value_in(window.session.store, theirs) == "no"
    with psycopg.connect(hub_url) as conn:
        rows = conn.execute("SELECT encrypted FROM audit_hub.packs ORDER BY id").fetchall()
    assert rows == [(True,), (True,)]  # theirs, and ours pushed encrypted
    pull(other, hub_url, actor="Other Auditor", passphrase="team secret")
    assert value_in(other, uid) == "yes"
    assert "team secret" not in str(window.session.settings.get(HUB_URL))
    assert open_sync(window).passphrase.text() == ""  # never kept
