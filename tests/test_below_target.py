"""Criteria below target are ranked on figures that carry enough audits; small samples are
kept apart and marked, in the workbook's Trend sheet as in the core's ranking."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook
from report_data import ON, fill

from auditor.demo import make_demo
from auditor.figures.stats import (
    SMALL_SAMPLE,
    AuditFilter,
    CriterionFigures,
    criteria_below_target,
    criterion_figures,
)
from auditor.reports import export_report
from auditor.reports.scope import resolve_scope
from auditor.store import Store


def _figures(code: str, yes: int, no: int, target: float | None) -> CriterionFigures:
    return CriterionFigures(code, "S", "Text", (), target, counts={"yes": yes, "no": no})


criteria = st.lists(
    st.builds(
        _figures,
        code=st.text("ABC-123", min_size=1, max_size=6),
        yes=st.integers(0, 40),
        no=st.integers(0, 40),
        target=st.one_of(st.none(), st.sampled_from([50.0, 80.0, 90.0, 100.0])),
    ),
    max_size=30,
)


@given(criteria)
def test_ranking_keeps_every_criterion_below_target_and_only_those(
    figures: list[CriterionFigures],
) -> None:
    ranked = criteria_below_target(figures)
    below = [f for f in figures if f.met_percent is not None and f.target is not None]
    assert sorted(map(id, ranked)) == sorted(id(f) for f in below if f.met_percent < f.target)


@given(criteria)
def test_enough_audits_rank_first_then_small_samples_each_worst_first(
    figures: list[CriterionFigures],
) -> None:
    ranked = criteria_below_target(figures)
    small = [f.small_sample for f in ranked]
    assert small == sorted(small)  # no small sample before a criterion with enough audits
    for first, second in pairwise(ranked):
        if first.small_sample == second.small_sample:
            assert first.gap >= second.gap


def test_a_swing_on_one_audit_does_not_outrank_a_steady_shortfall() -> None:
    one_audit = _figures("CL-01", 0, 1, 90.0)  # 0 % met, 90 points below, on one audit
    steady = _figures("PLAN-01", 60, 40, 90.0)  # 60 % met on 100 audits
    assert [f.code for f in criteria_below_target([one_audit, steady])] == ["PLAN-01", "CL-01"]
    assert steady.interval is not None and steady.interval[1] < 90.0  # surely below


def _trend_lines(path: Path) -> list[tuple[object, ...]]:
    return list(load_workbook(path)["Trend"].iter_rows(values_only=True))


def test_the_trend_sheet_charts_pooled_figures_with_enough_audits(tmp_path: Path) -> None:
    with Store.open(tmp_path / "demo.db") as store:
        make_demo(store, cases=300, audits=150, seed=1)
        out = tmp_path / "report.xlsx"
        export_report(store, out)
        scope = resolve_scope(store, AuditFilter())
        assert scope.framework is not None
        pooled = criterion_figures(store, scope.audit_filter, scope.framework)
    expected = [f for f in criteria_below_target(pooled) if not f.small_sample][:8]
    lines = _trend_lines(out)
    start = next(i for i, r in enumerate(lines) if r[1] == "Criterion" and r[2] == "% met")
    rows = lines[start + 1 : start + 1 + len(expected)]
    assert [r[1] for r in rows] == [f.code for f in expected]
    for row, f in zip(rows, expected, strict=True):
        assert f.met_percent is not None
        assert row[2] == round(f.met_percent / 100, 10)
        assert row[6] == f.scored and f.scored >= SMALL_SAMPLE
    bars = [c for c in load_workbook(out)["Trend"]._charts if c.tagname == "barChart"]
    assert len(bars) == 1
    assert "pooled" in str(lines[start - 1][1])


def test_small_samples_below_target_are_named_not_charted(store: Store, tmp_path: Path) -> None:
    fill(store)  # three audits: every criterion is a small sample
    out = tmp_path / "report.xlsx"
    export_report(store, out, on=ON)
    notes = [r[1] for r in _trend_lines(out) if isinstance(r[1], str)]
    # 1 of 2 against 80 %; R-1: 2 of 3 against 90 %; V-1 has no target.
    assert (
        "Also below target, on fewer than 10 audits (not charted): "
        "R-2 (2 audits, 50 % met); R-1 (3 audits, 67 % met)."
    ) in notes
    assert not [c for c in load_workbook(out)["Trend"]._charts if c.tagname == "barChart"]
