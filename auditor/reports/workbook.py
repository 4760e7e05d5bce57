"""The report workbook: what the audits show, for an Improvement Board and for analysts.

:func:`export_report` is the one entry point for the desktop app and the command line. It
reads everything inside one read transaction (so every sheet describes the same audits),
streams the big sheets to disk in openpyxl's write-only mode, reports progress, stops when
cancelled, and moves the finished file into place only when it is complete.

It runs happily off the GUI thread: give it a :class:`Store` opened in that thread.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from auditor.clock import uk_date
from auditor.figures.stats import AuditFilter
from auditor.progress import Cancelled, Progress
from auditor.reports import styles
from auditor.reports.output import (
    Ticker,
    atomic_output,
    check_target,
    discard,
    save_workbook,
)
from auditor.reports.pseudonym import Pseudonyms
from auditor.reports.scope import ReportScope, read_snapshot, report_figures, resolve_scope
from auditor.reports.sheets.about import write_about
from auditor.reports.sheets.actions import write_actions
from auditor.reports.sheets.criteria import write_criteria
from auditor.reports.sheets.evidence import write_evidence
from auditor.reports.sheets.groups import write_groups
from auditor.reports.sheets.matrix import write_matrix
from auditor.reports.sheets.moderation import write_agreement, write_moderation
from auditor.reports.sheets.performance import write_performance
from auditor.reports.sheets.summary import write_summary
from auditor.reports.sheets.trend import write_trend
from auditor.store import Store

SMALL_SHEETS = 8  # Summary, Criteria, Trend, Performance, By team, By auditor, Agreement, About


@dataclass(frozen=True)
class ReportSummary:
    """What an export wrote."""

    path: Path
    audits: int
    answers: int
    actions: int
    moderations: int
    sheets: tuple[str, ...]
    cells: int  # cells written in the row-per-item sheets (matrix, evidence, actions, moderation)
    seconds: float

    @property
    def empty(self) -> bool:
        return self.audits == 0


def export_report_from(db_path: Path | str, out_path: Path | str, **options: Any) -> ReportSummary:
    """:func:`export_report` on the database at ``db_path``, opened (and closed) here: for
    a caller in another process or thread, which must not share a Store. Opened read-only,
    so closing it never removes the write-ahead log the app is using (docs/data-model.md)."""
    with Store.open(db_path, readonly=True, check=False) as store:
        return export_report(store, out_path, **options)


def export_report(
    store: Store,
    out_path: Path | str,
    *,
    audit_filter: AuditFilter | None = None,
    pseudonymise: bool = False,
    points_start: date | None = None,
    on: date | None = None,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> ReportSummary:
    """Write the report workbook for the audits ``audit_filter`` selects to ``out_path``.

    ``points_start``: the day the 6- and 12-month points count from (default: the
    programme's start, else the filter's first date, else the first audit's month).
    ``on``: the day actions are overdue against (default: today).
    ``progress(done, total)`` is called now and then; when ``cancelled()`` returns True the
    export stops with :class:`ExportCancelled` and no file is written. Problems a user can
    fix raise :class:`ExportError` (an :class:`AuditorError`) with a message saying what.
    """
    started = time.perf_counter()
    target = check_target(out_path)
    pseudonyms = Pseudonyms.for_store(store) if pseudonymise else None
    with read_snapshot(store):
        scope = resolve_scope(
            store,
            audit_filter or AuditFilter(),
            points_start=points_start,
            on=on,
            pseudonyms=pseudonyms,
        )
        ticker = Ticker(_work(scope), progress, cancelled)
        ticker.report()
        wb = Workbook(write_only=True)
        with atomic_output(target) as temp:
            try:
                cells = _build(wb, scope, ticker)
                ticker.check()
                save_workbook(wb, temp)
            except BaseException:
                discard(wb)
                raise
            ticker.check()
    ticker.finish()
    return ReportSummary(
        path=target,
        audits=scope.audits,
        answers=scope.answers,
        actions=scope.actions,
        moderations=scope.moderations,
        sheets=tuple(ws.title for ws in wb.worksheets),
        cells=cells,
        seconds=time.perf_counter() - started,
    )


def _small_sheet(scope: ReportScope) -> int:
    """Units of progress a small sheet counts for: about 1 % of the rows of the big ones."""
    return max(1, (scope.audits + scope.answers) // 100)


def _work(scope: ReportScope) -> int:
    """Total units of progress: one per row of the big sheets, a share for the small ones
    and for saving (which compresses everything written: about a fifth of the time)."""
    rows = scope.audits + scope.answers + scope.actions + scope.moderations
    return rows + SMALL_SHEETS * _small_sheet(scope) + rows // 5


def _build(wb: Any, scope: ReportScope, ticker: Ticker) -> int:
    """All sheets, in the order a reader meets them; returns the number of cells of the
    row-per-item sheets."""
    small = _small_sheet(scope)
    figures = report_figures(scope)
    for write in (write_summary, write_criteria, write_trend, write_performance):
        write(wb, scope, figures)
        ticker.tick(small)
    write_groups(wb, scope)
    ticker.tick(2 * small)
    tables = [
        write_matrix(wb, scope, ticker),
        write_evidence(wb, scope, ticker),
        write_actions(wb, scope, ticker),
        write_moderation(wb, scope, ticker),
    ]
    write_agreement(wb, scope, figures)
    write_about(wb, scope)
    for ws in wb.worksheets:
        styles.page_titles(ws, *page_titles(scope))
    ticker.tick(2 * small)
    return sum(tables)


def page_titles(scope: ReportScope) -> tuple[str, str, str]:
    """What the top and bottom of every printed page say: the programme (and team or
    auditor, when the report is about one), the period the audits cover, the day made."""
    f = scope.audit_filter
    about = [scope.programme.name if scope.programme else "All programmes"]
    about += [name for name in (f.team, f.auditor) if name]
    first, last = f.date_from or scope.first_audit, f.date_to or scope.last_audit
    period = f"Audits {uk_date(first)} to {uk_date(last)}" if first and last else "No audits"
    return ", ".join(about), period, f"Made {uk_date(scope.made_at.date())}"
