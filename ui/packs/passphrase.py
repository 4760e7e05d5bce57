"""The optional passphrase of a pack being made: a tick box, the passphrase twice, and what
a passphrase means (anyone who has it can open the pack; without it nobody can)."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QFormLayout, QLineEdit, QWidget

from auditor.errors import ValidationError
from auditor.packs.container import MIN_PASSPHRASE
from ui.widgets.common import named, wrapped

EXPLANATION = (
    "Anyone with the passphrase can open the pack; if it is lost, the pack cannot be opened "
    "by anyone. Tell the passphrase to the person in another way (by phone, say), never in "
    f"the same email as the pack. At least {MIN_PASSPHRASE} characters."
)


class PassphraseFields(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.protect = named(
            QCheckBox("&Protect the pack with a passphrase"),
            "Protect with a passphrase",
            "Encrypt the pack: it can only be opened with the passphrase",
        )
        self.first = self._field("Passphrase", "The passphrase that will open the pack")
        self.second = self._field("Passphrase again", "Type the same passphrase again")
        self.note = wrapped(EXPLANATION, object_name="passphraseNote")
        self.note.setMinimumWidth(460)  # wraps at the dialog's width, not a narrow guess
        self.note.setContentsMargins(0, 4, 0, 8)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(self.protect)
        form.addRow("Passphras&e:", self.first)
        form.addRow("&Again:", self.second)
        form.addRow(self.note)
        self.protect.toggled.connect(self._enable)
        self._enable(False)

    def _field(self, name: str, tooltip: str) -> QLineEdit:
        field = named(QLineEdit(), name, tooltip)
        field.setEchoMode(QLineEdit.EchoMode.Password)
        return field

    def _enable(self, on: bool) -> None:
        for widget in (self.first, self.second):
            widget.setEnabled(on)
        if on:
            self.first.setFocus()

    def passphrase(self) -> str | None:
        """The passphrase chosen, or None for an unprotected pack. Raises
        :class:`ValidationError` when the two differ or it is too short."""
        if not self.protect.isChecked():
            return None
        text = self.first.text()
        if len(text) < MIN_PASSPHRASE:
            raise ValidationError(f"The passphrase needs at least {MIN_PASSPHRASE} characters.")
        if self.second.text() != text:
            raise ValidationError("The two passphrases differ: type the same one twice.")
        return text
