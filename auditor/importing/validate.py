"""Checking every row of a case list before anything is written.

The result lists each problem with its row number, column and value (a bad date, an unknown
case type, a missing reference, the same reference twice, values beyond the last column),
and the clean records of the rows without problems, ready to import.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass

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
    checker = _RowChecker(table, mapping, columns)
    records: list[CaseRecord] = []
    rows_by_reference: dict[str, list[int]] = defaultdict(list)
    total = len(table.rows)
    for done, row in enumerate(table.rows, start=1):
        record, row_problems = checker.check(row)
        problems.extend(row_problems)
        if record is not None:
            records.append(record)
        reference = checker.reference(row)
        if reference:
            rows_by_reference[reference].append(row.number)
        if done % PROGRESS_EVERY == 0:
            if cancelled is not None and cancelled():
                raise ImportCancelled("import cancelled: nothing was imported")
            if progress is not None:
                progress(done, total)
    problems.extend(_duplicates(rows_by_reference, table.headers[columns["reference"]]))
    bad_rows = {p.row for p in problems}
    clean = tuple(r for r in records if r.row not in bad_rows)
    order = {header: i for i, header in enumerate(table.headers)}
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


class _RowChecker:
    def __init__(self, table: Table, mapping: ColumnMapping, columns: dict[str, int]) -> None:
        self.headers = table.headers
        self.epoch = table.date_epoch
        self.words = mapping.case_type_words
        self.columns = columns
        # Each column's rule chosen once, not by testing its field's name at every cell.
        self.cleaners = [(name, index, self._cleaner(name)) for name, index in columns.items()]

    def check(self, row: SourceRow) -> tuple[CaseRecord | None, list[Problem]]:
        values: dict[str, str | None] = {}
        problems: list[Problem] = []
        cells = row.values
        width = len(cells)
        for name, index, clean in self.cleaners:
            raw = cells[index] if index < width else None
            try:
                values[name] = clean(raw)
            except ValueError as exc:
                problems.append(Problem(row.number, self.headers[index], cell_text(raw), str(exc)))
        if width > len(self.headers):
            problems.extend(self._beyond_header(row))
        return (None if problems else CaseRecord(row.number, values)), problems

    def reference(self, row: SourceRow) -> str:
        index = self.columns["reference"]
        return cell_text(row.values[index]) if index < len(row.values) else ""

    def _cleaner(self, name: str) -> Callable[[CellValue], str | None]:
        if name in CASE_DATE_FIELDS:
            return _once_per_value(self._date)
        if name == "case_type":
            return _once_per_value(self._case_type)
        if name == "reference":
            return _reference
        return _text

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


def _once_per_value(
    clean: Callable[[CellValue], str | None],
) -> Callable[[CellValue], str | None]:
    """``clean`` asked once per distinct cell of its column (a column of dates or case
    types repeats a few hundred values over 50,000 rows), its answer or refusal kept."""
    answers: dict[tuple[type, CellValue], str | ValueError | None] = {}

    def cached(raw: CellValue) -> str | None:
        key = (type(raw), raw)  # 1, 1.0 and True are equal keys, not equal cells
        if key not in answers:
            try:
                answers[key] = clean(raw)
            except ValueError as exc:
                answers[key] = exc
        answer = answers[key]
        if isinstance(answer, ValueError):
            raise ValueError(str(answer))
        return answer

    return cached


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


def _duplicates(rows_by_reference: Mapping[str, list[int]], header: str) -> list[Problem]:
    """A problem on every row of a reference found on more than one row: which of them is
    right is for the user to say, so none of them is imported."""
    problems: list[Problem] = []
    for reference, rows in rows_by_reference.items():
        if len(rows) > 1:
            listed = ", ".join(str(r) for r in rows)
            problems.extend(
                Problem(row, header, reference, f"the same reference is on rows {listed}")
                for row in rows
            )
    return problems
