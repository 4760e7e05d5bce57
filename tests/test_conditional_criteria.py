"""Conditional criteria (issue 14, item 4): a criterion asked only when an earlier one has a
given answer (``asked_when``). Not asked means not shown, not scored, not counted, and not
needed to submit; an answer kept for it is ignored everywhere (docs/grading.md, section 1).

The fixture ``conditional.toml``: P-1 (limiting, child protection only) is asked when P-0 "Is
there a child protection plan?" is Yes, and P-2 (its own section) when P-1 is Yes or Partly.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from auditor.audits.grading import grade_audit
from auditor.audits.records import (
    get_audit,
    list_audits,
    record_answer,
    start_audit,
    update_audit,
)
from auditor.audits.submission import UNANSWERED, submission_gaps
from auditor.audits.workflow import submit_audit
from auditor.cases.records import add_case
from auditor.cli import main
from auditor.domain import CaseType, Grade
from auditor.errors import FrameworkError
from auditor.figures import stats
from auditor.figures.stats import AuditFilter, criterion_figures, criterion_figures_by
from auditor.frameworks.library import register_framework
from auditor.frameworks.model import Condition, Framework, load_framework_file, parse_framework
from auditor.reports import export_audit_feedback
from auditor.reports.scope import resolve_scope
from auditor.reports.sheets.evidence import evidence_rows
from auditor.reports.sheets.matrix import matrix_rows
from auditor.store import Store, summaries

ME = "Test Auditor"
FILE = Path(__file__).parent / "fixtures" / "conditional.toml"
COND = load_framework_file(FILE)
TEXT = FILE.read_text(encoding="utf-8")
CP = "child_protection"


def codes(criteria: tuple) -> list[str]:
    return [c.code for c in criteria]


# ---------------------------------------------------------------------------------------
# The framework file


def test_asked_when_is_read_with_one_answer_or_several() -> None:
    assert COND.criterion("P-1").asked_when == Condition("P-0", ("yes",))
    assert COND.criterion("P-2").asked_when == Condition("P-1", ("yes", "partly"))
    assert COND.criterion("P-0").asked_when is None
    assert COND.gates("P-2") == (Condition("P-1", ("yes", "partly")), Condition("P-0", ("yes",)))
    data = {c["code"]: c for c in COND.to_dict()["criteria"]}
    assert data["P-1"]["asked_when"] == {"criterion": "P-0", "answers": ["yes"]}
    assert "asked_when" not in data["R-1"]


def _with(old: str, new: str) -> str:
    assert old in TEXT, old
    return TEXT.replace(old, new, 1)


P1_WHEN = 'asked_when = { criterion = "P-0", answer = "yes" }'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            _with(P1_WHEN, 'asked_when = { criterion = "P-9", answer = "yes" }'),
            "criterion P-1: 'asked_when' names P-9, which this framework does not have",
        ),
        (
            _with(P1_WHEN, 'asked_when = { criterion = "V-1", answer = "yes" }'),
            "criterion P-1: 'asked_when' names V-1, which must come before P-1",
        ),
        (
            _with(P1_WHEN, 'asked_when = { criterion = "P-1", answer = "yes" }'),
            "criterion P-1: 'asked_when' names P-1, which must come before P-1",
        ),
        (
            _with(
                'applies_to = ["child_in_need", "child_protection"]',
                'applies_to = ["child_in_need"]',
            ),
            "criterion P-1: 'asked_when' names P-0, which is not asked for child_protection "
            "cases as P-1 is",
        ),
        (
            _with(P1_WHEN, 'asked_when = { criterion = "P-0", answer = "partly" }'),
            "criterion P-1: 'asked_when' answer 'partly' is not on the scale of P-0 "
            "(its answers: yes, no)",
        ),
        (
            _with(P1_WHEN, 'asked_when = { criterion = "P-0", answers = ["yes", "maybe"] }'),
            "criterion P-1: 'asked_when' answer 'maybe' is not on the scale of P-0",
        ),
        (
            _with(P1_WHEN, 'asked_when = { criterion = "P-0", answer = "yes", answers = ["no"] }'),
            "criterion P-1: 'asked_when' has both 'answer' and 'answers': give one",
        ),
        (
            _with(P1_WHEN, 'asked_when = { criterion = "P-0" }'),
            "criterion P-1: 'asked_when' needs the 'answer' (or 'answers') of P-0 that asks it",
        ),
        (
            _with(P1_WHEN, 'asked_when = { criterion = "P-0", answers = [] }'),
            "criterion P-1: 'asked_when' answers must be answer codes",
        ),
        (
            _with(P1_WHEN, 'asked_when = { criterion = "P-0", answr = "yes" }'),
            "criterion P-1: 'asked_when': unknown key(s) answr",
        ),
        (
            _with(P1_WHEN, 'asked_when = "P-0"'),
            "criterion P-1: 'asked_when' must be a table such as",
        ),
        (
            _with(P1_WHEN, 'asked_when = { answer = "yes" }'),
            "criterion P-1: 'asked_when' must be a table such as",
        ),
    ],
)
def test_a_bad_condition_is_named_by_file_and_criterion(text: str, message: str) -> None:
    with pytest.raises(FrameworkError) as raised:
        parse_framework(text, origin="conditional.toml")
    assert str(raised.value).startswith(f"conditional.toml: {message}")


# ---------------------------------------------------------------------------------------
# Which criteria are asked


def test_a_dependant_is_asked_only_while_its_gate_has_the_answer() -> None:
    assert codes(COND.criteria_asked(CP, {})) == ["R-1", "P-0", "V-1"], "gate not answered"
    assert codes(COND.criteria_asked(CP, {"P-0": "no"})) == ["R-1", "P-0", "V-1"]
    assert codes(COND.criteria_asked(CP, {"P-0": "yes"})) == ["R-1", "P-0", "P-1", "V-1"]
    asked = COND.criteria_asked(CP, {"P-0": "yes", "P-1": "partly"})
    assert codes(asked) == ["R-1", "P-0", "P-1", "P-2", "V-1"]


def test_a_dependant_of_a_criterion_not_asked_is_not_asked() -> None:
    # P-1's answer is kept, but with P-0 No neither P-1 nor P-2 (asked on P-1) is asked.
    assert codes(COND.criteria_asked(CP, {"P-0": "no", "P-1": "yes"})) == ["R-1", "P-0", "V-1"]


def test_case_types_still_decide_first() -> None:
    assert codes(COND.criteria_asked("child_in_need", {"P-0": "yes", "P-1": "yes"})) == [
        "R-1",
        "P-0",
        "V-1",
    ]
    assert codes(COND.criteria_for(CP)) == ["R-1", "P-0", "P-1", "P-2", "V-1"]


# ---------------------------------------------------------------------------------------
# Grading


def test_an_unasked_limiting_no_neither_caps_nor_counts() -> None:
    answers = {"R-1": "yes", "P-0": "no", "P-1": "no", "P-2": "no", "V-1": "yes"}
    result = grade_audit(COND, CP, answers)
    assert result.progress_text == "3 of 3 answered" and result.complete
    assert result.compliance == pytest.approx(200 / 3)
    assert result.limiting_failures == ()
    assert [(s.code, s.applicable, s.answered) for s in result.sections] == [
        ("RISK", 1, 1),
        ("PLAN", 1, 1),
        ("VOICE", 1, 1),
    ], "the review section, none of whose criteria is asked, has no score"


def test_the_same_answers_count_once_the_gate_asks_them() -> None:
    answers = {"R-1": "yes", "P-0": "yes", "P-1": "no", "P-2": "no", "V-1": "yes"}
    result = grade_audit(COND, CP, answers)
    assert result.progress_text == "4 of 4 answered", "P-2 is asked only on P-1 Yes or Partly"
    assert result.limiting_failures == ("P-1",)
    assert result.suggested is Grade.REQUIRES_IMPROVEMENT


VALUES = st.sampled_from([None, "yes", "partly", "no", "na"])


def _on_scale(framework: Framework, code: str, value: str | None) -> str | None:
    on_scale = {v.code for v in framework.criterion(code).scale.values}
    return value if value in on_scale else None


@st.composite
def answer_sets(draw: st.DrawFn) -> tuple[str, dict[str, str | None], dict[str, str | None]]:
    """A case type, answers to every criterion, and other answers to the unasked ones."""
    case_type = draw(st.sampled_from(list(CaseType)))
    answers = {c.code: _on_scale(COND, c.code, draw(VALUES)) for c in COND.criteria}
    asked = set(codes(COND.criteria_asked(case_type, answers)))
    changed = {
        code: (value if code in asked else _on_scale(COND, code, draw(VALUES)))
        for code, value in answers.items()
    }
    return case_type, answers, changed


@given(answer_sets())
def test_an_unasked_criterions_answer_never_changes_grade_compliance_or_progress(
    case: tuple[str, dict[str, str | None], dict[str, str | None]],
) -> None:
    case_type, answers, changed = case
    before, after = grade_audit(COND, case_type, answers), grade_audit(COND, case_type, changed)
    assert after == before  # grade, compliance, progress, section scores and caps alike
    assert COND.criteria_asked(case_type, changed) == COND.criteria_asked(case_type, answers)


# ---------------------------------------------------------------------------------------
# Audits in a database: kept, ignored, not required


@pytest.fixture
def cond_store(store: Store) -> Store:
    register_framework(store, COND)
    return store


def _cp_audit(store: Store, ref: str, answers: dict[str, str], day: date | None = None) -> str:
    case = add_case(store, actor=ME, reference=ref, case_type=CP, team="Test Team A")
    uid = start_audit(store, case_uid=case.uid, auditor=ME, framework_code="COND", audit_date=day)
    for code, value in answers.items():
        record_answer(store, uid, code, value=value, evidence="Seen on file.", actor=ME)
    return uid


def test_an_answer_that_becomes_unasked_is_kept_but_ignored(cond_store: Store) -> None:
    uid = _cp_audit(cond_store, "COND-0001", {"R-1": "yes", "P-0": "yes", "P-1": "no"})
    assert list_audits(cond_store)[0].suggested_grade is Grade.REQUIRES_IMPROVEMENT
    record_answer(cond_store, uid, "P-0", value="no", actor=ME)
    audit = get_audit(cond_store, uid)
    assert audit.answers["P-1"].value == "no", "kept in the database"
    assert codes(audit.criteria) == ["R-1", "P-0", "V-1"]
    summary = list_audits(cond_store)[0]
    assert summary.compliance == 50.0 and summary.suggested_grade is Grade.REQUIRES_IMPROVEMENT
    record_answer(cond_store, uid, "V-1", value="yes", actor=ME)
    summary = list_audits(cond_store)[0]
    assert summary.compliance == pytest.approx(200 / 3)
    assert summary.suggested_grade is Grade.REQUIRES_IMPROVEMENT, "by band: P-1 caps nothing"
    assert audit.grade().limiting_failures == ()


def test_submitting_does_not_require_unasked_criteria(cond_store: Store) -> None:
    uid = _cp_audit(cond_store, "COND-0002", {"R-1": "yes", "P-0": "no", "V-1": "yes"})
    update_audit(cond_store, uid, actor=ME, final_grade="good", grade_reason="Judgement.")
    assert submission_gaps(get_audit(cond_store, uid)) == []
    record_answer(cond_store, uid, "P-0", value="yes", actor=ME)
    gaps = submission_gaps(get_audit(cond_store, uid))
    assert [(g.kind, g.criterion) for g in gaps] == [(UNANSWERED, "P-1")]
    record_answer(cond_store, uid, "P-0", value="no", actor=ME)
    submit_audit(cond_store, uid, actor=ME)


@pytest.fixture
def submitted(cond_store: Store) -> Store:
    """Two submitted audits: one with a plan (P-1 Yes), one without whose P-1 No is kept."""
    with_plan = {"R-1": "yes", "P-0": "yes", "P-1": "yes", "P-2": "partly", "V-1": "yes"}
    for ref, answers, day in (
        ("COND-0010", with_plan, date(2026, 1, 10)),
        ("COND-0011", {"R-1": "no", "P-0": "yes", "P-1": "no", "P-2": "no"}, date(2026, 2, 10)),
    ):
        uid = _cp_audit(cond_store, ref, answers, day)
        # P-0 turns No: P-1 and P-2 are no longer asked, their answers kept.
        if ref == "COND-0011":
            record_answer(cond_store, uid, "P-0", value="no", actor=ME)
            record_answer(cond_store, uid, "V-1", value="yes", actor=ME)
        update_audit(cond_store, uid, actor=ME, final_grade="good", grade_reason="Judgement.")
        submit_audit(cond_store, uid, actor=ME)
    return cond_store


def test_figures_count_only_answers_to_criteria_asked(submitted: Store) -> None:
    figures = {f.code: f for f in criterion_figures(submitted, AuditFilter(), COND)}
    assert figures["P-1"].counts == {"yes": 1}
    assert figures["P-2"].counts == {"partly": 1}
    assert figures["P-0"].counts == {"yes": 1, "no": 1}
    by_month = criterion_figures_by(submitted, AuditFilter(), COND, "month")
    assert [f.counts for f in by_month["2026-02"] if f.code in ("P-1", "P-2")] == [{}, {}]


def test_reports_leave_out_answers_to_criteria_not_asked(submitted: Store, tmp_path: Path) -> None:
    scope = resolve_scope(submitted, AuditFilter())
    rows = list(matrix_rows(scope))
    p1 = -3  # the criterion columns end with P-1, P-2, V-1
    assert [row[p1] for row in rows] == ["Yes", None]
    evidence = {(row[1], row[5]) for row in evidence_rows(scope)}
    assert ("COND-0011", "P-1") not in evidence and ("COND-0011", "P-0") in evidence
    assert ("COND-0010", "P-1") in evidence
    uid = list_audits(submitted)[0].uid  # newest first: COND-0011
    out = export_audit_feedback(submitted, uid, tmp_path / "feedback.xlsx")
    cells = [r[0] for r in load_workbook(out)["Feedback"].iter_rows(values_only=True) if r]
    assert "P-0" in cells and "P-1" not in cells and "P-2" not in cells


def test_a_condition_is_said_in_words_on_the_screen_and_by_frameworks_show(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    framework = COND
    assert framework.condition_text("P-1") == "when P-0 is answered Yes"
    assert framework.condition_text("P-2") == "when P-1 is answered Yes or Partly"
    assert framework.condition_text("P-0") is None
    with Store.open(tmp_path / "c.db") as store:
        register_framework(store, framework)
    assert main(["frameworks", "show", framework.code, "--db", str(tmp_path / "c.db")]) == 0
    assert "Asked only when P-1 is answered Yes or Partly" in capsys.readouterr().out


@pytest.fixture(scope="module")
def four_audits(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, list[int]]]:
    """Four submitted audits on the conditional framework, whose answers a test sets by SQL."""
    with Store.open(tmp_path_factory.mktemp("tally") / "tally.db") as store:
        register_framework(store, COND)
        for n in range(4):
            _cp_audit(store, f"TALLY-{n:04d}", {}, date(2026, 1 + n, 10))
        store.execute("UPDATE audits SET status = 'submitted'")
        yield store, [r[0] for r in store.execute("SELECT id FROM audits ORDER BY id")]


@settings(max_examples=60, deadline=None)
@given(st.lists(answer_sets(), min_size=4, max_size=4))
def test_the_tallied_answer_texts_count_what_the_answer_rows_count(
    four_audits: tuple[Store, list[int]],
    sets: list[tuple[str, dict[str, str | None], dict[str, str | None]]],
) -> None:
    """The figures tally each audit's answers kept as one text, leaving out those whose
    conditions do not hold; the same counts as the answer rows grouped in SQL, both while
    the texts are unknown (answers set by plain SQL) and once they are stored again."""
    store, ids = four_audits
    with store.atomic():
        for audit_id, (case_type, answers, _) in zip(ids, sets, strict=True):
            store.execute("UPDATE audits SET case_type = ? WHERE id = ?", [case_type, audit_id])
            store.execute("DELETE FROM answers WHERE audit_id = ?", [audit_id])
            store.conn.executemany(
                "INSERT INTO answers (uid, audit_id, criterion_code, value, updated_by, "
                "updated_at) VALUES (?, ?, ?, ?, 'test', '2026-01-01T00:00:00+00:00')",
                [(f"{audit_id}-{code}", audit_id, code, value) for code, value in answers.items()],
            )
    assert store.scalar("SELECT COUNT(*) FROM audits WHERE answered IS NOT NULL") == 0
    for stored in (False, True):
        for group in (None, *stats.GROUPS.values()):
            fast = stats._answer_counts(store, AuditFilter(), COND, group=group)
            slow = stats._answer_counts(store, AuditFilter(), COND, group=group, tally=False)
            assert fast == slow, (stored, group)
        with store.atomic():
            summaries.refresh(store)
    assert summaries.summary_problems(store) == []
