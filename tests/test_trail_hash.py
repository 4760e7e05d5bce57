"""A trail row's hash is SHA-256 over the canonical JSON of its fields: made faster (issue
16: one C encoder kept, not one made for every row), it is the same hash, byte for byte,
so every chain written before still verifies."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auditor.store.trail import Change, _Rows
from auditor.store.trail_hash import hash_values, row_hash

ROW = {
    "uid": "0190f1e2-aaaa-7bbb-8ccc-123456789abc",
    "origin": "e3b0c442-98fc-4c14-9afb-f4c8996fb924",
    "seq": 7,
    "at": "2026-12-01T10:00:00.123456+00:00",
    "actor": "Zoë Demo-Auditor",
    "entity": "case",
    "entity_uid": "0190f1e2-aaaa-7bbb-8ccc-123456789abd",
    "audit_uid": None,
    "field": "created",
    "old_value": None,
    "new_value": 'FAKE-"0001"\t\\ 日本',
    "reason": "",
    "prev_hash": "0" * 64,
}


def test_a_row_hashes_as_it_always_has() -> None:
    """The hash of this row as the trail computed it before the change (pinned)."""
    assert row_hash(ROW) == "d93cf8ee8ebcc90431ea001bc9ce40c27ff47f807f8bc83bee5d9b29f2cba5a8"


scalars = st.one_of(
    st.none(),
    st.text(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
)
values = st.lists(st.one_of(scalars, st.lists(scalars, max_size=3)), max_size=14)


@given(values)
def test_the_hash_is_sha256_of_the_canonical_json(row: list[Any]) -> None:
    canonical = json.dumps(row, ensure_ascii=False, separators=(",", ":"))
    expected = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    assert hash_values(row) == expected
    assert hash_values(tuple(row)) == expected  # a row as the trail makes it


def test_rows_are_made_all_or_none() -> None:
    """A change that cannot be hashed (text no file could hold: a lone surrogate) leaves
    the pending rows and the chain's head as they were, not half made."""
    pending = _Rows(ROW["origin"], 4, "a" * 64)
    good = Change("case", "0190f1e2-aaaa-7bbb-8ccc-123456789abd", "team", "A", "B")
    bad = Change("case", "0190f1e2-aaaa-7bbb-8ccc-123456789abd", "worker", "A", "\ud800")
    with pytest.raises(UnicodeEncodeError):
        pending.add([good, bad], "Zoë Demo-Auditor")
    assert (pending.rows, pending.seq, pending.prev) == ([], 4, "a" * 64)
    assert pending.add([good], "Zoë Demo-Auditor") == 1
    assert (pending.seq, pending.rows[0][2], pending.rows[0][12]) == (5, 5, "a" * 64)
