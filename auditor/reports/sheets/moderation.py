"""Moderation (each moderation: who, when, what changed) and Agreement (how often two people
judging the same file agreed: percentage, Cohen's kappa and, for the grade, the weighted
kappa, each kappa with its 95 % interval; below them the moderated grades' confusion matrix)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from auditor.clock import parse_date
from auditor.domain import Grade
from auditor.figures.agreement import AgreementFigure, AgreementReport, Kappa
from auditor.figures.stats import AUDITS_FROM, SMALL_SAMPLE
from auditor.reports import styles
from auditor.reports.output import Ticker
from auditor.reports.scope import ReportFigures, ReportScope
from auditor.reports.table import Column, TableWriter

MODERATION_COLUMNS = (
    Column("Audit no.", 8),
    Column("Case", 18),
    Column("Team", 26),
    Column("Auditor", 20),
    Column("Moderator", 20),
    Column("Moderated", 11),
    Column("Auditor's grade", 20),
    Column("Moderator's grade", 20),
    Column("Grade changed", 9),
    Column("Answers changed", 9),
    Column("Criteria changed", 24, wrap=True),
    Column("Moderator's note", 44, wrap=True),
)
AGREEMENT_COLUMNS = (
    Column("Subject", 14),
    Column("What was judged", 60, wrap=True),
    Column("Pairs", 8),
    Column("% agreement", 11, styles.PERCENT),
    Column("Cohen's kappa", 10, styles.KAPPA),
    Column("Kappa 95 % from", 10, styles.KAPPA),
    Column("Kappa 95 % to", 10, styles.KAPPA),
    Column("Weighted kappa (grade)", 10, styles.KAPPA),
    Column("Weighted 95 % from", 10, styles.KAPPA),
    Column("Weighted 95 % to", 10, styles.KAPPA),
    Column("Left out: N/A", 10),
    Column("Sample", 13),
)
MATRIX_TITLE = "Moderated grades: the auditor's grade (down) against the moderator's (across)"


def write_moderation(wb: Any, scope: ReportScope, ticker: Ticker) -> int:
    """Write the sheet; returns the number of cells written."""
    table = TableWriter(wb, "Moderation", MODERATION_COLUMNS, table="Moderation", ticker=ticker)
    for row in moderation_rows(scope):
        table.append(row)
    table.finish(empty="No moderations among these audits.")
    return table.cells


def moderation_rows(scope: ReportScope) -> Iterator[list[Any]]:
    """The Moderation sheet's rows as plain values, oldest moderation first."""
    where, params = scope.where()
    rows = scope.store.execute(
        "SELECT a.id, c.reference, c.team, a.auditor, m.moderator, m.created_at, "
        "m.auditor_grade, m.moderator_grade, m.note, "
        "(SELECT group_concat(ma.criterion_code, ' ') FROM moderation_answers ma "
        " WHERE ma.moderation_id = m.id AND ma.auditor_value IS NOT ma.moderator_value) "
        f"{AUDITS_FROM} JOIN moderations m ON m.audit_id = a.id WHERE {where} "
        "ORDER BY m.created_at, m.id",
        params,
    )
    for audit_id, ref, team, auditor, moderator, at, before, after, note, changed in rows:
        codes = sorted(changed.split()) if changed else []
        yield [
            audit_id,
            scope.case_label(ref),
            team,
            auditor,
            moderator,
            parse_date(at),
            Grade(before).label if before else None,
            Grade(after).label,
            "Yes" if before != after else "No",
            len(codes),
            ", ".join(codes),
            scope.scrub(note, ref),
        ]


def write_agreement(wb: Any, scope: ReportScope, figures: ReportFigures) -> None:
    table = TableWriter(wb, "Agreement", AGREEMENT_COLUMNS, table="Agreement", top_aligned=True)
    report = figures.agreement
    texts = {c.code: c.text for c in scope.framework.criteria} if scope.framework else {}
    if report.grade.pairs:
        table.append(_row(report.grade, "The overall grade of the case file"))
    for figure in report.criteria:
        table.append(_row(figure, texts.get(figure.subject, "")))
    ws = table.finish(empty="No moderations or blind double audits among these audits.")
    if report.grade_matrix.total:
        _write_grade_matrix(ws, report, table.last_row)


def _row(figure: AgreementFigure, text: str) -> list[Any]:
    return [
        figure.subject,
        text,
        figure.pairs,
        styles.fraction(figure.percent),
        *_kappa_cells(figure.cohen),
        *_kappa_cells(figure.weighted),
        figure.left_out,
        "Fewer than 10" if figure.pairs < SMALL_SAMPLE else None,
    ]


def _kappa_cells(kappa: Kappa | None) -> list[float | None]:
    return [None, None, None] if kappa is None else [kappa.estimate, kappa.low, kappa.high]


def _write_grade_matrix(ws: Any, report: AgreementReport, last_row: int) -> None:
    """Below the table: a row per auditor's grade, a column per moderator's grade, in the
    columns after the subject (the wide one holds the auditor's grade)."""
    matrix = report.grade_matrix.counts
    grades = list(matrix)
    ws.append([])
    ws.append([None, styles.cell(ws, MATRIX_TITLE, font=styles.HEADING_FONT)])
    header = ["Auditor's grade", *(g.label for g in grades), "Total"]
    widths = [c.width for c in AGREEMENT_COLUMNS[1 : 1 + len(header)]]
    height = styles.row_height(
        list(zip(header, widths, strict=True)), chars_per_width=styles.HEADER_CHARS_PER_WIDTH
    )
    if height is not None:
        ws.row_dimensions[last_row + 3].height = height  # after a blank row and the title
    ws.append([None, *(styles.header_cell(ws, text) for text in header)])
    for auditor in grades:
        row = [matrix[auditor][moderator] for moderator in grades]
        ws.append([None, auditor.label, *row, sum(row)])
    totals = [sum(matrix[a][m] for a in grades) for m in grades]
    ws.append([None, styles.cell(ws, "Total", font=styles.BOLD), *totals, sum(totals)])
