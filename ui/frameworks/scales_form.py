"""The editor's Scales tab: the framework's answer scales and, for the one chosen, its
answers in order (code, label, key, score, whether it asks for evidence), edited in the
draft's structure (``raw["scales"]``) like the content tab edits its criteria."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from auditor.frameworks.model import ScaleValue, default_asks_evidence
from auditor.words import plural
from ui.frameworks.form_fields import (
    ROLE,
    mark,
    mark_cell,
    number_or_text,
    problem_about,
    shown_number,
)
from ui.widgets.common import buddy, heading, named, wrapped

# The answers table's columns: (heading, key in the answer's table; None for words shown).
COLUMNS = (("Code", "code"), ("Label", "label"), ("Key", "key"), ("Score", "score"),
           ("Counts as", None), ("Asks for evidence", "asks_evidence"))  # fmt: skip
CODE, LABEL, KEY, SCORE, COUNTS, EVIDENCE = range(len(COLUMNS))


class ScalesForm(QWidget):
    edited = Signal()  # something in the scales changed
    renamed = Signal()  # a scale was added, removed or renamed: the criteria's combo follows

    def __init__(self, raw: dict[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.raw = raw
        self.loading = False
        self.problems: list[str] = []
        self._build()
        self._fill_list()

    @property
    def scales(self) -> dict[str, Any]:
        return self.raw.setdefault("scales", {})  # type: ignore[no-any-return]

    def _build(self) -> None:
        self.scale_list = named(QListWidget(), "Scales", "The answer scales criteria use",
                                object_name="scaleList")  # fmt: skip
        self.scale_list.setWordWrap(True)  # a long label, and a problem's mark, stay in view
        self.scale_list.currentItemChanged.connect(lambda _item, _old: self._show_scale())
        left = QVBoxLayout()
        left.addWidget(buddy("Scale&s:", self.scale_list))
        left.addWidget(self.scale_list, 1)
        row = QHBoxLayout()
        row.addWidget(self._button("A&dd scale", "addScale", self.add_scale))
        row.addWidget(self._button("&Remove scale", "removeScale", self.remove_scale))
        left.addLayout(row)
        self.note = wrapped(object_name="scaleNote")
        left.addWidget(self.note)

        self.code = named(QLineEdit(), "Scale code", "Criteria name the scale by its code",
                          object_name="scaleCode")  # fmt: skip
        self.code.textEdited.connect(self._rename)
        self.code.editingFinished.connect(self._show_scale)  # a refused code goes back
        self.label = named(QLineEdit(), "Scale label", object_name="scaleLabel")
        self.label.textEdited.connect(self._set_label)
        self.values = named(QTableWidget(0, len(COLUMNS)), "Answers",
                            "The answers the scale allows, in the order the auditor sees them",
                            object_name="scaleValues")  # fmt: skip
        self.values.setHorizontalHeaderLabels([title for title, _key in COLUMNS])
        self.values.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        self.values.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.values.verticalHeader().hide()
        header = self.values.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(LABEL, QHeaderView.ResizeMode.Stretch)
        self.values.itemChanged.connect(self._on_cell)
        buttons = QHBoxLayout()
        for text, name, slot in (
            ("Add answ&er", "addScaleValue", self.add_value),
            ("Re&move answer", "removeScaleValue", self.remove_value),
            ("Move &up", "scaleValueUp", lambda: self.move_value(-1)),
            ("Move d&own", "scaleValueDown", lambda: self.move_value(1)),
        ):
            buttons.addWidget(self._button(text, name, slot))
        buttons.addStretch(1)
        form = QFormLayout()
        form.addRow(heading("Scale"))
        form.addRow(buddy("Scale &code:", self.code), self.code)
        form.addRow(buddy("Scale &label:", self.label), self.label)
        right = QVBoxLayout()
        right.addLayout(form)
        right.addWidget(buddy("Ans&wers, in order:", self.values))
        right.addWidget(self.values, 1)
        right.addLayout(buttons)
        right.addWidget(wrapped(
            "Score: 1 counts as met, less than 1 (Partly 0.5, No 0) as not met; leave it empty "
            "for an answer such as Not applicable, left out of every figure. Key: the key that "
            "picks the answer in the audit form. An answer that scores less than 1 asks for "
            "its evidence unless you untick it."
        ))  # fmt: skip
        layout = QHBoxLayout(self)
        layout.addLayout(left, 2)
        layout.addLayout(right, 5)

    def _button(self, text: str, name: str, slot: Any) -> QPushButton:
        button = QPushButton(text, objectName=name)
        button.setAutoDefault(False)  # Enter in a field must not add or remove anything
        button.clicked.connect(slot)
        return button

    # -- the list of scales ---------------------------------------------------------------

    def load(self, raw: dict[str, Any]) -> None:
        self.raw = raw
        self._fill_list()

    def _fill_list(self, select: str | None = None) -> None:
        current = select if select is not None else self.current_code()
        self.scale_list.blockSignals(True)
        self.scale_list.clear()
        for code, scale in self.scales.items():
            item = QListWidgetItem(_scale_text(code, scale))
            item.setData(ROLE, code)
            self.scale_list.addItem(item)
        self.scale_list.blockSignals(False)
        codes = list(self.scales)
        if codes:
            self.scale_list.setCurrentRow(codes.index(current) if current in codes else 0)
        self._show_scale()
        self._mark_list()

    def current_code(self) -> str | None:
        item = self.scale_list.currentItem()
        return None if item is None else item.data(ROLE)  # type: ignore[no-any-return]

    def _current(self) -> dict[str, Any] | None:
        code = self.current_code()
        return None if code is None else self.scales.get(code)

    def add_scale(self) -> None:
        n = 1
        while f"scale_{n}" in self.scales:
            n += 1
        code = f"scale_{n}"
        self.scales[code] = {"label": f"New scale {n}", "values": [
            {"code": "yes", "label": "Yes", "key": "1", "score": 1},
            {"code": "no", "label": "No", "key": "3", "score": 0},
        ]}  # fmt: skip
        self.note.clear()
        self._fill_list(code)
        self._changed(renamed=True)
        self.code.setFocus()
        self.code.selectAll()

    def remove_scale(self) -> None:
        """Remove the chosen scale, unless a criterion uses it: then say which."""
        code = self.current_code()
        if code is None:
            return
        users = self.criteria_using(code)
        if users:
            self.note.setText(
                f"The scale {code} cannot be removed: {plural(len(users), 'criterion')} "
                f"use{'s' if len(users) == 1 else ''} it ({', '.join(users)}). Give "
                f"{'it' if len(users) == 1 else 'them'} another scale first."
            )
            return
        del self.scales[code]
        self.note.setText(f"The scale {code} is removed.")
        self._fill_list()
        self._changed(renamed=True)
        self.scale_list.setFocus()

    def criteria_using(self, code: str) -> list[str]:
        return [
            str(criterion.get("code", ""))
            for section in self.raw.get("sections", [])
            for criterion in section.get("criteria", [])
            if criterion.get("scale") == code
        ]

    def _rename(self, new: str) -> None:
        """Rename the chosen scale, and the criteria that use it with it; an empty code or
        one another scale has is refused (and put back when the field is left)."""
        old = self.current_code()
        new = new.strip()
        if old is None or new == old:
            return
        if not new or new in self.scales:
            why = "A scale needs a code." if not new else f"Another scale has the code {new}."
            mark(self.code, why)
            self.note.setText(why)
            return
        mark(self.code, None)
        self.note.clear()
        self.raw["scales"] = {(new if k == old else k): v for k, v in self.scales.items()}
        for section in self.raw.get("sections", []):
            for criterion in section.get("criteria", []):
                if criterion.get("scale") == old:
                    criterion["scale"] = new
        item = self.scale_list.currentItem()
        item.setData(ROLE, new)
        item.setText(_scale_text(new, self.scales[new]))
        self._changed(renamed=True)

    def _set_label(self, text: str) -> None:
        scale = self._current()
        if scale is not None and not self.loading:
            scale["label"] = text
            self.scale_list.currentItem().setText(_scale_text(self.current_code() or "", scale))
            self._changed()

    # -- the chosen scale's answers ---------------------------------------------------------

    def _show_scale(self) -> None:
        scale = self._current()
        self.loading = True
        for field in (self.code, self.label, self.values):
            field.setEnabled(scale is not None)
        self.code.setText(self.current_code() or "")
        mark(self.code, None)
        self.label.setText(str(scale.get("label", "")) if scale else "")
        self._fill_values(scale.get("values", []) if scale else [])
        self.loading = False
        self._mark_values()

    def _fill_values(self, values: list[dict[str, Any]], select: int | None = None) -> None:
        self.values.blockSignals(True)
        self.values.setRowCount(len(values))
        for row, value in enumerate(values):
            for column, (_title, key) in enumerate(COLUMNS):
                if column in (CODE, LABEL, KEY):
                    self.values.setItem(row, column, QTableWidgetItem(str(value.get(key, ""))))
                elif column == SCORE:
                    self.values.setItem(row, column, QTableWidgetItem(shown_number(value.get(key))))
                else:
                    self.values.takeItem(row, column)  # made afresh by _fill_derived
            self._fill_derived(row, value)
        self.values.blockSignals(False)
        if select is not None and values:
            self.values.setCurrentCell(select, self.values.currentColumn() if
                                       self.values.currentColumn() >= 0 else CODE)  # fmt: skip

    def _fill_derived(self, row: int, value: dict[str, Any]) -> None:
        """The cells that follow from the others: what the answer counts as (the core's
        words), and whether it asks for evidence (its default follows the score)."""
        score = value.get("score")
        number = float(score) if isinstance(score, int | float) else None
        counts = self._cell(row, COUNTS, Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
        counts.setText(
            ScaleValue("", "", "", number, False).counts_as
            if score is None or number is not None
            else "Score is not a number"
        )
        checkable = Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsUserCheckable
        evidence = self._cell(row, EVIDENCE, Qt.ItemFlag.ItemIsEnabled | checkable)
        asks = value.get("asks_evidence", default_asks_evidence(number))
        evidence.setCheckState(Qt.CheckState.Checked if asks else Qt.CheckState.Unchecked)
        evidence.setText("Yes" if asks else "No")

    def _cell(self, row: int, column: int, flags: Qt.ItemFlag) -> QTableWidgetItem:
        """The row's cell in ``column`` (made when new), changed in place rather than
        replaced: the table may be committing an edit in that row."""
        item = self.values.item(row, column)
        if item is None:
            item = QTableWidgetItem()
            item.setFlags(flags)
            self.values.setItem(row, column, item)
        return item

    def _answers(self) -> list[dict[str, Any]]:
        scale = self._current()
        return [] if scale is None else scale.setdefault("values", [])  # type: ignore[no-any-return]

    def _on_cell(self, item: QTableWidgetItem) -> None:
        if self.loading:
            return
        row, column = item.row(), item.column()
        values = self._answers()
        if not 0 <= row < len(values) or COLUMNS[column][1] is None:
            return
        value = values[row]
        if column == EVIDENCE:
            value["asks_evidence"] = item.checkState() == Qt.CheckState.Checked
        elif column == SCORE:
            score = number_or_text(item.text())
            if score is None:
                value.pop("score", None)
            else:
                value["score"] = score
        else:
            value[COLUMNS[column][1]] = item.text().strip()  # type: ignore[index]
        self.values.blockSignals(True)
        self._fill_derived(row, value)
        self.values.blockSignals(False)
        self._changed()

    def add_value(self) -> None:
        """A new answer after the chosen one (at the end when none is chosen)."""
        if self._current() is None:
            return
        values = self._answers()
        row = self.values.currentRow()
        at = len(values) if row < 0 else row + 1
        n = len(values) + 1
        values.insert(at, {"code": f"answer_{n}", "label": f"Answer {n}", "key": "",
                           "score": 0})  # fmt: skip
        self._fill_values(values)
        self.values.setCurrentCell(at, LABEL)
        self.values.setFocus()
        self._changed()

    def remove_value(self) -> None:
        values, row = self._answers(), self.values.currentRow()
        if 0 <= row < len(values):
            del values[row]
            self._fill_values(values, min(row, len(values) - 1))
            self.values.setFocus()
            self._changed()

    def move_value(self, step: int) -> None:
        values, row = self._answers(), self.values.currentRow()
        to = row + step
        if 0 <= row < len(values) and 0 <= to < len(values):
            values.insert(to, values.pop(row))
            self._fill_values(values, to)
            self.values.setFocus()
            self._changed()

    # -- problems -------------------------------------------------------------------------

    def _changed(self, *, renamed: bool = False) -> None:
        self.edited.emit()
        if renamed:
            self.renamed.emit()

    def show_problems(self, problems: list[str]) -> None:
        """Mark the scale, and the answer's cell, that a problem names."""
        self.problems = problems
        self._mark_list()
        self._mark_values()

    def _mark_list(self) -> None:
        none = next((p for p in self.problems if "no [scales]" in p), None)
        mark(self.scale_list, none)
        for i in range(self.scale_list.count()):
            item = self.scale_list.item(i)
            problem = problem_about(self.problems, f"Scale '{item.data(ROLE)}'")
            item.setText(_scale_text(item.data(ROLE), self.scales.get(item.data(ROLE), {}))
                         + (" — has a problem" if problem else ""))  # fmt: skip
            item.setToolTip(problem or "")

    def _mark_values(self) -> None:
        code = self.current_code()
        problem = None if code is None else problem_about(self.problems, f"Scale '{code}'")
        mark(self.values, problem if problem and "two values" in problem else None)
        values = self._answers()
        self.values.blockSignals(True)
        for row, value in enumerate(values):
            for column in (CODE, LABEL, KEY, SCORE):
                item = self.values.item(row, column)
                if item is not None:
                    named_here = problem is not None and _names_cell(problem, value, column, values)
                    mark_cell(item, problem if named_here else None)
        self.values.blockSignals(False)


def _names_cell(problem: str, value: dict[str, Any], column: int, values: list[Any]) -> bool:
    """Whether the parser's problem about a scale is about this answer's cell."""
    text = str(value.get(COLUMNS[column][1] or "", "")).strip()
    if column == SCORE:
        return f"score of '{value.get('code')}'" in problem
    if column in (CODE, LABEL) and f"'{COLUMNS[column][1]}' is missing" in problem:
        return not text
    if column in (CODE, KEY) and f"share a {COLUMNS[column][1]}" in problem:
        same = [str(v.get(COLUMNS[column][1], "")).strip() for v in values]
        return bool(text) and same.count(text) > 1
    return False


def _scale_text(code: str, scale: dict[str, Any]) -> str:
    values = scale.get("values", [])
    return f"{code}: {scale.get('label', '')} ({plural(len(values), 'answer')})"
