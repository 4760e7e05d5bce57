"""The import wizard's two result tables: problems found in the file (row, column, value,
what is wrong) and changes an import makes to cases already in the database. Both are
:class:`RowTableModel`s, so 50,000 problems sort in the model, not through a proxy."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Qt

from auditor.clock import uk_date
from auditor.domain import CASE_DATE_FIELDS, case_type_label
from auditor.importing import IMPORT_FIELDS, CaseChange, Problem
from ui.widgets.table import Column, RowTableModel

PROBLEM_COLUMNS = (
    Column(
        "Row",
        lambda p: "" if p.row is None else str(p.row),
        lambda p: p.row or 0,
        "The row number as your spreadsheet shows it",
        numeric=True,
    ),
    Column(
        "Column", lambda p: p.column, lambda p: p.column.lower(), "The column heading in your file"
    ),
    Column("Value", lambda p: p.value, lambda p: p.value.lower(), "What the cell holds"),
    Column(
        "What is wrong",
        lambda p: _sentence(p.message),
        lambda p: p.message,
        "What needs fixing in the file",
    ),
)


def shown_value(field_name: str, value: str | None) -> str:
    """A stored case value as a user reads it: UK dates, case-type labels, "(blank)"."""
    if not value:
        return "(blank)"
    if field_name in CASE_DATE_FIELDS:
        try:
            return uk_date(value)
        except ValueError:
            return value
    if field_name == "case_type":
        return case_type_label(value)
    return value


def describe_change(change: CaseChange) -> str:
    """E.g. "CASE-0001: Team: Team North → Team South"."""
    old, new = shown_value(change.field, change.old), shown_value(change.field, change.new)
    return f"{change.reference}: {IMPORT_FIELDS.get(change.field, change.field)}: {old} → {new}"


def change_columns(*, imported: bool) -> tuple[Column, ...]:
    """Case, detail, then the old and new value: before the import they are what the
    database holds "Now" and what comes "From the file"; after it, "Before" and "Now"."""
    old_heading, old_tip = (
        ("Before", "What the database held before the import")
        if imported
        else ("Now", "What the database holds now")
    )
    new_heading, new_tip = (
        ("Now", "What the database holds now: the file's value, written by the import")
        if imported
        else ("From the file", "What the file says, written by the import")
    )
    return (
        Column("Case", lambda c: c.reference, lambda c: c.reference, "The case reference"),
        Column(
            "Detail",
            lambda c: IMPORT_FIELDS.get(c.field, c.field),
            lambda c: c.field,
            "Which detail of the case changes",
        ),
        Column(old_heading, lambda c: shown_value(c.field, c.old), lambda c: c.old or "", old_tip),
        Column(new_heading, lambda c: shown_value(c.field, c.new), lambda c: c.new or "", new_tip),
    )


class ProblemsModel(RowTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(
            PROBLEM_COLUMNS, uid_of=_problem_key, decorate=_problem_tooltip, parent=parent
        )

    def set_problems(self, problems: tuple[Problem, ...]) -> None:
        self.set_rows(problems)


class ChangesModel(RowTableModel):
    """Changes an import would make (``imported=False``) or has made."""

    def __init__(self, parent: QObject | None = None, *, imported: bool = False) -> None:
        super().__init__(
            change_columns(imported=imported),
            uid_of=lambda c: f"{c.reference}/{c.field}",
            parent=parent,
        )

    def set_changes(self, changes: tuple[CaseChange, ...]) -> None:
        self.set_rows(changes)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _problem_tooltip(problem: Problem, _column: int, role: int) -> Any:
    """The whole problem in one line, for a message too long for its column."""
    return _sentence(str(problem)) if role == Qt.ItemDataRole.ToolTipRole else None


def _problem_key(problem: Problem) -> str:
    return f"{problem.row}/{problem.column}/{problem.message}"
