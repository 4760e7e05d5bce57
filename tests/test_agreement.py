"""Inter-rater agreement: percentage, Cohen's and weighted kappa with intervals, against
hand-computed values and scikit-learn's ``cohen_kappa_score`` (a test-only dependency)."""

from __future__ import annotations

import math
from statistics import NormalDist

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score

from auditor.audits.records import record_answer, start_audit, update_audit
from auditor.audits.workflow import ModeratedAnswer, moderate_audit, submit_audit
from auditor.cases.records import Case, add_case
from auditor.domain import Grade
from auditor.figures.agreement import (
    GRADE_ORDER,
    AgreementFigure,
    agreement_report,
    cohen_kappa,
    kappa_with_interval,
    percent_agreement,
    weighted_kappa,
)
from auditor.figures.stats import wilson_interval
from auditor.frameworks.model import Framework
from auditor.programmes.records import create_programme
from auditor.store import Store


def test_kappa_textbook_example() -> None:
    # 50 files: both "yes" 20, both "no" 15, A yes/B no 5, A no/B yes 10.
    # po = 35/50 = 0.7; A yes 25/50, B yes 30/50; pe = .5*.6 + .5*.4 = 0.5; kappa = 0.4.
    pairs = [("yes", "yes")] * 20 + [("no", "no")] * 15 + [("yes", "no")] * 5 + [("no", "yes")] * 10
    assert percent_agreement(pairs) == 70.0
    assert cohen_kappa(pairs) == pytest.approx(0.4)


def test_kappa_three_categories() -> None:
    pairs = [
        ("yes", "yes"),
        ("yes", "yes"),
        ("yes", "yes"),
        ("yes", "partly"),
        ("partly", "partly"),
        ("partly", "partly"),
        ("partly", "no"),
        ("no", "no"),
        ("no", "no"),
    ]
    # Agreements: 7 of 9. A: yes 4, partly 3, no 2; B: yes 3, partly 3, no 3.
    # Chance: (4*3 + 3*3 + 2*3) / 81 = 1/3. Kappa: (7/9 - 1/3) / (1 - 1/3) = 2/3.
    assert percent_agreement(pairs) == pytest.approx(700 / 9)
    assert cohen_kappa(pairs) == pytest.approx(2 / 3)


def test_kappa_edge_cases() -> None:
    assert cohen_kappa([]) is None and percent_agreement([]) is None
    assert cohen_kappa([("yes", "yes")] * 5) is None  # undefined: one category only
    assert percent_agreement([("yes", "yes")] * 5) == 100.0
    assert cohen_kappa([("yes", "no"), ("no", "yes")]) == pytest.approx(-1.0)


@given(st.lists(st.tuples(st.sampled_from("ypn"), st.sampled_from("ypn")), min_size=1))
def test_kappa_is_at_most_one_and_one_only_for_perfect_agreement(pairs: list) -> None:
    kappa = cohen_kappa(pairs)
    if kappa is not None:
        assert -1.0 - 1e-9 <= kappa <= 1.0 + 1e-9
        assert (abs(kappa - 1.0) < 1e-9) == all(a == b for a, b in pairs)


def _submitted(
    store: Store,
    case: Case,
    auditor: str,
    answers: dict[str, str],
    grade: str,
    programme: str | None = None,
) -> str:
    uid = start_audit(
        store, case_uid=case.uid, auditor=auditor, framework_code="MINI", programme_uid=programme
    )
    for code, value in answers.items():
        record_answer(store, uid, code, value=value, evidence="Seen.", actor=auditor)
    update_audit(store, uid, actor=auditor, final_grade=grade, grade_reason="Judgement.")
    submit_audit(store, uid, actor=auditor)
    return uid


def test_report_from_moderation(store: Store, case: Case) -> None:
    uid = _submitted(store, case, "Auditor A", {"R-1": "yes", "R-2": "yes", "V-1": "no"}, "good")
    moderate_audit(
        store,
        uid,
        moderator="QA Lead",
        grade="requires_improvement",
        note="Thin",
        changes={"R-2": ModeratedAnswer("partly", "Framework not applied")},
    )
    report = agreement_report(store)
    assert report.moderated_audits == 1 and report.grade_changed == 1
    assert (report.grade.pairs, report.grade.percent) == (1, 0.0)
    assert report.criteria[0].subject == "R-2"  # the disagreement comes first
    assert {f.subject: f.percent for f in report.criteria} == {
        "R-2": 0.0,
        "R-1": 100.0,
        "V-1": 100.0,
    }


def test_report_from_blind_double_audit(store: Store, case: Case) -> None:
    programme = create_programme(store, actor="QA Lead", name="Double", framework_code="MINI")
    _submitted(
        store, case, "Auditor A", {"R-1": "yes", "R-2": "no", "V-1": "yes"}, "good", programme
    )
    _submitted(
        store, case, "Auditor B", {"R-1": "yes", "R-2": "yes", "V-1": "yes"}, "good", programme
    )
    report = agreement_report(store)
    assert report.double_audits == 1 and report.moderated_audits == 0
    assert (report.grade.pairs, report.grade.percent) == (1, 100.0)
    assert report.criteria[0].subject == "R-2" and report.criteria[0].percent == 0.0


# ---------------------------------------------------------------------------------------
# Against scikit-learn, the N/A rule, weighted kappa, intervals and the confusion matrix

GRADES = list(GRADE_ORDER)
ANSWERS = ["yes", "partly", "no"]


def _sklearn(pairs: list, weights: str | None = None, labels: list | None = None) -> float:
    first, second = [a for a, _ in pairs], [b for _, b in pairs]
    return float(cohen_kappa_score(first, second, labels=labels, weights=weights))


def test_kappas_equal_scikit_learns_on_crafted_grades() -> None:
    # A moderator who moves most grades one band down, one two bands.
    pairs = (
        [("outstanding", "outstanding")] * 3
        + [("outstanding", "good")] * 2
        + [("good", "good")] * 6
        + [("good", "requires_improvement")] * 3
        + [("requires_improvement", "requires_improvement")] * 4
        + [("requires_improvement", "inadequate")] * 1
        + [("good", "inadequate")] * 1
        + [("inadequate", "inadequate")] * 2
    )
    assert cohen_kappa(pairs) == pytest.approx(_sklearn(pairs), abs=1e-12)
    weighted = weighted_kappa(pairs, GRADE_ORDER)
    assert weighted == pytest.approx(_sklearn(pairs, "quadratic", GRADES), abs=1e-12)
    assert weighted is not None and weighted > cohen_kappa(pairs)  # near misses count


@given(
    st.lists(st.tuples(st.sampled_from(GRADES), st.sampled_from(GRADES)), min_size=2),
)
def test_kappas_equal_scikit_learns_on_random_ratings(pairs: list) -> None:
    cohen, weighted = cohen_kappa(pairs), weighted_kappa(pairs, GRADE_ORDER)
    if len({c for p in pairs for c in p}) == 1:
        assert cohen is None and weighted is None  # one category throughout: undefined
        return
    assert cohen == pytest.approx(_sklearn(pairs), abs=1e-9)
    assert weighted == pytest.approx(_sklearn(pairs, "quadratic", GRADES), abs=1e-9)


@given(st.lists(st.sampled_from(GRADES), min_size=1))
def test_identical_ratings_have_kappa_one_unless_one_category(ratings: list) -> None:
    pairs = [(r, r) for r in ratings]
    for found in (kappa_with_interval(pairs), kappa_with_interval(pairs, order=GRADE_ORDER)):
        if len(set(ratings)) == 1:
            assert found is None
        else:
            assert found is not None and found.estimate == pytest.approx(1.0)


pair_lists = st.lists(st.tuples(st.sampled_from(GRADES), st.sampled_from(GRADES)), min_size=1)


@given(pair_lists)
def test_kappas_are_symmetric_in_the_raters(pairs: list) -> None:
    swapped = [(b, a) for a, b in pairs]
    for order in (None, GRADE_ORDER):
        one, other = (
            kappa_with_interval(pairs, order=order),
            kappa_with_interval(swapped, order=order),
        )
        assert (one is None) == (other is None)
        if one is not None and other is not None:
            assert one.estimate == pytest.approx(other.estimate, abs=1e-9)
            assert one.standard_error == pytest.approx(other.standard_error, abs=1e-9)


@given(pair_lists)
def test_interval_contains_the_estimate_within_minus_one_and_one(pairs: list) -> None:
    for order in (None, GRADE_ORDER):
        found = kappa_with_interval(pairs, order=order)
        if found is not None:
            assert -1.0 <= found.low <= found.estimate + 1e-12
            assert found.estimate - 1e-12 <= found.high <= 1.0


def _delta_method_se(pairs: list, order: list | None) -> float:
    """The large-sample SE by the delta method, numerically: kappa as a function of the
    cell proportions, its gradient by central differences, under multinomial sampling."""
    categories = order or sorted({c for p in pairs for c in p})
    k, n = len(categories), len(pairs)
    cells = [(a, b) for a in range(k) for b in range(k)]
    at = {c: i for i, c in enumerate(categories)}
    p = {cell: 0.0 for cell in cells}
    for a, b in pairs:
        p[(at[a], at[b])] += 1 / n
    w = {(a, b): (1 - (a - b) ** 2 / (k - 1) ** 2) if order else float(a == b) for a, b in cells}

    def kappa(q: dict) -> float:
        rows = [sum(q[(a, b)] for b in range(k)) for a in range(k)]
        cols = [sum(q[(a, b)] for a in range(k)) for b in range(k)]
        chance = sum(w[(a, b)] * rows[a] * cols[b] for a, b in cells)
        return (sum(w[c] * q[c] for c in cells) - chance) / (1 - chance)

    h, grad = 1e-6, {}
    for cell in cells:
        up, down = dict(p), dict(p)
        up[cell] += h
        down[cell] -= h
        grad[cell] = (kappa(up) - kappa(down)) / (2 * h)
    mean = sum(p[c] * grad[c] for c in cells)
    return math.sqrt((sum(p[c] * grad[c] ** 2 for c in cells) - mean**2) / n)


def test_standard_error_is_the_large_sample_one() -> None:
    # The Fleiss–Cohen–Everitt formula is the delta-method variance of kappa: checked
    # against the delta method worked numerically, for Cohen's and the weighted kappa.
    pairs = (
        [("good", "good")] * 9
        + [("good", "requires_improvement")] * 4
        + [("outstanding", "good")] * 2
        + [("outstanding", "outstanding")] * 3
        + [("requires_improvement", "requires_improvement")] * 5
        + [("inadequate", "requires_improvement")] * 2
        + [("inadequate", "inadequate")] * 3
    )
    for order in (None, GRADES):
        found = kappa_with_interval(pairs, order=order)
        assert found is not None
        se = _delta_method_se(pairs, order)
        assert found.standard_error == pytest.approx(se, rel=1e-5)
        assert found.low == pytest.approx(found.estimate - 1.959964 * se, rel=1e-5)
        assert found.high == pytest.approx(found.estimate + 1.959964 * se, rel=1e-5)


def test_textbook_interval() -> None:
    # The 50-file yes/no example above: kappa 0.4; the Fleiss–Cohen–Everitt SE worked by
    # hand: Σ pᵢᵢ(1 − (pᵢ. + p.ᵢ)(1 − κ))² + (1 − κ)² Σ pᵢⱼ(p.ᵢ + pⱼ.)² − (κ − pe(1 − κ))²
    # = .4(1 − 1.1×.6)² + .3(1 − .9×.6)² + .36(.1×1.1² + .2×.9²) − (.4 − .5×.6)²
    # = .04624 + .06348 + .10188 − .01 = .2016, ÷ (50 × .5²) = .016128: SE .126996.
    pairs = [("yes", "yes")] * 20 + [("no", "no")] * 15 + [("yes", "no")] * 5 + [("no", "yes")] * 10
    found = kappa_with_interval(pairs)
    assert found is not None
    assert found.standard_error == pytest.approx(math.sqrt(0.016128), rel=1e-9)
    assert (round(found.low, 3), round(found.high, 3)) == (0.151, 0.649)


def test_not_applicable_pairs_are_left_out_and_counted() -> None:
    pairs = [("yes", "yes"), ("no", "no"), ("yes", "no"), ("na", "na"), ("na", "yes")]
    figure = AgreementFigure.of("R-1", pairs)
    # Counted: the three without N/A; agreement 2 of 3, kappa as scikit-learn's over them.
    assert (figure.pairs, figure.left_out) == (3, 2)
    assert figure.percent == pytest.approx(200 / 3)
    assert figure.kappa == pytest.approx(_sklearn(pairs[:3]))


def test_report_leaves_not_applicable_out_of_agreement(store: Store, case: Case) -> None:
    uid = _submitted(store, case, "Auditor A", {"R-1": "yes", "R-2": "na", "V-1": "na"}, "good")
    moderate_audit(
        store,
        uid,
        moderator="QA Lead",
        grade="good",
        note="Fine",
        changes={"V-1": ModeratedAnswer("no", "The child's views are not recorded")},
    )
    report = agreement_report(store)
    figures = {f.subject: f for f in report.criteria}
    # both N/A — agreeing that it did not apply is not agreement on a judgement.
    assert (figures["R-2"].pairs, figures["R-2"].left_out, figures["R-2"].percent) == (0, 1, None)
    assert (figures["V-1"].pairs, figures["V-1"].left_out) == (0, 1)
    assert (figures["R-1"].pairs, figures["R-1"].percent) == (1, 100.0)
    assert report.left_out == 2


def test_grade_confusion_matrix_and_weighted_kappa(store: Store, mini: Framework) -> None:
    moves = [
        ("good", "good"),
        ("good", "requires_improvement"),
        ("outstanding", "good"),
        ("requires_improvement", "requires_improvement"),
        ("inadequate", "inadequate"),
    ]
    for n, (given_grade, moderated) in enumerate(moves):
        case = add_case(store, actor="Admin", reference=f"AGR-{n}", case_type="child_in_need")
        answers = {"R-1": "yes", "R-2": "yes", "V-1": "yes"}
        uid = _submitted(store, case, "Auditor A", answers, given_grade)
        moderate_audit(store, uid, moderator="QA Lead", grade=moderated, note="Seen", changes={})
    report = agreement_report(store)
    matrix = report.grade_matrix.counts
    assert matrix[Grade.GOOD][Grade.REQUIRES_IMPROVEMENT] == 1
    assert matrix[Grade.OUTSTANDING][Grade.GOOD] == 1
    assert matrix[Grade.GOOD][Grade.GOOD] == 1
    assert report.grade_matrix.total == 5
    assert report.grade.weighted is not None
    assert report.grade.weighted.estimate == pytest.approx(_sklearn(moves, "quadratic", GRADES))
    assert report.grade.kappa == pytest.approx(_sklearn(moves))


def test_wilson_intervals_use_the_exact_normal_quantile() -> None:
    z = NormalDist().inv_cdf(0.975)  # 1.959963984…: the 95 % two-sided point
    p, n = 0.8, 10
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    low, high = wilson_interval(8, 10)  # type: ignore[misc]
    assert low == pytest.approx(100 * (centre - half), abs=1e-5)  # 1.96 is 6e-4 off
    assert high == pytest.approx(100 * (centre + half), abs=1e-5)
