"""Actions: every action raised by the filtered audits, overdue ones first."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from openpyxl.formatting.rule import CellIsRule

from auditor.audits.actions import ActionRow
from auditor.clock import parse_date
from auditor.figures.stats import AUDITS_FROM
from auditor.reports import styles
from auditor.reports.output import Ticker
from auditor.reports.scope import ReportScope
from auditor.reports.table import Column, TableWriter


def write_actions(wb: Any, scope: ReportScope, ticker: Ticker) -> int:
    """Write the sheet; returns the number of cells written."""
    columns = [
        Column("Audit no.", 8),
        Column("Case", 16),
        Column("Team", 28),  # "Demo Safeguarding Team North" on one line
        Column("Auditor", 20),
        Column("Action", 50),
        *([] if scope.pseudonymised else [Column("Owner", 24)]),
        Column("Raised", 11),
        Column("Due", 11),
        Column("Status", 8),
        Column("Done", 11),
        Column("Days overdue", 9),
    ]
    table = TableWriter(wb, "Actions", columns, table="Actions", ticker=ticker)
    for row in action_rows(scope):
        table.append(row)
    ws = table.finish()
    fill, font = styles.RAG["red"]
    ws.conditional_formatting.add(
        table.column_range("Days overdue"),
        CellIsRule(operator="greaterThan", formula=["0"], fill=fill, font=font),
    )
    return table.cells


def action_rows(scope: ReportScope) -> Iterator[list[Any]]:
    """The sheet's rows as plain values: open actions first, soonest due first."""
    where, params = scope.where()
    rows = scope.store.execute(
        "SELECT a.id, a.uid, c.reference, c.team, a.auditor, x.uid, x.text, x.owner, "
        f"x.created_at, x.due_date, x.status, x.done_date {AUDITS_FROM} "
        f"JOIN actions x ON x.audit_id = a.id AND x.deleted_at IS NULL WHERE {where} "
        "ORDER BY x.status = 'done', x.due_date IS NULL, x.due_date, x.id",
        params,
    )
    for row in rows:
        action = _action(row)
        yield [
            row[0],
            scope.case_label(action.case_reference),
            action.team,
            action.auditor,
            scope.scrub(action.text, action.case_reference),
            *([] if scope.pseudonymised else [action.owner]),
            parse_date(row[8]),
            action.due_date,
            action.status.capitalize(),
            action.done_date,
            action.days_overdue(scope.on),
        ]


def _action(row: Any) -> ActionRow:
    return ActionRow(
        uid=row[5],
        audit_uid=row[1],
        case_reference=row[2],
        team=row[3],
        auditor=row[4],
        text=row[6],
        owner=row[7],
        due_date=parse_date(row[9]),
        status=row[10],
        done_date=parse_date(row[11]),
    )
