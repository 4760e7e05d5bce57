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

import json
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from auditor.domain import Grade
from auditor.figures.stats import AUDITS_FROM, Z_95, AuditFilter, audits_from, texts_sound
from auditor.store import Store
from auditor.store.summaries import ANSWERED_OF, JUDGED_OF, NEXT, PAIR, answers_in, marking_of

Pair = tuple[str, str]
Cells = Counter[Pair]  # pair → how many times it was judged so
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
    return kappa_of_cells(Counter(pairs), order=order, z=z)


def kappa_of_cells(
    cells: Mapping[Pair, int], *, order: Sequence[str] | None = None, z: float = Z_95
) -> Kappa | None:
    """:func:`kappa_with_interval` over pairs already counted: ``cells[(a, b)]`` → how
    many pairs judged ``a`` and ``b`` (what one ``GROUP BY`` gives, without a list of
    350,000 pairs)."""
    cells = {pair: n for pair, n in cells.items() if n}
    if not cells:
        return None
    categories = list(order) if order is not None else sorted({c for p in cells for c in p})
    index = {c: i for i, c in enumerate(categories)}
    k, n = len(categories), sum(cells.values())
    weight = _quadratic_weights(k) if order is not None else _identity_weights(k)
    counted = Counter({(index[a], index[b]): m for (a, b), m in cells.items()})
    p = [[counted[(i, j)] / n for j in range(k)] for i in range(k)]
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
        return cls.of_cells(subject, Counter(pairs), order)

    @classmethod
    def of_cells(
        cls, subject: str, cells: Mapping[Pair, int], order: Sequence[str] | None = None
    ) -> AgreementFigure:
        """:meth:`of` over pairs already counted (``cells[(a, b)]`` → pairs)."""
        kept = Counter({p: n for p, n in cells.items() if NOT_APPLICABLE not in p and n})
        left_out = sum(n for p, n in cells.items() if NOT_APPLICABLE in p)
        pairs = sum(kept.values())
        agreed = sum(n for (a, b), n in kept.items() if a == b)
        percent = 100.0 * agreed / pairs if pairs else None
        weighted = kappa_of_cells(kept, order=order) if order is not None else None
        return cls(subject, pairs, percent, kappa_of_cells(kept), weighted, left_out)


@dataclass(frozen=True)
class ConfusionMatrix:
    """Moderated grades: ``counts[auditor's grade][moderator's grade]`` → moderations, both
    in :data:`GRADE_ORDER` (Outstanding first)."""

    counts: dict[Grade, dict[Grade, int]]

    @classmethod
    def of(cls, pairs: Iterable[Pair] | Mapping[Pair, int]) -> ConfusionMatrix:
        """From pairs, or from pairs already counted (``cells[(a, b)]`` → moderations)."""
        cells = pairs if isinstance(pairs, Mapping) else Counter(pairs)
        counts = {a: dict.fromkeys(Grade, 0) for a in Grade}
        for (auditor, moderator), n in cells.items():
            counts[Grade(auditor)][Grade(moderator)] += n
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
    """Agreement from moderations and blind double audits among the filtered audits.

    The pairs are counted in SQL (``GROUP BY`` the two judgements) and read through plain
    cursors: a dashboard over 350,000 moderated answers reads a few hundred rows."""
    audit_filter = audit_filter or AuditFilter()
    sound = texts_sound(store)  # answers read from their texts, or else from the rows
    moderation_grades, criterion_cells, moderated = _moderation_cells(store, audit_filter, sound)
    double_grades, double_criteria, doubles = _double_audit_cells(store, audit_filter, sound)
    for code, cells in double_criteria.items():
        criterion_cells[code] += cells
    criteria = [AgreementFigure.of_cells(code, cells) for code, cells in criterion_cells.items()]
    criteria.sort(key=_least_agreement_first)
    return AgreementReport(
        grade=AgreementFigure.of_cells(
            "Overall grade", moderation_grades + double_grades, GRADE_ORDER
        ),
        criteria=tuple(criteria),
        moderated_audits=moderated,
        double_audits=doubles,
        grade_changed=sum(n for (a, b), n in moderation_grades.items() if a != b),
        grade_matrix=ConfusionMatrix.of(moderation_grades),
    )


def _least_agreement_first(figure: AgreementFigure) -> tuple[float, float, str]:
    kappa = figure.kappa if figure.kappa is not None else 2.0
    percent = figure.percent if figure.percent is not None else 101.0
    return (percent, kappa, figure.subject)


def _moderation_cells(
    store: Store, audit_filter: AuditFilter, sound: bool
) -> tuple[Cells, dict[str, Cells], int]:
    """The moderations' grade pairs (where the auditor gave one), their answer pairs per
    criterion (both sides answered), and how many moderations there are."""
    where, params = audit_filter.sql()
    grades: Cells = Counter()
    judged: list[str] = []
    # Fewer moderations than audits: unless the filter is narrow (a programme, an auditor),
    # each moderation looks its audit up (7 ms for 2,500 of 10,000 audits, against 11 the
    # other way round).
    audits = audits_from(where)
    joined = (
        f"{audits} JOIN moderations m ON m.audit_id = a.id"
        if audit_filter.narrow
        else f"FROM moderations m CROSS JOIN {audits.removeprefix('FROM ')}"
    )
    # Counted in SQL by (grades, framework version): a few dozen groups, each with its
    # moderations' marks joined (one a criterion for its pair of answers, see
    # auditor/store/summaries) and the others' judged pairs joined, where reading each of
    # 2,500 moderations as a row took a third of this query's time.
    groups = store.execute(
        "SELECT m.auditor_grade, m.moderator_grade, a.framework_code, a.framework_version, "
        "COUNT(*), group_concat(m.marks, ''), group_concat(CASE WHEN m.marks IS NULL THEN "
        f"NULLIF({JUDGED_OF if sound else 'NULL'}, '') END, char({ord(NEXT)})) {joined} "
        f"WHERE a.id = m.audit_id AND {where} GROUP BY 1, 2, 3, 4",
        params,
    ).fetchall()
    marked: dict[tuple[str, str], list[str]] = defaultdict(list)
    moderations = 0
    for auditor, moderator, code, version, n, marks, pairs in groups:
        moderations += n
        if auditor:
            grades[(auditor, moderator)] += n
        if marks:
            marked[(code, version)].append(marks)
        if pairs:
            judged.append(pairs)
    criteria: dict[str, Cells] = defaultdict(Counter)
    if not sound:  # a framework's codes hold a separator: count the rows
        for code, auditor_value, moderator_value, n in store.execute(
            f"SELECT ma.criterion_code, ma.auditor_value, ma.moderator_value, COUNT(*) "
            f"{AUDITS_FROM} JOIN moderations m ON m.audit_id = a.id "
            f"JOIN moderation_answers ma ON ma.moderation_id = m.id WHERE {where} "
            "AND ma.auditor_value IS NOT NULL AND ma.moderator_value IS NOT NULL "
            "GROUP BY 1, 2, 3",
            params,
        ):
            criteria[code][(auditor_value, moderator_value)] = n
        return grades, criteria, moderations
    for (code, version), group_marks in marked.items():
        pair_counts = marking_of(store, code, version).pair_counts("".join(group_marks))
        for criterion, cells in pair_counts.items():
            criteria[criterion] += cells
    # The others' judged pairs kept as one text each (auditor/store/summaries.py), tallied
    # in one go.
    for triple, n in Counter(NEXT.join(judged).split(NEXT) if judged else ()).items():
        code, auditor_value, moderator_value = triple.split(PAIR)
        criteria[code][(auditor_value, moderator_value)] += n
    return grades, criteria, moderations


def _double_audit_cells(
    store: Store, audit_filter: AuditFilter, sound: bool
) -> tuple[Cells, dict[str, Cells], int]:
    """The first two reported audits, by different auditors, of a case in a programme.

    Only the cases that two auditors audited in a programme are read (the rest cannot make
    a couple): found in the (programme, case, auditor) index, among every audit, then their
    audits that the filter keeps. The couples' answer pairs come from the texts of their
    answers (auditor/store/summaries.py).

    A case audited more than once is read, whoever audited it: a case one auditor audited
    twice makes no couple below. Asking SQL for two auditors (``MIN(auditor) !=
    MAX(auditor)``) cost more than reading those few cases: 10 ms for 10,000 audits, where
    counting takes 2."""
    where, params = audit_filter.sql()
    rows = store.execute(
        "WITH twice(programme_id, case_id) AS (SELECT programme_id, case_id FROM audits "
        "WHERE programme_id IS NOT NULL GROUP BY programme_id, case_id HAVING COUNT(*) > 1) "
        "SELECT a.id, a.programme_id, a.case_id, a.auditor, a.final_grade, "
        "a.framework_code, a.framework_version, a.marks, "
        f"CASE WHEN a.marks IS NULL THEN {ANSWERED_OF if sound else 'NULL'} END "
        f"FROM twice CROSS JOIN {audits_from(where).removeprefix('FROM ')} "
        f"WHERE a.programme_id = twice.programme_id AND a.case_id = twice.case_id AND {where} "
        "ORDER BY a.created_at, a.id",
        params,
    ).fetchall()
    by_case: dict[tuple[int, int], list[tuple[int, str, str | None]]] = defaultdict(list)
    answered: dict[int, tuple[tuple[str, str], str | None, str | None]] = {}
    for audit_id, programme_id, case_id, auditor, grade, *version, marks, text in rows:
        group = by_case[(programme_id, case_id)]
        if len(group) < 2 and all(other != auditor for _, other, _ in group):
            group.append((audit_id, auditor, grade))
            answered[audit_id] = (tuple(version), marks, text)
    couples = [g for g in by_case.values() if len(g) == 2]
    grades: Cells = Counter((str(a[2]), str(b[2])) for a, b in couples if a[2] and b[2])
    criteria: dict[str, Cells] = defaultdict(Counter)
    if not sound:  # a framework's codes hold a separator: count the rows
        for code, first, second, n in store.execute(
            "WITH couple(first, second) AS (SELECT json_extract(value, '$[0]'), "
            "json_extract(value, '$[1]') FROM json_each(?)) "
            "SELECT x.criterion_code, x.value, y.value, COUNT(*) FROM couple "
            "JOIN answers x ON x.audit_id = couple.first "
            "JOIN answers y ON y.audit_id = couple.second AND y.criterion_code = x.criterion_code "
            "WHERE x.value IS NOT NULL AND y.value IS NOT NULL GROUP BY 1, 2, 3",
            [json.dumps([[a[0], b[0]] for a, b in couples])],
        ):
            criteria[code][(first, second)] = n
        return grades, criteria, len(couples)
    # The couples on one framework version, both marked, are counted from their marks (the
    # two audits' answers to a criterion side by side); the others pair their answers.
    marked: dict[tuple[str, str], tuple[list[str], list[str]]] = defaultdict(lambda: ([], []))
    judged: list[tuple[str, str, str]] = []
    for first, second in couples:
        (version, mine_marked, mine_text), (theirs_version, theirs_marked, theirs_text) = (
            answered[first[0]], answered[second[0]]
        )  # fmt: skip
        if mine_marked is not None and theirs_marked is not None and version == theirs_version:
            firsts, seconds = marked[version]
            firsts.append(mine_marked)
            seconds.append(theirs_marked)
            continue
        mine = _answers_of(store, version, mine_marked, mine_text)
        theirs = _answers_of(store, theirs_version, theirs_marked, theirs_text)
        judged += [(code, value, theirs[code]) for code, value in mine.items() if code in theirs]
    for (code, first_value, second_value), n in Counter(judged).items():
        criteria[code][(first_value, second_value)] = n
    for (code, version), (firsts, seconds) in marked.items():
        for criterion, cells in (
            marking_of(store, code, version).side_by_side(firsts, seconds).items()
        ):
            criteria[criterion] += cells
    return grades, criteria, len(couples)


def _answers_of(
    store: Store, version: tuple[str, str], marks: str | None, text: str | None
) -> dict[str, str]:
    """An audit's answers from its marks or, where they are unknown, its answered text."""
    if marks is None:
        return answers_in(text or "")
    return marking_of(store, *version).values_of(marks)
