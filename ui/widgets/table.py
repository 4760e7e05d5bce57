"""A ``QAbstractTableModel`` over a list of domain rows, sorted and filtered in Python.

Each column says how a row is shown and sorted. Filtering replaces the visible rows with a
list computed in one go (a list comprehension over 100,000 tuples takes milliseconds);
sorting is ``sorted()`` with the column's key. Both reset the model, and the view restores
its selection by the row's uid. A view that loads its rows on a worker can sort them there
too (:meth:`RowTableModel.ordering`), so that sorting 100,000 rows never runs on the GUI
thread when they come in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

UID_ROLE = Qt.ItemDataRole.UserRole + 1  # the row's uid (str)
ROW_ROLE = Qt.ItemDataRole.UserRole + 2  # the domain row itself
SORT_ROLE = Qt.ItemDataRole.UserRole + 3  # the value the column sorts by

AnyIndex = QModelIndex | QPersistentModelIndex
_DISPLAY = Qt.ItemDataRole.DisplayRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole
_ALIGN = Qt.ItemDataRole.TextAlignmentRole
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
# The roles a model without a decorator answers; any other is None at once. Fitting a
# column, Qt asks for about eight roles a cell: ~13 ms of Python at 100 rows × 8 columns.
_OWN_ROLES = frozenset(int(r) for r in (_DISPLAY, UID_ROLE, ROW_ROLE, SORT_ROLE, _ALIGN, _TOOLTIP))


@dataclass(frozen=True)
class Column:
    """How one column shows a row: its text, its sort key and its header tooltip."""

    title: str
    text: Callable[[Any], str]
    sort_key: Callable[[Any], Any]
    tooltip: str = ""
    numeric: bool = False


# A function giving extra data for a row and role (colour, icon, tooltip), or None.
Decorator = Callable[[Any, int, int], Any]
Sort = tuple[int, Qt.SortOrder] | None  # (column, order), or None: the order given
_NOT_ORDERED = object()  # the rows given are in no known order


@dataclass(frozen=True)
class Ordering:
    """A model's order at one moment (its sort, and which rows lead), as a function that
    any thread may run: it reads only its own fields, no Qt object."""

    columns: tuple[Column, ...]
    sort: Sort
    first: Callable[[Any], bool] | None

    def __call__(self, rows: list[Any]) -> list[Any]:
        """``rows`` put in this order, in place (and returned)."""
        if self.sort is not None:
            column, order = self.sort
            rows.sort(
                key=self.columns[column].sort_key,
                reverse=order == Qt.SortOrder.DescendingOrder,
            )
        if self.first is not None:
            first = self.first
            rows.sort(key=lambda r: not first(r))  # stable: each group keeps its order
        return rows


class RowTableModel(QAbstractTableModel):
    """Rows of any one type; ``uid_of`` gives a row's stable identifier."""

    def __init__(
        self,
        columns: Sequence[Column],
        *,
        uid_of: Callable[[Any], str],
        decorate: Decorator | None = None,
        first: Callable[[Any], bool] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.columns = tuple(columns)
        self.uid_of = uid_of
        self.decorate = decorate
        self.first = first  # rows for which it is true lead, whichever column sorts
        self._all: list[Any] = []
        self._rows: list[Any] = []
        self._filter: Callable[[list[Any]], list[Any]] | None = None
        self._sort: Sort = None
        self._all_ordered_by: object = _NOT_ORDERED  # the sort _all is already in

    # -- content --------------------------------------------------------------------------

    def set_rows(self, rows: Sequence[Any], *, ordered: Ordering | None = None) -> None:
        """Replace every row; the current filter and sort apply to the new rows.
        ``ordered``: the rows are already in that order (put there by :meth:`ordering`'s
        function on a worker), so they are sorted again only if the sort changed since."""
        self._all = list(rows)
        in_order = ordered is not None and ordered == self.ordering()
        self._all_ordered_by = self._sort if in_order else _NOT_ORDERED
        self._refresh()

    def ordering(self) -> Ordering:
        """The model's order now, for a worker to put rows in before :meth:`set_rows`."""
        return Ordering(self.columns, self._sort, self.first)

    def set_filter(self, keep: Callable[[list[Any]], list[Any]] | None) -> None:
        """``keep(all_rows)`` returns the rows to show, in the order given (None: all)."""
        self._filter = keep
        self._refresh()

    @property
    def total(self) -> int:
        return len(self._all)

    @property
    def rows(self) -> list[Any]:
        """The visible rows, in view order."""
        return self._rows

    def row_at(self, index: AnyIndex) -> Any:
        return self._rows[index.row()] if index.isValid() else None

    def row_of_uid(self, uid: str) -> int:
        """The visible row with ``uid``, or -1."""
        return next((i for i, r in enumerate(self._rows) if self.uid_of(r) == uid), -1)

    def _refresh(self) -> None:
        self.beginResetModel()
        rows = self._filter(self._all) if self._filter else list(self._all)
        if self._all_ordered_by != self._sort:  # a filter keeps the order it is given
            self.ordering()(rows)
        self._rows = rows
        self.endResetModel()

    # -- QAbstractTableModel ----------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: AnyIndex, role: int = _DISPLAY) -> Any:
        if self.decorate is None and role not in _OWN_ROLES:
            return None
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = self.columns[index.column()]
        if role == _DISPLAY:
            return column.text(row)
        if role == UID_ROLE:
            return self.uid_of(row)
        if role == ROW_ROLE:
            return row
        if role == SORT_ROLE:
            return column.sort_key(row)
        if role == _ALIGN and column.numeric:
            return _RIGHT
        extra = self.decorate(row, index.column(), role) if self.decorate else None
        if extra is None and role == _TOOLTIP:
            return column.text(row) or None  # the whole text of a cell cut short with "…"
        return extra

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        if role == _DISPLAY:
            return self.columns[section].title
        if role == _TOOLTIP:
            return self.columns[section].tooltip or self.columns[section].title
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.columns):
            self._sort = None
        else:
            self._sort = (column, order)
        self._refresh()
