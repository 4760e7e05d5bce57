"""Which column holds which case field, guessed from the headers and the values, with how
sure each guess is.

The header decides first (:func:`~auditor.importing.mapping.guess_field`, tolerant of
"Dt", "Completed", "Started"...). A column its header does not name is then judged by what
it holds: a column of case-type words ("Child Protection", "Looked After") is the case
type; a column of dates is the date its header's words point to ("Assessment Authorised" →
an assessment date, the first such column the start, the next the end); a column of values
all different is the case reference. Whatever stays unguessed is said to be unguessed
("not sure"), never dropped without a word: the wizard and ``cases preview`` show every
column's guess and certainty.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import Enum

from auditor.domain import CASE_DATE_FIELDS
from auditor.importing.mapping import (
    HEADER_SYNONYMS,
    IMPORT_FIELDS,
    ColumnMapping,
    guess_field,
    header_key,
)
from auditor.importing.reader import SourceRow, Table
from auditor.importing.values import (
    EXCEL_EPOCH,
    CellValue,
    cell_text,
    parse_case_type,
    parse_uk_date,
)

SAMPLE_ROWS = 1_000  # rows looked at: enough to judge a column, quick for 200,000 rows
MOSTLY = 0.8  # the share of values that must fit for the values alone to decide
FEW_DATES = 0.5  # below this share of dates, a date header's guess is questioned
_REPEAT = re.compile(r" \(\d+\)$")  # the reader's number for a repeated header
UNIQUE = 0.98  # the share of different values in a column of references
FILLED = 0.95  # the share of filled cells in a column of references


class Basis(Enum):
    """What a guess rests on, surest first."""

    HEADER = "header"  # the header names the field
    WORDS_AND_VALUES = "words and values"  # a word of the header, and values that fit it
    WORDS = "words"  # a word of the header ("Team Allocated To")
    VALUES = "values"  # the values alone
    NOT_SURE = "not sure"  # no guess: the column is not imported unless the user says


@dataclass(frozen=True)
class ColumnGuess:
    """One column's guess: the field (None: not imported), what it rests on, and what
    share of its values fit (dates, case types, different values), when that was asked."""

    header: str
    field: str | None
    basis: Basis
    share: float | None = None
    detail: str = ""  # why there is no guess, when the values say something

    @property
    def certainty(self) -> str:
        """How sure the guess is, in words: "From the header", "From the values (92 % look
        like dates)", "Not sure: ..."."""
        fit = f" ({self.detail})" if self.detail else ""
        if self.basis is Basis.HEADER:
            return f"From the header{', but ' + self.detail if self.detail else ''}"
        if self.basis is Basis.WORDS_AND_VALUES:
            return f"From the header's words and the values{fit}"
        if self.basis is Basis.WORDS:
            return "From the header's words"
        if self.basis is Basis.VALUES:
            return f"From the values{fit}"
        return f"Not sure: {self.detail}" if self.detail else "Not sure"


@dataclass(frozen=True)
class Guesses:
    """Every column's guess, in the file's order, and the mapping they make."""

    columns: tuple[ColumnGuess, ...]

    @property
    def mapping(self) -> ColumnMapping:
        return ColumnMapping(columns={g.field: g.header for g in self.columns if g.field})

    def for_header(self, header: str) -> ColumnGuess | None:
        return next((g for g in self.columns if g.header == header), None)

    def not_imported(self) -> list[str]:
        return [g.header for g in self.columns if g.field is None]


def guess_columns(table: Table) -> Guesses:
    """Guess every column of ``table`` from its header, then its values."""
    return guess_from(table.headers, table.rows, epoch=table.date_epoch)


def guess_from(
    headers: Sequence[str], rows: Sequence[SourceRow], *, epoch: date = EXCEL_EPOCH
) -> Guesses:
    """As :func:`guess_columns`, from headers and rows."""
    guesses: dict[str, ColumnGuess] = {}
    taken: dict[str, str] = {}  # field → the header it is read from
    for header in headers:  # 1. the headers: the first column naming a field wins
        name = guess_field(header)
        if name and name not in taken:
            taken[name] = header
            guesses[header] = ColumnGuess(header, name, Basis.HEADER)
    profiles = {
        header: _Profile.of(_column(rows, i), epoch)
        for i, header in enumerate(headers)
        if header not in guesses
    }
    for header, profile in profiles.items():  # 2. the values, with the header's words
        guess = _from_values(header, profile, taken)
        if guess.field:
            taken[guess.field] = header
        guesses[header] = guess
    if "reference" not in taken:  # 3. a column of references: the first of all-different
        for header, profile in profiles.items():
            if guesses[header].field is None and profile.looks_like_references:
                guesses[header] = ColumnGuess(
                    header,
                    "reference",
                    Basis.VALUES,
                    profile.distinct,
                    f"all {profile.filled:,} values different",
                )
                break
    for i, header in enumerate(headers):  # a header's date field, questioned by its values
        guess = guesses[header]
        if guess.basis is Basis.HEADER and guess.field in CASE_DATE_FIELDS:
            profile = _Profile.of(_column(rows, i), epoch)
            if profile.filled and profile.dates < FEW_DATES:
                guesses[header] = ColumnGuess(
                    header,
                    guess.field,
                    Basis.HEADER,
                    profile.dates,
                    f"only {_percent(profile.dates)} look like dates",
                )
    return Guesses(tuple(guesses[h] for h in headers))


def _from_values(header: str, profile: _Profile, taken: Mapping[str, str]) -> ColumnGuess:
    if not profile.filled:
        return ColumnGuess(header, None, Basis.NOT_SURE, None, "blank in the first rows")
    if profile.case_types >= MOSTLY and "case_type" not in taken:
        share = profile.case_types
        return ColumnGuess(
            header, "case_type", Basis.VALUES, share, f"{_percent(share)} are case types"
        )
    if profile.dates >= MOSTLY:
        dates = f"{_percent(profile.dates)} look like dates"
        name = _date_field_by_words(header, taken)
        if name is None:
            why = f"{dates}; the header does not say which date"
            return ColumnGuess(header, None, Basis.NOT_SURE, profile.dates, why)
        return ColumnGuess(header, name, Basis.WORDS_AND_VALUES, profile.dates, dates)
    if profile.dates >= FEW_DATES:
        why = f"only {_percent(profile.dates)} look like dates"
        return ColumnGuess(header, None, Basis.NOT_SURE, profile.dates, why)
    if profile.dates < FEW_DATES and profile.case_types < FEW_DATES:
        for name, words in _TEXT_WORDS.items():
            if name not in taken and words & set(header_key(header).split()):
                return ColumnGuess(header, name, Basis.WORDS)
    named = guess_field(_REPEAT.sub("", header))  # "Team (2)": a second "Team"
    if named and named in taken:
        label = IMPORT_FIELDS[named]
        why = f"{label} is read from “{taken[named]}”"
        return ColumnGuess(header, None, Basis.NOT_SURE, None, why)
    return ColumnGuess(header, None, Basis.NOT_SURE, None, "no case detail matches it")


# ---------------------------------------------------------------------------------------
# A date column's field from its header's words


def _field_words() -> dict[str, set[str]]:
    """Each date field's words, from its synonyms, name and label."""
    words: dict[str, set[str]] = {}
    for name, label in CASE_DATE_FIELDS.items():
        for text in (*HEADER_SYNONYMS.get(name, ()), name, label):
            words.setdefault(name, set()).update(header_key(text).split())
    return words


_DATE_WORDS = _field_words()
# The words that name a text field in any header ("Team Allocated To", "Worker Name").
_TEXT_WORDS = {"team": {"team", "unit"}, "worker": {"worker", "practitioner", "caseworker"}}
# Words that say when, not what: "first", "last", "start", "end" alone choose no field.
_TOO_COMMON = {"first", "last", "start", "end", "case", "number", "reference", "single"}


def _weights() -> dict[str, float]:
    """A word shared by fewer fields says more: "icpc" names one, "assessment" three."""
    counts: dict[str, int] = {}
    for words in _DATE_WORDS.values():
        for word in words - _TOO_COMMON:
            counts[word] = counts.get(word, 0) + 1
    return {word: 1 / count for word, count in counts.items()}


_WEIGHTS = _weights()


def _date_field_by_words(header: str, taken: Mapping[str, str]) -> str | None:
    """The date field not yet taken whose words the header shares most; equal scores go
    to the field that comes first in a case's life (so the first of two "Assessment ..."
    columns is the start, the next the end). Words like "start"/"end" then decide between
    fields the other words chose."""
    words = set(header_key(header).split())
    best, best_score = None, 0.0
    for name, field_words in _DATE_WORDS.items():
        if name in taken:
            continue
        shared = words & field_words
        score = sum(_WEIGHTS.get(w, 0.0) for w in shared)
        if score > 0:
            score += 0.01 * len(shared & _TOO_COMMON)  # "start"/"end" choose among equals
        if score > best_score:
            best, best_score = name, score
    return best


# ---------------------------------------------------------------------------------------
# What a column holds


def _column(rows: Sequence[SourceRow], index: int) -> list[CellValue]:
    return [row.values[index] if index < len(row.values) else None for row in rows[:SAMPLE_ROWS]]


@dataclass(frozen=True)
class _Profile:
    """Shares of a column's filled cells that are dates, case types, different values."""

    cells: int
    filled: int
    dates: float
    case_types: float
    distinct: float
    with_digits: float

    @classmethod
    def of(cls, values: Sequence[CellValue], epoch: date) -> _Profile:
        texts = [(v, cell_text(v)) for v in values]
        filled = [(v, t) for v, t in texts if t]
        n = len(filled) or 1
        return cls(
            cells=len(values),
            filled=len(filled),
            dates=sum(_is_date(v, epoch) for v, _ in filled) / n,
            case_types=sum(_is_case_type(t) for _, t in filled) / n,
            distinct=len({t for _, t in filled}) / n,
            with_digits=sum(any(c.isdigit() for c in t) for _, t in filled) / n,
        )

    @property
    def looks_like_references(self) -> bool:
        """Every row filled, every value different, numbers in them, not dates."""
        return (
            self.filled >= 2
            and self.filled >= FILLED * self.cells
            and self.distinct >= UNIQUE
            and self.with_digits >= MOSTLY
            and self.dates < FEW_DATES
        )


def _is_date(value: CellValue, epoch: date) -> bool:
    """A date cell, or text written as a date; a bare number is not counted (a column of
    five-digit references would otherwise read as Excel serial dates)."""
    if isinstance(value, str) and value.strip().replace(".", "", 1).isdigit():
        return False
    if isinstance(value, int | float) and not isinstance(value, bool):
        return False
    try:
        return parse_uk_date(value, epoch=epoch) is not None
    except ValueError:
        return False


def _is_case_type(text: str) -> bool:
    try:
        return parse_case_type(text) is not None
    except ValueError:
        return False


def _percent(share: float) -> str:
    """E.g. "92 %"; never "100 %" for a share short of all."""
    whole = int(share * 100) if share < 1 else 100
    return f"{whole} %"
