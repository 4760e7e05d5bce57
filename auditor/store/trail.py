"""The audit trail: who changed what, when, from what to what. Append-only, hash-chained.

Each row's hash covers its content and the previous row's hash *of the same origin*
(the database that wrote it). An edit or deletion made outside the app breaks a chain,
and :func:`verify_trail` names the first row where it breaks. Chains are per origin so
that trails merged from several laptops (audit packs) still verify, each chain intact.
This database's own chain may have no gaps (only rows of other databases are left out of
packs), and its newest row is noted outside the database (:mod:`auditor.store.anchor`).
With the chains intact, every audit, answer, action and case is checked against its trail
rows (:mod:`auditor.store.trailed`). :func:`trail_problems` is everything ``verify`` checks.

A chain's newest rows are kept as written in ``trail``; each full block of 1,024 is sealed,
compressed (:mod:`auditor.store.trail_blocks`). Every reader here reads both alike:
:func:`rows_about`, :func:`rows_at`, :func:`chain_rows`, :func:`history`.
"""

from __future__ import annotations

import heapq
import itertools
import json
import operator
import re
import weakref
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from auditor.clock import now_utc
from auditor.errors import StoreError, TrailForkError
from auditor.progress import Progress
from auditor.store import trail_blocks
from auditor.store.anchor import (
    HEAD_NOTE,
    Anchor,
    anchor_path,
    anchor_problems,
    read_anchor_file,
    write_anchor_file,
)
from auditor.store.db import Store
from auditor.store.schema import INITIAL_SCHEMA, SEALED_TRAIL
from auditor.store.trail_blocks import BLOCK_ROWS
from auditor.store.trail_hash import (
    COLUMNS,
    GENESIS,
    derived_uid,
    hash_values,
    row_hash,
)
from auditor.store.trailed import as_text, record_problems

__all__ = ["COLUMNS", "GENESIS", "Change", "row_hash"]  # the first two from trail_hash


@dataclass(frozen=True)
class Change:
    """One field of one entity changed, ready to be written to the trail."""

    entity: str  # audit, answer, action, case, programme, moderation, framework
    entity_uid: str
    field: str
    old_value: Any
    new_value: Any
    audit_uid: str | None = None
    reason: str = ""


def record(store: Store, changes: Iterable[Change], *, actor: str) -> int:
    """Append ``changes`` to this database's chain. Call inside the writing transaction.

    Returns the number of rows written. Changes whose old and new value are equal are skipped.
    """
    # Asked only while some batch is open: a lookup makes a weak reference to the store.
    batch = _batches.get(store) if _batches else None
    if batch is not None:
        added = batch.add(changes, actor)
        if len(batch.rows) >= _BATCH_ROWS:
            batch.write(store)
        return added
    if not store.conn.in_transaction:
        with store.atomic():
            return _record_now(store, changes, actor)
    # Inside the caller's transaction no savepoint of its own: a failure here fails the
    # caller's write, which rolls back whole (two statements fewer for every answer saved).
    return _record_now(store, changes, actor)


def _record_now(store: Store, changes: Iterable[Change], actor: str) -> int:
    head = store.conn.execute(
        "SELECT seq, hash FROM trail_heads WHERE origin = ?", [store.origin]
    ).fetchone()
    pending = _Rows(store.origin, *(head or (0, GENESIS)))
    added = pending.add(changes, actor)
    pending.write(store)
    return added


class _Rows:
    """Trail rows made and not yet written, following (seq, hash) of the chain's head."""

    def __init__(self, origin: str, seq: int, hash_: str) -> None:
        self.origin, self.seq, self.prev = origin, seq, hash_
        self.rows: list[tuple[Any, ...]] = []

    def add(self, changes: Iterable[Change], actor: str) -> int:
        """Make the rows of ``changes`` (those whose old and new value differ as text);
        all of them or, if one cannot be made, none. Returns how many were made."""
        changes = list(changes)
        origin, seq, prev, at = self.origin, self.seq, self.prev, now_utc()
        made: list[tuple[Any, ...]] = []
        append, digest = made.append, hash_values
        # One loop with its names bound locally: an import makes 50,000 rows in a call.
        for change in changes:
            old, new = change.old_value, change.new_value
            if type(old) is not str:  # as_text, asked only of what is not text already
                old = as_text(old)
            if type(new) is not str:
                new = as_text(new)
            if old == new:
                continue
            seq += 1
            row = (
                derived_uid(origin, seq), origin, seq, at, actor, change.entity, change.entity_uid,
                change.audit_uid, change.field, old, new, change.reason, prev,
            )  # fmt: skip
            prev = digest(row)
            append((*row, prev))
        self.rows += made
        self.seq, self.prev = seq, prev
        return len(made)

    def write(self, store: Store) -> None:
        if not self.rows:
            return
        rows, origin = self.rows, self.origin
        # The chain's rows up to the last multiple of BLOCK_ROWS are sealed; the rest stay
        # in ``trail`` as written. Most saves add a few rows there; one in a few hundred
        # fills a block, which is sealed with the rows written before it.
        sealed_to = self.seq // BLOCK_ROWS * BLOCK_ROWS
        if rows[0][2] <= sealed_to:
            earlier = store.conn.execute(
                f"SELECT {', '.join(COLUMNS)} FROM trail WHERE origin = ? AND seq <= ? "
                "ORDER BY seq",
                [origin, sealed_to],
            ).fetchall()
            trail_blocks.seal_aligned(
                store,
                origin,
                [*earlier, *(r for r in rows if r[2] <= sealed_to)],
                derived_from=rows[0][2],
            )
            if earlier:
                store.conn.execute(
                    "DELETE FROM trail WHERE origin = ? AND seq <= ?", [origin, sealed_to]
                )
            rows = [r for r in rows if r[2] > sealed_to]
        _insert_rows(store, rows)
        _set_head(store, origin, self.seq, self.prev)
        store.note(HEAD_NOTE, Anchor(origin, self.seq, self.prev))  # forgotten if undone
        store.after_commit(write_anchor_file)
        self.rows = []


_BATCH_ROWS = 10 * BLOCK_ROWS  # rows a batch holds in memory before writing them
_batches: weakref.WeakKeyDictionary[Store, _Rows] = weakref.WeakKeyDictionary()


@contextmanager
def batched(store: Store) -> Iterator[None]:
    """Inside, :func:`record` makes the rows and writes them all when the block ends: for a
    bulk writer making thousands of records in one transaction (the demo), with no
    partial rollback inside it. Use inside the transaction; nothing is written if the
    block fails."""
    if not store.conn.in_transaction or store in _batches:
        raise RuntimeError("batched() belongs inside one transaction, not nested")
    head = store.execute(
        "SELECT seq, hash FROM trail_heads WHERE origin = ?", [store.origin]
    ).fetchone()
    batch = _batches[store] = _Rows(store.origin, *(head or (0, GENESIS)))
    try:
        yield
    finally:
        del _batches[store]
    batch.write(store)


_INSERT_ROWS = (
    f"INSERT INTO trail ({', '.join(COLUMNS)}) VALUES ({', '.join('?' for _ in COLUMNS)})"
)


def _insert_rows(store: Store, rows: Sequence[Sequence[Any]]) -> None:
    """Rows as sequences in the order of ``COLUMNS``, into ``trail`` as written."""
    store.conn.executemany(_INSERT_ROWS, rows)


def _set_head(store: Store, origin: str, seq: int, hash_: str) -> None:
    store.execute(
        "INSERT INTO trail_heads (origin, seq, hash) VALUES (?, ?, ?) "
        "ON CONFLICT (origin) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
        [origin, seq, hash_],
    )


def history(store: Store, audit_uid: str) -> list[dict[str, Any]]:
    """Every trail row about one audit (its answers, actions, moderation), oldest first."""
    shown = ("at", "actor", "entity", "entity_uid", "field", "old_value", "new_value")
    rows = [
        {**{k: row[k] for k in shown}, "reason": row["reason"], "origin": row["origin"],
         "seq": row["seq"]}
        for row in rows_about(store, [audit_uid], (), hashes=False)
    ]  # fmt: skip
    rows.sort(key=operator.itemgetter("at", "origin", "seq"))
    for row in rows:
        del row["seq"]
    return rows


def rows_about(
    store: Store, audits: Sequence[str], unaudited: Sequence[str], *, hashes: bool = True
) -> list[dict[str, Any]]:
    """The trail rows about the audits ``audits`` (their answers, actions and moderation
    too) and about the records ``unaudited`` (cases, programmes…: rows about no audit), as
    dicts of COLUMNS in order of (origin, seq); a sealed row's uid, prev_hash and hash only
    with ``hashes``.
    Rows as written are found by index (trail_audit, trail_unaudited), sealed ones through
    the blocks that hold rows about them."""
    audit_uids, entity_uids = json.dumps(list(audits)), json.dumps(list(unaudited))
    found = store.conn.execute(
        f"SELECT {', '.join(COLUMNS)} FROM trail WHERE audit_uid {_IN} UNION ALL "
        f"SELECT {', '.join(COLUMNS)} FROM trail WHERE audit_uid IS NULL AND entity_uid {_IN}",
        [audit_uids, entity_uids],
    ).fetchall()
    found += trail_blocks.about(store, set(audits), set(unaudited), hashes=hashes)
    found.sort(key=operator.itemgetter(1, 2))
    return [dict(zip(COLUMNS, row, strict=True)) for row in found]


def rows_at(store: Store, origin: str, seqs: Iterable[int]) -> dict[int, tuple[Any, ...]]:
    """The rows of ``origin``'s chain held here at ``seqs`` (as written or sealed), by seq,
    each a tuple in the order of COLUMNS."""
    wanted = {int(s) for s in seqs}
    if not wanted:
        return {}
    # One range of the table, not a lookup per seq: rows as written are at most a block of
    # this database's newest, and a pack's tens of thousands of seqs are mostly not here.
    found = {
        row[2]: tuple(row)
        for row in store.conn.execute(
            f"SELECT {', '.join(COLUMNS)} FROM trail WHERE origin = ? AND seq BETWEEN ? AND ?",
            [origin, min(wanted), max(wanted)],
        )
        if row[2] in wanted
    }
    found.update(trail_blocks.at_seqs(store, origin, (s for s in wanted if s not in found)))
    return found


def chain_rows(store: Store, origin: str) -> list[dict[str, Any]]:
    """Every row of ``origin``'s chain held here, as written and sealed, in order of seq:
    dicts of COLUMNS."""
    return [dict(zip(COLUMNS, row, strict=True)) for row, _ in _chain(store, origin, [])]


def row_count(store: Store) -> int:
    """How many rows the trail holds, as written and sealed."""
    return int(store.scalar("SELECT COUNT(*) FROM trail")) + trail_blocks.sealed_count(store)


def seal_backlog(store: Store, progress: Progress | None = None) -> None:
    """Seal the rows a database made before rows were sealed holds (schema 14's upgrade,
    inside its transaction): every row of another database's chain, and this database's
    up to the last multiple of BLOCK_ROWS, the rest copied into ``trail`` as written. The
    old table (trail_before_sealing) is then dropped whole, which is quicker than removing
    700,000 rows one by one. Reports blocks on ``progress`` (of :func:`backlog_blocks`)."""
    own = store.meta("origin_id")
    conn = store.conn
    heads = dict(conn.execute("SELECT origin, seq FROM trail_heads").fetchall())
    total, done = backlog_blocks(store), 0
    columns = ", ".join(COLUMNS)
    for (origin,) in conn.execute("SELECT DISTINCT origin FROM trail_before_sealing").fetchall():
        # This database's own chain keeps its newest rows as written; another's is sealed.
        last = heads.get(origin, 0) // BLOCK_ROWS * BLOCK_ROWS if origin == own else 2**62
        cursor = conn.execute(
            f"SELECT {columns} FROM trail_before_sealing WHERE origin = ? AND seq <= ? "
            "ORDER BY seq",
            [origin, last],
        )
        while chunk := cursor.fetchmany(16 * BLOCK_ROWS):
            if origin == own:
                trail_blocks.seal_aligned(store, origin, chunk)
            else:
                trail_blocks.seal(store, origin, chunk)
            done += -(-len(chunk) // BLOCK_ROWS)
            if progress is not None:
                progress(min(done, total), total)
        conn.execute(
            f"INSERT INTO trail ({columns}) SELECT {columns} FROM trail_before_sealing "
            "WHERE origin = ? AND seq > ?",
            [origin, last],
        )
    conn.execute("DROP TABLE trail_before_sealing")


def backlog_blocks(store: Store) -> int:
    """About how many blocks :func:`seal_backlog` writes (for a progress bar): before the
    upgrade's SQL, from ``trail``; after it, from the old table it renamed."""
    for table in ("trail_before_sealing", "trail"):
        if store.scalar(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?", [table]
        ):
            return int(store.scalar(f"SELECT COUNT(*) FROM {table}")) // BLOCK_ROWS + 1
    return 0


def verify_trail(store: Store) -> list[str]:
    """Check every origin's chain and head, and then (the chains intact) every audit,
    answer, action and case against its trail rows. Returns the problems (empty: intact)."""
    problems: list[str] = []
    heads = {r["origin"]: r for r in store.query("SELECT origin, seq, hash FROM trail_heads")}
    origins = {r["origin"] for r in store.query("SELECT DISTINCT origin FROM trail")}
    for origin in sorted(origins | trail_blocks.origins(store) | set(heads)):
        problems.extend(_verify_chain(store, origin, heads.get(origin)))
    problems.extend(trail_blocks.orphan_problems(store))
    problems.extend(_own_gaps(store))
    return problems or record_problems(store)


def _own_gaps(store: Store) -> list[str]:
    """Gaps stand for rows another database holds: this database holds all of its own."""
    return [
        f"audit trail ({store.origin[:8]}…) rows {g['seq']}–{g['last_seq']} of this "
        "database's own chain are missing (recorded as a gap, which only another "
        "database's rows can be)"
        for g in gaps_of(store, store.origin)
    ]


def trail_problems(store: Store, anchors: Sequence[Anchor] = ()) -> list[str]:
    """Everything ``case-auditor verify`` checks about the trail: its append-only triggers,
    the chains and the records (:func:`verify_trail`), the anchor file beside the database
    and any ``anchors`` given (from a report or a pack)."""
    problems = trigger_problems(store) + verify_trail(store)
    try:
        noted = read_anchor_file(store.path)
    except StoreError as exc:  # a damaged anchor is a finding, like a damaged row
        problems.append(str(exc))
        noted = None
    if noted is not None:
        problems += anchor_problems(store, noted, f"the anchor file {anchor_path(store.path).name}")
    for anchor in anchors:
        problems += anchor_problems(store, anchor, f"the anchor {anchor}")
    return problems


# The append-only triggers as the schema creates them (the later definition of a name,
# trail_no_delete's since rows are sealed, replacing the earlier).
APPEND_ONLY_TRIGGERS = {
    m.group(1): m.group(0)[:-1]
    for sql in (INITIAL_SCHEMA, SEALED_TRAIL)
    for m in re.finditer(r"CREATE TRIGGER (\w+) .*?END;", sql, re.DOTALL)
}


def trigger_problems(store: Store) -> list[str]:
    """The triggers that keep the trail append-only must be there, as the schema made them."""
    found = dict(
        store.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall()
    )
    return [
        f"The trigger {name} that keeps the audit trail append-only is "
        f"{'missing' if name not in found else 'changed'}: the trail could be edited unseen"
        for name, sql in APPEND_ONLY_TRIGGERS.items()
        if " ".join(str(found.get(name, "")).split()) != " ".join(sql.split())
    ]


def _verify_chain(store: Store, origin: str, head: dict[str, Any] | None) -> list[str]:
    """The chain of ``origin``: its sealed rows, its rows as written and its gaps, in order."""
    index_problems: list[str] = []
    rows = (  # what check_chain looks at, and whether the row as read is the row written
        {"seq": v[2], "prev_hash": v[12], "hash": v[13], "entity": v[5], "field": v[8],
         "intact": intact}
        for v, intact in _chain(store, origin, index_problems)
    )  # fmt: skip
    links = heapq.merge(rows, gaps_of(store, origin), key=_seq)
    return check_chain(origin, links, head, checked=True) + index_problems


def _chain(
    store: Store, origin: str, problems: list[str]
) -> Iterator[tuple[tuple[Any, ...], bool]]:
    """Every row of ``origin``'s chain held here, as written and sealed, in order of seq,
    with whether it hashes as it did when written (problems of blocks go to ``problems``)."""
    cursor = store.execute(
        f"SELECT {', '.join(COLUMNS)} FROM trail WHERE origin = ? ORDER BY seq", [origin]
    )
    written = ((v, hash_values(v[:13]) == v[13]) for v in cursor)
    sealed = trail_blocks.chain(store, origin, problems)
    return heapq.merge(written, sealed, key=_first_seq)


def _first_seq(item: tuple[Sequence[Any], bool]) -> int:
    return int(item[0][2])


def _seq(link: Mapping[str, Any]) -> int:
    return int(link["seq"])


def check_chain(
    origin: str,
    links: Iterable[Mapping[str, Any]],
    head: Mapping[str, Any] | None,
    *,
    checked: bool = False,
) -> list[str]:
    """Check one origin's chain: rows and gaps (``last_seq`` set) in order of ``seq``.

    A row must hash to its ``hash`` and follow the link before it; a gap (rows another
    database holds) must fit between its neighbours. With ``checked`` the caller has
    hashed each row itself and says so in its ``intact``. Returns the first problem, if any.
    """
    expected_seq, prev = 1, GENESIS
    for link in links:
        seq, gap_end = link["seq"], link.get("last_seq")
        if seq != expected_seq or link["prev_hash"] != prev:
            where = f"audit trail ({origin[:8]}…) row {seq}"
            if seq != expected_seq:
                return [f"{where}: rows {expected_seq}–{seq - 1} are missing"]
            return [f"{where}: does not follow the row before it (a row was removed or replaced)"]
        if gap_end is None and not (link["intact"] if checked else row_hash(link) == link["hash"]):
            where = f"audit trail ({origin[:8]}…) row {seq}"
            return [f"{where}: was changed after it was written ({link['entity']} {link['field']})"]
        prev, expected_seq = link["hash"], int(gap_end or seq) + 1
    last_seq = expected_seq - 1
    if head is None:
        return [f"audit trail ({origin[:8]}…): its record of the newest row is missing"]
    if head["seq"] != last_seq or head["hash"] != prev:
        return [
            f"audit trail ({origin[:8]}…): rows after {last_seq} were deleted "
            f"(expected {head['seq']})"
        ]
    return []


# ---------------------------------------------------------------------------------------
# Chains travelling in audit packs


def gaps_of(store: Store, origin: str) -> list[dict[str, Any]]:
    """The gaps recorded in ``origin``'s chain, as links (``seq`` is the first row)."""
    return store.query(
        "SELECT first_seq AS seq, last_seq, prev_hash, hash FROM trail_gaps "
        "WHERE origin = ? ORDER BY first_seq",
        [origin],
    )


def chain_gaps(
    links: Mapping[int, tuple[str, str]],
    head: tuple[int, str],
    declared: Sequence[Mapping[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """The gaps between the rows held (``links``: seq → (prev_hash, hash)) up to ``head``.

    With ``declared`` (gaps known from either side), only seqs inside a declared gap become
    a gap: rows missing for no declared reason stay missing, so verification still finds
    them. Without it every missing seq is a gap (a pack leaving rows out on purpose).
    """
    head_seq, head_hash = head
    starts = {int(g["seq"]): g["prev_hash"] for g in declared or ()}
    ends = {int(g["last_seq"]): g["hash"] for g in declared or ()}
    # The runs of seqs not held, from the rows held (a pack's few hundred), not by walking
    # every seq of the chain (700,000 in a year's database).
    runs = _holes(1, head_seq, sorted(s for s in links if 1 <= s <= head_seq))
    if declared is not None:
        runs = _within(runs, _spans(declared))
    gaps: list[dict[str, Any]] = []
    for first, last in runs:
        prev = GENESIS if first == 1 else links.get(first - 1, ("", starts.get(first, "")))[1]
        if last + 1 in links:
            after = links[last + 1][0]
        else:
            after = head_hash if last == head_seq else ends.get(last, "")
        gaps.append({"seq": first, "last_seq": last, "prev_hash": prev, "hash": after})
    return gaps


def _within(
    runs: Iterable[tuple[int, int]], spans: Sequence[Sequence[int]]
) -> Iterator[tuple[int, int]]:
    """The parts of ``runs`` inside ``spans`` (both sorted and disjoint)."""
    i = 0
    for first, last in runs:
        while i < len(spans) and spans[i][1] < first:
            i += 1
        j = i
        while j < len(spans) and spans[j][0] <= last:
            yield max(first, spans[j][0]), min(last, spans[j][1])
            j += 1


def merge_chain(
    store: Store,
    origin: str,
    rows: Sequence[Mapping[str, Any]],
    gaps: Sequence[Mapping[str, Any]],
    head: Mapping[str, Any],
    *,
    held: Mapping[int, Sequence[Any]] | None = None,
) -> int:
    """Bring another database's rows of ``origin``'s chain in verbatim (call inside the
    merging transaction). Rows already here are skipped; our gaps and head are updated.
    ``held``: our rows at the seqs of ``rows`` (:func:`rows_at`), when the caller has read
    them in this transaction.

    Raises :class:`TrailForkError` when the two databases disagree about a row of the
    chain. Returns the number of rows added.

    Reads only what the pack touches: our rows at the seqs it carries (a fork shows there),
    our head and gaps, and the seqs held inside the gaps declared on either side; not the
    whole chain, so the 50th pack of a laptop merges as fast as its first.
    """
    conn = store.conn
    seqs = [int(r["seq"]) for r in rows]
    if held is None:
        held = rows_at(store, origin, seqs)
    new = rows
    if held:
        for row, seq in zip(rows, seqs, strict=True):
            if seq in held and held[seq][13] != row["hash"]:
                raise _fork(origin, seq)
        new = [r for r, seq in zip(rows, seqs, strict=True) if seq not in held]
    our_head = conn.execute(
        "SELECT seq, hash FROM trail_heads WHERE origin = ?", [origin]
    ).fetchone()
    if new and origin == store.origin:
        raise _fork(origin, int(new[0]["seq"]))
    if origin == store.origin and int(head["seq"]) > (our_head[0] if our_head else 0):
        raise _fork(origin, int(head["seq"]))  # our own chain went further elsewhere
    seq, hash_ = int(head["seq"]), str(head["hash"])
    if our_head is not None:
        if our_head[0] == seq and our_head[1] != hash_:
            raise _fork(origin, seq)
        if our_head[0] > seq:
            seq, hash_ = our_head
    if new:  # another database's rows are sealed as they arrive, in the order of their seqs
        arrived = list(map(_as_row, new))
        # A pack carries a chain's rows in order already. Sorting them anyway held the GIL
        # for 15 ms for a 500-audit pack (the window could not paint); the check does not.
        if any(a[2] > b[2] for a, b in itertools.pairwise(arrived)):
            arrived.sort(key=operator.itemgetter(2))
        trail_blocks.seal(store, origin, arrived)
    declared = [*gaps_of(store, origin), *gaps]
    conn.execute("DELETE FROM trail_gaps WHERE origin = ?", [origin])
    conn.executemany(
        "INSERT INTO trail_gaps (origin, first_seq, last_seq, prev_hash, hash) "
        "VALUES (?, ?, ?, ?, ?)",
        [
            (origin, g["seq"], g["last_seq"], g["prev_hash"], g["hash"])
            for g in _held_gaps(store, origin, (seq, hash_), declared)
        ],
    )
    _set_head(store, origin, seq, hash_)
    return len(new)


_IN = "IN (SELECT value FROM json_each(?))"
_as_row = operator.itemgetter(*COLUMNS)  # a pack's trail row as a sequence of COLUMNS


def _held_gaps(
    store: Store, origin: str, head: tuple[int, str], declared: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """:func:`chain_gaps` of the rows of ``origin`` held here (the pack's new ones already
    written), looking only inside the declared gaps: only seqs there can become a gap."""
    head_seq, head_hash = head
    starts = {int(g["seq"]): g["prev_hash"] for g in declared}
    ends = {int(g["last_seq"]): g["hash"] for g in declared}
    conn = store.conn
    holes: list[tuple[int, int]] = []
    for first, last in _spans(declared):
        first, last = max(first, 1), min(last, head_seq)
        if first > last:
            continue
        held = sorted(
            [
                *(s for (s,) in conn.execute(
                    "SELECT seq FROM trail WHERE origin = ? AND seq BETWEEN ? AND ?",
                    [origin, first, last],
                )),
                *trail_blocks.seqs_between(store, origin, first, last),
            ]
        )  # fmt: skip
        holes += _holes(first, last, held)
    # The rows on either side of the holes, read at once: a sealed one opens its block.
    around = rows_at(store, origin, {s for a, b in holes for s in (a - 1, b + 1) if s >= 1})
    gaps: list[dict[str, Any]] = []
    for start, end in holes:
        before, after = around.get(start - 1), around.get(end + 1)
        gaps.append(
            {
                "seq": start,
                "last_seq": end,
                "prev_hash": GENESIS
                if start == 1
                else (before[13] if before else starts.get(start, "")),
                "hash": after[12]
                if after
                else (head_hash if end == head_seq else ends.get(end, "")),
            }
        )
    return gaps


def _holes(first: int, last: int, held: Sequence[int]) -> Iterator[tuple[int, int]]:
    """The runs of seqs from ``first`` to ``last`` not in ``held`` (sorted)."""
    expected = first
    for seq in held:
        if seq > expected:
            yield expected, seq - 1
        expected = seq + 1
    if expected <= last:
        yield expected, last


def _spans(declared: Sequence[Mapping[str, Any]]) -> list[list[int]]:
    """The declared gaps joined into disjoint, sorted spans of seqs."""
    spans: list[list[int]] = []
    for first, last in sorted((int(g["seq"]), int(g["last_seq"])) for g in declared):
        if spans and first <= spans[-1][1] + 1:
            spans[-1][1] = max(spans[-1][1], last)
        else:
            spans.append([first, last])
    return spans


def _fork(origin: str, seq: int) -> TrailForkError:
    return TrailForkError(
        f"The audit trail of database {origin[:8]}… differs from the copy here at row {seq}: "
        "one of the two databases was restored from an older copy and used again. "
        "Nothing was merged."
    )
