"""Values in councils' case lists: UK dates, Excel serials, case-type words, header guesses."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auditor.domain import CaseType
from auditor.importing import ColumnMapping, guess_field, guess_mapping
from auditor.importing.values import (
    EXCEL_EPOCH_1904,
    cell_text,
    parse_case_type,
    parse_uk_date,
)

JAN_31 = date(2026, 1, 31)


@pytest.mark.parametrize(
    "value",
    [
        "31/01/2026",
        "31/1/2026",
        "31/01/26",
        "31-01-2026",
        "31.01.2026",
        "31-Jan-2026",
        "31-jan-26",
        "31 Jan 2026",
        "31 January 2026",
        "31st January 2026",
        "2026-01-31",
        "2026/01/31",
        "2026-01-31T00:00:00",
        "31/01/2026 14:05",
        "31/01/2026 00:00:00",
        " 31/01/2026 ",
        "46053",
        46053,
        46053.0,
        46053.75,
        JAN_31,
        datetime(2026, 1, 31, 9, 30),
    ],
)
def test_uk_dates(value: object) -> None:
    assert parse_uk_date(value) == JAN_31  # type: ignore[arg-type]


def test_blank_is_no_date() -> None:
    assert parse_uk_date(None) is None
    assert parse_uk_date("") is None
    assert parse_uk_date("   ") is None


def test_serial_dates_in_a_1904_workbook() -> None:
    assert parse_uk_date(46053 - 1462, epoch=EXCEL_EPOCH_1904) == JAN_31


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("31/02/2026", "31/02/2026 is not a real date"),
        ("01/31/2026", "month 31 does not exist: dates are read day first"),
        ("31-Foo-2026", "'Foo' is not a month name"),
        ("soon", "not a date"),
        ("12", "not a date"),
        (12, "the number 12 is not a date"),
        (True, "not a date"),
        ("31/01/0026", "the year 26 is not plausible"),
        ("31/01/1850", "the year 1850 is not plausible"),
    ],
)
def test_bad_dates_say_why(value: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_uk_date(value)  # type: ignore[arg-type]


@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2099, 12, 31)))
def test_every_date_round_trips_through_uk_text_and_serial(day: date) -> None:
    assert parse_uk_date(day.strftime("%d/%m/%Y")) == day
    assert parse_uk_date(day.strftime("%d-%b-%Y")) == day
    assert parse_uk_date((day - date(1899, 12, 30)).days) == day


@pytest.mark.parametrize(
    ("word", "case_type"),
    [
        ("CP", CaseType.CHILD_PROTECTION),
        ("Child Protection", CaseType.CHILD_PROTECTION),
        ("child protection plan", CaseType.CHILD_PROTECTION),
        ("CIN", CaseType.CHILD_IN_NEED),
        ("Child in Need", CaseType.CHILD_IN_NEED),
        ("CLA", CaseType.LOOKED_AFTER),
        ("LAC", CaseType.LOOKED_AFTER),
        ("Looked-after child", CaseType.LOOKED_AFTER),
        ("Child looked after", CaseType.LOOKED_AFTER),
        ("Care leaver", CaseType.CARE_LEAVER),
        ("Care Leaver (18+)", CaseType.CARE_LEAVER),
        ("Early help", CaseType.EARLY_HELP),
        ("EH", CaseType.EARLY_HELP),
        ("child_in_need", CaseType.CHILD_IN_NEED),
    ],
)
def test_case_type_words(word: str, case_type: CaseType) -> None:
    assert parse_case_type(word) is case_type


def test_unknown_case_type_and_a_councils_own_word() -> None:
    with pytest.raises(ValueError, match="unknown case type"):
        parse_case_type("Section 47 enquiry")
    words = {"Section 47 enquiry": "child_protection"}
    assert parse_case_type("section 47 ENQUIRY", extra_words=words) is CaseType.CHILD_PROTECTION
    assert parse_case_type("  ") is None


def test_cells_as_text_keep_formula_like_values() -> None:
    assert cell_text('=HYPERLINK("http://x")') == '=HYPERLINK("http://x")'
    assert cell_text("+441234") == "+441234"
    assert cell_text("@SUM(A1)") == "@SUM(A1)"
    assert cell_text("-1") == "-1"
    assert cell_text(123456.0) == "123456"
    assert cell_text(datetime(2026, 1, 31)) == "2026-01-31"


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Case Ref", "reference"),
        ("Person ID", "reference"),
        ("Case type", "case_type"),
        ("Allocated Team", "team"),
        ("Social Worker", "worker"),
        ("Date of Referral", "referral_date"),
        ("Referral Date", "referral_date"),
        ("Assessment Completed", "assessment_end"),
        ("ICPC Date", "initial_conference_date"),
        ("CLA Start Date", "looked_after_start"),
        ("Date Last Seen", "last_visit"),
        ("Closure Date", "closed_date"),
        ("closed_date", "closed_date"),
        ("Case closed", "closed_date"),
        ("Child's name", None),
        ("Category", None),
    ],
)
def test_header_guesses(header: str, field: str | None) -> None:
    assert guess_field(header) == field


def test_mapping_is_corrected_and_survives_json() -> None:
    mapping = guess_mapping(["Ref", "Type", "Team", "Team", "Notes"])
    assert mapping.columns == {"reference": "Ref", "case_type": "Type", "team": "Team"}
    corrected = mapping.with_column("Notes", "worker").with_column("Team", None)
    assert corrected.columns == {"reference": "Ref", "case_type": "Type", "worker": "Notes"}
    moved = corrected.with_column("Notes", "team")
    assert moved.field_for("Notes") == "team" and "worker" not in moved.columns
    with_word = moved.with_case_type_word("S47", CaseType.CHILD_PROTECTION)
    assert ColumnMapping.from_json(with_word.to_json()) == with_word
