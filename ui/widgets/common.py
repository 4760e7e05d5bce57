"""Helpers that give every control a name a screen reader reads and a tooltip, and the few
shared look-and-feel pieces (headings, status text that never relies on colour alone)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFocusEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QSizePolicy,
    QTableView,
    QWidget,
)

from ui.settings import Settings

W = TypeVar("W", bound=QWidget)


def restarts(timer: QTimer) -> Callable[..., None]:
    """A slot that (re)starts ``timer`` with its own interval, whatever the signal carries.

    Not ``timer.start`` itself: connected to a signal with an int (a combo's
    ``currentIndexChanged``), Qt calls ``start(msec)`` with it, so the combo's index
    replaced the pause before a refresh (and -1, while the combo was refilled, gave a
    warning and 1 ms from then on, for every filter)."""

    def restart(*_args: Any) -> None:
        timer.start()

    return restart


def named(widget: W, name: str, tooltip: str = "", *, object_name: str = "") -> W:
    """Give ``widget`` an accessible name and a tooltip (the name, when none is given)."""
    widget.setAccessibleName(name)
    widget.setToolTip(tooltip or name)
    if object_name:
        widget.setObjectName(object_name)
    return widget


def heading(text: str, *, level: int = 2) -> QLabel:
    label = QLabel(text)
    label.setObjectName(f"heading{level}")
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def wrapped(text: str = "", *, object_name: str = "") -> QLabel:
    """A word-wrapped, selectable label that grows in height rather than clipping."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
    if object_name:
        label.setObjectName(object_name)
    return label


def buddy(text: str, widget: QWidget) -> QLabel:
    """A label (with its & mnemonic) that focuses ``widget``."""
    label = QLabel(text)
    label.setBuddy(widget)
    return label


def combo_with(items: list[tuple[str, str]], name: str, tooltip: str = "") -> QComboBox:
    """A combo box of (label, value) pairs; ``currentData()`` is the value."""
    combo = named(QComboBox(), name, tooltip)
    for label, value in items:
        combo.addItem(label, value)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
    return combo


def set_combo_items(combo: QComboBox, items: list[tuple[str, str]]) -> None:
    """Replace the items, keeping the current value when it is still offered."""
    current = combo.currentData()
    combo.blockSignals(True)
    combo.clear()
    for label, value in items:
        combo.addItem(label, value)
    index = combo.findData(current)
    combo.setCurrentIndex(max(0, index))
    combo.blockSignals(False)


def setup_table(table: QTableView, settings: Settings, state_name: str) -> None:
    """A row-selecting, sortable table whose column widths and sort are remembered in
    settings. Until the user has set widths, the columns fit their first rows' contents."""
    table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.verticalHeader().hide()
    rows = table.verticalHeader()
    rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    rows.setDefaultSectionSize(table.fontMetrics().height() + 10)
    header = table.horizontalHeader()
    header.setStretchLastSection(True)
    header.setSectionsMovable(True)
    header.setHighlightSections(False)
    header.setResizeContentsPrecision(100)  # fit columns to 100 rows, not thousands
    header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)
    state = settings.window_state(f"table_{state_name}")
    if state is not None:
        header.restoreState(state)
    table.setProperty("columnsFitted", state is not None)
    table.setProperty("stateName", f"table_{state_name}")


def save_table_state(table: QTableView, settings: Settings) -> None:
    """Keep the table's column widths, order and sort, once they mean something (restored,
    or fitted to real rows): an empty first table must not fix the widths for ever."""
    if table.property("columnsFitted"):
        state = table.horizontalHeader().saveState()
        settings.set_window_state(table.property("stateName"), state)


class TextBox(QPlainTextEdit):
    """A plain-text box a few lines high: Tab leaves it, and leaving it says so (``left``),
    so the text can be saved at once."""

    left = Signal()

    def __init__(self, lines: int = 3, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTabChangesFocus(True)
        self.setFixedHeight(self.fontMetrics().lineSpacing() * lines + 14)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.left.emit()


def fit_columns_once(table: QTableView, *, main: int | None = None) -> None:
    """Size the columns to the visible rows' contents, the first time there are rows (only
    when no widths were saved: the user's own widths win). Every column fits the table's
    width: when the contents are wider, the widest columns give way first (their cells end
    in "…" and say the whole text in their tooltip); ``main``, the list's main column, then
    takes the room left, so it is the widest."""
    model = table.model()
    if table.property("columnsFitted") or model is None or model.rowCount() == 0:
        return
    table.setProperty("columnsFitted", True)
    table.resizeColumnsToContents()
    header = table.horizontalHeader()
    count = header.count()
    wants = [min(header.sectionSize(c) + 12, 320) for c in range(count)]
    titles = [model.headerData(c, Qt.Orientation.Horizontal) or "" for c in range(count)]
    floors = [min(w, header.fontMetrics().horizontalAdvance(str(t)) + 28)
              for w, t in zip(wants, titles, strict=True)]  # fmt: skip
    room = table.viewport().width() if table.isVisible() else 0
    bar = table.verticalScrollBar()
    if room and not bar.isVisible():  # rows still coming may add the scroll bar
        room -= bar.sizeHint().width()
    if not room:
        widths = wants
    elif main is None:
        widths = _fit_to(wants, floors, room)
    else:  # the others give way first; the main column keeps a third or what it needs
        keep = min(wants[main], room // 3)
        others = [c for c in range(count) if c != main]
        fitted = _fit_to([wants[c] for c in others], [floors[c] for c in others], room - keep)
        widths = [0] * count
        for column, width in zip(others, fitted, strict=True):
            widths[column] = width
        widths[main] = max(keep, room - sum(fitted))
    for column, width in enumerate(widths):
        header.resizeSection(column, width)


def _fit_to(wants: list[int], floors: list[int], room: int) -> list[int]:
    """``wants`` with the widest cut to one cap (never below their floors) so they sum to at
    most ``room``; as they are when they fit already."""
    if sum(wants) <= room:
        return list(wants)
    low, high = 0, max(wants)
    while low < high:  # the largest cap at which everything fits
        cap = (low + high + 1) // 2
        if sum(max(f, min(w, cap)) for w, f in zip(wants, floors, strict=True)) <= room:
            low = cap
        else:
            high = cap - 1
    return [max(f, min(w, low)) for w, f in zip(wants, floors, strict=True)]
