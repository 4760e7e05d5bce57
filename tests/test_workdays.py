"""Working days: weekends, England and Wales bank holidays (with substitutes), local closures.

Expected counts are worked out by hand from the published bank holidays, not by the code.
"""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.workdays import (
    WorkingCalendar,
    add_working_days,
    bank_holidays,
    calendar_with_closures,
    is_working_day,
    working_days_between,
)

# Bank holidays are computed per year on first use: a slow first call is not a failure.
no_deadline = settings(deadline=None)

dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31))


def brute_force_count(start: date, end: date, calendar: WorkingCalendar) -> int:
    days = (start + timedelta(days=i) for i in range(1, (end - start).days + 1))
    return sum(calendar.is_working_day(d) for d in days)


# ---------------------------------------------------------------------------------------
# Hand-counted examples


def test_christmas_2025_counted_by_hand() -> None:
    # Fri 19 Dec 2025 is day 0. Working: 22, 23, 24 Dec (1-3); 25, 26 Dec are bank holidays;
    # 29, 30, 31 Dec (4-6); 1 Jan 2026 is a bank holiday; 2 Jan (7); 5-9 Jan (8-12).
    start = date(2025, 12, 19)
    assert working_days_between(start, date(2025, 12, 24)) == 3
    assert working_days_between(start, date(2025, 12, 29)) == 4
    assert working_days_between(start, date(2026, 1, 2)) == 7
    assert working_days_between(start, date(2026, 1, 9)) == 12
    assert add_working_days(start, 4) == date(2025, 12, 29)
    assert add_working_days(start, 7) == date(2026, 1, 2)
    assert add_working_days(start, 12) == date(2026, 1, 9)


@pytest.mark.parametrize("day", [date(2025, 12, 25), date(2025, 12, 26), date(2026, 1, 1)])
def test_christmas_and_new_year_2025_are_not_working_days(day: date) -> None:
    assert not is_working_day(day)


def test_christmas_eve_and_new_years_eve_are_working_days() -> None:
    assert is_working_day(date(2025, 12, 24))
    assert is_working_day(date(2025, 12, 31))


def test_substitute_days_when_christmas_2027_falls_on_a_weekend() -> None:
    # 25 Dec 2027 is a Saturday: substitutes are Mon 27 and Tue 28 Dec.
    assert not is_working_day(date(2027, 12, 27))
    assert not is_working_day(date(2027, 12, 28))
    assert is_working_day(date(2027, 12, 29))
    assert {date(2027, 12, 27), date(2027, 12, 28)} <= bank_holidays(2027)
    # Fri 24 Dec is day 0; the next working days are Wed 29, Thu 30, Fri 31 Dec.
    assert working_days_between(date(2027, 12, 24), date(2027, 12, 31)) == 3
    assert add_working_days(date(2027, 12, 24), 1) == date(2027, 12, 29)


def test_easter_2026() -> None:
    # Good Friday 3 April and Easter Monday 6 April 2026.
    assert not is_working_day(date(2026, 4, 3))
    assert not is_working_day(date(2026, 4, 6))
    assert working_days_between(date(2026, 4, 2), date(2026, 4, 7)) == 1
    assert add_working_days(date(2026, 4, 2), 1) == date(2026, 4, 7)


def test_easter_monday_2025() -> None:
    assert not is_working_day(date(2025, 4, 21))
    assert is_working_day(date(2025, 4, 22))


def test_weekends() -> None:
    friday, saturday, sunday, monday = (date(2026, 1, d) for d in (9, 10, 11, 12))
    assert not is_working_day(saturday)
    assert not is_working_day(sunday)
    assert working_days_between(friday, saturday) == 0
    assert working_days_between(friday, monday) == 1
    assert working_days_between(saturday, monday) == 1
    assert add_working_days(friday, 1) == monday
    assert add_working_days(monday, -1) == friday


def test_day_zero_is_the_start_even_on_a_weekend() -> None:
    saturday = date(2026, 1, 10)
    assert add_working_days(saturday, 0) == saturday
    assert working_days_between(saturday, saturday) == 0


def test_end_before_start_counts_negative() -> None:
    assert working_days_between(date(2026, 1, 9), date(2025, 12, 19)) == -12


# ---------------------------------------------------------------------------------------
# Local closures


def test_extra_closures_between_christmas_and_new_year() -> None:
    closures = [date(2025, 12, 29), date(2025, 12, 30), date(2025, 12, 31)]
    council = calendar_with_closures(closures)
    start = date(2025, 12, 19)
    assert working_days_between(start, date(2026, 1, 9), calendar=council) == 9
    assert add_working_days(start, 4, calendar=council) == date(2026, 1, 2)
    assert not is_working_day(date(2025, 12, 30), calendar=council)
    assert is_working_day(date(2025, 12, 30))  # the default calendar is unaffected


def test_calendar_accepts_any_iterable_and_stays_hashable() -> None:
    a = WorkingCalendar([date(2025, 12, 29)])  # type: ignore[arg-type]
    b = calendar_with_closures(iter([date(2025, 12, 29)]))
    assert a == b
    assert hash(a) == hash(b)
    assert isinstance(a.extra_closures, frozenset)


@no_deadline
@given(dates, st.integers(min_value=0, max_value=200), st.data())
def test_a_closure_on_a_working_day_in_range_reduces_the_count_by_one(
    start: date, span: int, data: st.DataObject
) -> None:
    end = start + timedelta(days=span)
    closure = data.draw(
        st.dates(min_value=start - timedelta(days=30), max_value=end + timedelta(days=30))
    )
    plain = working_days_between(start, end)
    with_closure = working_days_between(start, end, calendar=calendar_with_closures([closure]))
    counted = start < closure <= end and is_working_day(closure)
    assert with_closure == plain - (1 if counted else 0)


# ---------------------------------------------------------------------------------------
# Invariants


@no_deadline
@given(dates, st.integers(min_value=0, max_value=400))
def test_matches_a_day_by_day_count(start: date, span: int) -> None:
    end = start + timedelta(days=span)
    calendar = WorkingCalendar()
    assert working_days_between(start, end) == brute_force_count(start, end, calendar)


@no_deadline
@given(dates, st.integers(min_value=0, max_value=400))
def test_round_trip_to_a_working_day(start: date, span: int) -> None:
    end = add_working_days(start + timedelta(days=span), 0)
    while not is_working_day(end):
        end += timedelta(days=1)
    assert add_working_days(start, working_days_between(start, end)) == end


@no_deadline
@given(dates, dates)
def test_round_trip_backwards_between_working_days(a: date, b: date) -> None:
    a, b = add_working_days(a, 1), add_working_days(b, 1)  # both now working days
    assert add_working_days(b, working_days_between(b, a)) == a


@no_deadline
@given(dates, st.integers(min_value=0, max_value=200))
def test_adding_then_counting_gives_n_back(start: date, n: int) -> None:
    end = add_working_days(start, n)
    assert working_days_between(start, end) == n
    if n:
        assert is_working_day(end)


@no_deadline
@given(dates, st.integers(min_value=-200, max_value=0))
def test_counting_back_from_a_working_day_gives_n_back(start: date, n: int) -> None:
    # Backwards, the start itself is counted, so the identity needs a working-day start.
    start = add_working_days(start, 1)
    end = add_working_days(start, n)
    assert working_days_between(start, end) == n


@no_deadline
@given(dates, dates, dates)
def test_monotone_in_end(start: date, end1: date, end2: date) -> None:
    low, high = sorted((end1, end2))
    assert working_days_between(start, low) <= working_days_between(start, high)


@no_deadline
@given(dates, dates)
def test_antisymmetric(a: date, b: date) -> None:
    assert working_days_between(a, b) == -working_days_between(b, a)


@pytest.mark.parametrize("year", range(2000, 2041))
def test_every_year_has_the_regular_bank_holidays(year: int) -> None:
    # Eight a year in England and Wales, plus one-offs (e.g. 2022 had ten).
    assert len(bank_holidays(year)) >= 8
    assert all(d.year == year for d in bank_holidays(year))
