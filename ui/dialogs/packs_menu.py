"""The audit-pack items of the File menu. The dialogs (and the cryptography library behind
packs) are imported only when an item is used, so start-up stays quick."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QAction

if TYPE_CHECKING:
    from ui.main_window import MainWindow

ITEMS = (
    ("Export audit &pack…", "Save your audits as one pack file for the QA lead", "export"),
    ("&Import audit packs…", "Preview and merge packs from auditors", "import"),
    ("Send &work to an auditor…", "Make a pack of an auditor's assigned cases", "send"),
    ("Resolve merge &conflicts…", "Decide the conflicts a merge kept for later", "conflicts"),
)


def install(window: MainWindow) -> None:
    for text, tip, key in ITEMS:
        action = QAction(text, window)
        action.setToolTip(tip)
        action.setStatusTip(tip)
        action.setObjectName(f"packs_{key}")
        action.triggered.connect(lambda _checked=False, k=key: open_item(window, k))
        window.add_file_action(action)


def open_item(window: MainWindow, key: str) -> None:
    """Open the dialog behind a File menu item (``key`` as in :data:`ITEMS`)."""
    from ui.errors import reporting_user_errors

    session = window.session
    with reporting_user_errors(window, "opening an audit pack dialog"):
        if key == "export":
            from ui.dialogs.export_pack import ExportPackDialog

            ExportPackDialog(session, window).open()
        elif key == "send":
            from ui.dialogs.send_work import SendWorkDialog, no_programme_yet

            if not no_programme_yet(session, window):
                SendWorkDialog(session, window).open()
        elif key == "import":
            from ui.dialogs.import_packs import PackImport

            PackImport(session, window).start()
        else:
            from ui.dialogs.conflicts import open_resolve_conflicts

            open_resolve_conflicts(session, window)
