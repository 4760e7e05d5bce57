"""A draft is its auditor's: anyone else's save is refused until they take it over, with a
reason kept in the trail. Moderation by a QA lead and amendments of final audits still work."""

from __future__ import annotations

from datetime import date

import pytest

from auditor.audits.actions import add_action
from auditor.audits.records import get_audit, record_answer, start_audit, update_audit
from auditor.audits.takeover import take_over_audit
from auditor.audits.workflow import finalise_audit, moderate_audit, submit_audit
from auditor.cases.records import Case
from auditor.domain import AuditStatus, Grade
from auditor.errors import AuditStateError, ValidationError
from auditor.store import Store
from auditor.store.trail import history, verify_trail

ME = "Test Auditor"
QA = "Test QA Lead"


@pytest.fixture
def draft(store: Store, case: Case) -> str:
    uid = start_audit(
        store, case_uid=case.uid, auditor=ME, framework_code="MINI", audit_date=date(2026, 3, 2)
    )
    record_answer(store, uid, "R-1", value="yes", actor=ME)
    return uid


def test_someone_elses_save_to_a_draft_is_refused_and_changes_nothing(
    store: Store, draft: str
) -> None:
    before = len(history(store, draft))
    for save in (
        lambda: record_answer(store, draft, "R-2", value="yes", actor=QA),
        lambda: record_answer(store, draft, "R-1", evidence="QA note.", actor=QA),
        lambda: update_audit(store, draft, actor=QA, final_grade=Grade.GOOD),
        lambda: add_action(store, draft, actor=QA, text="Visit the child."),
    ):
        with pytest.raises(AuditStateError, match=f"This draft is {ME}'s: only they can"):
            save()
    audit = get_audit(store, draft)
    assert audit.answer_value("R-2") is None and audit.final_grade is None and not audit.actions
    assert len(history(store, draft)) == before


def test_the_auditor_saves_whatever_the_case_of_their_name(store: Store, draft: str) -> None:
    record_answer(store, draft, "R-2", value="no", evidence="None.", actor="test auditor ")
    assert get_audit(store, draft).answer_value("R-2") == "no"


def test_taking_over_makes_the_taker_the_auditor_and_keeps_the_reason(
    store: Store, draft: str
) -> None:
    take_over_audit(store, draft, actor=QA, reason="Test Auditor is on leave.")
    audit = get_audit(store, draft)
    assert audit.auditor == QA and audit.status is AuditStatus.DRAFT
    row = history(store, draft)[-1]
    assert (row["field"], row["old_value"], row["new_value"], row["actor"]) == (
        "auditor",
        ME,
        QA,
        QA,
    )
    assert row["reason"] == "Taken over: Test Auditor is on leave."
    assert verify_trail(store) == []
    # Now the taker's saves are theirs; the former auditor's are refused.
    record_answer(store, draft, "R-2", value="yes", actor=QA)
    assert history(store, draft)[-1]["actor"] == QA
    with pytest.raises(AuditStateError, match=f"This draft is {QA}'s"):
        record_answer(store, draft, "V-1", value="yes", actor=ME)


def test_taking_over_needs_a_reason_a_draft_and_someone_else(store: Store, draft: str) -> None:
    with pytest.raises(ValidationError, match="Say why"):
        take_over_audit(store, draft, actor=QA, reason="  ")
    with pytest.raises(AuditStateError, match="already yours"):
        take_over_audit(store, draft, actor=ME, reason="Mine.")
    for code in ("R-2", "V-1"):
        record_answer(store, draft, code, value="yes", actor=ME)
    update_audit(store, draft, actor=ME, final_grade=Grade.OUTSTANDING)
    submit_audit(store, draft, actor=ME)
    with pytest.raises(AuditStateError, match="Only a draft can be taken over"):
        take_over_audit(store, draft, actor=QA, reason="Too late.")
    assert get_audit(store, draft).auditor == ME


def test_moderation_by_a_qa_lead_and_amendment_of_a_final_audit_still_work(
    store: Store, draft: str
) -> None:
    for code in ("R-2", "V-1"):
        record_answer(store, draft, code, value="yes", actor=ME)
    update_audit(store, draft, actor=ME, final_grade=Grade.OUTSTANDING)
    submit_audit(store, draft, actor=ME)
    moderate_audit(store, draft, moderator=QA, grade=Grade.OUTSTANDING)
    finalise_audit(store, draft, actor=QA)
    record_answer(store, draft, "R-2", value="partly", evidence="Seen.", actor=QA, reason="Amend.")
    audit = get_audit(store, draft)
    assert audit.status is AuditStatus.FINAL and audit.answer_value("R-2") == "partly"
    assert history(store, draft)[-1]["actor"] == QA
