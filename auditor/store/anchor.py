"""The anchor: this database's newest trail row (its seq and hash), kept where plain SQL on
the database cannot rewrite it unseen.

It is written to a file beside the database (``NAME.db.anchor``) after every transaction
that extended the chain, into every pack this database makes (its manifest) and into the
About sheet of every report. ``case-auditor verify`` checks that the chain still holds the
anchored row and does not end before it: deleting the newest rows and moving
``trail_heads`` back, or rewriting rows and their hashes, no longer goes unseen.

The file is written through a temporary file and a rename, never by opening the database
file itself (which would drop SQLite's locks: PITFALLS #8), and without an fsync: after a
power cut it may name an older row, which verifies; it never names a row that was not
committed.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

from auditor.clock import now_utc
from auditor.errors import AuditorError, StoreError
from auditor.store.db import Store

log = logging.getLogger(__name__)
_HASH = re.compile(r"[0-9a-f]{64}")


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
    head = store.one("SELECT seq, hash FROM trail_heads WHERE origin = ?", [store.origin])
    return None if head is None else Anchor(store.origin, int(head["seq"]), str(head["hash"]))


def write_anchor_file(store: Store) -> None:
    """Note the committed head in the file beside the database (called after a commit).

    A failure is logged, never raised: the change is saved; the file only stays older.
    """
    path = anchor_path(store.path)
    temp = path.with_name(f"{path.name}.{os.getpid()}-{threading.get_ident()}.tmp")
    try:
        anchor = head_anchor(store)
        if anchor is None:
            return
        data = json.dumps({**anchor.to_json(), "written_at": now_utc()}).encode()
        with open(temp, "wb") as file:
            file.write(data)
        os.replace(temp, path)
    except (OSError, sqlite3.Error, AuditorError) as exc:
        log.warning("could not note the trail's newest row in %s: %s", path, exc)


def read_anchor_file(db_path: Path) -> Anchor | None:
    """The anchor noted beside the database, ``None`` if there is no file.

    Raises :class:`StoreError` naming the file when it cannot be read as an anchor.
    """
    path = anchor_path(db_path)
    try:
        data = json.loads(path.read_bytes())
        anchor = Anchor(str(data["origin"]), int(data["seq"]), str(data["hash"]))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
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
    if row_hash != anchor.hash:
        return [
            f"Row {anchor.seq} of the audit trail is not the row {source} records: the trail "
            "was rewritten from there on"
        ]
    return []
