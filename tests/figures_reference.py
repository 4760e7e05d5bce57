"""The figures as main computed them before issue 16's speed work, kept as a slow reference:
the old answer counting (every answer row tested against the case-type rule in SQL, the whole
period and the months joined separately) and the old agreement (every pair read as a dict
and kept in a list, kappa over the list). tests/test_figures_unchanged.py compares the fast
code with it on the same database."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Any

from auditor.domain import Grade
from auditor.figures.agreement import (
    GRADE_ORDER,
    NOT_APPLICABLE,
    AgreementFigure,
    AgreementReport,
    ConfusionMatrix,
    Kappa,
)
from auditor.figures.dashboard import (
    DashboardFigures,
    MonthPoint,
    _changes,
    dashboard_framework,
)
from auditor.figures.stats import (
    AUDITS_FROM,
    GROUPS,
    Z_95,
    AuditFilter,
    CriterionFigures,
    Headline,
    unasked_answers_left_out,
)
from auditor.frameworks.model import Framework
from auditor.store import Store

Pair = tuple[str, str]


def answer_counts(
    store: Store, audit_filter: AuditFilter, framework: Framework, group: str | None
) -> dict[Any, dict[str, int]]:
    where, params = audit_filter.sql()
    asked, asked_params = unasked_answers_left_out(framework)
    key = f"{group} AS g, " if group else ""
    rows = store.execute(
        f"SELECT {key}an.criterion_code, an.value, COUNT(*) {AUDITS_FROM} "
        f"JOIN answers an ON an.audit_id = a.id WHERE {where} AND an.value IS NOT NULL"
        f"{asked} GROUP BY {'g, ' if group else ''}an.criterion_code, an.value",
        [*params, *asked_params],
    ).fetchall()
    counts: dict[Any, dict[str, int]] = defaultdict(dict)
    for row in rows:
        *keys, value, n = row
        counts[tuple(keys) if group else keys[0]][value] = n
    return counts


def _figures(criterion: Any, counts: dict[str, int]) -> CriterionFigures:
    return CriterionFigures(criterion.code, criterion.section, criterion.text,
                            criterion.sources, criterion.target, dict(counts))  # fmt: skip


def criterion_figures(
    store: Store, audit_filter: AuditFilter, framework: Framework
) -> list[CriterionFigures]:
    counts = answer_counts(store, audit_filter, framework, None)
    return [_figures(c, counts.get(c.code, {})) for c in framework.criteria]


def criterion_figures_by(
    store: Store, audit_filter: AuditFilter, framework: Framework, key: str
) -> dict[str, list[CriterionFigures]]:
    counts = answer_counts(store, audit_filter, framework, GROUPS[key])
    groups = sorted({group for group, _ in counts})
    return {
        group: [_figures(c, counts.get((group, c.code), {})) for c in framework.criteria]
        for group in groups
    }


def headlines_by(
    store: Store, audit_filter: AuditFilter, key: str, *, on: date | None = None
) -> dict[str, Headline]:
    """Main's headlines: every audit joined to its actions grouped by audit, in one query."""
    where, params = audit_filter.sql()
    day = (on or date.today()).isoformat()
    rows = store.query(
        f"SELECT {GROUPS[key]} AS k, COUNT(*) AS audits, COUNT(DISTINCT a.auditor) AS auditors, "
        "SUM(a.safeguarding_concern) AS concerns, "
        + ", ".join(f"SUM(a.final_grade = '{g.value}') AS g_{g.value}" for g in Grade)
        + ", SUM(x.open) AS open_actions, SUM(x.overdue) AS overdue_actions "
        f"{AUDITS_FROM} LEFT JOIN (SELECT audit_id, SUM(status = 'open') AS open, "
        "SUM(status = 'open' AND due_date < ?) AS overdue FROM actions "
        "WHERE deleted_at IS NULL GROUP BY audit_id) x ON x.audit_id = a.id "
        f"WHERE {where} GROUP BY k ORDER BY k",
        [day, *params],
    )
    return {
        str(r["k"]): Headline(
            audits=r["audits"],
            auditors=r["auditors"],
            grades={g: int(r[f"g_{g.value}"] or 0) for g in Grade},
            safeguarding_concerns=int(r["concerns"] or 0),
            open_actions=int(r["open_actions"] or 0),
            overdue_actions=int(r["overdue_actions"] or 0),
        )
        for r in rows
    }


def headline(store: Store, audit_filter: AuditFilter, *, on: date | None = None) -> Headline:
    return headlines_by(store, audit_filter, "all", on=on).get("all") or Headline(
        0, 0, {g: 0 for g in Grade}, 0, 0, 0
    )


def monthly_trend(
    store: Store, audit_filter: AuditFilter, framework: Framework | None
) -> list[MonthPoint]:
    by_month = headlines_by(store, audit_filter, "month")
    met: dict[str, float | None] = {}
    if framework is not None:
        for month, figures in criterion_figures_by(store, audit_filter, framework, "month").items():
            scored = sum(f.scored for f in figures)
            met[month] = None if scored == 0 else 100.0 * sum(f.met for f in figures) / scored
    return [
        MonthPoint(month, h.audits, h.good_or_better_percent, met.get(month))
        for month, h in sorted(by_month.items())
    ]


def dashboard_figures(store: Store, audit_filter: AuditFilter) -> DashboardFigures:
    """Main's dashboard_figures for a database without crosswalks."""
    framework = dashboard_framework(store, audit_filter)
    criteria = criterion_figures(store, audit_filter, framework) if framework else []
    return DashboardFigures(
        framework=framework,
        headline=headline(store, audit_filter),
        criteria=criteria,
        trend=monthly_trend(store, audit_filter, framework),
        agreement=agreement_report(store, audit_filter),
        changes=_changes(store, audit_filter, None),
        reworded={},
    )


# --- agreement, as main had it ----------------------------------------------------------


def kappa_with_interval(pairs: Sequence[Pair], order: Sequence[str] | None = None) -> Kappa | None:
    if not pairs:
        return None
    z = Z_95
    categories = list(order) if order is not None else sorted({c for p in pairs for c in p})
    index = {c: i for i, c in enumerate(categories)}
    k, n = len(categories), len(pairs)
    if order is not None:
        weight = [[1.0 - (i - j) ** 2 / (k - 1) ** 2 for j in range(k)] for i in range(k)]
    else:
        weight = [[1.0 if i == j else 0.0 for j in range(k)] for i in range(k)]
    cells = Counter((index[a], index[b]) for a, b in pairs)
    p = [[cells[(i, j)] / n for j in range(k)] for i in range(k)]
    rows = [sum(p[i]) for i in range(k)]
    cols = [sum(p[i][j] for i in range(k)) for j in range(k)]
    observed = sum(weight[i][j] * p[i][j] for i in range(k) for j in range(k))
    chance = sum(weight[i][j] * rows[i] * cols[j] for i in range(k) for j in range(k))
    if chance >= 1.0 - 1e-12:
        return None
    kappa = (observed - chance) / (1 - chance)
    row_weight = [sum(cols[j] * weight[i][j] for j in range(k)) for i in range(k)]
    col_weight = [sum(rows[i] * weight[i][j] for i in range(k)) for j in range(k)]
    spread = sum(
        p[i][j] * (weight[i][j] - (row_weight[i] + col_weight[j]) * (1 - kappa)) ** 2
        for i in range(k)
        for j in range(k)
    )
    variance = (spread - (kappa - chance * (1 - kappa)) ** 2) / (n * (1 - chance) ** 2)
    se = math.sqrt(max(0.0, variance))
    return Kappa(kappa, max(-1.0, kappa - z * se), min(1.0, kappa + z * se), se)


def figure(
    subject: str, pairs: Sequence[Pair], order: Sequence[str] | None = None
) -> AgreementFigure:
    kept = [p for p in pairs if NOT_APPLICABLE not in p]
    percent = 100.0 * sum(1 for a, b in kept if a == b) / len(kept) if kept else None
    weighted = kappa_with_interval(kept, order) if order is not None else None
    return AgreementFigure(subject, len(kept), percent, kappa_with_interval(kept), weighted,
                           len(pairs) - len(kept))  # fmt: skip


def agreement_report(store: Store, audit_filter: AuditFilter) -> AgreementReport:
    moderation_grades, criterion_pairs, moderated = _moderation_pairs(store, audit_filter)
    double_grades, double_criteria, doubles = _double_audit_pairs(store, audit_filter)
    for code, pairs in double_criteria.items():
        criterion_pairs[code] += pairs
    criteria = [figure(code, pairs) for code, pairs in criterion_pairs.items()]
    criteria.sort(key=_least_agreement_first)
    matrix = {a: dict.fromkeys(Grade, 0) for a in Grade}
    for auditor, moderator in moderation_grades:
        matrix[Grade(auditor)][Grade(moderator)] += 1
    return AgreementReport(
        grade=figure("Overall grade", moderation_grades + double_grades, GRADE_ORDER),
        criteria=tuple(criteria),
        moderated_audits=moderated,
        double_audits=doubles,
        grade_changed=sum(1 for a, b in moderation_grades if a != b),
        grade_matrix=ConfusionMatrix(matrix),
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
