"""Read each framework: its sections and criteria, with wording, guidance, answer scale,
case types, target, whether it is limiting, and the clauses it comes from."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from auditor.domain import CASE_TYPE_LABELS
from auditor.frameworks.library import list_frameworks
from auditor.frameworks.model import ALL_CASE_TYPES, Criterion, Framework
from auditor.words import plural
from ui.frameworks.crosswalk_dialog import CrosswalkDialog
from ui.session import Session
from ui.widgets.common import buddy, named


def criterion_html(c: Criterion, framework: Framework) -> str:
    e = html.escape
    kinds = (
        "every type of case"
        if c.applies_to == ALL_CASE_TYPES
        else ", ".join(CASE_TYPE_LABELS[t] for t in c.applies_to)
    )
    scale = ", ".join(
        f"{e(v.label)} (key {e(v.key)})" if v.key else e(v.label) for v in c.scale.values
    )
    rows = [
        ("Asked for", e(kinds)),
        *([("Asked only", e(when))] if (when := framework.condition_text(c.code)) else []),
        ("Answers", scale),
        ("Target", f"{c.target:g} % met" if c.target is not None else "none"),
        ("Limiting", "yes: a No caps the suggested grade" if c.limiting else "no"),
        ("Source", "<br>".join(e(s) for s in c.sources)),
    ]
    table = "".join(f"<tr><th align=left valign=top>{k}</th><td>{v}</td></tr>" for k, v in rows)
    guidance = e(c.guidance).replace("\n", "<br>") if c.guidance else "<i>No guidance.</i>"
    return (
        f"<h2>{e(c.code)}</h2><p style='font-size:large'>{e(c.text)}</p>"
        f"<table cellspacing=6>{table}</table><h3>Guidance</h3><p>{guidance}</p>"
    )


def framework_html(f: Framework) -> str:
    e = html.escape
    return (
        f"<h2>{e(f.title)}</h2><p>{e(f.code)} version {e(f.version)} · "
        f"{plural(len(f.criteria), 'criterion')} in {plural(len(f.sections), 'section')}</p>"
        f"<p>{e(f.description)}</p>"
    )


class FrameworksView(QWidget):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.frameworks = list_frameworks(session.store)
        self.choice = named(QComboBox(), "Framework", "Which framework (and version) to read")
        self._fill_choice()
        session.changes.frameworks_changed.connect(self.reload)
        self.tree = named(QTreeWidget(), "Sections and criteria", object_name="frameworkTree")
        self.tree.setHeaderLabels(["Criterion", "Wording"])
        self.tree.setColumnWidth(0, self.fontMetrics().horizontalAdvance("MGMT-OVER-00") + 40)
        self.tree.currentItemChanged.connect(self._on_current_item_changed)
        self.details = named(
            QTextBrowser(), "Criterion details", "Wording, guidance, scale and sources",
            object_name="criterionDetails",
        )  # fmt: skip
        self.details.setOpenLinks(False)
        top = QHBoxLayout()
        top.addWidget(buddy("F&ramework:", self.choice))
        top.addWidget(self.choice, 1)
        self.crosswalk_button = named(
            QPushButton("Cross&walk…"),
            "Crosswalk",
            "Say how this version continues an older one, for trends",
        )
        self.crosswalk_button.clicked.connect(self.open_crosswalk)
        top.addWidget(self.crosswalk_button)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.tree)
        splitter.addWidget(self.details)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        self.choice.currentIndexChanged.connect(self._show_framework)
        self.choice.setCurrentIndex(len(self.frameworks) - 1)
        self._show_framework(self.choice.currentIndex())

    def _fill_choice(self) -> None:
        self.choice.clear()
        for fw in self.frameworks:
            self.choice.addItem(f"{fw.title} ({fw.code} {fw.version})")

    def reload(self) -> None:
        """Read the frameworks again (one was imported), keeping the one shown if still there."""
        shown = self.choice.currentText()
        self.frameworks = list_frameworks(self.session.store)
        self.choice.blockSignals(True)
        self._fill_choice()
        index = self.choice.findText(shown)
        self.choice.setCurrentIndex(index if index >= 0 else len(self.frameworks) - 1)
        self.choice.blockSignals(False)
        self._show_framework(self.choice.currentIndex())

    def _show_framework(self, index: int) -> None:
        self.tree.clear()
        if not 0 <= index < len(self.frameworks):
            return
        framework = self.frameworks[index]
        for section in framework.sections:
            parent = QTreeWidgetItem([f"{section.title} ({len(section.criteria)} criteria)"])
            parent.setData(0, Qt.ItemDataRole.UserRole, None)
            font = parent.font(0)
            font.setBold(True)
            parent.setFont(0, font)
            for c in section.criteria:
                child = QTreeWidgetItem([c.code, c.text])
                child.setToolTip(1, c.text)
                child.setData(0, Qt.ItemDataRole.UserRole, c.code)
                parent.addChild(child)
            self.tree.addTopLevelItem(parent)
            parent.setFirstColumnSpanned(True)
        self.tree.expandAll()
        self.details.setHtml(framework_html(framework))

    def open_crosswalk(self) -> CrosswalkDialog:
        """The crosswalk dialog for the version shown (returned for tests)."""
        index = self.choice.currentIndex()
        shown = self.frameworks[index] if 0 <= index < len(self.frameworks) else None
        dialog = CrosswalkDialog(self.session, shown, self)
        dialog.open()
        return dialog

    def _on_current_item_changed(self, item: QTreeWidgetItem | None, _old: object) -> None:
        framework = self.frameworks[self.choice.currentIndex()]
        code = item.data(0, Qt.ItemDataRole.UserRole) if item else None
        if code:
            self.details.setHtml(criterion_html(framework.criterion(code), framework))
        else:
            self.details.setHtml(framework_html(framework))
