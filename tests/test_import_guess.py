"""Guessing which column holds which case field from the headers and the values, and
saying how sure each guess is; no column is left out without saying so."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.importing import Basis, SourceRow, guess_columns, guess_field, read_table
from auditor.importing.guessing import guess_from
from auditor.importing.mapping import HEADER_SYNONYMS, IMPORT_FIELDS, header_keys
from tests.case_files import write_csv, write_xlsx

HEADERS = [
    "Person",
    "Category",
    "Team Allocated To",
    "Referral Dt",
    "Assessment Start Date",
    "Assessment Completed Date",
    "Notes",
]
ROWS = [
    ["DEMO-01-000001", "Child Protection", "Demo Team 1", "05/01/2026", "06/01/2026",
     "20/02/2026", "Demo note"],
    ["DEMO-01-000002", "Looked After", "Demo Team 2", "12/01/2026", "13/01/2026", "", ""],
    ["DEMO-01-000003", "Child in need", "Demo Team 1", "02/12/2025", "03/12/2025",
     "31/01/2026", ""],
    ["DEMO-01-000004", "Child Protection", "Demo Team 3", "19/01/2026", "20/01/2026", "", ""],
]  # fmt: skip


def _rows(rows: list[list[object]]) -> list[SourceRow]:
    return [SourceRow(n, tuple(r)) for n, r in enumerate(rows, start=2)]


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Assessment Completed Date", "assessment_end"),
        ("Assessment Complete Dt", "assessment_end"),
        ("Date Assessment Completed", "assessment_end"),
        ("Assessment Started", "assessment_start"),
        ("Assessment Start Dt", "assessment_start"),
        ("Referral Dt", "referral_date"),
        ("Date of Referral", "referral_date"),
        ("REFERRAL_DATE", "referral_date"),
        ("ICPC Dt", "initial_conference_date"),
        ("Case No.", "reference"),
        ("Completed", None),  # completed what?
        ("Start date", None),
        ("Category", None),  # the header alone: often the category of abuse
    ],
)
def test_headers_are_read_by_their_words(header: str, field: str | None) -> None:
    assert guess_field(header) == field


def test_no_two_fields_share_a_header() -> None:
    shared = {key: fields for key, fields in header_keys().items() if len(fields) > 1}
    assert shared == {}


def test_the_ordinary_case_list_of_the_issue_is_guessed_whole(tmp_path: Path) -> None:
    table = read_table(write_csv(tmp_path / "cases.csv", [HEADERS, *ROWS]))
    guesses = guess_columns(table)
    assert guesses.mapping.columns == {
        "reference": "Person",
        "case_type": "Category",
        "team": "Team Allocated To",
        "referral_date": "Referral Dt",
        "assessment_start": "Assessment Start Date",
        "assessment_end": "Assessment Completed Date",
    }
    said = {g.header: g.certainty for g in guesses.columns}
    assert said == {
        "Person": "From the values (all 4 values different)",
        "Category": "From the values (100 % are case types)",
        "Team Allocated To": "From the header's words",
        "Referral Dt": "From the header",
        "Assessment Start Date": "From the header",
        "Assessment Completed Date": "From the header",
        "Notes": "Not sure: no case detail matches it",
    }
    assert guesses.not_imported() == ["Notes"]


def test_a_date_column_is_the_date_its_headers_words_point_to() -> None:
    headers = ["Ref", "Type", "Assessment Authorised", "Assessment Signed Off", "Column E",
               "Column F"]  # fmt: skip
    rows = [
        ["R-1", "CP", "01/02/2026", "20/02/2026", "03/03/2026", "03/03/2026"],
        ["R-2", "CIN", "02/02/2026", "21/02/2026", "04/03/2026", "not a date"],
        ["R-3", "CLA", "03/02/2026", "", "05/03/2026", "05/03/2026"],
    ]
    guesses = guess_from(headers, _rows(rows))
    first, second, unknown, mixed = (guesses.for_header(h) for h in headers[2:])
    assert first is not None and second is not None and unknown is not None
    # The same words: the first column is the start, the next the end.
    assert (first.field, second.field) == ("assessment_start", "assessment_end")
    assert first.basis is Basis.WORDS_AND_VALUES
    assert first.certainty == "From the header's words and the values (100 % look like dates)"
    assert unknown.field is None
    assert unknown.certainty == (
        "Not sure: 100 % look like dates; the header does not say which date"
    )
    assert mixed is not None and mixed.certainty == "Not sure: only 66 % look like dates"


def test_workbook_dates_count_as_dates_but_bare_numbers_do_not() -> None:
    headers = ["Case Ref", "Type", "Referral", "Mosaic Number"]
    rows = [
        ["R-1", "CP", datetime(2026, 1, 5), "46053"],
        ["R-2", "CP", datetime(2026, 1, 6), "46054"],
    ]
    guesses = guess_from(headers, _rows(rows))
    assert guesses.mapping.columns["referral_date"] == "Referral"
    number = guesses.for_header("Mosaic Number")
    assert number is not None and number.field is None  # references taken by "Case Ref"


def test_a_date_header_over_values_that_are_not_dates_says_so() -> None:
    rows = [["R-1", "CP", "soon"], ["R-2", "CP", "later"], ["R-3", "CIN", "01/01/2026"]]
    guess = guess_from(["Ref", "Type", "Referral Date"], _rows(rows)).for_header("Referral Date")
    assert guess is not None and guess.field == "referral_date"
    assert guess.certainty == "From the header, but only 33 % look like dates"


def test_references_from_the_values_need_every_value_different_and_filled() -> None:
    headers = ["Key", "Case Type", "Worker"]
    rows = [["K-1", "CP", "Demo Worker 1"], ["K-1", "CP", "Demo Worker 1"]]
    assert guess_from(headers, _rows(rows)).mapping.header_for("reference") is None
    rows = [["K-1", "CP", "Demo Worker 1"], ["K-2", "CP", "Demo Worker 1"]]
    assert guess_from(headers, _rows(rows)).mapping.header_for("reference") == "Key"


def test_blank_and_repeated_columns_say_why_they_are_not_imported(tmp_path: Path) -> None:
    rows = [["Case Ref", "", "Type", "Team", "Team"], ["R-1", "", "CP", "T1", "T2"]]
    table = read_table(write_xlsx(tmp_path / "cases.xlsx", rows))
    said = {g.header: g.certainty for g in guess_columns(table).columns}
    assert said["Team (2)"] == "Not sure: Team is read from “Team”"
    assert said["Column B"] == "Not sure: blank in the first rows"


# -- the invariant: a header renamed to a synonym of its field guesses the same --------------


def _variants(field: str) -> list[str]:
    words = [*HEADER_SYNONYMS.get(field, ()), IMPORT_FIELDS[field], field]
    return [w for w in words if guess_field(w) == field]


RENAMED = list(zip(HEADERS, [None, None, None, "referral_date", "assessment_start",
                             "assessment_end", None], strict=True))  # fmt: skip


@st.composite
def spelt(draw: st.DrawFn, text: str) -> str:
    """``text`` as someone else's system might write it: case, separators, "Dt"."""
    words = text.split()
    words = [draw(st.sampled_from([w, w.upper(), w.title(), w.lower()])) for w in words]
    separator = draw(st.sampled_from([" ", "_", "  ", " - ", "."]))
    written = separator.join(words)
    if draw(st.booleans()) and "date" not in text.lower():
        written += draw(st.sampled_from([" Date", " Dt", " (date)"]))
    return written


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_renaming_headers_to_synonyms_never_changes_the_mapping(data: st.DataObject) -> None:
    expected = guess_from(HEADERS, _rows(ROWS)).mapping.columns
    headers = list(HEADERS)
    renamed: dict[str, str] = {}
    for i, (header, field) in enumerate(RENAMED):
        if field is not None and data.draw(st.booleans()):
            synonym = data.draw(st.sampled_from(_variants(field)))
            headers[i] = data.draw(spelt(synonym))
            renamed[header] = headers[i]
    if len(set(headers)) < len(headers):
        return  # two columns spelt alike: the reader would number them
    got = guess_from(headers, _rows(ROWS)).mapping.columns
    assert got == {name: renamed.get(h, h) for name, h in expected.items()}


def test_cases_preview_shows_the_same_guesses_and_certainty(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from auditor.cli import main

    path = write_csv(tmp_path / "cases.csv", [HEADERS, *ROWS])
    db = tmp_path / "c.db"
    assert main(["init", "--db", str(db)]) == 0
    capsys.readouterr()
    assert main(["cases", "preview", str(path), "--db", str(db), "--rows", "1"]) == 0
    out = capsys.readouterr().out.splitlines()
    start = out.index("Columns:")
    assert out[start + 1 : start + 9] == [
        "  Person → Case reference  [from the values (all 4 values different)]",
        "  Category → Case type  [from the values (100 % are case types)]",
        "  Team Allocated To → Team  [from the header's words]",
        "  Referral Dt → Referral received  [from the header]",
        "  Assessment Start Date → Assessment started  [from the header]",
        "  Assessment Completed Date → Assessment completed  [from the header]",
        "  Notes → (not imported)  [not sure: no case detail matches it]",
        "Not imported: Notes",
    ]
