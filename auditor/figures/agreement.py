"""Agreement between two people judging the same case file (inter-rater agreement).

The notices ask for "consistent judgements about the levels of risk". Pairs come from
moderations (the auditor's answer and grade against the moderator's) and from blind double
audits (two auditors auditing the same case in the same programme, independently).

Reported for each criterion and for the grade: percentage agreement and Cohen's kappa
(agreement corrected for chance), each kappa with a 95 % confidence interval; for the grade,
which is ordinal, also the quadratically weighted kappa (a one-band difference counts less
than a two-band one) and the confusion matrix of the moderations (auditor × moderator).

One rule for Not applicable: a pair where either side answered N/A is left out of every
agreement figure (N/A is left out of every figure, see docs/grading.md), and counted as
left out. So agreement is about the judgements that score, and a criterion both people
thought did not apply does not make agreement look better than it is.

The interval is the large-sample one of Fleiss, Cohen and Everitt (1969): kappa ± z × SE,
with the standard error of the estimate (not the one under "no agreement"), for the
unweighted kappa the same formula with identity weights. Cut to [−1, 1].
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from auditor.domain import Grade
from auditor.figures.stats import AUDITS_FROM, Z_95, AuditFilter
from auditor.store import Store

Pair = tuple[str, str]
NOT_APPLICABLE = "na"  # the answer code left out of agreement, as of every figure
# The grade's categories in order, for the weighted kappa and the confusion matrix.
GRADE_ORDER: tuple[str, ...] = tuple(g.value for g in Grade)


def judged(pairs: Sequence[Pair]) -> tuple[list[Pair], int]:
    """The pairs that count (neither side Not applicable), and how many were left out."""
    kept = [p for p in pairs if NOT_APPLICABLE not in p]
    return kept, len(pairs) - len(kept)


def percent_agreement(pairs: Sequence[Pair]) -> float | None:
    """Share of pairs where both judged the same, in percent; None for no pairs."""
    if not pairs:
        return None
    return 100.0 * sum(1 for a, b in pairs if a == b) / len(pairs)


@dataclass(frozen=True)
class Kappa:
    """A kappa with its 95 % confidence interval and standard error."""

    estimate: float
    low: float
    high: float
    standard_error: float


def cohen_kappa(pairs: Sequence[Pair]) -> float | None:
    """Cohen's kappa: (observed − chance agreement) ÷ (1 − chance agreement).

    None when there are no pairs, or when chance agreement is 1 (both raters used one and
    the same category throughout: kappa is undefined, though agreement is perfect).
    """
    found = kappa_with_interval(pairs)
    return None if found is None else found.estimate


def weighted_kappa(pairs: Sequence[Pair], order: Sequence[str]) -> float | None:
    """Kappa with quadratic weights over the ordered categories ``order``: a pair ``d``
    categories apart agrees by 1 − d²/(k − 1)². None as for :func:`cohen_kappa`."""
    found = kappa_with_interval(pairs, order=order)
    return None if found is None else found.estimate


def kappa_with_interval(
    pairs: Sequence[Pair], *, order: Sequence[str] | None = None, z: float = Z_95
) -> Kappa | None:
    """Cohen's kappa (``order`` None) or the quadratically weighted kappa over the ordered
    categories ``order``, with its Fleiss–Cohen–Everitt large-sample interval."""
    if not pairs:
        return None
    categories = list(order) if order is not None else sorted({c for p in pairs for c in p})
    index = {c: i for i, c in enumerate(categories)}
    k, n = len(categories), len(pairs)
    weight = _quadratic_weights(k) if order is not None else _identity_weights(k)
    cells = Counter((index[a], index[b]) for a, b in pairs)
    p = [[cells[(i, j)] / n for j in range(k)] for i in range(k)]
    rows = [sum(p[i]) for i in range(k)]
    cols = [sum(p[i][j] for i in range(k)) for j in range(k)]
    observed = sum(weight[i][j] * p[i][j] for i in range(k) for j in range(k))
    chance = sum(weight[i][j] * rows[i] * cols[j] for i in range(k) for j in range(k))
    if chance >= 1.0 - 1e-12:
        return None
    kappa = (observed - chance) / (1 - chance)
    # Fleiss, Cohen & Everitt (1969): w̄ᵢ. = Σⱼ p.ⱼ wᵢⱼ, w̄.ⱼ = Σᵢ pᵢ. wᵢⱼ.
    row_weight = [sum(cols[j] * weight[i][j] for j in range(k)) for i in range(k)]
    col_weight = [sum(rows[i] * weight[i][j] for i in range(k)) for j in range(k)]
    spread = sum(
        p[i][j] * (weight[i][j] - (row_weight[i] + col_weight[j]) * (1 - kappa)) ** 2
        for i in range(k)
        for j in range(k)
    )
    variance = (spread - (kappa - chance * (1 - kappa)) ** 2) / (n * (1 - chance) ** 2)
    se = math.sqrt(max(0.0, variance))  # rounding can leave a tiny negative for a perfect fit
    return Kappa(kappa, max(-1.0, kappa - z * se), min(1.0, kappa + z * se), se)


def _identity_weights(k: int) -> list[list[float]]:
    return [[1.0 if i == j else 0.0 for j in range(k)] for i in range(k)]


def _quadratic_weights(k: int) -> list[list[float]]:
    if k < 2:
        return [[1.0]]
    return [[1.0 - (i - j) ** 2 / (k - 1) ** 2 for j in range(k)] for i in range(k)]


@dataclass(frozen=True)
class AgreementFigure:
    """Agreement on one thing (a criterion, or the overall grade)."""

    subject: str
    pairs: int  # the pairs counted: N/A pairs are left out
    percent: float | None
    cohen: Kappa | None
    weighted: Kappa | None = None  # the grade only: quadratic weights
    left_out: int = 0  # pairs where either side answered Not applicable

    @property
    def kappa(self) -> float | None:
        return None if self.cohen is None else self.cohen.estimate

    @classmethod
    def of(
        cls, subject: str, pairs: Sequence[Pair], order: Sequence[str] | None = None
    ) -> AgreementFigure:
        """The figure over ``pairs``, N/A pairs left out; with ``order`` (ordered
        categories) the weighted kappa too."""
        kept, left_out = judged(pairs)
        weighted = kappa_with_interval(kept, order=order) if order is not None else None
        return cls(
            subject, len(kept), percent_agreement(kept), kappa_with_interval(kept), weighted,
            left_out,
        )  # fmt: skip


@dataclass(frozen=True)
class ConfusionMatrix:
    """Moderated grades: ``counts[auditor's grade][moderator's grade]`` → moderations, both
    in :data:`GRADE_ORDER` (Outstanding first)."""

    counts: dict[Grade, dict[Grade, int]]

    @classmethod
    def of(cls, pairs: Sequence[Pair]) -> ConfusionMatrix:
        counts = {a: dict.fromkeys(Grade, 0) for a in Grade}
        for auditor, moderator in pairs:
            counts[Grade(auditor)][Grade(moderator)] += 1
        return cls(counts)

    @property
    def total(self) -> int:
        return sum(sum(row.values()) for row in self.counts.values())


@dataclass(frozen=True)
class AgreementReport:
    grade: AgreementFigure
    criteria: tuple[AgreementFigure, ...]  # least agreement first
    moderated_audits: int
    double_audits: int
    grade_changed: int  # moderations where the moderator's grade differs from the auditor's
    grade_matrix: ConfusionMatrix  # the moderations' grades, auditor × moderator

    @property
    def left_out(self) -> int:
        """Criterion pairs left out because either side answered Not applicable."""
        return sum(f.left_out for f in self.criteria)


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
        grade=AgreementFigure.of("Overall grade", grade_pairs, GRADE_ORDER),
        criteria=tuple(criteria),
        moderated_audits=moderated,
        double_audits=doubles,
        grade_changed=sum(1 for a, b in moderation_grades if a != b),
        grade_matrix=ConfusionMatrix.of(moderation_grades),
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
