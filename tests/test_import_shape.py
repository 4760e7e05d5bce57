"""Finding the header and the data rows of a case list (issue 16: fast where people wait)
looks for the header among the opening rows only, not by first listing every row that
holds values: the same header, rows, notes and refusals as before, on generated files of
titles, blank rows, totals rows and headers asked for by number. The former way is kept
here, as it was, to compare against."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.importing.errors import ImportFileError
from auditor.importing.reader import (
    _TOTALS,
    HEADER_SCAN_ROWS,
    MAX_ROWS,
    RawRows,
    SourceRow,
    _has_value,
    _header_index,
    _header_names,
    _is_blank,
    _s,
    _shape,
)
from auditor.importing.values import cell_text

# ---------------------------------------------------------------------------------------
# As it was (auditor/importing/reader.py before issue 16).


def shape_before(name: str, raw: RawRows, header_row: int | None) -> Any:
    non_blank = [(n, values) for n, values in raw if not _is_blank(values)]
    if not non_blank:
        raise ImportFileError(f"{name} has no rows: it is empty")
    header_index = _header_index(name, non_blank, header_row)
    header_number, header_values = non_blank[header_index]
    rows, notes = data_rows_before([(n, v) for n, v in raw if n > header_number])
    if len(rows) > MAX_ROWS:
        raise AssertionError("not generated")
    if header_index:
        notes.insert(0, f"rows above the header (row {header_number}) were skipped as titles")
    return _header_names(header_values), header_number, tuple(rows), tuple(notes)


def data_rows_before(rows: RawRows) -> tuple[list[SourceRow], list[str]]:
    data: list[SourceRow] = []
    notes: list[str] = []
    blank = 0
    for index, (number, values) in enumerate(rows):
        first = next((cell_text(v) for v in values if _has_value(v)), "")
        if not first:
            blank += 1
            continue
        if _TOTALS.match(first):
            after = sum(1 for _, v in rows[index + 1 :] if not _is_blank(v))
            note = f"reading stopped at the totals row (row {number})"
            if after:
                note += f"; {after:,} row{_s(after)} below it ignored"
            notes.append(note)
            break
        data.append(SourceRow(number, values))
    if blank:
        notes.insert(0, f"{blank:,} blank row{_s(blank)} skipped")
    return data, notes


# ---------------------------------------------------------------------------------------

cells = st.one_of(
    st.none(),
    st.sampled_from(["", "  ", "Case Ref", "Case Type", "Team", "Referral Date", "Cases"]),
    st.sampled_from(["FAKE-1", " FAKE-2", "CP", "Total", "Grand total: 12", "Subtotal"]),
    st.integers(min_value=0, max_value=99),
    st.floats(allow_nan=False),
    st.booleans(),
)
files = st.lists(st.lists(cells, max_size=5), max_size=HEADER_SCAN_ROWS + 12)


def outcome(shape: Any, raw: RawRows, header_row: int | None) -> Any:
    try:
        return shape("cases.csv", raw, header_row)
    except ImportFileError as exc:
        return ("refused", str(exc))


@settings(max_examples=300, deadline=None)
@given(files, st.one_of(st.none(), st.integers(min_value=0, max_value=HEADER_SCAN_ROWS + 14)))
def test_the_header_and_rows_found_are_those_found_before(
    rows: list[list[Any]], header_row: int | None
) -> None:
    raw: RawRows = [(number, tuple(values)) for number, values in enumerate(rows, start=1)]
    assert outcome(_shape, raw, header_row) == outcome(shape_before, raw, header_row)


def test_a_header_asked_for_below_blank_rows_is_found_and_a_blank_one_refused() -> None:
    raw: RawRows = [(1, ("",)), (2, ("Ref", "Type")), (3, ()), (4, ("FAKE-1", "CP"))]
    headers, number, rows, notes = _shape("cases.csv", raw, 2)
    assert (headers, number, [r.number for r in rows], notes) == (
        ("Ref", "Type"),
        2,
        [4],
        ("1 blank row skipped",),
    )
    for blank_or_beyond in (1, 3, 9):
        assert outcome(_shape, raw, blank_or_beyond) == (
            "refused",
            f"cases.csv: row {blank_or_beyond} is blank or beyond the end of the file",
        )
    assert outcome(_shape, [(1, ("",)), (2, (None,))], None) == (
        "refused",
        "cases.csv has no rows: it is empty",
    )


def test_the_header_is_looked_for_among_the_opening_rows_holding_values() -> None:
    """The thirtieth row holding values may be the header; the thirty-first is data."""
    titles: RawRows = [(n, ("Cases",)) for n in range(1, HEADER_SCAN_ROWS)]
    blanks: RawRows = [(n, ("",)) for n in range(100, 105)]  # between them, not counted
    header = ("Case Ref", "Case Type")
    at_last = [*titles[:10], *blanks, *titles[10:], (200, header), (201, ("FAKE-1", "CP"))]
    assert _shape("cases.csv", at_last, None)[:2] == (header, 200)
    one_too_far = [*titles, (199, ("More",)), (200, header)]
    assert _shape("cases.csv", one_too_far, None)[:2] == (("Cases",), 1)
    for raw in (at_last, one_too_far):
        assert outcome(_shape, raw, None) == outcome(shape_before, raw, None)
