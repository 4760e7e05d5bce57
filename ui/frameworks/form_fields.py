"""Pieces the framework editor's forms share: a number typed in a field, a checklist of
case types, and the mark on a field the draft's problem names.

The forms only carry what is typed into the draft's structure; whether it is valid is the
parser's to say (``auditor/frameworks/model.py``), so a value it cannot read is kept as
typed for the parser to name.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QTableWidgetItem, QWidget

from auditor.domain import CASE_TYPE_LABELS, CaseType
from ui.widgets.common import named

ROLE = Qt.ItemDataRole.UserRole
PROBLEM_STYLE = "border: 2px solid #b3261e;"
PROBLEM_BACKGROUND = QColor("#f9dedc")


def number_or_text(text: str) -> Any:
    """What was typed as a number (a whole one as an int); None when empty; anything else
    kept as typed, for the parser to name."""
    text = text.strip().removesuffix("%").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        return text
    return int(value) if value.is_integer() else value


def shown_number(value: Any) -> str:
    """A number as the field shows it ("90", "0.5"); empty for none."""
    if value is None:
        return ""
    return f"{value:g}" if isinstance(value, int | float) else str(value)


def case_type_list(name: str, tooltip: str, object_name: str) -> QListWidget:
    """A checklist of the case types, a few lines high."""
    box = named(QListWidget(), name, tooltip, object_name=object_name)
    for case_type in CaseType:
        item = QListWidgetItem(CASE_TYPE_LABELS[case_type])
        item.setData(ROLE, case_type.value)
        item.setCheckState(Qt.CheckState.Unchecked)
        box.addItem(item)
    box.setMaximumHeight(box.fontMetrics().lineSpacing() * 5 + 16)
    return box


def show_case_types(box: QListWidget, types: Any) -> None:
    """Tick the case types ``applies_to`` names ("all", or left out, ticks every one)."""
    types = types if isinstance(types, list) else ["all"]
    for i in range(box.count()):
        item = box.item(i)
        on = "all" in types or item.data(ROLE) in types
        item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)


def ticked_case_types(box: QListWidget) -> list[str]:
    """The ``applies_to`` the ticks say: ["all"] when every one is ticked."""
    ticked = [
        box.item(i).data(ROLE)
        for i in range(box.count())
        if box.item(i).checkState() == Qt.CheckState.Checked
    ]
    return ["all"] if len(ticked) == len(CaseType) else ticked


def mark(widget: QWidget, problem: str | None) -> None:
    """Mark a field the problem names: a red border, and the problem in its tooltip and
    accessible description (not colour alone); unmark it when ``problem`` is None."""
    plain = widget.property("plainToolTip")
    if plain is None:
        plain = widget.toolTip()
        widget.setProperty("plainToolTip", plain)
    widget.setProperty("problem", problem or "")
    widget.setStyleSheet(PROBLEM_STYLE if problem else "")
    widget.setToolTip(f"{plain}\n{problem}" if problem else plain)
    widget.setAccessibleDescription(problem or "")


def mark_cell(item: QTableWidgetItem, problem: str | None) -> None:
    """Mark a table cell the problem names (its background, and the problem as tooltip)."""
    item.setBackground(QBrush(PROBLEM_BACKGROUND) if problem else QBrush())
    item.setToolTip(problem or "")
    item.setData(Qt.ItemDataRole.AccessibleDescriptionRole, problem or "")


def problem_about(problems: list[str], where: str) -> str | None:
    """The problem that names ``where`` (the parser's words: "Scale 'yes_no'", "Timescale
    ASSESS-45", "[grading]"), if any."""
    return next((p for p in problems if p.startswith(f"{where}:")), None)
