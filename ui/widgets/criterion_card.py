"""One criterion of the audit form: its wording, source, guidance on demand, the answer
scale as large labelled choices, and the evidence box.

Keyboard: with the card focused, a scale key (1/2/3/4, or the scale's letters) answers;
Up/Down move between criteria; Tab or Enter goes into the evidence box; G or F1 shows the
guidance; Delete clears the answer. In the evidence box, Escape returns to the card.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from auditor.frameworks.model import Criterion, ScaleValue
from ui.widgets.common import TextBox, named, wrapped

CHECK = "✓"


class EvidenceEdit(TextBox):
    """The evidence box: Tab leaves it, Escape returns to the card, leaving it saves."""

    escaped = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.escaped.emit()
            return
        super().keyPressEvent(event)


class CriterionCard(QFrame):
    answered = Signal(str, str)  # criterion code, scale value code ("" clears the answer)
    evidence_edited = Signal(str, str)  # criterion code, text
    evidence_left = Signal(str)  # focus left the evidence box: save now
    move_requested = Signal(str, int)  # criterion code, +1 (next) or -1 (previous)

    def __init__(self, criterion: Criterion, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.criterion = criterion
        self.code = criterion.code
        self.value: str | None = None
        self.read_only = False
        self.unsaved = False  # its answer or evidence waits to be saved
        self.setObjectName("criterionCard")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setProperty("current", False)
        keys = ", ".join(f"{v.key} {v.label}" for v in criterion.scale.values if v.key)
        named(self, f"{criterion.code}: {criterion.text}", f"Answer with the keys: {keys}")
        self._build()

    def _build(self) -> None:
        c = self.criterion
        title = wrapped(f"<b>{c.code}</b>&nbsp;&nbsp;{c.text}", object_name="criterionText")
        title.setTextFormat(Qt.TextFormat.RichText)
        self.state = QLabel("Not answered", objectName="answerState")
        self.state.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        top = QHBoxLayout()
        top.addWidget(title, 1)
        top.addWidget(self.state)
        tags = [f"Source: {'; '.join(c.sources)}"]
        if c.target is not None:
            tags.append(f"target {c.target:g} % met")
        if c.limiting:
            tags.append("limiting: a No caps the grade")
        source = wrapped(" · ".join(tags), object_name="criterionSource")
        self.guidance_button = named(
            QToolButton(), "Guidance", f"Show how to judge {c.code} (G or F1)"
        )
        self.guidance_button.setText("Guidance ▸")
        self.guidance_button.setCheckable(True)
        self.guidance_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.guidance_button.setEnabled(bool(c.guidance))
        self.guidance_button.toggled.connect(self._on_guidance_toggled)
        self.guidance = wrapped(c.guidance, object_name="criterionGuidance")
        self.guidance.hide()
        self.buttons = QButtonGroup(self)
        self.buttons.setExclusive(False)
        row = QHBoxLayout()
        for value in c.scale.values:
            row.addWidget(self._answer_button(value))
        row.addStretch(0)
        self.evidence = named(
            EvidenceEdit(),
            f"Evidence for {c.code}",
            "What you saw on the file. Saved as you type. Escape returns to the answers; "
            "Ctrl+Enter goes to the next unanswered criterion.",
            object_name="evidence",
        )
        self.evidence.setPlaceholderText("Evidence seen on the file…")
        self.evidence.textChanged.connect(self._on_evidence_changed)
        self.evidence.left.connect(lambda: self.evidence_left.emit(self.code))
        self.evidence.escaped.connect(self.setFocus)
        self.prompt = wrapped("", object_name="evidencePrompt")
        self.prompt.hide()
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(source)
        guidance_row = QHBoxLayout()
        guidance_row.addWidget(self.guidance_button)
        guidance_row.addStretch(1)
        layout.addLayout(guidance_row)
        layout.addWidget(self.guidance)
        layout.addLayout(row)
        layout.addWidget(self.evidence)
        layout.addWidget(self.prompt)

    def _answer_button(self, value: ScaleValue) -> QPushButton:
        key = f"{value.key}  " if value.key else ""
        button = named(
            QPushButton(f"{key}{value.label}"),
            value.label,
            f"Answer '{value.label}'" + (f" (key {value.key})" if value.key else ""),
            object_name=f"answer_{value.code}",
        )
        button.setCheckable(True)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button.setProperty("answer", value.code)
        button.setProperty("plainText", f"{key}{value.label}")
        button.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
        button.setMinimumHeight(button.fontMetrics().height() * 2 + 8)
        button.clicked.connect(lambda _checked, code=value.code: self._on_button_clicked(code))
        self.buttons.addButton(button)
        return button

    # -- state ------------------------------------------------------------------------------

    def set_answer(self, value: str | None) -> None:
        self.value = value or None
        for button in self.buttons.buttons():
            chosen = button.property("answer") == self.value
            button.setChecked(chosen)
            text = button.property("plainText")
            button.setText(f"{CHECK} {text}" if chosen else text)
        self._refresh_state()

    def set_evidence(self, text: str) -> None:
        self.evidence.blockSignals(True)
        self.evidence.setPlainText(text)
        self.evidence.blockSignals(False)
        self._refresh_state()

    def set_unsaved(self, unsaved: bool) -> None:
        if unsaved != self.unsaved:
            self.unsaved = unsaved
            self._refresh_state()

    def set_read_only(self, read_only: bool) -> None:
        self.read_only = read_only
        for button in self.buttons.buttons():
            button.setEnabled(not read_only)
        self.evidence.setReadOnly(read_only)

    def set_current(self, current: bool) -> None:
        if self.property("current") != current:
            self.setProperty("current", current)
            self.style().unpolish(self)
            self.style().polish(self)

    @property
    def scale_value(self) -> ScaleValue | None:
        return self.criterion.scale.value(self.value) if self.value else None

    @property
    def needs_evidence(self) -> bool:
        value = self.scale_value
        return bool(value and value.asks_evidence and not self.evidence.toPlainText().strip())

    def _refresh_state(self) -> None:
        value = self.scale_value
        if value is None:
            self.state.setText("Not answered")
        elif self.needs_evidence:
            self.state.setText(f"⚠ {value.label}: evidence needed")
        else:
            self.state.setText(f"{CHECK} {value.label}")
        if self.unsaved:
            self.state.setText(f"{self.state.text()} · ⚠ not saved yet")
        self.state.setProperty("needs", "evidence" if self.needs_evidence else "")
        self.state.style().unpolish(self.state)
        self.state.style().polish(self.state)
        if self.needs_evidence and value is not None:
            self.prompt.setText(
                f"⚠ '{value.label}' asks for evidence: write what you saw, or did not see, "
                "on the file."
            )
        self.prompt.setVisible(self.needs_evidence)

    # -- input ------------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, text = event.key(), event.text().strip().casefold()
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        value = next(
            (v for v in self.criterion.scale.values if v.key and v.key.casefold() == text), None
        )
        if value is not None and modifiers in (Qt.KeyboardModifier.NoModifier,):
            self._on_button_clicked(value.code)
        elif key in (Qt.Key.Key_Down, Qt.Key.Key_Up) and not modifiers:
            self.move_requested.emit(self.code, 1 if key == Qt.Key.Key_Down else -1)
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not modifiers:
            self.evidence.setFocus()
        elif key in (Qt.Key.Key_G, Qt.Key.Key_F1) and not modifiers:
            self.guidance_button.toggle()
        elif key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and not modifiers:
            self._on_button_clicked("")
        else:
            super().keyPressEvent(event)

    def _on_button_clicked(self, code: str) -> None:
        # The form saves (or keeps the answer to save later) and then calls set_answer;
        # until then show the state it had.
        self.set_answer(self.value)
        if not self.read_only:
            self.answered.emit(self.code, code)

    def _on_evidence_changed(self) -> None:
        self._refresh_state()
        self.evidence_edited.emit(self.code, self.evidence.toPlainText())

    def _on_guidance_toggled(self, shown: bool) -> None:
        self.guidance.setVisible(shown)
        self.guidance_button.setText("Guidance ▾" if shown else "Guidance ▸")
