"""The import wizard's first page: choose the case list (and its sheet), and a saved column
mapping if there is one. The file is read as soon as it is chosen, off the GUI thread."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWizardPage,
)

from auditor.errors import AuditorError
from auditor.importing import ImportCancelled, Table, list_mappings
from ui.errors import show_error
from ui.file_choice import FileDialog, remembered_folder
from ui.import_cases.work import FileRead, ImportState, reading
from ui.session import Session
from ui.settings import IMPORT_FOLDER, LAST_MAPPING
from ui.widgets.common import named, wrapped
from ui.widgets.progress import run_with_progress

FILE_FILTER = "Case lists (*.csv *.xlsx);;All files (*)"
GUESS = "Guess from the column headings"
# Declared here, with their defaults, because only the import wizard uses them.


class FilePage(QWizardPage):
    def __init__(self, session: Session, state: ImportState) -> None:
        super().__init__()
        self.session = session
        self.state = state
        self.setTitle("Choose the case list")
        self.setSubTitle(
            "A CSV or Excel (.xlsx) file exported from your case-management system. "
            "Nothing is changed in the database until the last step."
        )
        self.path = named(QLineEdit(), "Case list file", "The CSV or Excel file to import")
        self.path.setPlaceholderText("Choose a .csv or .xlsx file…")
        self.requested: Path | None = None  # the file last asked for, and whether it is
        self.reading = False  # still being read (a second ask for it is the same one)
        self.path.editingFinished.connect(self._on_path_edited)
        self.path.textChanged.connect(lambda _text: self.completeChanged.emit())
        self.browse = named(QPushButton("&Browse…"), "Browse", "Choose the file on this computer")
        self.browse.clicked.connect(self.choose_file)
        self.sheet = named(QComboBox(), "Sheet", "The worksheet that holds the case list")
        self.sheet.currentIndexChanged.connect(self._on_sheet_chosen)
        self.sheet_label = QLabel("&Sheet:")
        self.sheet_label.setBuddy(self.sheet)
        self.mapping = named(
            QComboBox(),
            "Column mapping",
            "Which column holds which case detail: guessed from the headings, or a mapping "
            "you saved for last month's file",
        )
        self.status = wrapped(object_name="fileStatus")
        self._layout()

    def _layout(self) -> None:
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(self.browse)
        form = QFormLayout()
        file_label = QLabel("&File:")
        file_label.setBuddy(self.path)
        form.addRow(file_label, row)
        form.addRow(self.sheet_label, self.sheet)
        mapping_label = QLabel("&Columns:")
        mapping_label.setBuddy(self.mapping)
        form.addRow(mapping_label, self.mapping)
        page = QVBoxLayout(self)  # a form layout would not let the wrapped status grow
        page.addLayout(form)
        page.addWidget(self.status)
        page.addStretch(1)
        self._show_sheets(None)

    def initializePage(self) -> None:
        """Offer the saved mappings (one may have been saved since the page was built)."""
        wanted = self.mapping.currentData() or self.session.settings.get(LAST_MAPPING)
        self.mapping.clear()
        self.mapping.addItem(GUESS, "")
        for name in list_mappings(self.session.store):
            self.mapping.addItem(f"Saved mapping: {name}", name)
        self.mapping.setCurrentIndex(max(0, self.mapping.findData(wanted)))

    def isComplete(self) -> bool:
        table = self.state.table
        return table is not None and bool(table.rows) and self._chosen() == table.path

    def validatePage(self) -> bool:
        self.state.saved_mapping = self.mapping.currentData() or ""
        self.session.settings.set(LAST_MAPPING, self.state.saved_mapping)
        return True

    # -- choosing and reading the file ---------------------------------------------------------

    def choose_file(self) -> None:
        folder = remembered_folder(self.session.settings, IMPORT_FOLDER, Path.home())
        path, _ = FileDialog.getOpenFileName(self, "Choose a case list", str(folder), FILE_FILTER)
        if path:
            self.session.settings.set(IMPORT_FOLDER, str(Path(path).parent))
            self.open_file(Path(path))

    def open_file(self, path: Path, sheet: str | None = None) -> None:
        """Read ``path`` (an XLSX at ``sheet``, default its first) behind a progress bar."""
        self.requested, self.reading = path, True
        self.path.setText(str(path))
        self.state.forget_file()
        self.status.setText(f"Reading {path.name}…")
        self.status.setProperty("met", "")
        self.completeChanged.emit()
        run_with_progress(
            self,
            self.session.runner,
            reading(path, sheet),
            title=f"Reading {path.name}",
            on_success=self._on_read,
            on_failure=lambda error: self._on_read_failed(path, error),
            on_cancelled=lambda: self._on_read_failed(path, ImportCancelled()),
        )

    def _chosen(self) -> Path | None:
        text = self.path.text().strip()
        return Path(text).expanduser() if text else None

    def _on_path_edited(self) -> None:
        # The field also "finishes editing" when it loses focus: to the progress dialog of
        # the read it started, or to Browse…. A file already asked for is not read again.
        chosen = self._chosen()
        busy_or_read = self.reading or self.state.table is not None
        if chosen is not None and not (chosen == self.requested and busy_or_read):
            self.open_file(chosen)

    def _on_sheet_chosen(self, _index: int) -> None:
        chosen, table = self._chosen(), self.state.table
        if chosen is not None and (table is None or self.sheet.currentText() != table.sheet):
            self.open_file(chosen, self.sheet.currentText())

    def _on_read(self, read: FileRead) -> None:
        self.reading = False
        self.state.take(read)
        table = read.table
        self._show_sheets(table)
        rows = len(table.rows)
        if not rows:
            self._say(
                f"✗ {table.description} has a header on row {table.header_row} but no "
                "rows of cases below it.",
                ok=False,
            )
        else:
            notes = "".join(f"\n• {note[:1].upper()}{note[1:]}." for note in table.notes)
            self._say(
                f"✓ Read {table.description}: {rows:,} row{'' if rows == 1 else 's'} "
                f"below the header on row {table.header_row}.{notes}",
                ok=True,
            )
        self.completeChanged.emit()

    def _on_read_failed(self, path: Path, error: BaseException) -> None:
        self.reading = False
        if isinstance(error, ImportCancelled):
            self._say(f"Reading {path.name} was cancelled.", ok=False)
        elif isinstance(error, AuditorError):
            self._say(
                f"✗ {error}\nChoose another file, or save this one as CSV or .xlsx "
                "from the program that made it.",
                ok=False,
            )
        else:
            self._say(f"✗ {path.name} could not be read.", ok=False)
            show_error(self, error, doing=f"reading {path.name}")
        self._show_sheets(None)

    def _show_sheets(self, table: Table | None) -> None:
        """The sheet chooser shows only for a workbook with several sheets."""
        sheets = list(table.sheets) if table is not None and table.kind == "xlsx" else []
        self.sheet.blockSignals(True)  # filling the list is not the user choosing a sheet
        self.sheet.clear()
        self.sheet.addItems(sheets)
        if table is not None and table.sheet in sheets:
            self.sheet.setCurrentText(table.sheet)
        self.sheet.blockSignals(False)
        for widget in (self.sheet, self.sheet_label):
            widget.setVisible(len(sheets) > 1)

    def _say(self, text: str, *, ok: bool) -> None:
        self.status.setText(text)
        self.status.setProperty("met", "yes" if ok else "no")
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)
