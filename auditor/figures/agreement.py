"""Agreement between two people judging the same case file (inter-rater agreement).

The notices ask for "consistent judgements about the levels of risk". Pairs come from
moderations (the auditor's answer and grade against the moderator's) and from blind double
audits (two auditors auditing the same case in the same programme, independently).
Both percentage agreement and Cohen's kappa (agreement corrected for chance) are reported.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from auditor.figures.stats import AUDITS_FROM, AuditFilter
from auditor.store import Store

Pair = tuple[str, str]


def percent_agreement(pairs: Sequence[Pair]) -> float | None:
    """Share of pairs where both judged the same, in percent; None for no pairs."""
    if not pairs:
        return None
    return 100.0 * sum(1 for a, b in pairs if a == b) / len(pairs)


def cohen_kappa(pairs: Sequence[Pair]) -> float | None:
    """Cohen's kappa: (observed − chance agreement) ÷ (1 − chance agreement).

    None when there are no pairs, or when chance agreement is 1 (both raters used one and
    the same category throughout: kappa is undefined, though agreement is perfect).
    """
    if not pairs:
        return None
    n = len(pairs)
    observed = sum(1 for a, b in pairs if a == b) / n
    first, second = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    chance = sum(first[c] * second[c] for c in first) / (n * n)
    if chance >= 1.0:
        return None
    return (observed - chance) / (1 - chance)


@dataclass(frozen=True)
class AgreementFigure:
    """Agreement on one thing (a criterion, or the overall grade)."""

    subject: str
    pairs: int
    percent: float | None
    kappa: float | None

    @classmethod
    def of(cls, subject: str, pairs: Sequence[Pair]) -> AgreementFigure:
        return cls(subject, len(pairs), percent_agreement(pairs), cohen_kappa(pairs))


@dataclass(frozen=True)
class AgreementReport:
    grade: AgreementFigure
    criteria: tuple[AgreementFigure, ...]  # least agreement first
    moderated_audits: int
    double_audits: int
    grade_changed: int  # moderations where the moderator's grade differs from the auditor's


def agreement_report(store: Store, audit_filter: AuditFilter | None = None) -> AgreementReport:
    """Agreement from moderations and blind double audits among the filtered audits."""
    audit_filter = audit_filter or AuditFilter()
    moderation_grades, criterion_pairs, moderated = _moderation_pairs(store, audit_filter)
    double_grades, double_criteria, doubles = _double_audit_pairs(store, audit_filter)
    grade_pairs = moderation_grades + double_grades
    for code, pairs in double_criteria.items():
        criterion_pairs[code] += pairs
    criteria = [AgreementFigure.of(code, pairs) for code, pairs in criterion_pairs.items()]
    criteria.sort(key=_least_agreement_first)
    return AgreementReport(
        grade=AgreementFigure.of("Overall grade", grade_pairs),
        criteria=tuple(criteria),
        moderated_audits=moderated,
        double_audits=doubles,
        grade_changed=sum(1 for a, b in moderation_grades if a != b),
    )


def _least_agreement_first(figure: AgreementFigure) -> tuple[float, float, str]:
    kappa = figure.kappa if figure.kappa is not None else 2.0
    percent = figure.percent if figure.percent is not None else 101.0
    return (percent, kappa, figure.subject)


def _moderation_pairs(
    store: Store, audit_filter: AuditFilter
) -> tuple[list[Pair], dict[str, list[Pair]], int]:
    where, params = audit_filter.sql()
    moderations = store.query(
        f"SELECT m.id, m.auditor_grade, m.moderator_grade {AUDITS_FROM} "
        f"JOIN moderations m ON m.audit_id = a.id WHERE {where} ORDER BY m.id",
        params,
    )
    grades = [(m["auditor_grade"], m["moderator_grade"]) for m in moderations if m["auditor_grade"]]
    criteria: dict[str, list[Pair]] = defaultdict(list)
    if moderations:
        ids = [m["id"] for m in moderations]
        for row in store.query(
            "SELECT criterion_code, auditor_value, moderator_value FROM moderation_answers "
            f"WHERE moderation_id IN ({', '.join('?' for _ in ids)}) "
            "AND auditor_value IS NOT NULL AND moderator_value IS NOT NULL",
            ids,
        ):
            criteria[row["criterion_code"]].append((row["auditor_value"], row["moderator_value"]))
    return grades, criteria, len(moderations)


def _double_audit_pairs(
    store: Store, audit_filter: AuditFilter
) -> tuple[list[Pair], dict[str, list[Pair]], int]:
    """The first two reported audits, by different auditors, of a case in a programme."""
    where, params = audit_filter.sql()
    rows = store.query(
        f"SELECT a.id, a.programme_id, a.case_id, a.auditor, a.final_grade {AUDITS_FROM} "
        f"WHERE {where} AND a.programme_id IS NOT NULL ORDER BY a.created_at, a.id",
        params,
    )
    by_case: dict[tuple[int, int], list[dict[str, object]]] = defaultdict(list)
    for row in rows:
        group = by_case[(int(row["programme_id"]), int(row["case_id"]))]
        if len(group) < 2 and all(r["auditor"] != row["auditor"] for r in group):
            group.append(row)
    couples = [g for g in by_case.values() if len(g) == 2]
    grades = [
        (str(a["final_grade"]), str(b["final_grade"]))
        for a, b in couples
        if a["final_grade"] and b["final_grade"]
    ]
    criteria: dict[str, list[Pair]] = defaultdict(list)
    for a, b in couples:
        first, second = _answers(store, int(str(a["id"]))), _answers(store, int(str(b["id"])))
        for code in sorted(first.keys() & second.keys()):
            criteria[code].append((first[code], second[code]))
    return grades, criteria, len(couples)


def _answers(store: Store, audit_id: int) -> dict[str, str]:
    return {
        r["criterion_code"]: r["value"]
        for r in store.query(
            "SELECT criterion_code, value FROM answers WHERE audit_id = ? AND value IS NOT NULL",
            [audit_id],
        )
    }
