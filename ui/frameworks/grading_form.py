"""The editor's Grading tab: the compliance thresholds of the suggested grade, the cap a
No on a limiting criterion puts on it, and the optional target for % good or better that the
board pack measures against (``raw["grading"]``), each said in words."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from auditor.domain import Grade
from auditor.frameworks.model import GradingRules
from ui.frameworks.form_fields import mark, problem_about
from ui.widgets.common import buddy, heading, named, wrapped

DEFAULTS = GradingRules()
# (key in [grading], the grade it is the lowest compliance of, the field's label)
THRESHOLDS = (
    ("outstanding_min", Grade.OUTSTANDING, "&Outstanding from:"),
    ("good_min", Grade.GOOD, "Goo&d from:"),
    ("requires_improvement_min", Grade.REQUIRES_IMPROVEMENT, "&Requires improvement from:"),
)
TARGET = "good_or_better_target"
TARGET_SHOWN = 80.0  # what the spin box offers when the target is first ticked


class GradingForm(QWidget):
    edited = Signal()

    def __init__(self, raw: dict[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.raw = raw
        self.loading = False
        self.spins: dict[str, QDoubleSpinBox] = {}
        form = QFormLayout()
        form.addRow(heading("Suggested grade"))
        form.addRow(wrapped(
            "An audit's compliance is the sum of its answers' scores over the number of "
            "scored answers (Not applicable and unanswered criteria left out), as a percentage. "
            "The suggested grade is the best one whose threshold it reaches; a compliance "
            "exactly on a threshold takes the higher grade."
        ))  # fmt: skip
        for key, grade, label in THRESHOLDS:
            spin = named(QDoubleSpinBox(), f"{grade.label} from",
                         f"The lowest compliance suggested as {grade.label}",
                         object_name=f"grading_{key}")  # fmt: skip
            spin.setRange(0, 100)
            spin.setDecimals(1)
            spin.setSuffix(" %")
            spin.valueChanged.connect(lambda v, key=key: self._set(key, v))
            self.spins[key] = spin
            form.addRow(buddy(label, spin), spin)
        self.cap = named(
            QComboBox(),
            "Limiting cap",
            "The best grade an audit with a No on a limiting criterion can be suggested",
            object_name="gradingCap",
        )
        for grade in Grade:
            self.cap.addItem(grade.label, grade.value)
        self.cap.currentIndexChanged.connect(
            lambda _i: self._set("limiting_cap", self.cap.currentData())
        )
        form.addRow(buddy("A No on a limiting criterion &caps the grade at:", self.cap), self.cap)
        self.bands = wrapped(object_name="gradingBands")
        form.addRow(heading("What these thresholds mean", level=3))
        form.addRow(self.bands)
        self._target_rows(form)
        # Its wrapped explanations are tall when narrow: the tab scrolls rather than making
        # the editor taller than a 768-pixel screen (it was 807 high at its smallest).
        content = QWidget()
        inner = QVBoxLayout(content)
        inner.addLayout(form)
        inner.addStretch(1)
        scroll = QScrollArea(widgetResizable=True, frameShape=QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)
        self.load(raw)

    def _target_rows(self, form: QFormLayout) -> None:
        form.addRow(heading("The board's target for grades"))
        form.addRow(wrapped(
            "The board pack shows the share of audits whose final grade is Outstanding or "
            "Good. With a target set, it says whether that share meets the target, or by how "
            "many points it falls below, overall and at the 6- and 12-month points."
        ))  # fmt: skip
        self.has_target = named(
            QCheckBox("S&et a target for % good or better:"),
            "Set a target for % good or better",
            "Untick to have no target: the board pack then says none is set",
            object_name="gradingHasTarget",
        )
        self.target = named(QDoubleSpinBox(), "Target for % good or better",
                            "The share of audits graded Outstanding or Good the board aims for",
                            object_name="gradingTarget")  # fmt: skip
        self.target.setRange(0, 100)
        self.target.setDecimals(1)
        self.target.setSuffix(" %")
        self.has_target.toggled.connect(self._target_toggled)
        self.target.valueChanged.connect(
            lambda v: self._set(TARGET, v) if self.has_target.isChecked() else None
        )
        form.addRow(self.has_target, self.target)
        self.target_meaning = wrapped(object_name="gradingTargetMeaning")
        form.addRow(self.target_meaning)

    @property
    def grading(self) -> dict[str, Any]:
        return self.raw.setdefault("grading", {})  # type: ignore[no-any-return]

    def load(self, raw: dict[str, Any]) -> None:
        """Show ``raw``'s thresholds; one left out shows (and means) the default."""
        self.raw = raw
        grading = raw.get("grading", {})
        self.loading = True
        for key, spin in self.spins.items():
            value = grading.get(key, getattr(DEFAULTS, key))
            spin.setValue(float(value) if isinstance(value, int | float) else 0.0)
        cap = self.cap.findData(grading.get("limiting_cap", DEFAULTS.limiting_cap.value))
        self.cap.setCurrentIndex(max(cap, 0))
        target = grading.get(TARGET)
        has_target = isinstance(target, int | float) and not isinstance(target, bool)
        self.has_target.setChecked(has_target)
        self.target.setEnabled(has_target)
        self.target.setValue(float(target) if has_target else TARGET_SHOWN)
        self.loading = False
        self._say_bands()

    def _set(self, key: str, value: Any) -> None:
        if self.loading:
            return
        self.grading[key] = int(value) if isinstance(value, float) and value.is_integer() else value
        self._say_bands()
        self.edited.emit()

    def _target_toggled(self, on: bool) -> None:
        self.target.setEnabled(on)
        if self.loading:
            return
        if on:
            self._set(TARGET, self.target.value())
        else:
            self.grading.pop(TARGET, None)  # left out of [grading]: no target
            self._say_bands()
            self.edited.emit()

    def _say_bands(self) -> None:
        """The bands in words, as ``docs/grading.md`` gives them for the built-in ones."""
        values = [self.spins[key].value() for key, _grade, _label in THRESHOLDS]
        o, g, r = (f"{v:g} %" for v in values)
        self.bands.setText(
            f"{o} or more: Outstanding. {g} to under {o}: Good. {r} to under {g}: "
            f"Requires improvement to be good. Under {r}: Inadequate. A No on a limiting "
            f"criterion makes it {self.cap.currentText()} at best (it never raises a grade)."
        )
        if self.has_target.isChecked():
            target = f"{self.target.value():g} %"
            self.target_meaning.setText(
                f"The board pack shows % good or better as met when at least {target} of the "
                f"audits have a final grade of Outstanding or Good, and otherwise how many "
                f"points below {target} it is."
            )
        else:
            self.target_meaning.setText(
                "No target: the board pack shows % good or better and says that no target is set."
            )

    def show_problems(self, problems: list[str]) -> None:
        problem = problem_about(problems, "[grading]")
        for spin in (*self.spins.values(), self.target):
            mark(spin, problem)
