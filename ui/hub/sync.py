"""File → Sync with hub…: push this database's new work to the team hub, then pull and
merge what others pushed, behind one progress bar with Cancel, off the GUI thread.

The hub's address is remembered (ui/settings.py) without a password: one in the address is
refused with the reason (the core's ``url_problem``); libpq finds it in ~/.pgpass. Conflicts
a pull keeps go to the existing conflicts dialog: :attr:`SyncDialog.conflicts_waiting` is
connected by the File menu, as this screen never opens another's dialogs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from auditor import APP_NAME
from auditor.errors import MergeCancelledError
from auditor.hub.pull import HELD_REASON
from auditor.store import Store
from auditor.words import plural
from ui.errors import show_error
from ui.operations import Cancelled, CoreProgress, ProgressFn
from ui.session import Session
from ui.settings import HUB_URL
from ui.widgets.common import buddy, named, wrapped
from ui.widgets.progress import run_with_progress

SYNCED = "hubSynced"
CANCELLED = "hubSyncCancelled"
TITLE = "Syncing with the hub"


@dataclass(frozen=True)
class SyncResult:
    pushed_packs: int
    pushed_audits: int
    pulled_packs: int
    pulled_audits: int
    conflicts_kept: int
    locked: int
    held: int = 0


def syncing(
    url: str, actor: str, passphrase: str | None = None, *, encrypt: bool = False
) -> Callable[[Store, ProgressFn], SyncResult]:
    """The work: push, then pull, each the core's own function in its own transaction.
    ``passphrase`` opens encrypted packs pulled (and, with ``encrypt``, locks those pushed)."""
    from auditor.hub import pull, push_work

    def work(store: Store, report: ProgressFn) -> SyncResult:
        step = ["Pushing your new work"]
        bridge = CoreProgress(report, lambda done, total: f"{step[0]}: {done} of {total}")
        try:
            pushed = push_work(
                store,
                url,
                actor=actor,
                passphrase=passphrase if encrypt else None,
                progress=bridge.progress,
                cancelled=bridge.cancelled,
            )
            step[0] = "Fetching and merging the hub's packs"
            pulled = pull(
                store,
                url,
                actor=actor,
                passphrase=passphrase,
                progress=bridge.progress,
                cancelled=bridge.cancelled,
            )
        except MergeCancelledError:
            raise Cancelled("syncing with the hub") from None
        return SyncResult(
            pushed.packs_stored,
            pushed.audits,
            len(pulled.merged),
            pulled.audits,
            pulled.conflicts_kept,
            pulled.locked,
            pulled.held,
        )

    return work


def result_text(result: SyncResult) -> str:
    lines = [
        f"Pushed {plural(result.pushed_packs, 'pack')} ({plural(result.pushed_audits, 'audit')})"
        f" and merged {plural(result.pulled_packs, 'pack')} "
        f"({plural(result.pulled_audits, 'audit')} added or changed here)."
    ]
    if result.conflicts_kept:
        waits = "conflict waits" if result.conflicts_kept == 1 else "conflicts wait"
        lines.append(
            f"{result.conflicts_kept} {waits} for you to decide (your version stays until then)."
        )
    if result.locked:
        lines.append(
            f"{plural(result.locked, 'encrypted pack')} stayed in the hub: the passphrase "
            "was not given or did not open them. Sync again with your team's passphrase."
        )
    if result.held:
        lines.append(f"{plural(result.held, 'pack')} stayed in the hub: {HELD_REASON}")
    return " ".join(lines)


class SyncDialog(QDialog):
    """The hub's address and a Sync button."""

    conflicts_waiting = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setObjectName("hubSyncDialog")
        self.setWindowTitle(f"Sync with hub — {APP_NAME}")
        self.setMinimumWidth(560)
        self.url = named(
            QLineEdit(str(session.settings.get(HUB_URL))),
            "Hub address",
            "The hub's PostgreSQL connection string, e.g. postgresql://you@db.council.example/"
            "audits?sslmode=require",
        )
        self.url.setPlaceholderText("postgresql://you@server/database?sslmode=require")
        self.passphrase = named(
            QLineEdit(),
            "Pack passphrase",
            "Your team's passphrase for encrypted packs: it opens those pulled from the hub. "
            "It is never kept.",
        )
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setPlaceholderText("Only if your team encrypts its packs")
        self.encrypt = QCheckBox("&Encrypt the packs I push with this passphrase")
        self.encrypt.setEnabled(False)
        self.passphrase.textChanged.connect(lambda text: self.encrypt.setEnabled(bool(text)))
        form = QFormLayout()
        form.addRow(buddy("Hub &address:", self.url), self.url)
        form.addRow(buddy("&Passphrase:", self.passphrase), self.passphrase)
        form.addRow("", self.encrypt)
        note = wrapped(
            "Your new work is pushed to the council's hub, then the work others pushed is "
            "merged here. No password is kept: PostgreSQL reads it from your ~/.pgpass file "
            "(or the PGPASSWORD variable)."
        )
        buttons = QDialogButtonBox()
        self.sync_button: QPushButton = buttons.addButton(
            "&Sync", QDialogButtonBox.ButtonRole.AcceptRole
        )
        named(self.sync_button, "Sync", "Push your new work, then merge the hub's")
        buttons.addButton(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        self.sync_button.clicked.connect(self.sync)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def sync(self) -> None:
        from auditor.hub import HubError, url_problem

        url = self.url.text().strip()
        problem = "Give the hub's address." if not url else url_problem(url)
        if problem:
            show_error(self, HubError(problem))
            return
        self.session.settings.set(HUB_URL, url)
        passphrase = self.passphrase.text() or None
        encrypt = passphrase is not None and self.encrypt.isChecked()
        work = syncing(url, self.session.actor, passphrase, encrypt=encrypt)
        run_with_progress(
            self,
            self.session.runner,
            self.session.worker(work),
            title=TITLE,
            on_success=self._synced,
            on_cancelled=self._cancelled,
        )

    def _synced(self, result: SyncResult) -> None:
        changes = self.session.changes
        changes.cases_changed.emit()
        changes.audits_changed.emit()
        changes.actions_changed.emit()
        self.accept()
        box = QMessageBox(QMessageBox.Icon.Information, APP_NAME, result_text(result),
                          parent=self.parentWidget())  # fmt: skip
        box.setObjectName(SYNCED)
        if result.conflicts_kept:
            decide = box.addButton("&Decide now…", QMessageBox.ButtonRole.AcceptRole)
            box.addButton("&Later", QMessageBox.ButtonRole.RejectRole)
            decide.clicked.connect(self.conflicts_waiting.emit)
        box.open()

    def _cancelled(self) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Information,
            APP_NAME,
            "The sync was cancelled: nothing half-done was kept (work already pushed stays in "
            "the hub, and is merged by the next sync).",
            parent=self,
        )
        box.setObjectName(CANCELLED)
        box.open()
