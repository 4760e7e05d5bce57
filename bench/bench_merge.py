"""Benchmark: merge 20 audit packs of 500 audits each into an empty database.

Each pack comes from its own demo database (another laptop: its own origin, cases and
trail), so every merge brings new cases, programmes, audits and a whole trail chain.
Prints the time to build and export the packs, then the merge: total, per pack, audits a
second, and the time to verify the merged trail.

Run: python bench/bench_merge.py [--packs N] [--audits M] [--encrypted]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from auditor.demo import make_demo
from auditor.packs import apply_merge, export_pack, read_pack
from auditor.store import Store
from auditor.store.trail import row_count, verify_trail

PASSPHRASE = "bench passphrase"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--packs", type=int, default=20)
    parser.add_argument("--audits", type=int, default=500)
    parser.add_argument("--encrypted", action="store_true", help="passphrase-protected packs")
    args = parser.parse_args()
    secret = PASSPHRASE if args.encrypted else None
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        started = time.perf_counter()
        paths = [_make_pack(root, seed, args.audits, secret) for seed in range(1, args.packs + 1)]
        built = time.perf_counter() - started
        size = sum(p.stat().st_size for p in paths)
        with Store.open(root / "qa.db") as qa:
            times = []
            for path in paths:
                t0 = time.perf_counter()
                summary = apply_merge(qa, read_pack(path, secret), actor="Bench QA Lead")
                times.append(time.perf_counter() - t0)
                assert summary.added == args.audits and not summary.conflicts_kept
            audits = qa.scalar("SELECT COUNT(*) FROM audits")
            trail = row_count(qa)
            t0 = time.perf_counter()
            problems = verify_trail(qa)
            verified = time.perf_counter() - t0
    total = sum(times)
    print(
        f"{args.packs} packs × {args.audits} audits{' (encrypted)' if secret else ''}: "
        f"{size / 1e6:.1f} MB of packs, built and exported in {built:.1f} s"
    )
    print(
        f"  merge into an empty database: {total:.1f} s total, "
        f"{statistics.mean(times):.2f} s per pack (min {min(times):.2f}, max {max(times):.2f}), "
        f"{audits / total:,.0f} audits/s"
    )
    print(f"  merged: {audits:,} audits, {trail:,} trail rows")
    print(f"  verify trail: {verified:.1f} s ({'intact' if not problems else problems[0]})")


def _make_pack(root: Path, seed: int, audits: int, secret: str | None) -> Path:
    path = root / f"laptop-{seed:02d}.auditpack"
    with Store.open(root / f"laptop-{seed:02d}.db") as store:
        make_demo(store, cases=audits, audits=audits, seed=seed)
        export_pack(store, path, created_by=f"Bench Auditor {seed:02d}", passphrase=secret)
    return path


if __name__ == "__main__":
    main()
