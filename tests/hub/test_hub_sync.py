"""The team hub against a real PostgreSQL: push and pull between laptops, the same pack
twice, a conflict arriving through the hub, who may see what, the hub lost mid-sync."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest

from auditor.audits.records import record_answer, start_audit
from auditor.cases.records import add_case
from auditor.frameworks.library import register_framework
from auditor.frameworks.model import Framework
from auditor.hub import (
    HubError,
    HubRefusedError,
    HubUnreachableError,
    assign,
    hub_status,
    pull,
    push_files,
    push_work,
)
from auditor.packs import export_pack, list_conflicts
from auditor.programmes.records import create_programme
from auditor.store import Store

QA = "QA Lead"
_refs = itertools.count(1)
Laptop = Callable[..., Store]


@pytest.fixture
def laptop(tmp_path: Path, mini: Framework) -> Iterator[Laptop]:
    opened: list[Store] = []

    def make(name: str, *, empty: bool = False) -> Store:
        store = Store.open(tmp_path / f"{name}.db")
        if not empty:
            register_framework(store, mini)
        opened.append(store)
        return store

    yield make
    for store in opened:
        store.close()


def programme(store: Store, name: str) -> str:
    return create_programme(store, actor=QA, name=name, framework_code="MINI")


def audit(store: Store, *, programme_uid: str | None = None, value: str = "yes") -> str:
    case = add_case(
        store,
        actor=QA,
        reference=f"TEST-{next(_refs):04d}",
        case_type="child_in_need",
        team="Test Team A",
        worker="Test Worker 1",
    )
    uid = start_audit(
        store,
        case_uid=case.uid,
        auditor="Auditor A",
        framework_code="MINI",
        programme_uid=programme_uid,
    )
    record_answer(store, uid, "R-1", value=value, evidence="Seen on file.", actor="Auditor A")
    return uid


def answers(store: Store) -> dict[str, str | None]:
    rows = store.query(
        "SELECT a.uid, x.value FROM answers x JOIN audits a ON a.id = x.audit_id "
        "WHERE x.criterion_code = 'R-1'"
    )
    return {r["uid"]: r["value"] for r in rows}


def hub_rows(url: str, sql: str) -> list[tuple[object, ...]]:
    with psycopg.connect(url) as conn:
        return conn.execute(sql).fetchall()


def test_push_then_pull_carries_audits_to_another_laptop(hub_url: str, laptop: Laptop) -> None:
    mine, theirs = laptop("mine"), laptop("theirs", empty=True)
    uid = audit(mine, programme_uid=programme(mine, "Spring audit"))

    pushed = push_work(mine, hub_url, actor="Auditor A")
    assert (pushed.packs_stored, pushed.audits) == (1, 1)
    assert hub_status(theirs, hub_url).to_pull[0].audits == 1

    pulled = pull(theirs, hub_url, actor=QA)
    assert pulled.audits == 1
    assert answers(theirs) == {uid: "yes"}
    # Both sides now agree: nothing left to move either way.
    assert hub_status(mine, hub_url).audits_to_push == 0
    assert hub_status(theirs, hub_url).audits_to_push == 0
    assert hub_status(theirs, hub_url).to_pull == ()
    assert pull(mine, hub_url, actor="Auditor A").merged == ()  # its own pack is not pulled


def test_a_change_travels_and_nothing_is_pushed_twice(hub_url: str, laptop: Laptop) -> None:
    mine, theirs = laptop("mine"), laptop("theirs", empty=True)
    uid = audit(mine, programme_uid=programme(mine, "Spring audit"))
    push_work(mine, hub_url, actor="Auditor A")
    pull(theirs, hub_url, actor=QA)
    assert push_work(theirs, hub_url, actor=QA).packs_stored == 0  # what it pulled stays

    record_answer(mine, uid, "R-1", value="partly", actor="Auditor A")
    assert push_work(mine, hub_url, actor="Auditor A").packs_stored == 1
    pull(theirs, hub_url, actor=QA)
    assert answers(theirs) == {uid: "partly"}
    assert hub_rows(hub_url, "SELECT count(*) FROM audit_hub.packs") == [(2,)]


def test_the_same_pack_pushed_twice_is_stored_once(
    hub_url: str, laptop: Laptop, tmp_path: Path
) -> None:
    mine = laptop("mine")
    audit(mine)
    file = tmp_path / "emailed.auditpack"
    export_pack(mine, file, created_by="Auditor A")

    first = push_files(mine, hub_url, [file])
    again = push_files(mine, hub_url, [file])

    assert (first.packs_stored, first.packs_already) == (1, 0)
    assert (again.packs_stored, again.packs_already) == (0, 1)
    assert hub_rows(hub_url, "SELECT count(*) FROM audit_hub.packs") == [(1,)]


def test_a_conflict_through_the_hub_is_kept_for_a_person(hub_url: str, laptop: Laptop) -> None:
    auditor, qa = laptop("auditor"), laptop("qa", empty=True)
    uid = audit(auditor, programme_uid=programme(auditor, "Spring audit"))
    push_work(auditor, hub_url, actor="Auditor A")
    pull(qa, hub_url, actor=QA)
    # Both change the same answer since they last met.
    record_answer(qa, uid, "R-1", value="no", actor="Auditor A")
    record_answer(auditor, uid, "R-1", value="partly", actor="Auditor A")
    push_work(auditor, hub_url, actor="Auditor A")

    summary = pull(qa, hub_url, actor=QA)

    assert summary.conflicts_kept == 1
    assert answers(qa) == {uid: "no"}  # ours kept: never last-writer-wins
    [conflict] = list_conflicts(qa)
    assert conflict.audit_uid == uid
    assert {(d.key, d.ours, d.theirs) for d in conflict.differences} >= {
        ("answer:R-1.value", "no", "partly")
    }


def test_an_auditor_sees_and_pushes_only_assigned_programmes(
    hub_url: str, laptop: Laptop, login: Callable[[str], str]
) -> None:
    qa = laptop("qa")
    spring, summer = programme(qa, "Spring audit"), programme(qa, "Summer audit")
    in_spring, in_summer = audit(qa, programme_uid=spring), audit(qa, programme_uid=summer)
    push_work(qa, hub_url, actor=QA)  # the hub's owner: one pack a programme
    auditor_url = login("case_auditor_auditor")
    person = auditor_url.rsplit("user=", 1)[1]
    assign(hub_url, person, spring)

    mine = laptop("auditor", empty=True)
    pull(mine, auditor_url, actor="Auditor A")

    assert set(answers(mine)) == {in_spring}
    assert in_summer not in answers(mine)
    # Pushing another programme's work is refused by the server, and nothing is recorded.
    record_answer(qa, in_summer, "R-1", value="no", actor="Auditor A")
    with pytest.raises(HubRefusedError, match="ask the QA lead to assign you"):
        push_work(qa, auditor_url, actor="Auditor A")
    assert hub_status(qa, hub_url).audits_to_push == 1
    # Nor may an auditor change or remove what is in the hub, or assign themselves.
    with psycopg.connect(auditor_url) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("DELETE FROM audit_hub.packs")
    with pytest.raises(HubRefusedError):
        assign(auditor_url, person, summer)


def test_a_qa_lead_pulls_every_programme(
    hub_url: str, laptop: Laptop, login: Callable[[str], str]
) -> None:
    owner = laptop("owner")
    made = {audit(owner, programme_uid=programme(owner, f"Round {n}")) for n in range(2)}
    made.add(audit(owner))  # outside any programme
    push_work(owner, hub_url, actor=QA)
    lead = laptop("lead", empty=True)

    pull(lead, login("case_auditor_qa_lead"), actor=QA)

    assert set(answers(lead)) == made


def test_the_hub_lost_while_fetching_leaves_nothing_half_merged(
    hub_url: str, laptop: Laptop
) -> None:
    qa = laptop("qa")
    for n in range(3):
        audit(qa, programme_uid=programme(qa, f"Round {n}"))
    push_work(qa, hub_url, actor=QA)
    mine = laptop("mine", empty=True)

    def cut_the_line(done: int, total: int) -> None:
        if done == 1:  # one pack fetched, two to go: the server drops our connection
            with psycopg.connect(hub_url, autocommit=True) as admin:
                admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE application_name = 'case-auditor'"
                )

    with pytest.raises(HubUnreachableError, match="Nothing was changed"):
        pull(mine, hub_url, actor=QA, progress=cut_the_line)

    assert mine.scalar("SELECT count(*) FROM audits") == 0
    assert mine.scalar("SELECT count(*) FROM hub_packs") == 0
    assert pull(mine, hub_url, actor=QA).audits == 3  # the next sync completes it


def test_no_hub_at_the_address_says_so_and_changes_nothing(laptop: Laptop, tmp_path: Path) -> None:
    mine = laptop("mine")
    audit(mine)
    nowhere = f"host={tmp_path} dbname=hub user=nobody"

    with pytest.raises(HubUnreachableError) as caught:
        push_work(mine, nowhere, actor="Auditor A")

    assert "\n" not in str(caught.value)
    assert str(caught.value).startswith("Cannot reach the hub")
    assert mine.scalar("SELECT count(*) FROM hub_packs") == 0
    assert mine.scalar("SELECT count(*) FROM audit_versions") == 0


def test_a_password_in_the_address_is_refused(laptop: Laptop) -> None:
    with pytest.raises(HubError, match=r"~/.pgpass"):
        push_work(laptop("mine"), "postgresql://qa:secret@localhost/hub", actor=QA)


def test_a_database_without_a_hub_says_to_run_init(admin_url: str, laptop: Laptop) -> None:
    with pytest.raises(HubRefusedError, match="hub init"):
        hub_status(laptop("mine"), admin_url)


def test_encrypted_packs_stay_encrypted_in_the_hub(hub_url: str, laptop: Laptop) -> None:
    mine, theirs = laptop("mine"), laptop("theirs", empty=True)
    uid = audit(mine)
    push_work(mine, hub_url, actor="Auditor A", passphrase="correct horse battery")

    [(data, encrypted)] = hub_rows(hub_url, "SELECT bytes, encrypted FROM audit_hub.packs")
    assert encrypted is True
    assert b'"encrypted":true' in bytes(data)[:200]  # type: ignore[arg-type]
    assert b"Seen on file." not in bytes(data)  # type: ignore[arg-type]

    locked = pull(theirs, hub_url, actor=QA)
    assert (locked.merged, locked.locked) == ((), 1)
    assert pull(theirs, hub_url, actor=QA, passphrase="correct horse battery").audits == 1
    assert answers(theirs) == {uid: "yes"}


def test_answers_are_saved_while_a_push_talks_to_the_hub(
    hub_url: str, laptop: Laptop, tmp_path: Path
) -> None:
    """A push never holds this database's write lock while it exports or talks to the hub:
    the auditor's saves (another connection, as the app's is) go through at once."""
    mine = laptop("mine")
    for _ in range(3):
        uid = audit(mine)
    saved: list[str] = []
    with Store.open(tmp_path / "mine.db") as app:
        app.execute("PRAGMA busy_timeout = 0")  # a held lock would fail the save at once

        def save_now(done: int, total: int) -> None:
            value = "no" if saved else "partly"  # the pack is made after the first
            record_answer(app, uid, "R-1", value=value, evidence="", actor="Auditor A")
            saved.append(value)

        assert push_work(mine, hub_url, actor="Auditor A", progress=save_now).packs_stored == 1
    assert len(saved) >= 3  # while packs were made, stored in the hub, and at the end
    assert answers(mine)[uid] == saved[-1]
    assert hub_status(mine, hub_url).audits_to_push == 1  # the newer answer goes next time


def test_a_blind_double_audit_stays_blind_through_the_hub(
    hub_url: str, laptop: Laptop, tmp_path: Path
) -> None:
    """An auditor's pull leaves the other auditor's audit of their double-audited case in
    the hub until both are submitted, as a pack file made for an auditor never carries it."""
    from auditor.audits.records import update_audit
    from auditor.audits.workflow import submit_audit
    from auditor.packs import make_assignment_pack, merge_packs, read_pack
    from auditor.programmes.double_audit import assign_double_audits, start_programme_audit
    from auditor.programmes.records import add_programme_cases

    qa, first, second = laptop("qa"), laptop("first", empty=True), laptop("second", empty=True)
    spring = create_programme(
        qa, actor=QA, name="Spring", framework_code="MINI", auditors=["Auditor A", "Auditor B"],
        double_audit_percent=100.0,
    )  # fmt: skip
    case = add_case(qa, actor=QA, reference="TEST-DOUBLE", case_type="child_in_need")
    add_programme_cases(qa, spring, [(case.uid, "Auditor A")], actor=QA)
    assign_double_audits(qa, spring, actor=QA, seed=1)
    pair = qa.one("SELECT auditor, second_auditor FROM programme_cases")
    assert pair == {"auditor": "Auditor A", "second_auditor": "Auditor B"}
    for store, who in ((first, "Auditor A"), (second, "Auditor B")):
        path = tmp_path / f"for {who}.auditpack"
        make_assignment_pack(qa, path, created_by=QA, programme_uid=spring, auditor=who)
        merge_packs(store, [read_pack(path)], actor=who)

    def finish(store: Store, who: str) -> str:
        uid = start_programme_audit(store, programme_uid=spring, case_uid=case.uid, auditor=who)
        for code in ("R-1", "R-2", "V-1"):
            record_answer(store, uid, code, value="yes", evidence=f"Seen by {who}.", actor=who)
        update_audit(store, uid, actor=who, final_grade="outstanding")
        return uid

    theirs = finish(first, "Auditor A")
    push_work(first, hub_url, actor="Auditor A")
    held = pull(second, hub_url, actor="Auditor B")
    assert (held.merged, held.held) == ((), 1)
    assert second.scalar("SELECT count(*) FROM audits WHERE uid = ?", [theirs]) == 0

    mine = finish(second, "Auditor B")
    submit_audit(second, mine, actor="Auditor B")
    assert pull(second, hub_url, actor="Auditor B").held == 1  # theirs is still a draft
    submit_audit(first, theirs, actor="Auditor A")
    push_work(first, hub_url, actor="Auditor A")
    pull(second, hub_url, actor="Auditor B")
    assert pull(second, hub_url, actor="Auditor B").held == 0  # the old draft pack too
    assert answers(second)[theirs] == "yes"
    assert pull(qa, hub_url, actor=QA).held == 0  # a QA lead sees both at any time


def test_an_auditor_adds_to_the_reporting_copy_but_reads_no_other_programmes_cases(
    hub_url: str, laptop: Laptop, login: Callable[[str], str]
) -> None:
    """The reporting copy's cases belong to no programme: an auditor's push adds those its
    audits need, but the auditor can neither read the cases (every programme's children are
    there) nor change them; a QA lead's push brings them up to date."""
    qa = laptop("qa")
    spring, summer = programme(qa, "Spring audit"), programme(qa, "Summer audit")
    audit(qa, programme_uid=summer)
    push_work(qa, hub_url, actor=QA)  # a Summer case the auditor must not see
    auditor_url = login("case_auditor_auditor")
    assign(hub_url, auditor_url.rsplit("user=", 1)[1], spring)
    mine = laptop("mine")
    mine_audit = audit(mine, programme_uid=programme(mine, "Spring audit"))
    mine.execute("UPDATE programmes SET uid = ?", [spring])  # the same programme as the QA's
    assert push_work(mine, auditor_url, actor="Auditor A").packs_stored == 1

    denied = psycopg.errors.InsufficientPrivilege
    with psycopg.connect(auditor_url) as conn, pytest.raises(denied):
        conn.execute("SELECT reference FROM audit_reporting.cases").fetchall()
    with psycopg.connect(auditor_url) as conn, pytest.raises(denied):
        conn.execute("UPDATE audit_reporting.cases SET team = 'Changed'")
    with psycopg.connect(auditor_url) as conn:
        assert conn.execute("SELECT uid FROM audit_reporting.audits").fetchall() == [
            (mine_audit,)
        ]  # their programme's audits only
    assert len(hub_rows(hub_url, "SELECT uid FROM audit_reporting.cases")) == 2
