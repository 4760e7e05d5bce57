"""The audit form: score one case file from start to finish, mostly with the keyboard.

Every answer is saved the moment it is given; evidence and other text are saved after a
pause in typing, when focus leaves the box, when the auditor moves to another criterion and
when the form closes (``DebouncedSaver``). The status line says when the last save was.
The suggested grade, section scores and progress update live from the answers.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from auditor.audits import Audit, get_audit, record_answer, update_audit
from auditor.domain import AuditStatus
from auditor.errors import AuditorError, ValidationError
from auditor.grading import grade_audit
from auditor.workflow import submission_problems, submit_audit
from ui.autosave import DebouncedSaver
from ui.dialogs.history import HistoryDialog
from ui.dialogs.reason import ReasonDialog
from ui.errors import show_error
from ui.models.cases import uk
from ui.session import Session
from ui.widgets.actions_panel import ActionsPanel
from ui.widgets.common import TextBox, heading, named, wrapped
from ui.widgets.criterion_card import CriterionCard
from ui.widgets.grade_panel import GradePanel

FEEDBACK_FIELDS = {
    "strengths": ("&Strengths of the practice:", "What is done well on this file"),
    "improvements": ("&What would improve it:", "What the practice most needs"),
    "feedback": ("Feedback for the &practitioner:", "Written to the allocated worker"),
}
SAFEGUARDING_BANNER = "⚠ IMMEDIATE SAFEGUARDING CONCERN — a child may be unsafe now."


class AuditForm(QWidget):
    back_requested = Signal()
    status_changed = Signal(str)  # the audit's new status

    def __init__(self, session: Session, audit_uid: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.uid = audit_uid
        self.audit: Audit = get_audit(session.store, audit_uid)
        self.values = {code: a.value for code, a in self.audit.answers.items()}
        self.amend_reason = ""
        self.saver = DebouncedSaver(self._save_text, parent=self)
        self.cards: dict[str, CriterionCard] = {}
        self.current: CriterionCard | None = None
        self._build()
        self._load()
        QApplication.instance().focusChanged.connect(self._on_focus_changed)  # type: ignore[union-attr]

    # -- building ---------------------------------------------------------------------------

    def _build(self) -> None:
        a = self.audit
        self.title = heading(f"Audit of {a.case.reference}", level=1)
        self.facts = wrapped(
            f"{a.case.case_type.label} · {a.case.team} · worker {a.case.worker} · "
            f"{a.framework.title} {a.framework.version} · auditor {a.auditor} · "
            f"{uk(a.audit_date.isoformat())}"
        )
        self.status = QLabel(objectName="statusBadge")
        self.progress = QLabel(objectName="progress")
        self.saved = QLabel("No changes yet", objectName="savedLabel")
        named(self.saved, "Save status", "Every answer and note is saved as you make it")
        status_row = QHBoxLayout()
        for widget in (self.status, self.progress):
            status_row.addWidget(widget)
        status_row.addStretch(1)
        status_row.addWidget(self.saved)
        self.banner = wrapped(SAFEGUARDING_BANNER, object_name="safeguardingBanner")
        self.mode_banner = wrapped("", object_name="readOnlyBanner")

        criteria = QWidget(objectName="criteriaList")
        column = QVBoxLayout(criteria)
        for section in a.framework.sections:
            asked = [c for c in section.criteria if c.applies(a.case.case_type)]
            if asked:
                column.addWidget(heading(section.title, level=2))
            for criterion in asked:
                card = CriterionCard(criterion)
                card.answered.connect(self._on_answered)
                card.evidence_edited.connect(
                    lambda code, text: self.saver.edit(f"evidence:{code}", text)
                )
                card.evidence_left.connect(lambda code: self.saver.flush(f"evidence:{code}"))
                card.move_requested.connect(self._on_move_requested)
                card.guidance_button.toggled.connect(
                    lambda _shown, c=card: QTimer.singleShot(0, lambda: self._show_card(c))
                )
                self.cards[criterion.code] = card
                column.addWidget(card)
        column.addStretch(1)
        self.scroll = named(QScrollArea(), "Criteria", "The criteria asked for this case")
        self.scroll.setWidgetResizable(True)
        self.scroll.setWidget(criteria)

        self.grade = GradePanel(a.framework, a.case.case_type)
        self.grade.final_grade_chosen.connect(self._on_final_grade_chosen)
        self.grade.text_edited.connect(lambda f, t: self.saver.edit(f"audit:{f}", t))
        self.grade.text_left.connect(lambda f: self.saver.flush(f"audit:{f}"))
        self.grade.safeguarding_toggled.connect(self._on_safeguarding_toggled)
        self.feedback = self._feedback_page()
        self.actions = ActionsPanel(self.session, self.uid, lambda: self.amend_reason)
        self.actions.changed.connect(self._on_actions_changed)
        self.tabs = QTabWidget(objectName="auditTabs")
        self.tabs.addTab(_scrolling(self.grade), "&Grade")
        self.tabs.addTab(_scrolling(self.feedback), "F&eedback")
        self.tabs.addTab(self.actions, "Ac&tions")

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.scroll)
        self.splitter.addWidget(self.tabs)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)

        self.back_button = self._button("← &Back", "Back to the list (Alt+Left)", self._back)
        self.history_button = self._button("&History…", "Every change to this audit", self.history)
        self.amend_button = self._button(
            "A&mend…", "Change a final audit: every change is recorded with your reason", self.amend
        )
        self.submit_button = self._button(
            "S&ubmit…", "Check completeness and submit to the QA lead", self.submit
        )
        self.submit_button.setObjectName("submitButton")
        buttons = QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.history_button)
        buttons.addStretch(1)
        buttons.addWidget(self.amend_button)
        buttons.addWidget(self.submit_button)

        layout = QVBoxLayout(self)
        for widget in (self.title, self.facts):
            layout.addWidget(widget)
        layout.addLayout(status_row)
        layout.addWidget(self.banner)
        layout.addWidget(self.mode_banner)
        layout.addWidget(self.splitter, 1)
        layout.addLayout(buttons)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, self.next_unanswered)
        QShortcut(QKeySequence("Ctrl+Shift+A"), self, self._add_action)
        QShortcut(QKeySequence("Alt+Left"), self, self._back)

    def _feedback_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.feedback_boxes: dict[str, TextBox] = {}
        for field, (label, tip) in FEEDBACK_FIELDS.items():
            box = named(TextBox(5), label.replace("&", "").rstrip(":"), tip, object_name=field)
            box.textChanged.connect(
                lambda f=field, b=box: self.saver.edit(f"audit:{f}", b.toPlainText())
            )
            box.left.connect(lambda f=field: self.saver.flush(f"audit:{f}"))
            caption = QLabel(label)
            caption.setBuddy(box)
            layout.addWidget(caption)
            layout.addWidget(box)
            self.feedback_boxes[field] = box
        layout.addStretch(1)
        return page

    def _button(self, text: str, tip: str, slot: object) -> QPushButton:
        button = named(QPushButton(text), text.replace("&", "").strip("←… "), tip)
        button.clicked.connect(slot)
        return button

    # -- loading state ----------------------------------------------------------------------

    def _load(self) -> None:
        a = self.audit
        for code, card in self.cards.items():
            answer = a.answers.get(code)
            card.set_answer(answer.value if answer else None)
            card.set_evidence(answer.evidence if answer else "")
        self.grade.set_final_grade(a.final_grade)
        self.grade.set_texts(grade_reason=a.grade_reason, safeguarding_note=a.safeguarding_note)
        self.grade.set_safeguarding(a.safeguarding_concern)
        for field, box in self.feedback_boxes.items():
            box.blockSignals(True)
            box.setPlainText(getattr(a, field))
            box.blockSignals(False)
        self.actions.show_actions(a.actions)
        self._on_actions_changed()
        self._apply_mode()
        self._regrade()
        first = self.first_unanswered()
        self.set_current(first or next(iter(self.cards.values())))

    def _reload(self) -> None:
        self.saver.flush()
        self.audit = get_audit(self.session.store, self.uid)
        self.values = {code: a.value for code, a in self.audit.answers.items()}
        self._load()

    @property
    def editable(self) -> bool:
        status = self.audit.status
        return status is AuditStatus.DRAFT or (
            status is AuditStatus.FINAL and bool(self.amend_reason)
        )

    def _apply_mode(self) -> None:
        status, editable = self.audit.status, self.editable
        self.status.setText(f"Status: {status.label}")
        for card in self.cards.values():
            card.set_read_only(not editable)
        self.grade.set_read_only(not editable)
        for box in self.feedback_boxes.values():
            box.setReadOnly(not editable)
        self.actions.set_read_only(not editable)
        self.submit_button.setVisible(status is AuditStatus.DRAFT)
        self.amend_button.setVisible(status is AuditStatus.FINAL and not self.amend_reason)
        self.mode_banner.setText(_mode_text(self.audit, self.amend_reason))
        self.mode_banner.setVisible(status is not AuditStatus.DRAFT)

    # -- answering --------------------------------------------------------------------------

    def _on_answered(self, code: str, value: str) -> None:
        self.saver.flush()
        if not self._write(lambda: record_answer(
            self.session.store, self.uid, code, actor=self.session.actor,
            value=value or None, reason=self.amend_reason,
        )):  # fmt: skip
            return
        self.values[code] = value or None
        card = self.cards[code]
        card.set_answer(value or None)
        self._regrade()
        if value and card.needs_evidence:
            self.set_current(card)
            card.evidence.setFocus()
        elif value:
            self.set_current(self._neighbour(code, 1) or card)
            if self._neighbour(code, 1) is None:
                self._finish_criteria()

    def _save_text(self, key: str, text: str) -> None:
        kind, name = key.split(":", 1)
        store, actor, reason = self.session.store, self.session.actor, self.amend_reason
        if kind == "evidence":
            self._write(lambda: record_answer(store, self.uid, name, actor=actor, evidence=text,
                                              reason=reason))  # fmt: skip
        else:
            self._write(lambda: update_audit(store, self.uid, actor=actor, reason=reason,
                                             **{name: text}))  # fmt: skip

    def _write(self, save: object) -> bool:
        """Run one save; stamp the status line, or show the error and say nothing was saved."""
        try:
            save()  # type: ignore[operator]
        except AuditorError as exc:
            self.saved.setText("⚠ Not saved: see the message")
            show_error(self, exc, doing="saving the audit")
            return False
        self.saved.setText(f"Saved {datetime.now():%H:%M:%S}")
        return True

    def _on_final_grade_chosen(self, grade: str) -> None:
        if not self._write(lambda: update_audit(
            self.session.store, self.uid, actor=self.session.actor,
            final_grade=grade or None, reason=self.amend_reason,
        )):  # fmt: skip
            self.grade.set_final_grade(self.audit.final_grade)

    def _on_safeguarding_toggled(self, concern: bool) -> None:
        if self._write(lambda: update_audit(
            self.session.store, self.uid, actor=self.session.actor,
            safeguarding_concern=concern, reason=self.amend_reason,
        )):  # fmt: skip
            self._refresh_banner()
        else:
            self.grade.set_safeguarding(not concern)

    def _on_actions_changed(self) -> None:
        count = len(self.actions.actions)
        self.tabs.setTabText(2, f"Ac&tions ({count})")
        self._refresh_banner()

    def _refresh_banner(self) -> None:
        open_actions = sum(1 for a in self.actions.actions if a.status == "open")
        follow_up = (
            f"{open_actions} open action{'s' if open_actions != 1 else ''} raised."
            if open_actions
            else "Raise an action (Ctrl+Shift+A) before you submit."
        )
        self.banner.setText(f"{SAFEGUARDING_BANNER} {follow_up}")
        self.banner.setVisible(self.grade.safeguarding.isChecked())

    def _regrade(self) -> None:
        result = grade_audit(self.audit.framework, self.audit.case.case_type, self.values)
        self.progress.setText(result.progress_text)
        self.grade.show_result(result)

    # -- moving around ----------------------------------------------------------------------

    def set_current(self, card: CriterionCard) -> None:
        """Make ``card`` the current criterion: highlighted, scrolled to and focused."""
        if self.current is not card:
            self.saver.flush()
            if self.current is not None:
                self.current.set_current(False)
            self.current = card
            card.set_current(True)
        self.scroll.ensureWidgetVisible(card, 0, 24)
        if not card.isAncestorOf(QApplication.focusWidget()):
            card.setFocus(Qt.FocusReason.OtherFocusReason)

    def _show_card(self, card: CriterionCard) -> None:
        self.scroll.ensureWidgetVisible(card, 0, 24)

    def _neighbour(self, code: str, step: int) -> CriterionCard | None:
        codes = list(self.cards)
        index = codes.index(code) + step
        return self.cards[codes[index]] if 0 <= index < len(codes) else None

    def _on_move_requested(self, code: str, step: int) -> None:
        card = self._neighbour(code, step)
        if card is not None:
            self.set_current(card)

    def first_unanswered(self, after: str | None = None) -> CriterionCard | None:
        codes = list(self.cards)
        start = codes.index(after) + 1 if after else 0
        for code in codes[start:] + codes[:start]:
            if not self.values.get(code):
                return self.cards[code]
        return None

    def next_unanswered(self) -> None:
        """Ctrl+Enter: the next criterion without an answer, or the final grade when none."""
        card = self.first_unanswered(self.current.code if self.current else None)
        if card is not None:
            self.set_current(card)
        else:
            self._finish_criteria()

    def _finish_criteria(self) -> None:
        self.saver.flush()
        self.tabs.setCurrentIndex(0)
        self.grade.final_grade.setFocus()
        self.saved.setText(f"{self.saved.text()} · every criterion answered: choose the grade")

    def _on_focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        if new is None or not self.isAncestorOf(new):
            return
        card = next((c for c in self.cards.values() if c is new or c.isAncestorOf(new)), None)
        if card is not None and card is not self.current:
            self.set_current(card)
        elif card is not None and new is card.evidence:
            self.scroll.ensureWidgetVisible(card.evidence, 0, 24)

    # -- submitting, amending, leaving ------------------------------------------------------

    def submit(self) -> None:
        self.saver.flush()
        self.audit = get_audit(self.session.store, self.uid)
        problems = submission_problems(self.audit)
        if problems:
            show_error(self, ValidationError("This audit cannot be submitted yet.", problems))
            self._focus_problem(problems)
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
        if self._write(
            lambda: submit_audit(self.session.store, self.uid, actor=self.session.actor)
        ):
            self._reload()
            self.session.changes.audits_changed.emit()
            self.status_changed.emit(self.audit.status.value)

    def _focus_problem(self, problems: list[str]) -> None:
        for code, card in self.cards.items():
            if any(p.startswith(f"{code} ") for p in problems):
                self.set_current(card)
                return
        self.tabs.setCurrentIndex(0)

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

    def history(self) -> None:
        self.saver.flush()
        HistoryDialog(self.session.store, self.uid, f"the audit of {self.audit.case.reference}",
                      self).open()  # fmt: skip

    def _add_action(self) -> None:
        if self.editable:
            self.tabs.setCurrentWidget(self.actions)
            self.actions.add()

    def _back(self) -> None:
        self.flush()
        self.back_requested.emit()

    def flush(self) -> None:
        """Save everything typed and not yet saved (leaving the form, closing the app)."""
        self.saver.flush()

    def closeEvent(self, event: object) -> None:
        self.flush()
        super().closeEvent(event)  # type: ignore[arg-type]


def _mode_text(audit: Audit, amend_reason: str) -> str:
    status = audit.status
    if status is AuditStatus.FINAL and amend_reason:
        return f"Amending a final audit. Every change is recorded with your reason: {amend_reason}"
    if status is AuditStatus.FINAL:
        return "Final: locked. A change is an amendment with a reason (Amend…)."
    if status is AuditStatus.SUBMITTED:
        return "Submitted: read-only. A QA lead moderates it, or returns it to you for changes."
    if status is AuditStatus.MODERATED:
        return "Moderated: read-only until the QA lead makes it final."
    return ""


def _scrolling(widget: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setWidget(widget)
    return area
