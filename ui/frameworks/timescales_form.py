"""The editor's Timescales tab: the timescales checked from a case's dates (code, label, the
date it runs from and to, the limit and its unit, case types, source), edited in the
draft's structure (``raw["timescales"]``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from auditor.domain import CASE_DATE_FIELDS
from auditor.frameworks.model import AUDIT_DATE
from ui.frameworks.form_fields import (
    case_type_list,
    mark,
    number_or_text,
    problem_about,
    show_case_types,
    shown_number,
    ticked_case_types,
)
from ui.widgets.common import buddy, heading, named, wrapped

DATES = {**CASE_DATE_FIELDS, AUDIT_DATE: "The audit's own date"}
# The units of TIMESCALE_UNITS in words.
UNITS = {
    "working_days": "Working days (Monday to Friday, not bank holidays)",
    "days": "Calendar days",
    "weeks": "Weeks",
    "months": "Calendar months",
}
# The fields, and how the parser's problems name them.
FIELD_WORDS = {
    "code": ("'code'",),
    "label": ("'label'",),
    "start": ("'start'",),
    "end": ("'end'",),
    "limit": ("'limit'",),
    "unit": ("unit",),
    "applies_to": ("'applies_to'",),
    "source": ("'source'",),
}


class TimescalesForm(QWidget):
    edited = Signal()

    def __init__(self, raw: dict[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.raw = raw
        self.loading = False
        self.problems: list[str] = []
        self._build()
        self._fill_list(0)

    @property
    def timescales(self) -> list[dict[str, Any]]:
        return self.raw.setdefault("timescales", [])  # type: ignore[no-any-return]

    def _build(self) -> None:
        self.listing = named(QListWidget(), "Timescales", "Checked from each case's dates",
                             object_name="timescaleList")  # fmt: skip
        self.listing.setWordWrap(True)  # a long label, and a problem's mark, stay in view
        self.listing.currentRowChanged.connect(lambda _row: self._show())
        left = QVBoxLayout()
        left.addWidget(buddy("Time&scales:", self.listing))
        left.addWidget(self.listing, 1)
        row = QHBoxLayout()
        for text, name, slot in (
            ("A&dd", "addTimescale", self.add_timescale),
            ("&Remove", "removeTimescale", self.remove_timescale),
            ("Move &up", "timescaleUp", lambda: self.move(-1)),
            ("Move d&own", "timescaleDown", lambda: self.move(1)),
        ):
            button = QPushButton(text, objectName=name)
            button.setAutoDefault(False)
            button.clicked.connect(slot)
            row.addWidget(button)
        left.addLayout(row)

        self.fields: dict[str, QWidget] = {}
        self.code = self._line("code", "Timescale code", "A stable code, e.g. ASSESS-45")
        self.label = self._line("label", "Label", "What the check is, in plain words")
        self.start = self._dates("start", "Runs from", "The case date the time runs from")
        self.end = self._dates("end", "Runs to", "The case date it runs to, or the audit's date")
        self.limit = self._line("limit", "Limit", "A whole number above 0", number_or_text)
        self.unit = named(QComboBox(), "Unit", object_name="timescale_unit")
        for unit, words in UNITS.items():
            self.unit.addItem(words, unit)
        self.unit.currentIndexChanged.connect(lambda _i: self._set("unit", self.unit.currentData()))
        self.fields["unit"] = self.unit
        self.types = case_type_list("Case types", "Which cases it is checked for",
                                    "timescale_applies_to")  # fmt: skip
        self.types.itemChanged.connect(
            lambda _i: self._set("applies_to", ticked_case_types(self.types))
        )
        self.fields["applies_to"] = self.types
        self.source = self._line(
            "source",
            "Source",
            "Where it comes from, e.g. Working Together to Safeguard Children (2023), or "
            "Local policy",
        )
        form = QFormLayout()
        form.addRow(heading("Timescale"))
        for text, widget in (
            ("Timescale &code:", self.code), ("&Label:", self.label),
            ("Runs &from:", self.start), ("Runs to t&he:", self.end), ("Li&mit:", self.limit),
            ("Un&it:", self.unit), ("Case t&ypes:", self.types), ("Sourc&e:", self.source),
        ):  # fmt: skip
            form.addRow(buddy(text, widget), widget)
        form.addRow(wrapped(
            "Working days are Monday to Friday, not counting bank holidays or the council's "
            "closure days; the start date is day 0. A missing date is shown as not checked, "
            "never as met or missed."
        ))  # fmt: skip
        right = QVBoxLayout()
        right.addLayout(form)
        right.addStretch(1)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 2)
        layout.addLayout(right, 5)

    def _line(
        self, key: str, name: str, tooltip: str, typed: Callable[[str], Any] = str
    ) -> QLineEdit:
        edit = named(QLineEdit(), name, tooltip, object_name=f"timescale_{key}")
        edit.textEdited.connect(lambda text: self._set(key, typed(text)))
        self.fields[key] = edit
        return edit

    def _dates(self, key: str, name: str, tooltip: str) -> QComboBox:
        combo = named(QComboBox(), name, tooltip, object_name=f"timescale_{key}")
        for field, words in DATES.items():
            combo.addItem(f"{words} ({field})", field)
        combo.currentIndexChanged.connect(lambda _i: self._set(key, combo.currentData()))
        self.fields[key] = combo
        return combo

    # -- the list -------------------------------------------------------------------------

    def load(self, raw: dict[str, Any]) -> None:
        self.raw = raw
        self._fill_list(0)

    def _fill_list(self, select: int) -> None:
        self.listing.blockSignals(True)
        self.listing.clear()
        for timescale in self.timescales:
            self.listing.addItem(QListWidgetItem(_timescale_text(timescale)))
        self.listing.blockSignals(False)
        if self.timescales:
            self.listing.setCurrentRow(max(0, min(select, len(self.timescales) - 1)))
        self._show()

    def _current(self) -> dict[str, Any] | None:
        row = self.listing.currentRow()
        return self.timescales[row] if 0 <= row < len(self.timescales) else None

    def add_timescale(self) -> None:
        """A new timescale after the chosen one, an example to change."""
        row = self.listing.currentRow()
        at = len(self.timescales) if row < 0 else row + 1
        taken = {str(t.get("code")) for t in self.timescales}
        n = next(n for n in range(1, len(taken) + 2) if f"LOCAL-{n:02d}" not in taken)
        self.timescales.insert(at, {
            "code": f"LOCAL-{n:02d}", "label": "New timescale (local policy)",
            "start": "referral_date", "end": "assessment_end", "limit": 45,
            "unit": "working_days", "applies_to": ["all"], "source": "Local policy",
        })  # fmt: skip
        self._fill_list(at)
        self.edited.emit()
        self.label.setFocus()
        self.label.selectAll()

    def remove_timescale(self) -> None:
        row = self.listing.currentRow()
        if 0 <= row < len(self.timescales):
            del self.timescales[row]
            self._fill_list(row)
            self.edited.emit()
            self.listing.setFocus()

    def move(self, step: int) -> None:
        row = self.listing.currentRow()
        to = row + step
        if 0 <= row < len(self.timescales) and 0 <= to < len(self.timescales):
            self.timescales.insert(to, self.timescales.pop(row))
            self._fill_list(to)
            self.edited.emit()
            self.listing.setFocus()

    # -- the chosen timescale ---------------------------------------------------------------

    def _show(self) -> None:
        timescale = self._current() or {}
        self.loading = True
        for widget in self.fields.values():
            widget.setEnabled(bool(timescale))
        for key in ("code", "label", "source"):
            self.fields[key].setText(str(timescale.get(key, "")))  # type: ignore[attr-defined]
        self.limit.setText(shown_number(timescale.get("limit")))
        for key, combo in (("start", self.start), ("end", self.end), ("unit", self.unit)):
            value = timescale.get(key, "")
            if combo.findData(value) < 0:  # one the parser will name: shown as it is
                combo.addItem(str(value), value)
            combo.setCurrentIndex(combo.findData(value))
        show_case_types(self.types, timescale.get("applies_to", ["all"]))
        self.loading = False
        self._mark_fields()

    def _set(self, key: str, value: Any) -> None:
        timescale = self._current()
        if self.loading or timescale is None:
            return
        if value is None:
            timescale.pop(key, None)
        else:
            timescale[key] = value
        self.listing.currentItem().setText(_timescale_text(timescale))
        self.edited.emit()

    # -- problems -------------------------------------------------------------------------

    def show_problems(self, problems: list[str]) -> None:
        """Mark the timescale, and its field, that a problem names."""
        self.problems = problems
        for row, timescale in enumerate(self.timescales):
            problem = self._problem_of(timescale)
            item = self.listing.item(row)
            if item is not None:
                item.setText(_timescale_text(timescale) + (" — has a problem" if problem else ""))
                item.setToolTip(problem or "")
        self._mark_fields()

    def _problem_of(self, timescale: dict[str, Any]) -> str | None:
        code = str(timescale.get("code", "")).strip()
        if not code:
            return problem_about(self.problems, "A timescale")
        return problem_about(self.problems, f"Timescale {code}")

    def _mark_fields(self) -> None:
        timescale = self._current()
        problem = None if timescale is None else self._problem_of(timescale)
        for key, widget in self.fields.items():
            named_here = problem is not None and (
                any(words in problem for words in FIELD_WORDS[key])
                or (key in ("start", "end") and f"date field '{timescale.get(key)}'" in problem)
            )  # fmt: skip
            mark(widget, problem if named_here else None)


def _timescale_text(timescale: dict[str, Any]) -> str:
    return f"{timescale.get('code', '')}: {timescale.get('label', '')}"
