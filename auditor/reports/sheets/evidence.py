"""Evidence: one row per answer, flat, for filtering and pivot tables."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from auditor.reports import styles
from auditor.reports.output import Ticker
from auditor.reports.scope import ReportScope
from auditor.reports.sheets.stream import audits_with_answers
from auditor.reports.table import Column, TableWriter

# What the printed page says instead of the rows: thousands of answers are read filtered.
PRINT_NOTE = (
    "One row per answer, to filter on screen: only the headings print. "
    "To print some rows, filter the table, then clear the print area."
)
COLUMNS = (
    Column("Audit no.", 8),
    Column("Case", 18),
    Column("Team", 28),
    Column("Auditor", 20),
    Column("Audit date", 11),
    Column("Criterion", 10),
    Column("Answer", 9),
    Column("Evidence", 90),
)


def write_evidence(wb: Any, scope: ReportScope, ticker: Ticker) -> int:
    """Write the sheet; returns the number of cells written."""
    table = TableWriter(wb, "Evidence", COLUMNS, table="Evidence", ticker=ticker)
    for row in evidence_rows(scope):
        table.append(row)
    ws = table.finish()
    styles.answer_rules(ws, table.column_range("Answer"), scope.value_labels)
    styles.print_headings_only(ws, table.letter(COLUMNS[-1].header), PRINT_NOTE)
    return table.cells


def evidence_rows(scope: ReportScope) -> Iterator[list[Any]]:
    """The sheet's rows as plain values: one per answer, audits oldest first."""
    for audit, answers in audits_with_answers(scope):
        case = scope.case_label(audit.reference)
        for code, value, evidence in answers:
            yield [
                audit.id,
                case,
                audit.team,
                audit.auditor,
                audit.audit_date,
                code,
                scope.answer_label(code, value),
                scope.scrub(evidence, audit.reference),
            ]
