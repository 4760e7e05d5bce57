"""The suggested grade: computed from an audit's answers by the rules in ``docs/grading.md``.

Pure functions, no database: the audit form calls them on every answer to update the
suggestion live, and the store calls them to save the suggestion with the audit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from auditor.domain import CaseType, Grade
from auditor.frameworks.model import Criterion, Framework, GradingRules


@dataclass(frozen=True)
class SectionScore:
    code: str
    title: str
    applicable: int  # criteria asked for this case type and these answers
    answered: int  # with any answer, N/A included
    scored: int  # answered with a scored value (N/A excluded)
    compliance: float | None  # percent of the available score achieved; None if nothing scored


@dataclass(frozen=True)
class GradeResult:
    suggested: Grade | None  # None until at least one scored answer exists
    compliance: float | None
    applicable: int
    answered: int
    sections: tuple[SectionScore, ...]
    limiting_failures: tuple[str, ...]  # codes of limiting criteria answered with a zero score

    @property
    def complete(self) -> bool:
        return self.answered == self.applicable

    @property
    def progress_text(self) -> str:
        return f"{self.answered} of {self.applicable} answered"


def grade_from_compliance(compliance: float, rules: GradingRules) -> Grade:
    """The grade band a compliance percentage falls in."""
    if compliance >= rules.outstanding_min:
        return Grade.OUTSTANDING
    if compliance >= rules.good_min:
        return Grade.GOOD
    if compliance >= rules.requires_improvement_min:
        return Grade.REQUIRES_IMPROVEMENT
    return Grade.INADEQUATE


def grade_audit(
    framework: Framework, case_type: CaseType | str, answers: Mapping[str, str | None]
) -> GradeResult:
    """Grade ``answers`` (criterion code → scale value code) for a case of ``case_type``.

    Only the criteria asked count (:meth:`Framework.criteria_asked`): an answer to one that
    does not apply to the case type, or whose condition does not hold, is ignored.
    """
    asked = framework.criteria_asked(case_type, answers)
    suggested, compliance, failures = _suggested(framework, asked, answers)
    sections = tuple(
        _section_score(
            section.code, section.title, [c for c in asked if c.section == section.code], answers
        )
        for section in framework.sections
        if any(c.section == section.code for c in asked)
    )
    return GradeResult(
        suggested=suggested,
        compliance=compliance,
        applicable=len(asked),
        answered=sum(1 for c in asked if answers.get(c.code)),
        sections=sections,
        limiting_failures=failures,
    )


def suggested_grade(
    framework: Framework, case_type: CaseType | str, answers: Mapping[str, str | None]
) -> tuple[Grade | None, float | None]:
    """The suggested grade and compliance of :func:`grade_audit` alone, without the sections:
    what an audit's row keeps, worked out again for every answer saved."""
    suggested, compliance, _ = _suggested(
        framework, framework.criteria_asked(case_type, answers), answers
    )
    return suggested, compliance


def _suggested(
    framework: Framework, asked: tuple[Criterion, ...], answers: Mapping[str, str | None]
) -> tuple[Grade | None, float | None, tuple[str, ...]]:
    """The grade the asked criteria's answers suggest, their compliance, and the limiting
    criteria that failed (each capping the grade)."""
    scores = [_score(c, answers) for c in asked]  # each criterion's once, for both uses
    scored = [s for s in scores if s is not None]
    total, available = sum(scored), len(scored)
    compliance = None if available == 0 else 100.0 * total / available
    failures = tuple(c.code for c, s in zip(asked, scores, strict=True) if c.limiting and s == 0.0)
    suggested = None
    if compliance is not None:
        suggested = grade_from_compliance(compliance, framework.grading)
        if failures and suggested.rank > framework.grading.limiting_cap.rank:
            suggested = framework.grading.limiting_cap
    return suggested, compliance, failures


def _score(criterion: Criterion, answers: Mapping[str, str | None]) -> float | None:
    code = answers.get(criterion.code)
    if not code:
        return None
    return criterion.scale.value(code).score


def _score_sum(
    criteria: list[Criterion] | tuple[Criterion, ...], answers: Mapping[str, str | None]
) -> tuple[float, int]:
    """Sum of scores and the number of scored answers (each criterion is worth 1)."""
    scores = [s for c in criteria if (s := _score(c, answers)) is not None]
    return sum(scores), len(scores)


def _section_score(
    code: str, title: str, criteria: list[Criterion], answers: Mapping[str, str | None]
) -> SectionScore:
    total, scored = _score_sum(criteria, answers)
    return SectionScore(
        code=code,
        title=title,
        applicable=len(criteria),
        answered=sum(1 for c in criteria if answers.get(c.code)),
        scored=scored,
        compliance=None if scored == 0 else 100.0 * total / scored,
    )
