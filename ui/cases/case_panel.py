"""The case form beside the register: the case's facts, its key dates, the computed
timescale checks (met / not met in words and symbols, not colour alone) and its audits."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from auditor.audits.records import list_audits
from auditor.audits.timeliness import TimescaleCheck, check_timescales
from auditor.cases.records import Case, get_case
from auditor.clock import today, uk_date
from auditor.domain import CASE_DATE_FIELDS
from auditor.frameworks.library import list_frameworks
from ui.session import Session
from ui.widgets.common import heading, named, wrapped

MET = "✓ Met"
NOT_MET = "✗ Not met"
NOT_CHECKED = "– Not checked"


def check_words(check: TimescaleCheck) -> str:
    return NOT_CHECKED if check.met is None else MET if check.met else NOT_MET


class CasePanel(QScrollArea):
    """Shows one case; emits ``start_audit_requested`` and ``open_audit_requested``."""

    start_audit_requested = Signal(str)  # case uid
    open_audit_requested = Signal(str)  # audit uid

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.case: Case | None = None
        self.setWidgetResizable(True)
        # Down, never sideways: the panel is as wide as its content needs (see _fit_width).
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = QWidget()
        self.layout_ = QVBoxLayout(body)
        self.title = heading("No case selected")
        self.facts = wrapped("Choose a case in the register to see its dates and audits.")
        self.start_button = named(
            QPushButton("&Start audit"),
            "Start audit",
            "Start a new audit of this case (Ctrl+N)",
            object_name="startAudit",
        )
        self.start_button.setEnabled(False)
        self.start_button.clicked.connect(self._on_start_clicked)
        self.dates = QFormLayout()
        self.dates.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.checks = QVBoxLayout()
        self.audits = named(
            QListWidget(), "Audits of this case", "Double-click or press Enter to open"
        )
        self.audits.itemActivated.connect(self._on_audit_activated)
        self.audits.setWordWrap(True)  # a long grade wraps rather than scrolling sideways
        self.audits.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        for widget in (self.title, self.facts, self.start_button):
            self.layout_.addWidget(widget)
        self.layout_.addWidget(heading("Key dates", level=3))
        self.layout_.addLayout(self.dates)
        self.layout_.addWidget(heading("Timescales", level=3))
        self.layout_.addLayout(self.checks)
        self.layout_.addWidget(heading("Audits", level=3))
        self.layout_.addWidget(self.audits)
        self.layout_.addStretch(1)
        self.setWidget(body)
        self._fit_width()

    def show_case(self, uid: str | None) -> None:
        self.case = get_case(self.session.store, uid) if uid else None
        self.start_button.setEnabled(self.case is not None)
        _clear(self.dates)
        _clear(self.checks)
        self.audits.clear()
        if self.case is None:
            self.title.setText("No case selected")
            self.facts.setText("Choose a case in the register to see its dates and audits.")
            self._fit_width()
            return
        case = self.case
        self.title.setText(case.reference)
        self.facts.setText(
            f"{case.case_type.label} · {case.team or 'no team'} · "
            f"allocated to {case.worker or 'nobody'}"
        )
        self._show_dates(case)
        self._show_checks(case)
        self._show_audits(case)
        self._fit_width()

    def _fit_width(self) -> None:
        """Never narrower than the content's narrowest (dates whole, Start audit uncut):
        the register beside it gives way instead."""
        body = self.widget()
        body.layout().activate()
        scroll_bar = self.style().pixelMetric(self.style().PixelMetric.PM_ScrollBarExtent)
        self.setMinimumWidth(body.minimumSizeHint().width() + scroll_bar + 2 * self.frameWidth())

    def _show_dates(self, case: Case) -> None:
        shown = [(n, d) for n, d in case.dates.items() if d is not None]
        for name, value in shown:
            self.dates.addRow(f"{CASE_DATE_FIELDS[name]}:", QLabel(uk_date(value)))
        if not shown:
            self.dates.addRow(wrapped("No dates recorded for this case."))

    def _show_checks(self, case: Case) -> None:
        frameworks = list_frameworks(self.session.store)
        timescales = frameworks[-1].timescales_for(case.case_type) if frameworks else ()
        results = check_timescales(
            timescales, case.dates, case_type=case.case_type, audit_date=today()
        )
        for check in results:
            label = wrapped(f"<b>{check_words(check)}</b> — {check.summary}")
            label.setTextFormat(Qt.TextFormat.RichText)
            label.setProperty("met", {True: "yes", False: "no", None: "unknown"}[check.met])
            label.setAccessibleName(f"{check_words(check)}: {check.summary}")
            self.checks.addWidget(label)
        if not results:
            self.checks.addWidget(wrapped("No timescales apply to this type of case."))

    def _show_audits(self, case: Case) -> None:
        for audit in list_audits(self.session.store, case_uid=case.uid):
            grade = audit.final_grade or audit.suggested_grade
            text = f"{uk_date(audit.audit_date)} · {audit.status.label} · {audit.auditor}" + (
                f" · {grade.label}" if grade else ""
            )
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, audit.uid)
            self.audits.addItem(item)
        if self.audits.count() == 0:
            self.audits.addItem("Not audited yet")

    def _on_start_clicked(self) -> None:
        if self.case is not None:
            self.start_audit_requested.emit(self.case.uid)

    def _on_audit_activated(self, item: QListWidgetItem) -> None:
        uid = item.data(Qt.ItemDataRole.UserRole)
        if uid:
            self.open_audit_requested.emit(uid)


def _clear(layout: QFormLayout | QVBoxLayout) -> None:
    if isinstance(layout, QFormLayout):
        while layout.rowCount():
            layout.removeRow(0)
        return
    while layout.count():
        item = layout.takeAt(0)
        if item is not None and item.widget() is not None:
            item.widget().deleteLater()
