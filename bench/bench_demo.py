"""Benchmark: build a 10,000-case, 10,000-audit demo database; print time and file size.

Run: python bench/bench_demo.py [--cases N] [--audits M]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from auditor.demo import make_demo
from auditor.store import Store
from auditor.store.trail import row_count, verify_trail


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--audits", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        started = time.perf_counter()
        with Store.open(path) as store:
            make_demo(store, cases=args.cases, audits=args.audits, seed=1)
            built = time.perf_counter() - started
            answers = store.scalar("SELECT COUNT(*) FROM answers")
            trail = row_count(store)
            started = time.perf_counter()
            problems = verify_trail(store)
            verified = time.perf_counter() - started
            store.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size = path.stat().st_size
    print(
        f"demo database: {args.cases:,} cases, {args.audits:,} audits, {answers:,} answers, "
        f"{trail:,} trail rows"
    )
    print(f"  build: {built:.1f} s")
    print(f"  file size: {size / 1e6:.1f} MB")
    print(f"  verify trail: {verified:.1f} s ({'intact' if not problems else problems[0]})")


if __name__ == "__main__":
    main()
