"""What stops an audit being submitted, one gap at a time, and the same gaps summarised by
section ("Risk: 3 criteria unanswered") for people: a form with 31 criteria left must not
answer with 31 lines. The audit form and the command line say the same."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from auditor.audits.records import Audit

# The kinds of gap, in the order an auditor meets them.
UNANSWERED = "unanswered"
EVIDENCE = "evidence"
FINAL_GRADE = "final_grade"
GRADE_REASON = "grade_reason"
SAFEGUARDING_ACTION = "safeguarding_action"


@dataclass(frozen=True)
class Gap:
    """One thing missing before submission; ``criterion`` and ``section`` (its title) are
    set for a criterion's gap, empty for the audit's own."""

    kind: str
    message: str
    criterion: str = ""
    section: str = ""


def submission_gaps(audit: Audit) -> list[Gap]:
    """Everything that stops ``audit`` being submitted, in the form's order (empty: ready).

    Only the criteria asked need an answer: one whose condition does not hold (its gate
    answered otherwise) is not required, and an answer kept for it needs no evidence."""
    titles = {s.code: s.title for s in audit.framework.sections}
    gaps = []
    for criterion in audit.criteria:
        answer = audit.answers.get(criterion.code)
        section = titles.get(criterion.section, criterion.section)
        if answer is None or not answer.value:
            message = f"{criterion.code} is not answered"
            gaps.append(Gap(UNANSWERED, message, criterion.code, section))
            continue
        value = criterion.scale.value(answer.value)
        if value.asks_evidence and not answer.evidence.strip():
            message = f"{criterion.code} is answered '{value.label}': write the evidence you saw"
            gaps.append(Gap(EVIDENCE, message, criterion.code, section))
    suggested = audit.grade().suggested
    if audit.final_grade is None:
        gaps.append(Gap(FINAL_GRADE, "choose the final grade"))
    elif suggested and audit.final_grade != suggested and not audit.grade_reason.strip():
        message = (
            f"give a reason why your grade differs from the suggested grade ({suggested.label})"
        )
        gaps.append(Gap(GRADE_REASON, message))
    if audit.safeguarding_concern and not any(a.status == "open" for a in audit.actions):
        message = "an immediate safeguarding concern needs at least one open action"
        gaps.append(Gap(SAFEGUARDING_ACTION, message))
    return gaps


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def summarise_gaps(gaps: list[Gap]) -> list[str]:
    """The gaps in a few lines: one a section with its counts, then the audit's own, each a
    sentence ("Risk: 3 criteria unanswered and 1 answer without its evidence")."""
    by_section: dict[str, Counter[str]] = {}
    for gap in gaps:
        if gap.criterion:
            by_section.setdefault(gap.section, Counter())[gap.kind] += 1
    lines = []
    for section, counts in by_section.items():
        parts = []
        if counts[UNANSWERED]:
            parts.append(_count(counts[UNANSWERED], "criterion unanswered", "criteria unanswered"))
        if counts[EVIDENCE]:
            parts.append(
                _count(counts[EVIDENCE], "answer without its evidence", "answers without evidence")
            )
        lines.append(f"{section}: {' and '.join(parts)}")
    for gap in gaps:
        if not gap.criterion:
            lines.append(gap.message[:1].upper() + gap.message[1:])
    return lines
