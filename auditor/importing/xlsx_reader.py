"""Reading an XLSX case list safely.

Before openpyxl sees the file, the ZIP archive is checked: a sane number of parts, no part
absurdly large or compressed beyond any real workbook (a zip bomb), no password protection,
and no DOCTYPE or ENTITY declaration in any XML part (legitimate workbooks never have one;
entity tricks need one). openpyxl then reads through defusedxml (a dependency), which refuses
entity tricks again. Values are read with ``data_only=True``: a formula is never evaluated;
its value as last calculated by Excel is read, or nothing if the file holds no such value.
"""

from __future__ import annotations

import warnings
import zipfile
import zlib
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import openpyxl
from defusedxml import DefusedXmlException
from openpyxl.utils.exceptions import InvalidFileException

from auditor.importing.errors import ImportFileError
from auditor.importing.values import EXCEL_EPOCH, EXCEL_EPOCH_1904, CellValue, has_value

MAX_PARTS = 5_000
MAX_PART_BYTES = 1_000_000_000  # uncompressed, one part
MAX_TOTAL_BYTES = 2_000_000_000  # uncompressed, the whole workbook
MAX_RATIO = 200  # uncompressed / compressed, for parts over 1 MB: real sheets stay below ~30
_RATIO_FROM_BYTES = 1_000_000
_XML_SUFFIXES = (".xml", ".rels", ".vml")
_FORBIDDEN_MARKUP = (b"<!DOCTYPE", b"<!ENTITY")
_CHUNK = 1 << 20

# What openpyxl (and the XML and ZIP layers below it) raise on a malformed workbook.
_MALFORMED = (
    InvalidFileException,
    zipfile.BadZipFile,
    zlib.error,
    KeyError,
    ValueError,
    TypeError,
    AttributeError,
    IndexError,
    SyntaxError,  # xml.etree ParseError and lxml's XMLSyntaxError are SyntaxErrors
    EOFError,
    NotImplementedError,
)

RawRow = tuple[int, tuple[CellValue, ...]]


def check_archive(path: Path) -> None:
    """Refuse a ZIP that is not a workbook, is encrypted, is a zip bomb or carries XML
    entity declarations. Reads every XML part once, in chunks: memory stays small."""
    name = path.name
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            _check_parts(name, infos)
            for info in infos:
                if info.filename.lower().endswith(_XML_SUFFIXES):
                    _check_xml_part(name, archive, info)
    except zipfile.BadZipFile as exc:
        raise ImportFileError(f"{name} is a damaged XLSX workbook ({exc})") from None
    except (zlib.error, EOFError, NotImplementedError, OSError) as exc:
        raise ImportFileError(f"{name} is a damaged XLSX workbook ({exc})") from None


def _check_parts(name: str, infos: list[zipfile.ZipInfo]) -> None:
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names:
        what = "a Word document" if "word/document.xml" in names else "not an Excel workbook"
        raise ImportFileError(f"{name} is a ZIP archive but {what}: refused")
    if len(infos) > MAX_PARTS:
        raise ImportFileError(f"{name} has {len(infos):,} parts inside: refused as hostile")
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise ImportFileError(f"{name} is password-protected: remove the password first")
        size, packed = info.file_size, max(info.compress_size, 1)
        total += size
        ratio_too_high = size > _RATIO_FROM_BYTES and size / packed > MAX_RATIO
        if size > MAX_PART_BYTES or total > MAX_TOTAL_BYTES or ratio_too_high:
            raise ImportFileError(
                f"{name} unpacks to an absurd size ({info.filename}: {size:,} bytes from "
                f"{info.compress_size:,}): refused as a possible zip bomb"
            )


def _check_xml_part(name: str, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    tail = b""
    with archive.open(info) as part:
        while chunk := part.read(_CHUNK):
            window = tail + chunk
            if any(marker in window for marker in _FORBIDDEN_MARKUP):
                raise ImportFileError(
                    f"{name} contains an XML DOCTYPE or ENTITY declaration ({info.filename}); "
                    "real workbooks never do: refused as hostile"
                )
            tail = chunk[-16:]


def read_xlsx_rows(
    path: Path,
    *,
    sheet: str | None,
    max_rows: int,
    max_columns: int,
    on_row: Callable[[int, int], None],
    too_many: ImportFileError,
) -> tuple[list[RawRow], str, tuple[str, ...], date]:
    """Every row of one sheet as ``(row number, values)``, with the sheet's name, all sheet
    names and the workbook's date epoch. Trailing empty cells are dropped.

    More than ``max_rows`` rows holding values raises ``too_many``: before the rows are
    read when the sheet is that long (its rows counted from its XML, a fraction of the time
    reading them takes), else as soon as the row after the last one allowed is read."""
    check_archive(path)
    try:
        with warnings.catch_warnings():
            # openpyxl warns about features it skips (styles, extensions): irrelevant here.
            warnings.simplefilter("ignore", UserWarning)
            # An open file of our own: openpyxl leaves its archive open when a part fails.
            with path.open("rb") as file:
                workbook = openpyxl.load_workbook(
                    file, read_only=True, data_only=True, keep_links=False
                )
                try:
                    return _read_sheet(
                        path.name, workbook, sheet, (max_rows, too_many), max_columns, on_row
                    )
                finally:
                    workbook.close()
    except ImportFileError:
        raise
    except _MALFORMED as exc:
        raise _unreadable(path.name, exc) from None


def sheet_names(path: Path) -> list[str]:
    """The names of a workbook's worksheets, in order (for a "which sheet?" choice)."""
    check_archive(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            with path.open("rb") as file:
                workbook = openpyxl.load_workbook(file, read_only=True, keep_links=False)
                try:
                    return [ws.title for ws in workbook.worksheets]
                finally:
                    workbook.close()
    except _MALFORMED as exc:
        raise _unreadable(path.name, exc) from None


def _unreadable(name: str, exc: BaseException) -> ImportFileError:
    """One line naming the file and the underlying cause (openpyxl wraps it in a paragraph)."""
    while exc.__cause__ is not None:
        if isinstance(exc, DefusedXmlException):
            break
        exc = exc.__cause__
    if isinstance(exc, DefusedXmlException):
        return ImportFileError(f"{name} contains XML entity tricks ({exc}): refused as hostile")
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return ImportFileError(f"{name} is not a readable XLSX workbook ({detail})")


def _read_sheet(
    name: str,
    workbook: Any,
    sheet: str | None,
    row_limit: tuple[int, ImportFileError],
    max_columns: int,
    on_row: Callable[[int, int], None],
) -> tuple[list[RawRow], str, tuple[str, ...], date]:
    names = tuple(ws.title for ws in workbook.worksheets)
    if not names:
        raise ImportFileError(f"{name} has no worksheet")
    worksheet = _choose_sheet(name, workbook, names, sheet)
    max_rows, too_many = row_limit
    estimate = int(worksheet.max_row or 0)  # from the sheet's own (possibly wrong) dimension
    maybe_too_long = not estimate or estimate > max_rows  # count its rows before reading
    if maybe_too_long and _rows_with_values(workbook, worksheet, stop_after=max_rows) > max_rows:
        raise too_many
    worksheet.reset_dimensions()  # read every row, whatever the dimension claims
    rows: list[RawRow] = []
    filled = 0  # rows holding values: blank ones are skipped, not counted
    for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
        cells = _trimmed(values)
        filled += any(has_value(v) for v in cells)
        if filled > max_rows:
            raise too_many
        if len(cells) > max_columns:
            raise ImportFileError(
                f"{name}, row {number}: more than {max_columns:,} columns: refused"
            )
        rows.append((number, cells))
        on_row(number, estimate)
    epoch = EXCEL_EPOCH_1904 if workbook.epoch.year == 1904 else EXCEL_EPOCH
    return rows, worksheet.title, names, epoch


def _rows_with_values(workbook: Any, worksheet: Any, *, stop_after: int) -> int:
    """How many rows of the sheet's XML hold a cell with a value, counting no further than
    ``stop_after`` + 1. A parse of the part without making cells: a sheet far over the
    limit is refused in a few seconds, not after tens of seconds of reading its rows.
    The archive was checked first (no DOCTYPE or ENTITY in any part)."""
    counted = 0
    with workbook._archive.open(worksheet._worksheet_path) as part:  # openpyxl's own names
        for _, element in ElementTree.iterparse(part):
            if element.tag == _ROW:
                counted += any(value.tag in _VALUES for cell in element for value in cell)
                element.clear()
                if counted > stop_after:
                    break
    return counted


_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW = f"{_MAIN}row"
_VALUES = (f"{_MAIN}v", f"{_MAIN}is")  # a cell's value, or its inline text


def _choose_sheet(name: str, workbook: Any, names: tuple[str, ...], sheet: str | None) -> Any:
    if sheet is None:
        visible = [ws for ws in workbook.worksheets if ws.sheet_state == "visible"]
        return (visible or workbook.worksheets)[0]
    if sheet not in names:
        raise ImportFileError(
            f"{name} has no sheet called '{sheet}' (its sheets: {', '.join(names)})"
        )
    return workbook[sheet]


def _trimmed(values: tuple[Any, ...]) -> tuple[CellValue, ...]:
    end = len(values)
    while end and (values[end - 1] is None or values[end - 1] == ""):
        end -= 1
    return tuple(values[:end])
