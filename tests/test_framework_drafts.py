"""Framework drafts kept in the database: made new or as a copy, saved with their problems
reported, published as the next version (then frozen), deleted; never audited against."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from auditor.audits.records import start_audit
from auditor.cases.records import Case
from auditor.errors import NotFoundError, ValidationError
from auditor.frameworks import drafts
from auditor.frameworks.library import get_framework, list_frameworks
from auditor.frameworks.model import Framework, load_builtin_frameworks
from auditor.store import Store
from auditor.store.db import _split_sql
from auditor.store.schema import MIGRATIONS
from tests.child_python import run_python
from tests.conftest import ACTOR


@pytest.fixture
def builtin() -> Framework:
    return load_builtin_frameworks()[0]


def _trail(store: Store, uid: str) -> list[tuple[str, str | None, str | None]]:
    rows = store.query(
        "SELECT field, old_value, new_value FROM trail WHERE entity = 'framework' "
        "AND entity_uid = ? ORDER BY seq",
        [uid],
    )
    return [(r["field"], r["old_value"], r["new_value"]) for r in rows]


def test_a_new_draft_starts_from_the_template_and_is_kept(store: Store) -> None:
    draft = drafts.new_draft(store, actor=ACTOR, code="LOCAL-QA", title="Local QA audit")
    assert (draft.code, draft.title, draft.based_on) == ("LOCAL-QA", "Local QA audit", "new")
    assert drafts.problems(draft.source_text) == []
    assert [d.uid for d in drafts.list_drafts(store)] == [draft.uid]
    assert _trail(store, draft.uid) == [("draft", None, "LOCAL-QA (new)")]


def test_a_copy_of_the_builtin_framework_says_the_same_until_edited(
    store: Store, builtin: Framework
) -> None:
    store_builtin = builtin
    draft = drafts.copy_draft(store, store_builtin, actor=ACTOR)
    assert draft.based_on == f"a copy of {builtin.code} {builtin.version}"
    raw = drafts.raw_of(draft.source_text)
    assert raw["version"] == drafts.DRAFT_VERSION
    raw["version"] = builtin.version
    from auditor.frameworks.model import parse_framework

    assert parse_framework(drafts.text_of(raw), origin="x") == builtin


def test_saving_keeps_any_text_and_names_its_problems(store: Store, builtin: Framework) -> None:
    draft = drafts.copy_draft(store, builtin, actor=ACTOR)
    raw = drafts.raw_of(draft.source_text)
    first = raw["sections"][0]["criteria"][0]
    first["sources"] = []
    found = drafts.save_draft(store, draft.uid, drafts.text_of(raw), actor="Demo Lead 01")
    assert found == [f"Criterion {first['code']}: 'sources' must list the clause(s) it comes from"]
    kept = drafts.get_draft(store, draft.uid)
    assert kept.source_text == drafts.text_of(raw) and kept.updated_by == "Demo Lead 01"
    assert drafts.save_draft(store, draft.uid, "code = [", actor=ACTOR)[0].startswith(
        "Not valid TOML"
    )
    with pytest.raises(ValidationError, match="has 1 problem: put it right") as caught:
        drafts.publish_draft(store, draft.uid, actor=ACTOR)
    assert caught.value.problems[0].startswith("Not valid TOML")
    assert drafts.get_draft(store, draft.uid).code == builtin.code  # kept for the list


def test_publishing_gives_the_next_version_freezes_it_and_removes_the_draft(
    store: Store, builtin: Framework
) -> None:
    from auditor.frameworks.library import register_framework

    register_framework(store, builtin)
    assert drafts.next_versions(store, builtin.code) == ("1.1.0", "2.0.0")
    assert drafts.next_versions(store, "NOT-YET") == ("1.0.0", "1.0.0")
    draft = drafts.copy_draft(store, builtin, actor=ACTOR)
    raw = drafts.raw_of(draft.source_text)
    raw["sections"][0]["criteria"][0]["text"] = "Reworded by the council?"
    drafts.save_draft(store, draft.uid, drafts.text_of(raw), actor=ACTOR)
    published = drafts.publish_draft(store, draft.uid, actor=ACTOR)
    assert (published.code, published.version) == (builtin.code, "1.1.0")
    assert published.criteria[0].text == "Reworded by the council?"
    assert get_framework(store, builtin.code).version == "1.1.0"
    assert drafts.list_drafts(store) == []
    assert _trail(store, draft.uid)[-1] == ("published", builtin.code, f"{builtin.code} 1.1.0")
    again = drafts.copy_draft(store, published, actor=ACTOR)
    assert drafts.publish_draft(store, again.uid, actor=ACTOR, major=True).version == "2.0.0"
    versions = [f.version for f in list_frameworks(store) if f.code == builtin.code]
    assert versions == ["1.0.0", "1.1.0", "2.0.0"]


def test_deleting_a_draft_removes_it_and_says_so_in_the_trail(store: Store) -> None:
    draft = drafts.new_draft(store, actor=ACTOR)
    drafts.delete_draft(store, draft.uid, actor=ACTOR)
    assert drafts.list_drafts(store) == []
    assert _trail(store, draft.uid)[-1] == ("draft", "NEW-FRAMEWORK", None)
    with pytest.raises(NotFoundError):
        drafts.get_draft(store, draft.uid)


def test_nobody_can_audit_against_a_draft(store: Store, case: Case) -> None:
    draft = drafts.new_draft(store, actor=ACTOR, code="LOCAL-QA")
    raw = drafts.raw_of(draft.source_text)
    for version in (drafts.DRAFT_VERSION, None):
        with pytest.raises(NotFoundError):
            start_audit(store, case_uid=case.uid, auditor=ACTOR, framework_code="LOCAL-QA",
                        framework_version=version)  # fmt: skip
    assert raw["code"] == "LOCAL-QA"
    drafts.publish_draft(store, draft.uid, actor=ACTOR)
    assert start_audit(store, case_uid=case.uid, auditor=ACTOR, framework_code="LOCAL-QA")


def test_migration_4_adds_framework_drafts_to_a_version_3_database(tmp_path: Path) -> None:
    path = tmp_path / "v3.db"
    conn = sqlite3.connect(path, isolation_level=None)
    for migration in MIGRATIONS[:3]:
        for statement in _split_sql(migration.sql):
            conn.execute(statement)
    conn.execute("PRAGMA user_version = 3")
    conn.execute("INSERT INTO meta VALUES ('origin_id', 'v3-origin')")
    conn.close()
    with Store.open(path) as store:
        assert store.schema_version >= 4
        assert "framework_drafts" in store.db.table_names()
        assert drafts.new_draft(store, actor=ACTOR).code == "NEW-FRAMEWORK"


def test_the_frameworks_view_and_a_new_draft_need_no_openpyxl(tmp_path: Path) -> None:
    """Excel is read and written only when a workbook is: showing the Frameworks view the
    first time imported openpyxl (and numpy with it), 0.3 s on the GUI thread."""
    code = (
        "import sys; from pathlib import Path; import ui.frameworks.view; "
        "from auditor.frameworks import drafts; from auditor.store import Store; "
        "s = Store.open(Path(sys.argv[1])); drafts.new_draft(s, actor='Ann'); s.close(); "
        "print(sorted(m for m in ('openpyxl', 'numpy') if m in sys.modules))"
    )
    assert run_python(code, str(tmp_path / "x.db")) == "[]"
