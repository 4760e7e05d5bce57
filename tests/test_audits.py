"""An audit from start to final: answers, grade, actions, submission, moderation, amendment."""

from __future__ import annotations

from datetime import date

import pytest

from auditor.audits.actions import add_action, list_all_actions, set_action_status
from auditor.audits.records import get_audit, list_audits, record_answer, start_audit, update_audit
from auditor.audits.workflow import (
    ModeratedAnswer,
    delete_audit,
    finalise_audit,
    moderate_audit,
    return_to_draft,
    submit_audit,
)
from auditor.cases.records import Case
from auditor.domain import AuditStatus, Grade
from auditor.errors import AuditStateError, NotFoundError, ValidationError
from auditor.store import Store
from auditor.store.trail import history, verify_trail

ME = "Test Auditor"
QA = "Test QA Lead"


@pytest.fixture
def audit_uid(store: Store, case: Case) -> str:
    return start_audit(
        store, case_uid=case.uid, auditor=ME, framework_code="MINI", audit_date=date(2026, 3, 2)
    )


def _answer_all(store: Store, uid: str, value: str = "yes") -> None:
    for code in ("R-1", "R-2", "V-1"):
        record_answer(store, uid, code, value=value, evidence=f"Seen for {code}.", actor=ME)


def test_a_new_audit_keeps_its_framework_version_and_is_a_draft(
    store: Store, audit_uid: str
) -> None:
    audit = get_audit(store, audit_uid)
    assert audit.status is AuditStatus.DRAFT
    assert (audit.framework.code, audit.framework.version) == ("MINI", "1.0.0")
    assert [c.code for c in audit.criteria] == ["R-1", "R-2", "V-1"]
    assert audit.grade().progress_text == "0 of 3 answered"


def test_each_answer_is_saved_and_updates_the_suggested_grade(store: Store, audit_uid: str) -> None:
    record_answer(store, audit_uid, "R-1", value="yes", actor=ME)
    assert store.scalar("SELECT suggested_grade FROM audits") == "outstanding"
    record_answer(store, audit_uid, "R-2", value="no", evidence="No framework used.", actor=ME)
    audit = get_audit(store, audit_uid)
    assert audit.answers["R-2"].evidence == "No framework used."
    assert audit.grade().suggested is Grade.REQUIRES_IMPROVEMENT  # 50 % is on the threshold
    assert store.scalar("SELECT compliance FROM audits") == 50


def test_answers_outside_the_scale_or_not_asked_are_refused(store: Store, audit_uid: str) -> None:
    with pytest.raises(ValidationError, match="'maybe' is not an answer"):
        record_answer(store, audit_uid, "R-1", value="maybe", actor=ME)
    with pytest.raises(ValidationError, match="V-2 is not asked for this type of case"):
        record_answer(store, audit_uid, "V-2", value="yes", actor=ME)
    with pytest.raises(ValidationError, match="has no criterion X-9"):
        record_answer(store, audit_uid, "X-9", value="yes", actor=ME)
    assert store.scalar("SELECT COUNT(*) FROM answers") == 0


def test_submission_names_everything_missing(store: Store, audit_uid: str) -> None:
    record_answer(store, audit_uid, "R-1", value="no", actor=ME)
    update_audit(store, audit_uid, actor=ME, safeguarding_concern=True)
    with pytest.raises(ValidationError) as info:
        submit_audit(store, audit_uid, actor=ME)
    assert info.value.problems == [
        "R-1 is answered 'No': write the evidence you saw",
        "R-2 is not answered",
        "V-1 is not answered",
        "choose the final grade",
        "an immediate safeguarding concern needs at least one open action",
    ]
    assert get_audit(store, audit_uid).status is AuditStatus.DRAFT


def test_a_grade_that_differs_from_the_suggestion_needs_a_reason(
    store: Store, audit_uid: str
) -> None:
    _answer_all(store, audit_uid)
    update_audit(store, audit_uid, actor=ME, final_grade=Grade.GOOD)
    with pytest.raises(ValidationError) as info:
        submit_audit(store, audit_uid, actor=ME)
    assert info.value.problems == [
        "give a reason why your grade differs from the suggested grade (Outstanding)"
    ]
    update_audit(store, audit_uid, actor=ME, grade_reason="Impact for the child is limited.")
    submit_audit(store, audit_uid, actor=ME)
    assert get_audit(store, audit_uid).status is AuditStatus.SUBMITTED


def _submitted(store: Store, uid: str) -> None:
    _answer_all(store, uid)
    update_audit(store, uid, actor=ME, final_grade="outstanding")
    submit_audit(store, uid, actor=ME)


def test_a_submitted_audit_is_read_only_until_returned(store: Store, audit_uid: str) -> None:
    _submitted(store, audit_uid)
    with pytest.raises(AuditStateError, match="submitted and read-only"):
        record_answer(store, audit_uid, "R-1", value="no", actor=ME)
    with pytest.raises(AuditStateError):
        add_action(store, audit_uid, actor=ME, text="Late action")
    return_to_draft(store, audit_uid, actor=QA, reason="Evidence for R-2 is thin.")
    record_answer(store, audit_uid, "R-2", value="partly", actor=ME)
    assert get_audit(store, audit_uid).answers["R-2"].value == "partly"


def test_safeguarding_concern_with_an_action_can_be_submitted(store: Store, audit_uid: str) -> None:
    _answer_all(store, audit_uid)
    update_audit(
        store,
        audit_uid,
        actor=ME,
        final_grade="outstanding",
        safeguarding_concern=True,
        safeguarding_note="Child alone at home.",
    )
    action = add_action(
        store,
        audit_uid,
        actor=ME,
        text="Strategy discussion today",
        owner="Test Team Manager",
        due_date=date(2026, 3, 2),
    )
    submit_audit(store, audit_uid, actor=ME)
    [row] = list_all_actions(store)
    assert (row.uid, row.case_reference, row.days_overdue(date(2026, 3, 12))) == (
        action,
        "TEST-0001",
        10,
    )
    set_action_status(store, action, actor=QA, done=True, done_date=date(2026, 3, 3))
    assert list_all_actions(store)[0].days_overdue(date(2026, 3, 12)) == 0


def test_moderation_changes_answers_with_reasons_and_records_both(
    store: Store, audit_uid: str
) -> None:
    _submitted(store, audit_uid)
    with pytest.raises(ValidationError, match="cannot moderate their own"):
        moderate_audit(store, audit_uid, moderator=ME, grade="outstanding")
    with pytest.raises(ValidationError) as info:
        moderate_audit(
            store, audit_uid, moderator=QA, grade="good", changes={"R-2": ModeratedAnswer("partly")}
        )
    assert info.value.problems == [
        "R-2: give a reason for changing the answer",
        "give a reason for changing the grade",
    ]
    moderate_audit(
        store,
        audit_uid,
        moderator=QA,
        grade="good",
        note="Plan lacks timescales",
        changes={"R-2": ModeratedAnswer("partly", "Framework only partly applied")},
    )
    audit = get_audit(store, audit_uid)
    assert audit.status is AuditStatus.MODERATED
    assert audit.final_grade is Grade.GOOD
    assert audit.answers["R-2"].value == "partly"
    pairs = store.query(
        "SELECT criterion_code, auditor_value, moderator_value "
        "FROM moderation_answers ORDER BY criterion_code"
    )
    assert [tuple(p.values()) for p in pairs] == [
        ("R-1", "yes", "yes"),
        ("R-2", "yes", "partly"),
        ("V-1", "yes", "yes"),
    ]
    assert store.one("SELECT auditor_grade, moderator_grade FROM moderations") == {
        "auditor_grade": "outstanding",
        "moderator_grade": "good",
    }


def test_a_final_audit_changes_only_by_amendment_with_a_reason(
    store: Store, audit_uid: str
) -> None:
    _submitted(store, audit_uid)
    finalise_audit(store, audit_uid, actor=QA)
    with pytest.raises(AuditStateError, match="final: an amendment needs a reason"):
        record_answer(store, audit_uid, "V-1", value="partly", actor=QA)
    record_answer(
        store,
        audit_uid,
        "V-1",
        value="partly",
        actor=QA,
        reason="Child's views were recorded only in part (found on review).",
    )
    audit = get_audit(store, audit_uid)
    assert audit.status is AuditStatus.FINAL
    assert audit.answers["V-1"].value == "partly"
    last = history(store, audit_uid)[-1]
    assert (last["field"], last["old_value"], last["new_value"], last["actor"]) == (
        "V-1.value",
        "yes",
        "partly",
        QA,
    )
    assert last["reason"].startswith("Child's views")
    assert verify_trail(store) == []


def test_deleting_a_draft_leaves_a_tombstone(store: Store, audit_uid: str) -> None:
    delete_audit(store, audit_uid, actor=ME, reason="Started on the wrong case")
    assert list_audits(store) == []
    assert store.scalar("SELECT deleted_at IS NOT NULL FROM audits") == 1


def test_a_deleted_or_unknown_audit_takes_no_answer(store: Store, audit_uid: str) -> None:
    """record_answer reads only the few columns it needs of its audit, and finds it as
    audit_row does: a tombstone or a uid that names no audit is not found, nothing saved."""
    with pytest.raises(NotFoundError, match="no audit with id no-such-uid"):
        record_answer(store, "no-such-uid", "R-1", value="yes", actor=ME)
    delete_audit(store, audit_uid, actor=ME, reason="Started on the wrong case")
    rows = store.scalar("SELECT COUNT(*) FROM trail")
    with pytest.raises(NotFoundError, match=f"no audit with id {audit_uid}"):
        record_answer(store, audit_uid, "R-1", value="yes", actor=ME)
    assert store.scalar("SELECT COUNT(*) FROM answers") == 0
    assert store.scalar("SELECT COUNT(*) FROM trail") == rows


def test_every_change_bumps_the_revision(store: Store, audit_uid: str) -> None:
    before = get_audit(store, audit_uid).revision
    record_answer(store, audit_uid, "R-1", value="yes", actor=ME)
    record_answer(store, audit_uid, "R-1", value="yes", actor=ME)  # no change: no revision
    assert get_audit(store, audit_uid).revision == before + 1


def test_list_audits_filters(store: Store, audit_uid: str) -> None:
    assert [a.uid for a in list_audits(store, status="draft", auditor=ME)] == [audit_uid]
    assert list_audits(store, status="submitted") == []
