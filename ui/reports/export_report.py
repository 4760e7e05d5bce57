"""File → Export report…: the report workbook for an Improvement Board, for the audits the
chosen filters select.

The dialog says how many audits the filters select before anything is written (the core's
own :func:`resolve_scope`, run off the GUI thread, so the count is the one the workbook will
show), asks where to save, and runs :func:`auditor.reports.export_report` behind the
progress dialog. Cancel leaves nothing at the target; a file open in another program gets
the core's message. The workbook is written in a child process (``ui/process_work.py``):
written on a thread, openpyxl's lxml writer starves the GUI thread of the GIL.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from auditor import APP_NAME
from auditor.clock import uk_date
from auditor.errors import AuditorError
from auditor.figures.stats import AuditFilter, headlines_by
from auditor.frameworks.library import list_frameworks
from auditor.reports import ExportCancelled, ReportSummary, export_report_from
from auditor.reports.scope import ReportScope, resolve_scope
from auditor.store import Store
from ui.errors import show_error
from ui.operations import Cancelled, CoreProgress, ProgressFn
from ui.process_work import run_in_process
from ui.reports.common import (
    choose_workbook,
    export_buttons,
    fit_to_width,
    show_saved,
    text_block,
)
from ui.session import Session
from ui.widgets.action_dialog import qdate
from ui.widgets.audit_filters import (
    date_edit,
    fill_programmes_and_teams,
    programme_combo,
    team_combo,
)
from ui.widgets.common import combo_with, named, restarts, set_combo_items
from ui.widgets.progress import run_with_progress

WIDTH = 560
T = TypeVar("T")
# The workbook is written in a child process; tests that patch the core's writing (which a
# child would not see) set this False to write on the operation's thread instead.
IN_CHILD_PROCESS = True
COUNT_DELAY_MS = 250  # wait for the user to stop changing filters before counting
PSEUDONYMISE_TEXT = (
    "Case references are replaced by pseudonyms and worker names are left out. The same case "
    "gets the same pseudonym in every export from this database."
)
COUNTED = "Submitted, moderated and final audits are counted; drafts are not."


def report_file_name(day: date) -> str:
    return f"case-audit-report-{day.isoformat()}.xlsx"


def _choices(store: Store, _progress: ProgressFn) -> tuple[list[str], list[tuple[str, str]]]:
    """The auditors who have reported audits, and the frameworks (worker thread)."""
    auditors = sorted(headlines_by(store, AuditFilter(), "auditor"), key=str.casefold)
    frameworks = {f.code: f"{f.title} ({f.code})" for f in list_frameworks(store)}
    return auditors, sorted((label, code) for code, label in frameworks.items())


class ExportReportDialog(QDialog):
    """Filters, pseudonymise, how many audits they select, and Export…."""

    # What differs in the board pack's dialog (ui/reports/export_board_pack.py), which
    # shares the filters and the count.
    TITLE = "Export report"
    OBJECT_NAME = "exportReportDialog"
    INTRO = (
        "The report workbook for managers and the Improvement Board: compliance with each "
        "criterion against its target, the trend by month, teams and auditors, the case "
        "matrix, evidence, actions and moderation."
    )
    OFFERS_PSEUDONYMISE = True

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        # What the filters select, once counted: only its counts and dates are read (the
        # worker's Store it names is closed by then).
        self.scope: ReportScope | None = None
        self._request = 0
        self._count_text = ""
        self._timer = QTimer(self, singleShot=True, interval=COUNT_DELAY_MS)
        self._timer.timeout.connect(self.count)
        self.setObjectName(self.OBJECT_NAME)
        self.setWindowTitle(f"{self.TITLE} — {APP_NAME}")
        self.setMinimumWidth(WIDTH)
        self._build()
        fill_programmes_and_teams(session.store, self.programme, self.team)
        for combo in (self.programme, self.team, self.auditor, self.framework):
            combo.currentIndexChanged.connect(restarts(self._timer))
        for edit in (self.date_from, self.date_to):
            edit.dateChanged.connect(restarts(self._timer))
        self.all_dates.toggled.connect(self._on_all_dates_toggled)
        fit_to_width(self, WIDTH)
        # The workers start once the dialog is built: started before, they took the GIL
        # from its building at every Qt call (22 ms alone, 44 beside them, here).
        session.runner.run(
            session.worker(_choices), on_success=self._show_choices, label="report choices"
        )
        self.count()

    # -- building ---------------------------------------------------------------------------

    def _build(self) -> None:
        self.programme = programme_combo()
        self.team = team_combo()
        self.auditor = combo_with([("All auditors", "")], "Auditor filter",
                                  "Only audits by one auditor")  # fmt: skip
        self.framework = combo_with([("Any framework", "")], "Framework filter",
                                    "A report covers audits scored on one framework")  # fmt: skip
        self.all_dates = named(QCheckBox("&All dates"), "All dates",
                               "Every audit, whatever its date")  # fmt: skip
        self.all_dates.setChecked(True)
        self.date_from = date_edit("From", "Audits on or after this date")
        self.date_to = date_edit("To", "Audits on or before this date")
        self.date_from.setDate(qdate(date.today() - timedelta(days=365)))
        self.date_to.setDate(qdate(date.today()))
        self._on_all_dates_toggled(True)
        self.pseudonymise = named(QCheckBox("&Pseudonymise"), "Pseudonymise", PSEUDONYMISE_TEXT)
        self.selection = text_block(object_name="exportSelection")
        self.selection.setAccessibleName("What the filters select")
        # Room for the longest count or message, so the dialog does not jump as it changes.
        self.selection.setMinimumHeight(self.fontMetrics().lineSpacing() * 3)
        form = QFormLayout()
        form.addRow("P&rogramme:", self.programme)
        form.addRow("&Team:", self.team)
        form.addRow("A&uditor:", self.auditor)
        form.addRow("Fra&mework:", self.framework)
        form.addRow("Audit dates:", self._dates_row())
        if self.OFFERS_PSEUDONYMISE:
            form.addRow("Case details:", self._pseudonymise_cell())
        form.setRowVisible(self.framework, False)  # until there is more than one to choose
        self._form = form
        buttons, self.export_button = export_buttons(self, self.export)
        layout = QVBoxLayout(self)
        layout.addWidget(text_block(self.INTRO))
        layout.addSpacing(6)
        layout.addLayout(form)
        layout.addWidget(self.selection)
        layout.addStretch(1)  # any spare height goes here, not between the rows
        layout.addSpacing(8)
        layout.addWidget(buttons)

    def _dates_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(self.all_dates)
        row.addSpacing(12)
        for text, edit in (("&From:", self.date_from), ("T&o:", self.date_to)):
            label = QLabel(text)
            label.setBuddy(edit)
            row.addWidget(label)
            row.addWidget(edit)
        row.addStretch(1)
        return row

    def _pseudonymise_cell(self) -> QVBoxLayout:
        cell = QVBoxLayout()
        cell.setSpacing(2)
        cell.addWidget(self.pseudonymise)
        cell.addWidget(text_block(PSEUDONYMISE_TEXT))
        return cell

    def _show_choices(self, choices: tuple[list[str], list[tuple[str, str]]]) -> None:
        auditors, frameworks = choices
        set_combo_items(self.auditor, [("All auditors", ""), *((a, a) for a in auditors)])
        set_combo_items(self.framework, [("Any framework", ""), *frameworks])
        # With one framework there is nothing to choose: the row would only puzzle people.
        self._form.setRowVisible(self.framework, len(frameworks) > 1)

    # -- the filters ------------------------------------------------------------------------

    def audit_filter(self) -> AuditFilter:
        dated = not self.all_dates.isChecked()
        return AuditFilter(
            programme_uid=self.programme.currentData() or None,
            team=self.team.currentData() or None,
            auditor=self.auditor.currentData() or None,
            framework_code=self.framework.currentData() or None,
            date_from=_day(self.date_from) if dated else None,
            date_to=_day(self.date_to) if dated else None,
        )

    def _on_all_dates_toggled(self, all_dates: bool) -> None:
        self.date_from.setEnabled(not all_dates)
        self.date_to.setEnabled(not all_dates)
        self._timer.start()

    def count(self) -> None:
        """Count what the filters select, off the GUI thread; the newest request wins."""
        self._timer.stop()
        self._request += 1
        request, wanted = self._request, self.audit_filter()
        self.scope = None
        self.export_button.setEnabled(False)
        if wanted.date_from and wanted.date_to and wanted.date_to < wanted.date_from:
            self._say("The “to” date is before the “from” date: change one of them.")
            return
        self.selection.setText("Counting the audits these filters select…")
        self.session.runner.run(
            self.session.worker(lambda store, _p: resolve_scope(store, wanted)),
            on_success=lambda scope: self._show_count(request, scope),
            on_failure=lambda error: self._show_count_failure(request, error),
            label="count report audits",
        )

    def _show_count(self, request: int, scope: ReportScope) -> None:
        if request != self._request:
            return  # the filters changed meanwhile: a newer count is on its way
        self.scope = scope
        if scope.empty:
            self._say(
                "No submitted, moderated or final audits match these filters, so there is "
                "nothing to report. Change the filters."
            )
            return
        span = ""
        if scope.first_audit and scope.last_audit:
            span = f", audited from {uk_date(scope.first_audit)} to {uk_date(scope.last_audit)}"
        audits = "1 audit" if scope.audits == 1 else f"{scope.audits:,} audits"
        self._say(f"<b>{audits}</b> to report{span}. {COUNTED}")
        self.export_button.setEnabled(True)

    def _show_count_failure(self, request: int, error: BaseException) -> None:
        if request != self._request:
            return
        if isinstance(error, AuditorError):
            self._say(str(error))  # e.g. audits on two frameworks: the fix is in the filters
        else:
            self._say("")
            show_error(self, error, doing="counting the audits for a report")

    def _say(self, text: str) -> None:
        self._count_text = text
        self.selection.setText(text)

    # -- exporting --------------------------------------------------------------------------

    def export(self) -> None:
        """Ask where to save, then write the workbook off the GUI thread."""
        if self.scope is None or self.scope.empty:
            return
        target = choose_workbook(self, self.session.settings, title="Save the report as",
                                 name=report_file_name(date.today()))  # fmt: skip
        if target is None:
            return
        self.write_off_thread(
            export_report_from,
            target,
            in_child=IN_CHILD_PROCESS,
            making="Writing the report workbook…",
            title="Exporting the report",
            on_success=self._on_exported,
            pseudonymise=self.pseudonymise.isChecked(),
        )

    def write_off_thread(
        self,
        write_from: Callable[..., Any],
        target: Path,
        *,
        in_child: bool,
        making: str,
        title: str,
        on_success: Callable[[Any], None],
        **options: Any,
    ) -> None:
        """``write_from(db, target, audit_filter=…, **options)`` behind the progress dialog:
        in a child process that opens the database read-only (``in_child``; tests run it on
        the runner's thread instead), Cancel leaving no file."""
        wanted, db = self.audit_filter(), self.session.path

        def work(progress: ProgressFn) -> Any:
            bridge = CoreProgress(progress, lambda _done, _total: making)
            write = run_in_process if in_child else _in_this_process
            try:
                return write(write_from, db, target, audit_filter=wanted,
                             progress=bridge.progress, cancelled=bridge.cancelled,
                             **options)  # fmt: skip
            except ExportCancelled:
                raise Cancelled(title.lower()) from None

        self.selection.setText(f"Exporting to {target}…")
        run_with_progress(self, self.session.runner, work, title=title, on_success=on_success,
                          on_failure=self._on_failed,
                          on_cancelled=self._on_cancelled)  # fmt: skip

    def _on_exported(self, summary: ReportSummary) -> None:
        if summary.empty:  # someone's audits changed between the count and the export
            text = "No audits matched these filters: the workbook says so and has no figures."
        else:
            audits = "1 audit" if summary.audits == 1 else f"{summary.audits:,} audits"
            text = f"The report is saved: {audits}, {len(summary.sheets)} sheets."
        if self.pseudonymise.isChecked():
            text += " Case references are pseudonymised."
        self.accept()
        show_saved(self.parentWidget() or self, text, summary.path)

    def _on_failed(self, error: BaseException) -> None:
        self.selection.setText(self._count_text)  # the filters still select the same
        show_error(self, error, doing="exporting the report")

    def _on_cancelled(self) -> None:
        self.selection.setText(f"{self._count_text}<br>Export cancelled: no file was written.")


def _in_this_process(target: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    return target(*args, **kwargs)


def _day(edit: QDateEdit) -> date:
    day = edit.date().toPython()
    assert isinstance(day, date)
    return day


def open_export_report(parent: QWidget, session: Session) -> ExportReportDialog:
    dialog = ExportReportDialog(session, parent)
    dialog.open()
    return dialog
