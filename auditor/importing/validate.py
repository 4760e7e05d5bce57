"""Checking every row of a case list before anything is written.

The result lists each problem with its row number, column and value (a bad date, an unknown
case type, a missing reference, the same reference twice, values beyond the last column),
and the clean records of the rows without problems, ready to import.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import cast

from auditor import collector
from auditor.domain import CASE_DATE_FIELDS
from auditor.importing.errors import ImportCancelled
from auditor.importing.mapping import IMPORT_FIELDS, REQUIRED_FIELDS, ColumnMapping
from auditor.importing.reader import PROGRESS_EVERY, SourceRow, Table
from auditor.importing.values import CellValue, cell_text, normalise_words, parse_case_type
from auditor.importing.values import parse_uk_date as _parse_date
from auditor.progress import Cancelled, Progress

MAX_REFERENCE = 100
MAX_TEXT = 200
BEYOND_LAST_COLUMN = "(beyond the last column)"


@dataclass(frozen=True)
class Problem:
    """One problem: the row as the spreadsheet numbers it (None: the whole file), the
    column's header, the value found and what is wrong with it."""

    row: int | None
    column: str
    value: str
    message: str

    def __str__(self) -> str:
        where = [f"row {self.row}" if self.row is not None else "the file"]
        if self.column:
            where.append(f"column '{self.column}'")
        if self.value:
            shown = self.value if len(self.value) <= 60 else self.value[:57] + "..."
            where.append(f"value '{shown}'")
        return f"{', '.join(where)}: {self.message}"


@dataclass(frozen=True)
class CaseRecord:
    """A valid row, cleaned: case field → text (dates as ISO ``YYYY-MM-DD``; None or ""
    for a blank cell). Only mapped fields are present."""

    row: int
    values: Mapping[str, str | None]

    @property
    def reference(self) -> str:
        return self.values["reference"] or ""


@dataclass(frozen=True)
class Validation:
    """Every row checked: the valid records and the problems found."""

    source: str
    records: tuple[CaseRecord, ...]
    problems: tuple[Problem, ...]
    rows_total: int

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def file_problems(self) -> tuple[Problem, ...]:
        """Problems with the whole file (an unmapped required column): no row can be imported."""
        return tuple(p for p in self.problems if p.row is None)

    @property
    def rows_with_problems(self) -> int:
        return len({p.row for p in self.problems if p.row is not None})


def validate_table(
    table: Table,
    mapping: ColumnMapping,
    *,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> Validation:
    """Check every row of ``table`` read through ``mapping``. Writes nothing."""
    columns, problems = resolve_columns(table.headers, mapping)
    if problems:
        return Validation(table.description, (), tuple(problems), len(table.rows))
    with collector.paused():  # records and problems hold no cycles: no collection walking them
        return _validated(
            table, columns, _Checker(table, mapping, columns), problems, progress, cancelled
        )


def _validated(
    table: Table,
    columns: dict[str, int],
    checker: _Checker,
    problems: list[Problem],
    progress: Progress | None,
    cancelled: Cancelled | None,
) -> Validation:
    """:func:`validate_table` once the columns are found."""
    records: list[CaseRecord] = []
    references: list[str] = []  # each row's, in order
    rows = table.rows
    total = len(rows)
    # A thousand rows at a time, a column at a time within them: progress and Cancel as
    # often as a row at a time would give them, each column's rule chosen once a chunk.
    for start in range(0, total, PROGRESS_EVERY):
        chunk = rows[start : start + PROGRESS_EVERY]
        references += checker.check(chunk, records, problems)
        done = start + len(chunk)
        if done % PROGRESS_EVERY == 0:
            if cancelled is not None and cancelled():
                raise ImportCancelled("import cancelled: nothing was imported")
            if progress is not None:
                progress(done, total)
    problems.extend(_duplicates(rows, references, table.headers[columns["reference"]]))
    bad_rows = {p.row for p in problems}
    clean = tuple(r for r in records if r.row not in bad_rows) if bad_rows else tuple(records)
    order = {header: i for i, header in enumerate(table.headers)}
    # Stable: a row's problems stay in the order found (its fields', then beyond the header).
    problems.sort(key=lambda p: (p.row or 0, order.get(p.column, len(order))))
    if progress is not None:
        progress(total, total)
    return Validation(table.description, clean, tuple(problems), total)


def resolve_columns(
    headers: tuple[str, ...], mapping: ColumnMapping
) -> tuple[dict[str, int], list[Problem]]:
    """Case field → column position, and problems with the mapping itself: a required field
    not mapped, or a mapped header this file does not have."""
    columns: dict[str, int] = {}
    problems: list[Problem] = []
    # Dicts, not list look-ups: a file may have a thousand columns. Headers are distinct
    # (the reader numbers repeats); loosely, the first of equal ones wins.
    exact = {h: i for i, h in enumerate(headers)}
    loose = {normalise_words(h): i for i, h in reversed(list(enumerate(headers)))}
    for name, header in mapping.columns.items():
        if header in exact:
            columns[name] = exact[header]
        elif normalise_words(header) in loose:
            columns[name] = loose[normalise_words(header)]
        else:
            problems.append(
                Problem(
                    None,
                    header,
                    "",
                    f"the mapping reads {IMPORT_FIELDS[name]} from this column, "
                    "but the file has no column by that name",
                )
            )
    for name in REQUIRED_FIELDS:
        if name not in mapping.columns:
            problems.append(Problem(None, "", "", f"no column is mapped to {IMPORT_FIELDS[name]}"))
    return columns, problems


# What a column's rule gives a cell: its clean text, None for a blank, or the refusal.
_Answer = str | None | ValueError


class _Checker:
    """Every mapped column's rule, applied a column at a time to a chunk of rows."""

    def __init__(self, table: Table, mapping: ColumnMapping, columns: dict[str, int]) -> None:
        self.headers = table.headers
        self.epoch = table.date_epoch
        self.words = mapping.case_type_words
        self.fields = list(columns)
        # Each column's rule chosen once, not by testing its field's name at every cell.
        self.rules = [(index, self._rule(name)) for name, index in columns.items()]
        self.reference_rule = self.rules[self.fields.index("reference")][1]

    def check(
        self, rows: Sequence[SourceRow], records: list[CaseRecord], problems: list[Problem]
    ) -> list[str]:
        """Add the rows' problems to ``problems`` and the records of the rows without any
        to ``records``: the same as checking each row, its fields in turn, on its own.
        Returns each row's reference as written (a refused one too), "" for none."""
        references: list[str] = []
        cells = [row.values for row in rows]
        shortest = min(map(len, cells), default=0)
        answers: list[list[_Answer]] = []
        refused: set[int] = set()  # positions in ``rows`` of the rows with a problem
        for index, rule in self.rules:
            column = _column(cells, index, shortest)
            found = rule.answers(column)
            answers.append(found)
            if rule is self.reference_rule:  # none refused: each answer is its cell's text
                references = (
                    list(map(cell_text, column)) if rule.refused_any else cast(list[str], found)
                )
            if rule.refused_any:
                header = self.headers[index]
                for position, (raw, answer) in enumerate(zip(column, found, strict=True)):
                    if isinstance(answer, ValueError):
                        problems.append(
                            Problem(rows[position].number, header, cell_text(raw), str(answer))
                        )
                        refused.add(position)
        width = len(self.headers)
        if max(map(len, cells), default=0) > width:
            for position, row in enumerate(rows):
                if len(row.values) > width and (beyond := self._beyond_header(row)):
                    problems.extend(beyond)
                    refused.add(position)
        fields = self.fields
        records.extend(
            CaseRecord(row.number, dict(zip(fields, values, strict=True)))
            for position, (row, values) in enumerate(
                zip(rows, zip(*answers, strict=True), strict=True)
            )
            if position not in refused
        )
        return references

    def _rule(self, name: str) -> _Rule:
        if name in CASE_DATE_FIELDS:
            return _Rule(self._date)
        if name == "case_type":
            return _Rule(self._case_type)
        if name == "reference":
            return _Rule(_reference, repeats=False)
        return _Rule(_text)

    def _date(self, raw: CellValue) -> str | None:
        parsed = _parse_date(raw, epoch=self.epoch)
        return parsed.isoformat() if parsed else None

    def _case_type(self, raw: CellValue) -> str:
        case_type = parse_case_type(raw, extra_words=self.words)
        if case_type is None:
            raise ValueError("missing case type")
        return case_type.value

    def _beyond_header(self, row: SourceRow) -> list[Problem]:
        extra = [cell_text(v) for v in row.values[len(self.headers) :]]
        if not any(extra):
            return []
        return [
            Problem(
                row.number,
                BEYOND_LAST_COLUMN,
                next(t for t in extra if t),
                "more values than the header has columns (an unquoted comma or a stray "
                "delimiter shifts the values into the wrong columns)",
            )
        ]


def _column(cells: Sequence[tuple[CellValue, ...]], index: int, shortest: int) -> list[CellValue]:
    """Column ``index`` of the rows' cells (``shortest``: the fewest cells a row has); a row
    that stops short of it gives None."""
    if index < shortest:
        return list(map(itemgetter(index), cells))
    return [values[index] if index < len(values) else None for values in cells]


class _Rule:
    """A column's rule (``clean``: a cell's clean text, or ValueError), asked once per
    distinct cell: a column of dates or case types repeats a few hundred values over
    50,000 rows. With ``repeats`` False (references: each is on one row) the answers are
    kept for one chunk only, so they do not pile up."""

    def __init__(self, clean: Callable[[CellValue], str | None], *, repeats: bool = True) -> None:
        self.clean = clean
        self.repeats = repeats
        # Answers by the cell's type first: 1, 1.0 and True are equal keys, not equal cells.
        self.known: dict[type, dict[CellValue, _Answer]] = {}
        self.refused: dict[type, set[CellValue]] = {}
        self.refused_any = False  # whether the last column asked about had a refused cell

    def answers(self, column: Sequence[CellValue]) -> list[_Answer]:
        """The answer for each cell of ``column``, in order."""
        if not self.repeats:
            self.known, self.refused = {}, {}
        kinds = set(map(type, column))
        if len(kinds) == 1:  # the usual column: one type (a CSV's are all text)
            kind = kinds.pop()
            self._learn(kind, column)
            refused = self.refused.get(kind)
            self.refused_any = refused is not None and not refused.isdisjoint(column)
            return list(map(self.known[kind].__getitem__, column))
        by_kind: dict[type, list[CellValue]] = {kind: [] for kind in kinds}
        for raw in column:
            by_kind[type(raw)].append(raw)
        for kind, cells in by_kind.items():
            self._learn(kind, cells)
        self.refused_any = any(
            not self.refused.get(kind, set()).isdisjoint(cells) for kind, cells in by_kind.items()
        )
        return [self.known[type(raw)][raw] for raw in column]

    def _learn(self, kind: type, cells: Sequence[CellValue]) -> None:
        """Answers for the cells of type ``kind`` not asked about before."""
        known = self.known.setdefault(kind, {})
        for raw in set(cells) - known.keys():
            try:
                known[raw] = self.clean(raw)
            except ValueError as exc:  # its message alone: no traceback holding frames
                known[raw] = ValueError(str(exc))
                self.refused.setdefault(kind, set()).add(raw)


def _reference(raw: CellValue) -> str:
    text = cell_text(raw)
    if not text:
        raise ValueError("missing case reference")
    if len(text) > MAX_REFERENCE:
        raise ValueError(f"a case reference longer than {MAX_REFERENCE} characters")
    return text


def _text(raw: CellValue) -> str:
    text = cell_text(raw)
    if len(text) > MAX_TEXT:
        raise ValueError(f"longer than {MAX_TEXT} characters")
    return text


def _duplicates(rows: Sequence[SourceRow], references: Sequence[str], header: str) -> list[Problem]:
    """A problem on every row of a reference found on more than one row: which of them is
    right is for the user to say, so none of them is imported. ``references``: each row's
    ("" for none, never a duplicate)."""
    counts = Counter(references)
    repeated = {reference for reference, count in counts.items() if count > 1 and reference}
    if not repeated:  # the usual file: counted in C, no list of rows for every reference
        return []
    rows_by_reference: dict[str, list[int]] = defaultdict(list)
    for row, reference in zip(rows, references, strict=True):
        if reference in repeated:
            rows_by_reference[reference].append(row.number)
    problems: list[Problem] = []
    for reference, numbers in rows_by_reference.items():
        listed = ", ".join(str(n) for n in numbers)
        problems.extend(
            Problem(number, header, reference, f"the same reference is on rows {listed}")
            for number in numbers
        )
    return problems
