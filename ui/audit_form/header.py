"""The top of the audit form: which case, its status, progress ("18 of 27 answered"), when
the last save was ("Saved 14:03:27") or how many changes wait to be saved and why, the red
safeguarding banner and the read-only note."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from auditor.audits.records import Audit
from auditor.clock import uk_date
from auditor.domain import AuditStatus
from ui.widgets.common import heading, named, wrapped

SAVED_TIP = "Every answer and note is saved as you make it"
SAFEGUARDING_BANNER = "⚠ IMMEDIATE SAFEGUARDING CONCERN — a child may be unsafe now."


class AuditHeader(QWidget):
    def __init__(self, audit: Audit, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = heading(f"Audit of {audit.case.reference}", level=1)
        self.facts = wrapped(self._facts(audit))
        self.status = QLabel(objectName="statusBadge")
        self.progress = QLabel(objectName="progress")
        self.saved = QLabel("No changes yet", objectName="savedLabel")
        named(self.saved, "Save status", SAVED_TIP)
        self.banner = wrapped(SAFEGUARDING_BANNER, object_name="safeguardingBanner")
        self.mode_banner = wrapped("", object_name="readOnlyBanner")
        row = QHBoxLayout()
        row.addWidget(self.status)
        row.addWidget(self.progress)
        row.addStretch(1)
        row.addWidget(self.saved)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.facts)
        layout.addLayout(row)
        layout.addWidget(self.banner)
        layout.addWidget(self.mode_banner)

    def mark_saved(self) -> None:
        self._show_saved(f"Saved {datetime.now():%H:%M:%S}", unsaved=False)

    def mark_saving(self) -> None:
        """Typed text waits for a pause in typing: not "Saved" until it is written."""
        self._show_saved("Saving…", unsaved=False)

    def mark_not_saved(self) -> None:
        """The core refused a change (its message says why): it was not saved."""
        self._show_saved("⚠ Not saved: see the message", unsaved=True)

    def mark_waiting(self, count: int, reason: str, detail: str) -> None:
        """``count`` changes could not be saved yet (``reason``): they are kept and retried."""
        changes = f"{count} change{'s' if count != 1 else ''}"
        self._show_saved(f"⚠ Not saved — {changes} waiting: {reason}. Retrying…", unsaved=True)
        self.saved.setToolTip(
            f"{detail}\nYour changes are kept here and saved as soon as they can be."
        )

    def _show_saved(self, text: str, *, unsaved: bool) -> None:
        self.saved.setText(text)
        if not unsaved:
            self.saved.setToolTip(SAVED_TIP)
        if self.saved.property("unsaved") != unsaved:
            self.saved.setProperty("unsaved", unsaved)
            self.saved.style().unpolish(self.saved)
            self.saved.style().polish(self.saved)

    def show_safeguarding(self, concern: bool, open_actions: int) -> None:
        follow_up = (
            f"{open_actions} open action{'s' if open_actions != 1 else ''} raised."
            if open_actions
            else "Raise an action (Ctrl+Shift+A) before you submit."
        )
        self.banner.setText(f"{SAFEGUARDING_BANNER} {follow_up}")
        self.banner.setVisible(concern)

    def show_mode(self, audit: Audit, amend_reason: str, *, mine: bool = True) -> None:
        """Say whether the audit can be changed here, and how; ``mine``: the person working
        is the audit's auditor (a draft is changed by its own auditor only)."""
        self.facts.setText(self._facts(audit))
        self.status.setText(f"Status: {audit.status.label}")
        if audit.status is AuditStatus.DRAFT and not mine:
            text = (
                f"{audit.auditor}'s draft: read-only for you. To finish it yourself, take it "
                "over (Take over…); your reason is kept in the audit trail."
            )
        else:
            text = _mode_text(audit.status, amend_reason)
        self.mode_banner.setText(text)
        self.mode_banner.setVisible(bool(text))

    @staticmethod
    def _facts(audit: Audit) -> str:
        case, framework = audit.case, audit.framework
        return (
            f"{audit.case_type_words} · {case.team} · worker {case.worker} · "
            f"{framework.title} {framework.version} · auditor {audit.auditor} · "
            f"{uk_date(audit.audit_date.isoformat())}"
        )


def _mode_text(status: AuditStatus, amend_reason: str) -> str:
    if status is AuditStatus.FINAL and amend_reason:
        return f"Amending a final audit. Every change is recorded with your reason: {amend_reason}"
    if status is AuditStatus.FINAL:
        return "Final: locked. A change is an amendment with a reason (Amend…)."
    if status is AuditStatus.SUBMITTED:
        return "Submitted: read-only. A QA lead moderates it, or returns it to you for changes."
    if status is AuditStatus.MODERATED:
        return "Moderated: read-only until the QA lead makes it final."
    return ""
