"""Working-day arithmetic for statutory timescales: the only place that counts working days.

A working day is Monday to Friday, excluding England and Wales bank holidays (including
substitute days, e.g. when Christmas falls on a weekend) and any local closure days a
council adds. Day counting follows statutory practice: the day of the referral is day 0,
the next working day is day 1, so "within 45 working days" means the end date is on or
before ``add_working_days(start, 45)``.

Reports call these for every case of thousands of audits, so bank holidays are computed
once per year and counting is arithmetic on ordinals rather than a walk day by day.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

# England and Wales share their bank holidays; the library files them under England.
_COUNTRY = "GB"
_SUBDIVISION = "ENG"
_ONE_DAY = timedelta(days=1)


@lru_cache(maxsize=256)
def bank_holidays(year: int) -> frozenset[date]:
    """England and Wales bank holidays (with substitute days) falling in ``year``."""
    # Ask for the year before too: a substitute day for a late-December holiday could
    # otherwise land in January without belonging to either year's list.
    import holidays  # here, not at the top: 15–40 ms the app's start need not wait for

    days = holidays.country_holidays(_COUNTRY, subdiv=_SUBDIVISION, years=(year - 1, year))
    return frozenset(d for d in days if d.year == year)


@lru_cache(maxsize=1024)
def _closed_weekdays(extra_closures: frozenset[date], year: int) -> tuple[date, ...]:
    """Sorted Monday-to-Friday dates in ``year`` that are not working days."""
    closed = bank_holidays(year) | {d for d in extra_closures if d.year == year}
    # Weekend closures are already excluded by the weekday count: keep them out here
    # so they are not subtracted twice.
    return tuple(sorted(d for d in closed if d.weekday() < 5))


def _weekdays_to(d: date) -> int:
    """Monday-to-Friday days from 1 Jan 0001 (a Monday) up to and including ``d``."""
    weeks, rest = divmod(d.toordinal(), 7)
    return weeks * 5 + min(rest, 5)


@dataclass(frozen=True)
class WorkingCalendar:
    """Bank holidays plus a council's own closure days (e.g. between Christmas and New Year).

    Any iterable of dates is accepted for ``extra_closures``; it is stored as a frozenset so
    the calendar stays hashable (and its per-year closures can be cached).
    """

    extra_closures: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        # Settings loaders hand over lists; normalise so equality and hashing behave.
        object.__setattr__(self, "extra_closures", frozenset(self.extra_closures))

    def _closed(self, year: int) -> tuple[date, ...]:
        return _closed_weekdays(self.extra_closures, year)

    def is_working_day(self, d: date) -> bool:
        """True for a Monday to Friday that is neither a bank holiday nor a closure day."""
        if d.weekday() >= 5:
            return False
        closed = self._closed(d.year)
        i = bisect_left(closed, d)
        return not (i < len(closed) and closed[i] == d)

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end``.

        ``start`` itself is day 0, so the next working day counts 1. If ``end`` is before
        ``start`` the count is negative: ``-working_days_between(end, start)``. Callers that
        treat out-of-order dates as a data error should check the order themselves.
        """
        if end < start:
            return -self.working_days_between(end, start)
        count = _weekdays_to(end) - _weekdays_to(start)
        for year in range(start.year, end.year + 1):
            closed = self._closed(year)
            count -= bisect_right(closed, end) - bisect_right(closed, start)
        return count

    def add_working_days(self, start: date, n: int) -> date:
        """The ``n``-th working day after ``start`` (before it if ``n`` is negative).

        ``n == 0`` returns ``start`` unchanged, even on a non-working day: it is day 0.
        For ``n >= 0``, ``working_days_between(start, result) == n``; backwards that holds
        only from a working day, because a count back from ``start`` includes ``start``.
        """
        return _add_working_days(self, start, n)


@lru_cache(maxsize=65536)
def _add_working_days(calendar: WorkingCalendar, start: date, n: int) -> date:
    """:meth:`WorkingCalendar.add_working_days`, remembered: the case list's figures ask for
    the same few hundred start dates across 100,000 cases."""
    step = _ONE_DAY if n >= 0 else -_ONE_DAY
    remaining = abs(n)
    current = start
    # Timescales are tens of working days, so a day-by-day walk is cheap enough.
    while remaining:
        current += step
        if calendar.is_working_day(current):
            remaining -= 1
    return current


DEFAULT_CALENDAR = WorkingCalendar()


def is_working_day(d: date, *, calendar: WorkingCalendar | None = None) -> bool:
    """See :meth:`WorkingCalendar.is_working_day`; bank holidays only by default."""
    return (calendar or DEFAULT_CALENDAR).is_working_day(d)


def working_days_between(start: date, end: date, *, calendar: WorkingCalendar | None = None) -> int:
    """See :meth:`WorkingCalendar.working_days_between`; bank holidays only by default."""
    return (calendar or DEFAULT_CALENDAR).working_days_between(start, end)


def add_working_days(start: date, n: int, *, calendar: WorkingCalendar | None = None) -> date:
    """See :meth:`WorkingCalendar.add_working_days`; bank holidays only by default."""
    return (calendar or DEFAULT_CALENDAR).add_working_days(start, n)


def calendar_with_closures(extra_closures: Iterable[date]) -> WorkingCalendar:
    """A calendar with a council's closure days added to the bank holidays."""
    return WorkingCalendar(frozenset(extra_closures))
