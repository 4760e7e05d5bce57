"""The File menu's two report items: Export report… (Ctrl+E) and Export audit feedback….

Their dialogs load the core's Excel code (openpyxl) when first used, not at start-up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence

if TYPE_CHECKING:
    from ui.main_window import MainWindow

REPORT_KEYS = "Ctrl+E"


def install(window: MainWindow) -> None:
    """Add the report and feedback exports to ``window``'s File menu."""
    report = QAction("Export &report…", window)
    report.setObjectName("exportReportAction")
    report.setShortcut(QKeySequence(REPORT_KEYS))
    report.setToolTip("The report workbook for the audits you choose: figures, trends, evidence")
    report.triggered.connect(lambda _checked=False: export_report(window))
    feedback = QAction("Export audit &feedback…", window)
    feedback.setObjectName("exportFeedbackAction")
    feedback.setToolTip("One audit's feedback workbook for the practitioner")
    feedback.triggered.connect(lambda _checked=False: export_feedback(window))
    for action in (report, feedback):
        window.add_file_action(action)
        window.addAction(action)  # the shortcut works wherever the focus is in the window


def export_report(window: MainWindow) -> None:
    from ui.dialogs.export_report import open_export_report

    open_export_report(window, window.session)


def export_feedback(window: MainWindow) -> None:
    from ui.dialogs.export_feedback import export_feedback_from

    export_feedback_from(window)
