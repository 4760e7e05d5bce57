"""The board pack: a PDF of a few pages an Improvement Board reads in ten minutes.

:func:`export_board_pack` is the one entry point for the desktop app and the command line:
the same filters as the report workbook, read inside one snapshot, the figures gathered in
``figures.py``, the pages drawn in ``layout.py`` (charts in ``charts.py``), written to a
temporary file and moved into place only when complete (``auditor/reports/output.py``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from auditor.figures.stats import AuditFilter
from auditor.progress import Cancelled, Progress
from auditor.reports.output import Ticker, atomic_output, check_target
from auditor.reports.scope import read_snapshot, resolve_scope
from auditor.store import Store

PDF = ".pdf"
FIGURE_STEPS = 4  # progress units for gathering the figures; one more per page drawn


@dataclass(frozen=True)
class BoardPackSummary:
    """What an export wrote."""

    path: Path
    audits: int
    pages: int
    seconds: float

    @property
    def empty(self) -> bool:
        return self.audits == 0


def export_board_pack_from(
    db_path: Path | str, out_path: Path | str, **options: Any
) -> BoardPackSummary:
    """:func:`export_board_pack` on the database at ``db_path``, opened read-only here: for
    a caller in another process (the app's child process) that must not share a Store."""
    with Store.open(db_path, readonly=True, check=False) as store:
        return export_board_pack(store, out_path, **options)


def export_board_pack(
    store: Store,
    out_path: Path | str,
    *,
    audit_filter: AuditFilter | None = None,
    points_start: date | None = None,
    on: date | None = None,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> BoardPackSummary:
    """Write the board pack for the audits ``audit_filter`` selects to ``out_path`` (.pdf).

    ``points_start`` and ``on`` as for :func:`auditor.reports.export_report`. When
    ``cancelled()`` returns True the export stops with :class:`ExportCancelled` and no file
    is written; a file that cannot be written raises :class:`ExportError` with one line.
    """
    from auditor.reports.board_pack.figures import board_pack_figures
    from auditor.reports.board_pack.layout import PAGES, build

    started = time.perf_counter()
    target = check_target(out_path, PDF)
    ticker = Ticker(FIGURE_STEPS + len(PAGES), progress, cancelled, every=1)
    ticker.report()
    with read_snapshot(store):
        scope = resolve_scope(store, audit_filter or AuditFilter(), points_start=points_start,
                              on=on)  # fmt: skip
        ticker.tick(1)
        figures = board_pack_figures(scope)
    ticker.tick(FIGURE_STEPS - 1)
    with atomic_output(target) as temp:
        pages = build(str(temp), figures, check=lambda: ticker.tick(1))
        ticker.check()
    ticker.finish()
    return BoardPackSummary(target, scope.audits, pages, time.perf_counter() - started)


__all__ = ["BoardPackSummary", "export_board_pack", "export_board_pack_from"]
