"""Moderation (each moderation: who, when, what changed) and Agreement (how often two people
judging the same file agreed: percentage and Cohen's kappa)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from auditor.clock import parse_date
from auditor.domain import Grade
from auditor.figures.agreement import AgreementFigure
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
    Column("Sample", 13),
)


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
    table.finish(empty="No moderations or blind double audits among these audits.")


def _row(figure: AgreementFigure, text: str) -> list[Any]:
    return [
        figure.subject,
        text,
        figure.pairs,
        styles.fraction(figure.percent),
        figure.kappa,
        "Fewer than 10" if figure.pairs < SMALL_SAMPLE else None,
    ]
