"""Reading a CSV case list: encoding (UTF-8 with or without BOM, UTF-16 with BOM, Windows-1252)
and delimiter (comma, semicolon or tab) found from the file itself."""

from __future__ import annotations

import codecs
import csv
import io
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from auditor.importing.errors import ImportFileError
from auditor.importing.values import CellValue

DELIMITERS = (",", ";", "\t")
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}
_SNIFF_LINES = 50
# Decoded text with more than this share of control characters is not a text file.
_MAX_CONTROL_SHARE = 0.01

RawRow = tuple[int, tuple[CellValue, ...]]


def delimiter_name(delimiter: str) -> str:
    return _DELIMITER_NAMES.get(delimiter, repr(delimiter))


def decode(data: bytes, name: str) -> tuple[str, str]:
    """The file's text and the encoding it was read with.

    A BOM decides (UTF-8 or UTF-16); otherwise strict UTF-8, then Windows-1252 (what Excel on
    Windows writes for "CSV (Comma delimited)"). Anything else is refused, never guessed.
    """
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data[3:], "utf-8", name), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict(data, "utf-16", name), "utf-16"
    if b"\x00" in data[:65_536]:
        raise ImportFileError(f"{name} is not a text (CSV) file: it contains binary data")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    return _strict(data, "cp1252", name), "cp1252"


def _strict(data: bytes, encoding: str, name: str) -> str:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            f"{name} is not readable text (neither UTF-8 nor Windows-1252: byte "
            f"0x{data[exc.start]:02X} at position {exc.start}); save it as 'CSV UTF-8' and "
            "try again"
        ) from None
    sample = text[:65_536]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n\f")
    if sample and controls / len(sample) > _MAX_CONTROL_SHARE:
        raise ImportFileError(f"{name} is not a text (CSV) file: it contains binary data")
    return text


def sniff_delimiter(text: str) -> str:
    """Comma, semicolon or tab: the one that splits the opening lines into the most
    consistent number of fields (comma when nothing decides)."""
    lines = [line for line in text.splitlines()[:_SNIFF_LINES] if line.strip()]
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
    max_bytes: int,
    on_row: Callable[[int, int], None],
) -> tuple[list[RawRow], str, str]:
    """Every record of the file as ``(row number, values)``, with the encoding and delimiter.

    Row numbers count records from 1, as a spreadsheet shows them (a quoted value spanning
    lines is one row). ``on_row(done, estimated_total)`` is called for each record.
    """
    name = path.name
    if path.stat().st_size > max_bytes:
        raise ImportFileError(f"{name} is larger than {max_bytes // 1_000_000} MB: refused")
    text, encoding = decode(path.read_bytes(), name)
    delimiter = sniff_delimiter(text)
    estimate = text.count("\n") + 1
    rows: list[RawRow] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for number, record in enumerate(reader, start=1):
            if number > max_rows:
                raise ImportFileError(f"{name} has more than {max_rows:,} rows: refused")
            rows.append((number, tuple(record)))
            on_row(number, estimate)
    except csv.Error as exc:
        raise ImportFileError(
            f"{name} is not a well-formed CSV file (line {reader.line_num}: {exc})"
        ) from None
    return rows, encoding, delimiter
