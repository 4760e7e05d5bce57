"""First run: the auditor's name (written into every audit and trail row) and, for an
empty database, an offer of synthetic demo data to try the app with."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QWidget,
)

from auditor import APP_NAME
from ui.widgets.common import named, wrapped


class FirstRunDialog(QDialog):
    def __init__(self, *, empty_database: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Welcome to {APP_NAME}")
        self.name = named(
            QLineEdit(), "Your name", "Written into every audit you make and its history"
        )
        self.name.setObjectName("auditorName")
        self.demo = named(
            QCheckBox("&Load demo data to try the app (synthetic, obviously fake cases)"),
            "Load demo data",
            "300 made-up cases with audits and actions; add them only to a practice database",
        )
        self.demo.setObjectName("loadDemo")
        self.demo.setVisible(empty_database)
        self.offers_demo = empty_database
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Start")
        self.ok.setEnabled(False)
        self.name.textChanged.connect(lambda text: self.ok.setEnabled(bool(text.strip())))
        self.buttons.accepted.connect(self.accept)
        form = QFormLayout(self)
        form.addRow(
            wrapped(
                f"{APP_NAME} keeps everything on this computer. Your name is written into "
                "every audit you make and every change in its history."
            )
        )
        form.addRow("Your &name:", self.name)
        form.addRow(self.demo)
        form.addRow(self.buttons)
        self.resize(520, self.sizeHint().height())

    @property
    def wants_demo(self) -> bool:
        """Demo data was offered (an empty database) and asked for."""
        return self.offers_demo and self.demo.isChecked()
