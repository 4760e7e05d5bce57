"""The case register's table model: 100,000 cases, filtered and sorted in the model."""

from __future__ import annotations

from PySide6.QtCore import QObject

from auditor.cases.register import SORT_KEYS, RegisterFilter, RegisterRow, filter_register
from auditor.clock import uk_date
from auditor.domain import AuditStatus, case_type_label
from ui.widgets.table import Column, RowTableModel


def _latest(row: RegisterRow) -> str:
    return AuditStatus(row.latest_status).label if row.latest_status else "Not audited"


def _state(row: RegisterRow) -> str:
    return f"Closed {uk_date(row.closed_date)}" if row.closed_date else "Open"


REGISTER_COLUMNS = (
    Column("Case reference", lambda r: r.reference, SORT_KEYS["reference"],
           "The case reference in the council's own system"),
    Column("Case type", lambda r: case_type_label(r.case_type), SORT_KEYS["case_type"]),
    Column("Team", lambda r: r.team, SORT_KEYS["team"]),
    Column("Worker", lambda r: r.worker, SORT_KEYS["worker"], "The allocated worker"),
    Column("Newest audit", _latest, SORT_KEYS["latest_status"],
           "Status of the case's newest audit"),
    Column("Case status", _state, SORT_KEYS["closed_date"], "Open, or the date it was closed"),
    Column("Audits", lambda r: str(r.audits), SORT_KEYS["audits"],
           "Audits of this case (deleted drafts not counted)", numeric=True),
    Column("Referral", lambda r: uk_date(r.referral_date), SORT_KEYS["referral_date"],
           "Date the referral was received"),
)  # fmt: skip


class CaseRegisterModel(RowTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(REGISTER_COLUMNS, uid_of=lambda r: r.uid, parent=parent)
        self.wanted = RegisterFilter()

    def apply_filter(self, wanted: RegisterFilter) -> None:
        self.wanted = wanted
        self.set_filter(None if wanted.is_empty else lambda rows: filter_register(rows, wanted))
