"""Drawing samples (pure): reproducible from the seed, proportional strata with at least one
per stratum, the exclusion window, the closed window, per-team quotas, hand-picking."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auditor.errors import ValidationError
from auditor.programmes.assignment import assign_evenly
from auditor.programmes.sampling import Candidate, SampleSpec, allocate, draw_sample, redraw

ON = date(2026, 4, 30)


def population() -> list[Candidate]:
    """100 fake cases: teams of 60, 30, 9 and 1; types alternate CP / CIN."""
    sizes = {"Demo Team A": 60, "Demo Team B": 30, "Demo Team C": 9, "Demo Team D": 1}
    cases, number = [], 0
    for team, size in sizes.items():
        for _ in range(size):
            number += 1
            kind = "child_protection" if number % 2 else "child_in_need"
            cases.append(Candidate(f"uid-{number}", f"FAKE-{number:04d}", kind, team))
    return cases


def refs(sample: object) -> list[str]:
    return [c.reference for c in sample.cases]  # type: ignore[attr-defined]


def test_the_same_seed_gives_the_same_sample_whatever_the_order() -> None:
    spec = SampleSpec(method="random", n=10, seed=2026, reference_date=ON)
    first = draw_sample(population(), spec)
    again = draw_sample(list(reversed(population())), spec)
    other = draw_sample(population(), SampleSpec(method="random", n=10, seed=7, reference_date=ON))
    assert refs(first) == refs(again) and len(refs(first)) == 10
    assert refs(first) != refs(other)
    assert refs(first) == sorted(refs(first))


def test_a_seed_is_made_and_recorded_when_none_is_given() -> None:
    sample = draw_sample(population(), SampleSpec(method="random", n=5, reference_date=ON))
    assert isinstance(sample.spec.seed, int)
    record = json.loads(json.dumps(sample.record()))
    assert record["seed"] == sample.spec.seed
    assert redraw(record) == record["sample"] == refs(sample)


def test_percent_rounds_up_and_never_exceeds_the_population() -> None:
    sample = draw_sample(population()[:95], SampleSpec(method="percent", percent=10, seed=1))
    assert len(sample.cases) == 10  # 9.5 → 10
    everything = draw_sample(population(), SampleSpec(method="random", n=500, seed=1))
    assert len(everything.cases) == 100
    assert everything.notes == ("500 cases asked for but 100 eligible: all taken",)


def test_stratified_by_team_is_proportional_with_one_per_stratum() -> None:
    spec = SampleSpec(method="stratified", n=20, by=("team",), seed=3, reference_date=ON)
    sample = draw_sample(population(), spec)
    counts = Counter(c.team for c in sample.cases)
    assert counts == {"Demo Team A": 12, "Demo Team B": 6, "Demo Team C": 1, "Demo Team D": 1}
    assert [(s.label, s.population, s.sampled) for s in sample.strata] == [
        ("Demo Team A", 60, 12),
        ("Demo Team B", 30, 6),
        ("Demo Team C", 9, 1),
        ("Demo Team D", 1, 1),
    ]


def test_stratified_by_team_and_case_type() -> None:
    spec = SampleSpec(method="stratified", percent=20, by=("team", "case_type"), seed=3)
    sample = draw_sample(population(), spec)
    assert len(sample.cases) == 20
    # Quotas 6, 6, 3, 3, 1, 0.8, 0.2: the two smallest strata get their minimum of one, and
    # the place that costs is taken from the largest stratum (ties in key order).
    assert {s.key: s.sampled for s in sample.strata} == {
        ("Demo Team A", "child_in_need"): 5,
        ("Demo Team A", "child_protection"): 6,
        ("Demo Team B", "child_in_need"): 3,
        ("Demo Team B", "child_protection"): 3,
        ("Demo Team C", "child_in_need"): 1,
        ("Demo Team C", "child_protection"): 1,
        ("Demo Team D", "child_in_need"): 1,
    }


def test_allocation_with_fewer_places_than_strata() -> None:
    assert allocate({"a": 5, "b": 50, "c": 20, "d": 0}, 2) == {"a": 0, "b": 1, "c": 1, "d": 0}
    assert allocate({"a": 5, "b": 0}, 10) == {"a": 5, "b": 0}


@given(
    st.dictionaries(st.text(min_size=1, max_size=3), st.integers(0, 200), max_size=8),
    st.integers(0, 400),
)
def test_allocation_invariants(sizes: dict[str, int], total: int) -> None:
    allocation = allocate(sizes, total)
    present = [k for k, n in sizes.items() if n]
    assert sum(allocation.values()) == min(total, sum(sizes.values()))
    assert all(0 <= allocation[k] <= sizes[k] for k in sizes)
    if total >= len(present):
        assert all(allocation[k] >= 1 for k in present)


def test_exclusion_window_leaves_out_recently_audited_cases() -> None:
    cases = [
        Candidate("u1", "FAKE-1", "child_protection", "T", last_audit_date=date(2025, 5, 30)),
        Candidate("u2", "FAKE-2", "child_protection", "T", last_audit_date=date(2025, 5, 1)),
        Candidate("u3", "FAKE-3", "child_protection", "T", last_audit_date=date(2025, 4, 30)),
        Candidate("u4", "FAKE-4", "child_protection", "T", last_audit_date=date(2024, 1, 1)),
        Candidate("u5", "FAKE-5", "child_protection", "T"),
    ]
    spec = SampleSpec(method="random", n=10, exclude_months=12, reference_date=ON, seed=1)
    sample = draw_sample(cases, spec)
    # Audited after 30/04/2025 is within 12 months of 30/04/2026; exactly 12 months ago is not.
    assert [c.reference for c in sample.excluded] == ["FAKE-1", "FAKE-2"]
    assert refs(sample) == ["FAKE-3", "FAKE-4", "FAKE-5"]
    assert sample.notes[0] == "2 cases audited in the 12 months before 30/04/2026 left out"
    assert sample.record()["excluded_recently_audited"] == ["FAKE-1", "FAKE-2"]


def test_closed_in_the_last_three_months_takes_them_all() -> None:
    closed = [date(2026, 1, 30), date(2026, 1, 31), date(2026, 4, 30), date(2026, 5, 1), None]
    cases = [
        Candidate(f"u{i}", f"FAKE-{i}", "child_in_need", "T", closed_date=d)
        for i, d in enumerate(closed)
    ]
    sample = draw_sample(cases, SampleSpec(method="closed", reference_date=ON))
    assert (sample.spec.closed_from, sample.spec.closed_to) == (date(2026, 1, 31), ON)
    assert refs(sample) == ["FAKE-1", "FAKE-2"]
    between = SampleSpec(
        method="closed", closed_from=date(2026, 1, 1), closed_to=date(2026, 12, 31), n=2, seed=4
    )
    assert len(draw_sample(cases, between).cases) == 2


def test_per_team_quota_and_within_team_strata() -> None:
    spec = SampleSpec(method="random", per_team=2, seed=5, reference_date=ON)
    sample = draw_sample(population(), spec)
    assert Counter(c.team for c in sample.cases) == {
        "Demo Team A": 2,
        "Demo Team B": 2,
        "Demo Team C": 2,
        "Demo Team D": 1,
    }
    assert "Demo Team D has 1 eligible case, quota 2" in sample.notes
    stratified = draw_sample(
        population(), SampleSpec(method="stratified", per_team=2, by=("case_type",), seed=5)
    )
    team_a = [c for c in stratified.cases if c.team == "Demo Team A"]
    assert sorted(c.case_type for c in team_a) == ["child_in_need", "child_protection"]


def test_filters_by_case_type_team_and_open_cases() -> None:
    cases = [
        *population(),
        Candidate("x1", "FAKE-X1", "looked_after", "Demo Team A", closed_date=date(2026, 3, 1)),
        Candidate("x2", "FAKE-X2", "looked_after", "Demo Team A"),
    ]
    spec = SampleSpec(
        method="random", n=50, case_types=("looked_after",), open_only=True, reference_date=ON
    )
    assert refs(draw_sample(cases, spec)) == ["FAKE-X2"]
    teams = SampleSpec(method="random", n=50, teams=("Demo Team D",), seed=1)
    assert refs(draw_sample(cases, teams)) == ["FAKE-0100"]


def test_hand_picked_cases() -> None:
    cases = population()
    audited = Candidate("h", "FAKE-H", "child_protection", "T", last_audit_date=date(2026, 4, 1))
    spec = SampleSpec(
        method="hand",
        references=("FAKE-0002", "FAKE-H", " FAKE-0001 "),
        exclude_months=12,
        reference_date=ON,
    )
    sample = draw_sample([*cases, audited], spec)
    assert refs(sample) == ["FAKE-0001", "FAKE-0002", "FAKE-H"]
    assert sample.notes == (
        "FAKE-H was audited on 01/04/2026 (within the exclusion window): kept, as it was "
        "picked by hand",
    )
    with pytest.raises(ValidationError) as error:
        draw_sample(cases, SampleSpec(method="hand", references=("FAKE-0001", "NOPE-1")))
    assert error.value.problems == ["NOPE-1"]


def test_cases_already_in_the_programme_are_not_drawn_again() -> None:
    taken = {f"uid-{n}" for n in range(1, 96)}
    sample = draw_sample(
        population(), SampleSpec(method="random", n=10, seed=1), already_sampled=taken
    )
    assert refs(sample) == ["FAKE-0096", "FAKE-0097", "FAKE-0098", "FAKE-0099", "FAKE-0100"]


@pytest.mark.parametrize(
    ("spec", "problem"),
    [
        (SampleSpec(method="lottery", n=1), "the method must be one of"),
        (SampleSpec(method="random"), "needs one of: a number, a percentage, a quota"),
        (SampleSpec(method="random", n=1, percent=5), "needs one of"),
        (SampleSpec(method="percent"), "needs the percentage"),
        (SampleSpec(method="percent", percent=150), "at most 100"),
        (SampleSpec(method="random", n=0), "at least 1"),
        (SampleSpec(method="stratified", n=5), "what to stratify by"),
        (SampleSpec(method="stratified", n=5, by=("worker",)), "cannot stratify by worker"),
        (SampleSpec(method="hand"), "needs the case references"),
        (SampleSpec(method="hand", references=("A",), n=3), "takes no size"),
        (
            SampleSpec(method="closed", closed_from=date(2026, 2, 1), closed_to=date(2026, 1, 1)),
            "ends before it starts",
        ),
        (SampleSpec(method="random", n=1, exclude_months=-1), "cannot be negative"),
        (SampleSpec(method="random", n=1, case_types=("alien",)), "'alien' is not a case type"),
    ],
)
def test_impossible_parameters_are_refused(spec: SampleSpec, problem: str) -> None:
    with pytest.raises(ValidationError) as error:
        draw_sample(population(), spec)
    assert any(problem in p for p in error.value.problems), error.value.problems


def test_tampered_record_does_not_reproduce() -> None:
    sample = draw_sample(population(), SampleSpec(method="random", n=10, seed=11))
    record = sample.record()
    assert redraw(record) == record["sample"]
    record["seed"] = 12
    assert redraw(record) != record["sample"]


def test_even_assignment_balances_numbers_and_teams() -> None:
    sample = draw_sample(population(), SampleSpec(method="random", n=30, seed=8))
    shared = assign_evenly(sample.cases, ["Ash", "Birch", "Cedar"])
    assert Counter(shared.values()) == {"Ash": 10, "Birch": 10, "Cedar": 10}
    teams = Counter((shared[c.uid], c.team) for c in sample.cases)
    for team in {c.team for c in sample.cases}:
        per_auditor = [teams[(a, team)] for a in ("Ash", "Birch", "Cedar")]
        assert max(per_auditor) - min(per_auditor) <= 1
    topped_up = assign_evenly(sample.cases[:4], ["Ash", "Birch"], current_load={"Ash": 3})
    assert Counter(topped_up.values()) == {"Birch": 3, "Ash": 1}
    with pytest.raises(ValidationError, match="at least one auditor"):
        assign_evenly(sample.cases, [" "])
