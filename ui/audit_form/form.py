"""The audit form: score one case file from start to finish, mostly with the keyboard.

Every answer is saved the moment it is given; evidence and other text are saved after a
pause in typing, when focus leaves the box, when the auditor moves to another criterion and
when the form closes (``AutoSaver``). A change that cannot be saved yet (a full disk,
another program writing) stays on screen and is retried until it is written; the header
says so, and leaving the form with such changes asks first. Otherwise the header says when
the last save was. The suggested grade, section scores and progress update live from the
answers, saved or waiting.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from auditor.audits.grading import grade_audit
from auditor.audits.ownership import is_drafts_auditor
from auditor.audits.records import Audit, get_audit, record_answer, update_audit
from auditor.audits.safeguarding import answered_safe_now
from auditor.audits.submission import (
    EVIDENCE,
    FINAL_GRADE,
    GRADE_REASON,
    SAFEGUARDING_ACTION,
    Gap,
    submission_gaps,
    summarise_gaps,
)
from auditor.audits.takeover import take_over_audit
from auditor.audits.workflow import submit_audit
from auditor.domain import AuditStatus, Grade
from auditor.errors import AuditorError, ValidationError
from auditor.store import Store
from ui.audit_form.actions_panel import ActionsPanel
from ui.audit_form.autosave import AutoSaver, SaveRound, plain_reason
from ui.audit_form.criteria_list import CriteriaList
from ui.audit_form.feedback_panel import FEEDBACK_FIELDS, FeedbackPanel
from ui.audit_form.grade_panel import GradePanel
from ui.audit_form.header import AuditHeader
from ui.errors import Choice, ask, reporting_user_errors, show_error
from ui.session import Session
from ui.widgets.common import named
from ui.widgets.criterion_card import CriterionCard
from ui.widgets.history import HistoryDialog
from ui.widgets.reason import ReasonDialog

log = logging.getLogger(__name__)

CHECKPOINT_AFTER_MS = 2000  # a pause in saving this long, and the WAL is checkpointed
CHOICES = ("final_grade", "safeguarding_concern")  # the audit's fields that are not text
UNSAVED = "unsavedChanges"  # the question asked when leaving with changes not yet saved
SAFE_NOW_QUESTION = "safeNowQuestion"  # a concern raised while "Is the child safe now?" is Yes
ACTIONS_TAB = "Act&ions"


NOT_SAVED = (
    "Some changes to this audit are not saved yet, so what you asked for would leave them "
    "out. Try again once the status line says Saved."
)


class AuditForm(QWidget):
    back_requested = Signal()
    status_changed = Signal(str)  # the audit's new status

    def __init__(self, session: Session, audit_uid: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.uid = audit_uid
        self.audit: Audit = get_audit(session.store, audit_uid)
        self.amend_reason = ""
        self.saver = AutoSaver(self._save_change, on_round=self._on_save_round, parent=self)
        # When the auditor pauses, the WAL is copied back into the database on a worker, so
        # no save pays for that copy (auditor/store/db.py, WAL_AUTOCHECKPOINT_PAGES).
        self._checkpoint = QTimer(self, singleShot=True, interval=CHECKPOINT_AFTER_MS)
        self._checkpoint.timeout.connect(self._checkpoint_now)
        self._bug_reported = False  # one crash dialog while the same changes keep failing
        self._shown = False
        self._build()
        self._load()

    # -- building ---------------------------------------------------------------------------

    def _build(self) -> None:
        a = self.audit
        self.header = AuditHeader(a)
        self.criteria = CriteriaList(a)
        self.criteria.answered.connect(self._on_answered)
        self.criteria.evidence_edited.connect(lambda c, t: self._edit_text(f"evidence:{c}", t))
        self.criteria.evidence_left.connect(lambda c: self.saver.save_typed(f"evidence:{c}"))
        self.criteria.leaving.connect(self.saver.save_typed)
        self.grade = GradePanel(a.framework, a.case_type)
        self.grade.final_grade_chosen.connect(self._on_final_grade_chosen)
        self.grade.safeguarding_toggled.connect(self._on_safeguarding_toggled)
        self.feedback = FeedbackPanel()
        for panel in (self.grade, self.feedback):
            panel.text_edited.connect(lambda f, t: self._edit_text(f"audit:{f}", t))
            panel.text_left.connect(lambda f: self.saver.save_typed(f"audit:{f}"))
        self.actions = ActionsPanel(
            self.session,
            self.uid,
            lambda: self.amend_reason,
            safeguarding=lambda: self.grade.safeguarding.isChecked(),
        )
        self.actions.changed.connect(self._on_actions_changed)
        self.tabs = QTabWidget(objectName="auditTabs")
        # Every mnemonic is unique in the form and the window's menus (File, Edit, View, Help).
        self.tabs.addTab(_scrolling(self.grade), "&Grade")
        self.tabs.addTab(_scrolling(self.feedback), "Feedbac&k")
        self.tabs.addTab(self.actions, ACTIONS_TAB)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.criteria)
        self.splitter.addWidget(self.tabs)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(self.splitter, 1)
        layout.addLayout(self._buttons())
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, self.next_unanswered)
        QShortcut(QKeySequence("Ctrl+Shift+A"), self, self._add_action)
        QShortcut(QKeySequence("Alt+Left"), self, self._back)

    def _buttons(self) -> QHBoxLayout:
        self.back_button = _button("← &Back", "Back to the list (Alt+Left)", self._back)
        self.history_button = _button("Histor&y…", "Every change to this audit", self.history)
        self.take_over_button = _button(
            "&Take over…",
            "Make this draft yours to finish: your reason is kept in the audit trail",
            self.take_over,
        )
        self.take_over_button.setObjectName("takeOverButton")
        self.amend_button = _button(
            "A&mend…", "Change a final audit: every change is recorded with your reason", self.amend
        )
        self.submit_button = _button(
            "S&ubmit…", "Check completeness and submit to the QA lead", self.submit
        )
        self.submit_button.setObjectName("submitButton")
        row = QHBoxLayout()
        row.addWidget(self.back_button)
        row.addWidget(self.history_button)
        row.addStretch(1)
        row.addWidget(self.take_over_button)
        row.addWidget(self.amend_button)
        row.addWidget(self.submit_button)
        return row

    # -- state ------------------------------------------------------------------------------

    @property
    def cards(self) -> dict[str, CriterionCard]:
        return self.criteria.cards

    @property
    def current(self) -> CriterionCard | None:
        return self.criteria.current

    def set_current(self, card: CriterionCard) -> None:
        self.criteria.set_current(card)

    def _load(self) -> None:
        a = self.audit
        for code, card in self.cards.items():
            answer = a.answers.get(code)
            card.set_answer(answer.value if answer else None)
            card.set_evidence(answer.evidence if answer else "")
        self.grade.set_final_grade(a.final_grade)
        self.grade.set_texts(grade_reason=a.grade_reason, safeguarding_note=a.safeguarding_note)
        self.grade.set_safeguarding(a.safeguarding_concern)
        self.feedback.set_texts(strengths=a.strengths, improvements=a.improvements,
                                feedback=a.feedback)  # fmt: skip
        self._show_pending()
        self.actions.show_actions(a.actions)
        self._on_actions_changed()
        self._apply_mode()
        self._regrade()
        first = self.criteria.first_unanswered(self.values)
        self.set_current(first or next(iter(self.cards.values())))

    @property
    def values(self) -> dict[str, str | None]:
        """The answers as the form shows them, saved or waiting to be saved. The cards hold
        them: the one copy the form keeps (the grade is the core's, from these)."""
        return {code: card.value for code, card in self.cards.items()}

    def _reload(self) -> None:
        self.saver.flush()
        self.audit = get_audit(self.session.store, self.uid)
        self._load()

    @property
    def mine(self) -> bool:
        """A draft is changed by its own auditor only; anyone else may take it over."""
        return is_drafts_auditor(self.audit.auditor, self.session.actor)

    @property
    def editable(self) -> bool:
        status = self.audit.status
        return (status is AuditStatus.DRAFT and self.mine) or (
            status is AuditStatus.FINAL and bool(self.amend_reason)
        )

    def _apply_mode(self) -> None:
        status, read_only = self.audit.status, not self.editable
        for card in self.cards.values():
            card.set_read_only(read_only)
        for panel in (self.grade, self.feedback, self.actions):
            panel.set_read_only(read_only)
        draft = status is AuditStatus.DRAFT
        self.submit_button.setVisible(draft and self.mine)
        self.take_over_button.setVisible(draft and not self.mine)
        self.amend_button.setVisible(status is AuditStatus.FINAL and not self.amend_reason)
        self.header.show_mode(self.audit, self.amend_reason, mine=self.mine)

    def _regrade(self) -> None:
        result = grade_audit(self.audit.framework, self.audit.case_type, self.values)
        self.criteria.show_asked(self.values)  # an answer may ask, or stop asking, others
        self.header.progress.setText(result.progress_text)
        self.grade.show_result(result)

    def _show_pending(self) -> None:
        """Show the changes still waiting to be saved over what the database holds."""
        for key in self.saver.pending:
            value = self.saver.pending.get(key)
            kind, name = key.split(":", 1)
            if kind == "answer":
                self.cards[name].set_answer(str(value or ""))
            elif kind == "evidence":
                self.cards[name].set_evidence(str(value))
            elif name == "final_grade":
                self.grade.set_final_grade(Grade(value) if value else None)
            elif name == "safeguarding_concern":
                self.grade.set_safeguarding(bool(value))
            elif name in FEEDBACK_FIELDS:
                self.feedback.set_texts(**{name: str(value)})
            else:
                self.grade.set_texts(**{name: str(value)})

    # -- saving -----------------------------------------------------------------------------

    def _save_change(self, key: str, value: object) -> None:
        """Write one change through the core (raises when it cannot be written)."""
        kind, name = key.split(":", 1)
        store, actor, reason = self.session.store, self.session.actor, self.amend_reason
        if kind == "answer":
            record_answer(store, self.uid, name, actor=actor, value=value, reason=reason)
        elif kind == "evidence":
            record_answer(store, self.uid, name, actor=actor, evidence=value, reason=reason)
        else:
            update_audit(store, self.uid, actor=actor, reason=reason, **{name: value})

    def _on_save_round(self, result: SaveRound) -> None:
        """After each attempt to save: tell the user what was refused or went wrong, mark
        what waits, and say in the header whether everything is saved."""
        for key, error in result.refused.items():
            show_error(self, error, doing="saving the audit")
            self._show_stored(key)
        if result.bugs and not self._bug_reported:
            self._bug_reported = True
            show_error(self, next(iter(result.bugs.values())), doing="saving the audit")
        pending = self.saver.pending
        for code, card in self.cards.items():
            card.set_unsaved(
                pending.problem is not None
                and (f"answer:{code}" in pending or f"evidence:{code}" in pending)
            )
        if pending and pending.problem is not None:
            problem = pending.problem
            self.header.mark_waiting(len(pending), plain_reason(problem), str(problem))
        elif result.refused:
            self.header.mark_not_saved()
        elif not pending:
            self._bug_reported = False
            if result.saved:
                self.header.mark_saved()
        if result.saved:
            self._checkpoint.start()  # again: it runs once the saves pause

    def _checkpoint_now(self) -> None:
        def checkpoint(store: Store, _progress: object) -> None:
            store.checkpoint()

        # Quietly: a checkpoint that cannot run now (the database busy or gone) loses nothing;
        # the next pause, or SQLite's own bound, does it.
        self.session.runner.run(
            self.session.worker(checkpoint),
            on_failure=lambda error: log.info("checkpoint after saving skipped: %s", error),
            label="checkpoint",
        )

    def _show_stored(self, key: str) -> None:
        """A choice the core refused: show what the database holds instead."""
        kind, name = key.split(":", 1)
        if kind == "evidence" or (kind == "audit" and name not in CHOICES):
            return  # refused text stays in its box, for the auditor to correct
        try:
            stored = get_audit(self.session.store, self.uid)
        except AuditorError:
            return  # cannot read it either: the message already shown says why
        if kind == "answer":
            answer = stored.answers.get(name)
            self.cards[name].set_answer(answer.value if answer else None)
            self._regrade()
        elif name == "final_grade":
            self.grade.set_final_grade(stored.final_grade)
        else:
            self.grade.set_safeguarding(stored.safeguarding_concern)
            self._on_actions_changed()

    def _edit_text(self, key: str, text: str) -> None:
        if self.saver.pending.problem is None:
            self.header.mark_saving()
        self.saver.edit(key, text)

    def _on_answered(self, code: str, value: str) -> None:
        key = f"answer:{code}"
        if key in self.saver.save_now(key, value or None).refused:
            return
        card = self.cards[code]
        card.set_answer(value or None)
        self._regrade()
        if value and card.needs_evidence:  # No / Partly ask for evidence: type it now
            self.set_current(card)
            card.evidence.setFocus()
        elif value:
            following = self.criteria.neighbour(code, 1)
            self.set_current(following or card)
            if following is None:
                self._finish_criteria()

    def _on_final_grade_chosen(self, grade: str) -> None:
        self.saver.save_now("audit:final_grade", grade or None)

    def _on_safeguarding_toggled(self, concern: bool) -> None:
        safe = answered_safe_now(self.audit.framework, self.audit.case_type, self.values)
        if concern and safe is not None:
            self._ask_safe_now(safe.code, safe.text)
        else:
            self._save_safeguarding(concern)

    def _save_safeguarding(self, concern: bool) -> None:
        key = "audit:safeguarding_concern"
        if key not in self.saver.save_now(key, concern).refused:
            self._on_actions_changed()  # the banner shows the flag, saved or waiting

    def _ask_safe_now(self, code: str, question: str) -> None:
        """A concern raised while "Is the child safe now?" is answered Yes: one of the two is
        wrong. Ask which; correcting the answer raises the concern and goes to the question."""

        def correct_answer() -> None:
            self._save_safeguarding(True)
            self.set_current(self.cards[code])
            self.cards[code].setFocus(Qt.FocusReason.OtherFocusReason)

        def cancel() -> None:
            self.grade.set_safeguarding(False)
            self.grade.safeguarding.setFocus()

        ask(
            self,
            f"You answered Yes to {code}, “{question}”, yet you raise an immediate "
            "safeguarding concern: a child may be unsafe now.",
            [
                Choice(
                    f"Raise it and &correct {code}",
                    QMessageBox.ButtonRole.AcceptRole,
                    correct_answer,
                ),
                Choice(
                    "Raise it, &both are right",
                    QMessageBox.ButtonRole.AcceptRole,
                    lambda: self._save_safeguarding(True),
                ),
                Choice("Cancel", QMessageBox.ButtonRole.RejectRole, cancel),
            ],
            detail=f"Correct {code} to No if the child may be unsafe now, or cancel if the "
            "child is safe.",
            object_name=SAFE_NOW_QUESTION,
        )

    def _write(self, save: Callable[[], object]) -> bool:
        """Run a save that is not kept for later (a submission): stamp the header, or show
        the error and say nothing was saved."""
        try:
            save()
        except AuditorError as exc:
            self.header.mark_not_saved()
            show_error(self, exc, doing="saving the audit")
            return False
        self.header.mark_saved()
        return True

    def _on_actions_changed(self) -> None:
        actions = self.actions.actions
        self.tabs.setTabText(2, f"{ACTIONS_TAB} ({len(actions)})")
        open_actions = sum(1 for a in actions if a.status == "open")
        self.header.show_safeguarding(self.grade.safeguarding.isChecked(), open_actions)

    # -- moving on --------------------------------------------------------------------------

    def next_unanswered(self) -> None:
        """Ctrl+Enter: the next criterion without an answer, or the final grade when none."""
        after = self.current.code if self.current else None
        card = self.criteria.first_unanswered(self.values, after)
        if card is not None:
            self.set_current(card)
        else:
            self._finish_criteria()

    def _finish_criteria(self) -> None:
        self.saver.save_typed()
        self.tabs.setCurrentIndex(0)
        self.grade.final_grade.setFocus()
        saved = self.header.saved
        saved.setText(f"{saved.text()} · every criterion answered: choose the grade")

    def submit(self) -> None:
        """Check completeness (naming what is missing and going to it), then confirm."""
        if not self.flush():
            reference, waiting = self.audit.case.reference, self._unsaved_text()
            message = f"The audit of {reference} cannot be submitted yet: {waiting} not saved"
            show_error(self, AuditorError(f"{message} ({self._unsaved_reason()})."))
            return
        self.audit = get_audit(self.session.store, self.uid)
        gaps = submission_gaps(self.audit)
        if gaps:
            self._show_gaps(gaps)
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Submit the audit",
            f"Submit the audit of {self.audit.case.reference} to the QA lead? "
            "It becomes read-only for you.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        box.setObjectName("confirmSubmit")
        box.setDefaultButton(QMessageBox.StandardButton.Yes)
        box.accepted.connect(self._submit_now)
        box.open()

    def _submit_now(self) -> None:
        store, actor = self.session.store, self.session.actor
        if self._write(lambda: submit_audit(store, self.uid, actor=actor)):
            self._reload()
            self.session.changes.audits_changed.emit()
            self.status_changed.emit(self.audit.status.value)

    def _show_gaps(self, gaps: list[Gap]) -> None:
        """Say what is missing by section, with counts (not one line a criterion), every
        gap under Show Details; go to the first, and put the focus there once the message
        is closed (not left on the grade combo, whose type-ahead would take the typing)."""
        first = gaps[0]
        lines = [*summarise_gaps(gaps), f"Going to the first: {first.message}."]
        box = show_error(self, ValidationError("This audit cannot be submitted yet.", lines))
        box.setDetailedText("\n".join(g.message[:1].upper() + g.message[1:] for g in gaps))
        self._go_to_gap(first)
        box.finished.connect(lambda _result: self._go_to_gap(first))

    def _go_to_gap(self, gap: Gap) -> None:
        if gap.criterion:
            card = self.cards[gap.criterion]
            self.set_current(card)
            target: QWidget = card.evidence if gap.kind == EVIDENCE else card
        elif gap.kind == SAFEGUARDING_ACTION:
            self.tabs.setCurrentWidget(self.actions)
            target = self.actions.add_button
        else:
            self.tabs.setCurrentIndex(0)
            target = {FINAL_GRADE: self.grade.final_grade, GRADE_REASON: self.grade.reason}.get(
                gap.kind, self.grade.final_grade
            )
        target.setFocus(Qt.FocusReason.OtherFocusReason)

    def amend(self) -> None:
        dialog = ReasonDialog(
            "Amend a final audit",
            "Why does this final audit need to change? Your reason is recorded with every "
            "change you make now.",
            ok_text="Amend",
            parent=self,
        )
        dialog.accepted.connect(lambda: self._start_amending(dialog.reason))
        dialog.open()

    def _start_amending(self, reason: str) -> None:
        self.amend_reason = reason
        self._apply_mode()

    def take_over(self) -> None:
        """Someone else's draft: make it yours, with a reason kept in the trail."""
        dialog = ReasonDialog(
            "Take over a draft",
            f"This draft of {self.audit.case.reference} is {self.audit.auditor}'s. Why do you "
            "take it over? Your reason is kept in the audit trail, and the audit becomes yours.",
            ok_text="Take over",
            parent=self,
        )
        dialog.accepted.connect(lambda: self._take_over_now(dialog.reason))
        dialog.open()

    def _take_over_now(self, reason: str) -> None:
        with reporting_user_errors(self, "taking over an audit"):
            take_over_audit(self.session.store, self.uid, actor=self.session.actor, reason=reason)
            self._reload()
            self.session.changes.audits_changed.emit()
            self.focus_current()

    def focus_current(self) -> None:
        """The keyboard focus on the current criterion, so the first key answers it."""
        if self.current is not None:
            self.criteria.show_card(self.current)
            self.current.setFocus(Qt.FocusReason.OtherFocusReason)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._shown:
            # Once the form is in the window: focus set before it is shown is lost.
            self._shown = True
            QTimer.singleShot(0, self.focus_current)

    def history(self) -> None:
        self.saver.flush()
        title = f"the audit of {self.audit.case.reference}"
        HistoryDialog(self.session.store, self.uid, title, self).open()

    def _add_action(self) -> None:
        if self.editable:
            self.tabs.setCurrentWidget(self.actions)
            self.actions.add()

    def _back(self) -> None:
        self.flush()
        self.back_requested.emit()

    def saved_uid(self) -> str:
        """This audit's uid once every change to it is saved (text typed a moment ago
        included); raises AuditorError when changes still wait (a full disk, another program
        writing), since what reads the database now would leave them out."""
        if not self.flush():
            raise AuditorError(NOT_SAVED)
        return self.uid

    def flush(self) -> bool:
        """Save everything not yet saved (leaving the form, closing the app); True when
        nothing is left unsaved."""
        self.saver.flush()
        return not self.saver.has_pending()

    def ask_to_leave(self, then: Callable[[], None]) -> bool:
        """Leaving the form: try once more to save what waits; True when nothing does.

        Otherwise ask whether to retry, to close and lose the changes, or to cancel (the
        default retries: nothing is lost by pressing Enter), run ``then`` once the changes
        are saved or given up, and return False: the caller stays until ``then``."""
        if self.flush():
            return True

        def retry() -> None:
            if self.ask_to_leave(then):
                then()

        def lose() -> None:
            self.saver.discard()
            then()

        count = len(self.saver.pending)
        changes = f"{count} change{'s' if count != 1 else ''}"
        ask(
            self,
            f"{changes} to the audit of {self.audit.case.reference} "
            f"{'is' if count == 1 else 'are'} not saved: {self._unsaved_reason()}.",
            [
                Choice("&Retry saving", QMessageBox.ButtonRole.AcceptRole, retry),
                Choice(
                    f"Close and &lose {'it' if count == 1 else f'{count} changes'}",
                    QMessageBox.ButtonRole.DestructiveRole,
                    lose,
                ),
                Choice("Cancel", QMessageBox.ButtonRole.RejectRole),
            ],
            detail="Retry once the problem is solved, or cancel and keep working: the "
            "changes stay on screen and are saved as soon as they can be.",
            object_name=UNSAVED,
        )
        return False

    def _unsaved_text(self) -> str:
        count = len(self.saver.pending)
        return "1 change is" if count == 1 else f"{count} changes are"

    def _unsaved_reason(self) -> str:
        problem = self.saver.pending.problem
        return plain_reason(problem) if problem is not None else "they are still being saved"

    def closeEvent(self, event: QCloseEvent) -> None:
        self.flush()
        super().closeEvent(event)


def _button(text: str, tip: str, slot: Callable[[], object]) -> QPushButton:
    button = named(QPushButton(text), text.replace("&", "").strip("←… "), tip)
    button.clicked.connect(slot)
    return button


def _scrolling(widget: QWidget) -> QScrollArea:
    """A tab's panel scrolling down, never sideways: the splitter cannot make it narrower
    than its content, whose labels wrap."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setWidget(widget)
    scroll_bar = area.style().pixelMetric(area.style().PixelMetric.PM_ScrollBarExtent)
    area.setMinimumWidth(widget.minimumSizeHint().width() + scroll_bar + 2 * area.frameWidth())
    return area
