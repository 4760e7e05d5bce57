"""File → Import audit packs…: choose packs, give each encrypted one its passphrase, read
and preview them off the GUI thread, show the preview (with conflicts side by side), and
merge only when the user presses Merge: all the packs in one transaction through the core's
:func:`~auditor.packs.merge_packs` (the command line's merge too), off the GUI thread, so a
cancel or a failure leaves nothing half-merged."""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QInputDialog, QLineEdit, QMessageBox, QWidget

from auditor import APP_NAME
from auditor.collector import dismantle
from auditor.errors import (
    AuditorError,
    MergeCancelledError,
    PackAuthenticationError,
    PassphraseRequiredError,
)
from auditor.packs import MergeSummary, Pack, Resolution, merge_packs, preview_merge, read_pack
from auditor.store import Store
from auditor.words import plural
from ui.errors import show_error
from ui.file_choice import FileDialog
from ui.operations import Cancelled, CoreProgress, ProgressFn
from ui.packs.preview import PackFile, PackPreviewDialog, refusals_html
from ui.packs.writer import PACK_FILTER, pack_folder
from ui.session import Session
from ui.settings import LAST_PACK_FOLDER
from ui.widgets.progress import run_with_progress

MERGED = "packsMergedMessage"
REFUSED = "packsRefusedMessage"
CANCELLED = "mergeCancelledMessage"


def ask_passphrase(parent: QWidget | None, file_name: str, *, again: bool) -> str | None:
    """Ask for a pack's passphrase; None when the user skips the file."""
    text = (
        f"That passphrase did not open {file_name}: it is wrong, or the file was changed "
        "after it was made. Try again, or press Cancel to skip this file."
        if again
        else f"{file_name} is protected by a passphrase. Type it to open the pack, or press "
        "Cancel to skip this file."
    )
    answer, ok = QInputDialog.getText(
        parent, f"Passphrase — {APP_NAME}", text, QLineEdit.EchoMode.Password
    )
    return answer if ok and answer else None


def read_and_preview(path: Path, passphrase: str | None) -> Callable[[Store, ProgressFn], PackFile]:
    def work(store: Store, progress: ProgressFn) -> PackFile:
        progress(0, 2, f"Opening {path.name} and checking it…")
        pack = read_pack(path, passphrase)
        progress(1, 2, f"Comparing {path.name} with this database…")
        return PackFile(path, pack, preview_merge(store, pack))

    return work


class PackImport:
    """One run of File → Import audit packs…, from choosing files to the merge."""

    def __init__(self, session: Session, window: QWidget) -> None:
        self.session, self.window = session, window
        self.items: list[PackFile] = []
        self.queue: list[Path] = []
        self.preview: PackPreviewDialog | None = None

    def start(self) -> None:
        names, _ = FileDialog.getOpenFileNames(
            self.window, "Import audit packs", str(pack_folder(self.session)), PACK_FILTER
        )
        if not names:
            return
        self.session.settings.set(LAST_PACK_FOLDER, str(Path(names[0]).parent))
        self.queue = [Path(name) for name in names]
        self._next()

    # -- reading, one file at a time (a passphrase may be asked between them) ------------

    def _next(self) -> None:
        if self.queue:
            self._read(self.queue.pop(0), None)
        else:
            self._show_preview()

    def _read(self, path: Path, passphrase: str | None) -> None:
        run_with_progress(
            self.window,
            self.session.runner,
            self.session.worker(read_and_preview(path, passphrase)),
            title=f"Reading {path.name}",
            on_success=self._read_one,
            on_failure=lambda error: self._not_read(path, passphrase, error),
        )  # a cancel ends the import: nothing has been written

    def _read_one(self, item: PackFile) -> None:
        self.items.append(item)
        # The next file, or the preview, in a turn of the event loop of its own (see
        # _show_preview); the window as context: closed, it cancels the step.
        QTimer.singleShot(0, self.window, self._next)

    def _not_read(self, path: Path, passphrase: str | None, error: BaseException) -> None:
        locked = isinstance(error, PassphraseRequiredError)
        wrong = isinstance(error, PackAuthenticationError) and passphrase is not None
        if locked or wrong:
            answer = ask_passphrase(self.window, path.name, again=wrong)
            if answer is not None:
                self._read(path, answer)
                return
            self.items.append(PackFile(path, refusal="skipped: no passphrase was given."))
        elif isinstance(error, AuditorError):
            self.items.append(PackFile(path, refusal=str(error)))
        else:
            show_error(self.window, error, doing=f"reading {path.name}")
            return
        self._next()

    def _show_preview(self) -> None:
        if not any(item.pack for item in self.items):
            box = QMessageBox(
                QMessageBox.Icon.Warning, APP_NAME, "No pack was imported.", parent=self.window
            )
            box.setObjectName(REFUSED)
            box.setInformativeText(refusals_html(self.items))
            box.open()
            return
        self.preview = PackPreviewDialog(self.items, self.window)
        self.preview.flow = self  # this flow lives as long as its preview
        self.preview.merge_button.clicked.connect(self._merge)
        self.preview.finished.connect(self._release_packs)
        # Closing the progress, building the preview and showing it took 55-86 ms in one go
        # of the GUI thread: each in a turn of the event loop of its own, with input and
        # painting between them.
        QTimer.singleShot(0, self.preview, self.preview.open)

    def _release_packs(self) -> None:
        """Free the packs read once their preview is closed without merging (nothing reads
        them again; the merge frees those it merged), off the GUI thread and a record at a
        time: freed with the dialog, a 500-audit pack held the GIL, and the window, for
        30–40 ms (collector.dismantle)."""
        payloads = [item.pack.payload for item in self.items if item.pack and item.pack.payload]

        def release(_progress: ProgressFn) -> None:
            for payload in payloads:
                dismantle(payload)

        if payloads:
            self.session.runner.run(release, label="free the packs read")

    # -- merging -------------------------------------------------------------------------

    def _merge(self) -> None:
        assert self.preview is not None
        chosen = [(page.item.pack, page.resolutions()) for page in self.preview.pages]
        work = merging([(p, r) for p, r in chosen if p is not None], self.session.actor)
        run_with_progress(
            self.preview,
            self.session.runner,
            self.session.worker(work),
            title="Merging the packs",
            on_success=self._merged,
            on_cancelled=self._cancelled,
        )

    def _merged(self, results: list[tuple[Path, MergeSummary]]) -> None:
        assert self.preview is not None
        self.preview.accept()
        # The views hear of the change in the event loop's next turn, once the preview is
        # closed and the message painted: the three in one go held the GUI thread 46-59 ms.
        QTimer.singleShot(0, self.window, self._changed)
        box = QMessageBox(QMessageBox.Icon.Information, APP_NAME, merged_text(results),
                          parent=self.window)  # fmt: skip
        box.setObjectName(MERGED)
        lines = (html.escape(summary_line(path, s)) for path, s in results)
        box.setInformativeText("<br>".join(lines))
        box.open()

    def _changed(self) -> None:
        changes = self.session.changes
        changes.cases_changed.emit()
        changes.audits_changed.emit()
        changes.actions_changed.emit()

    def _cancelled(self) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Information,
            APP_NAME,
            "The merge was cancelled: nothing was changed. The preview is still open.",
            parent=self.preview,
        )
        box.setObjectName(CANCELLED)
        box.open()


def merging(
    chosen: Sequence[tuple[Pack, dict[str, Resolution]]], actor: str
) -> Callable[[Store, ProgressFn], list[tuple[Path, MergeSummary]]]:
    """The merge work: every pack in one transaction (all of them, or none), each with the
    resolutions chosen in its preview."""

    def work(store: Store, report: ProgressFn) -> list[tuple[Path, MergeSummary]]:
        where = ["Merging"]

        def started(n: int, pack: Pack) -> None:
            where[0] = f"Merging {pack.path.name} ({n + 1} of {len(chosen)})"

        bridge = CoreProgress(report, lambda done, total: f"{where[0]}: {done} of {total} steps")
        try:
            summaries = merge_packs(
                store,
                [pack for pack, _ in chosen],
                actor=actor,
                resolutions=[resolutions for _, resolutions in chosen],
                progress=bridge.progress,
                cancelled=bridge.cancelled,
                pack_started=started,
            )
        except MergeCancelledError:
            raise Cancelled("merging the packs") from None
        # Merged: the packs' payloads are read no more (the preview closes). They are freed
        # here, while the window only shows progress, not as it reloads its views.
        for pack, _ in chosen:
            dismantle(pack.payload)
        return [(pack.path, s) for (pack, _), s in zip(chosen, summaries, strict=True)]

    return work


def merged_text(results: Sequence[tuple[Path, MergeSummary]]) -> str:
    kept = sum(len(s.conflicts_kept) for _p, s in results)
    text = f"Merged {len(results)} {'pack' if len(results) == 1 else 'packs'}."
    if all(s.already_imported for _p, s in results):
        text += " Nothing changed: they had been imported before."
    if kept:
        text += (
            f" {kept} {'conflict waits' if kept == 1 else 'conflicts wait'} for you to decide: "
            "File → Resolve merge conflicts… (our version stays until then)."
        )
    return text


def summary_line(path: Path, s: MergeSummary) -> str:
    if s.already_imported:
        return f"{path.name}: imported before; nothing changed."
    return (
        f"{path.name}: {plural(s.added, 'audit')} added, {s.updated} updated, {s.deleted} "
        f"deleted, {s.unchanged} unchanged; {plural(s.conflicts_resolved, 'conflict')} "
        f"resolved, {len(s.conflicts_kept)} kept for later; {plural(s.cases_added, 'case')} "
        f"and {plural(s.programmes_added, 'programme')} added."
    )
