"""The board pack's performance pages agree with ``performance_report`` and with
``case-auditor performance --json`` (issue 18: the sheet, the pack, the dashboard and the
command agree), and its % good or better is measured against the framework's target."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from report_data import ON as REPORT_ON
from report_data import fill

from auditor.cli import main
from auditor.demo import make_demo
from auditor.figures.performance import performance_report
from auditor.figures.stats import AuditFilter
from auditor.frameworks.library import get_framework, register_framework
from auditor.frameworks.model import parse_framework
from auditor.reports.board_pack import export_board_pack
from auditor.store import Store

ON = date(2026, 6, 30)
NORTH = "Demo Assessment Team North"
FIXTURE = (Path(__file__).parent / "fixtures" / "mini.toml").read_text(encoding="utf-8")
NO_TARGET = "No target set for % good or better: set one in the framework's Grading tab"


def text_of(path: Path) -> list[str]:
    return [re.sub(r"\s+", " ", p.extract_text()) for p in PdfReader(path).pages]


def performance_text(pages: list[str]) -> str:
    """The pages from "Performance across the whole case list" up to "By team"."""
    whole = " ".join(pages)
    start = whole.index("Performance across the whole case list")
    return whole[start : whole.index("By team", start)]


def one(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f} %"


def expected_lines(report: dict[str, Any]) -> list[str]:
    """What the page must say for each indicator, from the JSON form of the figures."""
    lines = []
    for i in report["indicators"]:
        interval = i["interval"]
        lines += [
            f"{i['code']} {i['label']}",
            f"{i['in_scope']:,} {i['met']:,} {i['not_met']:,} {i['not_yet_due']:,} "
            f"{i['not_checkable']:,} {one(i['met_percent'])} "
            + ("–" if interval is None else f"{interval[0]:.1f}–{interval[1]:.1f} %"),
            f"{i['verdict']}.",
        ]
        c = i["audit_criterion"]
        if c is not None:
            audits = "1 audit" if c["scored"] == 1 else f"{c['scored']:,} audits"
            lines.append(f"Audits ({c['code']}): {one(c['met_percent'])} met of {audits}.")
        lines += [f"{one(p['percent'])} of {p['n']:,}: {p['verdict']}" for p in i["points"]]
    return lines


def _point_cell(p: dict[str, Any]) -> str:
    if p["gap"] is None:
        return "–"
    mark = "*" if p["n"] < 10 else ""
    return f"{one(p['percent'])}{mark}: " + ("met" if p["gap"] >= 0 else f"{-p['gap']:.1f} below")


def assert_page_shows(text: str, report: dict[str, Any]) -> None:
    assert f"({report['cases']:,} cases)" in text
    for line in expected_lines(report):
        assert line in text, line
    # The audit criteria that missed a target at a point: the six furthest below, each with
    # its figure and how far below at every point.
    missed = [c for c in report["audit_criteria"] if any(p["met"] is False for p in c["points"])]
    assert f"{len(missed)} criteria missed the target at one point or more" in text
    shown, left = [], []
    for c in missed:
        row = f"{c['code']} {c['text']} {c['target']:g} % " + " ".join(
            map(_point_cell, c["points"])
        )
        (shown if row in text else left).append(
            min(p["gap"] for p in c["points"] if p["gap"] is not None)
        )
    assert len(shown) == min(6, len(missed))
    assert not left or min(left) >= max(shown)


@pytest.fixture
def demo(db_path: Path) -> Iterator[Store]:
    with Store.open(db_path) as store:
        make_demo(store, cases=150, seed=3, end=ON)
        yield store


def _as_json(report: Any) -> dict[str, Any]:
    return json.loads(json.dumps(report.to_dict(), default=str))  # type: ignore[no-any-return]


FILTERS = [
    {},
    {"team": NORTH},
    {"date_from": date(2026, 1, 1), "date_to": date(2026, 4, 30)},
]


@pytest.mark.parametrize("chosen", FILTERS, ids=["all", "team", "period"])
def test_the_performance_pages_show_performance_report(
    demo: Store, tmp_path: Path, chosen: dict[str, Any]
) -> None:
    out = tmp_path / "pack.pdf"
    export_board_pack(demo, out, audit_filter=AuditFilter(**chosen), on=ON)
    pages = text_of(out)
    text = performance_text(pages)
    report = performance_report(demo, get_framework(demo, "IN-CFA"), on=ON, **chosen)
    assert len(report.indicators) == 11 and report.targets_missed
    assert_page_shows(text, _as_json(report))
    assert "not only the audited ones" in text and "How these are counted" in text
    first = next(n for n, p in enumerate(pages) if "Performance across the whole case" in p)
    last = next(n for n, p in enumerate(pages) if "How these are counted" in p)
    assert last - first <= 1  # one or two A4 pages


def test_the_pack_and_the_command_print_the_same_figures(
    demo: Store, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """As at today, from two commands: ``board-pack`` and ``performance --json``."""
    for args in ([], ["--team", NORTH], ["--from", "01/02/2026", "--to", "31/05/2026"]):
        out = tmp_path / "cli.pdf"
        assert main(["board-pack", "--db", str(db_path), "--out", str(out), *args]) == 0
        capsys.readouterr()
        assert main(["performance", "--db", str(db_path), "--json", *args]) == 0
        printed = json.loads(capsys.readouterr().out)
        assert_page_shows(performance_text(text_of(out)), printed)


# -- % good or better against the framework's target ----------------------------------------


def _with_target(db_path: Path, target: int | None) -> Store:
    text = FIXTURE
    if target is not None:
        text = FIXTURE.replace("[grading]\n", f"[grading]\ngood_or_better_target = {target}\n")
    store = Store.open(db_path)
    register_framework(store, parse_framework(text, origin="mini.toml"))
    fill(store)  # 3 audits: 2 graded good or better (67 %), Jan and Feb 2026
    return store


def _pack(store: Store, tmp_path: Path) -> list[str]:
    out = tmp_path / "target.pdf"
    export_board_pack(store, out, on=REPORT_ON)
    return text_of(out)


@pytest.mark.parametrize(
    ("target", "said"),
    [
        (80, "Below target by 13 points: 67 %* against a target of 80 %"),
        (60, "Met: 67 %* against a target of 60 %"),
        (67, "Met: 67 %* against a target of 67 %"),
    ],
)
def test_good_or_better_is_measured_against_the_target(
    db_path: Path, tmp_path: Path, target: int, said: str
) -> None:
    with _with_target(db_path, target) as store:
        pages = _pack(store, tmp_path)
    assert f"Target for % good or better {said}" in pages[0]
    trend = next(p for p in pages if "At the 6- and 12-month points" in p)
    # The one point (January to June 2026) holds all three audits.
    assert f"% good or better {target} % {said}" in trend
    assert NO_TARGET not in " ".join(pages)


def test_with_no_target_the_pack_says_where_to_set_one(db_path: Path, tmp_path: Path) -> None:
    with _with_target(db_path, None) as store:
        pages = _pack(store, tmp_path)
    assert f"Target for % good or better {NO_TARGET}" in pages[0]
    trend = next(p for p in pages if "At the 6- and 12-month points" in p)
    assert f"{NO_TARGET}." in trend and "Below target by" not in trend
