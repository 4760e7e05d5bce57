"""Programmes: rounds of audits with their samples. The list of programmes (framework,
period, due date, cases sampled, progress of their audits) on the left; the selected
programme's sample, auditors and draws on the right (:class:`ProgrammePanel`).

The list loads off the GUI thread each time the view is shown and after any change.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.errors import reporting_user_errors
from ui.programmes.model import (
    PERIOD_COLUMN,
    ProgrammeListModel,
    ProgrammeSummary,
    load_summaries,
)
from ui.programmes.new_programme import NewProgrammeDialog
from ui.programmes.panel import ProgrammePanel
from ui.session import Session
from ui.settings import PROGRAMMES_SPLITTER
from ui.widgets.common import fit_columns_once, named, save_table_state, setup_table
from ui.widgets.table import UID_ROLE

NAME_WIDTH = 260  # pixels: the programme's name column, as first fitted


class ProgrammesView(QWidget):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.model = ProgrammeListModel(self)
        self._request = 0
        self._wanted: str | None = None  # the programme to select once the list is in
        self._build()
        # Audits started or submitted, and cases changed, show in the progress and sample.
        session.changes.audits_changed.connect(self._on_data_changed)
        session.changes.cases_changed.connect(self._on_data_changed)

    def _build(self) -> None:
        self.new_button = named(
            QPushButton("&New programme…"),
            "New programme",
            "Create a programme: name, framework, period, due date, auditors",
        )
        self.new_button.setObjectName("programme_new")
        self.new_button.clicked.connect(self.new_programme)
        self.count = QLabel()
        self.table = named(
            QTableView(),
            "Programmes",
            "Choose a programme to see its sample",
            object_name="programmeTable",
        )
        setup_table(self.table, self.session.settings, "programmes")
        if not self.table.property("columnsFitted"):  # no saved order: newest period first
            self.table.horizontalHeader().setSortIndicator(
                PERIOD_COLUMN, Qt.SortOrder.DescendingOrder
            )
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.panel = ProgrammePanel(self.session)
        self.panel.changed.connect(lambda: self.reload(refresh_panel=False))
        top = QHBoxLayout()
        top.addWidget(self.new_button)
        top.addWidget(self.count, 1)
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(top)
        column.addWidget(self.table, 1)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.panel)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setSizes([460, 750])
        state = self.session.settings.window_state(PROGRAMMES_SPLITTER)
        if state is not None:
            self.splitter.restoreState(state)
        layout = QVBoxLayout(self)
        layout.addWidget(self.splitter)

    def shown(self) -> None:
        self.reload()

    def save_state(self) -> None:
        self.session.settings.set_window_state(PROGRAMMES_SPLITTER, self.splitter.saveState())
        save_table_state(self.table, self.session.settings)
        self.panel.save_state()

    def _on_data_changed(self) -> None:
        if self.isVisible():
            self.reload()

    # -- loading ----------------------------------------------------------------------------

    def reload(self, *, refresh_panel: bool = True) -> None:
        """Load the programmes off the GUI thread; the selection (and its panel) is kept.
        The panel reloads itself after its own changes: ``refresh_panel=False`` then."""
        self._request += 1
        request = self._request
        wanted = self._wanted or self.selected_uid()

        def loaded(rows: list[ProgrammeSummary]) -> None:
            if request == self._request:
                self._show_rows(rows, wanted, refresh_panel)

        self.session.runner.run(
            self.session.worker(lambda store, _progress: load_summaries(store)),
            on_success=loaded,
            label="load programmes",
        )

    def _show_rows(
        self, rows: list[ProgrammeSummary], wanted: str | None, refresh_panel: bool
    ) -> None:
        self._wanted = None
        self.table.selectionModel().blockSignals(True)
        self.model.set_rows(rows)
        row = self.model.row_of_uid(wanted) if wanted else -1
        row = 0 if row < 0 and rows else row
        if row >= 0:
            self.table.selectRow(row)
            self.table.scrollTo(self.model.index(row, 0))
        self.table.selectionModel().blockSignals(False)
        self._fit_columns()
        noun = "programme" if len(rows) == 1 else "programmes"
        self.count.setText(f"{len(rows):,} {noun}")
        uid = self.selected_uid()
        shown = self.panel.programme.uid if self.panel.programme else None
        if refresh_panel or uid != shown:
            self.panel.show_programme(uid)

    def _fit_columns(self) -> None:
        """Fit the columns to the first rows, keeping the name narrow enough that the
        counts show beside it (the panel needs most of the width)."""
        first = not self.table.property("columnsFitted")
        fit_columns_once(self.table)
        if first and self.table.property("columnsFitted"):
            header = self.table.horizontalHeader()
            header.resizeSection(0, min(header.sectionSize(0), NAME_WIDTH))
            for column in (1, 2, 3):  # the counts: as wide as their titles
                title = self.model.headerData(column, Qt.Orientation.Horizontal)
                header.resizeSection(column, self.fontMetrics().horizontalAdvance(title) + 20)

    def selected_uid(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].data(UID_ROLE) if rows else None

    def _on_selection_changed(self, _selected: QItemSelection, _old: QItemSelection) -> None:
        self.panel.show_programme(self.selected_uid())

    # -- creating ---------------------------------------------------------------------------

    def new_programme(self) -> None:
        with reporting_user_errors(self, "creating a programme"):
            dialog = NewProgrammeDialog(self.session, self)
            dialog.created.connect(self._on_created)
            dialog.open()

    def _on_created(self, uid: str) -> None:
        self._wanted = uid
        self.reload()
