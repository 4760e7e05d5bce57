"""The actions list's table model: overdue actions stand out in colour *and* in words."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from auditor.audits.actions import ActionRow
from auditor.clock import uk_date
from ui.widgets.table import Column, RowTableModel

OVERDUE_BACKGROUND = QColor("#fbe3e4")
OVERDUE_TEXT = QColor("#8f1d21")
SAFEGUARDING = "⚠ Safeguarding"
SAFEGUARDING_BACKGROUND = QColor("#ffd8a8")
SAFEGUARDING_TEXT = QColor("#7a2e00")
SAFEGUARDING_TIP = (
    "Raised on an audit with an immediate safeguarding concern: a child may be unsafe now. "
    "Open ones come first in the list."
)


def status_text(row: ActionRow) -> str:
    if row.status == "done":
        return f"✓ Done {uk_date(row.done_date)}" if row.done_date else "✓ Done"
    days = row.days_overdue()
    if days:
        return f"⚠ Overdue by {days} day{'s' if days != 1 else ''}"
    return "Open"


ACTION_COLUMNS = (
    Column("What must change", lambda r: r.text, lambda r: r.text.casefold()),
    Column("Owner", lambda r: r.owner, lambda r: r.owner.casefold()),
    Column("Due", lambda r: uk_date(r.due_date) if r.due_date else "",
           lambda r: r.due_date.isoformat() if r.due_date else "9999"),
    Column("Status", status_text, lambda r: (r.status, -r.days_overdue())),
    Column("Safeguarding", lambda r: SAFEGUARDING if r.safeguarding else "",
           lambda r: not r.safeguarding, SAFEGUARDING_TIP),
    Column("Case reference", lambda r: r.case_reference, lambda r: r.case_reference),
    Column("Team", lambda r: r.team, lambda r: r.team.casefold()),
    Column("Auditor", lambda r: r.auditor, lambda r: r.auditor.casefold()),
)  # fmt: skip


SAFEGUARDING_COLUMN = next(i for i, c in enumerate(ACTION_COLUMNS) if c.title == "Safeguarding")
_BOLD = QFont()
_BOLD.setBold(True)


def _decorate(row: ActionRow, column: int, role: int) -> Any:
    if column == SAFEGUARDING_COLUMN and row.safeguarding:
        return _safeguarding_cell(role)
    if row.days_overdue():
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(OVERDUE_BACKGROUND)
        if role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(OVERDUE_TEXT)
    if role == Qt.ItemDataRole.ToolTipRole and column == 0:
        return row.text
    return None


def _safeguarding_cell(role: int) -> Any:
    """The safeguarding mark: words, a warm background and bold dark text."""
    if role == Qt.ItemDataRole.BackgroundRole:
        return QBrush(SAFEGUARDING_BACKGROUND)
    if role == Qt.ItemDataRole.ForegroundRole:
        return QBrush(SAFEGUARDING_TEXT)
    if role == Qt.ItemDataRole.FontRole:
        return _BOLD
    if role == Qt.ItemDataRole.ToolTipRole:
        return SAFEGUARDING_TIP
    return None


class ActionListModel(RowTableModel):
    """Open safeguarding actions first (the core's ``ActionRow.comes_first``), then by the
    column the user sorts on."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(ACTION_COLUMNS, uid_of=lambda r: r.uid, decorate=_decorate,
                         first=lambda r: r.comes_first, parent=parent)  # fmt: skip
