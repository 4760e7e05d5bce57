"""One answer saved (``record_answer``): its latency against a bare insert + commit.

Both on the same generated database (WAL, ``synchronous=FULL`` as the app opens it), one
transaction each: the answer with its trail rows and the audit's suggested grade, the
bare one a single-row insert. Wall time per save (a person waits for it), median and p99.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from bench.measures.common import Row, generated_db


def measure(scale: float, workdir: Path) -> list[Row]:
    from auditor.audits.records import get_audit, record_answer
    from auditor.store import Store

    saves = max(500, int(5_000 * scale))
    path = generated_db(workdir / "record_answer.db", audits=200)
    with Store.open(path) as store:
        uid, auditor = store.execute(
            "SELECT uid, auditor FROM audits WHERE status = 'draft' LIMIT 1"
        ).fetchone()
        criteria = get_audit(store, uid).criteria[:10]
        statements: list[str] = []
        store.conn.set_trace_callback(statements.append)
        first = criteria[0]
        record_answer(store, uid, first.code, actor=auditor, value=first.scale.values[-1].code)
        store.conn.set_trace_callback(None)
        ours = []
        for i in range(saves):
            criterion = criteria[i % len(criteria)]
            value = criterion.scale.values[i % len(criterion.scale.values)].code
            started = time.perf_counter()
            record_answer(store, uid, criterion.code, actor=auditor, value=value, evidence=f"e{i}")
            ours.append(time.perf_counter() - started)
        conn = store.conn
        conn.execute("CREATE TABLE bench_bare (id INTEGER PRIMARY KEY, value TEXT)")
        bare = []
        for i in range(saves):
            started = time.perf_counter()
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO bench_bare (value) VALUES (?)", [f"e{i}"])
            conn.execute("COMMIT")
            bare.append(time.perf_counter() - started)
    median, p99 = _ms(statistics.median(ours)), _ms(_p99(ours))
    bare_median, bare_p99 = _ms(statistics.median(bare)), _ms(_p99(bare))
    return [
        Row(
            "record_answer: median",
            f"{median:.2f} ms",
            f"{bare_median:.2f} ms",
            median / bare_median,
            "≤ 0.3 ms",
            median <= 0.3,
            f"{len(statements)} statements, {saves:,} saves",
        ),
        Row(
            "record_answer: p99",
            f"{p99:.2f} ms",
            f"{bare_p99:.2f} ms",
            p99 / bare_p99,
            "≤ 2 ms",
            p99 <= 2.0,
        ),
    ]


def _p99(times: list[float]) -> float:
    return sorted(times)[int(len(times) * 0.99)]


def _ms(seconds: float) -> float:
    return seconds * 1000
