"""Timescale checks: what was compared, whether it was met, and why not when it can't tell."""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.audits.timeliness import (
    TimescaleCheck,
    add_months,
    check_timescales,
    months_between,
)
from auditor.domain import CaseType
from auditor.frameworks.model import AUDIT_DATE, Timescale
from auditor.workdays import add_working_days, calendar_with_closures

no_deadline = settings(deadline=None)

AUDIT = date(2026, 5, 1)


def timescale(
    *,
    start: str = "referral_date",
    end: str = "assessment_end",
    limit: int = 45,
    unit: str = "working_days",
    applies_to: tuple[CaseType, ...] = tuple(CaseType),
    label: str = "Single assessment",
) -> Timescale:
    return Timescale(
        code="T1",
        label=label,
        start=start,
        end=end,
        limit=limit,
        unit=unit,
        applies_to=applies_to,
        source="Working Together 2023",
    )


def check_one(
    ts: Timescale, case_dates: dict[str, date | str | None], **kwargs: object
) -> TimescaleCheck:
    kwargs.setdefault("case_type", CaseType.CHILD_IN_NEED)
    kwargs.setdefault("audit_date", AUDIT)
    checks = check_timescales([ts], case_dates, **kwargs)  # type: ignore[arg-type]
    assert len(checks) == 1
    return checks[0]


# ---------------------------------------------------------------------------------------
# Working days


def test_met_within_45_working_days() -> None:
    # Mon 12 Jan 2026 + 7 weeks = Mon 2 Mar (35); Tue 3 .. Fri 6 Mar are 36-39.
    check = check_one(timescale(), {"referral_date": "2026-01-12", "assessment_end": "2026-03-06"})
    assert check.met is True
    assert check.taken == 39
    assert (check.limit, check.unit) == (45, "working_days")
    assert check.start_date == date(2026, 1, 12)
    assert check.end_date == date(2026, 3, 6)
    # 45 working days is exactly 9 weeks here: no bank holiday before Good Friday.
    assert check.due_date == date(2026, 3, 16)
    assert check.summary == (
        "Single assessment: 39 working days, limit 45 working days "
        "(12/01/2026 → 06/03/2026, due by 16/03/2026), met"
    )


def test_boundary_exactly_45_working_days_is_met_and_the_next_day_is_not() -> None:
    on_time = check_one(
        timescale(), {"referral_date": date(2026, 1, 12), "assessment_end": date(2026, 3, 16)}
    )
    late = check_one(
        timescale(), {"referral_date": date(2026, 1, 12), "assessment_end": date(2026, 3, 17)}
    )
    assert (on_time.taken, on_time.met) == (45, True)
    assert (late.taken, late.met) == (46, False)
    assert late.summary.endswith(", not met")


def test_bank_holidays_extend_the_due_date() -> None:
    # Fri 19 Dec 2025: the 12th working day is Fri 9 Jan 2026 (25, 26 Dec and 1 Jan closed).
    check = check_one(
        timescale(limit=12), {"referral_date": "2025-12-19", "assessment_end": "2026-01-09"}
    )
    assert (check.taken, check.met, check.due_date) == (12, True, date(2026, 1, 9))


def test_local_closures_are_used_when_given() -> None:
    council = calendar_with_closures([date(2025, 12, 29), date(2025, 12, 30)])
    check = check_one(
        timescale(limit=10),
        {"referral_date": "2025-12-19", "assessment_end": "2026-01-09"},
        calendar=council,
    )
    assert (check.taken, check.met) == (10, True)


def test_ending_on_a_weekend_after_the_due_date_is_not_met() -> None:
    # Statutory practice: end <= add_working_days(start, limit). The 44th working day from
    # Mon 12 Jan 2026 is Fri 13 Mar; Sat 14 Mar is later, though no working day has passed.
    check = check_one(
        timescale(limit=44), {"referral_date": "2026-01-12", "assessment_end": "2026-03-14"}
    )
    assert check.due_date == date(2026, 3, 13)
    assert (check.taken, check.met) == (44, False)


# ---------------------------------------------------------------------------------------
# Missing, unreadable and out-of-order dates


@pytest.mark.parametrize("end", [None, "", "missing"])
def test_missing_end_date_is_not_checked(end: str | None) -> None:
    dates: dict[str, date | str | None] = {"referral_date": "2026-01-12"}
    if end != "missing":
        dates["assessment_end"] = end
    check = check_one(timescale(), dates)
    assert check.met is None
    assert check.taken is None
    assert check.end_date is None
    assert check.start_date == date(2026, 1, 12)
    assert check.summary == "Single assessment: not checked: no assessment end date"


def test_both_dates_missing_names_both() -> None:
    check = check_one(timescale(), {})
    assert check.met is None
    assert check.reason == "no referral date; no assessment end date"


def test_end_before_start_is_a_data_error_not_met() -> None:
    check = check_one(timescale(), {"referral_date": "2026-03-06", "assessment_end": "2026-01-12"})
    assert check.met is None
    assert check.taken is None
    assert "dates out of order" in check.reason
    assert check.summary == (
        "Single assessment: not checked: dates out of order "
        "(assessment end date 12/01/2026 is before referral date 06/03/2026)"
    )


def test_unreadable_date_is_not_checked() -> None:
    check = check_one(timescale(), {"referral_date": "2026-13-40", "assessment_end": "2026-03-06"})
    assert check.met is None
    assert "is not a date" in check.reason


def test_same_day_is_met_with_nothing_taken() -> None:
    check = check_one(timescale(), {"referral_date": "2026-01-12", "assessment_end": "2026-01-12"})
    assert (check.taken, check.met) == (0, True)


# ---------------------------------------------------------------------------------------
# Other units


def test_calendar_days() -> None:
    ts = timescale(unit="days", limit=7, label="Visit after placement")
    on_time = check_one(ts, {"referral_date": "2026-01-01", "assessment_end": "2026-01-08"})
    late = check_one(ts, {"referral_date": "2026-01-01", "assessment_end": "2026-01-09"})
    assert (on_time.taken, on_time.met) == (7, True)
    assert (late.taken, late.met) == (8, False)
    assert late.summary.startswith("Visit after placement: 8 days, limit 7 days")


def test_weeks_show_leftover_days() -> None:
    ts = timescale(start="last_visit", end=AUDIT_DATE, unit="weeks", limit=6, label="Visits")
    # 5 Jan to 20 Feb 2026 is 46 days: 6 weeks and 4 days, due by 16 Feb.
    check = check_one(ts, {"last_visit": "2026-01-05"}, audit_date=date(2026, 2, 20))
    assert (check.taken, check.met, check.due_date) == (6, False, date(2026, 2, 16))
    assert check.summary == (
        "Visits: 6 weeks and 4 days, limit 6 weeks "
        "(05/01/2026 → 20/02/2026, due by 16/02/2026), not met"
    )


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),  # leap year
        (date(2026, 11, 30), 3, date(2027, 2, 28)),  # across a year end
        (date(2026, 3, 15), 6, date(2026, 9, 15)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
    ],
)
def test_add_months_clamps_the_day(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


def test_months_clamp_at_the_end_of_february() -> None:
    ts = timescale(
        start="initial_conference_date",
        end="review_conference_date",
        unit="months",
        limit=1,
        label="First review conference",
    )
    on_time = check_one(
        ts, {"initial_conference_date": "2026-01-31", "review_conference_date": "2026-02-28"}
    )
    late = check_one(
        ts, {"initial_conference_date": "2026-01-31", "review_conference_date": "2026-03-01"}
    )
    assert (on_time.taken, on_time.met, on_time.due_date) == (1, True, date(2026, 2, 28))
    assert (late.taken, late.met) == (1, False)
    assert "1 month and 1 day, limit 1 month" in late.summary


def test_months_taken_counts_whole_months() -> None:
    ts = timescale(
        start="initial_conference_date", end="review_conference_date", unit="months", limit=3
    )
    check = check_one(
        ts, {"initial_conference_date": "2026-01-15", "review_conference_date": "2026-04-14"}
    )
    assert (check.taken, check.met) == (2, True)


# ---------------------------------------------------------------------------------------
# Which timescales run, and the audit date


def test_audit_date_field_uses_the_audit_date_passed_in() -> None:
    ts = timescale(start="last_visit", end=AUDIT_DATE, unit="working_days", limit=10)
    check = check_one(
        ts, {"last_visit": "2026-04-20", AUDIT_DATE: "1999-01-01"}, audit_date=date(2026, 5, 1)
    )
    # Tue 21 Apr .. Fri 1 May 2026: 9 working days (no bank holiday until 4 May).
    assert check.end_date == date(2026, 5, 1)
    assert (check.taken, check.met) == (9, True)


def test_timescale_not_applying_to_the_case_type_is_skipped() -> None:
    lac_only = timescale(applies_to=(CaseType.LOOKED_AFTER,), label="First LAC review")
    every = timescale(label="Single assessment")
    dates = {"referral_date": "2026-01-12", "assessment_end": "2026-03-06"}
    cin = check_timescales([lac_only, every], dates, case_type="child_in_need", audit_date=AUDIT)
    lac = check_timescales(
        [lac_only, every], dates, case_type=CaseType.LOOKED_AFTER, audit_date=AUDIT
    )
    assert [c.timescale.label for c in cin] == ["Single assessment"]
    assert [c.timescale.label for c in lac] == ["First LAC review", "Single assessment"]


def test_unknown_case_type_is_rejected() -> None:
    with pytest.raises(ValueError):
        check_timescales([timescale()], {}, case_type="adult", audit_date=AUDIT)


# ---------------------------------------------------------------------------------------
# Invariants

dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31))


@no_deadline
@given(dates, dates)
def test_months_between_is_the_whole_months_elapsed(start: date, end: date) -> None:
    start, end = sorted((start, end))
    m = months_between(start, end)
    assert add_months(start, m) <= end < add_months(start, m + 1)


@no_deadline
@given(
    dates,
    st.integers(min_value=0, max_value=120),
    st.integers(min_value=1, max_value=60),
    st.sampled_from(["working_days", "days", "weeks", "months"]),
)
def test_met_means_ended_by_the_due_date(start: date, span: int, limit: int, unit: str) -> None:
    end = start + timedelta(days=span)
    check = check_one(
        timescale(unit=unit, limit=limit), {"referral_date": start, "assessment_end": end}
    )
    assert check.due_date is not None
    assert check.met is (end <= check.due_date)
    if unit == "working_days":
        assert check.due_date == add_working_days(start, limit)
