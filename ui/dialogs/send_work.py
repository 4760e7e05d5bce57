"""File → Send work to an auditor…: the QA lead makes a pack of the cases a programme
assigns to one auditor, with the programme and its framework, for them to import on their
own laptop (an empty database can start from it). Other auditors' audits never go in, so a
blind double audit stays blind."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from auditor.errors import ValidationError
from auditor.packs import make_assignment_pack
from auditor.programmes import Programme, list_programmes
from ui.dialogs.pack_writer import PackWriterDialog, WritePack, slug, today_text
from ui.session import Session
from ui.widgets.common import set_combo_items

INTRO = (
    "Makes a pack of the cases this programme assigns to the auditor, with the programme "
    "and its framework, for them to import and audit on their own laptop. Other auditors' "
    "audits are never included."
)


class SendWorkDialog(PackWriterDialog):
    title = "Send work to an auditor…"

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, INTRO, parent)
        self.programmes: dict[str, Programme] = {}
        for programme in list_programmes(session.store):
            self.programmes[programme.uid] = programme
            self.programme.addItem(programme.name, programme.uid)
        self.auditor.setToolTip("Who the work is for: one of the programme's auditors")
        self.programme.currentIndexChanged.connect(self._fill_auditors)
        self._fill_auditors()

    def _fill_auditors(self) -> None:
        programme = self.programmes.get(self.programme.currentData())
        names = list(programme.auditors) if programme else []
        set_combo_items(self.auditor, [(name, name) for name in names])

    def default_name(self) -> str:
        return f"work-for-{slug(self.chosen_auditor() or '')}-{today_text()}.auditpack"

    def writer(self) -> WritePack:
        programme, auditor = self.programme.currentData(), self.chosen_auditor()
        if programme is None:
            raise ValidationError("There is no programme to send work from yet.")
        if auditor is None:
            raise ValidationError("Choose the auditor the work is for.")
        return self.pack_call(make_assignment_pack, programme_uid=programme, auditor=auditor)
