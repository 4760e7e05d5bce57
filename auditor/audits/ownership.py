"""Whose draft it is: a draft audit is changed by its own auditor only.

Anyone else (a QA lead, another auditor) sees it read-only and takes it over first, with a
reason (:func:`auditor.audits.takeover.take_over_audit`), so the trail never names one person as the
author of another's work. Submitted audits are moderated, final ones amended, by anyone
allowed to: this rule is about drafts only.
"""

from __future__ import annotations

from auditor.errors import AuditStateError


def is_drafts_auditor(auditor: str, actor: str) -> bool:
    """True when ``actor`` is the audit's ``auditor`` (names compared as moderation does)."""
    return actor.strip().casefold() == auditor.strip().casefold()


def not_yours_message(auditor: str) -> str:
    return (
        f"This draft is {auditor}'s: only they can change it. To work on it yourself, take it "
        "over first (your reason is kept in the audit trail)."
    )


def check_drafts_auditor(auditor: str, actor: str) -> None:
    """Refuse a change to a draft by someone who is not its auditor."""
    if not is_drafts_auditor(auditor, actor):
        raise AuditStateError(not_yours_message(auditor))
