"""The case register's rows: loading with audit status, filtering and sorting."""

from __future__ import annotations

import time

from auditor.audits.records import start_audit
from auditor.audits.workflow import delete_audit
from auditor.cases.records import add_case
from auditor.cases.register import (
    RegisterFilter,
    RegisterRow,
    filter_register,
    load_register,
    sort_register,
)
from auditor.store import Store

ME = "Test Auditor"


def _cases(store: Store) -> None:
    add_case(store, actor=ME, reference="B-2", case_type="child_in_need", team="North", worker="W1")
    add_case(store, actor=ME, reference="A-1", case_type="looked_after", team="South", worker="W2")
    add_case(
        store,
        actor=ME,
        reference="C-3",
        case_type="child_in_need",
        team="North",
        worker="Ann",
        closed_date="2026-01-31",
    )


def test_rows_come_by_reference_with_their_newest_audit(store: Store) -> None:
    _cases(store)
    case_b = store.scalar("SELECT uid FROM cases WHERE reference = 'B-2'")
    start_audit(store, case_uid=case_b, auditor=ME, framework_code="MINI")
    deleted = start_audit(store, case_uid=case_b, auditor=ME, framework_code="MINI")
    delete_audit(store, deleted, actor=ME, reason="started twice")
    seen: list[tuple[int, int]] = []
    rows = load_register(store, progress=lambda d, t: seen.append((d, t)), batch=2)
    assert [r.reference for r in rows] == ["A-1", "B-2", "C-3"]
    assert rows[1].audits == 1 and rows[1].latest_status == "draft"
    assert rows[0].audits == 0 and rows[0].latest_status is None
    assert rows[2].closed_date == "2026-01-31"
    assert seen == [(2, 3), (3, 3)]


def test_filters_combine(store: Store) -> None:
    _cases(store)
    rows = load_register(store)
    assert [r.reference for r in filter_register(rows, RegisterFilter(text="north"))] == [
        "B-2",
        "C-3",
    ]
    assert [r.reference for r in filter_register(rows, RegisterFilter(text="ANN"))] == ["C-3"]
    both = RegisterFilter(team="North", status="open")
    assert [r.reference for r in filter_register(rows, both)] == ["B-2"]
    assert [r.reference for r in filter_register(rows, RegisterFilter(status="closed"))] == ["C-3"]
    kind = RegisterFilter(case_type="looked_after", status="not_audited")
    assert [r.reference for r in filter_register(rows, kind)] == ["A-1"]
    assert filter_register(rows, RegisterFilter(status="final")) == []
    assert RegisterFilter().is_empty and not both.is_empty


def _synthetic(n: int) -> list[RegisterRow]:
    teams = ("North", "South", "East")
    return [
        RegisterRow(
            f"uid-{i}",
            f"REF-{i:06d}",
            "child_in_need" if i % 2 else "child_protection",
            teams[i % 3],
            f"Worker {i % 40:02d}",
            f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}",
            None if i % 5 else "2026-01-01",
            i % 3,
            (None, "draft", "final")[i % 3],
            f"ref-{i:06d}\t{teams[i % 3]}\tworker {i % 40:02d}".casefold(),
        )
        for i in range(n)
    ]


def test_sorting_is_stable_and_reversible() -> None:
    rows = _synthetic(30)
    by_team = sort_register(rows, "team")
    assert [r.team for r in by_team][:10] == ["East"] * 10
    east = [r.reference for r in by_team if r.team == "East"]
    assert east == sorted(east)
    newest = sort_register(rows, "referral_date", descending=True)
    assert newest[0].referral_date == max(r.referral_date or "" for r in rows)
    assert sort_register(rows, "latest_status")[0].latest_status is None


def test_100k_rows_filter_and_sort_in_well_under_a_second() -> None:
    rows = _synthetic(100_000)
    started = time.perf_counter()
    found = filter_register(rows, RegisterFilter(text="worker 07", team="North"))
    ordered = sort_register(found, "referral_date", descending=True)
    everything = sort_register(rows, "worker")
    elapsed = time.perf_counter() - started
    assert found and all(r.team == "North" and "worker 07" in r.search for r in found)
    assert len(ordered) == len(found) and len(everything) == 100_000
    assert elapsed < 1.0, f"filter and sort of 100,000 rows took {elapsed:.2f} s"
