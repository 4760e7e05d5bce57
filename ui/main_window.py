"""The main window: the database's cases and audits at a glance."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QMainWindow, QVBoxLayout, QWidget

from auditor import APP_NAME
from auditor.store import Store


class MainWindow(QMainWindow):
    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self.setWindowTitle(f"{APP_NAME} — {store.path.name}")
        cases = store.scalar("SELECT COUNT(*) FROM cases")
        audits = store.scalar("SELECT COUNT(*) FROM audits WHERE deleted_at IS NULL")
        summary = QLabel(f"{cases:,} cases and {audits:,} audits in {store.path}")
        summary.setObjectName("summary")
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addWidget(summary)
        self.setCentralWidget(body)
        self.resize(1000, 700)
