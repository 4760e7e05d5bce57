"""An audit's history, from its trail: who changed what, when, from what to what, and why."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from auditor.clock import uk_time
from auditor.store import Store
from auditor.store.trail import history
from ui.widgets.common import named

COLUMNS = ("When", "Who", "What", "Old value", "New value", "Reason")


def local_time(stamp: str) -> str:
    return uk_time(stamp, local=True, seconds=True)


def _short(value: str | None, limit: int = 80) -> str:
    text = (value or "").replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


class HistoryDialog(QDialog):
    def __init__(self, store: Store, audit_uid: str, title: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"History of {title}")
        rows = history(store, audit_uid)
        self.table = named(
            QTableWidget(len(rows), len(COLUMNS)),
            "Audit history",
            "Every change to this audit, oldest first",
            object_name="historyTable",
        )
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for r, row in enumerate(rows):
            what = f"{row['entity']} {row['field']}"
            values = (
                local_time(row["at"]),
                row["actor"],
                what,
                _short(row["old_value"]),
                _short(row["new_value"]),
                row["reason"],
            )
            for c, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setToolTip(str(row["new_value"] if c == 4 else value or ""))
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setStretchLastSection(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(1000, 520)
