"""Rules for an immediate safeguarding concern (a child the auditor believes unsafe now).

- Its action is due today, or on the next working day when today is not one: a child who
  may be unsafe now cannot wait the four weeks an ordinary action gets.
- Raising the concern while the framework's "Is the child safe now?" question is answered
  Yes contradicts that answer: the audit form asks the auditor which is right. That
  question is the criterion on the ``yes_no_always`` scale (Yes / No, no Not applicable),
  the scale frameworks keep for it (docs/frameworks.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

from auditor.clock import today
from auditor.frameworks.model import Criterion, Framework
from auditor.workdays import is_working_day

SAFE_NOW_SCALE = "yes_no_always"


def safeguarding_due_date(on: date | None = None) -> date:
    """When a safeguarding action is due by default: ``on`` (today) if it is a working day,
    else the next working day."""
    day = on or today()
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def safe_now_criterion(framework: Framework, case_type: str) -> Criterion | None:
    """The "Is the child safe now?" criterion asked for this case type, if the framework
    has one."""
    return next(
        (c for c in framework.criteria_for(case_type) if c.scale.code == SAFE_NOW_SCALE), None
    )


def answered_safe_now(
    framework: Framework, case_type: str, answers: Mapping[str, str | None]
) -> Criterion | None:
    """The "safe now" criterion when ``answers`` say the child is safe (a full-score
    answer), which a safeguarding concern contradicts; None otherwise."""
    criterion = safe_now_criterion(framework, case_type)
    value = answers.get(criterion.code) if criterion else None
    if criterion is None or not value:
        return None
    return criterion if criterion.scale.value(value).met else None
