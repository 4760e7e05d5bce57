"""Blind double audits: chosen reproducibly, started blind, answers hidden until both are in."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.audits.records import get_audit, record_answer, update_audit
from auditor.audits.workflow import submit_audit
from auditor.cases.records import add_case
from auditor.errors import BlindAuditError, ValidationError
from auditor.frameworks.library import register_framework
from auditor.frameworks.model import Framework
from auditor.packs import make_assignment_pack, read_pack
from auditor.programmes.double_audit import (
    answers_hidden_from,
    assign_double_audits,
    double_audit_partner,
    start_programme_audit,
    visible_answers,
)
from auditor.programmes.records import add_programme_cases, create_programme, get_programme
from auditor.store import Store

QA = "QA Lead"
A, B = "Auditor A", "Auditor B"


def _programme(store: Store, cases: int = 10, percent: float = 20.0) -> str:
    uid = create_programme(
        store,
        actor=QA,
        name="Quarterly",
        framework_code="MINI",
        auditors=[A, B],
        double_audit_percent=percent,
    )
    added = [
        add_case(store, actor=QA, reference=f"CASE-{i:02d}", case_type="child_in_need").uid
        for i in range(cases)
    ]
    add_programme_cases(store, uid, [(c, A if i % 2 else B) for i, c in enumerate(added)], actor=QA)
    return uid


def _references(store: Store, uids: list[str]) -> list[str]:
    return sorted(store.scalar("SELECT reference FROM cases WHERE uid = ?", [u]) for u in uids)


def test_the_share_is_chosen_reproducibly_and_the_seed_recorded(
    store: Store, tmp_path: Path, mini: Framework
) -> None:
    programme = _programme(store)
    chosen = assign_double_audits(store, programme, actor=QA, seed=42)
    assert len(chosen) == 2  # 20 % of 10
    assert get_programme(store, programme).sample == {"double_audit": {"percent": 20.0, "seed": 42}}
    pairs = store.query(
        "SELECT auditor, second_auditor FROM programme_cases WHERE second_auditor != ''"
    )
    assert len(pairs) == 2 and all(p["auditor"] != p["second_auditor"] for p in pairs)
    with pytest.raises(ValidationError, match="already assigned"):
        assign_double_audits(store, programme, actor=QA, seed=42)
    with Store.open(tmp_path / "again.db") as other:
        register_framework(other, mini)
        again = assign_double_audits(other, _programme(other), actor=QA, seed=42)
        assert _references(other, again) == _references(store, chosen)


def test_a_sample_drawn_after_the_double_audits_keeps_their_seed(store: Store) -> None:
    from auditor.programmes.samples import draw_for_programme, save_sample
    from auditor.programmes.sampling import SampleSpec

    programme = _programme(store)
    assign_double_audits(store, programme, actor=QA, seed=42)
    for i in range(5):
        add_case(store, actor=QA, reference=f"LATER-{i}", case_type="child_in_need")
    spec = SampleSpec(method="random", n=3, seed=7)
    save_sample(store, programme, draw_for_programme(store, programme, spec), actor=QA)
    sample = get_programme(store, programme).sample
    assert sample is not None
    assert sample["double_audit"] == {"percent": 20.0, "seed": 42}
    assert [d["seed"] for d in sample["draws"]] == [7]


def test_no_double_audits_when_the_programme_asks_for_none(store: Store) -> None:
    with pytest.raises(ValidationError, match="asks for no double audits"):
        assign_double_audits(store, _programme(store, percent=0), actor=QA)


@pytest.fixture
def pair(store: Store) -> tuple[str, str, str]:
    """A double-audited case: (programme, first audit, second audit)."""
    programme = _programme(store)
    [case] = assign_double_audits(store, programme, actor=QA, seed=1)[:1]
    first, second = store.one(
        "SELECT auditor, second_auditor FROM programme_cases WHERE case_id = "
        "(SELECT id FROM cases WHERE uid = ?)",
        [case],
    ).values()
    uid1 = start_programme_audit(store, programme_uid=programme, case_uid=case, auditor=first)
    uid2 = start_programme_audit(store, programme_uid=programme, case_uid=case, auditor=second)
    return programme, uid1, uid2


def _finish(store: Store, uid: str) -> None:
    auditor = get_audit(store, uid).auditor
    for code in ("R-1", "R-2", "V-1"):
        record_answer(store, uid, code, value="yes", evidence="Seen.", actor=auditor)
    update_audit(store, uid, actor=auditor, final_grade="outstanding")
    submit_audit(store, uid, actor=auditor)


def test_the_second_audit_is_blind_and_answers_stay_hidden_until_both_are_submitted(
    store: Store, pair: tuple[str, str, str]
) -> None:
    _, uid1, uid2 = pair
    first, second = get_audit(store, uid1), get_audit(store, uid2)
    assert (first.blind, second.blind) == (False, True)
    assert double_audit_partner(store, uid1) == uid2 and double_audit_partner(store, uid2) == uid1
    _finish(store, uid1)
    with pytest.raises(BlindAuditError, match="until both audits are submitted"):
        visible_answers(store, uid1, viewer=second.auditor)
    assert answers_hidden_from(store, uid2, viewer=first.auditor)  # symmetric
    assert not answers_hidden_from(store, uid1, viewer=first.auditor)  # one's own
    assert visible_answers(store, uid1, viewer=QA)  # the QA lead sees both
    _finish(store, uid2)
    assert visible_answers(store, uid1, viewer=second.auditor)["R-1"].value == "yes"


def test_only_the_assigned_auditors_start_a_programme_audit(
    store: Store, pair: tuple[str, str, str]
) -> None:
    programme, uid1, _ = pair
    case = get_audit(store, uid1).case.uid
    with pytest.raises(ValidationError, match="not assigned to Auditor Z"):
        start_programme_audit(store, programme_uid=programme, case_uid=case, auditor="Auditor Z")
    with pytest.raises(ValidationError, match="already started"):
        start_programme_audit(
            store, programme_uid=programme, case_uid=case, auditor=get_audit(store, uid1).auditor
        )


def test_a_pack_for_one_auditor_never_carries_the_other_audit(
    store: Store, pair: tuple[str, str, str], tmp_path: Path
) -> None:
    programme, uid1, uid2 = pair
    _finish(store, uid1)
    second = get_audit(store, uid2).auditor
    path = tmp_path / "for-second.auditpack"
    make_assignment_pack(store, path, created_by=QA, programme_uid=programme, auditor=second)
    pack = read_pack(path)
    assert [a["uid"] for a in pack.payload["audits"]] == [uid2]
    text = json.dumps(pack.payload)
    assert uid1 not in text  # neither the audit nor its trail rows
    assert "Seen." not in text


def test_a_sampled_case_opens_its_auditors_audit_started_once_and_blind_for_the_second(
    store: Store, mini: Framework
) -> None:
    from auditor.programmes.double_audit import open_programme_audit, programmes_assigning

    programme = _programme(store, cases=4, percent=50)
    assign_double_audits(store, programme, actor=QA, seed=3)
    pair = store.one(
        "SELECT c.uid, pc.auditor, pc.second_auditor FROM programme_cases pc "
        "JOIN cases c ON c.id = pc.case_id WHERE pc.second_auditor != '' LIMIT 1"
    )
    assert pair is not None
    case, first, second = pair["uid"], pair["auditor"], pair["second_auditor"]
    assert programmes_assigning(store, case_uid=case, auditor=second) == [programme]
    assert programmes_assigning(store, case_uid=case, auditor="Someone Else") == []

    def audit_of(auditor: str) -> str:
        return open_programme_audit(store, programme_uid=programme, case_uid=case, auditor=auditor)

    mine = audit_of(first)
    assert audit_of(first) == mine  # opened again, not started twice
    theirs = audit_of(second)
    assert theirs != mine
    assert store.scalar("SELECT blind FROM audits WHERE uid = ?", [theirs]) == 1
    assert store.scalar("SELECT blind FROM audits WHERE uid = ?", [mine]) == 0
    with pytest.raises(ValidationError, match="not assigned to Someone Else"):
        audit_of("Someone Else")
