"""The audits list: my drafts, submitted, moderated, final (or all), with what can be done
to each — open, moderate, make final, return to its auditor, delete a draft, history."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabBar,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from auditor.audits.moderating import moderation_refusal
from auditor.audits.records import AuditSummary, list_audits
from auditor.audits.workflow import delete_audit, finalise_audit, return_to_draft
from auditor.domain import AuditStatus
from auditor.words import plural
from ui.audits.model import AuditListModel
from ui.errors import reporting_user_errors
from ui.session import Session
from ui.widgets.common import buddy, fit_columns_once, named, save_table_state, setup_table
from ui.widgets.history import HistoryDialog
from ui.widgets.reason import ReasonDialog
from ui.widgets.table import UID_ROLE

# (tab label, status shown, mine only)
TABS: tuple[tuple[str, AuditStatus | None, bool], ...] = (
    ("My drafts", AuditStatus.DRAFT, True),
    ("Submitted", AuditStatus.SUBMITTED, False),
    ("Moderated", AuditStatus.MODERATED, False),
    ("Final", AuditStatus.FINAL, False),
    ("All audits", None, False),
)
MODERATE_TIP = "Moderate a submitted audit"


class AuditsView(QWidget):
    open_audit_requested = Signal(str)
    moderate_requested = Signal(str)
    export_feedback_requested = Signal(str)  # the window opens File → Export audit feedback

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.model = AuditListModel(self)
        self._request = 0  # the newest load wins: a slow older one is dropped
        self.tabs = named(QTabBar(), "Which audits", "Drafts, submitted, moderated, final")
        self.tabs.setObjectName("auditTabs")
        for label, _status, _mine in TABS:
            self.tabs.addTab(label)
        self.tabs.currentChanged.connect(lambda _i: self.reload())
        # Ctrl+PgDown / Ctrl+PgUp change the list from anywhere in the view, as in a tabbed
        # window: the tab bar is otherwise reached only by Tab past the Find box.
        for keys, step in (("Ctrl+PgDown", 1), ("Ctrl+PgUp", -1)):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(lambda step=step: self._next_list(step))
        self.text = named(QLineEdit(), "Find an audit", "Case reference, team or auditor")
        self.text.setPlaceholderText("Find: case reference, team or auditor")
        self.text.setClearButtonEnabled(True)
        self.text.textChanged.connect(self._apply_filter)
        self.count = QLabel()
        self.table = named(
            QTableView(), "Audits", "Enter opens the selected audit", object_name="auditTable"
        )
        setup_table(self.table, session.settings, "audits")
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.activated.connect(lambda _index: self.open_selected())
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._enable_buttons())
        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        for key, text, tip, slot in (
            ("open", "&Open", "Open the audit form (Enter)", self.open_selected),
            ("moderate", "&Moderate…", MODERATE_TIP, self.moderate_selected),
            ("final", "Make fi&nal", "Lock a submitted or moderated audit", self.finalise_selected),
            ("return", "&Return to auditor…", "Send a submitted audit back", self.return_selected),
            (
                "delete",
                "&Delete draft…",
                "Delete a draft (kept as a tombstone)",
                self.delete_selected,
            ),
            ("history", "Histor&y…", "Every change to the selected audit", self.history_selected),
            (
                "feedback",
                "E&xport feedback…",
                "The feedback workbook for the practitioner on the selected audit",
                self.export_feedback_selected,
            ),
        ):
            button = named(QPushButton(text), text.replace("&", "").rstrip("…"), tip)
            button.setObjectName(f"audit_{key}")
            button.clicked.connect(slot)
            self.buttons[key] = button
            row.addWidget(button)
        row.addStretch(1)
        top = QHBoxLayout()
        top.addWidget(self.tabs)
        top.addStretch(1)
        top.addWidget(buddy("F&ind:", self.text))
        top.addWidget(self.text)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count)
        layout.addLayout(row)
        session.changes.audits_changed.connect(self.reload)
        self._enable_buttons()

    def _next_list(self, step: int) -> None:
        self.tabs.setCurrentIndex((self.tabs.currentIndex() + step) % self.tabs.count())

    def shown(self) -> None:
        self.reload()

    def enter(self) -> None:
        """Come in from the navigation (Enter there): the list takes the focus, with its
        selected audit, so the next Enter opens it."""
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def save_state(self) -> None:
        save_table_state(self.table, self.session.settings)

    def reload(self) -> None:
        """Load the chosen tab's audits off the GUI thread."""
        _label, status, mine = TABS[max(0, self.tabs.currentIndex())]
        auditor = self.session.actor if mine else None
        if mine and not auditor:
            self.model.set_rows([])
            self.count.setText("Set your name (Edit → Your name…) to see your drafts.")
            return

        def read(store, _progress):  # type: ignore[no-untyped-def]
            return list_audits(store, status=status, auditor=auditor)

        self._request += 1
        request = self._request
        self.session.runner.run(
            self.session.worker(read),
            on_success=lambda rows: self._show(rows) if request == self._request else None,
            label="load audits",
        )

    def _show(self, rows: list[AuditSummary]) -> None:
        selected = self.selected_uid()
        self.model.set_rows(rows)
        fit_columns_once(self.table)
        self._apply_filter()
        row = self.model.row_of_uid(selected) if selected else -1
        if row < 0 and self.model.rowCount():
            row = 0
        if row >= 0:
            self.table.selectRow(row)
        self._enable_buttons()

    def _apply_filter(self) -> None:
        needle = self.text.text().strip().casefold()
        self.model.set_filter(
            (lambda rows: [r for r in rows if needle in
                           f"{r.case_reference} {r.team} {r.auditor}".casefold()])
            if needle else None
        )  # fmt: skip
        shown, total = self.model.rowCount(), self.model.total
        self.count.setText(
            f"{shown:,} of {plural(total, 'audit')}" if shown != total else plural(total, "audit")
        )

    def selected(self) -> AuditSummary | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0]) if rows else None

    def selected_uid(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].data(UID_ROLE) if rows else None

    def _enable_buttons(self) -> None:
        audit = self.selected()
        status = audit.status if audit else None
        self.buttons["open"].setEnabled(audit is not None)
        self.buttons["history"].setEnabled(audit is not None)
        self.buttons["feedback"].setEnabled(audit is not None)
        self._enable_moderate(audit)
        self.buttons["return"].setEnabled(status is AuditStatus.SUBMITTED)
        self.buttons["final"].setEnabled(status in (AuditStatus.SUBMITTED, AuditStatus.MODERATED))
        self.buttons["delete"].setEnabled(status is AuditStatus.DRAFT)

    def _enable_moderate(self, audit: AuditSummary | None) -> None:
        """Moderate… only on someone else's submitted audit; the tooltip says why not."""
        button = self.buttons["moderate"]
        submitted = audit is not None and audit.status is AuditStatus.SUBMITTED
        refusal = moderation_refusal(audit.auditor, self.session.actor) if audit else ""
        button.setEnabled(submitted and not refusal)
        button.setToolTip(refusal if submitted and refusal else MODERATE_TIP)

    # -- actions ----------------------------------------------------------------------------

    def open_selected(self) -> None:
        if (uid := self.selected_uid()) is not None:
            self.open_audit_requested.emit(uid)

    def moderate_selected(self) -> None:
        if (uid := self.selected_uid()) is not None:
            self.moderate_requested.emit(uid)

    def finalise_selected(self) -> None:
        if (uid := self.selected_uid()) is not None:
            self._change(lambda: finalise_audit(self.session.store, uid, actor=self.session.actor))

    def return_selected(self) -> None:
        if (uid := self.selected_uid()) is not None:
            self._with_reason(
                "Return to its auditor",
                "What must the auditor change before submitting again?",
                lambda reason: return_to_draft(
                    self.session.store, uid, actor=self.session.actor, reason=reason
                ),
            )

    def delete_selected(self) -> None:
        if (uid := self.selected_uid()) is not None:
            self._with_reason(
                "Delete a draft audit",
                "Why is this draft deleted? (It is kept as a tombstone in the trail.)",
                lambda reason: delete_audit(
                    self.session.store, uid, actor=self.session.actor, reason=reason
                ),
            )

    def history_selected(self) -> None:
        if (audit := self.selected()) is not None:
            title = f"the audit of {audit.case_reference}"
            HistoryDialog(self.session.store, audit.uid, title, self).open()

    def export_feedback_selected(self) -> None:
        if (uid := self.selected_uid()) is not None:
            self.export_feedback_requested.emit(uid)

    def _with_reason(self, title: str, question: str, change: Callable[[str], None]) -> None:
        dialog = ReasonDialog(title, question, ok_text=title.split(" ")[0], parent=self)
        dialog.setObjectName("auditReasonDialog")
        dialog.accepted.connect(lambda: self._change(lambda: change(dialog.reason)))
        dialog.open()

    def _change(self, change: Callable[[], None]) -> None:
        with reporting_user_errors(self, "changing an audit"):
            change()
            self.session.changes.audits_changed.emit()
