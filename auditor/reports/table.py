"""A sheet that holds one Excel table: the shape of every list in the report.

Header row frozen and repeated on printed pages, filters (the table's own), widths,
wrapping where text is long, dates as dates, numbers as numbers, and every string a person
typed written as text. Rows stream straight to disk (openpyxl write-only mode).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from openpyxl.cell import Cell
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo

from auditor.reports import styles
from auditor.reports.output import Ticker
from auditor.reports.safe_text import text_value

NO_AUDITS = "No audits match these filters."


@dataclass(frozen=True)
class Column:
    """One column: its header, width (characters), number format and whether text longer
    than the width wraps (the default: printed, a cut text hides what it says)."""

    header: str
    width: float = 12
    fmt: str | None = None
    wrap: bool = True


class TableWriter:
    """Writes rows under a header and turns them into an Excel table when finished.

    ``top_aligned`` styles every cell (top-aligned, long text wrapped): for short sheets only,
    since a style on every cell doubles the time a big sheet takes.
    """

    def __init__(
        self,
        wb: Any,
        title: str,
        columns: Sequence[Column],
        *,
        table: str,
        ticker: Ticker | None = None,
        top_aligned: bool = False,
    ) -> None:
        self.ws = wb.create_sheet(title)
        self.columns = tuple(columns)
        self.table_name = table
        self.rows = 0
        self.cells = 0
        self._ticker = ticker
        self._dates: dict[tuple[str, date], Any] = {}
        self._convert = [self._converter(c, top_aligned) for c in self.columns]
        self._wrapping = [(i, c.width) for i, c in enumerate(self.columns) if c.wrap or top_aligned]
        styles.set_up_sheet(self.ws, [c.width for c in self.columns])
        headers = [(c.header, c.width) for c in self.columns]
        self._size_row(1, headers, chars_per_width=styles.HEADER_CHARS_PER_WIDTH)
        self.ws.append([styles.header_cell(self.ws, c.header) for c in self.columns])

    def append(self, values: Sequence[Any]) -> None:
        """Write one row; ``values`` line up with the columns (None leaves a cell empty)."""
        long = [
            (text, width)
            for i, width in self._wrapping
            if isinstance(text := values[i], str) and len(text) > width
        ]
        if long:
            self._size_row(self.rows + 2, long)
        self.ws.append([convert(v) for convert, v in zip(self._convert, values, strict=True)])
        self.rows += 1
        self.cells += len(values)
        if self._ticker is not None:
            self._ticker.tick()

    def finish(self, *, empty: str = NO_AUDITS) -> Any:
        """Close the table over the rows written (a table needs one row: ``empty`` says why
        there is none) and return the worksheet."""
        if self.rows == 0:
            self.append([empty, *([None] * (len(self.columns) - 1))])
        ref = f"A1:{get_column_letter(len(self.columns))}{self.last_row}"
        table = Table(
            displayName=self.table_name,
            ref=ref,
            tableStyleInfo=TableStyleInfo(name=styles.TABLE_STYLE, showRowStripes=True),
        )
        table.tableColumns = [
            TableColumn(id=i, name=c.header) for i, c in enumerate(self.columns, start=1)
        ]
        table.autoFilter = AutoFilter(ref=ref)
        with warnings.catch_warnings():
            # openpyxl warns on every write-only table; the columns are set just above.
            warnings.filterwarnings("ignore", "In write-only mode you must add table columns")
            self.ws.add_table(table)
        self.ws.print_title_rows = "1:1"
        if self.ws.page_setup.fitToWidth > 1:
            self.ws.print_title_cols = "A:B"  # pages after the first still name the row
        return self.ws

    def _size_row(self, row: int, texts: Sequence[tuple[str, float]], **how: float) -> None:
        """Give a row with wrapped text its height (before the row is written)."""
        height = styles.row_height(texts, **how)
        if height is not None:
            self.ws.row_dimensions[row].height = height

    @property
    def last_row(self) -> int:
        return self.rows + 1

    def column_range(self, header: str, last_header: str | None = None) -> str:
        """The data cells of a column (or of the columns from ``header`` to ``last_header``)."""
        first = self.letter(header)
        last = self.letter(last_header or header)
        return f"{first}2:{last}{max(2, self.last_row)}"

    def letter(self, header: str) -> str:
        """The column letter of the column with this header."""
        index = next(i for i, c in enumerate(self.columns, start=1) if c.header == header)
        return str(get_column_letter(index))

    def _converter(self, column: Column, top_aligned: bool) -> Callable[[Any], Any]:
        ws, fmt = self.ws, column.fmt
        wrap_at = column.width if column.wrap else None
        alignment = styles.WRAP if top_aligned else None

        def convert(value: Any) -> Any:
            if value is None:
                return None
            if isinstance(value, str):
                written = text_value(ws, value)
                align = styles.WRAP if wrap_at is not None and len(value) > wrap_at else alignment
                if align is None or written is None:
                    return written
                if isinstance(written, str):
                    written = styles.cell(ws, written)
                written.alignment = align
                return written
            if isinstance(value, date):
                return self._date_cell(value, fmt or styles.DATE, alignment)
            if isinstance(value, Cell):  # styled by the caller
                return value
            if fmt is not None or alignment is not None:
                return styles.cell(ws, value, fmt=fmt, alignment=alignment)
            return value

        return convert

    def _date_cell(self, value: date, fmt: str, alignment: Any) -> Any:
        """Date cells are shared: a written cell is only read while its row is written."""
        key = (fmt, value)
        found = self._dates.get(key)
        if found is None:
            found = self._dates[key] = styles.cell(self.ws, value, fmt=fmt, alignment=alignment)
        return found
