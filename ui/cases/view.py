"""The case register: every case in a table that stays smooth at 100,000 rows.

Rows load off the GUI thread (with progress); the text, team, type and status filters and
sorting run in the model. The case form beside the table shows the selected case's dates,
timescale checks and audits, and starts an audit.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QItemSelection, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from auditor.cases.register import (
    REGISTER_STATUS_LABELS,
    RegisterFilter,
    RegisterRow,
    find_words,
    load_register,
)
from auditor.domain import CASE_TYPE_LABELS
from auditor.store import Store
from ui.cases.case_panel import CasePanel
from ui.cases.model import CaseRegisterModel
from ui.cases.start_audit import StartAuditDialog
from ui.errors import reporting_user_errors, show_error
from ui.operations import ProgressFn
from ui.session import Session
from ui.settings import CASES_SPLITTER
from ui.widgets.common import (
    buddy,
    combo_with,
    fit_columns_once,
    named,
    save_table_state,
    set_combo_items,
    setup_table,
    wrapped,
)
from ui.widgets.table import UID_ROLE, Ordering

log = logging.getLogger(__name__)
FILTER_DELAY_MS = 120  # typing pauses this long before the register filters


class CasesView(QWidget):
    open_audit_requested = Signal(str)
    loaded = Signal(int)  # number of cases, once the register is loaded

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.model = CaseRegisterModel(self)
        self.load_seconds: float | None = None
        self._loading = False
        self._stale = False
        self._reading: threading.Event | None = None  # set once the load reads the database
        self._build()
        session.changes.cases_changed.connect(self.reload)
        session.changes.audits_changed.connect(self.reload)

    # -- building ---------------------------------------------------------------------------

    def _build(self) -> None:
        self.text = named(
            QLineEdit(),
            "Find a case",
            "Type words from the case reference, team, worker or case type, in any order; "
            "a case matches when it has every word (Ctrl+F)",
            object_name="caseFilter",
        )
        self.text.setPlaceholderText("Find a case: words from reference, team, worker, type")
        self.text.setClearButtonEnabled(True)
        self.team = combo_with([("All teams", "")], "Team filter", "Show one team's cases")
        types = [("All case types", "")] + [(v, k.value) for k, v in CASE_TYPE_LABELS.items()]
        self.case_type = combo_with(types, "Case type filter", "Show one type of case")
        statuses = [("Any status", "")] + [(v, k.value) for k, v in REGISTER_STATUS_LABELS.items()]
        self.status = combo_with(statuses, "Status filter", "Open or closed, or by newest audit")
        self.count = QLabel("Loading cases…")
        self.count.setObjectName("caseCount")
        self.progress = named(QProgressBar(), "Loading the register")
        self.progress.setTextVisible(True)
        self.table = named(
            QTableView(),
            "Case register",
            "Cases: Enter or Ctrl+N starts an audit of the selected case",
            object_name="caseTable",
        )
        setup_table(self.table, self.session.settings, "cases")
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.no_match = wrapped(object_name="noCaseMatches")
        self.clear_button = named(
            QPushButton("C&lear the filters"),
            "Clear the filters",
            "Show every case again: empty Find and set the team, type and status to any",
            object_name="clearFilters",
        )
        self.clear_button.clicked.connect(self.clear_filters)
        self.empty = QWidget(objectName="noCases")  # in the table's place when nothing matches
        empty_column = QVBoxLayout(self.empty)
        empty_column.addWidget(self.no_match)
        empty_column.addWidget(self.clear_button, 0, Qt.AlignmentFlag.AlignLeft)
        empty_column.addStretch(1)
        self.empty.hide()
        self.panel = CasePanel(self.session)
        self.panel.start_audit_requested.connect(self.start_audit)
        self.panel.open_audit_requested.connect(self.open_audit_requested)

        find = QHBoxLayout()  # Find has a row of its own: team names are long
        find.addWidget(buddy("F&ind:", self.text))  # Alt+F is the File menu
        find.addWidget(self.text, 1)
        filters = QHBoxLayout()
        for label, combo in (("&Team:", self.team), ("T&ype:", self.case_type)):
            filters.addWidget(buddy(label, combo))
            filters.addWidget(combo)
        filters.addWidget(buddy("St&atus:", self.status))
        filters.addWidget(self.status)
        filters.addStretch(1)
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(find)
        column.addLayout(filters)
        column.addWidget(self.table, 1)
        column.addWidget(self.empty, 1)
        status_row = QHBoxLayout()
        status_row.addWidget(self.count, 1)
        status_row.addWidget(self.progress)
        column.addLayout(status_row)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.panel)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([880, 330])
        state = self.session.settings.window_state(CASES_SPLITTER)
        if state is not None:
            self.splitter.restoreState(state)
        layout = QVBoxLayout(self)
        layout.addWidget(self.splitter)

        self._filter_timer = QTimer(self, singleShot=True, interval=FILTER_DELAY_MS)
        self._pending_selection: tuple[str | None, int] | None = None
        self._selection_timer = QTimer(self, singleShot=True, interval=0)
        self._selection_timer.timeout.connect(self._select_pending)
        self._filter_timer.timeout.connect(self._apply_filter)
        self.text.textChanged.connect(self._filter_timer.start)
        self.text.returnPressed.connect(self._apply_filter)
        for combo in (self.team, self.case_type, self.status):
            combo.currentIndexChanged.connect(self._apply_filter)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.table.activated.connect(lambda _index: self.start_audit())
        QShortcut(QKeySequence("Ctrl+F"), self, self.text.setFocus)
        QShortcut(QKeySequence("Ctrl+N"), self, self.start_audit)

    # -- loading ----------------------------------------------------------------------------

    def reload(self, *, check: bool = False) -> None:
        """Load every case off the GUI thread; the table keeps its filter and selection.

        Asked again while a load is on its way, it loads once more after it, unless that
        load has not begun to read yet (it waits for a worker): it will read the change
        too. A merge says that cases and audits changed, one after the other: one load of
        100,000 cases, not two."""
        if self._loading:
            if self._reading is not None and self._reading.is_set():
                self._stale = True  # load again once this load is in
            return
        self._loading = True
        self._stale = False
        self._reading = reading = threading.Event()
        self.progress.show()
        self.progress.setRange(0, 0)
        started = time.perf_counter()

        def done(loaded: LoadedRegister) -> None:
            self._loading = False
            self.load_seconds = time.perf_counter() - started
            self._show_rows(loaded)
            if self._stale:
                self.reload()

        def failed(error: BaseException) -> None:
            self._loading = False
            self.progress.hide()
            self.count.setText("The register could not be loaded.")
            show_error(self, error, doing="loading the case register")

        self.session.runner.run(
            self.session.worker(_loading_register(self.model.ordering(), reading), check=check),
            on_success=done,
            on_failure=failed,
            on_progress=self._on_progress,
            label="load case register",
        )  # fmt: skip

    def save_state(self) -> None:
        self.session.settings.set_window_state(CASES_SPLITTER, self.splitter.saveState())
        save_table_state(self.table, self.session.settings)

    def _on_progress(self, done: int, total: int, text: str) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.progress.setFormat(text)

    def _show_rows(self, loaded: LoadedRegister) -> None:
        selected, rows = self.selected_uid(), loaded.rows
        set_combo_items(self.team, [("All teams", "")] + [(t, t) for t in loaded.teams])
        self.model.set_rows(rows, ordered=loaded.ordering)
        fit_register_columns(self.table)
        self.progress.hide()
        self._update_count()
        if self.isVisible():
            # On screen, the case panel follows on the event loop's next turn: the table
            # is painted first and the panel's layout after, two short waits for a click
            # instead of one long one (about 20 ms each at start).
            self._pending_selection = (selected, len(rows))
            self._selection_timer.start()
        else:
            self._finish_load(selected, len(rows))

    def _select_pending(self) -> None:
        """The selection a load left for the next turn, once the view is on screen (not
        when its window was closed meanwhile: its database may be closed too)."""
        if self._pending_selection is None or not self.isVisible():
            return
        selected, count = self._pending_selection
        self._pending_selection = None
        self._finish_load(selected, count)

    def _finish_load(self, selected: str | None, count: int) -> None:
        self._select(selected)
        log.info("case register: %d cases in %.2f s", count, self.load_seconds or 0)
        self.loaded.emit(count)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._pending_selection is not None:
            self._selection_timer.start()

    # -- filtering and selection ------------------------------------------------------------

    def current_filter(self) -> RegisterFilter:
        return RegisterFilter(
            text=self.text.text(),
            team=self.team.currentData() or "",
            case_type=self.case_type.currentData() or "",
            status=self.status.currentData() or "",
        )

    def _apply_filter(self) -> None:
        self._filter_timer.stop()
        selected = self.selected_uid()
        self.model.apply_filter(self.current_filter())
        self._update_count()
        self._select(selected)

    def _update_count(self) -> None:
        shown, total = self.model.rowCount(), self.model.total
        noun = "case" if total == 1 else "cases"
        self.count.setText(
            f"{total:,} {noun}" if shown == total else f"{shown:,} of {total:,} {noun}"
        )
        self._show_empty(shown == 0 and total > 0)

    def _show_empty(self, nothing_matches: bool) -> None:
        """Say that nothing matches, and offer the way back, instead of a blank table."""
        if nothing_matches:
            self.no_match.setText(_no_match_text(self.current_filter()))
        had_focus = self.table.hasFocus() or self.clear_button.hasFocus()
        self.table.setVisible(not nothing_matches)
        self.empty.setVisible(nothing_matches)
        if had_focus:  # hiding the focused widget must not drop the focus to the window
            (self.clear_button if nothing_matches else self.table).setFocus()

    def clear_filters(self) -> None:
        for combo in (self.team, self.case_type, self.status):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        self.text.blockSignals(True)
        self.text.clear()
        self.text.blockSignals(False)
        self._apply_filter()
        self.table.setFocus()

    def selected_uid(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].data(UID_ROLE) if rows else None

    def _select(self, uid: str | None) -> None:
        row = self.model.row_of_uid(uid) if uid else -1
        if row < 0 and self.model.rowCount():
            row = 0
        if row >= 0:
            self.table.selectRow(row)
            self.table.scrollTo(self.model.index(row, 0))
        else:
            self.panel.show_case(None)

    def _on_selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        with reporting_user_errors(self, "showing a case"):
            self.panel.show_case(self.selected_uid())

    # -- actions ----------------------------------------------------------------------------

    def start_audit(self, case_uid: str | None = None) -> None:
        uid = case_uid or self.selected_uid()
        if not uid:
            return
        with reporting_user_errors(self, "starting an audit"):
            dialog = StartAuditDialog(self.session, uid, self)
            dialog.accepted.connect(lambda: self._on_start_accepted(dialog))
            dialog.open()

    def _on_start_accepted(self, dialog: StartAuditDialog) -> None:
        with reporting_user_errors(self, "starting an audit"):
            audit_uid = dialog.start()
            self.session.changes.audits_changed.emit()
            self.open_audit_requested.emit(audit_uid)


def _no_match_text(wanted: RegisterFilter) -> str:
    """No case matches “safeguarding north”, naming the other filters when they are set."""
    words = wanted.text.strip() if find_words(wanted.text) else ""  # as the user typed it
    others = any((wanted.team, wanted.case_type, wanted.status))
    if words and others:
        return f"No case matches “{words}” with the team, type and status chosen."
    if words:
        return f"No case matches “{words}”."
    return "No case matches the team, type and status chosen."


# Rows whose text the first fit of the columns measures. Qt's default, 1,000, asks the model
# for every role of 8,000 cells on the GUI thread (146 ms at 100,000 cases); the first rows,
# by reference, size the columns as well (the user's own widths are kept after that).
FIT_ROWS = 100


def fit_register_columns(table: QTableView) -> None:
    """Size the register's columns to their contents, the first time there are rows."""
    table.horizontalHeader().setResizeContentsPrecision(FIT_ROWS)
    fit_columns_once(table)


def _teams(rows: list[RegisterRow]) -> list[str]:
    return sorted({r.team for r in rows if r.team}, key=str.casefold)


@dataclass(frozen=True)
class LoadedRegister:
    """The register's rows as loaded on the worker, already in the table's order, and
    its teams: each a pass over every case that need not hold up the GUI thread."""

    rows: list[RegisterRow]
    ordering: Ordering
    teams: list[str]


def _loading_register(
    ordering: Ordering, reading: threading.Event
) -> Callable[[Store, ProgressFn], LoadedRegister]:
    """Work: the register's rows, off the GUI thread, saying how many have come so far;
    ``reading`` is set before the first of them is read."""

    def load(store: Store, report: ProgressFn) -> LoadedRegister:
        reading.set()

        def progress(done: int, total: int) -> None:
            report(done, total, f"{done:,} of {total:,} cases")

        rows = load_register(store, progress=progress)
        return LoadedRegister(ordering(rows), ordering, _teams(rows))

    return load
