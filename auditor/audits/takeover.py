"""Taking over another auditor's draft: the draft becomes the taker's, with a reason.

A draft is changed by its own auditor only (:mod:`auditor.audits.ownership`). When someone else must
finish it (the auditor left, is ill, the QA lead finishes it), they take it over: the audit's
auditor becomes them, and the trail keeps who did it, from whom and why.
"""

from __future__ import annotations

from auditor.audits.ownership import is_drafts_auditor
from auditor.audits.records import audit_row, touch_audit
from auditor.domain import AuditStatus
from auditor.errors import AuditStateError, ValidationError
from auditor.store import Store
from auditor.store.trail import Change, record


def take_over_audit(store: Store, audit_uid: str, *, actor: str, reason: str) -> None:
    """Make ``actor`` the auditor of the draft ``audit_uid``, recording ``reason``."""
    if not actor.strip():
        raise ValidationError("Taking over an audit needs your name (Edit → Your name…).")
    if not reason.strip():
        raise ValidationError("Say why you take over this audit: the reason is kept in the trail.")
    with store.atomic():
        row = audit_row(store, audit_uid)
        if row["status"] != AuditStatus.DRAFT.value:
            status = AuditStatus(row["status"]).label.lower()
            raise AuditStateError(f"Only a draft can be taken over; this audit is {status}.")
        if is_drafts_auditor(row["auditor"], actor):
            raise AuditStateError("This draft is already yours.")
        store.execute("UPDATE audits SET auditor = ? WHERE id = ?", [actor.strip(), row["id"]])
        touch_audit(store, row["id"])
        change = Change(
            "audit",
            audit_uid,
            "auditor",
            row["auditor"],
            actor.strip(),
            audit_uid=audit_uid,
            reason=f"Taken over: {reason.strip()}",
        )
        record(store, [change], actor=actor.strip())
