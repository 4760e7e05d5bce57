"""A case list file as a table: its header and its data rows, whatever shape it came in.

CSV or XLSX, decided by the file name and checked against the file's first bytes: a file
that is not what its name says is refused. Title rows above the header are skipped (the
header is the first row naming case fields), blank rows are skipped, and reading stops at a
totals row ("Total", "Grand total: 120"); every such decision is noted for the user.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from openpyxl.utils import get_column_letter

from auditor import collector
from auditor.importing import csv_reader, xlsx_reader
from auditor.importing.errors import ImportCancelled, ImportFileError, too_many_rows
from auditor.importing.mapping import guess_field
from auditor.importing.values import EXCEL_EPOCH, CellValue, cell_text, has_value
from auditor.progress import Cancelled, Progress

MAX_ROWS = 200_000  # cases (data rows, below the header) one case list may hold
MAX_COLUMNS = 1_000
MAX_CSV_BYTES = 200_000_000
HEADER_SCAN_ROWS = 30
PROGRESS_EVERY = 1_000

CSV_SUFFIXES = (".csv", ".txt")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
_ZIP = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_TOTALS = re.compile(r"^\s*(?:grand\s+|sub-?\s*)?totals?\b(?![-_/])", re.IGNORECASE)


@dataclass(frozen=True)
class SourceRow:
    """One data row: its number as the spreadsheet shows it, and its cells."""

    number: int
    values: tuple[CellValue, ...]


@dataclass(frozen=True)
class Table:
    """What was read from a case list, ready for mapping and validation."""

    path: Path
    kind: str  # "csv" or "xlsx"
    headers: tuple[str, ...]
    header_row: int
    rows: tuple[SourceRow, ...]
    sheet: str | None = None
    sheets: tuple[str, ...] = ()
    encoding: str | None = None
    delimiter: str | None = None
    date_epoch: date = EXCEL_EPOCH
    notes: tuple[str, ...] = ()

    def preview(self, count: int = 10) -> list[SourceRow]:
        """The first ``count`` data rows (for a wizard's preview)."""
        return list(self.rows[:count])

    @property
    def description(self) -> str:
        """E.g. "cases.csv (UTF-8 with BOM, semicolon-separated)" or "cases.xlsx, sheet 'Jan'"."""
        if self.kind == "xlsx":
            return f"{self.path.name}, sheet '{self.sheet}'"
        names = {"utf-8-sig": "UTF-8 with BOM", "utf-8": "UTF-8", "cp1252": "Windows-1252"}
        encoding = names.get(self.encoding or "", self.encoding or "")
        delimiter = csv_reader.delimiter_name(self.delimiter or ",")
        return f"{self.path.name} ({encoding}, {delimiter}-separated)"


def detect_kind(path: Path | str) -> str:
    """ "csv" or "xlsx" from the file's name, confirmed by its first bytes; anything else
    (an old .xls, a workbook named .csv, a text file named .xlsx, a PDF) is refused."""
    path = Path(path)
    name, suffix = path.name, path.suffix.lower()
    if not path.is_file():
        raise ImportFileError(f"{path}: no such file")
    with path.open("rb") as file:
        head = file.read(8)
    if suffix in XLSX_SUFFIXES:
        if head.startswith(_ZIP):
            return "xlsx"
        raise ImportFileError(f"{name} is not an Excel workbook (.xlsx): {_looks_like(head)}")
    if suffix in CSV_SUFFIXES:
        if head.startswith((_ZIP, _OLE2, b"%PDF")):
            raise ImportFileError(f"{name} is not a CSV file: {_looks_like(head)}")
        return "csv"
    if suffix == ".xls" or head.startswith(_OLE2):
        raise ImportFileError(f"{name}: {_looks_like(_OLE2)}")
    raise ImportFileError(f"{name}: case lists must be CSV (.csv) or Excel (.xlsx) files")


def _looks_like(head: bytes) -> str:
    if head.startswith(_OLE2):
        return (
            "it is an old-style Excel 97-2003 workbook (.xls) or a password-protected "
            "workbook; open it in Excel and save it as .xlsx (without a password) or CSV"
        )
    if head.startswith(_ZIP):
        return "it is an Excel workbook or another ZIP file; rename it .xlsx if it is a workbook"
    if head.startswith(b"%PDF"):
        return "it is a PDF document"
    if not head:
        return "it is empty"
    return "it looks like a text (CSV) file; rename it .csv"


def read_table(
    path: Path | str,
    *,
    sheet: str | None = None,
    header_row: int | None = None,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> Table:
    """Read a case list. ``sheet`` chooses an XLSX sheet (default: the first visible one);
    ``header_row`` (1-based) overrides the header found automatically.

    ``progress(rows_read, estimated_total)`` is called every 1,000 rows (the total is 0 when
    unknown); ``cancelled()`` returning True stops with :class:`ImportCancelled`.
    Raises :class:`ImportFileError` for any file that cannot be read safely.
    """
    path = Path(path)
    try:
        with collector.paused():  # a row's cells hold no cycles: no collection walking them
            return _read(path, sheet, header_row, _row_callback(progress, cancelled))
    except OSError as exc:  # unreadable: permissions, a vanished network drive, a bad disk
        raise ImportFileError(f"{path.name} cannot be read ({exc.strerror or exc})") from None


def _reading_cap(header_row: int | None) -> int:
    """The rows holding values a reader takes at most: the cases allowed and the rows that
    may stand above them (titles and the header). More, and the file is refused as it is
    read, before the rest of it is; the cases themselves are counted once it is shaped."""
    return MAX_ROWS + max(HEADER_SCAN_ROWS, header_row or 0)


def _read(path: Path, sheet: str | None, header_row: int | None, on_row: Progress) -> Table:
    kind = detect_kind(path)
    cap = _reading_cap(header_row)
    if kind == "csv":
        raw, encoding, delimiter = csv_reader.read_csv_rows(
            path,
            max_rows=cap,
            max_columns=MAX_COLUMNS,
            max_bytes=MAX_CSV_BYTES,
            on_row=on_row,
            too_many=too_many_rows(path.name, MAX_ROWS),
        )
        headers, number, rows, notes = _shape(path.name, raw, header_row)
        return Table(
            path, kind, headers, number, rows, encoding=encoding, delimiter=delimiter, notes=notes
        )
    raw, sheet_name, sheets, epoch = xlsx_reader.read_xlsx_rows(
        path,
        sheet=sheet,
        max_rows=cap,
        max_columns=MAX_COLUMNS,
        on_row=on_row,
        too_many=too_many_rows(path.name, MAX_ROWS),
    )
    headers, number, rows, notes = _shape(path.name, raw, header_row)
    return Table(
        path,
        kind,
        headers,
        number,
        rows,
        sheet=sheet_name,
        sheets=sheets,
        date_epoch=epoch,
        notes=notes,
    )


def list_sheets(path: Path | str) -> list[str]:
    """An XLSX file's worksheet names (empty for a CSV file)."""
    path = Path(path)
    return xlsx_reader.sheet_names(path) if detect_kind(path) == "xlsx" else []


def _row_callback(progress: Progress | None, cancelled: Cancelled | None) -> Progress:
    def on_row(done: int, total: int) -> None:
        if done % PROGRESS_EVERY == 0:
            if cancelled is not None and cancelled():
                raise ImportCancelled("import cancelled: nothing was imported")
            if progress is not None:
                progress(done, max(total, done))

    return on_row


RawRows = list[tuple[int, tuple[CellValue, ...]]]


def _shape(
    name: str, raw: RawRows, header_row: int | None
) -> tuple[tuple[str, ...], int, tuple[SourceRow, ...], tuple[str, ...]]:
    """Headers, the header's row number, the data rows and notes on what was skipped."""
    opening = _opening(raw, header_row)
    if not opening and all(_is_blank(values) for _, values in raw):
        raise ImportFileError(f"{name} has no rows: it is empty")
    header_index = _header_index(name, opening, header_row)
    header_number, header_values = opening[header_index]
    rows, notes = _data_rows([(n, v) for n, v in raw if n > header_number])
    if len(rows) > MAX_ROWS:
        raise too_many_rows(name, MAX_ROWS)
    if header_index:
        notes.insert(0, f"rows above the header (row {header_number}) were skipped as titles")
    return _header_names(header_values), header_number, tuple(rows), tuple(notes)


def _opening(raw: RawRows, header_row: int | None) -> RawRows:
    """The rows holding values that the header is looked for among: the first
    ``HEADER_SCAN_ROWS`` of them, or those up to the row asked for. Not every row of the
    file: the rows below are read once, as data."""
    if header_row is not None:
        return [(n, values) for n, values in raw if n <= header_row and not _is_blank(values)]
    opening: RawRows = []
    for number, values in raw:
        if not _is_blank(values):
            opening.append((number, values))
            if len(opening) == HEADER_SCAN_ROWS:
                break
    return opening


def _is_blank(values: Sequence[CellValue]) -> bool:
    return not any(_has_value(v) for v in values)


_has_value = has_value


def _header_index(
    name: str, rows: list[tuple[int, tuple[CellValue, ...]]], header_row: int | None
) -> int:
    """Where the header is: the row asked for, else the opening row that names the most
    case fields (at least two), else the first row that is not blank."""
    if header_row is not None:
        for index, (number, _) in enumerate(rows):
            if number == header_row:
                return index
        raise ImportFileError(f"{name}: row {header_row} is blank or beyond the end of the file")
    best, best_score = 0, 1
    for index, (_, values) in enumerate(rows[:HEADER_SCAN_ROWS]):
        score = len({guess_field(cell_text(v)) for v in values} - {None})
        if score > best_score:
            best, best_score = index, score
    return best


def _header_names(values: tuple[CellValue, ...]) -> tuple[str, ...]:
    """Header texts, whitespace collapsed; a blank header becomes "Column F"; a repeated one
    gets " (2)", so that every column has a distinct name a mapping can use.

    Linear in the number of headers, however many repeat: a set of the names taken, and
    for each text the last copy number given (every lower one is taken already)."""
    names: list[str] = []
    taken: set[str] = set()
    last_copy: dict[str, int] = {}
    for position, value in enumerate(values, start=1):
        text = " ".join(cell_text(value).split()) or f"Column {get_column_letter(position)}"
        candidate, copy = text, last_copy.get(text, 1)
        while candidate in taken:
            copy += 1
            candidate = f"{text} ({copy})"
        last_copy[text] = copy
        names.append(candidate)
        taken.add(candidate)
    return tuple(names)


def _data_rows(rows: RawRows) -> tuple[list[SourceRow], list[str]]:
    """The data rows below the header: blank rows skipped, stopping at a totals row."""
    data: list[SourceRow] = []
    notes: list[str] = []
    blank = 0
    for index, (number, values) in enumerate(rows):
        opening = values[0] if values else None
        if type(opening) is str and opening.strip():  # most rows: the first cell is text
            first = opening.strip()
        else:
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


def _s(count: int) -> str:
    return "" if count == 1 else "s"
