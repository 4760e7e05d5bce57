"""The choices behind a draw, as the core's
:class:`~auditor.programmes.sampling.SampleSpec`: how the
cases are chosen (random, stratified by team and/or case type, closed between two dates,
hand-picked), how many (a number, a percentage, a quota from each team, or every eligible
case), which are left out (audited in the last N months) and the seed that repeats the draw.

Only the controls that mean something for the chosen method are enabled; the core checks
the combination and says what is wrong.
"""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

from PySide6.QtCore import Signal, SignalInstance
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from auditor.audits.timeliness import add_months
from auditor.clock import today
from auditor.programmes.records import Programme
from auditor.programmes.sampling import CLOSED_WINDOW_MONTHS, SampleSpec
from ui.programmes.new_programme import date_edit
from ui.widgets.common import TextBox, combo_with, named, wrapped

METHOD_CHOICES = [
    ("Random", "random"),
    ("Stratified by team and/or case type", "stratified"),
    ("Every case closed between two dates", "closed"),
    ("Hand-picked case references", "hand"),
]
SIZE_CHOICES = ("number", "percent", "quota", "all")
DEFAULT_EXCLUDE_MONTHS = 12  # "cases audited in the last 12 months" is the usual rule
MAX_SEED = 2**31 - 1


def split_references(text: str) -> tuple[str, ...]:
    """References pasted from a spreadsheet column or typed with commas."""
    return tuple(part.strip() for part in re.split(r"[,;\n\t]", text) if part.strip())


class SampleChoices(QWidget):
    changed = Signal()  # any choice changed: an earlier preview no longer holds

    def __init__(self, programme: Programme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.programme = programme
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._how_box())
        layout.addWidget(self._size_box())
        layout.addWidget(self._which_box())
        for signal in self._input_signals():
            signal.connect(self.changed)
        self._on_method_changed()

    def _button(self, text: str, tooltip: str) -> QPushButton:
        return named(QPushButton(text), text.replace("&", ""), tooltip)

    def _how_box(self) -> QGroupBox:
        box = QGroupBox("How")
        form = QFormLayout(box)
        self.method = combo_with(METHOD_CHOICES, "Method", "How the cases are chosen")
        self.method.currentIndexChanged.connect(self._on_method_changed)
        self.by_team = named(QCheckBox("Team"), "Stratify by team", "A share from every team")
        self.by_type = named(
            QCheckBox("Case type"), "Stratify by case type", "A share of every type of case"
        )
        self.by_team.setChecked(True)
        strata = QHBoxLayout()
        strata.addWidget(self.by_team)
        strata.addWidget(self.by_type)
        strata.addStretch(1)
        on = today()
        self.closed_from = date_edit(
            add_months(on, -CLOSED_WINDOW_MONTHS) + timedelta(days=1),
            "Closed from",
            "The first closing date taken",
        )
        self.closed_to = date_edit(on, "Closed to", "The last closing date taken")
        closed = QHBoxLayout()
        closed.addWidget(self.closed_from)
        closed.addWidget(wrapped("to"))
        closed.addWidget(self.closed_to)
        closed.addStretch(1)
        self.references = named(
            TextBox(3),
            "Case references",
            "Paste or type references, one a line or separated by commas",
        )
        self.references.setObjectName("handPickedReferences")
        form.addRow("&Method:", self.method)
        form.addRow("Stratify by:", strata)
        form.addRow("Closed between:", closed)
        form.addRow("&References:", self.references)
        return box

    def _size_box(self) -> QGroupBox:
        box = QGroupBox("How many")
        form = QFormLayout(box)
        self.size_group = QButtonGroup(self)
        self.size_radios: dict[str, QRadioButton] = {}
        self.n = named(QSpinBox(), "Number of cases", "How many cases to draw")
        self.n.setRange(1, 1_000_000)
        self.n.setValue(20)
        self.percent = named(QDoubleSpinBox(), "Percentage", "The share of eligible cases")
        self.percent.setRange(0.1, 100)
        self.percent.setDecimals(1)
        self.percent.setValue(10)
        self.percent.setSuffix(" %")
        self.quota = named(
            QSpinBox(), "Quota per team", "How many cases from each team, e.g. two files a month"
        )
        self.quota.setRange(1, 10_000)
        self.quota.setValue(2)
        labels = {
            "number": ("A &number of cases:", self.n),
            "percent": ("A p&ercentage of eligible cases:", self.percent),
            "quota": ("A &quota from each team:", self.quota),
            "all": ("E&very eligible case", None),
        }
        for key, (text, field) in labels.items():
            radio = named(QRadioButton(text), text.replace("&", "").rstrip(":"))
            self.size_group.addButton(radio)
            self.size_radios[key] = radio
            radio.toggled.connect(self._enable_sizes)
            if field is None:
                form.addRow(radio)
            else:
                form.addRow(radio, field)
        self.size_radios["number"].setChecked(True)
        return box

    def _which_box(self) -> QGroupBox:
        box = QGroupBox("Which cases, and how to repeat the draw")
        form = QFormLayout(box)
        self.exclude_months = named(
            QSpinBox(), "Exclusion window", "Leave out cases audited in this many months (0: none)"
        )
        self.exclude_months.setRange(0, 120)
        self.exclude_months.setValue(DEFAULT_EXCLUDE_MONTHS)
        self.exclude_months.setSuffix(" months")
        self.reference_date = date_edit(
            today(), "As on", "The date the exclusion window counts back from"
        )
        self.open_only = named(QCheckBox("Only cases still open"), "Only open cases")
        self.seed = named(
            QSpinBox(), "Seed", "Recorded with the sample: the same seed draws the same cases again"
        )
        self.seed.setObjectName("sampleSeed")
        self.seed.setRange(0, MAX_SEED)
        self.seed.setButtonSymbols(QSpinBox.ButtonSymbols.NoButtons)
        self.seed.setValue(secrets.randbelow(MAX_SEED))
        new_seed = self._button("New seed", "Fill in a fresh random seed")
        new_seed.clicked.connect(lambda: self.seed.setValue(secrets.randbelow(MAX_SEED)))
        seed_row = QHBoxLayout()
        seed_row.addWidget(self.seed, 1)
        seed_row.addWidget(new_seed)
        auditors = ", ".join(self.programme.auditors)
        self.share = named(
            QCheckBox(
                f"Share the cases evenly among: {auditors}"
                if auditors
                else "Share the cases evenly (the programme has no auditors yet)"
            ),
            "Share evenly",
            "Assign the drawn cases to the programme's auditors now",
        )
        self.share.setChecked(bool(auditors))
        self.share.setEnabled(bool(auditors))
        form.addRow("Leave out cases audited in the last:", self.exclude_months)
        form.addRow("Counted back from:", self.reference_date)
        form.addRow(self.open_only)
        form.addRow("Seed:", seed_row)
        form.addRow(self.share)
        return box

    def _input_signals(self) -> list[SignalInstance]:
        return [
            self.method.currentIndexChanged,
            self.by_team.toggled,
            self.by_type.toggled,
            self.closed_from.dateChanged,
            self.closed_to.dateChanged,
            self.references.textChanged,
            self.size_group.buttonToggled,
            self.n.valueChanged,
            self.percent.valueChanged,
            self.quota.valueChanged,
            self.exclude_months.valueChanged,
            self.reference_date.dateChanged,
            self.open_only.toggled,
            self.seed.valueChanged,
        ]

    # -- what is asked for ------------------------------------------------------------------

    def choose(self, method: str, size: str | None = None) -> None:
        """Pick a method (and a kind of size): what the user does with the controls."""
        self.method.setCurrentIndex(self.method.findData(method))
        if size is not None:
            self.size_radios[size].setChecked(True)

    def size_kind(self) -> str:
        return next(k for k, radio in self.size_radios.items() if radio.isChecked())

    def _on_method_changed(self) -> None:
        method = self.method.currentData()
        for box in (self.by_team, self.by_type):
            box.setEnabled(method == "stratified")
        for edit in (self.closed_from, self.closed_to):
            edit.setEnabled(method == "closed")
        self.references.setEnabled(method == "hand")
        allowed = {"closed": SIZE_CHOICES, "hand": ()}.get(method, SIZE_CHOICES[:3])
        for key, radio in self.size_radios.items():
            radio.setEnabled(key in allowed)
        if method == "closed":
            self.size_radios["all"].setChecked(True)
        elif allowed and self.size_kind() not in allowed:
            self.size_radios["number"].setChecked(True)
        self._enable_sizes()

    def _enable_sizes(self) -> None:
        hand = self.method.currentData() == "hand"
        for key, field in (("number", self.n), ("percent", self.percent), ("quota", self.quota)):
            field.setEnabled(not hand and self.size_radios[key].isChecked())

    def spec(self) -> SampleSpec:
        """The draw as the core takes it (the core checks it and says what is wrong)."""
        method = self.method.currentData()
        size = None if method == "hand" else self.size_kind()
        if method == "random" and size == "percent":
            method = "percent"  # recorded as the "N %" method the users name
        by = tuple(
            f for f, box in (("team", self.by_team), ("case_type", self.by_type)) if box.isChecked()
        )
        return SampleSpec(
            method=method,
            n=self.n.value() if size == "number" else None,
            percent=self.percent.value() if size == "percent" else None,
            per_team=self.quota.value() if size == "quota" else None,
            by=by if method == "stratified" else (),
            closed_from=self.closed_from.date().toPython() if method == "closed" else None,
            closed_to=self.closed_to.date().toPython() if method == "closed" else None,
            open_only=self.open_only.isChecked(),
            exclude_months=self.exclude_months.value(),
            references=split_references(self.references.toPlainText()),
            seed=self.seed.value(),
            reference_date=self.reference_date.date().toPython(),
        )
