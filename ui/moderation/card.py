"""One judgement on the moderation screen: a criterion (or the grade), what the auditor
said, and the moderator's decision, made by key as in the audit form.

Keyboard, with the card focused: 1 agrees with the auditor; 2 changes, and then a key
chooses the new answer (the scale's keys, as in the audit form; for the grade 1 to 4,
Outstanding to Inadequate) and the focus goes into the reason box. Up/Down move between
cards; Enter goes into the reason box; Delete clears the decision; Escape leaves choosing.
In the reason box Enter (Ctrl+Enter in the grade's note) goes on, Escape returns to the card.
Nothing is decided until the moderator decides it.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from auditor.audits.moderating import Decision
from ui.widgets.common import TextBox, named, wrapped

AGREE_KEY = "1"
CHANGE_KEY = "2"
UNDECIDED = "Not decided: 1 agrees, 2 changes"
CHECK = "✓"


@dataclass(frozen=True)
class Choice:
    """An answer (or grade) the moderator may change to: its value, words and key."""

    value: str
    label: str
    key: str


class ReasonLine(QLineEdit):
    escaped = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.escaped.emit()
            return
        super().keyPressEvent(event)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()  # handled (returnPressed): the card must not take it back


class NoteBox(TextBox):
    """The grade's note: several lines; Ctrl+Enter goes on, Escape returns to the card."""

    escaped = Signal()
    finished = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if event.key() == Qt.Key.Key_Escape:
            self.escaped.emit()
        elif enter and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.finished.emit()
        else:
            super().keyPressEvent(event)


class JudgementCard(QFrame):
    decided = Signal(str)  # code: the decision changed (agreed, changed, cleared)
    finished = Signal(str)  # code: this card is done, go to the next undecided one
    move_requested = Signal(str, int)  # code, +1 next / -1 previous
    reason_edited = Signal(str)  # code

    def __init__(
        self,
        code: str,
        title_html: str,
        theirs: Choice | None,
        theirs_html: str,
        choices: list[Choice],
        *,
        long_reason: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.code = code
        self.theirs = theirs
        self.choices = choices
        self.decision: Decision | None = None
        self.choosing = False
        self.read_only = False
        self.setObjectName("moderationCard")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setProperty("current", False)
        keys = ", ".join(f"{c.key} {c.label}" for c in choices)
        named(
            self,
            f"Moderate {code}",
            f"1 agrees with the auditor; 2 changes, then choose: {keys}",
        )
        title = rich_label(title_html, "moderationTitle")
        self.state = QLabel(UNDECIDED, objectName="decisionState")
        self.state.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        top = QHBoxLayout()
        top.addWidget(title, 1)
        top.addWidget(self.state)
        self.auditor_said = rich_label(theirs_html, "auditorSaid")
        self.agree_button = self._button(f"{AGREE_KEY}  Agree", "Agree with the auditor (key 1)")
        self.agree_button.clicked.connect(self.agree)
        self.change_button = self._button(f"{CHANGE_KEY}  Change…", "Change it (key 2)")
        self.change_button.clicked.connect(self.start_choosing)
        for button in (self.agree_button, self.change_button):
            button.setProperty("decide", True)  # checked: blue, as the answer buttons colour
        decide = QHBoxLayout()
        decide.addWidget(self.agree_button)
        decide.addWidget(self.change_button)
        decide.addStretch(1)
        self.choice_row = QWidget()
        row = QHBoxLayout(self.choice_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("Change to:"))
        self.choice_buttons: dict[str, QPushButton] = {}
        for choice in choices:
            button = self._button(f"{choice.key}  {choice.label}", f"Change to '{choice.label}'"
                                  f" (key {choice.key})")  # fmt: skip
            button.setProperty("answer", choice.value)
            button.clicked.connect(lambda _c=False, v=choice.value: self.change_to(v))
            self.choice_buttons[choice.value] = button
            row.addWidget(button)
        row.addStretch(1)
        self.choice_row.hide()
        self.reason: QLineEdit | QPlainTextEdit
        if long_reason:
            note = named(NoteBox(3), f"Why {code} changes", "Required when you change it; "
                         "Ctrl+Enter goes on")  # fmt: skip
            note.escaped.connect(self.setFocus)
            note.finished.connect(lambda: self.finished.emit(self.code))
            note.textChanged.connect(self._on_reason_edited)
            self.reason = note
        else:
            line = named(ReasonLine(), f"Why {code} changes", "Required when you change it; "
                         "Enter goes to the next criterion")  # fmt: skip
            line.escaped.connect(self.setFocus)
            line.returnPressed.connect(lambda: self.finished.emit(self.code))
            line.textChanged.connect(self._on_reason_edited)
            self.reason = line
        self.reason.setObjectName(f"reason_{code}")
        self.reason.setPlaceholderText("Your reason for the change (required)")
        self.reason.hide()
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.auditor_said)
        layout.addLayout(decide)
        layout.addWidget(self.choice_row)
        layout.addWidget(self.reason)
        self._refresh()

    def _button(self, text: str, tip: str) -> QPushButton:
        button = named(QPushButton(text), text.split("  ", 1)[-1].rstrip("…"), tip)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys work on the card itself
        button.setCheckable(True)
        button.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
        return button

    # -- deciding ---------------------------------------------------------------------------

    @property
    def reason_text(self) -> str:
        box = self.reason
        return box.text() if isinstance(box, QLineEdit) else box.toPlainText()

    def agree(self) -> None:
        if self.read_only:
            return
        if self.theirs is None:  # nothing to agree with: the moderator chooses an answer
            self.start_choosing()
            return
        self.choosing = False
        self.decision = Decision(agreed=True)
        self._after_decision()
        self.finished.emit(self.code)

    def start_choosing(self) -> None:
        if self.read_only:
            return
        self.choosing = True
        self._refresh()

    def change_to(self, value: str) -> None:
        if self.read_only:
            return
        if self.theirs is not None and value == self.theirs.value:
            self.agree()  # choosing the auditor's own answer is agreeing with it
            return
        self.choosing = False
        self.decision = Decision(agreed=False, value=value, reason=self.reason_text.strip())
        self._after_decision()
        self.reason.setFocus(Qt.FocusReason.OtherFocusReason)

    def clear(self) -> None:
        if self.read_only:
            return
        self.choosing = False
        self.decision = None
        self._after_decision()

    def _after_decision(self) -> None:
        self._refresh()
        self.decided.emit(self.code)

    def _on_reason_edited(self) -> None:
        if self.decision is not None and not self.decision.agreed:
            self.decision = Decision(False, self.decision.value, self.reason_text.strip())
        self._refresh()
        self.reason_edited.emit(self.code)

    # -- showing ----------------------------------------------------------------------------

    def _label(self, value: str | None) -> str:
        return next((c.label for c in self.choices if c.value == value), "not answered")

    def state_text(self) -> str:
        d = self.decision
        if self.choosing:
            keys = ", ".join(f"{c.key} {c.label}" for c in self.choices)
            return f"Change to? {keys} (Escape: not now)"
        if d is None:
            return UNDECIDED
        if d.agreed:
            theirs = self.theirs.label if self.theirs else "not answered"
            return f"{CHECK} Agreed: {theirs}"
        if not d.reason:
            return f"≠ Changed to {self._label(d.value)}: give a reason"
        return f"≠ Changed to {self._label(d.value)}"

    def _refresh(self) -> None:
        d = self.decision
        self.state.setText(self.state_text())
        needs = "reason" if d is not None and not d.agreed and not d.reason else ""
        needs = needs or ("decision" if d is None else "")
        self._restyle(self.state, "needs", needs)
        self.agree_button.setChecked(bool(d and d.agreed))
        changing = self.choosing or bool(d and not d.agreed)
        self.change_button.setChecked(changing)
        self.choice_row.setVisible(changing)
        for value, button in self.choice_buttons.items():
            button.setChecked(bool(d and not d.agreed and d.value == value))
            mine = self.theirs is not None and value == self.theirs.value
            button.setEnabled(not self.read_only and not mine)
        self.reason.setVisible(bool(d and not d.agreed))

    def show_decision(self, decision: Decision | None) -> None:
        """Show a decision already made (a recorded moderation), without signalling."""
        self.decision = decision
        self.reason.blockSignals(True)
        text = decision.reason if decision is not None else ""
        if isinstance(self.reason, QLineEdit):
            self.reason.setText(text)
        else:
            self.reason.setPlainText(text)
        self.reason.blockSignals(False)
        self._refresh()

    def set_current(self, current: bool) -> None:
        self._restyle(self, "current", current)

    def set_read_only(self, read_only: bool) -> None:
        self.read_only = read_only
        for button in (self.agree_button, self.change_button, *self.choice_buttons.values()):
            button.setEnabled(not read_only)
        self.reason.setReadOnly(read_only)
        if not read_only:
            self._refresh()

    @staticmethod
    def _restyle(widget: QWidget, name: str, value: object) -> None:
        if widget.property(name) != value:
            widget.setProperty(name, value)
            widget.style().unpolish(widget)
            widget.style().polish(widget)

    # -- keys -------------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, text = event.key(), event.text().strip().casefold()
        plain = not (event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier)
        chosen = next((c for c in self.choices if c.key.casefold() == text), None)
        if plain and self.choosing and chosen is not None:
            self.change_to(chosen.value)
        elif plain and self.choosing and key == Qt.Key.Key_Escape:
            self.choosing = False
            self._refresh()
        elif plain and text == AGREE_KEY:
            self.agree()
        elif plain and text == CHANGE_KEY:
            self.start_choosing()
        elif plain and key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
            self.move_requested.emit(self.code, 1 if key == Qt.Key.Key_Down else -1)
        elif plain and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.reason.isVisible():
            self.reason.setFocus(Qt.FocusReason.OtherFocusReason)
        elif plain and key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.clear()
        else:
            super().keyPressEvent(event)


def rich_label(html: str, object_name: str) -> QLabel:
    """A wrapped rich-text label whose minimum height is one line, not its unwrapped size
    hint: in a scroll area the column then takes the height its width needs, and no blank
    space is left below the last card."""
    label = wrapped(html, object_name=object_name)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
    return label


def criterion_title(code: str, text: str) -> str:
    return f"<b>{escape(code)}</b>&nbsp;&nbsp;{escape(text)}"


def said_html(who: str, label: str, detail: str, empty: str) -> str:
    """ "Auditor: <b>Partly</b> — their evidence" with the evidence escaped."""
    body = escape(detail).replace("\n", "<br>") if detail.strip() else f"<i>{empty}</i>"
    return f"{escape(who)}: <b>{escape(label)}</b> — {body}"
