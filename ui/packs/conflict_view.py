"""Merge conflicts side by side: for each audit changed both here and in a pack, a table of
the fields that differ (ours | theirs) and the person's choice: keep ours, take theirs,
choose field by field, or decide later (ours stays until then; nothing is overwritten
silently). Used by the import preview and by File → Resolve merge conflicts…"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QPushButton,
    QRadioButton,
    QSplitter,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from auditor.packs import MergeConflict, Resolution
from ui.widgets.common import heading, named, wrapped
from ui.widgets.history import local_time

OURS, THEIRS, BY_FIELD, LATER = "ours", "theirs", "fields", "later"
CHOICES = (
    (OURS, "&Keep ours (this database)", "Keep this database's version of every field"),
    (THEIRS, "&Take theirs (the pack)", "Take the pack's version of every field"),
    (BY_FIELD, "Choose field &by field", "Say for each field which version to keep"),
    (LATER, "Decide &later", "Keep ours for now; the conflict waits in File → Resolve merge "
     "conflicts…"),
)  # fmt: skip
SHORT = {
    OURS: "keep ours",
    THEIRS: "take theirs",
    BY_FIELD: "field by field",
    LATER: "decide later",
}
COLUMNS = ("Field", "Ours (this database)", "Theirs (the pack)", "Keep")


def show_value(value: Any) -> str:
    """A field's value as a person reads it: never a bare None or an empty cell."""
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    text = str(value)
    return text if text.strip() else "(empty)"


class ConflictView(QWidget):
    """One conflicting audit: who changed it where, the differing fields, the choice."""

    choice_changed = Signal()

    def __init__(self, conflict: MergeConflict, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.conflict = conflict
        c = conflict
        self.title = heading(f"{c.case_reference}: audit by {c.auditor}", level=3)
        self.story = wrapped(
            f"Changed in this database (now {c.ours_status}, last changed "
            f"{local_time(c.ours_updated_at)}) and in the pack from {c.pack_created_by} "
            f"({c.theirs_status}, last changed {local_time(c.theirs_updated_at)}) since the "
            f"two last met. {len(c.differences)} fields differ:"
        )
        self.group = QButtonGroup(self)
        self.radios: dict[str, QRadioButton] = {}
        choices = QHBoxLayout()
        for key, label, tip in CHOICES:
            radio = named(QRadioButton(label), label.replace("&", ""), tip)
            self.radios[key] = radio
            self.group.addButton(radio)
            choices.addWidget(radio)
            radio.toggled.connect(self._on_choice)
        choices.addStretch(1)
        self.table = named(
            QTableWidget(len(c.differences), len(COLUMNS)),
            f"Differences in the audit of {c.case_reference}",
            "Each field that differs: this database's value, the pack's value, which to keep",
        )
        self.keep: list[QComboBox] = []
        self._fill()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.story)
        layout.addLayout(choices)
        layout.addWidget(self.table, 1)
        self.radios[LATER].setChecked(True)

    def _fill(self) -> None:
        table = self.table
        table.setHorizontalHeaderLabels(COLUMNS)
        table.verticalHeader().hide()
        table.setWordWrap(True)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        for row, d in enumerate(self.conflict.differences):
            for column, text in enumerate((d.label, show_value(d.ours), show_value(d.theirs))):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                table.setItem(row, column, item)
            keep = named(QComboBox(), f"Keep for {d.label}", f"Which value of {d.label} to keep")
            keep.addItem("Ours", "ours")
            keep.addItem("Theirs", "theirs")
            keep.currentIndexChanged.connect(lambda _i, r=row: self._on_keep(r))
            table.setCellWidget(row, 3, keep)
            self.keep.append(keep)
            self._on_keep(row)
        header = table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        table.resizeColumnToContents(0)
        table.setColumnWidth(0, min(table.columnWidth(0) + 12, 260))
        table.resizeRowsToContents()

    def _on_keep(self, row: int) -> None:
        """The value that will be kept is shown in bold (and named in the Keep column)."""
        theirs = self.keep[row].currentData() == "theirs"
        for column, bold in ((1, not theirs), (2, theirs)):
            item = self.table.item(row, column)
            font = item.font()
            font.setBold(bold)
            item.setFont(font)
        self.choice_changed.emit()

    @property
    def choice(self) -> str:
        return next(key for key, radio in self.radios.items() if radio.isChecked())

    def choose(self, key: str) -> None:
        self.radios[key].setChecked(True)

    def _on_choice(self, checked: bool) -> None:
        if not checked:
            return
        choice = self.choice
        for keep in self.keep:
            keep.setEnabled(choice == BY_FIELD)
            if choice in (OURS, THEIRS, LATER):
                keep.setCurrentIndex(1 if choice == THEIRS else 0)
        self.table.resizeRowsToContents()
        self.choice_changed.emit()

    def resolution(self) -> Resolution | None:
        """What the core is given: a side, a side per field key, or None (decide later)."""
        choice = self.choice
        if choice == LATER:
            return None
        if choice in (OURS, THEIRS):
            return "ours" if choice == OURS else "theirs"
        keys = [d.key for d in self.conflict.differences]
        return {key: keep.currentData() for key, keep in zip(keys, self.keep, strict=True)}


class ConflictList(QWidget):
    """Every conflict of a pack (or every one kept for later): a list on the left, the
    chosen one side by side on the right, and buttons to choose for all at once."""

    def __init__(self, conflicts: Sequence[MergeConflict], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.views = [ConflictView(c) for c in conflicts]
        self.list = named(
            QListWidget(), "Audits in conflict", "Choose an audit to see its differences"
        )
        self.stack = QStackedWidget()
        for view in self.views:
            self.list.addItem("")
            self.stack.addWidget(view)
            view.choice_changed.connect(self._label_items)
        self.list.currentRowChanged.connect(self.stack.setCurrentIndex)
        self._label_items()
        self.list.setCurrentRow(0)
        all_row = QHBoxLayout()
        all_row.addWidget(QLabel("For every audit in conflict:"))
        for key, label in ((OURS, "Keep ours"), (THEIRS, "Take theirs"), (LATER, "Decide later")):
            button = named(QPushButton(label), f"{label} for all", f"{label}, for every audit")
            button.clicked.connect(lambda _c=False, k=key: self.choose_all(k))
            all_row.addWidget(button)
        all_row.addStretch(1)
        split = QSplitter()
        split.addWidget(self.list)
        split.addWidget(self.stack)
        split.setStretchFactor(1, 1)
        width = self.list.fontMetrics().horizontalAdvance("Demo Auditor Birch: field by field")
        split.setSizes([width + 40, 760])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(all_row)
        layout.addWidget(split, 1)

    def _label_items(self) -> None:
        for row, view in enumerate(self.views):
            c = view.conflict
            self.list.item(row).setText(f"{c.case_reference}\n{c.auditor}: {SHORT[view.choice]}")

    def choose_all(self, key: str) -> None:
        for view in self.views:
            view.choose(key)

    def view_of(self, audit_uid: str) -> ConflictView:
        return next(v for v in self.views if v.conflict.audit_uid == audit_uid)

    def resolutions(self) -> dict[str, Resolution]:
        """The conflicts a choice was made for, by conflict id (undecided ones left out)."""
        chosen = {v.conflict.conflict_id: v.resolution() for v in self.views}
        return {key: value for key, value in chosen.items() if value is not None}
