"""The fixed vocabulary of the domain: case types, grades, statuses, case date fields.

Frameworks (criteria, scales, targets, timescales) are data; these few words are the
shared language every framework, report and screen uses, so they live in code.
"""

from enum import StrEnum


class CaseType(StrEnum):
    EARLY_HELP = "early_help"
    CHILD_IN_NEED = "child_in_need"
    CHILD_PROTECTION = "child_protection"
    LOOKED_AFTER = "looked_after"
    CARE_LEAVER = "care_leaver"

    @property
    def label(self) -> str:
        return CASE_TYPE_LABELS[self]


CASE_TYPE_LABELS: dict[CaseType, str] = {
    CaseType.EARLY_HELP: "Early help",
    CaseType.CHILD_IN_NEED: "Child in need",
    CaseType.CHILD_PROTECTION: "Child protection",
    CaseType.LOOKED_AFTER: "Child looked after",
    CaseType.CARE_LEAVER: "Care leaver",
}


class Grade(StrEnum):
    """Ofsted's four-point judgement, best first."""

    OUTSTANDING = "outstanding"
    GOOD = "good"
    REQUIRES_IMPROVEMENT = "requires_improvement"
    INADEQUATE = "inadequate"

    @property
    def label(self) -> str:
        return GRADE_LABELS[self]

    @property
    def rank(self) -> int:
        """4 for Outstanding down to 1 for Inadequate: higher is better."""
        return GRADE_RANKS[self]

    @classmethod
    def from_rank(cls, rank: int) -> "Grade":
        return next(g for g, r in GRADE_RANKS.items() if r == rank)

    @property
    def good_or_better(self) -> bool:
        return self.rank >= GRADE_RANKS[Grade.GOOD]


GRADE_LABELS: dict[Grade, str] = {
    Grade.OUTSTANDING: "Outstanding",
    Grade.GOOD: "Good",
    Grade.REQUIRES_IMPROVEMENT: "Requires improvement to be good",
    Grade.INADEQUATE: "Inadequate",
}
GRADE_RANKS: dict[Grade, int] = {
    Grade.OUTSTANDING: 4,
    Grade.GOOD: 3,
    Grade.REQUIRES_IMPROVEMENT: 2,
    Grade.INADEQUATE: 1,
}


class AuditStatus(StrEnum):
    """draft → submitted → moderated → final. A final audit is locked."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    MODERATED = "moderated"
    FINAL = "final"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class ActionStatus(StrEnum):
    OPEN = "open"
    DONE = "done"


# The dates a case may carry, in the order a case usually moves through them. Timescales
# in frameworks name these fields; imports map spreadsheet columns onto them.
CASE_DATE_FIELDS: dict[str, str] = {
    "referral_date": "Referral received",
    "assessment_start": "Assessment started",
    "assessment_end": "Assessment completed",
    "strategy_discussion_date": "Strategy discussion",
    "initial_conference_date": "Initial child protection conference",
    "core_group_first_date": "First core group",
    "review_conference_date": "First review conference",
    "plan_start": "Plan started",
    "looked_after_start": "Became looked after",
    "first_lac_review_date": "First looked-after review",
    "health_assessment_date": "Last health assessment",
    "last_visit": "Last visit",
    "last_supervision": "Last supervision",
    "closed_date": "Case closed",
}

# Non-date case fields other than the reference and case type.
CASE_TEXT_FIELDS: dict[str, str] = {
    "team": "Team",
    "worker": "Allocated worker",
}


def case_type_label(value: str) -> str:
    """A stored case type in words ("Child protection"); an unknown one as it is."""
    try:
        return CASE_TYPE_LABELS[CaseType(value)]
    except ValueError:
        return value
