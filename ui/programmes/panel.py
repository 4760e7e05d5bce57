"""One programme beside the list on the Programmes screen: what it is, how its sample was
drawn (with the seed, and a check that the seed gives the same cases again), its sample with
who audits each case, each auditor's list, and the buttons that draw, share and assign.

Every change goes through the core (``save_sample``, ``share_evenly``, ``assign_cases``,
``add_auditors``, ``assign_double_audits``); bulk ones run off the GUI thread behind the
progress dialog. After a change the panel says what happened and emits ``changed``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QInputDialog,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from auditor.programmes.assignment import add_auditors, assign_cases, share_evenly
from auditor.programmes.double_audit import assign_double_audits, open_programme_audit
from auditor.programmes.records import Programme
from auditor.programmes.samples import check_sample_records
from auditor.store import Store
from auditor.words import plural
from ui.errors import reporting_user_errors
from ui.operations import ProgressFn
from ui.programmes.draw_sample import DrawSampleDialog
from ui.programmes.model import (
    SECOND_AUDITOR_COLUMN,
    UNASSIGNED,
    ProgrammeDetails,
    SampleModel,
    load_details,
)
from ui.programmes.text import check_text, describe_draw, facts_text, sizes_text
from ui.session import Session
from ui.widgets.common import (
    buddy,
    combo_with,
    fit_columns_once,
    heading,
    named,
    save_table_state,
    set_combo_items,
    setup_table,
    wrapped,
)
from ui.widgets.progress import run_with_progress
from ui.widgets.table import ROW_ROLE

BUTTONS = (  # key, text, tooltip
    ("draw", "&Draw sample…", "Draw cases into the sample (preview first)"),
    ("check", "&Check the sample", "Draw again from the recorded seed and compare"),
    ("double", "Choose double a&udits",
     "Give the programme's share of cases a second, independent auditor"),
    ("add_auditor", "&Add auditor…", "Put another auditor on the programme"),
    ("evenly", "Assign even&ly", "Share the unassigned cases evenly among its auditors"),
    ("assign", "Assi&gn", "Give the selected cases to this auditor"),
)  # fmt: skip
ALL_CASES = "\x00all"  # the auditor filter's "every case" value (no auditor has this name)


class ProgrammePanel(QWidget):
    changed = Signal()  # the programme's sample or auditors changed
    open_audit_requested = Signal(str)  # my audit of a sampled case, to open in the form

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.details: ProgrammeDetails | None = None
        self.model = SampleModel(self)
        self._request = 0  # the newest load wins: a slow older one is dropped
        self._build()
        self.show_programme(None)

    # -- building ---------------------------------------------------------------------------

    def _build(self) -> None:
        self.title = heading("No programme selected")
        self.facts = wrapped("", object_name="programmeFacts")
        self.draws = wrapped("", object_name="programmeDraws")
        self.check_result = wrapped("", object_name="sampleCheck")
        self.message = wrapped("", object_name="programmeMessage")
        self.buttons = {key: self._button(key, text, tip) for key, text, tip in BUTTONS}
        slots: dict[str, Callable[[], None]] = {
            "draw": self.draw, "check": self.check_sample, "double": self.choose_double_audits,
            "add_auditor": self.ask_auditor, "evenly": self.assign_evenly,
            "assign": self.assign_selected,
        }  # fmt: skip
        for key, slot in slots.items():
            self.buttons[key].clicked.connect(lambda _checked=False, s=slot: s())
        top = self._row("draw", "check", "double")
        self.auditor_filter = combo_with(
            [("Every case", ALL_CASES)], "Whose list", "Show each auditor their list"
        )
        self.auditor_filter.currentIndexChanged.connect(self._apply_filter)
        self.sizes = wrapped("", object_name="listSizes")
        lists = QHBoxLayout()
        lists.addWidget(buddy("Sho&w:", self.auditor_filter))
        lists.addWidget(self.auditor_filter)
        lists.addWidget(self.sizes, 1)
        self.table = named(
            QTableView(),
            "Sample",
            "The programme's cases and who audits each. Enter or double-click: your audit "
            "of the case",
            object_name="sampleTable",
        )
        setup_table(self.table, self.session.settings, "programme_sample")
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.activated.connect(lambda _index: self.open_my_audit())
        self.assign_to = combo_with([], "Assign to", "The auditor to give the selected cases")
        bottom = self._row("add_auditor", "evenly")  # then, at the right: assigning by hand
        bottom.addWidget(buddy("Selected cases &to:", self.assign_to))
        bottom.addWidget(self.assign_to)
        bottom.addWidget(self.buttons["assign"])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.title, self.facts, self.draws):
            layout.addWidget(widget)
        layout.addLayout(top)
        layout.addWidget(self.check_result)
        layout.addLayout(lists)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        layout.addWidget(self.message)

    def _button(self, key: str, text: str, tooltip: str) -> QPushButton:
        button = named(QPushButton(text), text.replace("&", "").rstrip("…"), tooltip)
        button.setObjectName(f"programme_{key}")
        return button

    def _row(self, *keys: str) -> QHBoxLayout:
        row = QHBoxLayout()
        for key in keys:
            row.addWidget(self.buttons[key])
        row.addStretch(1)
        return row

    def save_state(self) -> None:
        save_table_state(self.table, self.session.settings)

    # -- showing ----------------------------------------------------------------------------

    @property
    def programme(self) -> Programme | None:
        return self.details.programme if self.details else None

    def show_programme(self, uid: str | None) -> None:
        """Show the programme ``uid`` (None: none), loading its sample off the GUI thread."""
        self._request += 1
        request = self._request
        if uid is None:
            self._show(None)
            return

        def loaded(details: ProgrammeDetails) -> None:
            if request == self._request:
                self._show(details)

        self.session.runner.run(
            self.session.worker(lambda store, _progress: load_details(store, uid)),
            on_success=loaded,
            label="load programme",
        )

    def _show(self, details: ProgrammeDetails | None) -> None:
        if self.programme is None or details is None or details.programme.uid != self.programme.uid:
            self.check_result.setText("")
            self.message.setText("")
        self.details = details
        programme = details.programme if details else None
        self.title.setText(programme.name if programme else "No programme selected")
        self.facts.setText(facts_text(programme) if programme else "")
        draws = details.draws if details else []
        self.draws.setText(
            "\n".join(describe_draw(n, d) for n, d in enumerate(draws, 1))
            or ("No sample drawn yet." if programme else "")
        )
        auditors = list(programme.auditors) if programme else []
        set_combo_items(
            self.auditor_filter,
            [("Every case", ALL_CASES), (UNASSIGNED, "")] + [(name, name) for name in auditors],
        )
        set_combo_items(self.assign_to, [(name, name) for name in auditors])
        self.model.set_rows(details.cases if details else [])
        self._apply_filter()
        fit_columns_once(self.table)
        has_second = any(c.second_auditor for c in (details.cases if details else []))
        self.table.setColumnHidden(SECOND_AUDITOR_COLUMN, not has_second)
        self._enable(programme, has_second)

    def _enable(self, programme: Programme | None, has_second: bool) -> None:
        for button in self.buttons.values():
            button.setEnabled(programme is not None)
        sampled = bool(self.model.total)
        self.buttons["check"].setEnabled(bool(self.details and self.details.draws))
        self.buttons["evenly"].setEnabled(sampled)
        self.buttons["assign"].setEnabled(sampled and self.assign_to.count() > 0)
        double = programme is not None and programme.double_audit_percent > 0
        self.buttons["double"].setVisible(double)
        self.buttons["double"].setEnabled(double and sampled and not has_second)

    def _apply_filter(self) -> None:
        value = self.auditor_filter.currentData()
        self.model.show_auditor(None if value in (None, ALL_CASES) else value)
        if self.details is not None:
            self.sizes.setText(sizes_text(self.details.list_sizes(), shown=self.model.rowCount()))
        else:
            self.sizes.setText("")

    def selected_references(self) -> list[str]:
        rows = self.table.selectionModel().selectedRows()
        return sorted(index.data(ROW_ROLE).reference for index in rows)

    def open_my_audit(self) -> None:
        """Enter or double-click on a case: my audit of it, started if need be (blind when
        I am its second auditor). A case assigned to someone else is refused, by name."""
        index = self.table.currentIndex()
        if self.programme is None or not index.isValid():
            return
        case = index.data(ROW_ROLE)
        with reporting_user_errors(self, "opening the audit of a sampled case"):
            uid = open_programme_audit(
                self.session.store,
                programme_uid=self.programme.uid,
                case_uid=case.case_uid,
                auditor=self.session.actor,
            )
            self.session.changes.audits_changed.emit()
            self.open_audit_requested.emit(uid)

    # -- changing ---------------------------------------------------------------------------

    def draw(self) -> None:
        if self.programme is None:
            return
        dialog = DrawSampleDialog(self.session, self.programme, self)
        dialog.saved.connect(
            lambda added: self._done(f"✓ {plural(added, 'case')} added to the sample.")
        )
        dialog.open()

    def assign_evenly(self) -> None:
        def share(store: Store, uid: str, actor: str) -> Any:
            return share_evenly(store, uid, actor=actor)

        self._write(
            "Sharing the cases evenly",
            share,
            lambda changes: f"✓ {plural(len(changes), 'case')} shared evenly.",
        )

    def assign_selected(self) -> None:
        references, auditor = self.selected_references(), self.assign_to.currentData()
        if not references or not auditor:
            self.message.setText("Select the cases in the table first, then the auditor.")
            return

        def assign(store: Store, uid: str, actor: str) -> Any:
            return assign_cases(store, uid, dict.fromkeys(references, auditor), actor=actor)

        self._write(
            "Assigning the selected cases",
            assign,
            lambda changes: f"✓ {plural(len(changes), 'case')} given to {auditor}.",
        )

    def choose_double_audits(self) -> None:
        def choose(store: Store, uid: str, actor: str) -> Any:
            return assign_double_audits(store, uid, actor=actor)

        self._write(
            "Choosing the double audits",
            choose,
            lambda chosen: f"✓ {plural(len(chosen), 'case')} will be audited twice.",
        )

    def check_sample(self) -> None:
        if self.details is None:
            return
        count, uid = len(self.details.draws), self.details.programme.uid

        def check(store: Store, _progress: ProgressFn) -> list[str]:
            return check_sample_records(store, uid)

        run_with_progress(
            self,
            self.session.runner,
            self.session.worker(check),
            title="Checking the sample",
            on_success=lambda problems: self.check_result.setText(check_text(count, problems)),
        )

    def ask_auditor(self) -> None:
        if self.programme is None:
            return
        dialog = QInputDialog(self)
        dialog.setWindowTitle("Add an auditor")
        dialog.setLabelText(f"The auditor's name, to add to {self.programme.name}:")
        dialog.textValueSelected.connect(self.add_auditor)
        dialog.open()

    def add_auditor(self, name: str) -> None:
        if self.programme is None or not name.strip():
            return
        with reporting_user_errors(self, "adding an auditor"):
            add_auditors(self.session.store, self.programme.uid, [name], actor=self.session.actor)
            self._done(f"✓ {name.strip()} added to the programme.")

    def _write(
        self, title: str, change: Callable[[Store, str, str], Any], said: Callable[[Any], str]
    ) -> None:
        """Run ``change(store, programme uid, actor)`` off the GUI thread, then say ``said``."""
        if self.programme is None:
            return
        uid, actor = self.programme.uid, self.session.actor

        def work(store: Store, _progress: ProgressFn) -> Any:
            return change(store, uid, actor)

        run_with_progress(
            self,
            self.session.runner,
            self.session.worker(work),
            title=title,
            on_success=lambda result: self._done(said(result)),
        )

    def _done(self, message: str) -> None:
        self.message.setText(message)
        self.check_result.setText("")  # an earlier check said nothing about what changed
        if self.programme is not None:
            self.show_programme(self.programme.uid)
        self.changed.emit()
