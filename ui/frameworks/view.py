"""Read each framework: its sections and criteria, with wording, guidance, answer scale,
case types, target, whether it is limiting, and the clauses it comes from."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QSplitter,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from auditor.domain import CASE_TYPE_LABELS
from auditor.errors import AuditorError
from auditor.frameworks import drafts
from auditor.frameworks.library import list_frameworks
from auditor.frameworks.model import ALL_CASE_TYPES, Criterion, Framework
from auditor.words import plural
from ui.errors import show_error
from ui.frameworks.crosswalk_dialog import CrosswalkDialog
from ui.frameworks.editor import FrameworkEditor
from ui.session import Session
from ui.widgets.common import buddy, named, wrapped


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


PUBLISHED_BOX = "frameworkPublished"


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
        self.editor: FrameworkEditor | None = None
        self.publish_dialog: PublishDialog | None = None
        self.drafts = named(
            QListWidget(), "Drafts", "Frameworks being made or revised: not yet published, so "
            "nobody can audit against them", object_name="frameworkDrafts",
        )  # fmt: skip
        self.drafts.setMaximumHeight(self.fontMetrics().lineSpacing() * 3 + 12)
        self.drafts.itemActivated.connect(lambda _item: self.edit_draft())
        self.drafts.currentRowChanged.connect(lambda _row: self._enable_draft_buttons())
        draft_row = QHBoxLayout()
        for text, name, slot, tip in (
            ("&New framework…", "newFramework", self.new_framework,
             "Start a framework of your own from an example"),
            ("C&opy…", "copyFramework", self.copy_framework,
             "Start a draft from the framework shown, to revise it as its next version"),
            ("Ed&it draft", "editDraft", self.edit_draft, "Edit the chosen draft"),
            ("&Publish…", "publishDraft", self.publish_draft,
             "Give the chosen draft a version so audits can use it"),
            ("De&lete draft", "deleteDraft", self.delete_draft, "Delete the chosen draft"),
        ):  # fmt: skip
            button = named(QPushButton(text), text.replace("&", "").rstrip("…"), tip,
                           object_name=name)  # fmt: skip
            button.clicked.connect(slot)
            draft_row.addWidget(button)
        draft_row.addStretch(1)
        draft_box = QVBoxLayout()
        draft_box.addWidget(buddy("Dr&afts (not yet published: nobody can audit against them):",
                                  self.drafts))  # fmt: skip
        draft_box.addWidget(self.drafts)
        draft_box.addLayout(draft_row)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.tree)
        splitter.addWidget(self.details)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        layout.addLayout(draft_box)
        self._fill_drafts()
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

    # -- drafts -----------------------------------------------------------------------------

    def _fill_drafts(self, select: str | None = None) -> None:
        self.drafts.clear()
        for draft in drafts.list_drafts(self.session.store):
            item = QListWidgetItem(
                f"{draft.title} ({draft.code}, {draft.based_on}), last changed by "
                f"{draft.updated_by}"
            )
            item.setData(Qt.ItemDataRole.UserRole, draft.uid)
            self.drafts.addItem(item)
            if draft.uid == select:
                self.drafts.setCurrentItem(item)
        if self.drafts.currentRow() < 0 and self.drafts.count():
            self.drafts.setCurrentRow(0)
        self._enable_draft_buttons()

    def _enable_draft_buttons(self) -> None:
        chosen = self.drafts.currentItem() is not None
        for name in ("editDraft", "publishDraft", "deleteDraft"):
            button = self.findChild(QPushButton, name)
            if button is not None:
                button.setEnabled(chosen)

    def _chosen_draft(self) -> str | None:
        item = self.drafts.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def new_framework(self) -> None:
        self._open(lambda: drafts.new_draft(self.session.store, actor=self.session.actor))

    def copy_framework(self) -> None:
        index = self.choice.currentIndex()
        if 0 <= index < len(self.frameworks):
            framework = self.frameworks[index]
            self._open(lambda: drafts.copy_draft(self.session.store, framework,
                                                 actor=self.session.actor))  # fmt: skip

    def _open(self, make: object) -> None:
        try:
            draft = make()  # type: ignore[operator]
        except AuditorError as exc:
            show_error(self, exc, doing="starting a framework draft")
            return
        self._fill_drafts(draft.uid)
        self.edit_draft()

    def edit_draft(self) -> None:
        uid = self._chosen_draft()
        if uid is None:
            return
        self.editor = FrameworkEditor(self.session, uid, self)
        self.editor.finished.connect(lambda _r: self._fill_drafts(uid))
        self.editor.open()

    def publish_draft(self) -> None:
        uid = self._chosen_draft()
        if uid is None:
            return
        draft = drafts.get_draft(self.session.store, uid)
        self.publish_dialog = PublishDialog(
            draft.code, drafts.next_versions(self.session.store, draft.code), self
        )
        self.publish_dialog.accepted.connect(
            lambda: self._publish(uid, major=self.publish_dialog.major.isChecked())
        )
        self.publish_dialog.open()

    def _publish(self, uid: str, *, major: bool) -> None:
        try:
            framework = drafts.publish_draft(self.session.store, uid, actor=self.session.actor,
                                             major=major)  # fmt: skip
        except AuditorError as exc:
            show_error(self, exc, doing="publishing a framework draft")
            return
        self._fill_drafts()
        self.session.changes.frameworks_changed.emit()
        shown = self.choice.findText(f"{framework.title} ({framework.code} {framework.version})")
        self.choice.setCurrentIndex(shown)
        box = QMessageBox(
            QMessageBox.Icon.Information, "Framework published",
            f"{framework.title} ({framework.code}) is published as version "
            f"{framework.version}. It is frozen, and audits can use it now.", parent=self,
        )  # fmt: skip
        box.setObjectName(PUBLISHED_BOX)
        box.open()

    def delete_draft(self) -> None:
        uid = self._chosen_draft()
        if uid is None:
            return
        draft = drafts.get_draft(self.session.store, uid)
        answer = QMessageBox.question(
            self, "Delete draft",
            f"Delete the draft {draft.title} ({draft.code})? What it says is lost.",
        )  # fmt: skip
        if answer == QMessageBox.StandardButton.Yes:
            drafts.delete_draft(self.session.store, uid, actor=self.session.actor)
            self._fill_drafts()


class PublishDialog(QDialog):
    """Which version a published draft gets: a revision or a new edition."""

    def __init__(self, code: str, versions: tuple[str, str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("publishDraft")
        self.setWindowTitle(f"Publish {code}")
        minor, major = versions
        self.minor = QRadioButton(f"Version {minor}: a revision (rewording, a criterion added "
                                  "or removed)")  # fmt: skip
        self.major = QRadioButton(f"Version {major}: a new edition of the audit tool")
        self.minor.setChecked(True)
        self.major.setVisible(minor != major)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Publish")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(wrapped(
            "Publishing freezes the framework: it can then be audited against, and never "
            "changes. To change it later, copy it and publish the next version."
        ))  # fmt: skip
        layout.addWidget(self.minor)
        layout.addWidget(self.major)
        layout.addWidget(buttons)
