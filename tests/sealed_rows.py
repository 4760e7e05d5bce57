"""Editing sealed trail rows as someone with a database tool and a few lines of Python could:
open the block, change a field, compress it again and write it back with the trail's triggers
out of the way. What ``verify`` must still catch."""

from __future__ import annotations

import json
import sqlite3
import zlib
from typing import Any

from auditor.store.trail import APPEND_ONLY_TRIGGERS

_BLOCK_TRIGGERS = [name for name in APPEND_ONLY_TRIGGERS if name.startswith("trail_blocks")]


def edit_sealed_row(conn: sqlite3.Connection, origin: str, seq: int, **fields: Any) -> None:
    """Set ``fields`` (column names of a trail row) of sealed row ``seq`` of ``origin``."""
    block_id, data = conn.execute(
        "SELECT b.id, b.data FROM trail_blocks b JOIN trail_block_runs r ON r.block_id = b.id "
        "WHERE r.origin = ? AND r.first_seq <= ? AND r.last_seq >= ?",
        [origin, seq, seq],
    ).fetchone()
    kept = json.loads(zlib.decompress(data))
    seqs, total = [], 0
    for delta in kept["seq"]:
        total += delta
        seqs.append(total)
    at = seqs.index(seq)
    for name, value in fields.items():
        kept[name][at] = value
    for name in _BLOCK_TRIGGERS:
        conn.execute(f"DROP TRIGGER IF EXISTS {name}")
    conn.execute(
        "UPDATE trail_blocks SET data = ? WHERE id = ?",
        [zlib.compress(json.dumps(kept).encode()), block_id],
    )
    for name in _BLOCK_TRIGGERS:
        conn.execute(APPEND_ONLY_TRIGGERS[name])
