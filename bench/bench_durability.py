"""Benchmark: does every acknowledged answer survive? Three faults, each run N times.

Run: python bench/bench_durability.py [--runs N] [--rows R]

- kill: a process answers criteria one after another and prints each answer once
  ``record_answer`` has returned; it is killed with SIGKILL at a random moment.
- busy: answers are saved while ``case-auditor cases import`` of an R-row case list runs in
  another process on the same database.
- lock loss: the database file is opened and closed by plain I/O in the saving process (as a
  file dialog does), then the report's child process exports the workbook and the command
  line's ``init`` opens and closes the database; answers are saved after each.

For each fault it prints runs, saves acknowledged (``record_answer`` returned), the criteria
whose newest acknowledged answer must be on disk, how many of them are on disk afterwards (read by a
fresh process while the saving one still has the database open, i.e. what a crash at that
moment would leave) and saves refused (answers, and in the busy run the import itself).
Every acknowledged answer must be on disk and nothing refused.
"""

from __future__ import annotations

import argparse
import csv
import multiprocessing
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from auditor.audits.records import get_audit, record_answer, start_audit  # noqa: E402
from auditor.cases.records import add_case  # noqa: E402
from auditor.errors import StoreError  # noqa: E402
from auditor.frameworks.library import ensure_builtin_frameworks  # noqa: E402
from auditor.reports.workbook import export_report_from  # noqa: E402
from auditor.store import Store  # noqa: E402

ACTOR = "Bench Auditor"
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}

ANSWERING = textwrap.dedent("""
    import sys
    from auditor.audits.records import get_audit, record_answer, start_audit
    from auditor.cases.records import add_case
    from auditor.frameworks.library import ensure_builtin_frameworks
    from auditor.store import Store

    store = Store.open(sys.argv[1])
    ensure_builtin_frameworks(store)
    case = add_case(store, actor="Bench", reference="BENCH-KILL-1", case_type="child_in_need")
    uid = start_audit(store, case_uid=case.uid, auditor="Bench", framework_code="IN-CFA")
    print(uid, flush=True)
    codes = [c.code for c in get_audit(store, uid).criteria]
    n = 0
    while True:
        code = codes[n % len(codes)]
        record_answer(store, uid, code, value="no", evidence=f"e{n}", actor="Bench")
        print(code, f"e{n}", flush=True)   # acknowledged: record_answer has returned
        n += 1
""")


@dataclass
class Tally:
    runs: int = 0
    saves: int = 0  # record_answer calls that returned (every one acknowledged)
    acknowledged: int = 0  # criteria whose newest acknowledged answer must be on disk
    on_disk: int = 0
    refused: int = 0

    def add(
        self, acknowledged: dict[str, str], on_disk: dict[str, str], refused: int, saves: int
    ) -> None:
        self.runs += 1
        self.saves += saves
        self.acknowledged += len(acknowledged)
        self.on_disk += sum(1 for k, v in acknowledged.items() if _kept(v, on_disk.get(k)))
        self.refused += refused


def _kept(acknowledged: str, on_disk: str | None) -> bool:
    """The acknowledged answer, or a later one to the same criterion: a process killed after
    its commit but before it said so has saved more than it acknowledged, never less."""
    if on_disk is None:
        return False
    if acknowledged == on_disk:
        return True
    return acknowledged[0] == on_disk[0] == "e" and int(on_disk[1:]) > int(acknowledged[1:])


def answers_on_disk(db: Path, audit_uid: str) -> dict[str, str]:
    """The answers as a fresh process sees them."""
    code = (
        "import sqlite3, sys\n"
        "c = sqlite3.connect(sys.argv[1])\n"
        "for k, v in c.execute('SELECT an.criterion_code, an.evidence FROM answers an JOIN "
        "audits a ON a.id = an.audit_id WHERE a.uid = ?', [sys.argv[2]]):\n"
        "    print(k, v)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(db), audit_uid], capture_output=True, text=True
    ).stdout
    return dict(line.split(" ", 1) for line in out.splitlines())


def a_draft(store: Store, reference: str) -> tuple[str, list[str]]:
    case = add_case(store, actor=ACTOR, reference=reference, case_type="child_in_need")
    uid = start_audit(store, case_uid=case.uid, auditor=ACTOR, framework_code="IN-CFA")
    return uid, [c.code for c in get_audit(store, uid).criteria]


Run = tuple[dict[str, str], dict[str, str], int, int]  # acknowledged, on disk, refused, saves


def kill_run(folder: Path, rng: random.Random) -> Run:
    db = folder / "kill.db"
    proc = subprocess.Popen(
        [sys.executable, "-c", ANSWERING, str(db)],
        cwd=ROOT,
        env=ENV,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    uid = proc.stdout.readline().strip()
    time.sleep(rng.uniform(0.05, 0.4))
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    acknowledged: dict[str, str] = {}
    saves = 0
    for line in proc.stdout.read().splitlines():
        if " " in line:
            code, evidence = line.split(" ", 1)
            acknowledged[code] = evidence
            saves += 1
    proc.stdout.close()
    return acknowledged, answers_on_disk(db, uid), 0, saves


def busy_run(folder: Path, rows: int) -> Run:
    db = folder / "busy.db"
    with Store.open(db) as store:
        ensure_builtin_frameworks(store)
        uid, codes = a_draft(store, "BENCH-BUSY-1")
        case_list = folder / "cases.csv"
        with case_list.open("w", newline="", encoding="utf-8") as f:
            out = csv.writer(f)
            out.writerow(["Case Ref", "Case Type", "Team", "Referral Date"])
            out.writerows(
                [f"FAKE-{i:06d}", "CIN", f"Demo Team {i % 7}", "2026-01-05"]
                for i in range(1, rows + 1)
            )
        importer = subprocess.Popen(
            [sys.executable, "-m", "ui.launcher", "cases", "import", str(case_list),
             "--db", str(db), "--actor", "Bench Importer"],
            cwd=ROOT, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        acknowledged, refused, n, saves = {}, 0, 0, 0
        while importer.poll() is None or n < 10:
            code = codes[n % len(codes)]
            try:
                record_answer(store, uid, code, value="no", evidence=f"b{n}", actor=ACTOR)
                acknowledged[code] = f"b{n}"
                saves += 1
            except StoreError:
                refused += 1
            n += 1
        if importer.wait() != 0:
            refused += 1  # the import itself was refused "busy"
        on_disk = answers_on_disk(db, uid)
    return acknowledged, on_disk, refused, saves


def lock_loss_run(folder: Path) -> Run:
    db = folder / "lock.db"
    with Store.open(db) as store:
        ensure_builtin_frameworks(store)
        uid, codes = a_draft(store, "BENCH-LOCK-1")
        acknowledged: dict[str, str] = {}
        saves: list[str] = []

        def answer(tag: str) -> None:
            for code in codes[:5]:
                record_answer(store, uid, code, value="no", evidence=tag, actor=ACTOR)
                acknowledged[code] = tag
                saves.append(code)

        answer("before")
        with open(db, "rb") as f:  # what a file dialog does: drops this process's locks
            f.read(16)
        with multiprocessing.get_context("spawn").Pool(1) as pool:
            pool.apply(export_report_from, (db, folder / "report.xlsx"))
        answer("after the report")
        with open(db, "rb") as f:
            f.read(16)
        subprocess.run(
            [sys.executable, "-m", "ui.launcher", "init", "--db", str(db)],
            cwd=ROOT, env=ENV, capture_output=True, check=True,
        )  # fmt: skip
        answer("after init")
        # Read while the saving process still has the database open: what a crash now would
        # leave (on a clean close SQLite would still fold a deleted WAL back in).
        on_disk = answers_on_disk(db, uid)
    return acknowledged, on_disk, 0, len(saves)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="runs of each fault (10)")
    parser.add_argument("--rows", type=int, default=50_000, help="rows of the busy import")
    args = parser.parse_args()
    rng = random.Random(1)
    print(f"SQLite {sqlite3.sqlite_version}, {args.runs} runs of each fault")
    print(
        f"{'fault':<10} {'runs':>5} {'saves':>6} {'acknowledged':>13} {'on disk':>8} {'refused':>8}"
    )
    for name, run in (
        ("kill", lambda d: kill_run(d, rng)),
        ("busy", lambda d: busy_run(d, args.rows)),
        ("lock loss", lock_loss_run),
    ):
        tally = Tally()
        for _ in range(args.runs):
            with tempfile.TemporaryDirectory() as tmp:
                tally.add(*run(Path(tmp)))
        lost = tally.acknowledged - tally.on_disk
        print(
            f"{name:<10} {tally.runs:>5} {tally.saves:>6} {tally.acknowledged:>13} "
            f"{tally.on_disk:>8} {tally.refused:>8}" + (f"   LOST {lost}" if lost else "")
        )


if __name__ == "__main__":
    main()
