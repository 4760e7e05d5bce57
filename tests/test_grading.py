"""Grading rules (docs/grading.md), by example and by invariant."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auditor.audits.grading import grade_audit
from auditor.domain import CaseType, Grade
from auditor.frameworks.model import Framework, load_builtin_frameworks

BUILTIN = load_builtin_frameworks()[0]
VALUES = ["yes", "partly", "no", "na", None]
_IMPROVES = {"no": ["partly", "yes"], "partly": ["yes"]}


def test_all_yes_is_outstanding(mini: Framework) -> None:
    result = grade_audit(mini, "child_in_need", {"R-1": "yes", "R-2": "yes", "V-1": "yes"})
    assert result.suggested is Grade.OUTSTANDING
    assert result.compliance == 100
    assert result.complete and result.progress_text == "3 of 3 answered"


def test_partly_scores_half(mini: Framework) -> None:
    result = grade_audit(mini, "child_in_need", {"R-1": "yes", "R-2": "partly", "V-1": "yes"})
    assert result.compliance == pytest.approx(100 * 2.5 / 3)
    assert result.suggested is Grade.GOOD


def test_not_applicable_is_left_out_of_the_score(mini: Framework) -> None:
    result = grade_audit(mini, "child_in_need", {"R-1": "yes", "R-2": "na", "V-1": "yes"})
    assert result.compliance == 100
    assert result.answered == 3


def test_limiting_no_caps_the_grade(mini: Framework) -> None:
    # 3 of 4 scored criteria met would be Good, but R-1 is limiting.
    answers = {"R-1": "no", "R-2": "yes", "V-1": "yes", "V-2": "yes"}
    result = grade_audit(mini, "looked_after", answers)
    assert result.compliance == 75
    assert result.suggested is Grade.REQUIRES_IMPROVEMENT
    assert result.limiting_failures == ("R-1",)


def test_cap_never_raises_a_low_grade(mini: Framework) -> None:
    result = grade_audit(mini, "child_in_need", {"R-1": "no", "R-2": "no", "V-1": "no"})
    assert result.suggested is Grade.INADEQUATE


def test_criteria_not_asked_for_the_case_type_are_ignored(mini: Framework) -> None:
    result = grade_audit(
        mini, "child_in_need", {"R-1": "yes", "R-2": "yes", "V-1": "yes", "V-2": "no"}
    )
    assert result.suggested is Grade.OUTSTANDING
    assert result.applicable == 3


def test_no_scored_answer_means_no_suggestion(mini: Framework) -> None:
    assert grade_audit(mini, "child_in_need", {}).suggested is None
    assert grade_audit(mini, "child_in_need", {"R-1": "na"}).suggested is None


def test_section_scores(mini: Framework) -> None:
    result = grade_audit(mini, "child_in_need", {"R-1": "yes", "R-2": "no"})
    risk, voice = result.sections
    assert (risk.code, risk.compliance, risk.answered, risk.applicable) == ("RISK", 50, 2, 2)
    assert (voice.code, voice.compliance, voice.answered) == ("VOICE", None, 0)


@pytest.mark.parametrize(
    ("compliance_answers", "grade"),
    [
        (["yes"] * 9 + ["no"], Grade.OUTSTANDING),  # 90 %: exactly on the threshold
        (["yes"] * 8 + ["partly"] * 2, Grade.OUTSTANDING),
        (["yes"] * 8 + ["no"] * 2, Grade.GOOD),
        (["yes"] * 5 + ["no"] * 5, Grade.REQUIRES_IMPROVEMENT),
        (["yes"] * 4 + ["no"] * 6, Grade.INADEQUATE),
    ],
)
def test_thresholds_on_builtin(compliance_answers: list[str], grade: Grade) -> None:
    everything = BUILTIN.criteria_for(CaseType.CHILD_PROTECTION)
    asked = [
        c for c in everything if not c.limiting and "partly" in {v.code for v in c.scale.values}
    ][:10]
    assert len(asked) == 10
    # Only the ten under test are answered: unanswered criteria are not scored.
    answers = {c.code: value for c, value in zip(asked, compliance_answers, strict=True)}
    assert grade_audit(BUILTIN, "child_protection", answers).suggested is grade


answer_sets = st.sampled_from(list(CaseType)).flatmap(
    lambda ct: st.tuples(
        st.just(ct),
        st.fixed_dictionaries(
            {
                c.code: st.sampled_from([v.code for v in c.scale.values] + [None])
                for c in BUILTIN.criteria_for(ct)
            }
        ),
    )
)


@given(answer_sets, st.data())
def test_improving_an_answer_never_lowers_the_suggested_grade(case: tuple, data) -> None:
    case_type, answers = case
    improvable = sorted(
        code
        for code, value in answers.items()
        if value in _IMPROVES
        and any(
            v in {s.code for s in BUILTIN.criterion(code).scale.values} for v in _IMPROVES[value]
        )
    )
    if not improvable:
        return
    code = data.draw(st.sampled_from(improvable))
    scale = {v.code for v in BUILTIN.criterion(code).scale.values}
    better = data.draw(st.sampled_from([v for v in _IMPROVES[answers[code]] if v in scale]))
    before = grade_audit(BUILTIN, case_type, answers)
    after = grade_audit(BUILTIN, case_type, {**answers, code: better})
    assert before.suggested is not None and after.suggested is not None
    assert after.suggested.rank >= before.suggested.rank
    assert after.compliance >= before.compliance


@given(answer_sets)
def test_compliance_is_a_percentage_and_grade_matches_band(case: tuple) -> None:
    case_type, answers = case
    result = grade_audit(BUILTIN, case_type, answers)
    if result.compliance is None:
        assert result.suggested is None
        return
    assert 0 <= result.compliance <= 100
    if result.limiting_failures:
        assert result.suggested.rank <= Grade.REQUIRES_IMPROVEMENT.rank
    assert result.answered <= result.applicable


@given(answer_sets)
def test_adding_not_applicable_answers_changes_no_score(case: tuple) -> None:
    case_type, answers = case
    with_na = {
        code: (
            "na"
            if value is None and "na" in {v.code for v in BUILTIN.criterion(code).scale.values}
            else value
        )
        for code, value in answers.items()
    }
    assert (
        grade_audit(BUILTIN, case_type, with_na).compliance
        == grade_audit(BUILTIN, case_type, answers).compliance
    )
