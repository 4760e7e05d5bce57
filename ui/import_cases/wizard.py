"""File → Import cases…: the wizard that brings a council's case list (CSV or XLSX) into
the database, in four steps, each its own page module:

1. :mod:`~ui.import_cases.file_page` — choose the file (and sheet, and saved mapping);
   it is read off the GUI thread.
2. :mod:`~ui.import_cases.columns_page` — which column holds which case detail.
3. :mod:`~ui.import_cases.check_page` — every row checked, problems listed, what would
   change; then the import itself, one transaction, with progress and Cancel.
4. :mod:`~ui.import_cases.done_page` — what was added, updated, unchanged and skipped.

This module is imported when the menus are built, so it leaves the core's readers
(openpyxl) to the page modules, which load when the wizard first opens.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget, QWizard

from auditor import APP_NAME
from ui.session import Session
from ui.widgets.progress import ProgressDialog

WIDTH, HEIGHT = 1120, 680

BUTTON_TIPS = {
    QWizard.WizardButton.BackButton: "Go back a step",
    QWizard.WizardButton.NextButton: "Go on to the next step",
    QWizard.WizardButton.CancelButton: "Close without importing anything",
    QWizard.WizardButton.FinishButton: "Close the wizard",
}


def open_import_wizard(session: Session, parent: QWidget | None) -> ImportWizard:
    """Open the wizard window-modal (the event loop keeps running) and return it."""
    wizard = ImportWizard(session, parent)
    wizard.open()
    return wizard


def wizard_size(widget: QWidget) -> tuple[int, int]:
    """Wide enough for the Columns page's four columns, within the screen's free area."""
    screen = widget.screen() or QGuiApplication.primaryScreen()
    if screen is None:
        return WIDTH, HEIGHT
    free = screen.availableGeometry()
    return min(WIDTH, free.width() - 40), min(HEIGHT, free.height() - 40)


class ImportWizard(QWizard):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from ui.import_cases.check_page import CheckPage
        from ui.import_cases.columns_page import ColumnsPage
        from ui.import_cases.done_page import DonePage
        from ui.import_cases.file_page import FilePage
        from ui.import_cases.work import ImportState

        self.setObjectName("importWizard")
        self.setWindowTitle(f"Import cases — {APP_NAME}")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.DisabledBackButtonOnLastPage)  # it is imported
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage)
        for which, tip in BUTTON_TIPS.items():
            button = self.button(which)
            button.setToolTip(tip)
            button.setAccessibleName(tip)
        self.state = ImportState()
        self.file_page = FilePage(session, self.state)
        self.columns_page = ColumnsPage(session, self.state)
        self.check_page = CheckPage(session, self.state)
        self.done_page = DonePage(self.state)
        for page in (self.file_page, self.columns_page, self.check_page, self.done_page):
            self.addPage(page)
        self.resize(*wizard_size(self))

    def done(self, result: int) -> None:
        """Not while the progress dialog of a read, check or import is up: that work
        reports back to these pages (its own Cancel stops it)."""
        if any(d.isVisible() for d in self.findChildren(ProgressDialog)):
            return
        super().done(result)
