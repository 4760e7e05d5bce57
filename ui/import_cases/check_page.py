"""The import wizard's third page: every row checked (off the GUI thread) before anything is
written. It lists each problem with its row, column and value, says what an import would
add and change, and lets the user import only the valid rows, or stop and fix the file.
Its Import button runs the import, in one transaction, behind the progress dialog."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QButtonGroup,
    QPushButton,
    QRadioButton,
    QTableView,
    QVBoxLayout,
    QWizard,
    QWizardPage,
)

from auditor.importing import ImportCancelled, ImportSummary, Validation
from ui.errors import show_error
from ui.import_cases.tables import ChangesModel, ProblemsModel
from ui.import_cases.work import ImportState, checking, importing
from ui.session import Session
from ui.widgets.common import heading, named, wrapped
from ui.widgets.progress import run_with_progress
from ui.widgets.table import RowTableModel

WRAP_ROWS_UP_TO = 300  # rows fitted to their text; beyond, it would take seconds
NOTHING_IMPORTED = "Nothing was imported: the database is as it was."


def result_table(model: RowTableModel, name: str, tooltip: str) -> QTableView:
    """A read-only, sortable table of problems or changes."""
    table = named(QTableView(), name, tooltip)
    table.setModel(model)
    table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    table.setAlternatingRowColors(True)
    table.horizontalHeader().setSortIndicator(0, Qt.SortOrder.AscendingOrder)
    table.setSortingEnabled(True)  # sorts by the indicator: rows in the file's order
    table.verticalHeader().hide()
    header = table.horizontalHeader()
    header.setStretchLastSection(True)
    header.setResizeContentsPrecision(100)  # fit the columns to 100 rows, not 50,000
    return table


def fit_columns(table: QTableView) -> None:
    """Columns fitted to their contents; a short list's rows grow to show long messages
    whole (for thousands of rows, each row's tooltip holds the whole message)."""
    table.resizeColumnsToContents()
    header = table.horizontalHeader()
    for column in range(header.count() - 1):
        header.resizeSection(column, min(header.sectionSize(column) + 16, 260))
    model = table.model()
    if model is not None and model.rowCount() <= WRAP_ROWS_UP_TO:
        table.resizeRowsToContents()
        rows = table.verticalHeader()
        for row in range(model.rowCount()):
            rows.resizeSection(row, rows.sectionSize(row) + 6)  # air between the lines


def counted(count: int, word: str) -> str:
    """E.g. "1 row", "2,500 rows"."""
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def not_imported_text(state: ImportState) -> str:
    """The columns of the file that the import leaves out, named: none is dropped unsaid."""
    table = state.table
    if table is None:
        return ""
    left_out = [h for h in table.headers if state.mapping.field_for(h) is None]
    if not left_out:
        return ""
    return (
        f"Not imported: {', '.join(left_out)}. Press Back to read "
        f"{'it' if len(left_out) == 1 else 'them'} as case details."
    )


class CheckPage(QWizardPage):
    def __init__(self, session: Session, state: ImportState) -> None:
        super().__init__()
        self.session = session
        self.state = state
        self.setTitle("Check the rows")
        self.setSubTitle(
            "Every row is checked before anything is written. Row numbers are those your "
            "spreadsheet shows. Nothing has been imported yet."
        )
        self.setButtonText(QWizard.WizardButton.NextButton, "&Import")
        self.counts = wrapped(object_name="importCounts")
        self.left_out = wrapped(object_name="notImported")
        self.problems_model = ProblemsModel(self)
        self.problems = result_table(
            self.problems_model,
            "Problems in the file",
            "Each problem: row, column, value and what is wrong",
        )
        self.preview = wrapped(object_name="importPreview")
        self.changes_model = ChangesModel(self)
        self.changes = result_table(
            self.changes_model,
            "Changes to existing cases",
            "What the import changes in cases already in the database",
        )
        self.fix_first = named(
            QRadioButton("&Don't import yet: I will fix the file, then import it again"),
            "Fix the file first",
            "Press Cancel, correct the rows listed, then import the file again",
        )
        self.valid_only = named(
            QRadioButton(),
            "Import only the valid rows",
            "Import the rows without problems; leave the others out",
        )
        self.choice = QButtonGroup(self)
        for button in (self.fix_first, self.valid_only):
            self.choice.addButton(button)
            button.toggled.connect(self._on_choice)
        self.outcome = wrapped(object_name="importOutcome")
        self.again = named(QPushButton("Check &again"), "Check again", "Check every row again")
        self.again.clicked.connect(self.check)
        self._layout()

    def _layout(self) -> None:
        layout = QVBoxLayout(self)
        layout.addWidget(self.counts)
        layout.addWidget(self.left_out)
        layout.addWidget(self.problems, 3)
        layout.addWidget(self.fix_first)
        layout.addWidget(self.valid_only)
        layout.addWidget(self.preview)
        self.changes_heading = heading("Changes to cases already in the database", level=3)
        layout.addWidget(self.changes_heading)
        layout.addWidget(self.changes, 2)
        layout.addWidget(self.outcome)
        layout.addWidget(self.again)

    def initializePage(self) -> None:
        self.check()

    def cleanupPage(self) -> None:
        self.state.forget_check()

    # -- checking -------------------------------------------------------------------------

    def check(self) -> None:
        """Check every row and compare with the database, behind a progress bar."""
        table = self.state.table
        assert table is not None, "the first page reads the file before this page shows"
        self.state.forget_check()
        self._show(None, None)
        self.counts.setText(f"Checking {counted(len(table.rows), 'row')}…")
        run_with_progress(
            self,
            self.session.runner,
            checking(self.session, table, self.state.mapping),
            title="Checking the rows",
            on_success=self._on_checked,
            on_failure=self._on_check_failed,
            on_cancelled=self._on_check_cancelled,
        )

    def _on_checked(self, result: tuple[Validation, ImportSummary]) -> None:
        self.state.validation, self.state.preview = result
        self._show(*result)

    def _on_check_failed(self, error: BaseException) -> None:
        if isinstance(error, ImportCancelled):
            self._on_check_cancelled()
            return
        self.counts.setText("✗ The rows could not be checked.")
        show_error(self, error, doing="checking the rows")
        self.again.show()

    def _on_check_cancelled(self) -> None:
        self.counts.setText(
            "Checking was cancelled. Press “Check again”, or Back to change the columns."
        )
        self.again.show()

    def _show(self, validation: Validation | None, preview: ImportSummary | None) -> None:
        self.problems_model.set_problems(validation.problems if validation else ())
        self.problems.setVisible(bool(validation and validation.problems))
        self.changes_model.set_changes(preview.changes if preview else ())
        for widget in (self.changes, self.changes_heading):
            widget.setVisible(bool(preview and preview.changes))
        # Fitted in the event loop's next turn: the tables filled, the page's texts set and
        # the columns fitted in one go held the GUI thread for 46-49 ms at 50,000 rows.
        QTimer.singleShot(0, self, self._fit_tables)
        self.again.setVisible(False)
        self.outcome.setText("")
        self.counts.setText(self._counts_text(validation) if validation else "")
        self.left_out.setText(not_imported_text(self.state) if validation else "")
        self.left_out.setVisible(bool(self.left_out.text()))
        self.preview.setText(
            self._preview_text(validation, preview) if validation and preview else ""
        )
        choose = bool(
            validation
            and validation.problems
            and validation.records
            and not validation.file_problems
        )
        self.fix_first.setVisible(choose)
        self.valid_only.setVisible(choose)
        self.fix_first.setChecked(True)  # the default is never to import a faulty file
        if validation is not None:
            self.valid_only.setText(
                f"Import &only the {counted(len(validation.records), 'valid row')}"
                f"; leave out the {counted(validation.rows_with_problems, 'row')} "
                "with problems"
            )
        self.completeChanged.emit()

    def _fit_tables(self) -> None:
        for table in (self.problems, self.changes):
            fit_columns(table)

    def _counts_text(self, validation: Validation) -> str:
        total, valid = validation.rows_total, len(validation.records)
        if validation.file_problems:
            return (
                "✗ The file cannot be imported with these columns: press Back and choose "
                "the columns listed below."
            )
        if not validation.problems:
            return f"✓ All {counted(total, 'row')} can be imported."
        problems, bad = len(validation.problems), validation.rows_with_problems
        text = (
            f"⚠ {counted(total, 'row')} checked: {valid:,} can be imported, {bad:,} "
            f"{'has' if bad == 1 else 'have'} problems ({counted(problems, 'problem')}, listed "
            "below)."
        )
        if not valid:
            text += " No row can be imported until the file is fixed."
        return text

    def _preview_text(self, validation: Validation, preview: ImportSummary) -> str:
        if not (preview.added or preview.updated or preview.unchanged):
            return ""
        rows = (
            f" the {counted(len(validation.records), 'valid row')}" if validation.problems else ""
        )
        changes = (
            f" ({counted(len(preview.changes), 'change')}, listed below)" if preview.changes else ""
        )
        return (
            f"If you import{rows}: {counted(preview.added, 'new case')} will be added, "
            f"{counted(preview.updated, 'case')} updated{changes}, {preview.unchanged:,} "
            "unchanged. Cases are matched by their reference, never duplicated."
        )

    def _on_choice(self, _checked: bool) -> None:
        self.state.valid_only = self.valid_only.isChecked()
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        validation = self.state.validation
        if validation is None or validation.file_problems or not validation.records:
            return False
        return not validation.problems or self.state.valid_only

    # -- importing ------------------------------------------------------------------------

    def validatePage(self) -> bool:
        """Import, then move on to the summary; the page stays if the import does not end
        well (cancelled or refused), saying that nothing was imported."""
        if self.state.summary is not None:
            return True
        self.import_cases()
        return False

    def import_cases(self) -> None:
        validation, table = self.state.validation, self.state.table
        assert validation is not None and table is not None
        self.outcome.setText("")
        work = importing(
            self.session, validation, valid_only=self.state.valid_only, source=table.path.name
        )
        run_with_progress(
            self,
            self.session.runner,
            work,
            title="Importing cases",
            on_success=self._on_imported,
            on_failure=self._on_import_failed,
            on_cancelled=self._on_import_cancelled,
        )

    def _on_imported(self, summary: ImportSummary) -> None:
        self.state.summary = summary
        self.session.changes.cases_changed.emit()
        wizard = self.wizard()
        if wizard is not None:
            wizard.next()  # validatePage now lets the wizard on to the summary

    def _on_import_failed(self, error: BaseException) -> None:
        if isinstance(error, ImportCancelled):
            self._on_import_cancelled()
            return
        self.outcome.setText(f"✗ {NOTHING_IMPORTED}")
        show_error(self, error, doing="importing cases")

    def _on_import_cancelled(self) -> None:
        self.outcome.setText(
            f"The import was cancelled. {NOTHING_IMPORTED} Press Import to "
            "start it again, or Cancel to close."
        )
