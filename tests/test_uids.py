"""Identifiers for everything that travels between laptops: unique, and ordered by time so
that new rows land at the end of their unique indexes (merging and saving stay flat)."""

from __future__ import annotations

import time
import uuid

from auditor.clock import new_uid, new_uids


def test_uids_are_unique_rfc_4122_version_7_and_ordered_by_time() -> None:
    first = new_uid()
    time.sleep(0.002)  # the next millisecond
    batch = list(new_uids(10_000))
    time.sleep(0.002)
    last = new_uid()
    assert len(set(batch)) == len(batch)
    for uid in (first, last, *batch[:100]):
        parsed = uuid.UUID(uid)
        assert (parsed.version, parsed.variant) == (7, uuid.RFC_4122)
        assert str(parsed) == uid
    assert first < min(batch) and max(batch) < last  # made later, sorts later
    stamp = int(uid.replace("-", "")[:12], 16)
    assert abs(stamp - time.time_ns() // 1_000_000) < 60_000  # the time, in milliseconds
