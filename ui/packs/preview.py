"""The import preview: for each pack read, who made it, when, with which app version and
framework, and what merging it would add, update, delete, leave unchanged and find in
conflict, with the lists and the conflicts side by side. Nothing is written until Merge."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QPushButton,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from auditor import APP_NAME
from auditor.packs import AuditChange, MergePreview, Pack, Resolution
from auditor.words import plural
from ui.packs.conflict_view import ConflictList, show_value
from ui.widgets.common import heading, named, wrapped
from ui.widgets.history import local_time

KINDS = {"work": "audits coming back (a work pack)", "assignment": "work sent out to an auditor"}


@dataclass
class PackFile:
    """One file the user chose: read and previewed, or refused (``refusal`` says why)."""

    path: Path
    pack: Pack | None = None
    preview: MergePreview | None = None
    refusal: str = ""


def made_text(pack: Pack) -> str:
    m = pack.manifest
    frameworks = ", ".join(f"{f.code} {f.version}" for f in m.frameworks) or "none"
    lock = " It was protected by a passphrase." if pack.encrypted else ""
    return (
        f"Made by {m.created_by} on {local_time(m.created_at)} with Case Auditor "
        f"{m.app_version}: {KINDS.get(m.kind, m.kind)}. Framework: {frameworks}.{lock}"
    )


def counts_text(p: MergePreview) -> str:
    if p.already_imported_at:
        return (
            f"Already imported on {local_time(p.already_imported_at)}: importing it again "
            "changes nothing."
        )
    if p.changes_nothing:
        return "Nothing new: this database already has everything in this pack."
    return (
        f"Merging would add {plural(len(p.added), 'audit')}, update {len(p.updated)}, delete "
        f"{len(p.deleted)} and leave {len(p.unchanged)} unchanged. {len(p.conflicts)} "
        f"{'audit is' if len(p.conflicts) == 1 else 'audits are'} in conflict."
    )


def others_text(p: MergePreview) -> str:
    if p.already_imported_at:
        return ""
    parts = [
        f"Cases: {len(p.new_cases)} new, {len(p.cases_matched_by_reference)} already here "
        "under the same reference.",
        f"Programmes: {len(p.new_programmes)} new"
        + (f" ({', '.join(p.new_programmes)})." if p.new_programmes else "."),
        f"Frameworks: {', '.join(p.new_frameworks) or 'none'} new.",
        f"History rows: {p.new_trail_rows} new.",
    ]
    if p.cases_differing:
        parts.append(
            f"The details of {plural(len(p.cases_differing), 'case')} differ from ours "
            f"({', '.join(p.cases_differing[:5])}{'…' if len(p.cases_differing) > 5 else ''}): "
            "ours are kept."
        )
    return " ".join(parts)


class PackPage(QWidget):
    """One pack's preview."""

    def __init__(self, item: PackFile, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        assert item.pack is not None and item.preview is not None
        self.item, p = item, item.preview
        self.made = wrapped(made_text(item.pack), object_name="packMade")
        self.counts = wrapped(counts_text(p), object_name="packCounts")
        self.others = wrapped(others_text(p), object_name="packOthers")
        self.parts = QTabWidget()
        self.changes = named(
            QTreeWidget(), "Audits in the pack", "Each audit and what merging does with it"
        )
        self.changes.setHeaderLabels(["Audit", "Auditor", "Status in the pack"])
        self.changes.setColumnWidth(0, 320)
        groups = (("To add", p.added), ("To update", p.updated), ("To delete", p.deleted),
                  ("Unchanged", p.unchanged))  # fmt: skip
        for title, changes in groups:
            self._group(title, changes)
        self.parts.addTab(self.changes, f"&Audits ({sum(len(c) for _t, c in groups)})")
        self.conflicts = ConflictList(p.conflicts)
        self.parts.addTab(self.conflicts, f"&Conflicts ({len(p.conflicts)})")
        if p.conflicts:
            self.parts.setCurrentWidget(self.conflicts)
        else:
            self.parts.setTabEnabled(1, False)
        layout = QVBoxLayout(self)
        layout.addWidget(self.made)
        layout.addWidget(self.counts)
        layout.addWidget(self.others)
        layout.addWidget(self.parts, 1)
        if p.already_imported_at:
            self.others.hide()

    def _group(self, title: str, changes: Sequence[AuditChange]) -> None:
        group = QTreeWidgetItem([f"{title} ({len(changes)})"])
        self.changes.addTopLevelItem(group)
        for change in changes:
            audit = QTreeWidgetItem([change.case_reference, change.auditor, change.status])
            group.addChild(audit)
            for d in change.differences:
                audit.addChild(
                    QTreeWidgetItem([f"{d.label}: {show_value(d.ours)} → {show_value(d.theirs)}"])
                )
        group.setExpanded(title != "Unchanged" and 0 < len(changes) <= 200)

    def resolutions(self) -> dict[str, Resolution]:
        return self.conflicts.resolutions()


class PackPreviewDialog(QDialog):
    """The preview of every pack chosen; the import flow connects ``merge_button``."""

    def __init__(self, items: Sequence[PackFile], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Import audit packs — {APP_NAME}")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(1080, 680)
        self.flow: object = None  # the import that opened it, kept alive with it
        read = [item for item in items if item.pack is not None]
        refused = [item for item in items if item.pack is None]
        self.pages = [PackPage(item) for item in read]
        self.tabs = QTabWidget()
        for page in self.pages:
            self.tabs.addTab(page, page.item.path.name)
        layout = QVBoxLayout(self)
        layout.addWidget(heading("What importing would change"))
        layout.addWidget(
            wrapped(
                "Nothing has been written yet. Check what each pack would do and choose what "
                "to keep for each audit in conflict, then press Merge."
            )
        )
        self.refusals = wrapped(refusals_html(refused), object_name="packRefusals")
        self.refusals.setVisible(bool(refused))
        layout.addWidget(self.refusals)
        layout.addWidget(self.tabs, 1)
        buttons = QDialogButtonBox()
        self.merge_button: QPushButton = buttons.addButton(
            "&Merge", QDialogButtonBox.ButtonRole.AcceptRole
        )
        named(self.merge_button, "Merge", "Write the changes shown into this database")
        self.close_button: QPushButton = buttons.addButton(
            "Close &without merging", QDialogButtonBox.ButtonRole.RejectRole
        )
        named(self.close_button, "Close without merging", "Change nothing")
        self.close_button.clicked.connect(self.reject)
        layout.addWidget(buttons)

    def page_of(self, name: str) -> PackPage:
        return next(page for page in self.pages if page.item.path.name == name)


def refusals_html(refused: Sequence[PackFile]) -> str:
    if not refused:
        return ""
    items = "".join(
        f"<li><b>{html.escape(i.path.name)}</b>: {html.escape(i.refusal)}</li>" for i in refused
    )
    return f"<p><b>Not imported:</b></p><ul>{items}</ul>"
