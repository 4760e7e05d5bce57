"""Moderation: a QA lead reads the auditor's whole audit (every answer and its evidence, the
grade and the reason it differs, the safeguarding concern, actions and feedback) and judges
it criterion by criterion, by key as in the audit form: 1 agrees, 2 changes (then the new
answer by key, and a reason). Nothing counts as agreed until it is agreed. Saving says what
was saved; the audit becomes moderated, then final.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from auditor.audits.grading import grade_audit
from auditor.audits.moderating import (
    Decision,
    changes_from,
    decision_problems,
    moderated_grade,
    recorded_moderation,
    saved_summary,
)
from auditor.audits.records import get_audit
from auditor.audits.workflow import finalise_audit, moderate_audit
from auditor.domain import GRADE_LABELS, AuditStatus
from ui.errors import reporting_user_errors
from ui.moderation.account import SAFEGUARDING_BANNER, AuditorsAccount, plain_heading
from ui.moderation.card import Choice, JudgementCard, criterion_title, said_html
from ui.session import Session
from ui.widgets.common import heading, named, wrapped

GRADE = "grade"  # the grade card's code among the criteria's
SIDE_PANEL_CHARS = 46  # the auditor's account: wide enough to read, the criteria stay widest


class ModerationView(QWidget):
    back_requested = Signal()

    def __init__(self, session: Session, audit_uid: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.uid = audit_uid
        self.audit = get_audit(session.store, audit_uid)
        self.recorded = recorded_moderation(session.store, audit_uid)
        self._tried_to_save = False  # problems are listed once a save was refused
        self._focused_once = False
        a = self.audit
        self.title = heading(f"Moderation of the audit of {a.case.reference}", level=1)
        self.facts = wrapped(
            f"{a.case_type_words} · {a.case.team} · worker {a.case.worker} · "
            f"auditor {a.auditor} · {a.framework.code} {a.framework.version}"
        )
        self.banner = wrapped(SAFEGUARDING_BANNER, object_name="safeguardingBanner")
        if not a.safeguarding_concern:
            self.banner.hide()  # (showing it before it has a parent would open a window)
        self.status = QLabel(objectName="moderationStatus")
        self.progress = QLabel(objectName="moderationProgress")
        self.suggested = QLabel(objectName="moderatedSuggestion")
        status_row = QHBoxLayout()
        status_row.addWidget(self.status)
        status_row.addWidget(self.progress)
        status_row.addStretch(1)
        status_row.addWidget(self.suggested)
        self.saved = wrapped("", object_name="moderationSaved")
        self.saved.hide()
        self.cards = self._criterion_cards()
        self.grade_card = self._grade_card()
        self.order: list[JudgementCard] = [*self.cards.values(), self.grade_card]
        self.current: JudgementCard | None = None
        self.scroll = self._cards_list()
        self.account = AuditorsAccount(a)
        self.account.setFixedWidth(self.fontMetrics().averageCharWidth() * SIDE_PANEL_CHARS)
        body = QHBoxLayout()
        body.addWidget(self.scroll, 1)
        body.addWidget(self.account)
        self.problems = wrapped("", object_name="moderationProblems")
        self.problems.hide()
        self.save_button = self._button("&Save moderation", "Record your decisions and "
                                        "grade (Ctrl+S)", self.save)  # fmt: skip
        self.save_button.setObjectName("saveModeration")
        self.final_button = self._button("Make fina&l", "Lock the audit as final", self.finalise)
        self.final_button.setObjectName("makeFinal")
        back = self._button("← &Back", "Back to the audits", self.back_requested.emit)
        buttons = QHBoxLayout()
        buttons.addWidget(back)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.final_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.facts)
        layout.addWidget(self.banner)
        layout.addLayout(status_row)
        layout.addWidget(self.saved)
        layout.addLayout(body, 1)
        layout.addWidget(self.problems)
        layout.addLayout(buttons)
        shortcut = QShortcut(QKeySequence("Ctrl+S"), self, self.save)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        app.focusChanged.connect(self._on_focus_changed)
        self._apply_status()
        self._refresh()

    # -- building ---------------------------------------------------------------------------

    def _auditor_value(self, code: str) -> str | None:
        """What the auditor answered: before the moderation, once one is recorded."""
        if self.recorded is not None and code in self.recorded.auditor_values:
            return self.recorded.auditor_values[code]
        return self.audit.answer_value(code)

    def _criterion_cards(self) -> dict[str, JudgementCard]:
        cards = {}
        for criterion in self.audit.criteria:
            choices = [Choice(v.code, v.label, v.key) for v in criterion.scale.values]
            value = self._auditor_value(criterion.code)
            theirs = next((c for c in choices if c.value == value), None)
            answer = self.audit.answers.get(criterion.code)
            said = said_html(
                "Auditor",
                theirs.label if theirs else "Not answered",
                answer.evidence if answer else "",
                "no evidence written",
            )
            card = JudgementCard(
                criterion.code, criterion_title(criterion.code, criterion.text), theirs, said,
                choices,
            )  # fmt: skip
            cards[criterion.code] = self._wire(card)
        return cards

    def _grade_card(self) -> JudgementCard:
        a = self.audit
        choices = [Choice(g.value, label, str(n))
                   for n, (g, label) in enumerate(GRADE_LABELS.items(), start=1)]  # fmt: skip
        grade = self.recorded.auditor_grade if self.recorded else a.final_grade
        theirs = next((c for c in choices if grade and c.value == grade.value), None)
        suggested = a.grade().suggested
        detail = ""
        if suggested is not None and grade is not None and suggested != grade:
            detail = f"suggested from the answers: {suggested.label}. Their reason: "
            detail += a.grade_reason.strip() or "none written"
        said = said_html("Auditor", theirs.label if theirs else "No grade", detail,
                         "the same as the grade suggested from the answers")  # fmt: skip
        card = JudgementCard(
            GRADE, "<b>Grade</b>&nbsp;&nbsp;Your judgement of the whole file", theirs, said,
            choices, long_reason=True,
        )  # fmt: skip
        card.setAccessibleName("Moderate the grade")
        card.reason.setAccessibleName("Moderation note: why the grade changes")
        card.reason.setObjectName("moderationNote")
        return self._wire(card)

    def _wire(self, card: JudgementCard) -> JudgementCard:
        card.decided.connect(lambda _code: self._refresh())
        card.reason_edited.connect(lambda _code: self._refresh())
        card.finished.connect(self._go_on_from)
        card.move_requested.connect(self._move)
        return card

    def _cards_list(self) -> QScrollArea:
        body = QWidget(objectName="moderationList")
        column = QVBoxLayout(body)
        for section in self.audit.framework.sections:
            asked = [c for c in section.criteria if c.code in self.cards]
            if asked:
                column.addWidget(plain_heading(section.title, 2))
            for criterion in asked:
                column.addWidget(self.cards[criterion.code])
        column.addWidget(plain_heading("Your grade", 2))
        column.addWidget(self.grade_card)
        column.addStretch(1)  # a short list keeps its cards at the top; no space below them
        scroll = named(QScrollArea(), "Your judgement, criterion by criterion",
                       "1 agrees, 2 changes; Up and Down move")  # fmt: skip
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(body)
        return scroll

    def _button(self, text: str, tip: str, slot: object) -> QPushButton:
        button = named(QPushButton(text), text.replace("&", "").strip("← "), tip)
        button.clicked.connect(slot)
        return button

    # -- moving between cards ---------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._focused_once:
            self._focused_once = True
            QTimer.singleShot(0, self._focus_first)

    def _focus_first(self) -> None:
        """The first undecided card has the keyboard focus, so the first key decides it."""
        if self.editable:
            self.set_current(self._next_undecided(None) or self.order[0])
        else:
            self.final_button.setFocus() if self.final_button.isEnabled() else None

    def set_current(self, card: JudgementCard, *, focus: bool = True) -> None:
        if self.current is not card:
            if self.current is not None:
                self.current.set_current(False)
            self.current = card
            card.set_current(True)
        self.scroll.ensureWidgetVisible(card, 0, 24)
        if focus and not card.isAncestorOf(QApplication.focusWidget()):
            card.setFocus(Qt.FocusReason.OtherFocusReason)

    def _next_undecided(self, after: JudgementCard | None) -> JudgementCard | None:
        start = self.order.index(after) + 1 if after is not None else 0
        for card in self.order[start:] + self.order[:start]:
            if card.decision is None:
                return card
        return None

    def _go_on_from(self, code: str) -> None:
        card = self.grade_card if code == GRADE else self.cards[code]
        following = self._next_undecided(card)
        if following is not None:
            self.set_current(following)
        else:
            self.save_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def _move(self, code: str, step: int) -> None:
        card = self.grade_card if code == GRADE else self.cards[code]
        index = self.order.index(card) + step
        if 0 <= index < len(self.order):
            self.set_current(self.order[index])

    def _on_focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        if new is None or not self.scroll.isAncestorOf(new):
            return
        card = next((c for c in self.order if c is new or c.isAncestorOf(new)), None)
        if card is not None:
            self.set_current(card, focus=False)
            if new is card.reason:
                self.scroll.ensureWidgetVisible(card.reason, 0, 24)

    # -- state ------------------------------------------------------------------------------

    @property
    def editable(self) -> bool:
        return self.audit.status is AuditStatus.SUBMITTED

    def decisions(self) -> dict[str, Decision | None]:
        return {code: card.decision for code, card in self.cards.items()}

    def _refresh(self) -> None:
        decisions = self.decisions()
        decided = sum(1 for d in decisions.values() if d is not None)
        changed = sum(1 for d in decisions.values() if d is not None and not d.agreed)
        total = len(decisions)
        self.progress.setText(
            f"·  {decided} of {total} criteria decided · {changed} changed"
            f" · grade {'decided' if self.grade_card.decision else 'not decided'}"
        )
        values = {
            code: (self._auditor_value(code) if d is None or d.agreed else d.value)
            for code, d in decisions.items()
        }
        result = grade_audit(self.audit.framework, self.audit.case_type, values)
        label = result.suggested.label if result.suggested else "–"
        self.suggested.setText(f"Suggested from your decisions: {label}")
        if self._tried_to_save and self.editable:
            self._show_problems(decision_problems(self.audit, decisions,
                                                  self.grade_card.decision))  # fmt: skip

    def _show_problems(self, problems: list[str]) -> None:
        """The problems left: each one goes as soon as it is put right."""
        self.problems.setText("⚠ Not saved yet. " + " ".join(problems))
        self.problems.setVisible(bool(problems))

    def _apply_status(self) -> None:
        status = self.audit.status
        if self.recorded is not None and not self.editable:
            for code, decision in self.recorded.decisions.items():
                if code in self.cards:
                    self.cards[code].show_decision(decision)
            self.grade_card.show_decision(self.recorded.grade)
        for card in self.order:
            card.set_read_only(not self.editable)
        self.save_button.setEnabled(self.editable)
        self.final_button.setEnabled(status in (AuditStatus.SUBMITTED, AuditStatus.MODERATED))
        self.status.setText(f"Status: {status.label}")

    # -- saving -----------------------------------------------------------------------------

    def save(self) -> None:
        if not self.editable:
            return
        decisions, grade = self.decisions(), self.grade_card.decision
        problems = decision_problems(self.audit, decisions, grade)
        if problems or grade is None:
            self._tried_to_save = True
            self._show_problems(problems)
            self._go_to_first_problem()
            return
        before = self.audit
        changes = changes_from(before, decisions)
        chosen = moderated_grade(before, grade)
        with reporting_user_errors(self, "saving a moderation"):
            moderate_audit(
                self.session.store,
                self.uid,
                moderator=self.session.actor,
                grade=chosen,
                changes=changes,
                note="" if grade.agreed else grade.reason.strip(),
            )
            self.saved.setText(f"✓ {saved_summary(before, changes, chosen)}")
            self.saved.show()
            self.problems.hide()
            self._after_change()
            self.final_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def _go_to_first_problem(self) -> None:
        for card in self.order:
            d = card.decision
            if d is None:
                self.set_current(card)
                return
            if not d.agreed and not d.reason.strip():
                self.set_current(card, focus=False)
                card.reason.setFocus(Qt.FocusReason.OtherFocusReason)
                return

    def finalise(self) -> None:
        with reporting_user_errors(self, "making an audit final"):
            finalise_audit(self.session.store, self.uid, actor=self.session.actor)
            self.saved.setText("✓ The audit is final: locked. A later change is an amendment.")
            self.saved.show()
            self._after_change()

    def _after_change(self) -> None:
        self.audit = get_audit(self.session.store, self.uid)
        self.recorded = recorded_moderation(self.session.store, self.uid)
        self._apply_status()
        self._refresh()
        self.session.changes.audits_changed.emit()
