"""Demo data for any seed: case types carry different dates, and every one must insert."""

from __future__ import annotations

import pytest

from auditor.demo import make_demo
from auditor.store import Store


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_any_seed_makes_a_demo(store: Store, seed: int) -> None:
    summary = make_demo(store, cases=30, audits=10, seed=seed)
    assert summary.cases == 30
    assert store.scalar("SELECT COUNT(*) FROM cases") == 30
    looked_after = store.scalar(
        "SELECT COUNT(*) FROM cases WHERE case_type = 'looked_after' "
        "AND looked_after_start IS NOT NULL"
    )
    assert looked_after == store.scalar(
        "SELECT COUNT(*) FROM cases WHERE case_type = 'looked_after'"
    )
