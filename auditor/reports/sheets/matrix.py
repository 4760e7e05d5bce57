"""Case matrix: one row per audit, one column per criterion, answers coloured by value."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from auditor.domain import AuditStatus, CaseType, Grade
from auditor.reports import styles
from auditor.reports.output import Ticker
from auditor.reports.scope import ReportScope
from auditor.reports.sheets.stream import AuditRow, audits_with_answers
from auditor.reports.table import Column, TableWriter

LAST_PRINTED = "Safeguarding concern"  # the last column printed: the audits, not the answers
PRINT_NOTE = "Printed: each audit and its grade. The answers to each criterion are on screen."


def matrix_columns(scope: ReportScope) -> list[Column]:
    codes = [c.code for c in scope.framework.criteria] if scope.framework else []
    return [
        Column("Audit no.", 10),
        Column("Case", 17),
        Column("Case type", 18),
        Column("Team", 28),
        *([] if scope.pseudonymised else [Column("Allocated worker", 15)]),
        Column("Auditor", 18),
        Column("Programme", 38),
        Column("Audit date", 11),
        Column("Submitted", 11),
        Column("Status", 10),
        Column("Suggested grade", 31),  # "Requires improvement to be good" on one line
        Column("Final grade", 31),
        Column("Compliance", 11, styles.PERCENT),
        Column(LAST_PRINTED, 13),
        *(Column(code, 9) for code in codes),
    ]


def write_matrix(wb: Any, scope: ReportScope, ticker: Ticker) -> int:
    """Write the sheet; returns the number of cells written."""
    columns = matrix_columns(scope)
    table = TableWriter(wb, "Case matrix", columns, table="CaseMatrix", ticker=ticker)
    table.ws.page_setup.fitToWidth = 1  # the printed columns (below) fit one page wide
    for row in matrix_rows(scope):
        table.append(row)
    ws = table.finish()
    _print_the_audits(ws, table)
    codes = [c.code for c in scope.framework.criteria] if scope.framework else []
    if codes:
        first = columns[len(columns) - len(codes)].header
        styles.answer_rules(ws, table.column_range(first, codes[-1]), scope.value_labels)
    return table.cells


def _print_the_audits(ws: Any, table: TableWriter) -> None:
    """Printed, the matrix is the list of audits with their grades, one page wide: its
    criterion columns (fifty across) would print several pages wide in type too small to
    read, and each criterion's answers are counted on the Criteria sheet."""
    ws.print_area = f"A1:{table.letter(LAST_PRINTED)}{table.last_row}"
    ws.oddHeader.center.text = PRINT_NOTE


def matrix_rows(scope: ReportScope) -> Iterator[list[Any]]:
    """The sheet's rows as plain values, one per audit, oldest first."""
    codes = [c.code for c in scope.framework.criteria] if scope.framework else []
    for audit, answers in audits_with_answers(scope):
        values = {code: value for code, value, _ in answers}
        yield [
            *_audit_cells(scope, audit),
            *(scope.answer_label(code, values.get(code)) for code in codes),
        ]


def _audit_cells(scope: ReportScope, audit: AuditRow) -> list[Any]:
    return [
        audit.id,
        scope.case_label(audit.reference),
        CaseType(audit.case_type).label,
        audit.team,
        *([] if scope.pseudonymised else [audit.worker]),
        audit.auditor,
        audit.programme,
        audit.audit_date,
        audit.submitted,
        AuditStatus(audit.status).label,
        Grade(audit.suggested_grade).label if audit.suggested_grade else None,
        Grade(audit.final_grade).label if audit.final_grade else None,
        styles.fraction(audit.compliance),
        "Yes" if audit.safeguarding_concern else "No",
    ]
