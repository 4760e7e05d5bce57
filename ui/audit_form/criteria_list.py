"""The audit form's left side: the criteria asked for the case, by section, and which one is
current (highlighted, scrolled to, focused). Moving between criteria lives here; saving
lives in the form.

A card is made for every criterion of the case's type; one asked only when another has a
given answer is hidden while it is not asked (:meth:`CriteriaList.show_asked`, from the
core's ``criteria_asked``), and moving skips it."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QScrollArea, QVBoxLayout, QWidget

from auditor.audits.records import Audit
from ui.widgets.common import heading, named
from ui.widgets.criterion_card import CriterionCard


class CriteriaList(QScrollArea):
    answered = Signal(str, str)  # criterion code, scale value code ("" clears)
    evidence_edited = Signal(str, str)  # criterion code, text
    evidence_left = Signal(str)  # criterion code
    leaving = Signal()  # the current criterion is about to change: save what is typed

    def __init__(self, audit: Audit, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "Criteria", "The criteria asked for this case")
        self.setWidgetResizable(True)
        self.framework, self.case_type = audit.framework, audit.case_type
        self.cards: dict[str, CriterionCard] = {}
        self.headings: dict[str, QWidget] = {}  # section code → its title
        self.current: CriterionCard | None = None
        body = QWidget(objectName="criteriaList")
        column = QVBoxLayout(body)
        for section in audit.framework.sections:
            asked = [c for c in section.criteria if c.applies(audit.case_type)]
            if asked:
                self.headings[section.code] = heading(section.title, level=2)
                column.addWidget(self.headings[section.code])
            for criterion in asked:
                card = CriterionCard(criterion)
                card.answered.connect(self.answered)
                card.evidence_edited.connect(self.evidence_edited)
                card.evidence_left.connect(self.evidence_left)
                card.move_requested.connect(self._on_move_requested)
                card.guidance_button.toggled.connect(
                    lambda _shown, c=card: QTimer.singleShot(0, lambda: self.show_card(c))
                )
                self.cards[criterion.code] = card
                column.addWidget(card)
        column.addStretch(1)
        self.setWidget(body)
        self.asked = list(self.cards)  # codes of the cards shown, in order
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        app.focusChanged.connect(self._on_focus_changed)

    def set_current(self, card: CriterionCard) -> None:
        """Make ``card`` the current criterion: highlighted, scrolled to and focused."""
        if self.current is not card:
            self.leaving.emit()
            if self.current is not None:
                self.current.set_current(False)
            self.current = card
            card.set_current(True)
        self.show_card(card)
        if not card.isAncestorOf(QApplication.focusWidget()):
            card.setFocus(Qt.FocusReason.OtherFocusReason)

    def show_asked(self, values: dict[str, str | None]) -> None:
        """Show the cards of the criteria asked with these answers and hide the others (a
        hidden card keeps its answer: the core ignores it while it is not asked), with a
        section's title hidden when none of its cards is shown."""
        asked = [c.code for c in self.framework.criteria_asked(self.case_type, values)]
        if asked == self.asked:
            return
        self.asked = asked
        shown = set(asked)
        for code, card in self.cards.items():
            card.setHidden(code not in shown)
        for section, title in self.headings.items():
            title.setHidden(not any(self.cards[c].criterion.section == section for c in shown))
        if self.current is not None and self.current.code not in shown:
            # Never leave the keyboard on a hidden card: back to the nearest one shown.
            codes = list(self.cards)
            earlier = [c for c in codes[: codes.index(self.current.code)] if c in shown]
            self.set_current(self.cards[earlier[-1] if earlier else asked[0]])
        # A card just shown has no place in the layout until the event loop lays it out:
        # scroll to the current card again then, or a card revealed below stays cut off.
        QTimer.singleShot(0, lambda: self.current is not None and self.show_card(self.current))

    def show_card(self, card: QWidget) -> None:
        self.ensureWidgetVisible(card, 0, 24)

    def neighbour(self, code: str, step: int) -> CriterionCard | None:
        """The card shown ``step`` places from criterion ``code`` (hidden cards skipped)."""
        codes = [c for c in self.cards if c in self.asked or c == code]
        index = codes.index(code) + step
        return self.cards[codes[index]] if 0 <= index < len(codes) else None

    def first_unanswered(
        self, values: dict[str, str | None], after: str | None = None
    ) -> CriterionCard | None:
        """The first criterion shown without an answer after ``after`` (wrapping round), or
        None."""
        codes = [c for c in self.cards if c in self.asked or c == after]
        start = codes.index(after) + 1 if after else 0
        for code in codes[start:] + codes[:start]:
            if not values.get(code) and code in self.asked:
                return self.cards[code]
        return None

    def _on_move_requested(self, code: str, step: int) -> None:
        card = self.neighbour(code, step)
        if card is not None:
            self.set_current(card)

    def _on_focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        if new is None or not self.isAncestorOf(new):
            return
        card = next((c for c in self.cards.values() if c is new or c.isAncestorOf(new)), None)
        if card is not None and card is not self.current:
            self.set_current(card)
        elif card is not None and new is card.evidence:
            self.show_card(card.evidence)
