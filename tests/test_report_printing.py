"""The report workbook prints sensibly: every page says what the report is about, long
lists print what a reader of paper needs, and text wraps instead of being cut."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from report_data import ON, SHEETS, audit, fill

from auditor.clock import uk_date
from auditor.figures.stats import AuditFilter
from auditor.reports import export_report
from auditor.reports.sheets.evidence import PRINT_NOTE as EVIDENCE_NOTE
from auditor.reports.sheets.matrix import PRINT_NOTE as MATRIX_NOTE
from auditor.store import Store


@pytest.fixture
def report(store: Store, tmp_path: Path) -> Path:
    fill(store)
    out = tmp_path / "report.xlsx"
    export_report(store, out, on=ON)
    return out


def test_every_page_names_the_programme_period_sheet_and_page(report: Path) -> None:
    today = uk_date(date.today())
    for name in SHEETS:
        ws = load_workbook(report)[name]
        assert ws.oddHeader.left.text == "All programmes", name
        assert ws.oddHeader.right.text == "Audits 10/01/2026 to 09/02/2026", name
        assert ws.oddFooter.left.text == "&A", name
        assert ws.oddFooter.center.text == f"Made {today}", name
        assert ws.oddFooter.right.text == "Page &P of &N", name


def test_the_page_header_names_the_filters(store: Store, tmp_path: Path) -> None:
    fill(store)
    out = tmp_path / "north.xlsx"
    export_report(store, out, audit_filter=AuditFilter(team="North & Co"), on=ON)
    ws = load_workbook(out)["Criteria"]
    assert ws.oddHeader.left.text == "All programmes, North && Co"  # "&" alone starts a code
    assert ws.oddHeader.right.text == "No audits"


def test_the_evidence_sheet_prints_its_headings_and_says_why(report: Path) -> None:
    ws = load_workbook(report)["Evidence"]
    assert ws.print_area == "'Evidence'!$A$1:$H$1"
    assert ws.oddHeader.center.text == EVIDENCE_NOTE
    assert ws.max_row == 11  # the rows are all there on screen: one per answer


def test_the_case_matrix_prints_the_audits_one_page_wide(report: Path) -> None:
    ws = load_workbook(report)["Case matrix"]
    header = [c.value for c in ws[1]]
    last = header.index("Safeguarding concern") + 1
    assert ws.print_area == f"'Case matrix'!$A$1:${chr(64 + last)}$4"
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows == "$1:$1" and not ws.print_title_cols
    assert ws.oddHeader.center.text == MATRIX_NOTE
    assert header[-1] == "V-2"  # the criteria's columns are still on screen


def test_long_text_wraps_in_a_taller_row_instead_of_being_cut(store: Store, tmp_path: Path) -> None:
    team = "Children's Services Assessment and Intervention Team (East)"
    audit(
        store,
        "L-1",
        team=team,
        day=ON,
        answers={"R-1": "yes", "R-2": "yes", "V-1": "yes"},
        grade="good",
    )
    out = tmp_path / "long.xlsx"
    export_report(store, out, on=ON)
    for name in ("Case matrix", "Evidence"):
        ws = load_workbook(out)[name]
        header = [c.value for c in ws[1]]
        cell = ws.cell(row=2, column=header.index("Team") + 1)
        assert cell.value == team
        assert len(team) > ws.column_dimensions[cell.column_letter].width
        assert cell.alignment.wrap_text, name  # cut at the column's edge before
        assert ws.row_dimensions[2].height == 45, name  # three lines tall


def test_common_values_fit_their_columns_on_one_line(report: Path) -> None:
    ws = load_workbook(report)["Case matrix"]
    widths = {c.value: ws.column_dimensions[c.column_letter].width for c in ws[1]}
    assert widths["Final grade"] >= len("Requires improvement to be good")
    assert widths["Team"] >= len("Demo Safeguarding Team North")
    assert widths["Case type"] >= len("Child looked after")
