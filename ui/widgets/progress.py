"""The one progress dialog for long work (import, export, merge): a bar, what is being
done in words, and a Cancel button. The work runs on the operation runner, off the GUI
thread; Cancel asks it to stop at its next progress report, and the core's transaction
means a cancelled import or merge leaves nothing behind.

Use :func:`run_with_progress`; it returns the dialog (tests read and click it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from auditor import APP_NAME
from ui.errors import show_error
from ui.operations import Operation, OperationRunner, Work
from ui.widgets.common import named


class ProgressDialog(QDialog):
    """Window-modal: the rest of the window stays painted but cannot be used meanwhile."""

    def __init__(self, title: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setObjectName("progressDialog")
        self.setWindowTitle(f"{title} — {APP_NAME}")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumWidth(460)
        self.text = QLabel(f"{title}…")
        self.text.setWordWrap(True)
        self.bar = named(QProgressBar(), "Progress", f"{title}: how far it has got")
        self.bar.setRange(0, 0)  # busy until the first report gives a total
        buttons = QDialogButtonBox()
        self.cancel_button: QPushButton = buttons.addButton(
            "&Cancel", QDialogButtonBox.ButtonRole.RejectRole
        )
        named(self.cancel_button, "Cancel", "Stop: nothing half-done is kept")
        self.cancel_button.clicked.connect(self.cancel)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(self.bar)
        layout.addWidget(buttons)
        self.operation: Operation | None = None
        self.done_ = False

    def show_progress(self, done: int, total: int, text: str) -> None:
        if total > 0:
            self.bar.setRange(0, total)
            self.bar.setValue(min(done, total))
        if text:
            self.text.setText(text)

    def cancel(self) -> None:
        if self.operation is not None and not self.done_:
            self.operation.cancel()
            self.cancel_button.setEnabled(False)
            self.text.setText("Cancelling: undoing what was started…")

    def finish(self) -> None:
        self.done_ = True
        self.close()

    # Escape and the window's close button cancel rather than hide a running operation.
    def reject(self) -> None:
        if self.done_:
            super().reject()
        else:
            self.cancel()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.reject()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.done_:
            super().closeEvent(event)
        else:
            event.ignore()
            self.cancel()


def run_with_progress(
    parent: QWidget | None,
    runner: OperationRunner,
    work: Work,
    *,
    title: str,
    on_success: Callable[[Any], None] | None = None,
    on_failure: Callable[[BaseException], None] | None = None,
    on_cancelled: Callable[[], None] | None = None,
) -> ProgressDialog:
    """Run ``work(progress)`` off the GUI thread behind a :class:`ProgressDialog`.

    The dialog closes before ``on_success`` / ``on_failure`` / ``on_cancelled`` run, so
    they may open the next dialog. A failure without ``on_failure`` is shown with
    :func:`~ui.errors.show_error`, saying what was being done.
    """
    dialog = ProgressDialog(title, parent)
    outcome: dict[str, Any] = {}

    def finished() -> None:
        dialog.finish()
        if "result" in outcome:
            if on_success is not None:
                on_success(outcome["result"])
        elif "error" in outcome:
            if on_failure is not None:
                on_failure(outcome["error"])
            else:
                show_error(parent, outcome["error"], doing=title.lower())
        elif on_cancelled is not None:
            on_cancelled()

    dialog.show()
    dialog.operation = runner.run(
        work,
        on_success=lambda result: outcome.__setitem__("result", result),
        on_failure=lambda error: outcome.__setitem__("error", error),
        on_progress=dialog.show_progress,
        on_finished=finished,
        label=title,
    )
    return dialog
