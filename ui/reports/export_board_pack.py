"""File → Export board pack…: the board pack (PDF) for an Improvement Board, for the audits
the chosen filters select.

The same filters and count as File → Export report… (this dialog is that one with its own
words and no pseudonymise choice: the pack names no case or worker). The PDF is written by
the core's :func:`auditor.reports.board_pack.export_board_pack_from` in a child process, as
the workbook is, behind the progress dialog with Cancel; Cancel or a failure leaves nothing
at the target.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TypeVar

from PySide6.QtWidgets import QWidget

from auditor.reports.board_pack import BoardPackSummary, export_board_pack_from
from auditor.words import plural
from ui.file_choice import choose_save_path
from ui.reports.common import export_folder, show_saved
from ui.reports.export_report import ExportReportDialog
from ui.session import Session
from ui.settings import EXPORT_FOLDER

PDF_FILTER = "PDF documents (*.pdf)"
T = TypeVar("T")
# As in export_report: tests that patch the core's writing set this False.
IN_CHILD_PROCESS = True


def board_pack_file_name(day: date) -> str:
    return f"case-audit-board-pack-{day.isoformat()}.pdf"


class ExportBoardPackDialog(ExportReportDialog):
    """Filters, how many audits they select, and Export… to a PDF."""

    TITLE = "Export board pack"
    OBJECT_NAME = "exportBoardPackDialog"
    INTRO = (
        "The board pack: a PDF of a few pages for an Improvement Board. What was audited, "
        "the grades, the criteria below target, the 6- and 12-month trend, timeliness across "
        "the whole case list, teams, actions, safeguarding concerns and moderation agreement, "
        "with how the figures are made. The team and the dates choose the cases too."
    )
    OFFERS_PSEUDONYMISE = False

    def export(self) -> None:
        """Ask where to save, then write the PDF off the GUI thread."""
        if self.scope is None or self.scope.empty:
            return
        settings = self.session.settings
        target = choose_save_path(self, settings, EXPORT_FOLDER, title="Save the board pack as",
                                  name=board_pack_file_name(date.today()), file_filter=PDF_FILTER,
                                  suffix=".pdf", fallback=export_folder(settings))  # fmt: skip
        if target is None:
            return
        self.write_off_thread(
            export_board_pack_from,
            target,
            in_child=IN_CHILD_PROCESS,
            making="Making the board pack…",
            title="Exporting the board pack",
            on_success=self._on_pack_exported,
        )

    def _on_pack_exported(self, summary: BoardPackSummary) -> None:
        if summary.empty:  # someone's audits changed between the count and the export
            text = "No audits matched these filters: the board pack says so and has no figures."
        else:
            text = (
                f"The board pack is saved: {plural(summary.audits, 'audit')}, "
                f"{plural(summary.pages, 'page')}."
            )
        self.accept()
        show_saved(self.parentWidget() or self, text, Path(summary.path))


def open_export_board_pack(parent: QWidget, session: Session) -> ExportBoardPackDialog:
    dialog = ExportBoardPackDialog(session, parent)
    dialog.open()
    return dialog
