"""Benchmark: the case-list timeliness indicators over 100,000 cases; print the times.

Run: python bench/bench_performance.py [--cases N]

The cases are synthetic and obviously fake (references FAKE-000001, "Demo Team 7"). Printed:
the bare-library figure for the same read (one plain SQL SELECT of the columns the
timescales use, every date parsed with ``date.fromisoformat``), then
``performance_report`` over all cases, one team, and one period (it reads the same columns
once, checks every applicable timescale with the one rule, and counts).
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from auditor.clock import new_uid, now_utc
from auditor.figures.performance import performance_report
from auditor.frameworks.library import ensure_builtin_frameworks, get_framework
from auditor.store import Store
from auditor.store.writes import new_cases

DATES = ["referral_date", "assessment_start", "assessment_end", "strategy_discussion_date",
         "initial_conference_date", "core_group_first_date", "review_conference_date",
         "looked_after_start", "first_lac_review_date", "health_assessment_date",
         "last_visit", "last_supervision"]  # fmt: skip
TYPES = ["child_in_need", "child_protection", "looked_after", "care_leaver", "early_help"]
ON = date(2026, 6, 30)


def fake_cases(count: int, seed: int = 1) -> list[dict[str, object]]:
    rng = random.Random(seed)
    now = now_utc()
    rows = []
    for i in range(1, count + 1):
        base = date(2025, 6, 1) + timedelta(days=rng.randint(0, 380))
        row: dict[str, object] = {
            "uid": new_uid(), "reference": f"FAKE-{i:06d}", "case_type": rng.choice(TYPES),
            "team": f"Demo Team {rng.randint(1, 40)}", "worker": f"Demo Worker {i % 400:03d}",
            "created_at": now, "updated_at": now,
        }  # fmt: skip
        for name in DATES:
            if rng.random() < 0.85:
                row[name] = (base + timedelta(days=rng.randint(0, 80))).isoformat()
        rows.append(row)
    return rows


def bare_read(path: Path) -> float:
    started = time.perf_counter()
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    parsed: dict[str, date] = {}
    for row in conn.execute(f"SELECT team, case_type, closed_date, {', '.join(DATES)} FROM cases"):
        for raw in row[3:]:
            if raw is not None and raw not in parsed:
                parsed[raw] = date.fromisoformat(raw)
    conn.close()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=100_000)
    count = parser.parse_args().cases
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        with Store.open(path) as store:
            ensure_builtin_frameworks(store)
            with store.atomic():
                new_cases(store, fake_cases(count), actor="bench")
        print(f"{count:,} fake cases")
        print(f"  bare library: plain SQL read of the same columns, dates parsed: "
              f"{bare_read(path):.2f} s")  # fmt: skip
        with Store.open(path, readonly=True) as store:
            framework = get_framework(store, "IN-CFA")
            for what, chosen in (
                ("all cases", {}),
                ("one team", {"team": "Demo Team 7"}),
                ("one period", {"date_from": date(2026, 1, 1), "date_to": date(2026, 3, 31)}),
            ):
                started = time.perf_counter()
                report = performance_report(store, framework, on=ON, **chosen)  # type: ignore[arg-type]
                seconds = time.perf_counter() - started
                checked = sum(i.total.in_scope for i in report.indicators)
                print(f"  performance_report, {what}: {seconds:.2f} s "
                      f"({checked:,} case timescales in scope)")  # fmt: skip


if __name__ == "__main__":
    main()
