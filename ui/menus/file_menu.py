"""The File menu's import and export items: Import cases…, Export report…, Export board
pack…, Export audit feedback…, the audit-pack items and the framework workbook items, in
groups with lines between.

The dialogs behind the items import the core's heavy modules (openpyxl, cryptography) only
when an item is used, so start-up stays quick.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QAction, QKeySequence

from ui.errors import reporting_user_errors
from ui.menus.host import MenuHost

IMPORT_KEYS = "Ctrl+I"
REPORT_KEYS = "Ctrl+E"

PACK_ITEMS = (
    ("Export audit &pack…", "Save your audits as one pack file for the QA lead", "export"),
    ("Import audit pac&ks…", "Preview and merge packs from auditors", "import"),
    ("Send &work to an auditor…", "Make a pack of an auditor's assigned cases", "send"),
    ("Resolve merge &conflicts…", "Decide the conflicts a merge kept for later", "conflicts"),
)

FRAMEWORK_ITEMS = (
    ("Import fra&mework…", "Add a framework from an Excel workbook", "import"),
    ("E&xport framework…", "Write a framework as an Excel workbook to read or change", "export"),
    ("Blank framework &template…", "An empty framework workbook to fill in", "template"),
)


def install(host: MenuHost) -> None:
    """Add every import/export item to ``host``'s File menu, in menu order."""
    _item(host, "&Import cases…", "importCases", _import_cases, IMPORT_KEYS,
          "Add or update cases from a CSV or Excel case list")  # fmt: skip
    host.add_file_separator()
    _item(host, "Export &report…", "exportReportAction", _export_report, REPORT_KEYS,
          "The report workbook for the audits you choose: figures, trends, evidence")  # fmt: skip
    _item(host, "Export &board pack…", "exportBoardPackAction", _export_board_pack, None,
          "A PDF of a few pages for an Improvement Board, for the audits you choose")  # fmt: skip
    _item(host, "Export audit &feedback…", "exportFeedbackAction", _export_feedback, None,
          "One audit's feedback workbook for the practitioner")  # fmt: skip
    host.add_file_separator()
    for text, tip, key in PACK_ITEMS:
        _item(host, text, f"packs_{key}", lambda h, k=key: open_pack_item(h, k), None, tip)
    _item(host, "Sync with &hub…", "hubSync", open_hub_sync, None,
          "Push your new work to the team hub, then merge what others pushed")  # fmt: skip
    host.add_file_separator()
    for text, tip, key in FRAMEWORK_ITEMS:
        _item(host, text, f"frameworks_{key}", lambda h, k=key: open_framework_item(h, k),
              None, tip)  # fmt: skip


def _item(
    host: MenuHost,
    text: str,
    name: str,
    slot: Callable[[MenuHost], object],
    keys: str | None,
    tip: str,
) -> QAction:
    action = QAction(text, host.dialog_parent())
    action.setObjectName(name)
    action.setToolTip(tip)
    action.setStatusTip(tip)
    if keys:
        action.setShortcut(QKeySequence(keys))
    action.triggered.connect(lambda _checked=False: slot(host))
    host.add_file_action(action, everywhere=keys is not None)
    return action


def _import_cases(host: MenuHost) -> None:
    from ui.import_cases.wizard import open_import_wizard

    open_import_wizard(host.session, host.dialog_parent())


def _export_report(host: MenuHost) -> None:
    from ui.reports.export_report import open_export_report

    open_export_report(host.dialog_parent(), host.session)


def _export_board_pack(host: MenuHost) -> None:
    from ui.reports.export_board_pack import open_export_board_pack

    open_export_board_pack(host.dialog_parent(), host.session)


def _export_feedback(host: MenuHost) -> None:
    from auditor.errors import AuditorError
    from ui.errors import show_error
    from ui.reports.export_feedback import NO_AUDIT, open_feedback_dialog

    parent = host.dialog_parent()
    try:
        uid = host.audit_in_front()
    except AuditorError as exc:
        show_error(parent, exc)
        return
    if uid is None:
        show_error(parent, AuditorError(NO_AUDIT))
        return
    open_feedback_dialog(parent, host.session, uid)


def open_pack_item(host: MenuHost, key: str) -> None:
    """Open the dialog behind an audit-pack item (``key`` as in :data:`PACK_ITEMS`)."""
    session, parent = host.session, host.dialog_parent()
    with reporting_user_errors(parent, "opening an audit pack dialog"):
        if key == "export":
            from ui.packs.export_pack import ExportPackDialog

            ExportPackDialog(session, parent).open()
        elif key == "send":
            from ui.packs.send_work import SendWorkDialog, no_programme_yet

            if not no_programme_yet(session, parent):
                SendWorkDialog(session, parent).open()
        elif key == "import":
            from ui.packs.import_packs import PackImport

            PackImport(session, parent).start()
        else:
            from ui.packs.conflicts import open_resolve_conflicts

            open_resolve_conflicts(session, parent)


def open_hub_sync(host: MenuHost) -> None:
    """File → Sync with hub…; its conflicts go to the conflicts dialog, as after an import.
    Without the optional PostgreSQL driver the item says the hub support is not installed."""
    from auditor.hub import hub_available
    from auditor.hub.errors import HubNotInstalledError
    from ui.errors import show_error

    parent = host.dialog_parent()
    if not hub_available():
        show_error(parent, HubNotInstalledError(
            "Hub support is not installed with this copy of Case Auditor: ask whoever "
            "installed it to add it (pip install 'case-auditor[hub]')."))  # fmt: skip
        return
    from ui.hub.sync import SyncDialog

    with reporting_user_errors(parent, "opening the hub sync"):
        dialog = SyncDialog(host.session, parent)
        dialog.conflicts_waiting.connect(lambda: open_pack_item(host, "conflicts"))
        dialog.open()


def open_framework_item(host: MenuHost, key: str) -> None:
    """The dialog behind a framework workbook item (``key`` as in :data:`FRAMEWORK_ITEMS`)."""
    from ui.frameworks import workbook_dialogs

    session, parent = host.session, host.dialog_parent()
    with reporting_user_errors(parent, "opening a framework workbook dialog"):
        if key == "import":
            workbook_dialogs.import_framework(session, parent)
        elif key == "export":
            workbook_dialogs.open_export_framework(session, parent)
        else:
            workbook_dialogs.save_blank_template(session, parent)
