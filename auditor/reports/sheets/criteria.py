"""Criteria: compliance with each criterion against its target, worst gaps first."""

from __future__ import annotations

import math
from typing import Any

from auditor.figures.stats import AMBER_MARGIN, CriterionFigures, worst_gaps_first
from auditor.reports import styles
from auditor.reports.scope import ReportFigures, ReportScope
from auditor.reports.table import Column, TableWriter

COLUMNS = (
    Column("Code", 10),
    Column("Section", 14),
    Column("Criterion", 46),
    Column("Source", 44),  # sources run to 200 characters: wider, the rows print shorter
    Column("Applied (audits)", 9),
    Column("Yes", 7),
    Column("Partly", 7),
    Column("No", 7),
    Column("N/A", 7),
    Column("Scored (not N/A)", 9),
    Column("% met", 9, styles.PERCENT),
    Column("95 % CI from", 9, styles.PERCENT),
    Column("95 % CI to", 9, styles.PERCENT),
    Column("Target", 8, styles.PERCENT_WHOLE),
    Column("Points below target", 9, styles.POINTS),
    Column("Status", 9),
    Column("Sample", 13),
)
STATUS_WORDS = {"green": "Green", "amber": "Amber", "red": "Red"}


def write_criteria(wb: Any, scope: ReportScope, figures: ReportFigures) -> None:
    table = TableWriter(wb, "Criteria", COLUMNS, table="Criteria", top_aligned=True)
    if not scope.empty and scope.framework is not None:
        for f in worst_gaps_first(figures.criteria):
            table.append(_row(table.ws, scope, f))
    ws = table.finish()
    styles.rag_text_rules(ws, table.column_range("Status"))
    styles.against_target_rules(
        ws,
        table.column_range("% met"),
        f"{table.letter('% met')}2",
        f"${table.letter('Target')}2",
        AMBER_MARGIN / 100.0,
    )


def _row(ws: Any, scope: ReportScope, f: CriterionFigures) -> list[Any]:
    assert scope.framework is not None
    low, high = f.interval or (None, None)
    met_format = styles.PERCENT_SMALL_SAMPLE if f.small_sample else styles.PERCENT
    return [
        f.code,
        scope.framework.section_title(f.section),
        f.text,
        "; ".join(f.sources),
        f.applied,
        f.counts.get("yes", 0),
        f.counts.get("partly", 0),
        f.counts.get("no", 0),
        f.counts.get("na", 0),
        f.scored,
        styles.cell(ws, styles.fraction(f.met_percent), fmt=met_format, alignment=styles.TOP),
        styles.fraction(low),
        styles.fraction(high),
        styles.fraction(f.target),
        None if math.isinf(f.gap) else round(f.gap, 10),
        _status(f),
        "Fewer than 10 *" if f.small_sample else None,
    ]


def _status(f: CriterionFigures) -> str:
    if f.status is not None:
        return STATUS_WORDS[f.status]
    return "No target" if f.target is None else "No answers"
