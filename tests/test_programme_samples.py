"""A programme's sample in the database: candidates with their last audit, saving a draw with
its record, even and by-hand assignment, each auditor's list, re-checking recorded draws."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date

import pytest

from auditor.audits.records import start_audit
from auditor.audits.workflow import delete_audit
from auditor.cases.records import add_case
from auditor.errors import NotFoundError, ValidationError
from auditor.programmes.assignment import (
    add_auditors,
    assign_cases,
    auditor_lists,
    programme_cases,
    share_evenly,
)
from auditor.programmes.records import create_programme, get_programme
from auditor.programmes.samples import (
    check_sample_records,
    draw_for_programme,
    load_candidates,
    save_sample,
)
from auditor.programmes.sampling import SampleSpec
from auditor.store import Store
from auditor.store.trail import verify_trail

ACTOR = "Test Auditor"  # as in tests/conftest.py

ON = date(2026, 4, 30)


@pytest.fixture
def cases(store: Store) -> list[str]:
    uids = []
    for n in range(1, 13):
        case = add_case(
            store,
            actor=ACTOR,
            reference=f"FAKE-{n:03d}",
            case_type="child_protection" if n % 2 else "child_in_need",
            team=f"Demo Team {1 + n % 3}",
        )
        uids.append(case.uid)
    return uids


@pytest.fixture
def programme(store: Store, cases: list[str]) -> str:
    return create_programme(
        store,
        actor=ACTOR,
        name="Demo dip sample May 2026",
        framework_code="MINI",
        auditors=["Demo Auditor Ash", "Demo Auditor Birch"],
    )


def test_candidates_carry_their_latest_live_audit(store: Store, cases: list[str]) -> None:
    start_audit(
        store, case_uid=cases[0], auditor=ACTOR, framework_code="MINI", audit_date=date(2025, 9, 1)
    )
    later = start_audit(
        store, case_uid=cases[0], auditor=ACTOR, framework_code="MINI", audit_date=date(2026, 3, 1)
    )
    delete_audit(store, later, actor=ACTOR, reason="started by mistake")
    by_reference = {c.reference: c for c in load_candidates(store)}
    assert by_reference["FAKE-001"].last_audit_date == date(2025, 9, 1)
    assert by_reference["FAKE-002"].last_audit_date is None
    assert by_reference["FAKE-002"].team == "Demo Team 3"


def test_exclusion_window_from_audits_in_the_database(
    store: Store, cases: list[str], programme: str
) -> None:
    start_audit(
        store, case_uid=cases[0], auditor=ACTOR, framework_code="MINI", audit_date=date(2026, 1, 5)
    )
    start_audit(
        store, case_uid=cases[1], auditor=ACTOR, framework_code="MINI", audit_date=date(2025, 1, 5)
    )
    spec = SampleSpec(method="random", n=100, exclude_months=12, reference_date=ON, seed=1)
    sample = draw_for_programme(store, programme, spec)
    assert [c.reference for c in sample.excluded] == ["FAKE-001"]
    assert len(sample.cases) == 11 and "FAKE-002" in [c.reference for c in sample.cases]


def test_save_a_draw_share_it_evenly_and_record_it(store: Store, programme: str) -> None:
    spec = SampleSpec(method="stratified", n=6, by=("team",), seed=42, reference_date=ON)
    sample = draw_for_programme(store, programme, spec)
    assert save_sample(store, programme, sample, actor=ACTOR) == 6
    lists = auditor_lists(store, programme)
    assert {name: len(items) for name, items in lists.items()} == {
        "Demo Auditor Ash": 3,
        "Demo Auditor Birch": 3,
    }
    recorded = get_programme(store, programme).sample
    assert recorded is not None
    draw = recorded["draws"][0]
    assert (draw["method"], draw["seed"], draw["drawn_by"]) == ("stratified", 42, ACTOR)
    assert draw["sample"] == sorted(c.reference for c in sample.cases)
    assert draw["parameters"]["by"] == ["team"] and draw["eligible"] == 12
    assert check_sample_records(store, "Demo dip sample May 2026") == []

    # A second draw tops up from the cases not yet sampled, and is recorded too.
    more = draw_for_programme(store, programme, SampleSpec(method="random", n=4, seed=1))
    assert not {c.uid for c in more.cases} & {c.uid for c in sample.cases}
    assert save_sample(store, programme, more, actor=ACTOR) == 4
    assert Counter(c.auditor for c in programme_cases(store, programme)) == {
        "Demo Auditor Ash": 5,
        "Demo Auditor Birch": 5,
    }
    recorded = get_programme(store, programme).sample
    assert recorded is not None and len(recorded["draws"]) == 2
    assert verify_trail(store) == []


def test_a_tampered_record_is_detected(store: Store, programme: str) -> None:
    sample = draw_for_programme(store, programme, SampleSpec(method="random", n=3, seed=9))
    save_sample(store, programme, sample, actor=ACTOR)
    record = get_programme(store, programme).sample
    assert record is not None
    record["draws"][0]["sample"][0] = "FAKE-999"
    store.execute(
        "UPDATE programmes SET sample_json = ? WHERE uid = ?", [json.dumps(record), programme]
    )
    assert check_sample_records(store, programme) == [
        "draw 1 (random, seed 9) does not reproduce from its recorded population and seed"
    ]
    record["draws"][0]["population"].pop()
    store.execute(
        "UPDATE programmes SET sample_json = ? WHERE uid = ?", [json.dumps(record), programme]
    )
    assert check_sample_records(store, programme) == ["draw 1: its recorded population was changed"]


def test_new_auditors_and_assignment_by_hand(store: Store, programme: str) -> None:
    sample = draw_for_programme(
        store, programme, SampleSpec(method="hand", references=("FAKE-001", "FAKE-002"))
    )
    save_sample(store, programme, sample, actor=ACTOR, auditors=["Demo Auditor Cedar"])
    assert get_programme(store, programme).auditors == (
        "Demo Auditor Ash",
        "Demo Auditor Birch",
        "Demo Auditor Cedar",
    )
    assert {c.auditor for c in programme_cases(store, programme)} == {"Demo Auditor Cedar"}
    changes = assign_cases(store, programme, {"FAKE-002": "Demo Auditor Ash"}, actor=ACTOR)
    assert [(c.field, c.old_value, c.new_value) for c in changes] == [
        ("auditor", "Demo Auditor Cedar", "Demo Auditor Ash")
    ]
    assign_cases(store, programme, {"FAKE-002": "Demo Auditor Birch"}, actor=ACTOR, second=True)
    ash = programme_cases(store, programme, auditor="Demo Auditor Ash")
    birch = programme_cases(store, programme, auditor="Demo Auditor Birch")
    assert [c.reference for c in ash] == [c.reference for c in birch] == ["FAKE-002"]
    assert birch[0].second_auditor == "Demo Auditor Birch"
    with pytest.raises(ValidationError, match="not auditors of 'Demo dip sample May 2026'"):
        assign_cases(store, programme, {"FAKE-001": "Somebody Else"}, actor=ACTOR)
    with pytest.raises(NotFoundError, match="not in the sample .*: FAKE-012"):
        assign_cases(store, programme, {"FAKE-012": "Demo Auditor Ash"}, actor=ACTOR)


def test_unassigned_cases_are_shared_later(store: Store, programme: str) -> None:
    other = create_programme(store, actor=ACTOR, name="No auditors yet", framework_code="MINI")
    sample = draw_for_programme(store, other, SampleSpec(method="random", n=5, seed=3))
    save_sample(store, other, sample, actor=ACTOR)
    assert {c.auditor for c in programme_cases(store, other)} == {""}
    assert add_auditors(store, other, ["Demo Auditor Elm", "Demo Auditor Oak"], actor=ACTOR) == 2
    share_evenly(store, other, actor=ACTOR)
    assert Counter(c.auditor for c in programme_cases(store, other)) == {
        "Demo Auditor Elm": 3,
        "Demo Auditor Oak": 2,
    }


def test_a_case_audited_in_the_programme_shows_its_status(
    store: Store, cases: list[str], programme: str
) -> None:
    sample = draw_for_programme(
        store, programme, SampleSpec(method="hand", references=("FAKE-001",))
    )
    save_sample(store, programme, sample, actor=ACTOR)
    start_audit(
        store,
        case_uid=cases[0],
        auditor="Demo Auditor Ash",
        framework_code="MINI",
        programme_uid=programme,
    )
    [listed] = programme_cases(store, programme)
    assert listed.audit_status == "draft"


def test_demo_cases_keep_every_kind_of_date(store: Store) -> None:
    """Demo rows differ by case type; each keeps its own dates (closed ones included), so a
    demo database can show the "closed in the last three months" sample."""
    from auditor.demo import make_demo

    make_demo(store, cases=60, audits=0, seed=3, end=ON)
    counts = store.one(
        "SELECT COUNT(closed_date) AS closed, COUNT(initial_conference_date) AS icpc, "
        "COUNT(looked_after_start) AS lac FROM cases"
    )
    assert counts is not None and min(counts.values()) > 0
    sample = draw_for_programme(
        store,
        create_programme(store, actor=ACTOR, name="Closed", framework_code="MINI"),
        SampleSpec(method="closed", reference_date=ON),
    )
    assert len(sample.cases) == counts["closed"]
