"""File → Export audit pack…: an auditor's audits (of a programme, or all) as one
``.auditpack`` file for the QA lead, with their cases, answers, evidence, actions and the
audit-trail rows about them."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from auditor.packs import export_pack
from auditor.programmes.records import list_programmes
from ui.file_choice import file_name_part
from ui.packs.writer import PackWriterDialog, WritePack, today_text
from ui.session import Session

ALL_AUDITORS = "All auditors"
INTRO = (
    "Makes one file holding the audits you choose, with their cases, answers, evidence, "
    "actions and history, for the QA lead to import. Nothing in this database changes."
)


class ExportPackDialog(PackWriterDialog):
    title = "Export audit pack…"

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, INTRO, parent)
        self.programme.addItem("All programmes", None)
        names: set[str] = set()
        for programme in list_programmes(session.store):
            self.programme.addItem(programme.name, programme.uid)
            names.update(programme.auditors)
        me = session.actor
        self.auditor.addItem(ALL_AUDITORS)
        for name in [me, *sorted(names - {me})] if me else sorted(names):
            self.auditor.addItem(name)
        self.auditor.setCurrentIndex(1 if self.auditor.count() > 1 else 0)
        self.auditor.setToolTip("Whose audits the pack holds: yours unless you choose another")

    def chosen_auditor(self) -> str | None:
        name = super().chosen_auditor()
        return None if name in (None, ALL_AUDITORS) else name

    def default_name(self) -> str:
        who = self.chosen_auditor() or "all-auditors"
        return f"audits-{file_name_part(who, 'auditor')}-{today_text()}.auditpack"

    def writer(self) -> WritePack:
        return self.pack_call(
            export_pack, programme_uid=self.programme.currentData(), auditor=self.chosen_auditor()
        )
