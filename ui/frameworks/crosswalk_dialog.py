"""The crosswalk dialog: the QA lead says how a new framework version continues an old one.

One row per criterion of the new version: its kind (same, reworded, merged, new) and the old
criteria it continues. An old criterion no row continues is retired (its trend ends at the
change). Problems are listed as the QA lead types and Save stays off until there are none;
the rules and the saving are the core's (``auditor/frameworks/crosswalk.py``).
"""

from __future__ import annotations

import re

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from auditor.frameworks.crosswalk import (
    Continuation,
    Crosswalk,
    Kind,
    crosswalk_problems,
    load_crosswalk,
    propose_crosswalk,
    save_crosswalk,
)
from auditor.frameworks.library import list_frameworks
from auditor.frameworks.model import Framework
from auditor.words import plural, sentence
from ui.errors import show_error
from ui.session import Session
from ui.widgets.common import buddy, named, wrapped

CODE, WORDING, KIND, CONTINUES = range(4)


class CrosswalkDialog(QDialog):
    def __init__(self, session: Session, new: Framework | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Crosswalk between framework versions")
        self.session = session
        self.saved: Crosswalk | None = None
        self.frameworks = list_frameworks(session.store)
        self.old_choice = named(QComboBox(), "Old version", "The version being replaced")
        self.new_choice = named(QComboBox(), "New version", "The version replacing it")
        for fw in self.frameworks:
            for combo in (self.old_choice, self.new_choice):
                combo.addItem(f"{fw.title} ({fw.code} {fw.version})")
        self.propose_button = named(
            QPushButton("&Propose"), "Propose", "Start again from the first guess: same codes "
            "continue each other, everything else is new or retired",
        )  # fmt: skip
        self.table = named(QTableWidget(0, 4), "Criteria of the new version",
                           object_name="crosswalkTable")  # fmt: skip
        self.table.setHorizontalHeaderLabels(["Criterion", "Wording", "Kind", "Continues"])
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(WORDING, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(CODE, QHeaderView.ResizeMode.ResizeToContents)
        header.resizeSection(KIND, 120)
        header.resizeSection(CONTINUES, 170)
        self.retired = wrapped("", object_name="crosswalkRetired")
        self.problems = wrapped("", object_name="crosswalkProblems")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self._save)
        self.buttons.rejected.connect(self.reject)
        choices = QGridLayout()
        choices.addWidget(buddy("&Old version:", self.old_choice), 0, 0)
        choices.addWidget(self.old_choice, 0, 1)
        choices.addWidget(buddy("&New version:", self.new_choice), 1, 0)
        choices.addWidget(self.new_choice, 1, 1)
        choices.addWidget(self.propose_button, 1, 2)
        choices.setColumnStretch(1, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(wrapped(
            "Say for each criterion of the new version which criterion of the old one it "
            "continues, so the report's trend and the dashboard run across the change. Write "
            "the old codes in Continues (several, with commas, for Merged). An old criterion "
            "nothing continues is retired: its line ends at the change."
        ))  # fmt: skip
        layout.addLayout(choices)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.retired)
        layout.addWidget(self.problems)
        layout.addWidget(self.buttons)
        self.resize(900, 560)
        self._choose_versions(new)
        self.old_choice.currentIndexChanged.connect(self._load)
        self.new_choice.currentIndexChanged.connect(self._load)
        self.propose_button.clicked.connect(self.propose)
        self._load()

    # -- versions ------------------------------------------------------------------------

    def _choose_versions(self, new: Framework | None) -> None:
        """The new version shown on the Frameworks screen; as old, the version its saved
        crosswalk names, else the version of the same code before it."""
        keys = [(f.code, f.version) for f in self.frameworks]
        new_index = keys.index((new.code, new.version)) if new and new in self.frameworks else (
            len(keys) - 1)  # fmt: skip
        new_index = max(new_index, 0)
        old_index = max(new_index - 1, 0)
        if self.frameworks:
            chosen = self.frameworks[new_index]
            saved = load_crosswalk(self.session.store, chosen.code, chosen.version)
            if saved and (saved.old_code, saved.old_version) in keys:
                old_index = keys.index((saved.old_code, saved.old_version))
        self.new_choice.setCurrentIndex(new_index)
        self.old_choice.setCurrentIndex(old_index)

    def old(self) -> Framework | None:
        index = self.old_choice.currentIndex()
        return self.frameworks[index] if 0 <= index < len(self.frameworks) else None

    def new(self) -> Framework | None:
        index = self.new_choice.currentIndex()
        return self.frameworks[index] if 0 <= index < len(self.frameworks) else None

    def _load(self) -> None:
        """The saved crosswalk between the two versions, else the proposal."""
        old, new = self.old(), self.new()
        if old is None or new is None:
            return
        saved = load_crosswalk(self.session.store, new.code, new.version)
        if saved and (saved.old_code, saved.old_version) == (old.code, old.version):
            self._fill(saved)
        else:
            self.propose()

    def propose(self) -> None:
        old, new = self.old(), self.new()
        if old is not None and new is not None:
            self._fill(propose_crosswalk(old, new))

    # -- the table -----------------------------------------------------------------------

    def _fill(self, crosswalk: Crosswalk) -> None:
        new = self.new()
        assert new is not None
        self.table.setRowCount(0)
        for row, criterion in enumerate(new.criteria):
            link = crosswalk.continuation(criterion.code) or Continuation(criterion.code, Kind.NEW)
            self.table.insertRow(row)
            for column, text in ((CODE, criterion.code), (WORDING, criterion.text)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(row, column, item)
            kind = named(QComboBox(), f"Kind of {criterion.code}")
            for k in Kind:
                kind.addItem(k.label, k.value)
            kind.setCurrentIndex(list(Kind).index(link.kind))
            kind.currentIndexChanged.connect(self._check)
            self.table.setCellWidget(row, KIND, kind)
            continues = named(QLineEdit(", ".join(link.old)), f"{criterion.code} continues",
                              "Codes of the old version, separated by commas")  # fmt: skip
            continues.textChanged.connect(self._check)
            self.table.setCellWidget(row, CONTINUES, continues)
        self.table.resizeRowsToContents()
        self._check()

    def kind_box(self, row: int) -> QComboBox:
        widget = self.table.cellWidget(row, KIND)
        assert isinstance(widget, QComboBox)
        return widget

    def continues_edit(self, row: int) -> QLineEdit:
        widget = self.table.cellWidget(row, CONTINUES)
        assert isinstance(widget, QLineEdit)
        return widget

    def row_of(self, code: str) -> int:
        return next(
            r for r in range(self.table.rowCount()) if self.table.item(r, CODE).text() == code
        )

    def crosswalk(self) -> Crosswalk | None:
        """The crosswalk as the table says it: an old criterion no row continues is retired."""
        old, new = self.old(), self.new()
        if old is None or new is None:
            return None
        continuations = []
        for row in range(self.table.rowCount()):
            codes = tuple(c for c in re.split(r"[,\s]+", self.continues_edit(row).text()) if c)
            kind = Kind(self.kind_box(row).currentData())
            continuations.append(Continuation(self.table.item(row, CODE).text(), kind, codes))
        continued = {code for c in continuations for code in c.old}
        retired = tuple(c.code for c in old.criteria if c.code not in continued)
        return Crosswalk(old.code, old.version, new.code, new.version, tuple(continuations),
                         retired)  # fmt: skip

    def _check(self) -> None:
        crosswalk, old, new = self.crosswalk(), self.old(), self.new()
        if crosswalk is None or old is None or new is None:
            return
        self.retired.setText(
            f"Retired ({plural(len(crosswalk.retired), 'criterion')} of {old.code} "
            f"{old.version}; their lines end at the change): {', '.join(crosswalk.retired)}."
            if crosswalk.retired else f"Every criterion of {old.code} {old.version} continues."
        )  # fmt: skip
        problems = crosswalk_problems(crosswalk, old, new)
        self.problems.setText(
            "" if not problems else
            f"<b>{plural(len(problems), 'problem')} to put right before saving:</b><br>"
            + "<br>".join(sentence(p) + "." for p in problems)
        )  # fmt: skip
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(not problems)

    def _save(self) -> None:
        crosswalk = self.crosswalk()
        if crosswalk is None:
            return
        try:
            self.saved = save_crosswalk(self.session.store, crosswalk, actor=self.session.actor)
        except Exception as error:
            show_error(self, error, doing="saving the crosswalk")
            return
        self.accept()
