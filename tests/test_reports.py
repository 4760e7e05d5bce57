"""The report workbook, opened with openpyxl and checked against the database's figures."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from report_data import (
    FORMULA_EVIDENCE,
    ON,
    OTHER,
    RISKY_EVIDENCE,
    SHEETS,
    fill,
    summary_values,
    table_rows,
)

from auditor.figures.stats import (
    AuditFilter,
    criterion_figures,
    criterion_figures_by_month,
    headline,
    headlines_by,
    six_month_points,
    worst_gaps_first,
)
from auditor.frameworks.library import ensure_builtin_frameworks
from auditor.frameworks.model import Framework
from auditor.reports import ExportError, export_report
from auditor.reports.pseudonym import Pseudonyms
from auditor.reports.sheets.trend import point_label
from auditor.reports.styles import PERCENT, PERCENT_SMALL_SAMPLE
from auditor.reports.table import NO_AUDITS
from auditor.store import Store


@pytest.fixture
def audited(store: Store) -> Store:
    fill(store)
    return store


@pytest.fixture
def report(audited: Store, tmp_path: Path) -> Path:
    out = tmp_path / "report.xlsx"
    export_report(audited, out, on=ON)
    return out


def test_sheets_and_summary_figures(audited: Store, report: Path) -> None:
    assert load_workbook(report).sheetnames == SHEETS
    h = headline(audited, AuditFilter(), on=ON)
    summary = summary_values(report)
    assert summary["Audits"] == h.audits == 3  # the draft is not counted
    assert summary["Auditors"] == 2
    assert summary["Good or better (final grade)"] == pytest.approx(h.good_or_better_percent / 100)
    assert summary["Immediate safeguarding concerns"] == 1
    assert summary["Open actions"] == 2
    assert summary["Overdue actions (open, due before 01/03/2026)"] == 1
    assert summary["Moderated audits"] == 1
    assert summary["First audit"] == datetime(2026, 1, 10)
    # Grades table: S-1 good, S-2 moderated to good, S-3 requires improvement.
    assert (summary["Outstanding"], summary["Good"], summary["Inadequate"]) == (0, 2, 0)
    assert summary["Requires improvement to be good"] == 1


def test_criteria_match_the_figures_worst_gap_first(
    audited: Store, mini: Framework, report: Path
) -> None:
    figures = worst_gaps_first(criterion_figures(audited, AuditFilter(), mini))
    rows = table_rows(report, "Criteria")
    assert [r["Code"] for r in rows] == [f.code for f in figures]
    for row, f in zip(rows, figures, strict=True):
        assert (row["Yes"], row["Partly"], row["No"], row["N/A"]) == (
            f.counts.get("yes", 0),
            f.counts.get("partly", 0),
            f.counts.get("no", 0),
            f.counts.get("na", 0),
        )
        assert (row["Applied (audits)"], row["Scored (not N/A)"]) == (f.applied, f.scored)
        if f.met_percent is None:
            assert row["% met"] is None and row["95 % CI from"] is None
        else:
            assert row["% met"] == pytest.approx(f.met_percent / 100)
            assert row["95 % CI from"] == pytest.approx(f.interval[0] / 100)
            assert row["95 % CI to"] == pytest.approx(f.interval[1] / 100)
        assert row["Sample"] == "Fewer than 10 *"  # three audits: every figure is small


def test_not_applicable_is_left_out_of_percent_met(report: Path) -> None:
    r2 = next(r for r in table_rows(report, "Criteria") if r["Code"] == "R-2")
    # S-1 yes, S-2 N/A, S-3 partly: 1 met of 2 scored.
    assert (r2["Applied (audits)"], r2["N/A"], r2["Scored (not N/A)"]) == (3, 1, 2)
    assert r2["% met"] == pytest.approx(0.5)
    assert (r2["Target"], r2["Points below target"], r2["Status"]) == (0.8, 30, "Red")
    v2 = next(r for r in table_rows(report, "Criteria") if r["Code"] == "V-2")
    assert (v2["Applied (audits)"], v2["Status"]) == (1, "No target")


def test_percentages_are_numbers_formatted_as_percent(report: Path) -> None:
    ws = load_workbook(report)["Criteria"]
    header = [c.value for c in ws[1]]
    met = ws.cell(row=2, column=header.index("% met") + 1)
    assert isinstance(met.value, float)
    assert met.number_format == PERCENT_SMALL_SAMPLE  # marked: fewer than 10 audits
    trend = load_workbook(report)["Trend"]
    assert trend["D3"].number_format in (PERCENT, PERCENT_SMALL_SAMPLE)


def test_trend_by_month_and_six_month_points(audited: Store, mini: Framework, report: Path) -> None:
    rows = {r["Code"]: r for r in table_rows(report, "Trend")}
    months = criterion_figures_by_month(audited, AuditFilter(), mini)
    assert rows["AUDITS"]["Jan 2026"] == 1 and rows["AUDITS"]["Feb 2026"] == 2
    feb = {f.code: f for f in months["2026-02"]}
    assert rows["R-1"]["Feb 2026"] == pytest.approx(feb["R-1"].met_percent / 100)
    assert rows["R-1"]["Target"] == 0.9
    # Points count from the first audit's month: Jan–Jun 2026 holds all three audits.
    six = "6-month point: months 1–6 (Jan–Jun 2026)"
    assert rows["AUDITS"][six] == 3
    assert rows["AUDITS"]["12-month point: months 7–12 (Jul–Dec 2026)"] == 0
    assert rows["GRADE"][six] == pytest.approx(2 / 3)


def test_trend_points_count_from_the_given_start(audited: Store, tmp_path: Path) -> None:
    out = tmp_path / "r.xlsx"
    export_report(audited, out, points_start=date(2025, 9, 1), on=ON)
    audits = next(r for r in table_rows(out, "Trend") if r["Code"] == "AUDITS")
    assert audits["6-month point: months 1–6 (Sep 2025–Feb 2026)"] == 3


def test_by_team_and_by_auditor(audited: Store, report: Path) -> None:
    expected = headlines_by(audited, AuditFilter(), "team", on=ON)
    rows = {r["Team"]: r for r in table_rows(report, "By team")}
    assert set(rows) == {"North", "South"}
    for team, h in expected.items():
        assert rows[team]["Audits"] == h.audits
        assert rows[team]["Overdue actions"] == h.overdue_actions
    assert rows["North"]["% good or better"] == pytest.approx(1.0)
    # North: S-1 yes, yes, no; S-2 yes, (na), partly after moderation: 3 of 5.
    assert rows["North"]["% met, all criteria"] == pytest.approx(0.6)
    auditors = {r["Auditor"]: r["Audits"] for r in table_rows(report, "By auditor")}
    assert auditors == {"Test Auditor": 2, OTHER: 1}


def test_teams_count_their_auditors_and_auditors_do_not(report: Path) -> None:
    """An auditor's row would always say 1 auditor: only By team has the column."""
    teams = {r["Team"]: r["Auditors"] for r in table_rows(report, "By team")}
    assert teams == {"North": 2, "South": 1}
    assert "Auditors" not in table_rows(report, "By auditor")[0]


def test_a_point_says_which_six_months_it_covers() -> None:
    start = date(2025, 10, 1)
    labels = [point_label(p, start) for p in six_month_points(start)]
    assert labels == [
        "6-month point: months 1–6 (Oct 2025–Mar 2026)",
        "12-month point: months 7–12 (Apr–Sep 2026)",
    ]
    mid = date(2025, 9, 15)  # a notice served mid-month: months run 15th to 14th
    assert point_label(six_month_points(mid)[1], mid).startswith("12-month point: months 7–12")


def test_case_matrix_one_row_per_audit(report: Path) -> None:
    rows = table_rows(report, "Case matrix")
    assert [r["Case"] for r in rows] == ["S-1", "S-2", "S-3"]
    s3 = rows[2]
    assert (s3["R-1"], s3["R-2"], s3["V-1"], s3["V-2"]) == ("No", "Partly", "Yes", "Yes")
    assert rows[0]["V-2"] is None  # not asked of a child-in-need case
    assert rows[1]["R-2"] == "N/A" and rows[1]["V-1"] == "Partly"  # the moderated answer
    assert s3["Audit date"] == datetime(2026, 2, 9)
    assert (s3["Final grade"], s3["Status"]) == ("Requires improvement to be good", "Submitted")
    assert (s3["Safeguarding concern"], s3["Allocated worker"]) == ("Yes", "Worker S-3")
    assert isinstance(s3["Compliance"], float)


def test_evidence_one_row_per_answer(audited: Store, report: Path) -> None:
    rows = table_rows(report, "Evidence")
    assert len(rows) == 10  # 3 + 3 + 4 answers; the draft's are left out
    assert [r["Criterion"] for r in rows[-4:]] == ["R-1", "R-2", "V-1", "V-2"]
    assert {r["Evidence"] for r in rows[-4:]} == set(RISKY_EVIDENCE.values())
    assert all("S-4" not in str(r["Evidence"]) for r in rows)


def test_actions_with_days_overdue(report: Path) -> None:
    rows = table_rows(report, "Actions")
    assert [(r["Case"], r["Status"], r["Days overdue"]) for r in rows] == [
        ("S-1", "Open", 40),  # due 20 January, report made 1 March
        ("S-3", "Open", 0),
    ]
    assert rows[0]["Due"] == datetime(2026, 1, 20) and rows[0]["Owner"] == "Manager M"


def test_moderation_and_agreement(report: Path) -> None:
    [moderation] = table_rows(report, "Moderation")
    assert moderation["Case"] == "S-2" and moderation["Moderator"] == "QA Lead"
    assert (moderation["Auditor's grade"], moderation["Moderator's grade"]) == (
        "Outstanding",
        "Good",
    )
    assert (moderation["Grade changed"], moderation["Criteria changed"]) == ("Yes", "V-1")
    agreement = table_rows(report, "Agreement")
    assert agreement[0]["Subject"] == "Overall grade" and agreement[0]["% agreement"] == 0
    assert agreement[1]["Subject"] == "V-1"  # the criterion the moderator changed comes first


def test_filters_narrow_every_sheet(audited: Store, tmp_path: Path) -> None:
    out = tmp_path / "north.xlsx"
    summary = export_report(audited, out, audit_filter=AuditFilter(team="North"), on=ON)
    assert summary.audits == 2
    assert [r["Case"] for r in table_rows(out, "Case matrix")] == ["S-1", "S-2"]
    assert {r["Case"] for r in table_rows(out, "Evidence")} == {"S-1", "S-2"}
    assert [r["Case"] for r in table_rows(out, "Actions")] == ["S-1"]
    assert summary_values(out)["Team"] == "North"
    february = tmp_path / "feb.xlsx"
    export_report(
        audited,
        february,
        audit_filter=AuditFilter(date_from=date(2026, 2, 1), date_to=date(2026, 2, 28)),
        on=ON,
    )
    assert [r["Case"] for r in table_rows(february, "Case matrix")] == ["S-2", "S-3"]


def test_an_empty_selection_is_a_valid_workbook_that_says_so(
    audited: Store, tmp_path: Path
) -> None:
    out = tmp_path / "empty.xlsx"
    summary = export_report(audited, out, audit_filter=AuditFilter(team="Nowhere"))
    assert summary.empty and summary.sheets == tuple(SHEETS)
    wb = load_workbook(out)
    values = [c for row in wb["Summary"].iter_rows(values_only=True) for c in row if c]
    assert NO_AUDITS in values
    for name in ("Criteria", "Case matrix", "Evidence", "Actions", "By team"):
        [row] = table_rows(out, name)
        assert next(iter(row.values())) == NO_AUDITS
        assert wb[name].tables  # still a table with its filters


def test_an_empty_database_exports(tmp_path: Path) -> None:
    with Store.open(tmp_path / "new.db") as store:
        summary = export_report(store, tmp_path / "empty.xlsx")
    assert summary.empty


def test_formula_like_evidence_stays_text(report: Path) -> None:
    wb = load_workbook(report)
    evidence = {c.value for row in wb["Evidence"].iter_rows(min_row=2) for c in row}
    for text in [*FORMULA_EVIDENCE.values(), *RISKY_EVIDENCE.values()]:
        assert text in evidence
    for row in wb["Evidence"].iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f" and cell.data_type != "e", cell.coordinate
    formula = next(
        c for row in wb["Evidence"].iter_rows() for c in row if c.value == FORMULA_EVIDENCE["V-1"]
    )
    assert formula.data_type == "s" and formula.quotePrefix


def test_pseudonymised_workbook_names_no_case_and_no_worker(audited: Store, tmp_path: Path) -> None:
    first, second = tmp_path / "p1.xlsx", tmp_path / "p2.xlsx"
    export_report(audited, first, pseudonymise=True, on=ON)
    export_report(audited, second, pseudonymise=True, on=ON)
    matrix = table_rows(first, "Case matrix")
    cases = [r["Case"] for r in matrix]
    assert cases == [r["Case"] for r in table_rows(second, "Case matrix")]  # stable
    assert all(c.startswith("CASE-") and len(c) == 17 for c in cases)
    assert cases == [Pseudonyms.for_store(audited)(ref) for ref in ("S-1", "S-2", "S-3")]
    assert "Allocated worker" not in matrix[0] and "Owner" not in table_rows(first, "Actions")[0]
    wb = load_workbook(first)
    texts = [str(c) for ws in wb for row in ws.iter_rows(values_only=True) for c in row if c]
    for secret in ("S-1", "S-2", "S-3", "Worker S-", "Manager M"):
        assert not any(secret in t for t in texts), secret
    assert any(cases[0] in t for t in texts if t.startswith("Seen on the file of"))


def test_pseudonyms_differ_between_databases(audited: Store, tmp_path: Path) -> None:
    with Store.open(tmp_path / "other.db") as other:
        assert Pseudonyms.for_store(other)("S-1") != Pseudonyms.for_store(audited)("S-1")


def test_more_than_one_framework_needs_a_choice(audited: Store, tmp_path: Path) -> None:
    ensure_builtin_frameworks(audited)
    audited.execute(
        "UPDATE audits SET framework_code = 'IN-CFA', framework_version = '1.0.0' WHERE id = 1"
    )
    with pytest.raises(ExportError, match="scored on 2 frameworks"):
        export_report(audited, tmp_path / "x.xlsx")
    assert not (tmp_path / "x.xlsx").exists()
    summary = export_report(
        audited, tmp_path / "x.xlsx", audit_filter=AuditFilter(framework_code="MINI")
    )
    assert summary.audits == 2
