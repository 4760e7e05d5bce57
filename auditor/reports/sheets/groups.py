"""By team and By auditor: the headline figures for each team and each auditor."""

from __future__ import annotations

from typing import Any

from auditor.domain import Grade
from auditor.figures.stats import (
    SMALL_SAMPLE,
    criterion_figures_by,
    headlines_by,
    overall_met_percent,
)
from auditor.reports import styles
from auditor.reports.scope import ReportScope
from auditor.reports.table import Column, TableWriter

SHEETS = (("team", "By team", "ByTeam", "Team"), ("auditor", "By auditor", "ByAuditor", "Auditor"))


def write_groups(wb: Any, scope: ReportScope) -> None:
    for key, title, table_name, header in SHEETS:
        _write_group(wb, scope, key, title, table_name, header)


def _write_group(
    wb: Any, scope: ReportScope, key: str, title: str, table_name: str, header: str
) -> None:
    columns = [
        Column(header, 30),
        Column("Audits", 8),
        # Auditors per auditor is always 1: only teams say how many auditors they had.
        *([Column("Auditors", 8)] if key != "auditor" else []),
        *(Column(g.label, 13) for g in Grade),
        Column("% good or better", 10, styles.PERCENT),
        Column("% met, all criteria", 10, styles.PERCENT),
        Column("Safeguarding concerns", 13),
        Column("Open actions", 9),
        Column("Overdue actions", 9),
        Column("Sample", 13),
    ]
    table = TableWriter(wb, title, columns, table=table_name)
    if not scope.empty:
        heads = headlines_by(scope.store, scope.audit_filter, key, on=scope.on)
        met = (
            {}
            if scope.framework is None
            else criterion_figures_by(scope.store, scope.audit_filter, scope.framework, key)
        )
        for name, h in heads.items():
            small = h.audits < SMALL_SAMPLE
            table.append(
                [
                    name or "(none recorded)",
                    h.audits,
                    *([h.auditors] if key != "auditor" else []),
                    *(h.grades[g] for g in Grade),
                    styles.cell(
                        table.ws,
                        styles.fraction(h.good_or_better_percent),
                        fmt=styles.PERCENT_SMALL_SAMPLE if small else styles.PERCENT,
                    ),
                    styles.fraction(overall_met_percent(met.get(name, []))),
                    h.safeguarding_concerns,
                    h.open_actions,
                    h.overdue_actions,
                    "Fewer than 10 *" if small else None,
                ]
            )
    table.finish()
