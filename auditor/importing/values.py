"""Reading the values councils put in case lists: UK dates, Excel serial dates, case-type words.

Pure functions with no I/O. A value that cannot be read raises :class:`ValueError` whose
message is fit to show the user next to the row and column.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from auditor.domain import CASE_TYPE_LABELS, CaseType

# A cell as read from a CSV (always text) or an XLSX (typed by openpyxl).
CellValue = str | int | float | bool | date | datetime | time | timedelta | None


def has_value(value: CellValue) -> bool:
    """Whether a cell holds anything (blank text is nothing): blank rows are skipped."""
    return value is not None and (not isinstance(value, str) or bool(value.strip()))


EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 is 1 Jan 1900 (Excel's 1900 leap-year bug included)
EXCEL_EPOCH_1904 = date(1904, 1, 1)  # old Mac workbooks
# Serial numbers read as dates only within these years: 1950-01-01 to 2099-12-31 (1900 epoch).
_SERIAL_MIN, _SERIAL_MAX = 18_264, 73_050
_YEAR_MIN, _YEAR_MAX = 1900, 2100

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}

_TIME_SUFFIX = re.compile(r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?: ?[AaPp][Mm])?Z?)$")
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})$")
_YMD = re.compile(r"^(\d{4})[/.\-](\d{1,2})[/.\-](\d{1,2})$")
_D_MON_Y = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?[ /.\-]*([A-Za-z]{3,9})[ /.,\-]*(\d{4}|\d{2})$")
_SERIAL = re.compile(r"^\d{5}(?:\.0+)?$")

DATE_HINT = "expected a UK date such as 31/01/2026, 31-Jan-2026 or 2026-01-31"


def parse_uk_date(value: CellValue, *, epoch: date = EXCEL_EPOCH) -> date | None:
    """A date from a cell: a date or datetime, an Excel serial number, or UK text.

    Accepts ``31/01/2026``, ``31/1/26``, ``31-01-2026``, ``31.01.2026``, ``31-Jan-2026``,
    ``31 January 2026``, ``2026-01-31`` and any of them followed by a time of day, and serial
    numbers (``46053``) from 1950 to 2099. Blank gives None. Day first, always: ``01/31/2026``
    is refused, never silently read as 31 January.
    """
    if isinstance(value, str):
        return _text_date(value, epoch)
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool | time | timedelta):
        raise ValueError(f"not a date ({DATE_HINT})")
    if isinstance(value, int | float):
        return _from_serial(value, epoch)
    raise ValueError(f"not a date ({DATE_HINT})")


@lru_cache(maxsize=8192)
def _text_date(value: str, epoch: date) -> date | None:
    """Cached: a case list repeats the same few hundred dates thousands of times."""
    text = " ".join(value.split())
    if not text:
        return None
    if _SERIAL.match(text):
        return _from_serial(float(text), epoch)
    return _from_text(_TIME_SUFFIX.sub("", text).strip())


def _from_serial(number: float, epoch: date) -> date:
    shift = (EXCEL_EPOCH_1904 - EXCEL_EPOCH).days if epoch == EXCEL_EPOCH_1904 else 0
    if not _SERIAL_MIN <= number + shift <= _SERIAL_MAX:
        raise ValueError(f"the number {number:g} is not a date ({DATE_HINT})")
    return epoch + timedelta(days=int(number))


def _from_text(text: str) -> date:
    if match := _YMD.match(text):
        year, month, day = match[1], int(match[2]), int(match[3])
    elif match := _DMY.match(text):
        day, month, year = int(match[1]), int(match[2]), match[3]
    elif match := _D_MON_Y.match(text):
        day, year = int(match[1]), match[3]
        month = _MONTHS.get(match[2].lower(), 0)
        if not month:
            raise ValueError(f"'{match[2]}' is not a month name ({DATE_HINT})")
    else:
        raise ValueError(f"not a date ({DATE_HINT})")
    return _checked_date(_full_year(year), month, day)


def _full_year(year: str) -> int:
    """Two-digit years as Python's ``%y`` reads them: 00–68 → 2000s, 69–99 → 1900s."""
    if len(year) != 2:
        return int(year)
    return 2000 + int(year) if int(year) <= 68 else 1900 + int(year)


def _checked_date(year: int, month: int, day: int) -> date:
    if not _YEAR_MIN <= year <= _YEAR_MAX:
        raise ValueError(f"the year {year} is not plausible for a case date")
    if not 1 <= month <= 12:
        raise ValueError(f"month {month} does not exist: dates are read day first ({DATE_HINT})")
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"{day:02d}/{month:02d}/{year} is not a real date") from None


# ---------------------------------------------------------------------------------------
# Case types

# The words councils' systems use for each case type, compared after normalise_words().
CASE_TYPE_WORDS: dict[CaseType, tuple[str, ...]] = {
    CaseType.EARLY_HELP: (
        "eh",
        "early help",
        "early help case",
        "early help assessment",
        "early help family support",
        "targeted early help",
        "ehap",
    ),
    CaseType.CHILD_IN_NEED: (
        "cin",
        "cin plan",
        "child in need",
        "child in need plan",
        "children in need",
        "in need",
        "s17",
        "section 17",
    ),
    CaseType.CHILD_PROTECTION: (
        "cp",
        "cpp",
        "cp plan",
        "child protection",
        "child protection plan",
        "child protection case",
    ),
    CaseType.LOOKED_AFTER: (
        "cla",
        "lac",
        "cic",
        "looked after",
        "looked after child",
        "looked after children",
        "child looked after",
        "children looked after",
        "child in care",
        "children in care",
        "in care",
    ),
    CaseType.CARE_LEAVER: (
        "cl",
        "care leaver",
        "care leavers",
        "care leaver 18",
        "leaving care",
        "care experienced",
        "former relevant",
        "relevant child",
    ),
}


def normalise_words(text: str) -> str:
    """Lower case, ``&`` as "and", anything not a letter or digit as one space."""
    text = text.lower().replace("&", " and ")
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text).split())


def _case_type_lookup() -> dict[str, CaseType]:
    lookup: dict[str, CaseType] = {}
    for case_type, words in CASE_TYPE_WORDS.items():
        for word in (*words, case_type.value, CASE_TYPE_LABELS[case_type]):
            lookup[normalise_words(word)] = case_type
    return lookup


_CASE_TYPES = _case_type_lookup()


def parse_case_type(value: CellValue, *, extra_words: Mapping[str, str] = {}) -> CaseType | None:
    """The case type a cell names ("CP", "Child Protection", "CLA", "LAC", "Care leaver"...).

    ``extra_words`` adds a council's own words (``{"ICS 12": "child_in_need"}``); they win
    over the built-in ones. Blank gives None; an unknown word raises :class:`ValueError`.
    """
    text = normalise_words(cell_text(value))
    if not text:
        return None
    for word, case_type in extra_words.items():
        if normalise_words(word) == text:
            return CaseType(case_type)
    found = _CASE_TYPES.get(text)
    if found is None:
        known = ", ".join(label for label in CASE_TYPE_LABELS.values())
        raise ValueError(f"unknown case type (known: {known}, or CP, CIN, CLA/LAC, EH)")
    return found


def cell_text(value: CellValue) -> str:
    """A cell as plain text, as a user would read it: whole numbers without ``.0``, dates
    as ISO dates, surrounding whitespace removed. Text that looks like a formula
    (``=SUM(A1)``, ``+44...``, ``@x``) is returned as it is, never evaluated."""
    if type(value) is str:  # most cells: asked first
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()
