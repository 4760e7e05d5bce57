"""The audits list's table model (status, grades, compliance, the safeguarding flag)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QBrush, QColor

from auditor.audits.records import AuditSummary
from auditor.clock import uk_date
from auditor.domain import Grade, case_type_label
from ui.widgets.table import Column, RowTableModel

CONCERN = "⚠ Concern"
RED = QColor("#a51d2d")


def _grade(grade: Grade | None) -> str:
    return grade.label if grade else ""


def _compliance(row: AuditSummary) -> str:
    return "" if row.compliance is None else f"{row.compliance:.0f} %"


AUDIT_COLUMNS = (
    Column("Case reference", lambda r: r.case_reference, lambda r: r.case_reference),
    Column("Case type", lambda r: case_type_label(r.case_type), lambda r: r.case_type),
    Column("Team", lambda r: r.team, lambda r: r.team.casefold()),
    Column("Auditor", lambda r: r.auditor, lambda r: r.auditor.casefold()),
    Column("Audit date", lambda r: uk_date(r.audit_date), lambda r: r.audit_date),
    Column("Status", lambda r: r.status.label, lambda r: r.status.value),
    Column("Suggested grade", lambda r: _grade(r.suggested_grade),
           lambda r: r.suggested_grade.rank if r.suggested_grade else 0),
    Column("Final grade", lambda r: _grade(r.final_grade),
           lambda r: r.final_grade.rank if r.final_grade else 0),
    Column("Compliance", _compliance, lambda r: r.compliance or -1.0, numeric=True),
    Column("Safeguarding", lambda r: CONCERN if r.safeguarding_concern else "",
           lambda r: not r.safeguarding_concern,
           "An immediate safeguarding concern was raised"),
)  # fmt: skip
SAFEGUARDING_COLUMN = len(AUDIT_COLUMNS) - 1


def _decorate(row: AuditSummary, column: int, role: int) -> Any:
    if column == SAFEGUARDING_COLUMN and row.safeguarding_concern:
        if role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(RED)
        if role == Qt.ItemDataRole.ToolTipRole:
            return "Immediate safeguarding concern: a child may be unsafe now"
    return None


class AuditListModel(RowTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(AUDIT_COLUMNS, uid_of=lambda r: r.uid, decorate=_decorate, parent=parent)
