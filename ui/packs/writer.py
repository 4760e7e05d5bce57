"""What the two dialogs that make a pack share ("Export audit pack…" and "Send work to an
auditor…"): a programme, an auditor, the optional passphrase, then a Save dialog; the pack
is written off the GUI thread behind the progress dialog, and a message says what it holds
and where it was saved."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QMessageBox,
    QPushButton,
    QWidget,
)

from auditor import APP_NAME
from auditor.errors import ValidationError
from auditor.packs import PackSummary
from auditor.store import Store
from auditor.words import plural
from ui.errors import reporting_user_errors
from ui.file_choice import choose_save_path, remembered_folder
from ui.operations import Cancelled, ProgressFn
from ui.packs.passphrase import PassphraseFields
from ui.session import Session
from ui.settings import LAST_PACK_FOLDER
from ui.widgets.common import named, wrapped
from ui.widgets.progress import run_with_progress

PACK_FILTER = "Audit packs (*.auditpack);;All files (*)"
DONE = "packSavedMessage"

# (done, total) → what the user reads while the pack is written
_STEPS = {0: "Collecting the audits, cases and history…", 2: "Writing the pack file…"}

WritePack = Callable[[Store, Path, str | None, Callable[[int, int], None]], PackSummary]


def pack_folder(session: Session) -> Path:
    """Where pack file dialogs start: the last folder used, else the database's."""
    return remembered_folder(session.settings, LAST_PACK_FOLDER, session.path.parent)


class PackWriterDialog(QDialog):
    """The form; subclasses fill the choices and say how the pack is written."""

    title = ""
    save_text = "&Save pack…"

    def __init__(self, session: Session, intro: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        # Closed and deleted once the pack is being written: what follows needs only the
        # window (the progress dialog and the "saved" message belong to it).
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(f"{self.title} — {APP_NAME}")
        self.setMinimumWidth(520)
        self.programme = named(QComboBox(), "Programme", "Which programme's work the pack holds")
        self.auditor = named(QComboBox(), "Auditor", "Whose work the pack holds")
        self.auditor.setEditable(True)
        self.auditor.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.secret = PassphraseFields()
        self.form = QFormLayout(self)
        self.intro = wrapped(intro)
        self.intro.setMinimumWidth(460)
        self.intro.setContentsMargins(0, 0, 0, 8)
        self.form.addRow(self.intro)
        self.form.addRow("P&rogramme:", self.programme)
        self.form.addRow("A&uditor:", self.auditor)
        self.form.addRow(self.secret)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.save_button: QPushButton = buttons.addButton(
            self.save_text, QDialogButtonBox.ButtonRole.AcceptRole
        )
        named(self.save_button, "Save pack", "Choose where to save the pack, then write it")
        self.save_button.setDefault(True)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        self.form.addRow(buttons)

    # -- for subclasses -----------------------------------------------------------------

    def chosen_auditor(self) -> str | None:
        return self.auditor.currentText().strip() or None

    def default_name(self) -> str:
        raise NotImplementedError

    def writer(self) -> WritePack:
        """The core call that writes the pack, with the choices made (checked here)."""
        raise NotImplementedError

    def pack_call(self, make: Callable[..., PackSummary], **choices: object) -> WritePack:
        """``make`` (export_pack or make_assignment_pack) with the choices made, ready to
        run on a worker's store; read here, on the GUI thread, not from the worker."""
        me = self.session.actor

        def write(
            store: Store, path: Path, passphrase: str | None, progress: Callable[[int, int], None]
        ) -> PackSummary:
            return make(
                store, path, created_by=me, passphrase=passphrase, progress=progress, **choices
            )

        return write

    # -- saving --------------------------------------------------------------------------

    def save(self) -> None:
        with reporting_user_errors(self, "making a pack"):
            if not self.session.actor:
                raise ValidationError(
                    "Set your name first (Edit → Your name…): every pack says who made it."
                )
            passphrase = self.secret.passphrase()
            write = self.writer()
            path = self._ask_path()
            if path is None:
                return
            self._write(path, passphrase, write)
            self.accept()

    def _ask_path(self) -> Path | None:
        return choose_save_path(self, self.session.settings, LAST_PACK_FOLDER,
                                title=self.title, name=self.default_name(),
                                file_filter=PACK_FILTER, suffix=".auditpack",
                                fallback=self.session.path.parent)  # fmt: skip

    def _write(self, path: Path, passphrase: str | None, write: WritePack) -> None:
        def work(store: Store, progress: ProgressFn) -> PackSummary:
            def report(done: int, total: int) -> None:
                if done >= total:
                    # The file is written: too late to cancel, and the truth is "saved".
                    with suppress(Cancelled):
                        progress(done, total, "Saved.")
                else:
                    progress(done, total, _STEPS.get(done, ""))

            return write(store, path, passphrase, report)

        owner = self.parentWidget()
        self.hide()  # the progress dialog takes its place
        run_with_progress(
            owner,
            self.session.runner,
            self.session.worker(work),
            title=self.title.rstrip("…"),
            on_success=lambda summary: show_saved(owner, summary),
        )


def show_saved(parent: QWidget | None, summary: PackSummary) -> None:
    box = QMessageBox(QMessageBox.Icon.Information, APP_NAME, saved_text(summary), parent=parent)
    box.setObjectName(DONE)
    box.setInformativeText(f"Saved in {summary.path.parent}")
    box.open()


def saved_text(summary: PackSummary) -> str:
    n = summary.counts
    text = (
        f"Saved the pack {summary.path.name}: {plural(n['audits'], 'audit')}, "
        f"{plural(n['cases'], 'case')}, {plural(n['programmes'], 'programme')} and "
        f"{plural(n['trail'], 'history row')}"
        f" (framework {', '.join(summary.frameworks) or 'none'})."
    )
    if summary.kind == "work" and n["audits"] == 0:
        text += " It holds no audits: none matched the programme and auditor chosen."
    if summary.encrypted:
        text += " It is protected by the passphrase: give that to the person separately."
    return text


def today_text() -> str:
    return date.today().isoformat()
