"""What a trail row is, and its hash: the one definition every part of the trail uses.

A row's hash is SHA-256 over its fields in a fixed order, the hash of the row before it in
its chain among them (canonical JSON). A row's uid is the one its chain and place give it
(:func:`derived_uid`) for every row written since schema 14; older rows keep the random uid
they were written with. Either way the uid is hashed with the row.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

GENESIS = "0" * 64
HASHED_FIELDS = (
    "uid",
    "origin",
    "seq",
    "at",
    "actor",
    "entity",
    "entity_uid",
    "audit_uid",
    "field",
    "old_value",
    "new_value",
    "reason",
    "prev_hash",
)
COLUMNS = (*HASHED_FIELDS, "hash")  # a trail row as it travels in an audit pack


def row_hash(row: Mapping[str, Any]) -> str:
    """SHA-256 over the hashed fields in a fixed order (canonical JSON)."""
    return hash_values([row.get(k) for k in HASHED_FIELDS])


# json.dumps(values, ensure_ascii=False, separators=(",", ":")), without making an encoder
# for every row: the same text, so the same hash, at a fraction of the cost.
_CANONICAL = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
# The C encoder that _CANONICAL.encode makes afresh for every call, made once (a third of
# the time of hashing a row). Made as json makes it, but with no check for a list that
# holds itself: the values hashed are text, numbers and None, from the database or JSON.
_MAKE_ENCODER = getattr(json.encoder, "c_make_encoder", None)
_ENCODE = (
    _MAKE_ENCODER(
        None, _CANONICAL.default, json.encoder.encode_basestring, None, ":", ",",
        False, False, True,
    )
    if _MAKE_ENCODER is not None
    else None
)  # fmt: skip


def _canonical(values: Sequence[Any]) -> str:
    if _ENCODE is None:  # a Python without json's C speedups
        return _CANONICAL.encode(values)
    return "".join(_ENCODE(values, 0))


def hash_values(values: Sequence[Any]) -> str:
    """The hash of a row given as its hashed fields' values, in the order of HASHED_FIELDS."""
    return hashlib.sha256(_canonical(values).encode("utf-8")).hexdigest()


def derived_uid(origin: str, seq: int) -> str:
    """The uid of row ``seq`` of ``origin``'s chain: the first 128 bits of a hash of the two,
    in the UUID layout (version 8, for uids made this way). A (origin, seq) names one row
    for good, so its uid needs no randomness of its own, and a sealed block need not keep
    it (:mod:`auditor.store.trail_blocks`)."""
    h = hashlib.sha256(f"{origin}/{seq}".encode()).hexdigest()
    return f"{h[:8]}-{h[8:12]}-8{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:32]}"


# The UUID variant's two bits (10) over a hex digit's lower two: 8, 9, a or b.
_VARIANT = {d: "89ab"[int(d, 16) & 3] for d in "0123456789abcdef"}
