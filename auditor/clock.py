"""Time in one place: UTC timestamps with offset (ISO 8601), plain dates, and how both are
written for people (dd/mm/yyyy, the form UK practitioners read). Reading a date a person
typed is :func:`auditor.importing.values.parse_uk_date`, the same rule as for case lists."""

import uuid
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
    return str(uuid.uuid4())


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
