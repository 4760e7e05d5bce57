"""Two versions of a small framework and audits on each, for the crosswalk tests.

Version 1 has A-1, A-2, B-1, B-2, C-1; version 2 keeps A-1 word for word, rewords A-2 as
A-3, merges B-1 and B-2 into B-9, adds N-1 and retires C-1.
"""

from __future__ import annotations

from datetime import date

from auditor.audits.records import record_answer, start_audit, update_audit
from auditor.audits.workflow import submit_audit
from auditor.cases.records import add_case
from auditor.frameworks.crosswalk import Continuation, Crosswalk, Kind
from auditor.frameworks.library import register_framework
from auditor.frameworks.model import Framework, parse_framework
from auditor.store import Store

QA = "Demo QA Lead"
AUDITOR = "Demo Auditor 01"

V1 = {
    "A-1": "Is the level of risk recorded?",
    "A-2": "Is a risk framework applied?",
    "B-1": "Are the child's views recorded?",
    "B-2": "Are the parents' views recorded?",
    "C-1": "Is the chronology up to date?",
}
V2 = {
    "A-1": "Is the level of risk recorded?",
    "A-3": "Is a recognised risk framework applied and its result recorded?",
    "B-9": "Are the views of the child and family recorded?",
    "N-1": "Is the plan shared with the family?",
}


def framework_toml(version: str, criteria: dict[str, str], code: str = "TREND") -> str:
    head = f'''code = "{code}"
title = "Trend test framework"
version = "{version}"
description = "Synthetic framework used only by the tests."

[grading]
outstanding_min = 90
good_min = 75
requires_improvement_min = 50
limiting_cap = "requires_improvement"

[scales.ypn]
label = "Yes / Partly / No / Not applicable"
values = [
  {{ code = "yes", label = "Yes", key = "1", score = 1.0 }},
  {{ code = "partly", label = "Partly", key = "2", score = 0.5 }},
  {{ code = "no", label = "No", key = "3", score = 0.0 }},
  {{ code = "na", label = "Not applicable", key = "4" }},
]

[[sections]]
code = "ALL"
title = "Everything"
'''
    body = "".join(
        f'''
[[sections.criteria]]
code = "{c}"
text = "{text}"
scale = "ypn"
applies_to = ["all"]
target = 80
sources = ["Test notice, para {i}"]
'''
        for i, (c, text) in enumerate(criteria.items(), start=1)
    )
    return head + body


def versions(store: Store, code: str = "TREND") -> tuple[Framework, Framework]:
    old = parse_framework(framework_toml("1.0.0", V1, code), origin="test v1")
    new = parse_framework(framework_toml("2.0.0", V2, code), origin="test v2")
    register_framework(store, old)
    register_framework(store, new)
    return old, new


def crosswalk(code: str = "TREND") -> Crosswalk:
    return Crosswalk(
        code,
        "1.0.0",
        code,
        "2.0.0",
        (
            Continuation("A-1", Kind.SAME, ("A-1",)),
            Continuation("A-3", Kind.REWORDED, ("A-2",)),
            Continuation("B-9", Kind.MERGED, ("B-1", "B-2")),
            Continuation("N-1", Kind.NEW),
        ),
        ("C-1",),
    )


def audit(
    store: Store, ref: str, day: date, version: str, answers: dict[str, str], code: str = "TREND"
) -> str:
    case = add_case(store, actor=AUDITOR, reference=ref, case_type="child_in_need", team="North")
    uid = start_audit(
        store,
        case_uid=case.uid,
        auditor=AUDITOR,
        framework_code=code,
        framework_version=version,
        audit_date=day,
    )
    for criterion, value in answers.items():
        record_answer(store, uid, criterion, value=value, evidence="Seen.", actor=AUDITOR)
    update_audit(
        store, uid, actor=AUDITOR, final_grade="good", grade_reason="Judgement.",
        strengths="Warm relationship.", improvements="Plan needs dates.",
    )  # fmt: skip
    submit_audit(store, uid, actor=AUDITOR)
    return uid


# Four audits on version 1 in January, three on version 2 in March.
OLD_AUDITS = [
    {"A-1": "yes", "A-2": "yes", "B-1": "yes", "B-2": "yes", "C-1": "yes"},
    {"A-1": "no", "A-2": "yes", "B-1": "yes", "B-2": "no", "C-1": "no"},
    {"A-1": "yes", "A-2": "partly", "B-1": "na", "B-2": "yes", "C-1": "yes"},
    {"A-1": "yes", "A-2": "no", "B-1": "na", "B-2": "na", "C-1": "no"},
]
NEW_AUDITS = [
    {"A-1": "yes", "A-3": "yes", "B-9": "yes", "N-1": "no"},
    {"A-1": "yes", "A-3": "no", "B-9": "yes", "N-1": "yes"},
    {"A-1": "no", "A-3": "yes", "B-9": "partly", "N-1": "yes"},
]


def fill(store: Store, code: str = "TREND") -> None:
    for i, answers in enumerate(OLD_AUDITS, start=1):
        audit(store, f"DEMO-01-00010{i}", date(2026, 1, 5 + i), "1.0.0", answers, code)
    for i, answers in enumerate(NEW_AUDITS, start=1):
        audit(store, f"DEMO-01-00020{i}", date(2026, 3, 5 + i), "2.0.0", answers, code)
