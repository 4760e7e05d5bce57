"""Time in one place: UTC timestamps with offset (ISO 8601), plain dates, and how both are
written for people (dd/mm/yyyy, the form UK practitioners read). Reading a date a person
typed is :func:`auditor.importing.values.parse_uk_date`, the same rule as for case lists."""

import os
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime


def now_utc() -> str:
    """The current instant as ISO 8601 with ``+00:00``, to the microsecond."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def today() -> date:
    return date.today()


def parse_date(value: str | date | None) -> date | None:
    """A stored ISO date (``YYYY-MM-DD``) back to a :class:`date`; ``None`` stays ``None``."""
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(value[:10])


def new_uid() -> str:
    """A globally unique, stable identifier for anything that travels between laptops."""
    return next(new_uids(1))


def new_uids(n: int) -> Iterator[str]:
    """``n`` unique identifiers in the UUID version 7 layout: the time in milliseconds, then
    74 random bits. Ordered by time, a new row's uid lands at the end of its unique index
    rather than anywhere in it, so saving, importing and merging touch the same few index
    pages instead of pages spread across the whole index (the 50th pack merged 1.5× slower
    than the 1st with random uids). The randomness still makes two laptops' uids clash with
    odds of about one in 10^22 for rows made in the same millisecond."""
    stamp = f"{time.time_ns() // 1_000_000:012x}"
    head = f"{stamp[:8]}-{stamp[8:]}-7"
    raw = os.urandom(10 * n).hex()
    for i in range(0, 20 * n, 20):
        r = raw[i : i + 20]
        yield f"{head}{r[:3]}-{'89ab'[int(r[3], 16) & 3]}{r[4:7]}-{r[7:19]}"


def uk_date(value: date | str | None, missing: str = "") -> str:
    """A date (or stored ISO date) as dd/mm/yyyy; ``missing`` when there is none."""
    day = parse_date(value)
    return day.strftime("%d/%m/%Y") if day else missing


def uk_time(stamp: datetime | str, *, local: bool = False, seconds: bool = False) -> str:
    """A timestamp as dd/mm/yyyy hh:mm: in UTC (said so), or in the computer's own time."""
    moment = datetime.fromisoformat(stamp) if isinstance(stamp, str) else stamp
    if local:
        return moment.astimezone().strftime("%d/%m/%Y %H:%M:%S" if seconds else "%d/%m/%Y %H:%M")
    return moment.astimezone(UTC).strftime("%d/%m/%Y %H:%M UTC")
