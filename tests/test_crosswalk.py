"""Crosswalks between framework versions: checked whole, kept with trail rows, and carrying
the report's trend and the dashboard across the change (one line per continued criterion)."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from auditor.cli import main
from auditor.errors import ValidationError
from auditor.figures import stats
from auditor.figures.dashboard import dashboard_figures
from auditor.figures.stats import AuditFilter, criterion_figures_by_month
from auditor.frameworks.crosswalk import (
    Continuation,
    Kind,
    crosswalk_problems,
    load_crosswalk,
    merged_answer,
    propose_crosswalk,
    save_crosswalk,
    trend_lineage,
)
from auditor.frameworks.library import get_framework
from auditor.frameworks.model import parse_framework
from auditor.reports import export_report
from auditor.store import Store, summaries
from auditor.store.trail import verify_trail
from tests import crosswalk_data as data


@pytest.fixture
def two(store: Store) -> Store:
    data.versions(store)
    return store


def test_the_proposal_continues_codes_the_old_version_had(two: Store) -> None:
    old, new = get_framework(two, "TREND", "1.0.0"), get_framework(two, "TREND", "2.0.0")
    proposal = propose_crosswalk(old, new)
    kinds = {c.criterion: (c.kind, c.old) for c in proposal.continuations}
    assert kinds == {
        "A-1": (Kind.SAME, ("A-1",)),
        "A-3": (Kind.NEW, ()),
        "B-9": (Kind.NEW, ()),
        "N-1": (Kind.NEW, ()),
    }
    assert proposal.retired == ("A-2", "B-1", "B-2", "C-1")
    assert crosswalk_problems(proposal, old, new) == []
    reworded = parse_framework(
        data.framework_toml("2.0.0", {**data.V2, "A-1": "Is the risk recorded?"}), origin="t"
    )
    assert propose_crosswalk(old, reworded).continuations[0].kind is Kind.REWORDED


def test_every_mistake_in_a_crosswalk_is_named(two: Store) -> None:
    old, new = get_framework(two, "TREND", "1.0.0"), get_framework(two, "TREND", "2.0.0")
    assert crosswalk_problems(data.crosswalk(), old, new) == []
    bad = dataclasses.replace(
        data.crosswalk(),
        continuations=(
            Continuation("A-1", Kind.SAME, ("A-1", "A-2")),
            Continuation("A-3", Kind.REWORDED, ("A-1",)),
            Continuation("B-9", Kind.MERGED, ("B-1",)),
            Continuation("N-1", Kind.NEW, ("Z-9",)),
            Continuation("X-1", Kind.NEW),
        ),
        retired=("B-1", "Q-1"),
    )
    problems = crosswalk_problems(bad, old, new)
    assert "A-1 is same: it continues exactly one old criterion, not 2" in problems
    assert (
        "A-1 is continued by both A-1 and A-3: an old criterion continues into one new criterion"
        in problems
    )
    assert "B-9 is merged: it continues two or more old criteria, not 1" in problems
    assert "N-1 is new but continues Z-9" in problems
    assert "N-1 continues Z-9, which is not a criterion of TREND 1.0.0" in problems
    assert "X-1 is not a criterion of TREND 2.0.0" in problems
    assert "B-1 is both retired and continued by B-9" in problems
    assert "Q-1 is retired but is not a criterion of TREND 1.0.0" in problems
    assert "B-2 of TREND 1.0.0 is neither continued nor retired" in problems
    assert "C-1 of TREND 1.0.0 is neither continued nor retired" in problems
    missing = dataclasses.replace(
        data.crosswalk(), continuations=data.crosswalk().continuations[:3]
    )
    assert crosswalk_problems(missing, old, new) == [
        "N-1 has no kind (same, reworded, merged or new)"
    ]
    with pytest.raises(ValidationError) as raised:
        save_crosswalk(two, bad, actor=data.QA)
    assert raised.value.problems == problems
    assert two.scalar("SELECT COUNT(*) FROM framework_crosswalks") == 0


def test_a_saved_crosswalk_comes_back_with_trail_rows(two: Store) -> None:
    saved = save_crosswalk(two, data.crosswalk(), actor=data.QA)
    assert saved.uid and saved.updated_by == data.QA
    again = load_crosswalk(two, "TREND", "2.0.0")
    assert again == saved
    assert again is not None
    assert again.continuations == data.crosswalk().continuations
    assert again.retired == ("C-1",)
    rows = two.query(
        "SELECT field, old_value, new_value FROM trail WHERE entity = 'crosswalk' ORDER BY seq"
    )
    assert [(r["field"], r["new_value"]) for r in rows] == [
        ("replaces", "TREND 1.0.0 by TREND 2.0.0"),
        ("criterion A-1", "same from A-1"),
        ("criterion A-3", "reworded from A-2"),
        ("criterion B-9", "merged from B-1, B-2"),
        ("criterion N-1", "new"),
        ("criterion C-1", "retired"),
    ]
    changed = dataclasses.replace(
        saved,
        continuations=(*saved.continuations[:3], Continuation("N-1", Kind.NEW)),
    )
    changed = dataclasses.replace(changed, continuations=(
        Continuation("A-1", Kind.REWORDED, ("A-1",)), *changed.continuations[1:]))  # fmt: skip
    save_crosswalk(two, changed, actor=data.QA)
    last = two.query("SELECT field, old_value, new_value FROM trail WHERE entity = 'crosswalk' "
                     "ORDER BY seq DESC LIMIT 1")  # fmt: skip
    assert (last[0]["field"], last[0]["old_value"], last[0]["new_value"]) == (
        "criterion A-1", "same from A-1", "reworded from A-1")  # fmt: skip
    assert two.scalar("SELECT COUNT(*) FROM framework_crosswalks") == 1
    assert verify_trail(two) == []


def test_merged_answers_count_once_met_only_when_every_one_is_met() -> None:
    assert merged_answer(["yes", "yes"]) == "yes"
    assert merged_answer(["yes", "partly"]) == "partly"
    assert merged_answer(["yes", "no", "partly"]) == "no"
    assert merged_answer(["na", "yes"]) == "yes"
    assert merged_answer(["na", "na"]) == "na"


def _expected(audits: list[dict[str, str]], line: list[str]) -> tuple[int, int]:
    """(met, scored) for a line continuing ``line``'s old criteria, counted by hand's rule:
    an audit counts once; N/A when all are N/A; met when every other answer is Yes."""
    met = scored = 0
    for answers in audits:
        values = [answers[c] for c in line if c in answers and answers[c] != "na"]
        if values:
            scored += 1
            met += all(v == "yes" for v in values)
    return met, scored


EXPECTED_JAN = {  # line → (met, scored) over the four version-1 audits
    "A-1": _expected(data.OLD_AUDITS, ["A-1"]),
    "A-3": _expected(data.OLD_AUDITS, ["A-2"]),
    "B-9": _expected(data.OLD_AUDITS, ["B-1", "B-2"]),
    "N-1": (0, 0),
    "C-1": _expected(data.OLD_AUDITS, ["C-1"]),
}
EXPECTED_MAR = {
    **{code: _expected(data.NEW_AUDITS, [code]) for code in ("A-1", "A-3", "B-9", "N-1")},
    "C-1": (0, 0),
}


def test_the_hand_counts_are_what_the_data_says() -> None:
    assert EXPECTED_JAN == {"A-1": (3, 4), "A-3": (2, 4), "B-9": (2, 3), "N-1": (0, 0),
                            "C-1": (2, 4)}  # fmt: skip
    assert EXPECTED_MAR == {"A-1": (2, 3), "A-3": (2, 3), "B-9": (2, 3), "N-1": (2, 3),
                            "C-1": (0, 0)}  # fmt: skip


def test_figures_by_month_carry_one_line_per_continued_criterion(two: Store) -> None:
    data.fill(two)
    new = get_framework(two, "TREND", "2.0.0")
    f = AuditFilter(framework_code="TREND")
    before = criterion_figures_by_month(two, f, new)
    assert [x.code for x in before["2026-01"]] == ["A-1", "A-3", "B-9", "N-1"]
    assert before["2026-01"][1].scored == 0  # without a crosswalk, A-2's answers are lost
    save_crosswalk(two, data.crosswalk(), actor=data.QA)
    lineage = trend_lineage(two, new)
    assert [s.new_text for s in lineage.steps] == ["TREND 2.0.0"]
    after = criterion_figures_by_month(two, f, new, lineage=lineage)
    for month, expected in (("2026-01", EXPECTED_JAN), ("2026-03", EXPECTED_MAR)):
        got = {x.code: (x.met, x.scored) for x in after[month]}
        assert got == expected, month
    assert [x.retired_by for x in after["2026-01"]] == [None] * 4 + ["TREND 2.0.0"]
    assert lineage.reworded() == {"A-3": "2.0.0", "B-9": "2.0.0"}


def _trend_rows(path: Path) -> tuple[list[Any], dict[str, list[Any]], list[str]]:
    ws = load_workbook(path)["Trend"]
    rows = list(ws.iter_rows(values_only=True))
    header = list(rows[0])
    by_code = {str(r[0]): list(r) for r in rows[1:] if r[0]}
    notes = [str(r[1]) for r in rows if r[0] is None and r[1]]
    return header, by_code, notes


def _cell(header: list[Any], row: list[Any], column: str) -> Any:
    return row[header.index(column)]


def test_the_report_trend_runs_across_two_versions(two: Store, tmp_path: Path) -> None:
    data.fill(two)
    save_crosswalk(two, data.crosswalk(), actor=data.QA)
    out = tmp_path / "trend.xlsx"
    export_report(two, out, audit_filter=AuditFilter(framework_code="TREND"), on=date(2026, 4, 1))
    header, rows, notes = _trend_rows(out)
    assert [code for code in rows if code not in ("AUDITS", "GRADE", "ALL")] == [
        "A-1", "A-3", "B-9", "N-1", "C-1"]  # fmt: skip
    for column, expected in (("Jan 2026", EXPECTED_JAN), ("Mar 2026", EXPECTED_MAR)):
        for code, (met, scored) in expected.items():
            value = _cell(header, rows[code], column)
            assert value == (None if scored == 0 else pytest.approx(met / scored)), (code, column)
    assert _cell(header, rows["AUDITS"], "Jan 2026") == 4
    assert "[wording changed in version 2.0.0]" in rows["A-3"][1]
    assert "[wording changed in version 2.0.0]" in rows["B-9"][1]
    assert "wording" not in rows["A-1"][1]
    assert "[retired by TREND 2.0.0: its line ends at the change]" in rows["C-1"][1]
    change = next(n for n in notes if n.startswith("TREND 2.0.0 replaced TREND 1.0.0"))
    assert "its first audit 06/03/2026" in change
    assert "Wording changed: A-3." in change
    assert "Merged: B-9 from B-1, B-2" in change
    assert "Retired, their lines end at the change: C-1." in change
    assert "New: N-1." in change


def test_without_a_crosswalk_the_trend_is_as_before(two: Store, tmp_path: Path) -> None:
    data.fill(two)
    out = tmp_path / "plain.xlsx"
    export_report(two, out, audit_filter=AuditFilter(framework_code="TREND"), on=date(2026, 4, 1))
    header, rows, notes = _trend_rows(out)
    assert "C-1" not in rows
    assert _cell(header, rows["A-3"], "Jan 2026") is None
    assert _cell(header, rows["A-1"], "Jan 2026") == pytest.approx(0.75)
    assert not any("replaced" in n for n in notes)


def test_the_dashboard_shows_the_same_figures_and_where_the_wording_changed(two: Store) -> None:
    data.fill(two)
    f = AuditFilter(framework_code="TREND", date_from=date(2026, 1, 1), date_to=date(2026, 3, 31))
    plain = dashboard_figures(two, f)
    assert plain.changes == () and plain.reworded == {}
    save_crosswalk(two, data.crosswalk(), actor=data.QA)
    figures = dashboard_figures(two, f)
    met = {x.code: (x.met, x.scored) for x in figures.criteria}
    both = {c: tuple(a + b for a, b in zip(EXPECTED_JAN[c], EXPECTED_MAR[c], strict=True))
            for c in ("A-1", "A-3", "B-9", "N-1")}  # fmt: skip
    assert met == both  # the retired C-1 is not a bar: it is not asked any more
    jan = next(p for p in figures.trend if p.month == "2026-01")
    met_jan = sum(m for m, _ in EXPECTED_JAN.values())
    scored_jan = sum(s for _, s in EXPECTED_JAN.values())
    assert jan.met_percent == pytest.approx(100.0 * met_jan / scored_jan)
    assert [(c.month, c.new, c.old, c.reworded) for c in figures.changes] == [
        ("2026-03", "TREND 2.0.0", "TREND 1.0.0", ("A-3", "B-9"))
    ]
    assert figures.reworded == {"A-3": "2.0.0", "B-9": "2.0.0"}


def test_the_command_line_proposes_saves_and_shows(
    two: Store, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "cw.json"
    assert main(["frameworks", "crosswalk", "propose", "TREND@1.0.0", "TREND@2.0.0",
                 "--db", str(db_path), "--out", str(out)]) == 0  # fmt: skip
    assert "Wrote a proposed crosswalk from TREND 1.0.0 to TREND 2.0.0" in capsys.readouterr().out
    proposal = json.loads(out.read_text(encoding="utf-8"))
    assert proposal["retired"] == ["A-2", "B-1", "B-2", "C-1"]
    proposal["criteria"][2] = {"code": "B-9", "kind": "merged", "continues": ["B-1"]}
    out.write_text(json.dumps(proposal), encoding="utf-8")
    assert main(["frameworks", "crosswalk", "save", str(out), "--db", str(db_path)]) == 2
    err = capsys.readouterr().err
    assert "B-9 is merged: it continues two or more old criteria, not 1" in err
    out.write_text(json.dumps(data.crosswalk().to_dict()), encoding="utf-8")
    assert main(["frameworks", "crosswalk", "save", str(out), "--db", str(db_path),
                 "--actor", data.QA]) == 0  # fmt: skip
    assert capsys.readouterr().out.strip() == (
        "Saved the crosswalk from TREND 1.0.0 to TREND 2.0.0: "
        "1 same, 1 reworded, 1 merged, 1 new, 1 retired"
    )
    assert main(["frameworks", "crosswalk", "show", "TREND@2.0.0", "--db", str(db_path)]) == 0
    shown = capsys.readouterr().out
    assert "B-9       Merged ← B-1, B-2" in shown
    assert "C-1       Retired" in shown
    assert main(["frameworks", "crosswalk", "show", "--json", "--db", str(db_path)]) == 0
    assert json.loads(capsys.readouterr().out) == [data.crosswalk().to_dict()]


@pytest.fixture(scope="module")
def older_audits(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, list[int]]]:
    """TREND's two versions and their crosswalk, and six audits on version 1 whose answers
    a test sets by plain SQL."""
    with Store.open(tmp_path_factory.mktemp("older") / "older.db") as store:
        data.versions(store)
        save_crosswalk(store, data.crosswalk(), actor=data.QA)
        for i in range(6):
            answers = data.OLD_AUDITS[i % len(data.OLD_AUDITS)]
            data.audit(store, f"DEMO-01-00030{i}", date(2026, 1 + i % 3, 5), "1.0.0", answers)
        yield store, [r[0] for r in store.execute("SELECT id FROM audits ORDER BY id")]


ANSWERS = st.sampled_from([None, "yes", "partly", "no", "na"])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.fixed_dictionaries({c: ANSWERS for c in data.V1}), min_size=6, max_size=6))
def test_older_audits_counted_from_their_texts_count_what_their_rows_count(
    older_audits: tuple[Store, list[int]], answer_sets: list[dict[str, str | None]]
) -> None:
    """The counts of a version's audits through its crosswalk (same, reworded, merged into
    one, retired) from the answers kept as texts, and then as marks, equal those from the
    answer rows."""
    store, ids = older_audits
    with store.atomic():
        for audit_id, answers in zip(ids, answer_sets, strict=True):
            store.execute("DELETE FROM answers WHERE audit_id = ?", [audit_id])
            store.conn.executemany(
                "INSERT INTO answers (uid, audit_id, criterion_code, value, updated_by, "
                "updated_at) VALUES (?, ?, ?, ?, 'test', '2026-01-01T00:00:00+00:00')",
                [(f"{audit_id}-{code}", audit_id, code, v) for code, v in answers.items()],
            )
    lineage = trend_lineage(store, get_framework(store, "TREND", "2.0.0"))
    [(key, lines)] = lineage.versions.items()
    then = lineage.frameworks[key]
    where, params = AuditFilter(framework_code="TREND").sql()
    where, params = f"{where} AND a.framework_version = ?", [*params, "1.0.0"]
    for stored in (False, True):  # the texts and marks unknown (set by SQL), then stored
        if stored:
            with store.atomic():
                summaries.refresh(store)
            assert store.scalar("SELECT COUNT(*) FROM audits WHERE marks IS NULL") == 0
        for group in stats.GROUPS.values():
            counted = []
            for count in (stats._older_counts, stats._older_counts_from_rows):
                tally: Counter[tuple[str, str, str]] = Counter()
                for (g, line), value, n in count(store, group, where, params, then, lines):
                    tally[(g, line, value)] += n
                counted.append(tally)
            assert counted[0] == counted[1], (stored, group)
