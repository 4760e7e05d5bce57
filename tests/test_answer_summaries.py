"""Each audit's answers and each moderation's pairs kept as one text for the figures
(auditor/store/summaries.py): true after every writer, never counted stale after a plain
SQL edit, named by verify when the text itself is edited, and made for older databases."""

from __future__ import annotations

import re
import sqlite3
from collections import Counter
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import cast

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auditor.audits.records import record_answer, start_audit
from auditor.audits.workflow import ModeratedAnswer, moderate_audit
from auditor.demo import make_demo
from auditor.figures.dashboard import dashboard_figures
from auditor.figures.stats import AuditFilter, criterion_figures
from auditor.frameworks.library import get_framework
from auditor.frameworks.model import Framework, load_builtin_frameworks
from auditor.packs import apply_merge, export_pack, read_pack
from auditor.store import Store
from auditor.store.schema import (
    ANSWER_MARKS,
    ANSWER_SUMMARIES,
    FIGURE_INDEXES,
    INITIAL_SCHEMA,
    LATEST_VERSION,
)
from auditor.store.summaries import (
    ANSWERED,
    NO_ANSWER,
    PAIR,
    TRIGGERS,
    answered_text,
    marking,
    refresh,
    summary_problems,
)
from auditor.store.writes import audit_answers, values_with_answer
from tests import figures_reference as reference
from tests.older_databases import before_sealing
from tests.test_cli import cli

ME = "Test Auditor"


@pytest.fixture
def demo(db_path: Path) -> Store:
    store = Store.open(db_path)
    make_demo(store, cases=40, audits=80, seed=3, end=date(2026, 11, 30))
    yield store
    store.close()


def _unknown(store: Store) -> int:
    """Audits with answers whose text is not stored (the figures then read the rows)."""
    return int(store.scalar(
        "SELECT COUNT(*) FROM audits a WHERE a.answered IS NULL "
        "AND EXISTS (SELECT 1 FROM answers WHERE audit_id = a.id AND value IS NOT NULL)"
    ))  # fmt: skip


def test_the_demo_the_editing_api_and_a_merge_leave_every_text_true(
    demo: Store, tmp_path: Path
) -> None:
    assert summary_problems(demo) == [] and _unknown(demo) == 0
    assert demo.scalar("SELECT COUNT(*) FROM moderations WHERE judged IS NULL") == 0
    assert demo.scalar("SELECT COUNT(*) FROM moderations WHERE judged != ''") > 0
    uid, auditor = demo.execute(
        "SELECT uid, auditor FROM audits WHERE status = 'draft' ORDER BY id LIMIT 1"
    ).fetchone()
    code = demo.scalar("SELECT criterion_code FROM answers a JOIN audits au ON au.id = "
                       "a.audit_id WHERE au.uid = ? ORDER BY 1 LIMIT 1", [uid])  # fmt: skip
    for value in ("no", None, "yes"):
        record_answer(demo, uid, code, value=value, actor=auditor)
        assert summary_problems(demo) == [] and _unknown(demo) == 0
    submitted, code = demo.execute(
        "SELECT a.uid, an.criterion_code FROM audits a JOIN answers an ON an.audit_id = a.id "
        "WHERE a.status = 'submitted' AND an.value = 'yes' ORDER BY a.id LIMIT 1"
    ).fetchone()
    moderation = moderate_audit(
        demo, submitted, moderator="Test QA Lead", grade="inadequate", note="Test.",
        changes={code: ModeratedAnswer("no", "Not on file.")},
    )  # fmt: skip
    judged = demo.scalar("SELECT judged FROM moderations WHERE uid = ?", [moderation])
    assert f"{code}{PAIR}yes{PAIR}no" in judged.split("\x1e")
    assert summary_problems(demo) == [] and _unknown(demo) == 0
    pack = export_pack(demo, tmp_path / "all.auditpack", created_by=ME)
    with Store.open(tmp_path / "other.db") as other:
        apply_merge(other, read_pack(pack.path), actor=ME)
        assert summary_problems(other) == [] and _unknown(other) == 0
        assert other.scalar("SELECT COUNT(*) FROM moderations WHERE judged IS NULL") == 0
        assert dashboard_figures(other, AuditFilter()) == dashboard_figures(demo, AuditFilter())


def test_an_answer_changed_by_plain_sql_is_counted_as_it_now_is(demo: Store, db_path: Path) -> None:
    framework = get_framework(demo, "IN-CFA")
    audit_id, code = demo.execute(
        "SELECT a.id, an.criterion_code FROM audits a JOIN answers an ON an.audit_id = a.id "
        "WHERE a.status = 'final' AND an.value = 'yes' ORDER BY a.id LIMIT 1"
    ).fetchone()
    before = {f.code: f.met for f in criterion_figures(demo, AuditFilter(), framework)}
    with sqlite3.connect(db_path, isolation_level=None) as conn:
        conn.execute(
            "UPDATE answers SET value = 'no' WHERE audit_id = ? AND criterion_code = ?",
            [audit_id, code],
        )
    assert demo.scalar("SELECT answered FROM audits WHERE id = ?", [audit_id]) is None
    after = {f.code: f.met for f in criterion_figures(demo, AuditFilter(), framework)}
    assert after == {**before, code: before[code] - 1}
    assert dashboard_figures(demo, AuditFilter()) == reference.dashboard_figures(
        demo, AuditFilter()
    )
    assert summary_problems(demo) == []  # unknown is not wrong (the trail check names it)


def test_a_text_edited_by_plain_sql_is_named_by_verify(demo: Store, db_path: Path) -> None:
    audit_uid, reference_ = demo.execute(
        "SELECT a.uid, c.reference FROM audits a JOIN cases c ON c.id = a.case_id "
        "WHERE a.answered != '' ORDER BY a.id LIMIT 1"
    ).fetchone()
    moderation_uid = demo.scalar("SELECT uid FROM moderations WHERE judged != '' LIMIT 1")
    with sqlite3.connect(db_path, isolation_level=None) as conn:
        conn.execute("UPDATE audits SET answered = ? WHERE uid = ?", [f"R-1{PAIR}yes", audit_uid])
        conn.execute("UPDATE moderations SET judged = '' WHERE uid = ?", [moderation_uid])
    problems = summary_problems(demo)
    assert len(problems) == 2
    assert f"audit {audit_uid} (case {reference_}): the answers kept for the figures" in problems[0]
    assert f"moderation {moderation_uid} of audit" in problems[1]
    result = cli("verify", "--db", str(db_path))
    assert result.returncode == 1
    assert f"audit {audit_uid} (case {reference_})" in result.stderr
    assert "Traceback" not in result.stderr


def test_marks_edited_by_plain_sql_are_named_by_verify_and_not_counted_wrong(
    demo: Store, db_path: Path
) -> None:
    """The marks are what the dashboard counts: a mark changed by hand (one answer's place
    on its scale) is named by verify. Marks made unknown by hand are counted from the text."""
    edited, reference_, marks = demo.execute(
        "SELECT a.uid, c.reference, a.marks FROM audits a JOIN cases c ON c.id = a.case_id "
        "WHERE a.status = 'submitted' AND a.marks LIKE '!%' ORDER BY a.id LIMIT 1"
    ).fetchone()
    expected = reference.dashboard_figures(demo, AuditFilter())
    with sqlite3.connect(db_path, isolation_level=None) as conn:
        conn.execute("UPDATE audits SET marks = NULL WHERE status = 'submitted'")
        conn.execute("UPDATE moderations SET marks = NULL WHERE id % 2 = 0")
    assert dashboard_figures(demo, AuditFilter()) == expected
    assert summary_problems(demo) == []
    with demo.atomic():
        refresh(demo)
    assert demo.scalar("SELECT marks FROM audits WHERE uid = ?", [edited]) == marks
    moderation, judged = demo.execute(
        "SELECT uid, marks FROM moderations WHERE marks LIKE '!%' ORDER BY id LIMIT 1"
    ).fetchone()
    with sqlite3.connect(db_path, isolation_level=None) as conn:
        conn.execute("UPDATE audits SET marks = ? WHERE uid = ?", ['"' + marks[1:], edited])
        conn.execute(
            "UPDATE moderations SET marks = ? WHERE uid = ?", ['"' + judged[1:], moderation]
        )
    problems = summary_problems(demo)
    assert problems[0] == (
        f"audit {edited} (case {reference_}): the answers kept for the figures are not its answers"
    )
    assert problems[1].startswith(f"moderation {moderation} of audit ") and len(problems) == 2
    assert dashboard_figures(demo, AuditFilter()) != expected  # what verify is there to catch
    result = cli("verify", "--db", str(db_path))  # another process, as a QA lead runs it
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"audit {edited} (case {reference_})" in result.stderr


def test_a_dropped_or_changed_trigger_is_named_by_verify(demo: Store, db_path: Path) -> None:
    with sqlite3.connect(db_path, isolation_level=None) as conn:
        conn.execute("DROP TRIGGER answers_summary_changed")
        conn.execute("DROP TRIGGER answers_summary_added")
        conn.execute(TRIGGERS["answers_summary_added"].replace("BEGIN", "WHEN 0 BEGIN"))
    assert summary_problems(demo) == [
        "The trigger answers_summary_added that keeps the figures from counting old answers "
        "is changed",
        "The trigger answers_summary_changed that keeps the figures from counting old answers "
        "is missing",
    ]


def test_a_database_from_before_the_texts_gets_them_when_opened(demo: Store, db_path: Path) -> None:
    """Schema 9 as it was: no texts, no triggers, the indexes it had."""
    expected = reference.dashboard_figures(demo, AuditFilter())
    demo.close()
    with sqlite3.connect(db_path, isolation_level=None) as conn:
        for name in TRIGGERS:
            conn.execute(f"DROP TRIGGER {name}")
        _without_marks(conn)
        conn.execute("ALTER TABLE audits DROP COLUMN answered")
        conn.execute("ALTER TABLE moderations DROP COLUMN judged")
        conn.execute("DROP INDEX actions_audit")
        conn.execute("CREATE INDEX actions_audit ON actions (audit_id)")
        conn.execute("DROP INDEX audits_programme")
        conn.execute("CREATE INDEX audits_programme ON audits (programme_id)")
        conn.execute("PRAGMA user_version = 9")
    with Store.open(db_path) as store:
        assert summary_problems(store) == [] and _unknown(store) == 0
        assert store.scalar("SELECT COUNT(*) FROM moderations WHERE judged IS NULL") == 0
        assert dashboard_figures(store, AuditFilter()) == expected


def _without_marks(conn: sqlite3.Connection) -> None:
    """Audits and moderations as schema 11 left them: no marks, the figures' index as schema 9
    made it, no later index (call with the triggers that name the marks dropped)."""
    conn.execute("DROP INDEX audits_figures")
    conn.execute("ALTER TABLE audits DROP COLUMN marks")
    conn.execute("ALTER TABLE moderations DROP COLUMN marks")
    conn.execute(re.search(r"CREATE INDEX audits_figures .*?;", FIGURE_INDEXES, re.DOTALL)[0])
    before_sealing(conn)  # schema 14's
    conn.execute("DROP INDEX trail_unaudited")  # schema 13's


def test_a_database_from_before_the_marks_gets_them_when_opened(demo: Store, db_path: Path) -> None:
    """Schema 11 as it was: texts, no marks, the triggers making only the texts unknown."""
    expected = reference.dashboard_figures(demo, AuditFilter())
    demo.close()
    with sqlite3.connect(db_path, isolation_level=None) as conn:
        schema_10 = re.findall(r"CREATE TRIGGER (\w+) (.*?END);", ANSWER_SUMMARIES, re.DOTALL)
        for name, _ in schema_10:
            conn.execute(f"DROP TRIGGER {name}")
        _without_marks(conn)
        for name, body in schema_10:
            conn.execute(f"CREATE TRIGGER {name} {body}")
        conn.execute("PRAGMA user_version = 11")
    with Store.open(db_path) as store:
        assert store.scalar("SELECT COUNT(*) FROM audits WHERE marks IS NULL") == 0
        assert store.scalar("SELECT COUNT(*) FROM moderations WHERE marks IS NULL") == 0
        assert summary_problems(store) == []
        assert dashboard_figures(store, AuditFilter()) == expected
        # The triggers are schema 12's: a plain SQL edit makes the marks unknown too.
        audit_id = store.scalar("SELECT audit_id FROM answers WHERE value = 'yes' LIMIT 1")
        store.execute("UPDATE answers SET value = 'no' WHERE audit_id = ? AND value = 'yes'",
                      [audit_id])  # fmt: skip
        assert store.scalar("SELECT marks FROM audits WHERE id = ?", [audit_id]) is None


def _move_a_row_to_another_parent(store: Store, conn: sqlite3.Connection) -> tuple[int, ...]:
    """Move one answer to another audit and one moderation's pair to another moderation by
    plain SQL, each to a criterion the other had not answered; returns the four parents'
    ids (audit from, audit to, moderation from, moderation to)."""
    answer, source, target = store.execute(
        "SELECT an.id, an.audit_id, other.id FROM answers an JOIN audits other "
        "ON other.id != an.audit_id AND other.framework_code = 'IN-CFA' "
        "WHERE an.value IS NOT NULL AND other.answered != '' AND other.marks IS NOT NULL "
        "AND NOT EXISTS (SELECT 1 FROM answers o WHERE o.audit_id = other.id "
        "AND o.criterion_code = an.criterion_code) ORDER BY an.id, other.id LIMIT 1"
    ).fetchone()
    pair, moderation, other = store.execute(
        "SELECT ma.criterion_code, ma.moderation_id, m.id FROM moderation_answers ma "
        "JOIN moderations m ON m.id != ma.moderation_id WHERE ma.auditor_value IS NOT NULL "
        "AND ma.moderator_value IS NOT NULL AND m.judged != '' AND m.marks IS NOT NULL "
        "AND NOT EXISTS (SELECT 1 FROM moderation_answers o WHERE o.moderation_id = m.id "
        "AND o.criterion_code = ma.criterion_code) ORDER BY ma.moderation_id, m.id LIMIT 1"
    ).fetchone()
    conn.execute("UPDATE answers SET audit_id = ? WHERE id = ?", [target, answer])
    conn.execute(
        "UPDATE moderation_answers SET moderation_id = ? "
        "WHERE moderation_id = ? AND criterion_code = ?",
        [other, moderation, pair],
    )
    return source, target, moderation, other


def _both_parents_unknown(store: Store, ids: tuple[int, ...]) -> None:
    source, target, moderation, other = ids
    for audit_id in (source, target):
        held = store.execute("SELECT answered, marks FROM audits WHERE id = ?", [audit_id])
        assert held.fetchone() == (None, None)
    for moderation_id in (moderation, other):
        held = store.execute("SELECT judged, marks FROM moderations WHERE id = ?", [moderation_id])
        assert held.fetchone() == (None, None)
    assert summary_problems(store) == []
    assert dashboard_figures(store, AuditFilter()) == reference.dashboard_figures(
        store, AuditFilter()
    )


def test_a_row_moved_to_another_audit_or_moderation_leaves_both_unknown(
    demo: Store, db_path: Path
) -> None:
    """The triggers follow a changed row's old parent and its new one (each by its id)."""
    with sqlite3.connect(db_path, isolation_level=None) as conn:
        moved = _move_a_row_to_another_parent(demo, conn)
    _both_parents_unknown(demo, moved)


def test_a_database_with_schema_12s_triggers_gets_schema_15s_when_opened(
    demo: Store, db_path: Path
) -> None:
    """Schema 14 as it was: the two triggers that follow a changed row to its old and new
    parent made both unknown with one UPDATE over a list of the two ids."""
    demo.close()
    schema_12 = dict(re.findall(r"CREATE TRIGGER (\w+) (.*?END);", ANSWER_MARKS, re.DOTALL))
    with sqlite3.connect(db_path, isolation_level=None) as conn:
        for name in ("answers_summary_changed", "moderation_answers_summary_changed"):
            assert "IN (OLD." in schema_12[name]
            conn.execute(f"DROP TRIGGER {name}")
            conn.execute(f"CREATE TRIGGER {name} {schema_12[name]}")
        conn.execute("PRAGMA user_version = 14")
    with Store.open(db_path) as store:
        assert store.schema_version == LATEST_VERSION
        held = dict(store.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"))
        for name, sql in TRIGGERS.items():
            assert held[name] == sql and "IN (OLD." not in sql
        assert summary_problems(store) == []
        with sqlite3.connect(db_path, isolation_level=None) as conn:
            moved = _move_a_row_to_another_parent(store, conn)
        _both_parents_unknown(store, moved)


def test_a_new_audit_with_no_answer_yet_counts_nothing(demo: Store) -> None:
    case_uid = demo.scalar("SELECT uid FROM cases ORDER BY id LIMIT 1")
    uid = start_audit(demo, case_uid=case_uid, auditor=ME, framework_code="IN-CFA")
    demo.execute("UPDATE audits SET status = 'submitted' WHERE uid = ?", [uid])
    assert dashboard_figures(demo, AuditFilter()) == reference.dashboard_figures(
        demo, AuditFilter()
    )
    assert summary_problems(demo) == []


_CODES = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x1e\x1f\x00"),
    min_size=1, max_size=6,
)  # fmt: skip


@given(st.dictionaries(_CODES, st.one_of(st.none(), _CODES), max_size=12))
def test_the_text_a_writer_makes_from_the_answers_it_holds_is_the_one_sql_makes(
    values: dict[str, str | None],
) -> None:
    """record_answer stores the text it makes from the answers it read (answered_text);
    verify and every other writer take it from the rows (ANSWERED): the two must agree for
    any codes, accented and other scripts included (their order is the key's)."""
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE answers (audit_id INTEGER, criterion_code TEXT, value TEXT, "
                 "UNIQUE (audit_id, criterion_code))")  # fmt: skip
    conn.executemany("INSERT INTO answers VALUES (1, ?, ?)", values.items())
    from_rows = conn.execute(f"SELECT COALESCE({ANSWERED.format(audit='1')}, '')").fetchone()[0]
    assert answered_text(values) == from_rows


_ANY_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=6)


@given(
    st.dictionaries(_ANY_TEXT, st.tuples(st.one_of(st.none(), _ANY_TEXT), _ANY_TEXT), max_size=12),
    _ANY_TEXT,
)
def test_the_values_a_save_reads_as_json_are_the_rows_values(
    rows: dict[str, tuple[str | None, str]], code: str
) -> None:
    """record_answer reads every value of its audit as one JSON object SQLite makes
    (values_with_answer), and the answer it saves as its row: the same as reading every answer as
    a row (audit_answers), for any text, control characters and NUL included."""
    conn = sqlite3.connect(":memory:")
    conn.execute(re.search(r"CREATE TABLE answers \(.*?\);", INITIAL_SCHEMA, re.DOTALL)[0])
    conn.executemany(
        "INSERT INTO answers (uid, audit_id, criterion_code, value, evidence, updated_by, "
        "updated_at) VALUES (?, 1, ?, ?, ?, '', '')",
        [(f"u{i}", c, value, evidence) for i, (c, (value, evidence)) in enumerate(rows.items())],
    )
    store = cast(Store, SimpleNamespace(execute=conn.execute))
    values, answer = values_with_answer(store, 1, code)
    every = audit_answers(store, 1)
    assert values == {c: a[1] for c, a in every.items() if a[1] is not None}
    assert answer == ({code: every[code]} if code in every else {})


def test_an_answer_that_is_not_text_is_read_as_a_row_with_every_other(
    demo: Store, db_path: Path
) -> None:
    """A value or a code that is not text (only plain SQL leaves one) is no JSON: then every
    answer of the audit is read as a row, as before, and the answer is saved."""
    uid, audit_id, auditor = demo.execute(
        "SELECT uid, id, auditor FROM audits WHERE status = 'draft' ORDER BY id LIMIT 1"
    ).fetchone()
    (first,), (other,) = demo.execute(
        "SELECT criterion_code FROM answers WHERE audit_id = ? AND value IS NOT NULL "
        "ORDER BY criterion_code LIMIT 2",
        [audit_id],
    ).fetchall()
    with sqlite3.connect(db_path, isolation_level=None) as conn:
        conn.execute(
            "UPDATE answers SET value = CAST(value AS BLOB) WHERE audit_id = ? "
            "AND criterion_code = ?",
            [audit_id, first],
        )
    values, answer = values_with_answer(demo, audit_id, other)
    every = audit_answers(demo, audit_id)
    assert isinstance(values[first], bytes)
    assert values == {c: a[1] for c, a in every.items() if a[1] is not None}
    assert answer == {other: every[other]}
    record_answer(demo, uid, other, evidence="Seen on file.", actor=auditor)
    assert (
        demo.scalar(
            "SELECT evidence FROM answers WHERE audit_id = ? AND criterion_code = ?",
            [audit_id, other],
        )
        == "Seen on file."
    )


_DEMO_FRAMEWORK = load_builtin_frameworks()[0]


def _answers_to(framework: Framework) -> st.SearchStrategy[dict[str, str | None]]:
    """Any answers (or none) to any of the framework's criteria, values on their scales."""
    return st.fixed_dictionaries(
        {},
        optional={
            c.code: st.one_of(st.none(), st.sampled_from([v.code for v in c.scale.values]))
            for c in framework.criteria
        },
    )


@given(st.lists(st.tuples(_answers_to(_DEMO_FRAMEWORK), _answers_to(_DEMO_FRAMEWORK)), max_size=8))
def test_marks_hold_the_answers_and_count_their_pairs_as_the_answers_do(
    couples: list[tuple[dict[str, str | None], dict[str, str | None]]],
) -> None:
    """What the figures count from marks is what the answers themselves give: each audit's
    answers back from its marks, and the pairs of answers (a moderation's, marked as pairs;
    two audits' side by side) where both sides answered."""
    marks = marking(_DEMO_FRAMEWORK)
    expected: dict[str, Counter[tuple[str, str]]] = {}
    for first, second in couples:
        for code, value in first.items():
            if value is not None and second.get(code) is not None:
                expected.setdefault(code, Counter())[(value, second[code])] += 1
        for answers in (first, second):
            held = marks.marks_of(answers)
            assert held is not None and len(held) == len(marks)
            assert marks.values_of(held) == {k: v for k, v in answers.items() if v is not None}
    pairs = "".join(marks.pair_marks_of(first, second) or "" for first, second in couples)
    assert marks.pair_counts(pairs) == expected
    firsts = [marks.marks_of(first) or "" for first, _ in couples]
    seconds = [marks.marks_of(second) or "" for _, second in couples]
    assert marks.side_by_side(firsts, seconds) == expected


def test_an_answer_the_marks_cannot_hold_leaves_the_audit_unmarked() -> None:
    marks = marking(_DEMO_FRAMEWORK)
    first = _DEMO_FRAMEWORK.criteria[0].code
    assert marks.marks_of({first: "banana"}) is None  # off the scale, as only SQL could leave
    assert marks.marks_of({"NOT-A-CODE": "yes"}) is None
    assert marks.marks_of({}) == NO_ANSWER * len(marks)
