"""Trail rows sealed into compressed blocks: a year's trail in megabytes, not hundreds.

The newest rows of this database's own chain are kept as they were written, one to a row of
``trail`` (a save appends there). When they fill a block (``BLOCK_ROWS`` rows, seqs aligned
to a multiple of it), they are sealed: written as one compressed row of ``trail_blocks`` and
removed from ``trail``, whose delete trigger lets a row go only once a block holds its seq.
Rows of other databases' chains (audit packs) are sealed as they are merged.

A block keeps everything its rows hash, each column as one JSON list, compressed. It does
not keep each row's hash, 64 characters that do not compress and were two thirds of a row:
a row's hash is worked out again from its fields and the hash before it (the chain). The
block keeps the first 4 bytes of each row's hash, which say which row was changed, and its
last row's hash whole. Nor does it keep a row's uid when the uid is the one its (origin,
seq) gives (:func:`auditor.store.trail_hash.derived_uid`: every row written since schema
14), nor a row's ``prev_hash`` when it is the hash of the row before it in the block.

Two small tables find rows without opening every block: ``trail_block_runs``, the runs of
seqs each block holds, by chain; and ``trail_block_keys``, what each block has rows about (an
audit's uid for rows about an audit, its answers, actions and moderation; a record's own uid
for rows about no audit). ``verify`` checks both against the blocks (:func:`chain`).
"""

from __future__ import annotations

import heapq
import json
import zlib
from bisect import bisect_right
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import accumulate, count
from typing import Any

from auditor.errors import StoreError
from auditor.store.db import Store
from auditor.store.trail_hash import derived_uid, hash_values

BLOCK_ROWS = 1024  # rows a block holds: reading one row about an audit opens one block
_CHECK = 8  # hex digits of each row's hash a block keeps (4 bytes)
# The columns a block keeps, in the order of a row (trail_hash.COLUMNS) less its origin,
# which the block names once, and its hash.
_KEPT = (
    "seq", "uid", "at", "actor", "entity", "entity_uid", "audit_uid", "field",
    "old_value", "new_value", "reason", "prev_hash",
)  # fmt: skip
# zlib's level for a block: measured on a merged pack's block of 1,024 rows here, 4 takes
# 1.4 ms and 17.4 KB, 6 (zlib's default) 2.3 ms and 17.0 KB, 3 0.9 ms and 19.1 KB. Every
# save that fills a block, every import and every merge pays it; any level reads back.
_LEVEL = 4
_BLOCK = "id, origin, first_seq, last_seq, rows, hash, data, checks"

Row = tuple[Any, ...]  # a trail row in the order of trail_hash.COLUMNS


def key_of(row: Sequence[Any]) -> str:
    """What a row is found by: its audit, or the record it is about when it is about none."""
    return str(row[7] if row[7] is not None else row[6])


# ---------------------------------------------------------------------------------------
# Sealing


def seal(store: Store, origin: str, rows: Sequence[Row]) -> None:
    """Write ``rows`` of ``origin``'s chain (sorted by seq, each with its prev_hash and hash)
    as blocks of at most ``BLOCK_ROWS``. Call inside the writing transaction."""
    for start in range(0, len(rows), BLOCK_ROWS):
        _write_block(store, origin, rows[start : start + BLOCK_ROWS])


def seal_aligned(
    store: Store, origin: str, rows: Sequence[Row], *, derived_from: int | None = None
) -> None:
    """Seal rows of a chain written here, one block for each ``BLOCK_ROWS`` seqs (1–1024,
    1025–2048…), so that which rows are sealed follows from the chain's head alone. The
    rows from seq ``derived_from`` on were just made, with the uid their seq gives."""
    start = 0
    while start < len(rows):
        block = (rows[start][2] - 1) // BLOCK_ROWS
        end = start
        while end < len(rows) and (rows[end][2] - 1) // BLOCK_ROWS == block:
            end += 1
        _write_block(store, origin, rows[start:end], derived_from)
        start = end


def _write_block(
    store: Store, origin: str, rows: Sequence[Row], derived_from: int | None = None
) -> None:
    columns = list(zip(*rows, strict=True))  # the rows' fields a column at a time
    seqs = columns[2]
    after = derived_from if derived_from is not None else seqs[-1] + 1
    kept: dict[str, list[Any]] = {
        "seq": [b - a for a, b in zip((0, *seqs), seqs, strict=False)],
        # None where the uid is the one its seq gives (every row since schema 14).
        "uid": [
            None if seq >= after or uid == derived_uid(origin, seq) else uid
            for uid, seq in zip(columns[0], seqs, strict=True)
        ],
        **{name: list(columns[i]) for i, name in enumerate(_KEPT[2:11], start=3)},
        # None where the row follows the one before it in the block (all but the first,
        # when the block's seqs run on: those from packs may not).
        "prev_hash": [
            None if seq == last_seq + 1 and prev == last_hash else prev
            for seq, prev, last_seq, last_hash in zip(
                seqs, columns[12], (0, *seqs), (None, *columns[13]), strict=False
            )
        ],
    }
    text = json.dumps(kept, ensure_ascii=False, separators=(",", ":"))
    conn = store.conn
    block_id = conn.execute(
        "INSERT INTO trail_blocks (origin, first_seq, last_seq, rows, hash, data, checks) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            origin,
            rows[0][2],
            rows[-1][2],
            len(rows),
            rows[-1][13],
            zlib.compress(text.encode("utf-8"), _LEVEL),
            _checks(columns[13]),
        ],
    ).lastrowid
    conn.executemany(
        "INSERT INTO trail_block_runs (origin, first_seq, last_seq, block_id) VALUES (?, ?, ?, ?)",
        [(origin, first, last, block_id) for first, last in _runs(r[2] for r in rows)],
    )
    conn.executemany(
        "INSERT INTO trail_block_keys (key, block_id) VALUES (?, ?)",
        [(key, block_id) for key in sorted({key_of(r) for r in rows})],
    )


def _checks(hashes: Sequence[Any]) -> bytes:
    """The part of each row's hash a block keeps, in the rows' order."""
    try:
        checks = bytes.fromhex("".join(h[:_CHECK] for h in hashes))
        if len(checks) == len(hashes) * _CHECK // 2:
            return checks
    except (ValueError, TypeError):
        pass
    return b"".join(map(_check, hashes))


def _check(hash_: Any) -> bytes:
    """The part of a row's hash a block keeps. A hash that is not hex (a row edited outside
    the app before it was sealed) keeps zeros, which no row's hash starts with here."""
    try:
        return bytes.fromhex(str(hash_)[:_CHECK]).ljust(_CHECK // 2, b"\0")
    except ValueError:
        return bytes(_CHECK // 2)


def _runs(seqs: Iterable[int]) -> list[tuple[int, int]]:
    """The runs of consecutive seqs in ``seqs`` (ascending), as (first, last)."""
    runs: list[tuple[int, int]] = []
    for seq in seqs:
        if runs and seq == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], seq)
        else:
            runs.append((seq, seq))
    return runs


# ---------------------------------------------------------------------------------------
# Opening blocks


class DamagedBlock(StoreError):
    """A block that cannot be opened: its data was changed outside the app."""


class _Block:
    """A block as read: its rows (lists in the order of COLUMNS; uid, prev_hash and hash
    only where :meth:`hash` has worked them out) and what it says about them."""

    def __init__(self, stored: Sequence[Any]) -> None:
        self.id, self.origin, self.first_seq, self.last_seq, self.count = stored[:5]
        self.last_hash, data = stored[5], stored[6]
        origin = self.origin
        try:
            self.checks = bytes(stored[7]).hex()
            kept = json.loads(zlib.decompress(data))
            seqs = list(accumulate(kept["seq"]))
            # A uid the block does not keep is worked out when the row is hashed (hash()):
            # the checks of the records against the trail read 700,000 rows without one.
            self.rows: list[list[Any]] = [
                [uid, origin, seq, *fields, prev, None]
                for uid, seq, prev, *fields in zip(
                    kept["uid"], seqs, kept["prev_hash"], *(kept[n] for n in _KEPT[2:11]),
                    strict=True,
                )
            ]  # fmt: skip
        except (zlib.error, ValueError, KeyError, TypeError) as exc:
            raise DamagedBlock(
                f"audit trail ({str(origin)[:8]}…) sealed rows {self.first_seq}–"
                f"{self.last_seq}: the block cannot be read, it was changed outside Case "
                "Auditor. Restore the database from a backup."
            ) from exc
        self._hashed = 0

    def hash(self, upto: int | None = None) -> list[bool]:
        """Work out the prev_hash and hash of the first ``upto`` rows (all by default), and
        whether each is the row that was sealed (its hash begins as the block says; the last
        row's is the block's whole)."""
        rows, checks = self.rows, self.checks
        upto = len(rows) if upto is None else upto
        prev = rows[self._hashed - 1][13] if self._hashed else None
        intact: list[bool] = []
        origin = self.origin
        for i in range(self._hashed, upto):
            row = rows[i]
            if row[0] is None:
                row[0] = derived_uid(origin, row[2])
            if row[12] is None:
                row[12] = prev
            prev = row[13] = hash_values(row[:13])
            intact.append(prev[:_CHECK] == checks[i * _CHECK : (i + 1) * _CHECK])
        self._hashed = max(self._hashed, upto)
        if intact and upto == len(rows) and rows[-1][13] != self.last_hash:
            intact[-1] = False
        return intact

    def index_problems(self, runs: list[tuple[int, int]], keys: set[str]) -> list[str]:
        """How the block's stored header and its entries in the two finding tables differ
        from its rows."""
        seqs = [row[2] for row in self.rows]
        where = f"audit trail ({self.origin[:8]}…) sealed rows {self.first_seq}–{self.last_seq}"
        if (seqs[:1] + seqs[-1:], len(seqs)) != ([self.first_seq, self.last_seq], self.count):
            return [f"{where}: the block's rows are not those its header names"]
        if _runs(seqs) != runs or {key_of(r) for r in self.rows} != keys:
            return [f"{where}: the index that finds them was changed (they could be missed)"]
        return []


def _blocks(store: Store, where: str, params: Sequence[Any]) -> Iterator[_Block]:
    for stored in store.conn.execute(f"SELECT {_BLOCK} FROM trail_blocks WHERE {where}", params):
        yield _Block(stored)


_IN = "IN (SELECT value FROM json_each(?))"


# ---------------------------------------------------------------------------------------
# Reading sealed rows


def about(
    store: Store, audits: Collection[str], unaudited: Collection[str], *, hashes: bool
) -> list[Row]:
    """The sealed rows about the audits ``audits`` (rows with that audit_uid) and about
    the records ``unaudited`` (rows about no audit with that entity_uid); with their uid,
    prev_hash and hash worked out when ``hashes``."""
    keys = json.dumps(sorted({*audits, *unaudited}))
    ids = [
        i for (i,) in store.conn.execute(
            f"SELECT DISTINCT block_id FROM trail_block_keys WHERE key {_IN}", [keys]
        )
    ]  # fmt: skip
    found: list[Row] = []
    for block in _blocks(store, f"id {_IN} ORDER BY id", [json.dumps(ids)]):
        picked = [
            i
            for i, row in enumerate(block.rows)
            if (row[7] in audits if row[7] is not None else row[6] in unaudited)
        ]
        if hashes and picked:
            block.hash(picked[-1] + 1)
        found += [tuple(block.rows[i]) for i in picked]
    return found


def at_seqs(store: Store, origin: str, seqs: Iterable[int]) -> dict[int, Row]:
    """The sealed rows of ``origin``'s chain at ``seqs``, hashed, by seq."""
    wanted = sorted(set(seqs))
    if not wanted:
        return {}
    runs = store.conn.execute(
        "SELECT first_seq, last_seq, block_id FROM trail_block_runs "
        "WHERE origin = ? AND first_seq <= ? AND last_seq >= ? ORDER BY first_seq",
        [origin, wanted[-1], wanted[0]],
    ).fetchall()
    starts = [first for first, _, _ in runs]
    ids = set()
    for seq in wanted:
        i = bisect_right(starts, seq) - 1
        if i >= 0 and runs[i][1] >= seq:
            ids.add(runs[i][2])
    found: dict[int, Row] = {}
    wanted_set = set(wanted)
    for block in _blocks(store, f"id {_IN}", [json.dumps(sorted(ids))]):
        block.hash()
        found.update((row[2], tuple(row)) for row in block.rows if row[2] in wanted_set)
    return found


def seqs_between(store: Store, origin: str, first: int, last: int) -> list[int]:
    """The seqs of ``origin``'s chain from ``first`` to ``last`` that blocks hold."""
    runs = store.conn.execute(
        "SELECT first_seq, last_seq FROM trail_block_runs "
        "WHERE origin = ? AND first_seq <= ? AND last_seq >= ? ORDER BY first_seq",
        [origin, last, first],
    )
    return [s for a, b in runs for s in range(max(a, first), min(b, last) + 1)]


def chain(store: Store, origin: str, problems: list[str]) -> Iterator[tuple[Row, bool]]:
    """Every sealed row of ``origin``'s chain in order of seq, hashed, with whether it is
    the row that was sealed. Adds to ``problems`` where a block cannot be read or its
    header or its entries in the finding tables do not match its rows.

    Blocks of a chain merged from packs can overlap in seqs (a later pack fills a gap):
    those are merged row by row, opening a block only when its first seq is next, so few
    are open at once. This database's own blocks never overlap and are read one by one."""
    conn = store.conn
    keys: dict[int, set[str]] = {}  # what each of the chain's blocks is found by
    for block_id, key in conn.execute(
        "SELECT k.block_id, k.key FROM trail_block_keys k "
        "JOIN trail_blocks b ON b.id = k.block_id WHERE b.origin = ?",
        [origin],
    ):
        keys.setdefault(block_id, set()).add(key)
    found = _Found(store, keys, problems)
    stored = conn.execute(
        f"SELECT {_BLOCK} FROM trail_blocks WHERE origin = ? ORDER BY first_seq", [origin]
    )
    overlapping: list[Sequence[Any]] = []
    reach = 0
    for block in stored:
        if overlapping and block[2] > reach:
            yield from _merged(found, overlapping)
            overlapping = []
        overlapping.append(block)
        reach = max(reach, block[3])
    yield from _merged(found, overlapping)


@dataclass
class _Found:
    """What checking a chain's blocks against their finding tables needs."""

    store: Store
    keys: dict[int, set[str]]
    problems: list[str]


def _merged(found: _Found, stored: Sequence[Sequence[Any]]) -> Iterator[tuple[Row, bool]]:
    """The rows of blocks ``stored`` (by first seq) in order of seq, with intact flags."""
    if len(stored) == 1:
        yield from _opened(found, stored[0])
        return
    tie = count()
    pending: list[tuple[int, int, tuple[Row, bool], Iterator[tuple[Row, bool]]]] = []
    upcoming = iter(stored)
    following_block = next(upcoming, None)
    while pending or following_block is not None:
        while following_block is not None and (not pending or following_block[2] <= pending[0][0]):
            rows = _opened(found, following_block)
            first = next(rows, None)
            if first is not None:
                heapq.heappush(pending, (first[0][2], next(tie), first, rows))
            following_block = next(upcoming, None)
        if not pending:
            break
        _, _, item, rows = heapq.heappop(pending)
        yield item
        after = next(rows, None)
        if after is not None:
            heapq.heappush(pending, (after[0][2], next(tie), after, rows))


def _opened(found: _Found, stored: Sequence[Any]) -> Iterator[tuple[Row, bool]]:
    """One block's rows, hashed, with intact flags; its problems added to the found's."""
    try:
        block = _Block(stored)
    except DamagedBlock as exc:
        found.problems.append(str(exc))
        return
    runs = found.store.conn.execute(
        "SELECT first_seq, last_seq FROM trail_block_runs WHERE origin = ? "
        "AND first_seq BETWEEN ? AND ? AND block_id = ? ORDER BY first_seq",
        [block.origin, block.first_seq, block.last_seq, block.id],
    ).fetchall()
    found.problems += block.index_problems(
        [tuple(r) for r in runs], found.keys.get(block.id, set())
    )
    yield from zip(map(tuple, block.rows), block.hash(), strict=True)


def orphan_problems(store: Store) -> list[str]:
    """Entries of the finding tables that name no block."""
    orphans = store.scalar(
        "SELECT (SELECT COUNT(*) FROM trail_block_runs WHERE block_id NOT IN "
        "(SELECT id FROM trail_blocks)) + (SELECT COUNT(*) FROM trail_block_keys "
        "WHERE block_id NOT IN (SELECT id FROM trail_blocks))"
    )
    if orphans:
        return [f"the index of the sealed audit trail names {orphans} blocks it does not hold"]
    return []


def blocks_in_order(store: Store) -> Iterator[tuple[int, list[Row]]]:
    """Every block's id and rows, in the order the blocks were sealed; unhashed: a uid and
    prev_hash only where the block keeps them, no hash."""
    for block in _blocks(store, "1 ORDER BY id", []):
        yield block.id, [tuple(row) for row in block.rows]


def origins(store: Store) -> set[str]:
    return {o for (o,) in store.conn.execute("SELECT DISTINCT origin FROM trail_blocks")}


def sealed_count(store: Store) -> int:
    return int(store.scalar("SELECT COALESCE(SUM(rows), 0) FROM trail_blocks"))
