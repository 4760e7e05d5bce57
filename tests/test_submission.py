"""What stops a submission, summarised by section for people; and the safeguarding rules
(an action due at once, the "Is the child safe now?" question)."""

from __future__ import annotations

from datetime import date

from auditor.audits.records import get_audit, record_answer, start_audit, update_audit
from auditor.audits.safeguarding import (
    answered_safe_now,
    safe_now_criterion,
    safeguarding_due_date,
)
from auditor.audits.submission import UNANSWERED, submission_gaps, summarise_gaps
from auditor.audits.workflow import submission_problems
from auditor.cases.records import Case
from auditor.domain import Grade
from auditor.frameworks.library import ensure_builtin_frameworks, get_framework
from auditor.store import Store

ME = "Test Auditor"


def test_gaps_are_summarised_by_section_with_counts_then_the_audits_own(
    store: Store, case: Case
) -> None:
    uid = start_audit(store, case_uid=case.uid, auditor=ME, framework_code="MINI")
    record_answer(store, uid, "R-1", value="no", actor=ME)  # No without its evidence
    update_audit(store, uid, actor=ME, safeguarding_concern=True)
    audit = get_audit(store, uid)
    gaps = submission_gaps(audit)
    assert [g.message for g in gaps] == submission_problems(audit)
    assert [(g.kind, g.criterion, g.section) for g in gaps][:3] == [
        ("evidence", "R-1", "Risk"),
        (UNANSWERED, "R-2", "Risk"),
        (UNANSWERED, "V-1", "Child's voice"),
    ]
    assert summarise_gaps(gaps) == [
        "Risk: 1 criterion unanswered and 1 answer without its evidence",
        "Child's voice: 1 criterion unanswered",
        "Choose the final grade",
        "An immediate safeguarding concern needs at least one open action",
    ]


def test_a_different_grade_without_a_reason_is_one_line(store: Store, case: Case) -> None:
    uid = start_audit(store, case_uid=case.uid, auditor=ME, framework_code="MINI")
    for code in ("R-1", "R-2", "V-1"):
        record_answer(store, uid, code, value="yes", actor=ME)
    update_audit(store, uid, actor=ME, final_grade=Grade.GOOD)
    assert summarise_gaps(submission_gaps(get_audit(store, uid))) == [
        "Give a reason why your grade differs from the suggested grade (Outstanding)"
    ]


def test_a_safeguarding_action_is_due_today_or_the_next_working_day() -> None:
    assert safeguarding_due_date(date(2026, 3, 4)) == date(2026, 3, 4)  # a Wednesday
    assert safeguarding_due_date(date(2026, 3, 7)) == date(2026, 3, 9)  # Saturday → Monday
    assert safeguarding_due_date(date(2026, 12, 25)) == date(2026, 12, 29)  # bank holidays


def test_the_safe_now_question_is_found_and_a_yes_contradicts_a_concern(store: Store) -> None:
    ensure_builtin_frameworks(store)
    framework = get_framework(store, "IN-CFA")
    criterion = safe_now_criterion(framework, "child_in_need")
    assert criterion is not None and criterion.code == "SAFE-01"
    assert answered_safe_now(framework, "child_in_need", {"SAFE-01": "yes"}) is criterion
    assert answered_safe_now(framework, "child_in_need", {"SAFE-01": "no"}) is None
    assert answered_safe_now(framework, "child_in_need", {}) is None
