"""The moderation screen's side panel: the rest of the auditor's audit, which a moderator
must read before judging it: the grade and the reason it differs from the suggestion, the
safeguarding concern and what was done about it, the actions raised and the feedback."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from auditor.audits.actions import Action
from auditor.audits.records import Audit
from auditor.clock import uk_date
from ui.moderation.card import rich_label
from ui.widgets.common import heading, named

SAFEGUARDING_BANNER = (
    "⚠ IMMEDIATE SAFEGUARDING CONCERN raised by the auditor: a child may be unsafe now."
)
FEEDBACK = (
    ("strengths", "Strengths of the practice"),
    ("improvements", "What would improve it"),
    ("feedback", "Feedback for the practitioner"),
)


def paragraph(text: str, empty: str) -> str:
    return escape(text).replace("\n", "<br>") if text.strip() else f"<i>{escape(empty)}</i>"


def safeguarding_text(audit: Audit) -> str:
    """The concern in words (never colour alone), with what the auditor did about it."""
    if not audit.safeguarding_concern:
        return "No immediate safeguarding concern was raised."
    done = audit.safeguarding_note.strip() or "the auditor wrote nothing about what was done"
    return f"{SAFEGUARDING_BANNER} What was done: {done}"


def grade_text(audit: Audit) -> str:
    suggested = audit.grade().suggested
    grade = audit.final_grade.label if audit.final_grade else "none"
    lines = [f"<b>Grade:</b> {escape(grade)}"]
    if suggested is not None and suggested != audit.final_grade:
        lines.append(f"<b>Suggested from the answers:</b> {escape(suggested.label)}")
        lines.append(
            "<b>Why the grade differs:</b> "
            + paragraph(audit.grade_reason, "no reason was written")
        )
    elif suggested is not None:
        lines.append("The same as the grade suggested from the answers.")
    return "<br>".join(lines)


def action_text(action: Action) -> str:
    due = f"due {uk_date(action.due_date.isoformat())}" if action.due_date else "no due date"
    owner = escape(action.owner) if action.owner.strip() else "no owner"
    overdue = " · ⚠ overdue" if action.is_overdue() else ""
    return f"• {escape(action.text)} <i>({owner} · {due} · {escape(action.status)}{overdue})</i>"


def plain_heading(text: str, level: int) -> QLabel:
    """A heading shown as written ("Child's voice", not an HTML entity)."""
    label = heading(text, level=level)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


class AuditorsAccount(QScrollArea):
    """Read-only: what the auditor wrote besides the answers."""

    def __init__(self, audit: Audit, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "The auditor's audit", "The grade, safeguarding, actions and feedback")
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget(objectName="auditorsAccount")
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 0, 6, 0)
        column.addWidget(plain_heading("The auditor's audit", 2))
        column.addWidget(rich_label(f"by {escape(audit.auditor)}", "auditorName"))
        self.grade = self._text(grade_text(audit), "auditorGrade")
        column.addWidget(self.grade)
        column.addWidget(plain_heading("Safeguarding", 3))
        self.safeguarding = self._text(escape(safeguarding_text(audit)), "auditorSafeguarding")
        self.safeguarding.setProperty("concern", audit.safeguarding_concern)
        column.addWidget(self.safeguarding)
        actions = audit.actions
        column.addWidget(plain_heading(f"Actions ({len(actions)})", 3))
        listed = "<br>".join(action_text(a) for a in actions) or "<i>No actions raised.</i>"
        self.actions = self._text(listed, "auditorActions")
        column.addWidget(self.actions)
        column.addWidget(plain_heading("Feedback", 3))
        self.feedback: dict[str, QLabel] = {}
        for field, title in FEEDBACK:
            text = f"<b>{title}:</b> " + paragraph(getattr(audit, field), "none written")
            self.feedback[field] = self._text(text, f"auditor_{field}")
            column.addWidget(self.feedback[field])
        column.addStretch(1)
        self.setWidget(body)

    @staticmethod
    def _text(html: str, object_name: str) -> QLabel:
        return rich_label(html, object_name)
