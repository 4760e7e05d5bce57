"""Checking a case's dates against a framework's timescales: pure, no I/O.

Each check records what it compared (the two dates, the time taken in the timescale's
unit, the limit and the due date) so a report can show its working, not just a verdict.
A missing, unreadable or out-of-order date gives ``met=None`` with the reason: a data
problem is never reported as met or missed.
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from auditor.clock import parse_date, uk_date
from auditor.domain import CaseType
from auditor.frameworks.model import AUDIT_DATE, Timescale
from auditor.workdays import WorkingCalendar, add_working_days, working_days_between

_UNIT_WORDS = {
    "working_days": ("working day", "working days"),
    "days": ("day", "days"),
    "weeks": ("week", "weeks"),
    "months": ("month", "months"),
}


def add_months(d: date, months: int) -> date:
    """``d`` moved by whole calendar months, clamping the day: 31 Jan + 1 month = 28/29 Feb."""
    years, month0 = divmod(d.month - 1 + months, 12)
    year = d.year + years
    return date(year, month0 + 1, min(d.day, monthrange(year, month0 + 1)[1]))


def months_between(start: date, end: date) -> int:
    """Whole calendar months elapsed from ``start`` to ``end`` (``end >= start``)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    return months - 1 if add_months(start, months) > end else months


def _quantity(n: float, unit: str) -> str:
    singular, plural = _UNIT_WORDS[unit]
    return f"{n:g} {singular if n == 1 else plural}"


def time_taken_text(value: float | None, unit: str) -> str:
    """A time in a timescale's unit, as words: "28.5 working days", "1 month"; a dash for
    none (a median over no case)."""
    return "–" if value is None else _quantity(value, unit)


@dataclass(frozen=True)
class TimescaleCheck:
    """The outcome of one timescale for one case. ``met`` is None when it could not be checked."""

    timescale: Timescale
    start_date: date | None
    end_date: date | None
    taken: int | None
    limit: int
    unit: str
    met: bool | None
    due_date: date | None = None
    reason: str = ""

    @property
    def summary(self) -> str:
        """One plain-English line, e.g. "…: 38 working days, limit 45 working days (…), met"."""
        label = self.timescale.label
        if self.met is None or self.taken is None:
            return f"{label}: not checked: {self.reason}"
        assert self.start_date and self.end_date and self.due_date  # set whenever met is
        dates = (
            f"{uk_date(self.start_date)} → {uk_date(self.end_date)}, "
            f"due by {uk_date(self.due_date)}"
        )
        verdict = "met" if self.met else "not met"
        return (
            f"{label}: {self._elapsed()}, limit {_quantity(self.limit, self.unit)} "
            f"({dates}), {verdict}"
        )

    def _elapsed(self) -> str:
        """The time taken; weeks and months show leftover days, so "3 of 3" can be late."""
        assert self.taken is not None and self.start_date and self.end_date
        text = _quantity(self.taken, self.unit)
        if self.unit == "weeks":
            extra = (self.end_date - self.start_date).days - self.taken * 7
        elif self.unit == "months":
            extra = (self.end_date - add_months(self.start_date, self.taken)).days
        else:
            extra = 0
        return f"{text} and {_quantity(extra, 'days')}" if extra else text


def due_date(timescale: Timescale, start: date, *, calendar: WorkingCalendar | None = None) -> date:
    """The last day ``timescale`` allows from ``start``: when a case whose end date is still
    missing becomes overdue (the same due date :func:`check_timescale` compares against)."""
    return _due_and_taken(start, start, timescale.limit, timescale.unit, calendar)[0]


def _due_and_taken(
    start: date, end: date, limit: int, unit: str, calendar: WorkingCalendar | None
) -> tuple[date, int]:
    """The last allowed date and the time taken, both in ``unit`` (``end >= start``)."""
    if unit == "working_days":
        return (
            add_working_days(start, limit, calendar=calendar),
            working_days_between(start, end, calendar=calendar),
        )
    if unit == "days":
        return start + timedelta(days=limit), (end - start).days
    if unit == "weeks":
        return start + timedelta(weeks=limit), (end - start).days // 7
    if unit == "months":
        return add_months(start, limit), months_between(start, end)
    raise ValueError(f"unknown timescale unit {unit!r}")


def _field_words(name: str) -> str:
    """ "assessment_end" → "assessment end date", "referral_date" → "referral date"."""
    words = name.replace("_", " ")
    return words if words.endswith("date") else f"{words} date"


def _read_date(
    name: str, case_dates: Mapping[str, date | str | None], audit_date: date
) -> tuple[date | None, str]:
    """The named date (``audit_date`` is the audit's own date), or None and why not."""
    if name == AUDIT_DATE:
        return audit_date, ""
    raw = case_dates.get(name)
    try:
        value = parse_date(raw)
    except ValueError:
        # One mistyped date must not stop a report over thousands of cases.
        return None, f"{_field_words(name)} {raw!r} is not a date"
    if isinstance(value, datetime):
        # A datetime cannot be compared with a date: keep only the day.
        value = value.date()
    return value, "" if value else f"no {_field_words(name)}"


def check_timescale(
    timescale: Timescale,
    case_dates: Mapping[str, date | str | None],
    *,
    audit_date: date,
    calendar: WorkingCalendar | None = None,
) -> TimescaleCheck:
    """Check one timescale against a case's dates, whatever case types it applies to."""
    start, start_problem = _read_date(timescale.start, case_dates, audit_date)
    end, end_problem = _read_date(timescale.end, case_dates, audit_date)

    def unchecked(reason: str) -> TimescaleCheck:
        return TimescaleCheck(
            timescale, start, end, None, timescale.limit, timescale.unit, None, reason=reason
        )

    if start is None or end is None:
        return unchecked("; ".join(p for p in (start_problem, end_problem) if p))
    if end < start:
        return unchecked(
            f"dates out of order ({_field_words(timescale.end)} {uk_date(end)} "
            f"is before {_field_words(timescale.start)} {uk_date(start)})"
        )
    due, taken = _due_and_taken(start, end, timescale.limit, timescale.unit, calendar)
    return TimescaleCheck(
        timescale, start, end, taken, timescale.limit, timescale.unit, met=end <= due, due_date=due
    )


def check_timescales(
    timescales: Iterable[Timescale],
    case_dates: Mapping[str, date | str | None],
    *,
    case_type: CaseType | str,
    audit_date: date,
    calendar: WorkingCalendar | None = None,
) -> list[TimescaleCheck]:
    """Check every timescale that applies to ``case_type``, in the order given.

    ``met`` compares the end date with the due date (for working days, statutory practice:
    ``end <= add_working_days(start, limit)``), so an end on a weekend just after the due
    date is not met even though no further working day has elapsed.
    """
    kind = CaseType(case_type)
    return [
        check_timescale(t, case_dates, audit_date=audit_date, calendar=calendar)
        for t in timescales
        if kind in t.applies_to
    ]
