"""Rows on a sheet that is read like a page (Summary, Feedback) rather than filtered."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from openpyxl.cell import Cell

from auditor.reports import styles
from auditor.reports.safe_text import text_value


class Lines:
    """Appends rows to a write-only sheet and remembers which row it is on."""

    def __init__(self, ws: Any, widths: Sequence[float]) -> None:
        self.ws = ws
        self.widths = tuple(widths)
        self.row = 0

    def add(self, *values: Any) -> int:
        """Append a row (strings must already be safe: use :meth:`pair` or :meth:`wrapped`
        for text from the database). Returns its row number."""
        self.ws.append(list(values))
        self.row += 1
        return self.row

    def heading(self, text: str) -> None:
        self.add()
        self.add(styles.cell(self.ws, text, font=styles.HEADING_FONT))

    def pair(self, label: str, value: Any, *more: Any, fmt: str | None = None) -> int:
        """A label and its value (numbers and dates aligned left, like the text values)."""
        if isinstance(value, str):
            value = text_value(self.ws, value)
        elif value is not None:
            value = styles.cell(self.ws, value, fmt=fmt, alignment=styles.LEFT)
        return self.add(label, value, *more)

    def wrapped(self, *values: Any) -> int:
        """A row whose text wraps in its columns, top-aligned, the row as tall as it needs."""
        texts = [(v, w) for v, w in zip(values, self.widths, strict=False) if isinstance(v, str)]
        height = styles.row_height(texts)
        if height is not None:
            self.ws.row_dimensions[self.row + 1].height = height
        return self.add(*(self._wrap(v) for v in values))

    def _wrap(self, value: Any) -> Any:
        if isinstance(value, str):
            value = text_value(self.ws, value)  # text, a cell forced to text, or None
        if value is None:
            return None
        if not isinstance(value, Cell):
            value = styles.cell(self.ws, value)
        value.alignment = styles.WRAP
        return value
