"""Benchmark: export the report workbook for 10,000 audits on the built-in framework.

Prints, each measured in a fresh process (seconds and peak resident memory):
- the export (every sheet, styles, tables, charts, conditional formats);
- the baseline: openpyxl write-only mode writing the same cells of the row-per-item sheets
  (case matrix, evidence, actions, moderation) as plain values, from the same row
  generators, with no styles, tables, conditional formats or charts;
- the row generation alone (SQL and Python, nothing written), so that baseline minus
  this is openpyxl's own share.
The export must take at most 1.5 times the baseline.

Run: python bench/bench_report.py [--audits N] [--db PATH] [--keep FILE.xlsx]
(--db reuses a database, e.g. one from an earlier run; without it a demo one is built.)
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from openpyxl import Workbook

from auditor.demo import make_demo
from auditor.figures.stats import AuditFilter
from auditor.reports import export_report
from auditor.reports.scope import read_snapshot, resolve_scope
from auditor.reports.sheets.actions import action_rows
from auditor.reports.sheets.evidence import evidence_rows
from auditor.reports.sheets.matrix import matrix_rows
from auditor.reports.sheets.moderation import moderation_rows
from auditor.store import Store

BUDGET = 1.5
ROWS = {
    "Case matrix": matrix_rows,
    "Evidence": evidence_rows,
    "Actions": action_rows,
    "Moderation": moderation_rows,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--audits", type=int, default=10_000)
    parser.add_argument("--db", type=Path, help="an existing database to export")
    parser.add_argument("--keep", type=Path, help="keep the exported workbook here")
    parser.add_argument("--phase", choices=("export", "baseline", "rows"), help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(_phase(args.phase, args.db, args.out)))
        return
    with tempfile.TemporaryDirectory() as folder:
        db = args.db or _build(Path(folder) / "bench.db", args.audits)
        out = args.keep or Path(folder) / "report.xlsx"
        export = _run("export", db, out)
        baseline = _run("baseline", db, Path(folder) / "baseline.xlsx")
        rows = _run("rows", db, out)
        size = out.stat().st_size
    _report(export, baseline, rows, size)


def _build(path: Path, audits: int) -> Path:
    started = time.perf_counter()
    with Store.open(path) as store:
        make_demo(store, cases=audits, audits=audits, seed=1)
    print(f"demo database: {audits:,} audits in {time.perf_counter() - started:.1f} s")
    return path


def _run(phase: str, db: Path, out: Path) -> dict[str, float]:
    """One phase in a fresh Python process, so its peak memory is its own."""
    result = subprocess.run(
        [sys.executable, __file__, "--phase", phase, "--db", str(db), "--out", str(out)],
        capture_output=True,
        text=True,
        check=True,
    )
    figures: dict[str, float] = json.loads(result.stdout.strip().splitlines()[-1])
    return figures


def _phase(phase: str, db: Path, out: Path) -> dict[str, float]:
    started = time.perf_counter()
    with Store.open(db) as store:
        if phase == "export":
            summary = export_report(store, out)
            cells, audits, answers = summary.cells, summary.audits, summary.answers
        else:
            cells = _plain(store, out if phase == "baseline" else None)
            audits = answers = 0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return {
        "seconds": time.perf_counter() - started,
        "peak_mb": peak_mb,
        "cells": cells,
        "audits": audits,
        "answers": answers,
    }


def _plain(store: Store, out: Path | None) -> int:
    """The row-per-item sheets' cells, appended as plain values (or only generated)."""
    cells = 0
    with read_snapshot(store):
        scope = resolve_scope(store, AuditFilter())
        wb = Workbook(write_only=True)
        for title, rows in ROWS.items():
            ws = wb.create_sheet(title)
            for row in rows(scope):
                cells += len(row)
                if out is not None:
                    ws.append(row)
    if out is not None:
        wb.save(out)
    return cells


def _report(
    export: dict[str, float], baseline: dict[str, float], rows: dict[str, float], size: int
) -> None:
    ratio = export["seconds"] / baseline["seconds"]
    print(
        f"report workbook: {export['audits']:,.0f} audits, {export['answers']:,.0f} answers; "
        f"{export['cells']:,.0f} cells in the row-per-item sheets; {size / 1e6:.1f} MB"
    )
    print(f"  export:   {export['seconds']:6.1f} s, peak memory {export['peak_mb']:5.0f} MB")
    print(
        f"  baseline: {baseline['seconds']:6.1f} s, peak memory {baseline['peak_mb']:5.0f} MB "
        f"(openpyxl write-only, same {baseline['cells']:,.0f} cells, plain values)"
    )
    print(
        f"  of which generating the rows (SQL and Python, nothing written): {rows['seconds']:.1f} s"
    )
    verdict = "within" if ratio <= BUDGET else "OVER"
    print(f"  export ÷ baseline: {ratio:.2f} ({verdict} the {BUDGET}× budget)")
    if export["cells"] != baseline["cells"]:
        print("  warning: the export and the baseline wrote different numbers of cells")


if __name__ == "__main__":
    main()
