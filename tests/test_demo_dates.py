"""Demo data's dates follow the order real work has, as a QA lead reading it expects: a
case's referral before its assessment before its plan; an audit after the case's history
(its latest visit and supervision are as of today, as a case list exported today says);
submitted after the audit, moderated after that; an action raised at its audit, due and
done after it; nothing later than today."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from auditor.demo import CASE_HISTORY_DATES, make_demo
from auditor.domain import CASE_DATE_FIELDS
from auditor.store import Store

SEEDS = [1, 2, 3, 7, 11]
IN_ORDER = ("referral_date", "assessment_start", "assessment_end", "plan_start")
UK_DATE = re.compile(r"\b(\d{2})/(\d{2})/(\d{4})\b")


def _day(stamp: str | None) -> str | None:
    """The UTC day of a timestamp (or a date) as ISO text, comparable as text."""
    return stamp[:10] if stamp else None


def _demo(store: Store, seed: int, end: date | None) -> None:
    make_demo(store, cases=60, audits=90, seed=seed, end=end)


@pytest.mark.parametrize("end", [None, date(2026, 3, 15)], ids=["today", "past-end"])
@pytest.mark.parametrize("seed", SEEDS)
def test_a_cases_dates_are_in_the_order_of_the_work(
    store: Store, seed: int, end: date | None
) -> None:
    _demo(store, seed, end)
    last = (end or date.today()).isoformat()
    for case in store.query("SELECT * FROM cases"):
        known = [case[f] for f in IN_ORDER if case[f]]
        assert known == sorted(known), (case["reference"], known)
        dates = {f: case[f] for f in CASE_DATE_FIELDS if case[f]}
        assert all(d <= last for d in dates.values()), (case["reference"], dates)
        assert all(d >= case["referral_date"] for d in dates.values()), dates
        if case["closed_date"]:
            assert max(dates.values()) == case["closed_date"], dates
        if case["initial_conference_date"]:
            assert case["strategy_discussion_date"] <= case["initial_conference_date"]
            assert case["initial_conference_date"] <= case["core_group_first_date"]


@pytest.mark.parametrize("seed", SEEDS)
def test_audits_come_after_their_cases_dates_and_move_on_in_order(store: Store, seed: int) -> None:
    _demo(store, seed, None)
    today = date.today().isoformat()
    now = datetime.now(UTC).isoformat()
    cases = {c["id"]: c for c in store.query("SELECT * FROM cases")}
    audits = list(store.query("SELECT * FROM audits"))
    assert audits
    for audit in audits:
        case = cases[audit["case_id"]]
        history = max(case[f] for f in CASE_HISTORY_DATES if case[f])
        assert history <= audit["audit_date"] <= today, (case["reference"], audit["audit_date"])
        stamps = [audit["created_at"], audit["submitted_at"], audit["moderated_at"]]
        stamps.append(audit["finalised_at"])
        steps = [s for s in stamps if s]
        assert steps == sorted(steps), steps
        assert _day(audit["created_at"]) == audit["audit_date"]
        assert all(s <= now for s in steps) and audit["updated_at"] <= now
        assert (audit["submitted_at"] is None) == (audit["status"] == "draft")
        if audit["status"] in ("moderated", "final"):
            assert audit["moderated_at"] is not None
        if audit["status"] == "final":
            assert audit["finalised_at"] is not None


@pytest.mark.parametrize("seed", SEEDS)
def test_actions_are_raised_at_their_audit_and_due_and_done_after(store: Store, seed: int) -> None:
    _demo(store, seed, None)
    today = date.today().isoformat()
    rows = list(
        store.query(
            "SELECT a.created_at, a.due_date, a.done_date, a.status, u.audit_date "
            "FROM actions a JOIN audits u ON u.id = a.audit_id"
        )
    )
    assert rows
    for action in rows:
        raised = _day(action["created_at"])
        assert raised == action["audit_date"] <= today, action
        assert action["due_date"] > raised, action
        if action["status"] == "done":
            assert raised < action["done_date"] <= today, action
            assert action["done_date"] <= action["due_date"]


@pytest.mark.parametrize("seed", SEEDS)
def test_moderations_and_evidence_are_dated_within_the_audits_life(store: Store, seed: int) -> None:
    _demo(store, seed, None)
    for row in store.query(
        "SELECT m.created_at, u.submitted_at FROM moderations m JOIN audits u ON u.id = m.audit_id"
    ):
        assert row["created_at"] >= row["submitted_at"], row
    for row in store.query(
        "SELECT a.evidence, u.audit_date, c.referral_date FROM answers a "
        "JOIN audits u ON u.id = a.audit_id JOIN cases c ON c.id = u.case_id"
    ):
        for day, month, year in UK_DATE.findall(row["evidence"]):
            seen = f"{year}-{month}-{day}"
            assert row["referral_date"] <= seen <= row["audit_date"], row


def test_the_programme_and_sample_are_made_before_the_audits(store: Store) -> None:
    _demo(store, 1, None)
    late = store.scalar(
        "SELECT COUNT(*) FROM audits u JOIN programmes p ON p.id = u.programme_id "
        "WHERE u.audit_date < p.period_start OR p.created_at > u.created_at"
    )
    assert late == 0
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    assert store.scalar("SELECT MAX(added_at) FROM programme_cases") < tomorrow
