"""Inter-rater agreement: percentage and Cohen's kappa against hand-computed values."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auditor.audits.records import record_answer, start_audit, update_audit
from auditor.audits.workflow import ModeratedAnswer, moderate_audit, submit_audit
from auditor.cases.records import Case
from auditor.figures.agreement import agreement_report, cohen_kappa, percent_agreement
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
