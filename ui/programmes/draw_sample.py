"""Drawing a programme's sample: the choices (:class:`SampleChoices`: method, size, exclusion
window, seed) on the left, what the draw would give (:class:`SamplePreview`) on the right.

Preview runs the core's ``draw_for_programme`` off the GUI thread behind the progress dialog
(100,000 cases must not freeze the window) and shows the eligible cases and the strata. Save
stores exactly that previewed draw with ``save_sample``, also off the GUI thread and in one
transaction, so Cancel leaves nothing half-saved. Changing any choice asks for a new preview.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from auditor.programmes.records import Programme
from auditor.programmes.samples import draw_for_programme, save_sample
from auditor.programmes.sampling import Sample
from auditor.store import Store
from auditor.words import plural
from ui.operations import ProgressFn
from ui.programmes.sample_choices import SampleChoices
from ui.programmes.sample_preview import SamplePreview
from ui.session import Session
from ui.widgets.common import named
from ui.widgets.progress import ProgressDialog, run_with_progress


class DrawSampleDialog(QDialog):
    saved = Signal(int)  # cases added to the sample

    def __init__(
        self, session: Session, programme: Programme, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.programme = programme
        self.progress: ProgressDialog | None = None  # the running preview or save, if any
        self.setWindowTitle(f"Draw the sample of {programme.name}")
        self._build()
        self._enable_save()

    # -- building ---------------------------------------------------------------------------

    def _build(self) -> None:
        self.preview_panel = SamplePreview()
        self.choices = SampleChoices(self.programme)
        self.choices.changed.connect(self.preview_panel.mark_stale)
        self.choices.changed.connect(self._enable_save)
        columns = QHBoxLayout()
        columns.addWidget(self.choices, 3)
        columns.addWidget(self.preview_panel, 2)
        self.preview_button = self._button("&Preview", "See how many would be drawn; saves nothing")
        self.save_button = self._button("&Save this sample", "Save the previewed sample")
        cancel = self._button("Cancel", "Close without drawing: nothing is saved")
        self.preview_button.clicked.connect(self.preview)
        self.save_button.clicked.connect(self.save)
        cancel.clicked.connect(self.reject)
        self.buttons = QHBoxLayout()  # in the order they are used: preview, then save
        self.buttons.addStretch(1)
        for button in (self.preview_button, self.save_button, cancel):
            self.buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(columns, 1)
        layout.addLayout(self.buttons)
        self.resize(900, 600)

    def _button(self, text: str, tooltip: str) -> QPushButton:
        return named(QPushButton(text), text.replace("&", ""), tooltip)

    # -- preview and save -------------------------------------------------------------------

    def preview(self) -> None:
        spec, uid = self.choices.spec(), self.programme.uid

        def draw(store: Store, progress: ProgressFn) -> Sample:
            progress(0, 2, "Reading the cases and drawing the sample…")
            sample = draw_for_programme(store, uid, spec)
            progress(1, 2, "Drawn")
            return sample

        self.progress = run_with_progress(
            self,
            self.session.runner,
            self.session.worker(draw),
            title="Drawing a preview of the sample",
            on_success=self._on_previewed,
        )

    def _on_previewed(self, sample: Sample) -> None:
        self.preview_panel.show_sample(sample)
        self._enable_save()

    def _enable_save(self) -> None:
        """Only a previewed draw is saved: the user has seen its strata and notes (fewer
        eligible cases than asked for, a quota a team cannot meet) before saving."""
        self.save_button.setEnabled(self.preview_panel.sample is not None)

    def save(self) -> None:
        sample = self.preview_panel.sample
        if sample is None:
            return
        uid, actor = self.programme.uid, self.session.actor
        # None: the core shares the cases evenly among the programme's auditors.
        assignment = None if self.choices.share.isChecked() else {}

        def save_drawn(store: Store, progress: ProgressFn) -> int:
            # The last chance to cancel: the save is one transaction, all or nothing.
            progress(0, 1, f"Saving {plural(len(sample.cases), 'case')} to the programme…")
            return save_sample(store, uid, sample, actor=actor, assignment=assignment)

        self.progress = run_with_progress(
            self,
            self.session.runner,
            self.session.worker(save_drawn),
            title="Saving the sample",
            on_success=self._on_saved,
        )

    def _on_saved(self, added: int) -> None:
        self.accept()
        self.saved.emit(added)
