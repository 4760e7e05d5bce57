"""How the workbooks look: number formats, fonts, fills, sheet set-up and printing.

Big sheets keep per-cell styles to the few cells that need them (dates, percentages, the
header); colour for answers and red/amber/green status comes from conditional formatting on
whole ranges, which costs one rule instead of one style per cell (shared/PERFORMANCE.md).
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.formatting.rule import CellIsRule, FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

# Number formats
PERCENT = "0.0%"
PERCENT_SMALL_SAMPLE = '0.0%"*"'  # the asterisk marks a figure from fewer than 10 audits
PERCENT_WHOLE = "0%"
DATE = "dd/mm/yyyy"
POINTS = "0.0"
KAPPA = "0.00"
INTEGER = "0"

# Fonts, fills, alignment
FONT = "Calibri"  # the workbook's default font: a font without a name is a serif elsewhere
TITLE_FONT = Font(name=FONT, bold=True, size=16, color="1F3864")
HEADING_FONT = Font(name=FONT, bold=True, size=12, color="1F3864")
NOTE_FONT = Font(name=FONT, italic=True, color="595959")
BOLD = Font(name=FONT, bold=True)
WARNING_FONT = Font(name=FONT, bold=True, size=12, color="9C0006")
HEADER_FONT = Font(name=FONT, bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
HEADER_BORDER = Border(bottom=Side(style="thin", color="000000"))
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
LEFT = Alignment(horizontal="left")
HEADER_ALIGNMENT = Alignment(wrap_text=True, vertical="center")

# Red / amber / green, as Excel's own "Bad", "Neutral" and "Good" styles, plus grey for N/A.
GREEN_FILL = PatternFill("solid", fgColor="C6EFCE", bgColor="C6EFCE")
AMBER_FILL = PatternFill("solid", fgColor="FFEB9C", bgColor="FFEB9C")
RED_FILL = PatternFill("solid", fgColor="FFC7CE", bgColor="FFC7CE")
GREY_FILL = PatternFill("solid", fgColor="E7E6E6", bgColor="E7E6E6")
GREEN_FONT = Font(color="006100")  # conditional formats change the colour, not the font
AMBER_FONT = Font(color="9C5700")
RED_FONT = Font(color="9C0006")
GREY_FONT = Font(color="595959")
RAG = {
    "green": (GREEN_FILL, GREEN_FONT),
    "amber": (AMBER_FILL, AMBER_FONT),
    "red": (RED_FILL, RED_FONT),
}
ANSWER_COLOURS = {
    "yes": RAG["green"],
    "partly": RAG["amber"],
    "no": RAG["red"],
    "na": (GREY_FILL, GREY_FONT),
}

# Chart colours by grade, best first: green, light green, amber, red.
GRADE_COLOURS = ("00B050", "92D050", "FFC000", "C00000")
TABLE_STYLE = "TableStyleLight9"


def cell(
    ws: Any,
    value: Any,
    *,
    fmt: str | None = None,
    font: Font | None = None,
    fill: PatternFill | None = None,
    alignment: Alignment | None = None,
) -> Any:
    """A styled cell for a write-only sheet (use plain values wherever no style is needed)."""
    c = WriteOnlyCell(ws, value=value)
    if fmt is not None:
        c.number_format = fmt
    if font is not None:
        c.font = font
    if fill is not None:
        c.fill = fill
    if alignment is not None:
        c.alignment = alignment
    return c


# Column width units that still print readably on one landscape A4 page (about 65 % scale).
PAGE_WIDTH = 230
LINE_HEIGHT = 15.0  # points per line of 11-point text
MAX_ROW_HEIGHT = 409.0  # Excel's limit
CHARS_PER_WIDTH = 1.0
HEADER_CHARS_PER_WIDTH = 0.85  # bold header text is wider


def row_height(
    texts: Sequence[tuple[str, float]], *, chars_per_width: float = CHARS_PER_WIDTH
) -> float | None:
    """The height a row needs for wrapped ``(text, column width)`` pairs; None for one line.

    Spreadsheets do not size rows to wrapped text when they open a file (LibreOffice does
    not, and Excel only when it edits the row), so rows with long text get their height
    here. A line holds about one character per unit of column width: generous for Calibri,
    right for DejaVu Sans, which LibreOffice puts in its place where Calibri is not installed
    (at 1.2, rows measured for Calibri overlapped the next row in LibreOffice's PDF).
    """
    lines = 1
    for text, width in texts:
        if len(text) > width or "\n" in text:
            chars = max(1, int(width * chars_per_width))
            count = sum(max(1, len(textwrap.wrap(part, chars))) for part in text.split("\n"))
            lines = max(lines, count)
    return None if lines == 1 else min(MAX_ROW_HEIGHT, LINE_HEIGHT * lines)


def header_cell(ws: Any, text: str) -> Any:
    c = cell(ws, text, font=HEADER_FONT, fill=HEADER_FILL, alignment=HEADER_ALIGNMENT)
    c.border = HEADER_BORDER
    return c


def set_up_sheet(ws: Any, widths: Sequence[float], *, freeze: str | None = "A2") -> None:
    """Column widths, frozen header, and printing: landscape A4, one page wide (a sheet too
    wide to read that way, such as the case matrix, as few pages wide as stay readable),
    sheet name and page number in the footer.

    In a write-only sheet this must run before the first row is written.
    """
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    if freeze:
        ws.freeze_panes = freeze
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth = math.ceil(sum(widths) / PAGE_WIDTH)
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.oddFooter.left.text = "&A"
    ws.oddFooter.right.text = "Page &P of &N"
    ws.print_options.horizontalCentered = False


def page_titles(ws: Any, left: str, right: str, made: str) -> None:
    """What every printed page says: ``left`` and ``right`` at the top (what the report
    is about: its programme and its period), the sheet's name, ``made`` (the day it was
    made) and "Page x of y" at the bottom. Set once a sheet is written (page set-up is
    written last in a write-only sheet)."""
    ws.oddHeader.left.text = _header_text(left)
    ws.oddHeader.right.text = _header_text(right)
    ws.oddFooter.left.text = "&A"
    ws.oddFooter.center.text = _header_text(made)
    ws.oddFooter.right.text = "Page &P of &N"


def print_headings_only(ws: Any, last_column: str, note: str) -> None:
    """Print only the header row of a long list, with ``note`` (why, and how to print part
    of it) at the top of the page: a list of thousands of rows is read filtered on screen,
    and pressing Print should not send a hundred pages to the printer."""
    ws.print_area = f"A1:{last_column}1"
    ws.page_setup.fitToWidth = 1
    ws.oddHeader.center.text = _header_text(note)


def _header_text(text: str) -> str:
    """Text for a page header or footer: "&" starts a code there (&P, &A), "&&" is one."""
    return text.replace("&", "&&")


def rag_text_rules(ws: Any, ref: str) -> None:
    """Colour cells reading Green, Amber or Red (the text itself says the status)."""
    for word, (fill, font) in (
        ("Green", RAG["green"]),
        ("Amber", RAG["amber"]),
        ("Red", RAG["red"]),
    ):
        ws.conditional_formatting.add(
            ref, CellIsRule(operator="equal", formula=[f'"{word}"'], fill=fill, font=font)
        )


def answer_rules(ws: Any, ref: str, labels: dict[str, str]) -> None:
    """Colour answers: Yes green, Partly amber, No red, N/A grey (``labels``: code → text)."""
    for code, (fill, font) in ANSWER_COLOURS.items():
        if code in labels:
            ws.conditional_formatting.add(
                ref,
                CellIsRule(operator="equal", formula=[f'"{labels[code]}"'], fill=fill, font=font),
            )


def against_target_rules(ws: Any, ref: str, first: str, target: str, amber_margin: float) -> None:
    """Colour percentages against the target in the same row: green at or above it, amber
    up to ``amber_margin`` below, red further below (as :func:`auditor.figures.stats.rag_status`).
    ``first`` is the range's top-left cell (e.g. ``D2``), ``target`` the target's cell in
    that row (e.g. ``$C2``). The gap is rounded so that 70 % against an 80 % target is
    amber, as it is in the figures, although 0.8 - 0.1 is not 0.7 in floating point."""
    known = f"ISNUMBER({first}),ISNUMBER({target})"
    gap = f"ROUND({first}-{target},9)"
    for condition, (fill, font) in (
        (f"{gap}>=0", RAG["green"]),
        (f"{gap}>=-{amber_margin}", RAG["amber"]),
        ("TRUE", RAG["red"]),
    ):
        ws.conditional_formatting.add(
            ref,
            FormulaRule(
                formula=[f"AND({known},{condition})"], fill=fill, font=font, stopIfTrue=True
            ),
        )


def show_axes(chart: Any) -> None:
    """openpyxl 3.1 marks chart axes as deleted unless told otherwise: Excel would hide them."""
    chart.x_axis.delete = False
    chart.y_axis.delete = False


def text_categories(chart: Any, labels: Any) -> None:
    """Label the chart's categories (x axis) with the text in ``labels`` (a Reference).

    Call after adding the series. openpyxl's ``set_categories`` calls the labels numbers,
    which LibreOffice then shows as 1, 2, 3.
    """
    for series in chart.series:
        series.cat = AxDataSource(strRef=StrRef(f=str(labels)))


def fraction(percent: float | None) -> float | None:
    """A percentage (0–100) as the fraction a spreadsheet percentage format expects.

    Rounded so that 90 % written as 0.9 compares equal to a 90 % target in the workbook.
    """
    return None if percent is None else round(percent / 100.0, 10)
