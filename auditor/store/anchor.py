"""The anchor: this database's newest trail row (its seq and hash), kept where plain SQL on
the database cannot rewrite it unseen.

It is written to a file beside the database (``NAME.db.anchor``) after the transactions
that extend the chain, into every pack this database makes (its manifest) and into the
About sheet of every report. ``case-auditor verify`` checks that the chain still holds the
anchored row and does not end before it: deleting the newest rows and moving
``trail_heads`` back, or rewriting rows and their hashes, no longer goes unseen.

The file has two slots, each a line with a write number, the anchor as JSON and a CRC-32;
a write overwrites the older slot in place, so a write cut off by a crash spoils at most
that slot and the other still names an earlier row, which verifies. There is no fsync:
after a power cut the file may name an older row, never one that was not committed.
Measured here, a temporary file and a rename cost 150–250 µs per saved answer (a third of
the save) and even an in-place write at every save of a quick burst a tenth, so a burst
writes the file at most every 0.1 s (the newest head follows with the next save or when
the process ends); one save at a time, as a person answers, is written at once. The
database file itself is never opened this way (that drops SQLite's locks: PITFALLS #8).
The CRC only tells a cut-off write: anyone can write a new anchor file.
"""

from __future__ import annotations

import atexit
import functools
import json
import logging
import os
import re
import sqlite3
import threading
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

from auditor.clock import now_utc
from auditor.errors import AuditorError, StoreError
from auditor.store.db import Store

log = logging.getLogger(__name__)
_HASH = re.compile(r"[0-9a-f]{64}")
_SLOT = 384  # bytes: one line of JSON, padded


@dataclass(frozen=True)
class Anchor:
    """One row of one origin's chain: its seq and hash."""

    origin: str
    seq: int
    hash: str

    def to_json(self) -> dict[str, str | int]:
        return {"origin": self.origin, "seq": self.seq, "hash": self.hash}

    def __str__(self) -> str:
        return f"{self.seq}:{self.hash}"


def anchor_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".anchor")


def head_anchor(store: Store) -> Anchor | None:
    """This database's own chain's newest row (``None`` before its first row)."""
    head = store.execute(
        "SELECT seq, hash FROM trail_heads WHERE origin = ?", [store.origin]
    ).fetchone()
    return None if head is None else Anchor(store.origin, int(head[0]), str(head[1]))


def write_anchor_file(store: Store) -> None:
    """Note the committed head in the file beside the database (called after a commit).

    During a quick burst of saves the file is written at most every ``_INTERVAL`` seconds;
    a head that comes sooner waits for the next save after it, a read of the file, or the
    end of the process (writing at every save of a burst added a tenth to each save). A
    failure is logged, never raised: the change is saved; the file only stays older.
    """
    path = _path_of(str(store.path))
    anchor = store.noted(HEAD_NOTE)  # the head the transaction wrote, when it was kept
    if anchor is None:
        try:
            origin = store.origin
            head = store.conn.execute(
                "SELECT seq, hash FROM trail_heads WHERE origin = ?", [origin]
            ).fetchone()
        except (sqlite3.Error, AuditorError) as exc:
            log.warning("could not read the trail's newest row for %s: %s", path, exc)
            return
        if head is None:
            return
        anchor = Anchor(origin, int(head[0]), str(head[1]))
    with _lock:
        if time.monotonic() - _written.get(path, -_INTERVAL) < _INTERVAL:
            _pending[path] = anchor
            return
        _pending.pop(path, None)
        _write(path, anchor)


# The Store.note key of this database's chain head as the committing transaction set it.
HEAD_NOTE = "trail head"
_INTERVAL = 0.1  # seconds
_lock = threading.Lock()  # a worker thread may save through its own store
_written: dict[str, float] = {}  # anchor file → when it was last written (monotonic)
_pending: dict[str, Anchor] = {}  # anchor file → a newer head not written yet


@atexit.register
def write_pending_anchors() -> None:
    """Write every head still waiting (before reading the files, and when the process
    ends)."""
    with _lock:
        for path in list(_pending):
            _write(path, _pending.pop(path))


def _write(path: str, anchor: Anchor) -> None:
    """Overwrite the older of the file's two slots (call with ``_lock`` held)."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o644)
        with os.fdopen(fd, "r+b", buffering=0) as file:
            numbers = _numbers(file.read(2 * _SLOT))
            body = f'{max(numbers) + 1:012d}\t{{"origin": "{anchor.origin}", '
            body += f'"seq": {anchor.seq}, "hash": "{anchor.hash}", "written_at": "{now_utc()}"}}'
            line = f"{body}\t{zlib.crc32(body.encode()):08x}".encode()
            file.seek(_SLOT * (numbers[0] > numbers[1]))
            file.write(line.ljust(_SLOT - 1) + b"\n")
        _written[path] = time.monotonic()
    except FileNotFoundError:
        pass  # the database's folder is gone: there is nothing left to anchor
    except OSError as exc:
        log.warning("could not note the trail's newest row in %s: %s", path, exc)


@functools.lru_cache(maxsize=8)
def _path_of(db_path: str) -> str:
    return str(anchor_path(Path(db_path)))


def _bodies(data: bytes) -> list[bytes | None]:
    """The two slots' contents, each ``None`` when empty or cut off by a crash mid-write.
    A slot is one line: a 12-digit write number, a tab, JSON, a tab and a CRC-32."""
    bodies: list[bytes | None] = []
    for i in (0, 1):
        body, _, crc = data[i * _SLOT : (i + 1) * _SLOT].rstrip().rpartition(b"\t")
        whole = crc == b"%08x" % zlib.crc32(body) and body[:12].isdigit()
        bodies.append(body if whole else None)
    return bodies


def _numbers(data: bytes) -> tuple[int, int]:
    """Each slot's write number (0: empty or cut off)."""
    first, second = (int(b[:12]) if b is not None else 0 for b in _bodies(data))
    return first, second


def read_anchor_file(db_path: Path) -> Anchor | None:
    """The anchor noted beside the database (its newer slot), ``None`` if there is no file.

    Raises :class:`StoreError` naming the file when neither slot can be read as an anchor.
    """
    path = anchor_path(db_path)
    write_pending_anchors()  # this process's own newest head first
    try:
        bodies = [b for b in _bodies(path.read_bytes()) if b is not None]
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StoreError(f"{path} cannot be read as an audit trail anchor ({exc})") from None
    if not bodies:
        raise StoreError(f"{path} cannot be read as an audit trail anchor (no copy is whole)")
    try:
        fields = json.loads(max(bodies)[13:])  # the highest write number
        anchor = Anchor(str(fields["origin"]), int(fields["seq"]), str(fields["hash"]))
    except (ValueError, KeyError, TypeError) as exc:
        raise StoreError(f"{path} cannot be read as an audit trail anchor ({exc})") from None
    if not _HASH.fullmatch(anchor.hash) or anchor.seq < 1:
        raise StoreError(f"{path} cannot be read as an audit trail anchor (malformed)")
    return anchor


def parse_anchor(text: str, origin: str) -> Anchor:
    """An anchor as a person copies it from a report or a pack: ``SEQ:HASH``."""
    seq, _, hash_ = text.strip().partition(":")
    if not seq.isdigit() or int(seq) < 1 or not _HASH.fullmatch(hash_.lower()):
        raise ValueError(f"'{text}' is not an anchor: write it as the row number, ':' and hash")
    return Anchor(origin, int(seq), hash_.lower())


def anchor_problems(store: Store, anchor: Anchor, source: str) -> list[str]:
    """Whether this database's chain still holds the anchored row and reaches it."""
    if anchor.origin != store.origin:
        return [
            f"{source} was written by another database ({anchor.origin[:8]}…), not this one "
            f"({store.origin[:8]}…): if this database replaced that one, delete the file"
        ]
    head = head_anchor(store)
    if head is None or head.seq < anchor.seq:
        return [
            f"The audit trail ends at row {head.seq if head else 0} but {source} records row "
            f"{anchor.seq}: its newest rows were deleted, or the database was put back from "
            "an older copy"
        ]
    row_hash = store.scalar(
        "SELECT hash FROM trail WHERE origin = ? AND seq = ?", [store.origin, anchor.seq]
    )
    if row_hash is None:  # sealed since (auditor/store/trail_blocks.py)
        from auditor.store.trail_blocks import at_seqs

        sealed = at_seqs(store, store.origin, [anchor.seq]).get(anchor.seq)
        row_hash = sealed[13] if sealed else None
    if row_hash != anchor.hash:
        return [
            f"Row {anchor.seq} of the audit trail is not the row {source} records: the trail "
            "was rewritten from there on"
        ]
    return []
