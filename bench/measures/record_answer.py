"""One answer saved (``record_answer``): its latency against a bare insert + commit.

Both on the same generated database (WAL, ``synchronous=FULL`` as the app opens it), one
transaction each: the answer with its trail rows and the audit's suggested grade, the
bare one a single-row insert. Wall time per save (a person waits for it), median and p99.
The note gives the floor: the same rows written by hand in plain sqlite3, as many saves,
from the same state of the write-ahead log (emptied before each run).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import statistics
import time
import uuid
from datetime import UTC, datetime
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
        conn = store.conn
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        by_hand = _by_hand(conn, uid, [c.code for c in criteria], saves)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        ours = []
        for i in range(saves):
            criterion = criteria[i % len(criteria)]
            value = criterion.scale.values[i % len(criterion.scale.values)].code
            started = time.perf_counter()
            record_answer(store, uid, criterion.code, actor=auditor, value=value, evidence=f"e{i}")
            ours.append(time.perf_counter() - started)
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
            f"{len(statements)} statements (as SQLite's trace counts them: each trigger's "
            f"statements too), {saves:,} saves; the same rows written by hand "
            f"in plain sqlite3 (no checks, no grade worked out): "
            f"{_ms(statistics.median(by_hand)):.2f} ms",
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


def _by_hand(conn: sqlite3.Connection, uid: str, codes: list[str], saves: int) -> list[float]:
    """Each save's times for the least a save that keeps its trail must write, in plain
    sqlite3: read the audit and its answers, change the answer, append its two trail rows
    (hashed, after the chain's head), move the head, and set the audit's revision, grade and
    text of answers (left unknown here), in one transaction. The floor under record_answer on
    this machine. The rows are the bench's own: its trail is not verified afterwards."""
    (audit_id,) = conn.execute("SELECT id FROM audits WHERE uid = ?", [uid]).fetchone()
    (origin,) = conn.execute("SELECT value FROM meta WHERE key = 'origin_id'").fetchone()
    times = []
    for i in range(saves):
        code, value, evidence = codes[i % len(codes)], ("yes", "no")[i % 2], f"h{i}"
        started = time.perf_counter()
        now = datetime.now(UTC).isoformat()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("SELECT * FROM audits WHERE uid = ?", [uid]).fetchone()
        answers = conn.execute(
            "SELECT criterion_code, uid FROM answers WHERE audit_id = ?", [audit_id]
        ).fetchall()
        conn.execute(
            "UPDATE answers SET value = ?, evidence = ?, updated_by = 'Bench', updated_at = ? "
            "WHERE audit_id = ? AND criterion_code = ?",
            [value, evidence, now, audit_id, code],
        )
        seq, prev = conn.execute(
            "SELECT seq, hash FROM trail_heads WHERE origin = ?", [origin]
        ).fetchone()
        rows = []
        for field, new in ((f"{code}.value", value), (f"{code}.evidence", evidence)):
            seq += 1
            row = [str(uuid.uuid4()), origin, seq, now, "Bench", "answer", answers[0][1], uid,
                   field, None, new, "", prev]  # fmt: skip
            prev = hashlib.sha256(json.dumps(row, separators=(",", ":")).encode()).hexdigest()
            rows.append((*row, prev))
        conn.executemany(
            "INSERT INTO trail (uid, origin, seq, at, actor, entity, entity_uid, audit_uid, "
            "field, old_value, new_value, reason, prev_hash, hash) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        conn.execute(
            "UPDATE trail_heads SET seq = ?, hash = ? WHERE origin = ?", [seq, prev, origin]
        )
        conn.execute(
            "UPDATE audits SET revision = revision + 1, updated_at = ?, suggested_grade = 'good', "
            "compliance = 80.0, answered = NULL WHERE id = ?",
            [now, audit_id],
        )
        conn.execute("COMMIT")
        times.append(time.perf_counter() - started)
    return times


def _p99(times: list[float]) -> float:
    return sorted(times)[int(len(times) * 0.99)]


def _ms(seconds: float) -> float:
    return seconds * 1000
