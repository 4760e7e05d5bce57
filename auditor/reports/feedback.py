"""The feedback workbook for one audit: what a practitioner receives after their case file
is audited — the case, each criterion with its answer and evidence, the grade, what is
working well, what must improve, and the actions."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from auditor import __version__
from auditor.audits.moderating import RecordedModeration, recorded_moderation
from auditor.audits.records import Audit, get_audit
from auditor.clock import uk_date, uk_time
from auditor.domain import Grade
from auditor.frameworks.model import Criterion
from auditor.reports import styles
from auditor.reports.layout import Lines
from auditor.reports.output import atomic_output, check_target, discard, save_workbook
from auditor.reports.pseudonym import Pseudonyms
from auditor.reports.scope import answer_text, read_snapshot
from auditor.store import Store
from auditor.words import plural

WIDTHS = (34, 56, 12, 60, 46)


def export_audit_feedback(
    store: Store, audit_uid: str, out_path: Path | str, *, pseudonymise: bool = False
) -> Path:
    """Write the feedback workbook for one audit to ``out_path``; returns the path.

    With ``pseudonymise`` the case reference is replaced by its pseudonym (as in the report)
    and the worker's and action owners' names are left out.
    """
    target = check_target(out_path)
    pseudonyms = Pseudonyms.for_store(store) if pseudonymise else None
    with read_snapshot(store):
        audit = get_audit(store, audit_uid)
        moderation = recorded_moderation(store, audit_uid)
    wb = Workbook(write_only=True)
    # Written inside the output's block: a failure while the sheet is streamed to the
    # temporary folder is reported like one while saving, naming the file.
    with atomic_output(target) as temp:
        try:
            _write(wb, audit, moderation, pseudonyms)
            save_workbook(wb, temp)
        except BaseException:
            discard(wb)
            raise
    return target


def _write(
    wb: Any, audit: Audit, moderation: RecordedModeration | None, pseudonyms: Pseudonyms | None
) -> None:
    ws = wb.create_sheet("Feedback")
    styles.set_up_sheet(ws, WIDTHS)
    lines = Lines(ws, WIDTHS)
    reference = audit.case.reference
    case = pseudonyms(reference) if pseudonyms else reference

    def scrub(text: str) -> str:
        return pseudonyms.scrub(text, reference) if pseudonyms else text

    lines.add(styles.cell(ws, f"Case audit feedback: {case}", font=styles.TITLE_FONT))
    made = uk_time(datetime.now(UTC))
    lines.add(styles.cell(ws, f"Made {made} by Case Auditor {__version__}", font=styles.NOTE_FONT))
    _case(lines, audit, case, pseudonyms is not None)
    _grade(lines, audit, scrub)
    if moderation is not None:
        _moderation(lines, audit, moderation, scrub)
    lines.heading("What is working well")
    lines.wrapped(None, scrub(audit.strengths) or "Nothing recorded.")
    lines.heading("What must improve")
    lines.wrapped(None, scrub(audit.improvements) or "Nothing recorded.")
    lines.heading("Feedback to the practitioner")
    lines.wrapped(None, scrub(audit.feedback) or "Nothing recorded.")
    _criteria(lines, audit, moderation, scrub)
    _actions(lines, audit, scrub, pseudonyms is not None)
    styles.page_titles(ws, f"Case audit feedback: {case}", f"Audit {uk_date(audit.audit_date)}",
                       f"Made {uk_date(datetime.now(UTC).date())}")  # fmt: skip


def _case(lines: Lines, audit: Audit, case: str, pseudonymised: bool) -> None:
    lines.heading("The case and the audit")
    lines.pair("Case", case)
    lines.pair("Case type", audit.case_type_words)
    lines.pair("Team", audit.case.team)
    if not pseudonymised:
        lines.pair("Allocated worker", audit.case.worker)
    lines.pair("Auditor", audit.auditor)
    lines.pair("Audit date", audit.audit_date, fmt=styles.DATE)
    lines.pair("Status", audit.status.label)
    lines.pair(
        "Framework",
        f"{audit.framework.title} ({audit.framework.code}, version {audit.framework.version})",
    )


def _grade(lines: Lines, audit: Audit, scrub: Any) -> None:
    result = audit.grade()
    lines.heading("Grade")
    lines.pair("Final grade", audit.final_grade.label if audit.final_grade else "Not graded yet")
    lines.pair(
        "Suggested grade (from the answers)",
        result.suggested.label if result.suggested else "Not enough answers yet",
    )
    lines.pair(
        "Compliance (share of the available score)",
        styles.fraction(result.compliance),
        fmt=styles.PERCENT,
    )
    if audit.grade_reason:
        lines.wrapped("Why the grade differs", scrub(audit.grade_reason))
    concern = "Yes" if audit.safeguarding_concern else "No"
    lines.pair("Immediate safeguarding concern", concern)
    if audit.safeguarding_concern and audit.safeguarding_note:
        lines.wrapped("What was done", scrub(audit.safeguarding_note))


def _moderation(lines: Lines, audit: Audit, moderation: RecordedModeration, scrub: Any) -> None:
    """Who moderated, and what they changed: the grade before and after, with the reason
    (the answers they changed are in the criteria below, each with its reason)."""
    lines.heading("Moderation")
    lines.pair("Moderated by", moderation.moderator)
    lines.pair("Moderated on", uk_date(moderation.created_at))
    before = moderation.auditor_grade.label if moderation.auditor_grade else "No grade"
    if moderation.grade.agreed:
        lines.pair("Grade", f"The moderator agreed the auditor's grade, {before}.")
    else:
        after = Grade(str(moderation.grade.value)).label
        lines.wrapped("Grade", f"Changed from {before} (the auditor's) to {after}.")
        lines.wrapped("The moderator's reason", scrub(moderation.grade.reason))
    changed = [code for code, d in moderation.decisions.items() if not d.agreed]
    lines.pair(
        "Answers changed",
        f"{len(changed)} of {plural(len(moderation.decisions), 'criterion')}"
        + (f": {', '.join(changed)} (see each criterion below)" if changed else ""),
    )


def _criteria(
    lines: Lines, audit: Audit, moderation: RecordedModeration | None, scrub: Any
) -> None:
    ws = lines.ws
    lines.heading("Each criterion")
    headers = ["Code", "Criterion", "Answer", "Evidence seen (by the auditor)"]
    if moderation is not None:
        headers.append("Moderation")
    lines.add(*(styles.header_cell(ws, h) for h in headers))
    section = None
    for criterion in audit.criteria:
        if criterion.section != section:
            section = criterion.section
            lines.add(styles.cell(ws, audit.framework.section_title(section), font=styles.BOLD))
        answer = audit.answers.get(criterion.code)
        value = answer.value if answer else None
        label = None if value is None else answer_text(criterion.scale.value(value))
        evidence = scrub(answer.evidence) if answer and answer.evidence else None
        lines.wrapped(
            criterion.code,
            criterion.text,
            _answer_cell(ws, value, label),
            evidence or ("No evidence recorded." if value is not None else None),
            *([] if moderation is None else [_moderated(criterion, moderation, scrub)]),
        )


def _moderated(criterion: Criterion, moderation: RecordedModeration, scrub: Any) -> str | None:
    """What the moderator did to one answer: None when they agreed it, else the auditor's
    answer they changed and their reason (the Answer column shows the moderated one)."""
    decision = moderation.decisions.get(criterion.code)
    if decision is None or decision.agreed:
        return None
    before = moderation.auditor_values.get(criterion.code)
    said = answer_text(criterion.scale.value(before)) if before else "not answered"
    after = answer_text(criterion.scale.value(decision.value)) if decision.value else "none"
    return f"Changed from {said} (the auditor's answer) to {after}: {scrub(decision.reason)}"


def _answer_cell(ws: Any, value: str | None, label: str | None) -> Any:
    if label is None:
        return "Not answered"
    fill, _ = styles.ANSWER_COLOURS.get(value or "", (None, None))
    return styles.cell(ws, label, fill=fill)


def _actions(lines: Lines, audit: Audit, scrub: Any, pseudonymised: bool) -> None:
    ws = lines.ws
    lines.heading("Actions")
    if not audit.actions:
        lines.add("No actions were raised.")
        return
    headers = ("Due", "Action", "Status", *(() if pseudonymised else ("Owner",)))
    lines.add(*(styles.header_cell(ws, h) for h in headers))
    for action in audit.actions:
        lines.wrapped(
            styles.cell(ws, action.due_date, fmt=styles.DATE) if action.due_date else None,
            scrub(action.text),
            "Overdue" if action.is_overdue() else action.status.capitalize(),
            *(() if pseudonymised else (action.owner,)),
        )
