"""Frameworks as Excel workbooks: export then import gives back the same framework; every
problem of a bad workbook is named by sheet, row and column, and nothing is imported."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from auditor.errors import FrameworkError, ValidationError
from auditor.frameworks.library import get_framework, list_frameworks, register_framework
from auditor.frameworks.model import Framework, load_builtin_frameworks, load_framework_file
from auditor.frameworks.workbook import (
    CRITERIA,
    example_framework,
    import_framework_workbook,
    read_framework_workbook,
    workbook_toml,
    write_blank_template,
    write_framework_workbook,
)
from auditor.store import Store

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def builtin() -> Framework:
    return next(f for f in load_builtin_frameworks() if f.code == "IN-CFA")


@pytest.fixture
def exported(tmp_path: Path, builtin: Framework) -> Path:
    return write_framework_workbook(builtin, tmp_path / "in-cfa.xlsx")


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ui.launcher", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip


def test_export_then_import_gives_back_the_builtin_framework(
    exported: Path, builtin: Framework, db_path: Path
) -> None:
    back = read_framework_workbook(exported)
    assert back == builtin
    assert back.to_dict() == builtin.to_dict()  # the same order of sections, scales, criteria
    with Store.open(db_path) as store:
        register_framework(store, builtin)
        imported = import_framework_workbook(store, exported)
        # Written differently (from a workbook) but the same framework: nothing is added.
        assert not imported.added and "already in this database" in imported.describe()
        assert len(list_frameworks(store)) == 1
        assert get_framework(store, "IN-CFA") == builtin


def test_the_exported_workbook_is_laid_out_for_a_qa_lead(exported: Path) -> None:
    book = openpyxl.load_workbook(exported)
    assert book.sheetnames == ["How to fill this in", "Framework", "Grading", "Scales",
                               "Sections", "Criteria", "Timescales"]  # fmt: skip
    ws = book[CRITERIA]
    assert [c.value for c in ws[1]] == ["Code", "Section", "Wording", "Guidance", "Scale",
                                        "Case types", "Target", "Limiting", "Source clauses",
                                        "Condition"]  # fmt: skip
    assert ws.freeze_panes == "B2" and ws["C2"].alignment.wrap_text
    assert ws.column_dimensions["C"].width >= 40
    validated = {
        str(dv.sqref).split(":")[0]: dv.formula1 for dv in ws.data_validations.dataValidation
    }
    assert "yes_partly_no" in validated["E2"] and "Child in need" in validated["F2"]
    assert validated["H2"] == '"Yes,No"'
    assert book["Scales"].freeze_panes == "A2"


def test_an_imported_framework_is_stored_and_a_changed_copy_of_the_same_version_refused(
    tmp_path: Path, exported: Path, db_path: Path
) -> None:
    book = openpyxl.load_workbook(exported)
    book["Framework"]["B2"] = "LOCAL-CFA"
    book.save(local := tmp_path / "local.xlsx")
    with Store.open(db_path) as store:
        imported = import_framework_workbook(store, local)
        assert imported.added and "Imported the framework" in imported.describe()
        assert get_framework(store, "LOCAL-CFA", "1.0.0").criterion("RISK-01").limiting
    book[CRITERIA]["C2"] = "Is the risk to the child written down?"
    book.save(local)
    with Store.open(db_path) as store, pytest.raises(FrameworkError, match="new version"):
        import_framework_workbook(store, local)


def test_every_problem_is_named_by_sheet_row_and_column_and_nothing_is_imported(
    tmp_path: Path, exported: Path, db_path: Path
) -> None:
    book = openpyxl.load_workbook(exported)
    book["Framework"]["B2"] = "NEW-CODE"  # else it would be the built-in, already there
    book["Framework"]["B4"] = None  # version
    book["Grading"]["B3"] = 95  # Good above Outstanding
    book["Grading"]["B5"] = "Fine"
    scales = book["Scales"]
    scales["F3"] = 2  # score of partly
    scales["C7"] = "yes"  # a second 'yes' on yes_no
    book["Sections"].append(["RISK", "Risk again", 10])
    ws = book[CRITERIA]
    ws["E14"] = "yes_maybe"
    ws["A3"] = "RISK-01"  # used twice
    ws["B4"] = "NOWHERE"
    ws["F5"] = "Child in need, Toddlers"
    ws["G6"] = 150
    ws["H7"] = "Perhaps"
    ws["I8"] = None
    ws["C9"] = None
    ws["J10"] = "RISK-04 is yes"
    ws["J11"] = "NOPE-01 = yes"
    ws["J12"] = "RISK-01 = maybe"
    ws["D13"] = "=1+1"
    ws["L1"] = "Owner"
    times = book["Timescales"]
    times["F2"] = "fortnights"
    times["E3"] = 0
    times["C4"] = "birthday"
    book.save(bad := tmp_path / "bad.xlsx")

    with Store.open(db_path) as store, pytest.raises(ValidationError) as raised:
        import_framework_workbook(store, bad)
    assert str(raised.value) == "the workbook bad.xlsx has 22 problems; nothing was imported"
    problems = raised.value.problems
    expected = [
        "Framework, row 4, column Value (Version): is empty: fill it in",
        "Grading, row 5, column Value (Limiting cap): 'Fine' is not a grade (one of: "
        "Outstanding, Good, Requires improvement to be good, Inadequate)",
        "Grading, column Value: the thresholds must fall from Outstanding to Good to "
        "Requires improvement",
        "Scales, row 3, column Score: '2' is not a number from 0 to 1, or empty for Not applicable",
        "Scales, row 7, column Answer code: scale 'yes_no' already has an answer 'yes'",
        "Sections, row 11, column Code: the section 'RISK' appears twice",
        "Criteria, row 1, column L: unknown header 'Owner' (the headers are: Code, Section, "
        "Wording, Guidance, Scale, Case types, Target, Limiting, Source clauses, Condition)",
        "Criteria, row 13, column D: holds a formula: type the value itself",
        "Criteria, row 3, column Code: the code 'RISK-01' is used twice (first in row 2)",
        "Criteria, row 4, column Section: 'NOWHERE' is not a section of this workbook (the "
        "Sections sheet has: RISK, VOICE, PART, ASSESS, PLAN, OVER, REC, LAC, SAFE)",
        "Criteria, row 5, column Case types: 'Toddlers' is not a case type (All, or one or "
        "more of: Early help, Child in need, Child protection, Child looked after, Care "
        "leaver)",
        "Criteria, row 6, column Target: '150' is not a percentage from 0 to 100, or empty",
        "Criteria, row 7, column Limiting: 'Perhaps' is not Yes or No",
        "Criteria, row 8, column Source clauses: is empty: name the clause or clauses it "
        "comes from",
        "Criteria, row 9, column Wording: is empty: fill it in",
        "Criteria, row 10, column Condition: 'RISK-04 is yes' is not a condition: write "
        "CODE = answer, for example PLAN-00 = yes",
        "Criteria, row 14, column Scale: 'yes_maybe' is not a scale of this workbook (the "
        "Scales sheet has: yes_partly_no, yes_no, yes_no_always)",
        "Criteria, row 11, column Condition: 'NOPE-01' is not a criterion of this workbook",
        "Criteria, row 12, column Condition: 'maybe' is not an answer of RISK-01's scale (its "
        "answers: yes, partly, no, na)",
        "Timescales, row 2, column Unit: 'fortnights' is not a unit (one of: working_days, "
        "days, weeks, months)",
        "Timescales, row 3, column Limit: '0' is not a whole number above 0",
        "Timescales, row 4, column From: 'birthday' is not a date field of a case (one of: "
        "referral_date, assessment_start, assessment_end, strategy_discussion_date, "
        "initial_conference_date, core_group_first_date, review_conference_date, plan_start, "
        "looked_after_start, first_lac_review_date, health_assessment_date, last_visit, "
        "last_supervision, closed_date, audit_date)",
    ]
    assert sorted(problems) == sorted(expected)
    with Store.open(db_path) as store:
        assert [f.code for f in list_frameworks(store)] == []


def test_missing_sheets_columns_and_merged_cells_are_named(tmp_path: Path, exported: Path) -> None:
    book = openpyxl.load_workbook(exported)
    del book["Sections"]
    book["Scales"].delete_cols(2)  # Scale label
    book["Scales"]["A1"] = "Scale"
    book[CRITERIA].merge_cells("C2:D2")
    book.save(bad := tmp_path / "shape.xlsx")
    with pytest.raises(ValidationError) as raised:
        read_framework_workbook(bad)
    problems = raised.value.problems
    assert any(p.startswith("Sections: the sheet is missing (this workbook has: How to fill "
                            "this in, Framework, Grading, Scales, Criteria, Timescales)")
               for p in problems)  # fmt: skip
    assert "Scales, row 1, column Scale label: the column is missing" in problems
    assert "Criteria, row 2, column C: cells C2:D2 are merged: unmerge them" in problems


def test_the_blank_template_imports_as_its_example(tmp_path: Path) -> None:
    template = write_blank_template(tmp_path / "blank.xlsx")
    assert read_framework_workbook(template) == example_framework()
    book = openpyxl.load_workbook(template)
    assert book[CRITERIA].max_row == 2  # the headers and one example row


def test_a_condition_is_written_as_asked_when(tmp_path: Path) -> None:
    write_blank_template(template := tmp_path / "blank.xlsx")
    book = openpyxl.load_workbook(template)
    ws = book[CRITERIA]
    for column, value in zip("ABCDEFGHIJ", [c.value for c in ws[2]], strict=True):
        ws[f"{column}3"] = value
    ws["A3"], ws["J3"] = "VOICE-02", "VOICE-01 = yes"
    book.save(template)
    text = workbook_toml(template)
    assert 'asked_when = { criterion = "VOICE-01", answer = "yes" }' in text


def test_a_framework_with_conditions_comes_back_with_them(tmp_path: Path) -> None:
    """Conditional criteria (one answer or several opening them) survive the round trip."""
    conditional = load_framework_file(ROOT / "tests" / "fixtures" / "conditional.toml")
    assert any(c.asked_when is not None for c in conditional.criteria)
    back = read_framework_workbook(write_framework_workbook(conditional, tmp_path / "c.xlsx"))
    assert back == conditional
    assert [c.asked_when for c in back.criteria] == [c.asked_when for c in conditional.criteria]


def test_a_file_that_is_not_a_workbook_is_refused(tmp_path: Path) -> None:
    (fake := tmp_path / "framework.xlsx").write_text("code = 'X'\n", encoding="utf-8")
    with pytest.raises(FrameworkError, match="framework.xlsx is a damaged XLSX workbook"):
        read_framework_workbook(fake)


def test_the_command_line_exports_imports_and_lists_every_problem(
    tmp_path: Path, exported: Path
) -> None:
    db = str(tmp_path / "cli.db")
    out, template = tmp_path / "out.xlsx", tmp_path / "template.xlsx"
    done = cli("frameworks", "export", "IN-CFA", "--out", str(out), "--db", db)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"Wrote IN-CFA version 1.0.0 (47 criteria) to {out}"
    assert read_framework_workbook(out) == read_framework_workbook(exported)
    done = cli("frameworks", "template", "--out", str(template))
    assert done.returncode == 0 and template.exists()
    done = cli("frameworks", "import", str(template), "--json", "--db", db)
    assert done.returncode == 0, done.stderr
    assert '"code": "MY-AUDIT"' in done.stdout and '"added": true' in done.stdout

    book = openpyxl.load_workbook(template)
    book["Framework"]["B2"] = "OTHER"
    book[CRITERIA]["E2"] = "yes_maybe"
    book[CRITERIA]["H2"] = "Perhaps"
    book.save(bad := tmp_path / "bad.xlsx")
    done = cli("frameworks", "import", str(bad), "--db", db)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "case-auditor: the workbook bad.xlsx has 2 problems; nothing was imported",
        "  - Criteria, row 2, column Scale: 'yes_maybe' is not a scale of this workbook (the "
        "Scales sheet has: yes_partly_no)",
        "  - Criteria, row 2, column Limiting: 'Perhaps' is not Yes or No",
    ]
    listed = cli("frameworks", "list", "--db", db)
    assert "MY-AUDIT" in listed.stdout and "OTHER" not in listed.stdout


def test_the_target_for_good_or_better_goes_out_and_comes_back(
    tmp_path: Path, builtin: Framework, exported: Path
) -> None:
    """Row 6 of Grading: empty is no target (the built-in's), a percentage is the target."""
    book = openpyxl.load_workbook(exported)
    grading = book["Grading"]
    assert grading["A6"].value == "Target for % good or better (%)"
    assert grading["B6"].value is None and "leave empty for no target" in grading["C6"].value
    assert builtin.grading.good_or_better_target is None
    grading["B6"] = 75
    book.save(with_target := tmp_path / "target.xlsx")
    read = read_framework_workbook(with_target)
    assert read.grading.good_or_better_target == 75.0
    again = read_framework_workbook(write_framework_workbook(read, tmp_path / "again.xlsx"))
    assert again == read and again.grading.good_or_better_target == 75.0
    grading["B6"] = 150
    book.save(wrong := tmp_path / "wrong.xlsx")
    with pytest.raises(ValidationError) as raised:
        read_framework_workbook(wrong)
    assert [str(p) for p in raised.value.problems] == [
        "Grading, row 6, column Value (Target for % good or better (%)): '150' is not a "
        "percentage from 0 to 100"
    ]
