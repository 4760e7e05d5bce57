"""The import wizard's last page: what the import did (added, updated, unchanged, skipped)
and every change it made to cases that were already in the database."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWizardPage

from ui.dialogs.import_check_page import fit_columns, result_table
from ui.dialogs.import_work import ImportState
from ui.models.import_tables import ChangesModel
from ui.widgets.common import heading, wrapped


class DonePage(QWizardPage):
    def __init__(self, state: ImportState) -> None:
        super().__init__()
        self.state = state
        self.setTitle("Import finished")
        self.setSubTitle("The cases are in the case register. Their audits are untouched.")
        self.summary = wrapped(object_name="importSummary")
        self.changes_model = ChangesModel(self)
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
        lines = [
            f"✓ {table.path.name} was imported:",
            f"• {summary.added:,} new case{'' if summary.added == 1 else 's'} added",
            f"• {summary.updated:,} updated ({len(summary.changes):,} change"
            f"{'' if len(summary.changes) == 1 else 's'})",
            f"• {summary.unchanged:,} unchanged",
            f"• {summary.skipped:,} row{'' if summary.skipped == 1 else 's'} with problems "
            "left out",
        ]
        self.summary.setText("\n".join(lines))
        self.changes_model.set_changes(summary.changes)
        for widget in (self.changes, self.changes_heading):
            widget.setVisible(bool(summary.changes))
        fit_columns(self.changes)
