"""Reading a CSV case list: encoding (UTF-8 with or without BOM, UTF-16 with BOM, Windows-1252)
and delimiter (comma, semicolon or tab) found from the file itself.

The file is streamed: decoded and parsed as it is read, so memory holds the rows and never the
file's whole text besides. Every character of it is checked, not just the opening ones: a NUL
or another control character anywhere refuses the file, naming its row and column.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from itertools import chain, islice
from pathlib import Path

from openpyxl.utils import get_column_letter

from auditor.importing.errors import ImportFileError
from auditor.importing.values import CellValue

DELIMITERS = (",", ";", "\t")
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}
_SNIFF_LINES = 50
# The opening bytes judged for "binary, not text": with more than this share of control
# characters the file is some other kind of file, and is refused as one.
_BINARY_SAMPLE = 65_536
_MAX_CONTROL_SHARE = 0.01
# Characters a case list never holds: control characters other than tab, line feed and
# carriage return (the ones an Excel cell cannot hold either).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
_CHUNK = 1 << 20
# What the file was tried as, for the message when it reads as none of them.
_ENCODING_NAMES = {
    "utf-8-sig": "it starts as UTF-8 but is not UTF-8 throughout",
    "utf-16": "it starts as UTF-16 but is not UTF-16 throughout",
    "cp1252": "neither UTF-8 nor Windows-1252",
}

RawRow = tuple[int, tuple[CellValue, ...]]


def delimiter_name(delimiter: str) -> str:
    return _DELIMITER_NAMES.get(delimiter, repr(delimiter))


def sniff_delimiter(lines: Iterable[str]) -> str:
    """Comma, semicolon or tab: the one that splits the opening lines into the most
    consistent number of fields (comma when nothing decides)."""
    lines = [line for line in islice(lines, _SNIFF_LINES) if line.strip()]
    best, best_score = ",", 0
    for delimiter in DELIMITERS:
        try:
            widths = [len(r) for r in csv.reader(lines, delimiter=delimiter) if len(r) > 1]
        except csv.Error:
            continue
        if not widths:
            continue
        width, count = Counter(widths).most_common(1)[0]
        score = width * count
        if score > best_score:
            best, best_score = delimiter, score
    return best


def read_csv_rows(
    path: Path,
    *,
    max_rows: int,
    max_columns: int,
    max_bytes: int,
    on_row: Callable[[int, int], None],
    too_many: ImportFileError,
) -> tuple[list[RawRow], str, str]:
    """Every record of the file as ``(row number, values)``, with the encoding and delimiter.

    Row numbers count records from 1, as a spreadsheet shows them (a quoted value spanning
    lines is one row). ``on_row(done, estimated_total)`` is called for each record. A row
    with more than ``max_columns`` fields (empty ones too: they are in the file), a control
    character anywhere, or more than ``max_rows`` rows holding values (``too_many`` is then
    raised, as soon as the row after the last one allowed is read) refuses the file.

    The encoding: a BOM decides (UTF-8 or UTF-16); otherwise strict UTF-8, then
    Windows-1252 (what Excel on Windows writes for "CSV (Comma delimited)"). Anything else
    is refused, never guessed.
    """
    name = path.name
    size = path.stat().st_size
    if size > max_bytes:
        raise ImportFileError(f"{name} is larger than {max_bytes // 1_000_000} MB: refused")
    with path.open("rb") as file:
        opening = file.read(_BINARY_SAMPLE)
    bom = _bom_encoding(opening)
    _refuse_binary(name, opening, bom)
    estimate = _line_count(path)
    encodings = (bom,) if bom else ("utf-8", "cp1252")
    for encoding in encodings:
        try:
            rows, delimiter = _records(
                path, encoding, estimate, (max_rows, too_many), max_columns, on_row
            )
        except UnicodeDecodeError:
            continue  # not this encoding: read the file again with the next one
        return rows, encoding, delimiter
    raise _undecodable(path, encodings[-1])


def _bom_encoding(opening: bytes) -> str | None:
    if opening.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if opening.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return None


def _refuse_binary(name: str, opening: bytes, bom: str | None) -> None:
    """Refuse a file whose opening bytes are mostly not text (an image or a program named
    .csv). A stray control character in a text file is left to the row-by-row check, which
    names its row and column."""
    sample = opening.decode("utf-16" if bom == "utf-16" else "latin-1", errors="replace")
    controls = len(_CONTROL.findall(sample))
    if sample and controls / len(sample) > _MAX_CONTROL_SHARE:
        raise ImportFileError(f"{name} is not a text (CSV) file: it contains binary data")


def _records(
    path: Path,
    encoding: str,
    estimate: int,
    row_limit: tuple[int, ImportFileError],
    max_columns: int,
    on_row: Callable[[int, int], None],
) -> tuple[list[RawRow], str]:
    """The records of the file read with ``encoding``, and the delimiter found.
    Raises UnicodeDecodeError when the file is not in that encoding."""
    name = path.name
    # newline="": csv sees every line ending as written (a quoted value may hold one).
    # The bytes are read in one go and decoded from memory: read from the file, every 8 KB
    # chunk is a read() that lets the GIL go for a moment and takes it straight back, and
    # the GUI thread, woken by each release too late to take it, waited for the whole
    # file (~100 ms at 50,000 rows).
    raw = io.BytesIO(path.read_bytes())
    with io.TextIOWrapper(raw, encoding=encoding, errors="strict", newline="") as text:
        lines: Iterator[str] = iter(text)
        opening = list(islice(lines, _SNIFF_LINES))
        delimiter = sniff_delimiter(opening)
        reader = csv.reader(chain(opening, lines), delimiter=delimiter)
        rows: list[RawRow] = []
        max_rows, too_many = row_limit
        filled = 0  # rows holding values: blank ones are skipped, not counted
        try:
            for number, record in enumerate(reader, start=1):
                joined = "".join(record)
                filled += bool(joined.strip())
                if filled > max_rows:
                    raise too_many
                if len(record) > max_columns:
                    raise ImportFileError(
                        f"{name}, row {number}: more than {max_columns:,} columns: refused"
                    )
                if _CONTROL.search(joined):
                    raise _control_character(name, number, record)
                rows.append((number, tuple(record)))
                on_row(number, estimate)
        except csv.Error as exc:
            raise ImportFileError(
                f"{name} is not a well-formed CSV file (line {reader.line_num}: {exc})"
            ) from None
    return rows, delimiter


def _line_count(path: Path) -> int:
    """The file's lines, at least as many as its rows: a progress bar's total, counted in
    one quick pass over the bytes (the text is not held to count it)."""
    with path.open("rb") as file:
        return 1 + sum(chunk.count(b"\n") for chunk in iter(lambda: file.read(_CHUNK), b""))


def _control_character(name: str, number: int, record: list[str]) -> ImportFileError:
    """The error for the first control character of a record: its row and column."""
    for position, value in enumerate(record, start=1):
        if found := _CONTROL.search(value):
            code = ord(found.group())
            what = "a NUL character" if code == 0 else "a control character"
            return ImportFileError(
                f"{name}, row {number}, column {get_column_letter(position)}: {what} "
                f"(U+{code:04X}), which a case list never holds: the file is damaged or not "
                "a text file; nothing was imported"
            )
    raise AssertionError("no control character in the record")  # the caller found one


def _undecodable(path: Path, encoding: str) -> ImportFileError:
    """Where the file stops being ``encoding``: the first byte that cannot be read."""
    what = _ENCODING_NAMES[encoding]
    with path.open("rb") as file:
        offset = len(codecs.BOM_UTF8) if encoding == "utf-8-sig" else 0
        file.seek(offset)  # a UTF-8 BOM is skipped here, so positions count from the file
        decoder = codecs.getincrementaldecoder(encoding.removesuffix("-sig"))("strict")
        while True:
            chunk = file.read(_CHUNK)
            held = len(decoder.getstate()[0])  # bytes of an incomplete character kept back
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                return ImportFileError(
                    f"{path.name} is not readable text ({what}: byte "
                    f"0x{exc.object[exc.start]:02X} at position {offset - held + exc.start}); "
                    "save it as 'CSV UTF-8' and try again"
                )
            if not chunk:
                break
            offset += len(chunk)
    # It read the first time it failed: the file was changed meanwhile.
    return ImportFileError(f"{path.name} is not readable text ({what}); try again")
