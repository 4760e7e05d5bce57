"""The import wizard's last page: what the import did (added, updated, unchanged, skipped)
and every change it made to cases that were already in the database."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QVBoxLayout, QWizardPage

from ui.import_cases.check_page import counted, fit_columns, result_table
from ui.import_cases.tables import ChangesModel
from ui.import_cases.work import ImportState
from ui.widgets.common import heading, wrapped


class DonePage(QWizardPage):
    def __init__(self, state: ImportState) -> None:
        super().__init__()
        self.state = state
        self.setTitle("Import finished")
        self.setSubTitle("The cases are in the case register. Their audits are untouched.")
        self.summary = wrapped(object_name="importSummary")
        self.summary.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.changes_model = ChangesModel(self, imported=True)
        self.changes_heading = heading("Changes made to cases already in the database", level=3)
        self.changes = result_table(
            self.changes_model,
            "Changes made",
            "What the import changed in cases already in the database",
        )
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.changes_heading)
        layout.addWidget(self.changes, 1)

    def initializePage(self) -> None:
        summary, table = self.state.summary, self.state.table
        assert summary is not None and table is not None
        changes = (
            f" ({counted(len(summary.changes), 'change')}, listed below)" if summary.changes else ""
        )
        lines = [
            f"✓ {table.path.name} was imported:",
            f"• {counted(summary.added, 'new case')} added",
            f"• {counted(summary.updated, 'case')} updated{changes}",
            f"• {counted(summary.unchanged, 'case')} unchanged",
        ]
        if summary.skipped:
            lines.append(f"• {counted(summary.skipped, 'row')} with problems left out")
        left_out = [h for h in table.headers if self.state.mapping.field_for(h) is None]
        if left_out:
            lines.append(f"• Columns not imported: {', '.join(left_out)}")
        self.summary.setText("\n".join(lines))
        self.changes_model.set_changes(summary.changes)
        for widget in (self.changes, self.changes_heading):
            widget.setVisible(bool(summary.changes))
        fit_columns(self.changes)
        # Again once the page has its full width: rows fitted while the columns were still
        # narrow stay tall.
        QTimer.singleShot(0, self, lambda: fit_columns(self.changes))
