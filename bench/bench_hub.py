"""Benchmark: laptops meeting in the team hub. Each laptop (a process of its own) holds its
own demo audits; all of them push and pull at once, each until it holds every laptop's
audits and has nothing left to push. Prints the time to convergence, the packs moved, and
whether any audit was duplicated or lost.

Run: python bench/bench_hub.py [--laptops 20] [--audits 200] [--hub URL]
(without --hub a throwaway PostgreSQL is started with scripts/hub-test-server)
"""

from __future__ import annotations

import argparse
import multiprocessing
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from auditor.demo import make_demo  # noqa: E402
from auditor.hub import connect, init_hub, pull, push_work  # noqa: E402
from auditor.store import Store  # noqa: E402


def build(path: str, audits: int, seed: int) -> None:
    with Store.open(path) as store:
        make_demo(store, cases=audits, audits=audits, seed=seed)


def sync_until_whole(path: str, url: str, expected: int, name: str) -> dict[str, float]:
    pushed = pulled = rounds = 0
    started = time.perf_counter()
    with Store.open(path) as store:
        while True:
            rounds += 1
            sent = push_work(store, url, actor=name).packs_stored
            got = len(pull(store, url, actor=name).merged)
            pushed, pulled = pushed + sent, pulled + got
            held = store.scalar("SELECT count(*) FROM audits")
            if held >= expected and sent == 0:
                break
            if sent == 0 and got == 0:
                time.sleep(0.2)  # the others are still pushing
    return {
        "seconds": time.perf_counter() - started,
        "pushed": pushed,
        "pulled": pulled,
        "rounds": rounds,
    }


def contents(path: str) -> tuple[int, int, frozenset[str]]:
    with Store.open(path, readonly=True) as store:
        rows = store.query("SELECT uid FROM audits")
        return len(rows), len({r["uid"] for r in rows}), frozenset(r["uid"] for r in rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--laptops", type=int, default=20)
    parser.add_argument("--audits", type=int, default=200, help="audits on each laptop")
    parser.add_argument("--hub", metavar="URL", help="an empty database to make the hub in")
    args = parser.parse_args()
    server = None
    with tempfile.TemporaryDirectory() as folder:
        url = args.hub
        if url is None:
            out = subprocess.run([str(ROOT / "scripts/hub-test-server"), "start"], check=True,
                                 capture_output=True, text=True).stdout  # fmt: skip
            server = out.strip()
            url = f"host={server} dbname=postgres user=postgres"
        try:
            with connect(url) as conn:
                init_hub(conn)
            paths = [str(Path(folder) / f"laptop-{n}.db") for n in range(args.laptops)]
            ctx = multiprocessing.get_context("spawn")
            with ctx.Pool(args.laptops) as pool:
                t = time.perf_counter()
                pool.starmap(build, [(p, args.audits, n + 1) for n, p in enumerate(paths)])
                print(f"built {args.laptops} laptops x {args.audits} audits in "
                      f"{time.perf_counter() - t:.1f} s")  # fmt: skip
                own = [contents(p)[2] for p in paths]
                expected = len(frozenset().union(*own))
                t = time.perf_counter()
                results = pool.starmap(
                    sync_until_whole,
                    [(p, url, expected, f"Laptop {n}") for n, p in enumerate(paths)],
                )
                converged = time.perf_counter() - t
            after = [contents(p) for p in paths]
        finally:
            if server:
                subprocess.run([str(ROOT / "scripts/hub-test-server"), "stop", server], check=False)
                shutil.rmtree(server, ignore_errors=True)
    everything = frozenset().union(*own)
    duplicated = sum(rows - distinct for rows, distinct, _ in after)
    lost = sum(len(everything - uids) for _, _, uids in after)
    same = len({uids for _, _, uids in after}) == 1
    print(f"time to convergence: {converged:.1f} s ({args.laptops} laptops pushing and pulling "
          "at once)")  # fmt: skip
    rounds = [r["rounds"] for r in results]
    print(f"packs pushed: {sum(r['pushed'] for r in results):.0f}; packs merged: "
          f"{sum(r['pulled'] for r in results):.0f}; sync rounds per laptop: "
          f"{min(rounds):.0f}-{max(rounds):.0f}")  # fmt: skip
    print(f"slowest laptop: {max(r['seconds'] for r in results):.1f} s")
    print(f"audits: {len(everything)} in all; every database holds the same audits: {same}; "
          f"duplicated: {duplicated}; lost: {lost}")  # fmt: skip
    if not same or duplicated or lost:
        sys.exit(1)


if __name__ == "__main__":
    main()
