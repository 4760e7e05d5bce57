"""An audit keeps the case type it was made for: when the case's type changes later, the
audit's grade, the figures, the report, the dashboard and packs still use the old one."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest
from report_data import table_rows

from auditor.audits.records import get_audit, list_audits, record_answer, start_audit, update_audit
from auditor.audits.workflow import submit_audit
from auditor.cases.records import Case, add_case, update_case
from auditor.domain import CaseType
from auditor.errors import PackContentError
from auditor.figures.dashboard import dashboard_figures
from auditor.figures.stats import AuditFilter, criterion_figures, headline
from auditor.frameworks.library import register_framework
from auditor.frameworks.model import Framework
from auditor.packs import apply_merge, export_pack, read_pack
from auditor.reports import export_report
from auditor.store import Store
from auditor.store.db import _split_sql
from auditor.store.schema import LATEST_VERSION, MIGRATIONS
from auditor.store.trail import verify_trail
from tests.test_pack_untrusted import reseal

ON = date(2026, 3, 31)
LOOKED_AFTER = AuditFilter(case_type="looked_after")
IN_NEED = AuditFilter(case_type="child_in_need")


@pytest.fixture
def looked_after(store: Store) -> Case:
    return add_case(
        store, actor="Admin", reference="LAC-0001", case_type="looked_after", team="Test Team A"
    )


def _audited(store: Store, case: Case) -> str:
    """A submitted audit of a looked-after child's file: V-2 (health assessment) is asked
    of looked-after children only, and answered No."""
    uid = start_audit(
        store, case_uid=case.uid, auditor="Auditor A", framework_code="MINI",
        audit_date=date(2026, 3, 2),
    )  # fmt: skip
    for code, value in {"R-1": "yes", "R-2": "yes", "V-1": "yes", "V-2": "no"}.items():
        record_answer(store, uid, code, value=value, evidence="Seen.", actor="Auditor A")
    update_audit(store, uid, actor="Auditor A", final_grade="good", grade_reason="Judged.")
    submit_audit(store, uid, actor="Auditor A")
    return uid


def _change_by_sql(store: Store, db_path: Path, case: Case) -> None:
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("UPDATE cases SET case_type = 'child_in_need' WHERE uid = ?", [case.uid])
    conn.close()


def _change_in_app(store: Store, db_path: Path, case: Case) -> None:
    update_case(store, case.uid, actor="Admin", case_type="child_in_need")


@pytest.fixture(params=[_change_by_sql, _change_in_app], ids=["plain SQL", "case edit"])
def retyped(request: pytest.FixtureRequest, store: Store, db_path: Path, looked_after: Case) -> str:
    """The audited case, now a child in need (by plain SQL, or through the app's edit)."""
    uid = _audited(store, looked_after)
    request.param(store, db_path, looked_after)
    assert store.scalar("SELECT case_type FROM cases WHERE uid = ?", [looked_after.uid]) == (
        "child_in_need"
    )
    return uid


def test_starting_an_audit_keeps_the_cases_type(store: Store, looked_after: Case) -> None:
    uid = _audited(store, looked_after)
    assert store.scalar("SELECT case_type FROM audits WHERE uid = ?", [uid]) == "looked_after"


def test_the_audit_grades_with_the_type_it_was_made_for(store: Store, retyped: str) -> None:
    audit = get_audit(store, retyped)
    assert audit.case_type is CaseType.LOOKED_AFTER
    assert audit.case.case_type is CaseType.CHILD_IN_NEED
    assert "V-2" in {c.code for c in audit.criteria}  # still asked: the form shows it
    assert audit.grade().compliance == pytest.approx(75.0)  # 3 of 4, V-2's No counted
    assert audit.case_type_words == "Child looked after when audited (now Child in need)"
    [listed] = list_audits(store)
    assert listed.case_type == "looked_after"


def test_headline_figures_count_the_audit_under_its_type(store: Store, retyped: str) -> None:
    assert headline(store, LOOKED_AFTER).audits == 1
    assert headline(store, IN_NEED).audits == 0


def test_criterion_figures_count_the_audit_under_its_type(
    store: Store, mini: Framework, retyped: str
) -> None:
    v2 = {f.code: f for f in criterion_figures(store, LOOKED_AFTER, mini)}["V-2"]
    assert (v2.scored, v2.met) == (1, 0)
    assert all(f.scored == 0 for f in criterion_figures(store, IN_NEED, mini))


def test_dashboard_counts_the_audit_under_its_type(store: Store, retyped: str) -> None:
    figures = dashboard_figures(store, LOOKED_AFTER)
    assert figures.headline.audits == 1
    assert {f.code: f.scored for f in figures.criteria}["V-2"] == 1
    assert dashboard_figures(store, IN_NEED).headline.audits == 0


def test_report_shows_the_audit_under_its_type(store: Store, retyped: str, tmp_path: Path) -> None:
    out = tmp_path / "report.xlsx"
    summary = export_report(store, out, audit_filter=LOOKED_AFTER, on=ON)
    assert summary.audits == 1
    [row] = table_rows(out, "Case matrix")
    assert row["Case type"] == "Child looked after"
    empty = tmp_path / "in-need.xlsx"
    assert export_report(store, empty, audit_filter=IN_NEED, on=ON).audits == 0


def test_answers_to_criteria_the_audits_type_is_not_asked_are_not_counted(
    store: Store, db_path: Path, case: Case, mini: Framework
) -> None:
    # A child-in-need audit holding an answer to V-2 (asked of looked-after children only),
    # as an upgraded database may (its audits took their case's type when it was upgraded):
    # the grade leaves it out, and so do the figures.
    uid = start_audit(store, case_uid=case.uid, auditor="Auditor A", framework_code="MINI")
    for code in ("R-1", "R-2", "V-1"):
        record_answer(store, uid, code, value="yes", evidence="Seen.", actor="Auditor A")
    update_audit(store, uid, actor="Auditor A", final_grade="outstanding")
    submit_audit(store, uid, actor="Auditor A")
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute(
        "INSERT INTO answers (uid, audit_id, criterion_code, value, evidence, updated_by, "
        "updated_at) SELECT 'x-v2', id, 'V-2', 'no', '', 'someone', '2026-03-02T10:00:00Z' "
        "FROM audits WHERE uid = ?",
        [uid],
    )
    conn.close()
    assert get_audit(store, uid).grade().compliance == 100.0
    figures = {f.code: f for f in criterion_figures(store, AuditFilter(), mini)}
    assert figures["V-2"].scored == 0
    assert figures["R-1"].scored == 1


def test_verify_names_a_case_type_changed_outside_the_app(
    store: Store, db_path: Path, looked_after: Case
) -> None:
    uid = _audited(store, looked_after)
    assert verify_trail(store) == []
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("UPDATE audits SET case_type = 'child_in_need' WHERE uid = ?", [uid])
    conn.close()
    [problem] = verify_trail(store)
    assert "case_type" in problem and "changed outside Case Auditor" in problem


# -- the database ------------------------------------------------------------------------


def _version_5_database(path: Path) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    for migration in MIGRATIONS[:5]:
        for statement in _split_sql(migration.sql):
            conn.execute(statement)
    conn.execute("PRAGMA user_version = 5")
    conn.execute(
        "INSERT INTO frameworks (code, version, title, source_text, sha256, loaded_at) "
        "VALUES ('MINI', '1.0.0', 'Mini', '', '', '2026-01-01T00:00:00Z')"
    )
    for n, kind in enumerate(("child_protection", "care_leaver"), start=1):
        conn.execute(
            "INSERT INTO cases (id, uid, reference, case_type, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
            [n, f"case-{n}", f"OLD-{n}", kind],
        )
        conn.execute(
            "INSERT INTO audits (uid, case_id, framework_code, framework_version, auditor, "
            "audit_date, created_at, updated_at) VALUES (?, ?, 'MINI', '1.0.0', 'Auditor A', "
            "'2026-01-02', '2026-01-02T00:00:00Z', '2026-01-02T00:00:00Z')",
            [f"audit-{n}", n],
        )
    conn.close()


def test_an_older_database_upgrades_with_each_audit_taking_its_cases_type(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.db"
    _version_5_database(path)
    with Store.open(path) as store:
        assert store.schema_version == LATEST_VERSION
        assert dict(store.execute("SELECT uid, case_type FROM audits").fetchall()) == {
            "audit-1": "child_protection",
            "audit-2": "care_leaver",
        }
    conn = sqlite3.connect(path, isolation_level=None)
    insert = (
        "INSERT INTO audits (uid, case_id, framework_code, framework_version, auditor, "
        "audit_date, created_at, updated_at, case_type) VALUES ('new', 1, 'MINI', '1.0.0', "
        "'A', '2026-01-03', '2026-01-03T00:00:00Z', '2026-01-03T00:00:00Z', ?)"
    )
    with pytest.raises(sqlite3.IntegrityError, match="case type it was made for"):
        conn.execute(insert, [None])
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        conn.execute(insert, ["adopted"])
    conn.close()


# -- packs -------------------------------------------------------------------------------


def test_a_pack_carries_the_audits_case_type(
    tmp_path: Path, mini: Framework, looked_after: Case, store: Store, db_path: Path
) -> None:
    uid = _audited(store, looked_after)
    update_case(store, looked_after.uid, actor="Admin", case_type="child_in_need")
    path = tmp_path / "work.auditpack"
    export_pack(store, path, created_by="Auditor A")
    pack = read_pack(path)
    [record] = pack.audits
    assert record["case_type"] == "looked_after"
    with Store.open(tmp_path / "qa.db") as qa:
        register_framework(qa, mini)
        apply_merge(qa, pack, actor="QA Lead")
        assert get_audit(qa, uid).case_type is CaseType.LOOKED_AFTER
        assert get_audit(qa, uid).case.case_type is CaseType.CHILD_IN_NEED
        assert headline(qa, LOOKED_AFTER).audits == 1
        assert verify_trail(qa) == []


def test_an_older_pack_without_case_types_still_imports(
    tmp_path: Path, mini: Framework, looked_after: Case, store: Store
) -> None:
    uid = _audited(store, looked_after)
    path = tmp_path / "work.auditpack"
    export_pack(store, path, created_by="Auditor A")

    def as_made_before(payload: dict) -> None:
        for audit in payload["audits"]:
            del audit["case_type"]

    old = reseal(path, tmp_path / "old.auditpack", as_made_before)
    with Store.open(tmp_path / "qa.db") as qa:
        register_framework(qa, mini)
        apply_merge(qa, read_pack(old), actor="QA Lead")
        assert get_audit(qa, uid).case_type is CaseType.LOOKED_AFTER  # its case's, in the pack


def test_a_pack_with_an_unknown_case_type_is_refused(
    tmp_path: Path, looked_after: Case, store: Store
) -> None:
    _audited(store, looked_after)
    path = tmp_path / "work.auditpack"
    export_pack(store, path, created_by="Auditor A")

    def unknown(payload: dict) -> None:
        payload["audits"][0]["case_type"] = "adopted"

    with pytest.raises(PackContentError, match=r"audits\[0\]\.case_type: unknown value"):
        read_pack(reseal(path, tmp_path / "bad.auditpack", unknown))


def test_a_packs_answers_are_checked_against_the_audits_case_type(
    tmp_path: Path, looked_after: Case, store: Store
) -> None:
    # Its V-2 answer fits a looked-after child's audit, not a child in need's.
    _audited(store, looked_after)
    path = tmp_path / "work.auditpack"
    export_pack(store, path, created_by="Auditor A")

    def retyped_audit(payload: dict) -> None:
        payload["audits"][0]["case_type"] = "child_in_need"

    with pytest.raises(PackContentError, match="V-2 is not asked for this type of case"):
        read_pack(reseal(path, tmp_path / "bad.auditpack", retyped_audit))
