"""What the report and feedback exports share: choosing the workbook to write (in the
folder used last time), letting the core's export report progress and stop on Cancel, and
the message that says where the file went, with buttons to open it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QStandardPaths, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QWidget,
)

from auditor import APP_NAME
from ui.file_choice import choose_save_path, remembered_folder
from ui.settings import EXPORT_FOLDER, Settings
from ui.widgets.common import named, wrapped

WORKBOOK_FILTER = "Excel workbooks (*.xlsx)"
DONE_BOX = "exportDoneBox"


def export_folder(settings: Settings) -> Path:
    """The folder the last export went to, else the user's Documents folder."""
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    fallback = Path(documents) if documents and Path(documents).is_dir() else Path.home()
    return remembered_folder(settings, EXPORT_FOLDER, fallback)


def choose_workbook(parent: QWidget, settings: Settings, *, title: str, name: str) -> Path | None:
    """Ask where to save a workbook, suggesting ``name`` in the last folder used; remember
    the folder. None when the user cancels."""
    return choose_save_path(parent, settings, EXPORT_FOLDER, title=title, name=name,
                            file_filter=WORKBOOK_FILTER, suffix=".xlsx",
                            fallback=export_folder(settings))  # fmt: skip


def text_block(text: str = "", *, object_name: str = "") -> QLabel:
    """A word-wrapped, selectable label whose height follows the width it is given.

    (A label that may not shrink below its size hint keeps the height Qt guesses for a
    much narrower label, and a dialog of them ends up with a band of empty space.)
    """
    label = wrapped(text, object_name=object_name)
    policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
    policy.setHeightForWidth(True)  # a new policy forgets it; the layout needs it
    label.setSizePolicy(policy)
    return label


def fit_to_width(dialog: QDialog, width: int) -> None:
    """Size ``dialog`` for ``width``, its labels wrapped to that width."""
    layout = dialog.layout()
    dialog.resize(width, layout.totalHeightForWidth(width) if layout else dialog.height())


def show_saved(parent: QWidget | None, text: str, path: Path) -> QMessageBox:
    """Say what was saved where, offering to open the file or its folder."""
    box = QMessageBox(QMessageBox.Icon.Information, APP_NAME, text, parent=parent)
    box.setObjectName(DONE_BOX)
    box.setInformativeText(f"Saved as {path}")
    open_file = box.addButton("&Open the file", QMessageBox.ButtonRole.ActionRole)
    open_file.setToolTip("Open the workbook in Excel or LibreOffice")
    open_folder = box.addButton("Open &folder", QMessageBox.ButtonRole.ActionRole)
    open_folder.setToolTip("Show the folder the workbook was saved in")
    box.addButton("&Close", QMessageBox.ButtonRole.RejectRole)
    targets = {open_file: path, open_folder: path.parent}

    def clicked(button: object) -> None:
        target = targets.get(button)  # type: ignore[call-overload]
        if target is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(target)))

    box.buttonClicked.connect(clicked)
    box.open()
    return box


def export_buttons(
    dialog: QDialog, export: Callable[[], None]
) -> tuple[QDialogButtonBox, QPushButton]:
    """Export… (the default: asks where, then writes) and Close, wired to ``dialog``."""
    buttons = QDialogButtonBox()
    export_button = buttons.addButton("&Export…", QDialogButtonBox.ButtonRole.AcceptRole)
    named(export_button, "Export", "Choose where to save the workbook, then write it")
    export_button.setDefault(True)
    close = buttons.addButton("&Close", QDialogButtonBox.ButtonRole.RejectRole)
    named(close, "Close", "Close without exporting")
    buttons.accepted.connect(export)
    buttons.rejected.connect(dialog.reject)
    return buttons, export_button
