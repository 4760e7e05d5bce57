"""Merging audit packs: round trip, idempotence, several auditors, conflicts, deletions."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from auditor.audits.records import get_audit, list_audits, record_answer, start_audit, update_audit
from auditor.audits.workflow import ModeratedAnswer, delete_audit, moderate_audit, submit_audit
from auditor.cases.records import add_case
from auditor.demo import make_demo
from auditor.errors import MergeCancelledError, NotFoundError, PackContentError, ValidationError
from auditor.figures.agreement import agreement_report
from auditor.frameworks.library import register_framework
from auditor.frameworks.model import Framework, parse_framework
from auditor.packs import (
    MergeSummary,
    Pack,
    apply_merge,
    export_pack,
    list_conflicts,
    make_assignment_pack,
    preview_merge,
    read_pack,
    resolve_conflict,
    resolve_conflicts,
)
from auditor.programmes.records import add_programme_cases, create_programme
from auditor.store import Store
from auditor.store.trail import chain_rows, history, verify_trail

QA = "QA Lead"
SCHEMA = Path(__file__).resolve().parent.parent / "resources/schemas/audit-pack-v1.schema.json"
_numbers = itertools.count()
Laptop = Callable[..., Store]


@pytest.fixture
def laptop(tmp_path: Path, mini: Framework) -> Iterator[Laptop]:
    """Make another database (another laptop), with the MINI framework unless ``empty``."""
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


def pack_of(store: Store, tmp_path: Path, *, by: str, **filters: Any) -> Pack:
    path = tmp_path / f"pack-{next(_numbers)}.auditpack"
    export_pack(store, path, created_by=by, **filters)
    return read_pack(path)


def carry(src: Store, dst: Store, tmp_path: Path, *, by: str, **filters: Any) -> MergeSummary:
    return apply_merge(dst, pack_of(src, tmp_path, by=by, **filters), actor=QA)


def snapshot(store: Store, origin: str | None = None) -> dict[str, list[Any]]:
    """Every table's rows without local ids, in a stable order."""
    audit = "(SELECT uid FROM audits WHERE id = x.audit_id) AS audit_uid"
    queries = {
        "cases": "SELECT * FROM cases x ORDER BY uid",
        "programmes": "SELECT * FROM programmes x ORDER BY uid",
        "audits": "SELECT x.*, (SELECT uid FROM cases WHERE id = x.case_id) AS case_uid, "
        "(SELECT uid FROM programmes WHERE id = x.programme_id) AS p FROM audits x ORDER BY uid",
        "answers": f"SELECT x.*, {audit} FROM answers x ORDER BY uid",
        "actions": f"SELECT x.*, {audit} FROM actions x ORDER BY uid",
        "moderations": f"SELECT x.*, {audit} FROM moderations x ORDER BY uid",
        "moderation_answers": "SELECT (SELECT uid FROM moderations WHERE id = x.moderation_id) "
        "AS m, criterion_code, auditor_value, moderator_value, reason FROM moderation_answers x "
        "ORDER BY m, criterion_code",
        "trail_heads": "SELECT * FROM trail_heads WHERE origin = ?",
    }
    result = {"trail": chain_rows(store, origin or store.origin)}
    for table, sql in queries.items():
        params = [origin or store.origin] if "origin = ?" in sql else []
        rows = store.query(sql, params)
        result[table] = [
            {k: v for k, v in r.items() if k != "id" and not k.endswith("_id")} for r in rows
        ]
    return result


def complete(store: Store, uid: str, actor: str, values: dict[str, str], grade: str) -> None:
    for code, value in values.items():
        record_answer(store, uid, code, value=value, evidence=f"Seen by {actor}.", actor=actor)
    update_audit(store, uid, actor=actor, final_grade=grade, grade_reason="Judgement.")


# -- round trip and idempotence --------------------------------------------------------


def test_round_trip_into_an_empty_database_gives_identical_audits_and_trail(
    laptop: Laptop, tmp_path: Path
) -> None:
    source = laptop("source", empty=True)
    make_demo(source, cases=40, audits=30, seed=5)
    case = source.scalar("SELECT uid FROM cases ORDER BY id LIMIT 1")
    draft = start_audit(source, case_uid=case, auditor="Demo Auditor Ash", framework_code="IN-CFA")
    delete_audit(source, draft, actor="Demo Auditor Ash", reason="Started by mistake")
    target = laptop("target", empty=True)
    pack = pack_of(source, tmp_path, by="Demo Auditor Ash")
    summary = apply_merge(target, pack, actor=QA)
    assert (summary.added, summary.deleted, summary.conflicts_kept) == (30, 1, ())
    assert summary.frameworks_added == ("IN-CFA 1.0.0",)
    assert snapshot(target, source.origin) == snapshot(source)
    assert verify_trail(target) == [] and target.integrity_problems() == []
    assert draft not in {a.uid for a in list_audits(target)}  # the tombstone travelled
    document = {"manifest": pack.manifest.to_json(), "payload": pack.payload}
    jsonschema.validate(document, json.loads(SCHEMA.read_text()))


def test_importing_the_same_pack_twice_changes_nothing(laptop: Laptop, tmp_path: Path) -> None:
    source, target = laptop("source", empty=True), laptop("target", empty=True)
    make_demo(source, cases=20, audits=15, seed=2)
    pack = pack_of(source, tmp_path, by="Ash")
    apply_merge(target, pack, actor=QA)
    before = snapshot(target)
    preview = preview_merge(target, pack)
    assert preview.already_imported_at is not None and preview.changes_nothing
    again = apply_merge(target, read_pack(pack.path), actor=QA)
    assert again.already_imported and again.added == 0
    assert snapshot(target) == before
    # A new pack of the same, unchanged audits: everything unchanged, nothing duplicated.
    fresh = pack_of(source, tmp_path, by="Ash")
    preview = preview_merge(target, fresh)
    assert len(preview.unchanged) == 15 and not (preview.added or preview.updated)
    assert preview.conflicts == () and preview.new_trail_rows == 0
    apply_merge(target, fresh, actor=QA)
    assert target.scalar("SELECT COUNT(*) FROM audits") == 15
    assert verify_trail(target) == []


# -- several auditors, sending work out ------------------------------------------------


def _programme_with_cases(qa: Store, assignments: dict[str, str]) -> tuple[str, dict[str, str]]:
    """A programme on the QA lead's database: case reference → auditor."""
    cases = {
        ref: add_case(qa, actor=QA, reference=ref, case_type="child_in_need", team="North").uid
        for ref in assignments
    }
    programme = create_programme(
        qa,
        actor=QA,
        name="March dip sample",
        framework_code="MINI",
        auditors=set(assignments.values()),
    )
    add_programme_cases(
        qa, programme, [(cases[ref], who) for ref, who in assignments.items()], actor=QA
    )
    return programme, cases


def test_three_auditors_work_sent_out_and_merged_back(laptop: Laptop, tmp_path: Path) -> None:
    qa = laptop("qa")
    auditors = {"Auditor A": "CASE-1", "Auditor B": "CASE-2", "Auditor C": "CASE-3"}
    programme, cases = _programme_with_cases(qa, {c: a for a, c in auditors.items()})
    packs = []
    for n, (auditor, ref) in enumerate(auditors.items()):
        path = tmp_path / f"assignment-{n}.auditpack"
        sent = make_assignment_pack(
            qa, path, created_by=QA, programme_uid=programme, auditor=auditor
        )
        assert sent.counts["cases"] == 1 and sent.frameworks == ("MINI 1.0.0",)
        own = laptop(f"laptop-{n}", empty=True)  # an empty laptop can start
        got = apply_merge(own, read_pack(path), actor=auditor)
        assert (got.cases_added, got.programmes_added) == (1, 1)
        uid = start_audit(
            own,
            case_uid=cases[ref],
            auditor=auditor,
            framework_code="MINI",
            programme_uid=programme,
        )
        complete(own, uid, auditor, {"R-1": "yes", "R-2": "partly", "V-1": "yes"}, "good")
        submit_audit(own, uid, actor=auditor)
        packs.append(pack_of(own, tmp_path, by=auditor, auditor=auditor))
    for pack in packs:
        preview = preview_merge(qa, pack)
        assert len(preview.added) == 1 and preview.new_cases == () and preview.conflicts == ()
        apply_merge(qa, pack, actor=QA)
    merged = list_audits(qa, programme_uid=programme)
    assert sorted(a.auditor for a in merged) == sorted(auditors)
    assert {a.status for a in merged} == {"submitted"}
    assert qa.scalar("SELECT COUNT(*) FROM cases") == 3
    assert verify_trail(qa) == []
    for pack in packs:
        assert apply_merge(qa, pack, actor=QA).already_imported


# -- updates, conflicts ----------------------------------------------------------------


@pytest.fixture
def shared(laptop: Laptop, tmp_path: Path) -> tuple[Store, Store, str]:
    """An auditor's draft, already merged into the QA lead's database once."""
    qa, own = laptop("qa"), laptop("auditor")
    case = add_case(own, actor="Auditor A", reference="CASE-9", case_type="child_in_need")
    uid = start_audit(own, case_uid=case.uid, auditor="Auditor A", framework_code="MINI")
    record_answer(own, uid, "R-1", value="no", evidence="Nothing on file.", actor="Auditor A")
    carry(own, qa, tmp_path, by="Auditor A")
    return qa, own, uid


def test_a_change_made_only_in_the_pack_updates_ours_with_trail(
    shared: tuple[Store, Store, str], tmp_path: Path
) -> None:
    qa, own, uid = shared
    record_answer(own, uid, "R-1", value="partly", actor="Auditor A")
    pack = pack_of(own, tmp_path, by="Auditor A")
    preview = preview_merge(qa, pack)
    [change] = preview.updated
    assert [(d.key, d.ours, d.theirs) for d in change.differences] == [
        ("answer:R-1.value", "no", "partly")
    ]
    summary = apply_merge(qa, pack, actor=QA)
    assert summary.updated == 1
    assert get_audit(qa, uid).answer_value("R-1") == "partly"
    mine = [r for r in history(qa, uid) if r["origin"] == qa.origin]
    assert [(r["field"], r["old_value"], r["new_value"], r["actor"]) for r in mine] == [
        ("R-1.value", "no", "partly", QA)
    ]
    assert mine[0]["reason"] == "Merged from pack by Auditor A"
    assert verify_trail(qa) == []


def test_a_pack_older_than_ours_leaves_ours(
    shared: tuple[Store, Store, str], tmp_path: Path
) -> None:
    qa, own, uid = shared
    record_answer(qa, uid, "R-2", value="yes", evidence="QA saw it.", actor="Auditor A")
    preview = preview_merge(qa, pack_of(own, tmp_path, by="Auditor A"))
    assert len(preview.unchanged) == 1 and preview.conflicts == ()


def _diverge(qa: Store, own: Store, uid: str) -> None:
    record_answer(qa, uid, "R-1", value="partly", evidence="QA view.", actor="Auditor A")
    record_answer(own, uid, "R-1", value="yes", actor="Auditor A")
    update_audit(own, uid, actor="Auditor A", strengths="Warm relationship.")


def test_a_change_in_both_places_is_a_conflict_shown_field_by_field(
    shared: tuple[Store, Store, str], tmp_path: Path
) -> None:
    qa, own, uid = shared
    _diverge(qa, own, uid)
    [conflict] = preview_merge(qa, pack_of(own, tmp_path, by="Auditor A")).conflicts
    assert conflict.conflict_id == uid and conflict.case_reference == "CASE-9"
    assert [(d.label, d.ours, d.theirs) for d in conflict.differences] == [
        ("Strengths", "", "Warm relationship."),
        ("R-1 answer", "partly", "yes"),
        ("R-1 evidence", "QA view.", "Nothing on file."),
    ]


@pytest.mark.parametrize("side", ["ours", "theirs"])
def test_a_conflict_resolved_either_way(
    shared: tuple[Store, Store, str], tmp_path: Path, side: str
) -> None:
    qa, own, uid = shared
    _diverge(qa, own, uid)
    pack = pack_of(own, tmp_path, by="Auditor A")
    summary = apply_merge(qa, pack, actor=QA, resolutions={uid: side})  # type: ignore[dict-item]
    assert summary.conflicts_resolved == 1 and summary.conflicts_kept == ()
    audit = get_audit(qa, uid)
    expected = ("yes", "Warm relationship.") if side == "theirs" else ("partly", "")
    assert (audit.answer_value("R-1"), audit.strengths) == expected
    mine = [r for r in history(qa, uid) if r["origin"] == qa.origin]
    assert mine[-1]["reason"] == "Merged from pack by Auditor A: conflict resolved"
    assert mine[-1]["actor"] == QA
    if side == "ours":
        assert mine[-1]["new_value"] == "resolved: kept ours"
    # Both sides' trail rows are kept: the auditor's change is in the trail either way.
    theirs = [r for r in history(qa, uid) if r["origin"] == own.origin]
    assert ("R-1.value", "no", "yes") in [
        (r["field"], r["old_value"], r["new_value"]) for r in theirs
    ]
    assert verify_trail(qa) == []
    # The same pack again, or a new pack of the same version: settled, no new conflict.
    assert preview_merge(qa, pack_of(own, tmp_path, by="Auditor A")).conflicts == ()


def test_a_conflict_resolved_field_by_field(
    shared: tuple[Store, Store, str], tmp_path: Path
) -> None:
    qa, own, uid = shared
    _diverge(qa, own, uid)
    pack = pack_of(own, tmp_path, by="Auditor A")
    apply_merge(qa, pack, actor=QA, resolutions={uid: {"answer:R-1.value": "theirs"}})
    audit = get_audit(qa, uid)
    assert audit.answer_value("R-1") == "yes"
    assert audit.answers["R-1"].evidence == "QA view." and audit.strengths == ""


def test_bad_resolutions_are_refused_and_nothing_is_written(
    shared: tuple[Store, Store, str], tmp_path: Path
) -> None:
    qa, own, uid = shared
    _diverge(qa, own, uid)
    before = snapshot(qa)
    pack = pack_of(own, tmp_path, by="Auditor A")
    with pytest.raises(ValidationError) as caught:
        apply_merge(qa, pack, actor=QA, resolutions={uid: {"answer:Z-9.value": "theirs"}})
    assert "answer:Z-9.value" in caught.value.problems[0]
    assert snapshot(qa) == before


def test_a_conflict_kept_for_later_then_resolved(
    shared: tuple[Store, Store, str], tmp_path: Path
) -> None:
    qa, own, uid = shared
    _diverge(qa, own, uid)
    summary = apply_merge(qa, pack_of(own, tmp_path, by="Auditor A"), actor=QA)
    [kept] = summary.conflicts_kept
    assert get_audit(qa, uid).answer_value("R-1") == "partly"  # never silently overwritten
    [conflict] = list_conflicts(qa)
    assert conflict.conflict_id == kept and conflict.pack_created_by == "Auditor A"
    assert {d.key for d in conflict.differences} >= {"answer:R-1.value"}
    resolve_conflict(qa, kept, "theirs", actor=QA)
    assert get_audit(qa, uid).answer_value("R-1") == "yes"
    assert list_conflicts(qa) == []
    with pytest.raises(ValidationError, match="was resolved"):
        resolve_conflict(qa, kept, "ours", actor=QA)
    assert verify_trail(qa) == []


def test_several_conflicts_are_resolved_together_or_not_at_all(
    shared: tuple[Store, Store, str], tmp_path: Path
) -> None:
    qa, own, uid = shared
    _diverge(qa, own, uid)
    [kept] = apply_merge(qa, pack_of(own, tmp_path, by="Auditor A"), actor=QA).conflicts_kept
    with pytest.raises(NotFoundError):  # the second id is unknown: the first is not applied
        resolve_conflicts(qa, {kept: "theirs", "no-such-conflict": "ours"}, actor=QA)
    assert get_audit(qa, uid).answer_value("R-1") == "partly"
    assert len(list_conflicts(qa)) == 1
    assert resolve_conflicts(qa, {kept: "theirs"}, actor=QA) == 1
    assert get_audit(qa, uid).answer_value("R-1") == "yes"
    assert list_conflicts(qa) == []


# -- deletions -------------------------------------------------------------------------


def test_a_deletion_travels_as_a_deletion(shared: tuple[Store, Store, str], tmp_path: Path) -> None:
    qa, own, uid = shared
    delete_audit(own, uid, actor="Auditor A", reason="Wrong case")
    preview = preview_merge(qa, pack_of(own, tmp_path, by="Auditor A"))
    [gone] = preview.deleted
    assert gone.audit_uid == uid and ("deleted", False, True) in [
        (d.key, d.ours, d.theirs) for d in gone.differences
    ]
    apply_merge(qa, pack_of(own, tmp_path, by="Auditor A"), actor=QA)
    assert list_audits(qa) == []
    assert qa.scalar("SELECT deleted_at IS NOT NULL FROM audits WHERE uid = ?", [uid]) == 1


def test_a_deletion_against_an_edit_is_a_conflict(
    shared: tuple[Store, Store, str], tmp_path: Path
) -> None:
    qa, own, uid = shared
    record_answer(qa, uid, "R-2", value="yes", evidence="Framework applied.", actor="Auditor A")
    delete_audit(own, uid, actor="Auditor A", reason="Wrong case")
    [conflict] = preview_merge(qa, pack_of(own, tmp_path, by="Auditor A")).conflicts
    assert ("deleted", False, True) in [(d.key, d.ours, d.theirs) for d in conflict.differences]


# -- cases, frameworks, cancelling -----------------------------------------------------


def test_a_case_known_under_another_uid_is_matched_by_reference(
    laptop: Laptop, tmp_path: Path
) -> None:
    qa, own = laptop("qa"), laptop("auditor")
    ours = add_case(qa, actor=QA, reference="CASE-7", case_type="child_in_need")
    theirs = add_case(own, actor="Auditor A", reference="CASE-7", case_type="child_in_need")
    uid = start_audit(own, case_uid=theirs.uid, auditor="Auditor A", framework_code="MINI")
    preview = preview_merge(qa, pack_of(own, tmp_path, by="Auditor A"))
    assert preview.cases_matched_by_reference == ("CASE-7",) and preview.new_cases == ()
    carry(own, qa, tmp_path, by="Auditor A")
    assert get_audit(qa, uid).case.uid == ours.uid
    assert qa.scalar("SELECT COUNT(*) FROM case_aliases WHERE alias_uid = ?", [theirs.uid]) == 1
    start_audit(own, case_uid=theirs.uid, auditor="Auditor A", framework_code="MINI")
    later = preview_merge(qa, pack_of(own, tmp_path, by="Auditor A"))
    assert later.new_cases == () and len(later.added) == 1
    carry(own, qa, tmp_path, by="Auditor A")
    assert qa.scalar("SELECT COUNT(*) FROM cases") == 1


def test_a_framework_version_that_differs_from_ours_is_refused(
    laptop: Laptop, tmp_path: Path, mini: Framework
) -> None:
    qa, own = laptop("qa", empty=True), laptop("auditor")
    changed = mini.source_text.replace("Is the level of risk recorded?", "Is risk recorded?")
    register_framework(qa, parse_framework(changed, origin="changed"))
    add_case(own, actor="Auditor A", reference="CASE-1", case_type="child_in_need")
    case = own.scalar("SELECT uid FROM cases")
    start_audit(own, case_uid=case, auditor="Auditor A", framework_code="MINI")
    pack = pack_of(own, tmp_path, by="Auditor A")
    with pytest.raises(PackContentError, match="MINI version 1.0.0 differs from the copy"):
        preview_merge(qa, pack)
    with pytest.raises(PackContentError):
        apply_merge(qa, pack, actor=QA)
    assert qa.scalar("SELECT COUNT(*) FROM audits") == 0


def test_a_cancelled_merge_writes_nothing(laptop: Laptop, tmp_path: Path) -> None:
    source, target = laptop("source", empty=True), laptop("target", empty=True)
    make_demo(source, cases=30, audits=120, seed=4)
    pack = pack_of(source, tmp_path, by="Ash")
    seen: list[tuple[int, int]] = []

    def cancel_midway() -> bool:
        return len(seen) >= 2

    with pytest.raises(MergeCancelledError):
        apply_merge(
            target,
            pack,
            actor=QA,
            progress=lambda d, t: seen.append((d, t)),
            cancelled=cancel_midway,
        )
    for table in ("audits", "cases", "trail", "frameworks", "imported_packs", "trail_heads"):
        assert target.scalar(f"SELECT COUNT(*) FROM {table}") == 0, table
    done: list[tuple[int, int]] = []
    apply_merge(target, pack, actor=QA, progress=lambda d, t: done.append((d, t)))
    assert done[-1][0] == done[-1][1] and [d for d, _ in done] == sorted(d for d, _ in done)


# -- agreement from merged work --------------------------------------------------------


def test_merged_double_audits_and_moderations_feed_the_agreement_report(
    laptop: Laptop, tmp_path: Path
) -> None:
    qa = laptop("qa")
    programme, cases = _programme_with_cases(qa, {"CASE-1": "Auditor A"})
    qa.execute("UPDATE programme_cases SET second_auditor = 'Auditor B'")
    answers = {
        "Auditor A": {"R-1": "yes", "R-2": "no", "V-1": "yes"},
        "Auditor B": {"R-1": "yes", "R-2": "yes", "V-1": "yes"},
    }
    for auditor, values in answers.items():
        path = tmp_path / f"{auditor}.auditpack"
        make_assignment_pack(qa, path, created_by=QA, programme_uid=programme, auditor=auditor)
        own = laptop(auditor, empty=True)
        apply_merge(own, read_pack(path), actor=auditor)
        uid = start_audit(
            own, case_uid=cases["CASE-1"], auditor=auditor, framework_code="MINI",
            programme_uid=programme, blind=auditor == "Auditor B",
        )  # fmt: skip
        complete(own, uid, auditor, values, "good")
        submit_audit(own, uid, actor=auditor)
        carry(own, qa, tmp_path, by=auditor)
    report = agreement_report(qa)
    assert report.double_audits == 1 and report.moderated_audits == 0
    assert (report.grade.pairs, report.grade.percent) == (1, 100.0)
    assert report.criteria[0].subject == "R-2" and report.criteria[0].percent == 0.0
    # A moderation made on another laptop travels too.
    moderator = laptop("moderator", empty=True)
    carry(qa, moderator, tmp_path, by=QA)
    first = next(a.uid for a in list_audits(moderator) if a.auditor == "Auditor A")
    moderate_audit(
        moderator, first, moderator="Moderator M", grade="requires_improvement", note="Thin",
        changes={"V-1": ModeratedAnswer("partly", "Views not recorded in the plan")},
    )  # fmt: skip
    summary = carry(moderator, qa, tmp_path, by="Moderator M")
    assert summary.updated == 1 and summary.conflicts_kept == ()
    report = agreement_report(qa)
    assert report.moderated_audits == 1 and report.grade_changed == 1
    assert get_audit(qa, first).status == "moderated"
    assert verify_trail(qa) == []
