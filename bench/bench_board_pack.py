"""Benchmark: the board pack (PDF) for 10,000 audits on the built-in framework.

Prints, in one run on one database:
- the board pack: seconds (wall and CPU) and peak Python memory (tracemalloc), split into
  gathering the figures (SQL) and laying out the pages;
- the bare library: reportlab laying out a comparable document (the same number of tables,
  rows and charts, filled with fixed numbers: no database), seconds and peak memory;
- the process's peak resident memory at the end.

Run: python bench/bench_board_pack.py [--audits N] [--db PATH] [--keep FILE.pdf]
(--db reuses a database, e.g. one from an earlier run; without it a demo one is built.)
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Table

from auditor.demo import make_demo
from auditor.figures.stats import AuditFilter
from auditor.reports.board_pack import export_board_pack
from auditor.reports.board_pack.figures import board_pack_figures
from auditor.reports.board_pack.layout import build
from auditor.reports.scope import read_snapshot, resolve_scope
from auditor.store import Store


def measured(label: str, work: Callable[[], Any]) -> Any:
    tracemalloc.start()
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"{label:<46} {wall:6.2f} s wall {cpu:6.2f} s CPU  peak {peak / 2**20:6.1f} MB")
    return result


def bare_document(path: Path, months: int, criteria_rows: int, teams: int) -> None:
    """reportlab alone: five pages of headings, tables and charts like the pack's."""
    styles = getSampleStyleSheet()
    story: list[Any] = []
    for page in range(5):
        story.append(Paragraph(f"Section {page + 1}", styles["Heading2"]))
        story.append(Paragraph("A line of body text explaining the figures. " * 4,
                               styles["BodyText"]))  # fmt: skip
        rows = {0: 12, 1: criteria_rows, 2: 9, 3: teams + 1, 4: 15}[page]
        story.append(Table([[Paragraph(f"Criterion {r} wording of some length", styles["BodyText"]),
                             f"{r}", "55 %", "40–70 %", "90 %", "35"] for r in range(rows)],
                           repeatRows=1))  # fmt: skip
        drawing = Drawing(480, 200)
        chart: Any = HorizontalLineChart() if page == 2 else VerticalBarChart()
        chart.x, chart.y, chart.width, chart.height = 40, 30, 420, 150
        chart.data = [
            [(i * 7) % 100 for i in range(months)],
            [(i * 3) % 100 for i in range(months)],
        ]
        chart.categoryAxis.categoryNames = [f"M{i}" for i in range(months)]
        drawing.add(chart)
        story += [drawing, PageBreak()]
    SimpleDocTemplate(str(path), pagesize=A4).build(story)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--audits", type=int, default=10_000)
    parser.add_argument("--db", type=Path)
    parser.add_argument("--keep", type=Path, help="keep the board pack here")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-board-pack-"))
    db = args.db or folder / "bench.db"
    if args.db is None:
        started = time.perf_counter()
        with Store.open(db) as store:
            make_demo(store, cases=args.audits, audits=args.audits, seed=3)
        print(f"demo database, {args.audits:,} audits: {time.perf_counter() - started:.1f} s")
    with Store.open(db, readonly=True, check=False) as store:
        out = args.keep or folder / "pack.pdf"
        summary = measured("board pack, whole (export_board_pack)",
                           lambda: export_board_pack(store, out))  # fmt: skip

        def gather() -> Any:
            with read_snapshot(store):
                return board_pack_figures(resolve_scope(store, AuditFilter()))

        figures = measured("  of which: the figures (SQL)", gather)
        measured("  of which: laying out the pages", lambda: build(str(folder / "again.pdf"),
                                                                    figures))  # fmt: skip
        measured("bare reportlab, a comparable document",
                 lambda: bare_document(folder / "bare.pdf", len(figures.months), 11,
                                       len(figures.teams)))  # fmt: skip
    print(f"{summary.audits:,} audits counted, {summary.pages} pages, "
          f"{out.stat().st_size / 1024:.0f} KB")  # fmt: skip
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory of the process: {peak_rss:.0f} MB")


if __name__ == "__main__":
    main()
