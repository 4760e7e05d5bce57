"""The database's size for 10,000 audits (the demo's builder), and where the bytes go.

No bare-library figure: the goal is absolute (≤ 120 MB at full size, scaled with the
run). The note names the biggest tables and indexes (SQLite's ``dbstat``, when built in).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bench.measures.common import Row, generated_db


def measure(scale: float, workdir: Path) -> list[Row]:
    audits = int(10_000 * scale)
    path = generated_db(workdir / "size.db", audits=audits)
    size = path.stat().st_size / 1e6
    goal = 120 * scale
    return [
        Row(
            f"database size, {audits:,} audits",
            f"{size:.1f} MB",
            "–",
            None,
            f"≤ {goal:g} MB",
            size <= goal,
            _largest(path),
        )
    ]


def _largest(path: Path) -> str:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            "SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC LIMIT 4"
        ).fetchall()
    except sqlite3.Error:
        return ""
    finally:
        conn.close()
    return "; ".join(f"{name} {size / 1e6:.0f} MB" for name, size in rows)
