"""File → Import framework…, Export framework… and Blank framework template…: a framework
as an Excel workbook a QA lead fills in (``auditor/frameworks/workbook.py``).

Reading and writing run off the GUI thread behind the progress dialog; a workbook with
problems gets one message listing every problem by sheet, row and column, and nothing is
imported. The file dialogs are :class:`ui.file_choice.FileDialog`, in the folders used last.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from auditor import APP_NAME
from auditor.frameworks.library import list_frameworks
from auditor.frameworks.model import Framework
from auditor.frameworks.workbook import (
    ImportedFramework,
    import_framework_workbook,
    write_blank_template,
    write_framework_workbook,
)
from auditor.store import Store
from ui.errors import show_error
from ui.file_choice import FileDialog, choose_save_path, file_name_part, remembered_folder
from ui.operations import ProgressFn
from ui.session import Session
from ui.settings import EXPORT_FOLDER, IMPORT_FOLDER
from ui.widgets.common import buddy, combo_with, named, wrapped
from ui.widgets.progress import run_with_progress

WORKBOOK_FILTER = "Excel workbooks (*.xlsx)"
DONE_BOX = "frameworkWorkbookDone"
TEMPLATE_NAME = "framework-template.xlsx"


def import_framework(session: Session, parent: QWidget) -> None:
    """Ask for a workbook, then check and import it off the GUI thread."""
    folder = remembered_folder(session.settings, IMPORT_FOLDER, Path.home())
    chosen, _filter = FileDialog.getOpenFileName(
        parent, "Import a framework workbook", str(folder), WORKBOOK_FILTER
    )
    if not chosen:
        return
    path = Path(chosen)
    session.settings.set(IMPORT_FOLDER, str(path.parent))

    def work(store: Store, _progress: ProgressFn) -> ImportedFramework:
        return import_framework_workbook(store, path)

    def imported(result: ImportedFramework) -> None:
        if result.added:
            session.changes.frameworks_changed.emit()
        _done(parent, result.describe(), "It is in the Frameworks view and can be audited "
              "against now." if result.added else "")  # fmt: skip

    run_with_progress(parent, session.runner, session.worker(work),
                      title="Importing the framework", on_success=imported,
                      on_failure=lambda error: show_error(
                          parent, error, doing="importing a framework workbook"))  # fmt: skip


def save_blank_template(session: Session, parent: QWidget) -> None:
    """Ask where, then write the blank framework workbook."""
    target = _choose_target(session, parent, "Save the blank framework workbook as",
                            TEMPLATE_NAME)  # fmt: skip
    if target is None:
        return
    run_with_progress(parent, session.runner, lambda _progress: write_blank_template(target),
                      title="Writing the blank framework workbook",
                      on_success=lambda path: _done(
                          parent, "The blank framework workbook is saved.",
                          f"Saved as {path}. Fill it in, then use File → Import "
                          "framework…"))  # fmt: skip


def _choose_target(session: Session, parent: QWidget, title: str, name: str) -> Path | None:
    return choose_save_path(parent, session.settings, EXPORT_FOLDER, title=title, name=name,
                            file_filter=WORKBOOK_FILTER, suffix=".xlsx",
                            fallback=Path.home())  # fmt: skip


def _done(parent: QWidget, text: str, detail: str) -> QMessageBox:
    box = QMessageBox(QMessageBox.Icon.Information, APP_NAME, text, parent=parent)
    box.setObjectName(DONE_BOX)
    if detail:
        box.setInformativeText(detail)
    box.open()
    return box


def framework_file_name(framework: Framework) -> str:
    return f"{file_name_part(framework.code, 'framework')}-{framework.version}.xlsx"


class ExportFrameworkDialog(QDialog):
    """Which framework (and version) to write as a workbook, and Export…."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setObjectName("exportFrameworkDialog")
        self.setWindowTitle(f"Export framework — {APP_NAME}")
        self.setMinimumWidth(520)
        self.frameworks = list_frameworks(session.store)
        self.choice = combo_with(
            [(f"{f.title} ({f.code} version {f.version})", str(i))
             for i, f in enumerate(self.frameworks)],
            "Framework", "The framework and version to write as a workbook",
        )  # fmt: skip
        self.choice.setCurrentIndex(len(self.frameworks) - 1)
        buttons = QDialogButtonBox()
        self.export_button = buttons.addButton("&Export…", QDialogButtonBox.ButtonRole.AcceptRole)
        named(self.export_button, "Export", "Choose where to save the workbook, then write it")
        self.export_button.setDefault(True)
        close = buttons.addButton("&Close", QDialogButtonBox.ButtonRole.RejectRole)
        named(close, "Close", "Close without exporting")
        buttons.accepted.connect(self.export)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(wrapped(
            "Writes the framework as an Excel workbook, in the layout File → Import framework… "
            "reads: read it, or change it (give it a new code or version) and import it as "
            "your own."
        ))  # fmt: skip
        layout.addWidget(buddy("F&ramework:", self.choice))
        layout.addWidget(self.choice)
        layout.addSpacing(8)
        layout.addWidget(buttons)
        self.resize(560, self.sizeHint().height())

    def chosen(self) -> Framework:
        return self.frameworks[self.choice.currentIndex()]

    def export(self) -> None:
        framework = self.chosen()
        target = _choose_target(self.session, self, "Save the framework workbook as",
                                framework_file_name(framework))  # fmt: skip
        if target is None:
            return
        parent = self.parentWidget() or self

        def exported(path: Path) -> None:
            self.accept()
            _done(parent, f"The framework {framework.code} version {framework.version} is "
                  "saved as a workbook.", f"Saved as {path}")  # fmt: skip

        run_with_progress(self, self.session.runner,
                          lambda _progress: write_framework_workbook(framework, target),
                          title="Exporting the framework", on_success=exported)  # fmt: skip


def open_export_framework(session: Session, parent: QWidget) -> ExportFrameworkDialog:
    dialog = ExportFrameworkDialog(session, parent)
    dialog.open()
    return dialog
