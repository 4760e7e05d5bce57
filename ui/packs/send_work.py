"""File → Send work to an auditor…: the QA lead makes a pack of the cases a programme
assigns to one auditor, with the programme and its framework, for them to import on their
own laptop (an empty database can start from it). Other auditors' audits never go in, so a
blind double audit stays blind."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from auditor import APP_NAME
from auditor.errors import ValidationError
from auditor.packs import make_assignment_pack
from auditor.programmes.assignment import programme_cases
from auditor.programmes.records import Programme, list_programmes
from auditor.words import plural
from ui.file_choice import file_name_part
from ui.packs.writer import PackWriterDialog, WritePack, today_text
from ui.session import Session
from ui.widgets.common import set_combo_items, wrapped

NO_PROGRAMME = "noProgrammeToSend"
INTRO = (
    "Makes a pack of the cases this programme assigns to the auditor, with the programme "
    "and its framework, for them to import and audit on their own laptop. Other auditors' "
    "audits are never included."
)


def no_programme_yet(session: Session, parent: QWidget) -> bool:
    """Say so, and True, when there is no programme to send work from."""
    if list_programmes(session.store):
        return False
    box = QMessageBox(QMessageBox.Icon.Information, APP_NAME,
                      "There is no programme to send work from yet. Create one on the "
                      "Programmes screen (Ctrl+6), draw its sample and assign the cases, "
                      "then send each auditor their work.", parent=parent)  # fmt: skip
    box.setObjectName(NO_PROGRAMME)
    box.open()
    return True


class SendWorkDialog(PackWriterDialog):
    title = "Send work to an auditor…"

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, INTRO, parent)
        self.programmes: dict[str, Programme] = {}
        for programme in list_programmes(session.store):
            self.programmes[programme.uid] = programme
            self.programme.addItem(programme.name, programme.uid)
        self.auditor.setToolTip("Who the work is for: one of the programme's auditors")
        # What the pack will hold, before the Save dialog: none is said, and Save is off.
        self.assigned = wrapped("", object_name="assignedCases")
        self.form.insertRow(self.form.rowCount() - 2, "", self.assigned)
        self.programme.currentIndexChanged.connect(self._fill_auditors)
        self.auditor.currentTextChanged.connect(lambda _text: self._count_assigned())
        self._fill_auditors()

    def _fill_auditors(self) -> None:
        programme = self.programmes.get(self.programme.currentData())
        names = list(programme.auditors) if programme else []
        set_combo_items(self.auditor, [(name, name) for name in names])
        self._count_assigned()

    def _count_assigned(self) -> None:
        programme, auditor = self.programme.currentData(), self.chosen_auditor()
        if programme is None or auditor is None:
            self.assigned.setText("")
            self.save_button.setEnabled(False)
            return
        cases = programme_cases(self.session.store, programme, auditor=auditor)
        if not cases:
            self.assigned.setText(
                f"✗ No case of this programme is assigned to {auditor}: assign some on the "
                "Programmes screen (Ctrl+6) first."
            )
        else:
            started = sum(1 for case in cases if case.audit_status)
            self.assigned.setText(
                f"✓ {plural(len(cases), 'case')} assigned to {auditor}"
                + (f", {started} with an audit already started." if started else ".")
            )
        self.save_button.setEnabled(bool(cases))

    def default_name(self) -> str:
        who = file_name_part(self.chosen_auditor() or "", "auditor")
        return f"work-for-{who}-{today_text()}.auditpack"

    def writer(self) -> WritePack:
        programme, auditor = self.programme.currentData(), self.chosen_auditor()
        if programme is None:
            raise ValidationError("There is no programme to send work from yet.")
        if auditor is None:
            raise ValidationError("Choose the auditor the work is for.")
        return self.pack_call(make_assignment_pack, programme_uid=programme, auditor=auditor)
