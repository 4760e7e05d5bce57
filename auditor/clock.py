"""Time in one place: UTC timestamps with offset (ISO 8601) and plain dates."""

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


def parse_user_date(text: str) -> date:
    """A date as a person types it: ``2026-01-31`` or ``31/01/2026``. Raises ValueError."""
    text = text.strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"'{text}' is not a date: write it as 2026-01-31 or 31/01/2026")
