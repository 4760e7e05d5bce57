"""The audit form's feedback tab: strengths, what would improve the practice, and feedback
written to the allocated worker. Each box says when it changes and when it is left."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ui.widgets.common import TextBox, named

FEEDBACK_FIELDS = {
    "strengths": ("&Strengths of the practice:", "What is done well on this file"),
    "improvements": ("&What would improve it:", "What the practice most needs"),
    "feedback": ("Feedback for the &practitioner:", "Written to the allocated worker"),
}


class FeedbackPanel(QWidget):
    text_edited = Signal(str, str)  # audit field, text
    text_left = Signal(str)  # audit field

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        self.boxes: dict[str, TextBox] = {}
        for field, (label, tip) in FEEDBACK_FIELDS.items():
            box = named(TextBox(5), label.replace("&", "").rstrip(":"), tip, object_name=field)
            box.textChanged.connect(
                lambda f=field, b=box: self.text_edited.emit(f, b.toPlainText())
            )
            box.left.connect(lambda f=field: self.text_left.emit(f))
            caption = QLabel(label)
            caption.setBuddy(box)
            layout.addWidget(caption)
            layout.addWidget(box)
            self.boxes[field] = box
        layout.addStretch(1)

    def set_texts(self, **texts: str) -> None:
        for field, text in texts.items():
            box = self.boxes[field]
            box.blockSignals(True)
            box.setPlainText(text)
            box.blockSignals(False)

    def set_read_only(self, read_only: bool) -> None:
        for box in self.boxes.values():
            box.setReadOnly(read_only)
