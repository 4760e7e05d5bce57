"""The import wizard's column table (each file column → the case detail it holds, with the
file's first values to recognise it by) and its list of case-type words the app does not
know yet (each → the case type it means)."""

from __future__ import annotations

from collections import Counter

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from auditor.domain import CASE_TYPE_LABELS
from auditor.importing import IMPORT_FIELDS, REQUIRED_FIELDS, ColumnMapping, Table
from auditor.importing.values import cell_text, parse_case_type
from ui.widgets.common import named, wrapped

NOT_IMPORTED = "Not imported"
SAMPLE_ROWS = 200  # rows searched for sample values: enough to skip blank cells
SAMPLES = 3
MAX_WORDS = 12  # more unknown words than this: the wrong column is probably chosen
SURE = 3  # the "How sure" column (shown third, beside "Read as")


def field_choices() -> list[tuple[str, str | None]]:
    """(label, field) for every case field a column can be read as; required ones say so."""
    fields = [
        (f"{label} (required)" if name in REQUIRED_FIELDS else label, name)
        for name, label in IMPORT_FIELDS.items()
    ]
    return [(NOT_IMPORTED, None), *fields]


def sample_values(table: Table, column: int) -> str:
    """The first few different values in a column, to recognise it by."""
    seen: list[str] = []
    for row in table.rows[:SAMPLE_ROWS]:
        text = cell_text(row.values[column]) if column < len(row.values) else ""
        if text and text not in seen:
            seen.append(text)
            if len(seen) == SAMPLES:
                break
    return "   ·   ".join(seen) or "(blank in the first rows)"


class ColumnChoices(QTableWidget):
    """One row per column of the file: its heading, a "Read as" combo, sample values."""

    field_chosen = Signal(str, object)  # the column's heading, the field name or None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, 4, parent)
        named(self, "Columns in the file", "Each column of your file and the case detail it holds")
        self.setHorizontalHeaderLabels(
            ["Column in your file", "Read as", "First values", "How sure"]
        )
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setWordWrap(False)
        self.verticalHeader().hide()
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(SURE, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        # How sure beside the choice it qualifies; the first values take the width left.
        header.moveSection(header.visualIndex(SURE), 2)
        self.combos: dict[str, QComboBox] = {}
        self.started: ColumnMapping = ColumnMapping()
        self.reasons: dict[str, str] = {}  # heading → how sure the first choice is
        self.chosen: set[str] = set()  # headings the user chose a detail for

    def show_table(self, table: Table, mapping: ColumnMapping, reasons: dict[str, str]) -> None:
        """The file's columns read through ``mapping``; ``reasons`` says for each column
        how sure that first choice is ("From the header", "Not sure: ...")."""
        self.combos, self.chosen = {}, set()
        self.started, self.reasons = mapping, reasons
        self.setRowCount(len(table.headers))
        for row, heading in enumerate(table.headers):
            self.setItem(row, 0, _item(heading))
            self.setCellWidget(row, 1, self._combo(heading))
            self.setItem(row, 2, _item(sample_values(table, row)))
            self.setItem(row, 3, _item(""))
        if self.combos:
            height = next(iter(self.combos.values())).sizeHint().height() + 4
            self.verticalHeader().setDefaultSectionSize(height)
        self.show_mapping(mapping)

    def show_mapping(self, mapping: ColumnMapping) -> None:
        """Set every combo to what ``mapping`` says, without reporting it as a choice, and
        say for each column how sure its choice is."""
        for row, (heading, combo) in enumerate(self.combos.items()):
            combo.blockSignals(True)
            combo.setCurrentIndex(max(0, combo.findData(mapping.field_for(heading))))
            combo.blockSignals(False)
            item = self.item(row, SURE)
            if item is not None:
                text = self.certainty(heading, mapping)
                item.setText(text)
                item.setToolTip(text)

    def certainty(self, heading: str, mapping: ColumnMapping) -> str:
        """How sure the column's current choice is: the first guess's reason while it
        stands, "Your choice" once the user chose, and why a column was let go."""
        now = mapping.field_for(heading)
        if heading in self.chosen:
            return "Your choice" if now else "Your choice: not imported"
        if now == self.started.field_for(heading):
            return self.reasons.get(heading, "")
        was = self.started.field_for(heading)
        if now is None and was is not None:
            return f"Not imported: {IMPORT_FIELDS[was]} now comes from another column"
        return ""

    def _combo(self, heading: str) -> QComboBox:
        combo = named(
            QComboBox(),
            f"Read column '{heading}' as",
            f"Which case detail the column '{heading}' holds ({NOT_IMPORTED}: leave it out)",
        )
        for label, name in field_choices():
            combo.addItem(label, name)
        combo.currentIndexChanged.connect(lambda _i, h=heading, c=combo: self._chose(h, c))
        self.combos[heading] = combo
        return combo

    def _chose(self, heading: str, combo: QComboBox) -> None:
        self.chosen.add(heading)
        self.field_chosen.emit(heading, combo.currentData())


def _item(text: str) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setToolTip(text)
    return item


def unknown_case_type_words(table: Table, heading: str) -> Counter[str]:
    """Words in the column ``heading`` (the case-type column) that the built-in list does
    not know, with how many rows hold each (words the mapping already reads are included,
    so they can be changed)."""
    if heading not in table.headers:
        return Counter()
    column = table.headers.index(heading)
    words = Counter(
        cell_text(r.values[column]) if column < len(r.values) else "" for r in table.rows
    )
    unknown: Counter[str] = Counter()
    for word, count in words.items():
        try:
            parse_case_type(word)
        except ValueError:
            unknown[word] = count
    return unknown


class CaseTypeWords(QGroupBox):
    """Each unknown case-type word with a combo: leave it as a problem, or the type it means."""

    word_chosen = Signal(str, object)  # the word, the case type's value or None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Case types this app does not recognise", parent)
        named(self, "Unknown case types", "Say which case type each of your system's words means")
        self.form = QFormLayout(self)
        self.combos: dict[str, QComboBox] = {}

    def show_words(self, words: Counter[str], mapping: ColumnMapping) -> None:
        while self.form.rowCount():
            self.form.removeRow(0)
        self.combos = {}
        self.form.addRow(
            wrapped(
                "Choose what each word means, or leave it: rows with a word "
                "left unchosen are listed as problems on the next page."
            )
        )
        for word, count in words.most_common(MAX_WORDS):
            label = QLabel(f"“{word}” ({count:,} row{'' if count == 1 else 's'}):")
            self.form.addRow(label, self._combo(word, mapping))
            label.setBuddy(self.combos[word])
        if len(words) > MAX_WORDS:
            more = len(words) - MAX_WORDS
            self.form.addRow(
                wrapped(f"…and {more:,} more words. Is the right column chosen for Case type?")
            )
        self.setVisible(bool(words))

    def _combo(self, word: str, mapping: ColumnMapping) -> QComboBox:
        combo = named(
            QComboBox(),
            f"Case type meant by “{word}”",
            f"Which case type “{word}” means in your system",
        )
        combo.addItem("Not sure: leave these rows out", None)
        for case_type, label in CASE_TYPE_LABELS.items():
            combo.addItem(label, case_type.value)
        combo.setCurrentIndex(max(0, combo.findData(mapping.case_type_words.get(word))))
        combo.currentIndexChanged.connect(
            lambda _i, w=word, c=combo: self.word_chosen.emit(w, c.currentData())
        )
        self.combos[word] = combo
        return combo
