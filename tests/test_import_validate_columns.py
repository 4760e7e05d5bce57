"""Validation checks a column at a time (issue 16: fast where people wait): the same
problems, in the same order, and the same records as checking each row, its fields in
turn, on its own, as validation did before. The row-at-a-time checker is kept here, as it
was, to compare against, on generated tables full of bad cells and long enough to cross
the thousand-row chunks (where answers are remembered from one chunk to the next)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.domain import CASE_DATE_FIELDS
from auditor.importing import ColumnMapping, SourceRow, Table, validate_table
from auditor.importing.reader import PROGRESS_EVERY
from auditor.importing.validate import (
    BEYOND_LAST_COLUMN,
    CaseRecord,
    Problem,
    Validation,
    _reference,
    _text,
    resolve_columns,
)
from auditor.importing.values import CellValue, cell_text, parse_case_type, parse_uk_date

# ---------------------------------------------------------------------------------------
# Validation as it was: a row at a time (auditor/importing/validate.py before issue 16).


def row_at_a_time(
    table: Table, mapping: ColumnMapping, progress: Callable[[int, int], None]
) -> Validation:
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
            progress(done, total)
    problems.extend(_duplicates(rows_by_reference, table.headers[columns["reference"]]))
    bad_rows = {p.row for p in problems}
    clean = tuple(r for r in records if r.row not in bad_rows)
    order = {header: i for i, header in enumerate(table.headers)}
    problems.sort(key=lambda p: (p.row or 0, order.get(p.column, len(order))))
    progress(total, total)
    return Validation(table.description, clean, tuple(problems), total)


class _RowChecker:
    def __init__(self, table: Table, mapping: ColumnMapping, columns: dict[str, int]) -> None:
        self.headers = table.headers
        self.epoch = table.date_epoch
        self.words = mapping.case_type_words
        self.columns = columns
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
            return self._date
        if name == "case_type":
            return self._case_type
        if name == "reference":
            return _reference
        return _text

    def _date(self, raw: CellValue) -> str | None:
        parsed = parse_uk_date(raw, epoch=self.epoch)
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


def _duplicates(rows_by_reference: Mapping[str, list[int]], header: str) -> list[Problem]:
    problems: list[Problem] = []
    for reference, rows in rows_by_reference.items():
        if len(rows) > 1:
            listed = ", ".join(str(r) for r in rows)
            problems.extend(
                Problem(row, header, reference, f"the same reference is on rows {listed}")
                for row in rows
            )
    return problems


# ---------------------------------------------------------------------------------------
# Generated tables: every kind of cell a CSV or a workbook gives, good and bad.

HEADERS = (
    "Case Ref",
    "Case Type",
    "Team",
    "Worker",
    "Referral Date",
    "Closure Date",
    "Notes",
    BEYOND_LAST_COLUMN,  # a header may even be named so
)
FIELDS = ("reference", "case_type", "team", "worker", "referral_date", "closed_date")

cells = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "",
            "  ",
            "CP",
            "cin",
            "Looked after",
            "ICS 12",
            "Gardening",
            "31/01/2026",
            "31-Jan-2026",
            "2026-01-31 10:30",
            "01/31/2026",
            "30/02/2026",
            "31/01/1850",
            "46053",
            "99999",
            "Demo Team 7",
            "FAKE-1",
            " FAKE-1 ",
            "Total",
            "x" * 201,
            "R" * 101,
        ]
    ),
    st.text(max_size=4),
    st.integers(min_value=-3, max_value=80_000),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.times(),
    st.timedeltas(max_value=timedelta(days=99_999)),
)
row_templates = st.lists(
    st.lists(cells, min_size=0, max_size=len(HEADERS) + 2), min_size=1, max_size=12
)


@st.composite
def tables(draw: st.DrawFn) -> tuple[Table, ColumnMapping]:
    templates = draw(row_templates)
    count = draw(st.sampled_from([1, 7, PROGRESS_EVERY, PROGRESS_EVERY + 1, 2_345]))
    # Most rows with a reference of their own, some with their template's (repeats, blanks,
    # a reference too long): duplicates and refusals across the chunks.
    own_reference = draw(st.lists(st.booleans(), min_size=len(templates), max_size=len(templates)))
    rows = []
    for position in range(count):
        which = position % len(templates)
        values = list(templates[which])
        if own_reference[which] and values:
            values[0] = f"FAKE-{position:05d}"
        rows.append(SourceRow(position + 2, tuple(values)))
    fields = draw(st.lists(st.sampled_from(FIELDS), unique=True, max_size=len(FIELDS)))
    columns = {name: HEADERS[FIELDS.index(name)] for name in fields}
    if draw(st.booleans()):  # two fields read from one column
        columns.setdefault("worker", "Team")
    if draw(st.booleans()):  # the mapping names a column loosely
        columns["referral_date"] = "referral  DATE"
    if draw(st.booleans()):  # a field's problems and a beyond-the-header one, in one column
        columns["closed_date"] = BEYOND_LAST_COLUMN
    words = draw(st.sampled_from([{}, {"ICS 12": "child_in_need", "Gardening": "early_help"}]))
    epoch = draw(st.sampled_from([date(1899, 12, 30), date(1904, 1, 1)]))
    table = Table(
        Path("generated.csv"), "csv", HEADERS, 1, tuple(rows), date_epoch=epoch, encoding="utf-8"
    )
    return table, ColumnMapping(columns=columns, case_type_words=words)


def seen(validation: Validation) -> tuple[Any, ...]:
    """Everything a validation tells: each record's row and values (in their order), each
    problem, the counts."""
    return (
        [(r.row, list(r.values.items())) for r in validation.records],
        [(p.row, p.column, p.value, p.message) for p in validation.problems],
        validation.rows_total,
        validation.rows_with_problems,
        validation.source,
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_a_column_at_a_time_finds_what_a_row_at_a_time_found(
    generated: tuple[Table, ColumnMapping],
) -> None:
    table, mapping = generated
    before: list[tuple[int, int]] = []
    now: list[tuple[int, int]] = []
    expected = row_at_a_time(table, mapping, lambda done, total: before.append((done, total)))
    found = validate_table(table, mapping, progress=lambda done, total: now.append((done, total)))
    assert seen(found) == seen(expected)
    assert now == before  # progress as often, at the same rows


def test_mixed_cells_of_one_column_each_read_as_themselves() -> None:
    """True, 1 and 1.0 are equal in Python but not the same cell: a column mixing them (a
    workbook's) gives each its own answer, in every chunk."""
    cells: list[CellValue] = [True, 1, 1.0, 46053, "46053", datetime(2026, 1, 31), None]
    rows = tuple(
        SourceRow(n + 2, (f"FAKE-{n}", "CP", cells[n % len(cells)]))
        for n in range(PROGRESS_EVERY + len(cells))
    )
    table = Table(Path("mixed.xlsx"), "xlsx", ("Ref", "Type", "Referral"), 1, rows)
    mapping = ColumnMapping(
        columns={"reference": "Ref", "case_type": "Type", "referral_date": "Referral"}
    )
    found = validate_table(table, mapping)
    expected = row_at_a_time(table, mapping, lambda done, total: None)
    assert seen(found) == seen(expected)
    assert [str(p) for p in found.problems[:3]] == [
        "row 2, column 'Referral', value 'TRUE': not a date (expected a UK date such as "
        "31/01/2026, 31-Jan-2026 or 2026-01-31)",
        "row 3, column 'Referral', value '1': the number 1 is not a date (expected a UK "
        "date such as 31/01/2026, 31-Jan-2026 or 2026-01-31)",
        "row 4, column 'Referral', value '1': the number 1 is not a date (expected a UK "
        "date such as 31/01/2026, 31-Jan-2026 or 2026-01-31)",
    ]
    assert {r.values["referral_date"] for r in found.records} == {"2026-01-31", None}
