"""Text a person typed, written so that a spreadsheet shows it and never runs it.

openpyxl turns any string that starts with ``=`` into a formula and strings such as ``#N/A``
into error values. Evidence notes, team names, case references and action text all come from
people (or from imported spreadsheets), so every such string goes through :func:`text_value`:
formula-like text becomes a cell whose type is forced to a string and which carries Excel's
"quote prefix" (so editing and re-entering it in Excel keeps it text). Characters XML cannot
hold are dropped and text beyond a cell's 32,767 characters is cut with a visible note.
"""

from __future__ import annotations

from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE

# Excel, LibreOffice and Google Sheets treat a typed value starting with these as a formula.
FORMULA_TRIGGERS = frozenset("=+-@")
MAX_CELL_TEXT = 32_767  # Excel's limit; a longer cell makes Excel repair the file
CUT_NOTE = " … [cut here: longer than a spreadsheet cell can hold; see the audit for the rest]"


def clean_text(value: str) -> str:
    """``value`` without control characters XML forbids, cut to fit in one cell."""
    if ILLEGAL_CHARACTERS_RE.search(value):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if len(value) > MAX_CELL_TEXT:
        value = value[: MAX_CELL_TEXT - len(CUT_NOTE)] + CUT_NOTE
    return value


def is_formula_like(text: str) -> bool:
    """True when a spreadsheet could read ``text`` as a formula or an error value."""
    return text[:1] in FORMULA_TRIGGERS or text in ERROR_CODES


def text_value(ws: Any, value: str) -> Any:
    """What to append to a write-only sheet for ``value``: the cleaned string itself, a cell
    forced to text when the string looks like a formula, or None (an empty cell) for ""."""
    text = clean_text(value)
    if not text:
        return None
    if not is_formula_like(text):
        return text
    cell = WriteOnlyCell(ws, value=text)
    force_text(cell)
    return cell


def set_text(cell: Any, value: str) -> None:
    """Put ``value`` into an ordinary (not write-only) cell, as text whatever it starts with."""
    text = clean_text(value)
    cell.value = text
    if text and is_formula_like(text):
        force_text(cell)


def force_text(cell: Any) -> None:
    cell.data_type = "s"
    cell.quotePrefix = True
