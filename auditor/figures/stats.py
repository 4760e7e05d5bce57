"""What the audits show: grade distribution, compliance per criterion, trends, headlines.

One set of figures for every face: the dashboard, the Excel report and the command line all
call these, so a number on the board's workbook is the number on the QA lead's screen.
Only audits that have been submitted (or moderated, or made final) count; drafts do not.
"""

from __future__ import annotations

import calendar
import dataclasses
import json
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from auditor.clock import parse_date, today
from auditor.domain import AuditStatus, CaseType, Grade
from auditor.frameworks.crosswalk import Lineage, merged_answer
from auditor.frameworks.library import list_frameworks
from auditor.frameworks.model import Framework
from auditor.store import Store
from auditor.store.summaries import ANSWERED_OF, NEXT, PAIR, answers_in, marking

REPORTED_STATUSES = (AuditStatus.SUBMITTED, AuditStatus.MODERATED, AuditStatus.FINAL)
SMALL_SAMPLE = 10  # fewer audits than this behind a figure: marked as a small sample
SMALL_MARK = "*"  # the mark beside such a figure, in the dashboard and the board pack
AMBER_MARGIN = 10.0  # percentage points below target that still count as amber
# The 97.5 % point of the standard normal: every 95 % interval (Wilson's for a proportion,
# kappa's) is the estimate ± this many standard errors. 1.96 is its rounding.
Z_95 = 1.959964


@dataclass(frozen=True)
class AuditFilter:
    """Which audits a figure is about. Empty fields do not filter."""

    programme_uid: str | None = None
    team: str | None = None
    auditor: str | None = None
    case_type: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    framework_code: str | None = None
    statuses: tuple[AuditStatus, ...] = REPORTED_STATUSES

    @property
    def narrow(self) -> bool:
        """Whether the filter picks out a few audits: one programme's or one auditor's."""
        return bool(self.programme_uid or self.auditor)

    def sql(self) -> tuple[str, list[Any]]:
        """A WHERE clause over ``audits a JOIN cases c LEFT JOIN programmes p``."""
        where = ["a.deleted_at IS NULL"]
        params: list[Any] = []
        if self.statuses:
            where.append(f"a.status IN ({', '.join('?' for _ in self.statuses)})")
            params.extend(s.value for s in self.statuses)
        for clause, value in (
            ("p.uid = ?", self.programme_uid),
            ("c.team = ?", self.team),
            ("a.auditor = ?", self.auditor),
            ("a.case_type = ?", self.case_type),  # the type the audit was made for
            ("a.audit_date >= ?", self.date_from.isoformat() if self.date_from else None),
            ("a.audit_date <= ?", self.date_to.isoformat() if self.date_to else None),
            ("a.framework_code = ?", self.framework_code),
        ):
            if value:
                where.append(clause)
                params.append(value)
        return " AND ".join(where), params


# The join every figure is computed over; AuditFilter.sql() filters it.
AUDITS_FROM = (
    "FROM audits a JOIN cases c ON c.id = a.case_id LEFT JOIN programmes p ON p.id = a.programme_id"
)
_READS = {alias: re.compile(rf"(?<![\w.]){alias}\.") for alias in ("c", "p")}


def audits_from(*sql: str, of_actions: bool = False) -> str:
    """:data:`AUDITS_FROM` for a query made of ``sql`` (its columns, filter and grouping),
    joining the audit's case (``c``) and programme (``p``) only where something reads them.
    Every audit has its case and any programme it names (foreign keys), so leaving a join
    out changes no figure, and saves a lookup an audit: 9 of the 45 ms the dashboard spends
    in SQLite over 10,000 audits. ``of_actions``: the audits' actions too (``x``), found
    from each audit (SQLite keeps a ``CROSS JOIN``'s order): both read from their covering
    indexes, where starting from the open actions read each one's audit row (a third slower)."""
    parts = [
        "FROM audits a CROSS JOIN actions x ON x.audit_id = a.id" if of_actions else "FROM audits a"
    ]
    if any(_READS["c"].search(part) for part in sql):
        parts.append("JOIN cases c ON c.id = a.case_id")
    if any(_READS["p"].search(part) for part in sql):
        parts.append("LEFT JOIN programmes p ON p.id = a.programme_id")
    return " ".join(parts)


def wilson_interval(successes: int, n: int, z: float = Z_95) -> tuple[float, float] | None:
    """95 % Wilson score interval for a proportion, in percent; None when n is 0."""
    if n == 0:
        return None
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    # Rounded far below any shown digit: floating-point noise would otherwise put the
    # upper end of 10 out of 10 at 99.99999999999999 rather than 100.
    low, high = round(100 * (centre - half), 10), round(100 * (centre + half), 10)
    return max(0.0, low), min(100.0, high)


def rag_status(percent: float | None, target: float | None) -> str | None:
    """ "green" at or above target, "amber" within 10 points below, "red" below that."""
    if percent is None or target is None:
        return None
    if percent >= target:
        return "green"
    return "amber" if percent >= target - AMBER_MARGIN else "red"


# ---------------------------------------------------------------------------------------
# Grades and headlines


@dataclass(frozen=True)
class Headline:
    """The headline figures for a set of audits."""

    audits: int
    auditors: int
    grades: dict[Grade, int]
    safeguarding_concerns: int
    open_actions: int
    overdue_actions: int

    @property
    def graded(self) -> int:
        return sum(self.grades.values())

    @property
    def good_or_better(self) -> int:
        return sum(n for g, n in self.grades.items() if g.good_or_better)

    @property
    def good_or_better_percent(self) -> float | None:
        return None if self.graded == 0 else 100.0 * self.good_or_better / self.graded

    @property
    def small_sample(self) -> bool:
        return self.audits < SMALL_SAMPLE


# What headlines_by and criterion_figures_by can group audits by.
GROUPS = {
    "team": "c.team",
    "auditor": "a.auditor",
    "month": "substr(a.audit_date, 1, 7)",
    "all": "'all'",
}


def headline(store: Store, audit_filter: AuditFilter, *, on: date | None = None) -> Headline:
    """Counts, grade distribution (final grades), concerns and actions for the filter."""
    return headlines_by(store, audit_filter, "all", on=on).get("all") or Headline(
        0, 0, {g: 0 for g in Grade}, 0, 0, 0
    )


def headlines_by(
    store: Store, audit_filter: AuditFilter, key: str, *, on: date | None = None
) -> dict[str, Headline]:
    """Headlines grouped by ``"team"``, ``"auditor"``, ``"month"`` (YYYY-MM) or ``"all"``."""
    group = GROUPS[key]
    where, params = audit_filter.sql()
    day = (on or today()).isoformat()
    rows = store.query(
        f"SELECT {group} AS k, COUNT(*) AS audits, COUNT(DISTINCT a.auditor) AS auditors, "
        "SUM(a.safeguarding_concern) AS concerns, "
        + ", ".join(f"SUM(a.final_grade = '{g.value}') AS g_{g.value}" for g in Grade)
        + f" {audits_from(group, where)} WHERE {where} GROUP BY k ORDER BY k",
        params,
    )
    actions = _open_actions(store, group, where, params, day)
    return {
        str(r["k"]): Headline(
            audits=r["audits"],
            auditors=r["auditors"],
            grades={g: int(r[f"g_{g.value}"] or 0) for g in Grade},
            safeguarding_concerns=int(r["concerns"] or 0),
            open_actions=open_,
            overdue_actions=overdue,
        )
        for r in rows
        for open_, overdue in [actions.get(str(r["k"]), (0, 0))]
    }


def _open_actions(
    store: Store, group: str, where: str, params: list[Any], day: str
) -> dict[str, tuple[int, int]]:
    """Group → (open actions, of which overdue on ``day``) of the audits ``where`` picks.

    Counted apart from the audits, each audit's from its index. Joined to the audits grouped
    by audit, SQLite built an index of them at every call (the query took 18 ms where the
    two take 12); as a subquery per audit it scanned every open action for every audit
    (13 s for 10,000 audits)."""
    return {
        str(k): (int(open_ or 0), int(overdue or 0))
        for k, open_, overdue in store.execute(
            f"SELECT {group} AS k, COUNT(*), SUM(x.due_date < ?) "
            f"{audits_from(group, where, of_actions=True)} "
            f"WHERE x.status = 'open' AND x.deleted_at IS NULL AND {where} GROUP BY k",
            [day, *params],
        )
    }


def headline_pooled_and_by_month(
    store: Store, audit_filter: AuditFilter, *, on: date | None = None
) -> tuple[Headline, dict[str, Headline]]:
    """:func:`headline` and :func:`headlines_by` month from one pass over the audits: the
    months' counts add up to the period's; only the auditors are counted again (one auditor
    audits in many months)."""
    by_month = headlines_by(store, audit_filter, "month", on=on)
    where, params = audit_filter.sql()
    auditors = int(store.scalar(
        f"SELECT COUNT(DISTINCT a.auditor) {audits_from(where)} WHERE {where}", params
    ) or 0)  # fmt: skip
    return _pooled(by_month, auditors), by_month


def _pooled(by_month: Mapping[str, Headline], auditors: int) -> Headline:
    """The period's headline: its months' counts added up, and its ``auditors`` (counted
    apart: one auditor audits in many months)."""
    months = by_month.values()
    return Headline(
        audits=sum(h.audits for h in months),
        auditors=auditors,
        grades={g: sum(h.grades[g] for h in months) for g in Grade},
        safeguarding_concerns=sum(h.safeguarding_concerns for h in months),
        open_actions=sum(h.open_actions for h in months),
        overdue_actions=sum(h.overdue_actions for h in months),
    )


# A group's headline counts, read with its marks (:func:`month_figures_and_headlines`):
# audits, their auditors (a JSON list), safeguarding concerns, and each final grade.
_HEADLINE_COLUMNS = (
    "COUNT(*), json_group_array(DISTINCT a.auditor), SUM(a.safeguarding_concern), "
    + ", ".join(f"SUM(a.final_grade = '{g.value}')" for g in Grade)
)


def month_figures_and_headlines(
    store: Store, audit_filter: AuditFilter, framework: Framework, *, on: date | None = None
) -> tuple[
    list[CriterionFigures], dict[str, list[CriterionFigures]], Headline, dict[str, Headline]
]:
    """:func:`criterion_figures_pooled_and_by_month` and :func:`headline_pooled_and_by_month`
    (no lineage) from one read of the filtered audits by month: the criteria's marks and
    the headlines' counts come from the same rows of the figures' index. Read apart, the
    two queries took 9 and 11 ms (and 1.5 more for the period's auditors) over the bench's
    10,000 audits; together, about 14. Where the marks cannot be joined by month (a
    framework with conditions, or codes holding a separator), each is read on its own."""
    if marking(framework).gates or not texts_sound(store):
        return (
            *criterion_figures_pooled_and_by_month(store, audit_filter, framework),
            *headline_pooled_and_by_month(store, audit_filter, on=on),
        )
    group = GROUPS["month"]
    where, params = audit_filter.sql()
    rows: list[tuple[Any, ...]] = []  # filled as the answers are counted
    counts = _counts_of(
        _tallied(store, group, where, params, framework, headlines=rows), framework, grouped=True
    )
    pooled_figures, figures_by_month = _pooled_and_by_month(framework, counts, None)
    # A month's rows (one a case type) added up; its auditors counted once.
    months: dict[str, list[Any]] = {}
    for month, audits, auditors, concerns, *grades in rows:
        held = months.setdefault(month, [0, set(), 0, [0] * len(grades)])
        held[0] += audits
        held[1].update(json.loads(auditors))
        held[2] += concerns or 0
        held[3] = [a + (b or 0) for a, b in zip(held[3], grades, strict=True)]
    actions = _open_actions(store, group, where, params, (on or today()).isoformat())
    by_month = {
        month: Headline(
            audits=audits,
            auditors=len(auditors),
            grades=dict(zip(Grade, grades, strict=True)),
            safeguarding_concerns=concerns,
            open_actions=actions.get(month, (0, 0))[0],
            overdue_actions=actions.get(month, (0, 0))[1],
        )
        for month, (audits, auditors, concerns, grades) in sorted(months.items())
    }
    auditors = len(set().union(*(held[1] for held in months.values())))
    return pooled_figures, figures_by_month, _pooled(by_month, auditors), by_month


# ---------------------------------------------------------------------------------------
# Compliance per criterion


@dataclass(frozen=True)
class CriterionFigures:
    """How often one criterion was met across the filtered audits."""

    code: str
    section: str
    text: str
    sources: tuple[str, ...]
    target: float | None
    counts: dict[str, int] = field(default_factory=dict)  # answer value code → audits
    retired_by: str | None = None  # a criterion of an older version a crosswalk retired

    @property
    def applied(self) -> int:
        """Audits where the criterion was asked and answered (N/A included)."""
        return sum(self.counts.values())

    @property
    def scored(self) -> int:
        """Answers that count towards % met: every answer except Not applicable."""
        return self.applied - self.counts.get("na", 0)

    @property
    def met(self) -> int:
        return self.counts.get("yes", 0)

    @property
    def met_percent(self) -> float | None:
        return None if self.scored == 0 else 100.0 * self.met / self.scored

    @property
    def interval(self) -> tuple[float, float] | None:
        return wilson_interval(self.met, self.scored)

    @property
    def status(self) -> str | None:
        return rag_status(self.met_percent, self.target)

    @property
    def small_sample(self) -> bool:
        return self.scored < SMALL_SAMPLE

    @property
    def gap(self) -> float:
        """Points below target (negative when above); criteria without a target sort last."""
        if self.met_percent is None or self.target is None:
            return -math.inf
        return self.target - self.met_percent


def criterion_figures(
    store: Store, audit_filter: AuditFilter, framework: Framework, *, lineage: Lineage | None = None
) -> list[CriterionFigures]:
    """Answer counts for every criterion of ``framework``, in framework order.

    "Met" means answered Yes; Not applicable is left out of the percentage. Answers are
    matched by criterion code, which stays stable across framework versions. Given a
    ``lineage`` (:func:`auditor.frameworks.crosswalk.trend_lineage`), audits on the older
    versions it reaches count under the criterion their crosswalk continues, and each
    retired criterion follows as a line of its own.
    """
    if lineage is not None and not lineage.empty:
        return criterion_figures_by(store, audit_filter, framework, "all", lineage=lineage).get(
            "all", _lines(framework, lineage, {}, None)
        )
    counts = _answer_counts(store, audit_filter, framework, group=None)
    return [_figures(c, counts.get(c.code, {})) for c in framework.criteria]


def criterion_figures_by_month(
    store: Store, audit_filter: AuditFilter, framework: Framework, *, lineage: Lineage | None = None
) -> dict[str, list[CriterionFigures]]:
    """:func:`criterion_figures` for each month (``YYYY-MM``) of audit date, oldest first."""
    return criterion_figures_by(store, audit_filter, framework, "month", lineage=lineage)


def criterion_figures_by(
    store: Store,
    audit_filter: AuditFilter,
    framework: Framework,
    key: str,
    *,
    lineage: Lineage | None = None,
) -> dict[str, list[CriterionFigures]]:
    """:func:`criterion_figures` for each ``"team"``, ``"auditor"`` or ``"month"``, in order."""
    if lineage is not None and not lineage.empty:
        counts = _lineage_counts(store, audit_filter, lineage, GROUPS[key])
        groups = sorted({group for group, _ in counts})
        return {group: _lines(framework, lineage, counts, group) for group in groups}
    counts = _answer_counts(store, audit_filter, framework, group=GROUPS[key])
    groups = sorted({group for group, _ in counts})
    return {
        group: [_figures(c, counts.get((group, c.code), {})) for c in framework.criteria]
        for group in groups
    }


def criterion_figures_pooled_and_by_month(
    store: Store, audit_filter: AuditFilter, framework: Framework, *, lineage: Lineage | None = None
) -> tuple[list[CriterionFigures], dict[str, list[CriterionFigures]]]:
    """:func:`criterion_figures` and :func:`criterion_figures_by_month` from one pass over
    the answers: the months' counts added up are the whole period's (an audit has one month),
    so the dashboard joins its 400,000 answers once instead of twice."""
    lined = lineage is not None and not lineage.empty
    if lined:
        assert lineage is not None
        counts = _lineage_counts(store, audit_filter, lineage, GROUPS["month"])
    else:
        counts = _answer_counts(store, audit_filter, framework, group=GROUPS["month"])
    return _pooled_and_by_month(framework, counts, lineage if lined else None)


def _pooled_and_by_month(
    framework: Framework, counts: Any, lineage: Lineage | None
) -> tuple[list[CriterionFigures], dict[str, list[CriterionFigures]]]:
    """The period's figures and each month's, from (month, criterion) → answer → audits."""
    lined = lineage is not None
    pooled: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (_, line), by_value in counts.items():
        for value, n in by_value.items():
            pooled[("all", line)][value] += n
    groups = sorted({group for group, _ in counts})
    if lined:
        assert lineage is not None
        by_month = {group: _lines(framework, lineage, counts, group) for group in groups}
        return _lines(framework, lineage, pooled, "all"), by_month
    by_month = {
        group: [_figures(c, counts.get((group, c.code), {})) for c in framework.criteria]
        for group in groups
    }
    return [_figures(c, pooled.get(("all", c.code), {})) for c in framework.criteria], by_month


def worst_gaps_first(figures: list[CriterionFigures]) -> list[CriterionFigures]:
    """Criteria furthest below their target first; those without a target or data last."""
    return sorted(figures, key=lambda f: (-f.gap, f.code))


def criteria_below_target(figures: Iterable[CriterionFigures]) -> list[CriterionFigures]:
    """The criteria whose % met is below their target, ranked for a chart or a board.

    ``figures`` should pool enough audits to rank on (a whole period or a 6-month point,
    not a month: at 0–2 audits a month a criterion swings between 0 % and 100 %). Criteria
    resting on at least :data:`SMALL_SAMPLE` audits come first, furthest below target
    first; the small samples follow, in the same order, for a caller to mark (their
    ``small_sample`` is True) or leave out. Each keeps its Wilson ``interval``.
    """
    below = [f for f in figures if f.gap > 0]
    return sorted(below, key=lambda f: (f.small_sample, -f.gap, f.code))


def _figures(criterion: Any, counts: dict[str, int]) -> CriterionFigures:
    return CriterionFigures(
        code=criterion.code,
        section=criterion.section,
        text=criterion.text,
        sources=criterion.sources,
        target=criterion.target,
        counts=dict(counts),
    )


def _lines(
    framework: Framework, lineage: Lineage, counts: Any, group: str | None
) -> list[CriterionFigures]:
    """The newest version's criteria, then the retired ones (``retired_by`` set)."""
    figures = [_figures(c, counts.get((group, c.code), {})) for c in framework.criteria]
    for line in lineage.retired:
        figures.append(
            CriterionFigures(line.code, line.section, line.text, line.sources, line.target,
                             dict(counts.get((group, line.key), {})), retired_by=line.retired_by)
        )  # fmt: skip
    return figures


def _lineage_counts(
    store: Store, audit_filter: AuditFilter, lineage: Lineage, group: str
) -> dict[tuple[str, str], dict[str, int]]:
    """(group, line) → answer → audits: the newest version's own audits (and any version the
    crosswalks do not reach) by criterion code; each older version's through its crosswalk."""
    older = list(lineage.versions)
    counts: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    not_older = (
        " AND (a.framework_code, a.framework_version) NOT IN (VALUES "
        + ", ".join("(?, ?)" for _ in older)
        + ")"
    )
    direct = _answer_counts(
        store, audit_filter, lineage.framework, group=group,
        extra=(not_older, [part for pair in older for part in pair]),
    )  # fmt: skip
    for (g, code), by_value in direct.items():
        for value, n in by_value.items():
            counts[(str(g), code)][value] += n
    sound = texts_sound(store)
    for (code, version), lines in lineage.versions.items():
        where, params = dataclasses.replace(audit_filter, framework_code=code).sql()
        where, params = f"{where} AND a.framework_version = ?", [*params, version]
        then = lineage.frameworks[(code, version)]
        older_counts = _older_counts if sound else _older_counts_from_rows
        for (g, line), value, n in older_counts(store, group, where, params, then, lines):
            counts[(g, line)][value] += n
    return counts


# ((group, line), answer, audits) of an older version's audits, counted under its lines.
OlderCounts = Iterable[tuple[tuple[str, str], str, int]]


def _older_counts(
    store: Store, group: str, where: str, params: list[Any], then: Framework,
    lines: Mapping[str, str],
) -> OlderCounts:  # fmt: skip
    """An older version's audits (``where``) through its crosswalk ``lines``, from their
    marks (or texts, where unknown): the criteria that continue one line each are counted
    as the newest version's are; an audit's answers to criteria merged into one line count
    once, as :func:`merged_answer` makes them, so those are read audit by audit. Asked as
    the version itself asked them (its case types and conditions)."""
    shared = Counter(lines.values())
    merged = {old for old, line in lines.items() if shared[line] > 1}
    types_asked = _types_asked(then)
    marked, others = _marks_read(store, group, where, params, then, each_audit=bool(merged))
    if merged:
        marks = marking(then)
        for (key, case_type), group_marks in marked.items():
            for audit_marks in group_marks:
                in_order = sorted(marks.values_of(audit_marks).items())  # as a text holds them
                yield from _merged_counts(str(key), case_type, in_order, merged, lines, types_asked)
    for key, _, old, value, n in _tally_marks(marked, then):
        line = lines.get(old)
        if line is not None and old not in merged:
            yield (str(key), line), value, n
    texts: dict[tuple[Any, str], list[str]] = defaultdict(list)
    for key, case_type, answered in _texts(store, group, others, _gate_needles(then)):
        texts[(key, case_type)].append(answered)
        if merged:
            in_order = list(answers_in(answered).items())
            yield from _merged_counts(str(key), case_type, in_order, merged, lines, types_asked)
    for key, case_type, old, value, n in _tally(texts):
        line = lines.get(old)
        types = types_asked.get(old)
        if line is None or old in merged or (types is not None and case_type not in types):
            continue
        yield (str(key), line), value, n


def _merged_counts(
    key: str, case_type: str, answers: Iterable[Sequence[str]], merged: set[str],
    lines: Mapping[str, str], types_asked: Mapping[str, frozenset[str]],
) -> OlderCounts:  # fmt: skip
    """One audit's answers ((criterion, value) in criterion order) to merged criteria, one
    answer a line."""
    by_line: dict[str, list[str]] = defaultdict(list)
    for old, value in answers:
        types = types_asked.get(old)
        if old in merged and (types is None or case_type in types):
            by_line[lines[old]].append(value)
    for line, values in by_line.items():
        yield (key, line), values[0] if len(values) == 1 else merged_answer(values), 1


def _older_counts_from_rows(
    store: Store, group: str, where: str, params: list[Any], then: Framework,
    lines: Mapping[str, str],
) -> OlderCounts:  # fmt: skip
    """:func:`_older_counts` from the answer rows (a framework's codes hold a separator)."""
    asked, asked_params = unasked_answers_left_out(then)
    rows = store.execute(
        f"SELECT {group} AS g, a.id, an.criterion_code, an.value {AUDITS_FROM} "
        f"JOIN answers an ON an.audit_id = a.id WHERE {where} AND an.value IS NOT NULL{asked}",
        [*params, *asked_params],
    ).fetchall()
    per_audit: dict[tuple[str, int, str], list[str]] = defaultdict(list)
    for g, audit_id, criterion, value in rows:
        line = lines.get(criterion)
        if line is not None:
            per_audit[(str(g), audit_id, line)].append(value)
    for (g, _audit, line), values in per_audit.items():
        yield (g, line), values[0] if len(values) == 1 else merged_answer(values), 1


def _answer_counts(
    store: Store,
    audit_filter: AuditFilter,
    framework: Framework,
    *,
    group: str | None,
    extra: tuple[str, list[Any]] = ("", []),
    tally: bool = True,
) -> Any:
    """(group, criterion) — or criterion without a group — → answer → audits, criteria not
    asked left out (:func:`unasked_answers_left_out`). Counted per case type and the
    case-type rule applied to those few counts here: the same figures as testing every
    answer row against it in SQL, in a fraction of the time.

    Why the counting is shaped so: joining the 400,000 answer rows to their audits costs
    four times the aggregate, and a ``GROUP BY`` over them spends most of its time in
    SQLite's sorter. Instead (``tally``) each filtered audit brings the marks of its answers
    kept with its row (:mod:`auditor.store.summaries`), counted a criterion at a time
    (:func:`_tally_marks`), or where they are unknown its text, tallied with
    :class:`~collections.Counter` (:func:`_tally`); an answer asked only under conditions is
    left out where they do not hold. A framework whose codes hold a separator is counted by
    the ``GROUP BY`` over the answer rows."""
    where, params = audit_filter.sql()
    where, params = where + extra[0], [*params, *extra[1]]
    tally = tally and texts_sound(store)
    counted = (
        _tallied(store, group, where, params, framework)
        if tally
        else _grouped(store, group, where, params, _ungated_answers_left_out(framework))
    )
    return _counts_of(counted, framework, grouped=group is not None)


def _counts_of(counted: Counted, framework: Framework, *, grouped: bool) -> Any:
    """:func:`_answer_counts`' result from its (group, case type, criterion, answer,
    audits) rows: the case-type rule applied."""
    types_asked = _types_asked(framework)
    counts: dict[Any, dict[str, int]] = defaultdict(dict)
    for key, case_type, code, value, n in counted:
        types = types_asked.get(code)
        if types is not None and case_type is not TYPES_APPLIED and case_type not in types:
            continue  # asked only of other case types (as SQL's NOT IN, a missing type too)
        by_value = counts[(key, code) if grouped else code]
        by_value[value] = by_value.get(value, 0) + n
    return counts


# (group, case type, criterion, answer, audits) rows, from which _answer_counts counts.
Counted = Iterable[tuple[Any, str, str, str, int]]
# The case type of a Counted row whose answers were counted only where asked (the marks').
TYPES_APPLIED = "any type asked"
# A gated criterion → for each of its conditions, the answered texts' pieces any one of
# which makes it hold (``NEXT criterion PAIR answer NEXT``).
Needles = dict[str, list[tuple[str, ...]]]


def texts_sound(store: Store) -> bool:
    """Whether answers can be read from the texts kept with the audits and moderations: no
    framework registered here has a separator in a criterion or answer code (and every
    answer, ours or a pack's, is checked to be one of its framework's codes)."""
    return not any(_separators_in(f) for f in list_frameworks(store))


def _separators_in(framework: Framework) -> bool:
    codes = [c.code for c in framework.criteria]
    codes += [v.code for c in framework.criteria for v in c.scale.values]
    return any(PAIR in code or NEXT in code for code in codes)


def _grouped(
    store: Store, group: str | None, where: str, params: list[Any], gated: tuple[str, list[str]]
) -> Counted:
    """The answer rows joined to their audits and counted by SQL."""
    return store.execute(
        f"SELECT {group or 'NULL'} AS g, a.case_type, an.criterion_code, an.value, COUNT(*) "
        f"{AUDITS_FROM} JOIN answers an ON an.audit_id = a.id WHERE {where} "
        f"AND an.value IS NOT NULL{gated[0]} GROUP BY g, a.case_type, an.criterion_code, an.value",
        [*params, *gated[1]],
    ).fetchall()


def _tallied(
    store: Store, group: str | None, where: str, params: list[Any], framework: Framework,
    *, headlines: list[tuple[Any, ...]] | None = None,
) -> Counted:  # fmt: skip
    """Each filtered audit's answers, tallied per group and case type: from its marks when
    it is on ``framework``'s version and they are known, else from its answered text.
    ``headlines``: as :func:`_marks_read` fills it."""
    marked, others = _marks_read(
        store, group, where, params, framework, each_audit=False, headlines=headlines
    )
    texts: dict[tuple[Any, str], list[str]] = defaultdict(list)
    for key, case_type, answered in _texts(store, group, others, _gate_needles(framework)):
        texts[(key, case_type)].append(answered)
    yield from _tally(texts)
    yield from _tally_marks(marked, framework)


def _marks_read(
    store: Store, group: str | None, where: str, params: list[Any], framework: Framework,
    *, each_audit: bool, headlines: list[tuple[Any, ...]] | None = None,
) -> tuple[dict[tuple[Any, str], list[str]], tuple[str, list[Any]] | None]:  # fmt: skip
    """(group, case type) → the marks of the filtered audits on ``framework``'s version
    whose marks are known, the answers its conditions do not ask left out; and the filter
    (``where``, ``params``) of the other audits, to count from their texts (None: there
    are none).

    The marks come from the figures' index alone (schema 12). Unless the caller needs them
    ``each_audit`` or conditions must be tested audit by audit, SQLite joins a group's marks
    (as wide as each other: one version), and 10,000 rows are never made Python objects.

    ``headlines``, on that path only: each group's (group, case type) row of
    :data:`_HEADLINE_COLUMNS` (every filtered audit's) is appended to it."""
    marked: dict[tuple[Any, str], list[str]] = defaultdict(list)
    marks = marking(framework)
    ours = "a.framework_code = ? AND a.framework_version = ? AND a.marks IS NOT NULL"
    ours_params = [*params, framework.code, framework.version]
    others = (f"{where} AND NOT ({ours})", ours_params)
    if marks.gates or each_audit:
        assert headlines is None, "headlines come with the marks joined by group"
        for key, case_type, held in store.execute(
            f"SELECT {group or 'NULL'}, a.case_type, a.marks "
            f"{audits_from(group or '', where)} WHERE {where} AND {ours}",
            ours_params,
        ):
            marked[(key, case_type)].append(marks.asked_only(held) if marks.gates else held)
        return marked, others
    # Every filtered audit is read here, its marks joined if they are known, and the others
    # counted: when there are none (as once every audit is on this version), the texts'
    # query is not run. It read the figures' index again to find none: 2.4 ms in 10 ms.
    unmarked = 0
    also = f", {_HEADLINE_COLUMNS}" if headlines is not None else ""
    for key, case_type, joined, n, *counted in store.execute(
        f"SELECT {group or 'NULL'} AS g, a.case_type AS t, "
        f"group_concat(CASE WHEN {ours} THEN a.marks END, ''), SUM(NOT ({ours})){also} "
        f"{audits_from(group or '', where)} WHERE {where} GROUP BY g, t",
        [framework.code, framework.version, framework.code, framework.version, *params],
    ):
        unmarked += n
        if joined:
            marked[(key, case_type)].append(joined)
        if headlines is not None:
            headlines.append((str(key), *counted))
    return marked, others if unmarked else None


def _tally_marks(marked: Mapping[tuple[Any, str], list[str]], framework: Framework) -> Counted:
    """Each group's marks joined, and each criterion's answers counted in its slice of them:
    a count of one character over the group's audits, made in C. A criterion asked of every
    case type is counted over all of a group's audits at once, one asked of some types over
    those types' audits alone: the case-type rule applied here (:data:`TYPES_APPLIED`)."""
    marks = marking(framework)
    types_asked = _types_asked(framework)
    every = [i for i, code in enumerate(marks.codes) if code not in types_asked]
    some: dict[str, list[int]] = defaultdict(list)  # case type → its criteria not asked of all
    for i, code in enumerate(marks.codes):
        for case_type in types_asked.get(code, ()):
            some[case_type].append(i)
    by_key: dict[Any, list[tuple[str, str]]] = defaultdict(list)
    for (key, case_type), group_marks in marked.items():
        by_key[key].append((case_type, "".join(group_marks)))
    for key, groups in by_key.items():
        counts: Counter[tuple[str, str]] = Counter()
        slices = [("".join(joined for _, joined in groups), every)]
        slices += [(joined, some.get(case_type, [])) for case_type, joined in groups]
        for joined, places in slices:
            for code, value, n in marks.answer_counts(joined, places):
                counts[(code, value)] += n
        for (code, value), n in counts.items():
            yield key, TYPES_APPLIED, code, value, n


def _texts(
    store: Store, group: str | None, others: tuple[str, list[Any]] | None, needles: Needles
) -> Iterator[tuple[Any, str, str]]:
    """(group, case type, answered text) of each audit ``others`` (``where``, ``params``)
    picks with an answer asked under ``needles``' conditions: the audits whose marks are not
    known (or are on another version), few, found in the figures' index, which holds the
    marks. None: there are no such audits."""
    if others is None:
        return
    where, params = others
    joined = audits_from(group or "", where)
    for key, case_type, answered in store.execute(
        f"SELECT {group or 'NULL'}, a.case_type, {ANSWERED_OF} {joined} WHERE {where}",
        params,
    ):
        if answered and needles:
            answered = _gated_out(answered, needles)
        if answered:
            yield key, case_type, answered


def _tally(texts: Mapping[tuple[Any, str], list[str]]) -> Counted:
    for (key, case_type), group_texts in texts.items():
        # One split of the group's texts joined: a call per group, not per audit.
        for pair, n in Counter(NEXT.join(group_texts).split(NEXT)).items():
            code, value = pair.split(PAIR)
            yield key, case_type, code, value, n


def _gate_needles(framework: Framework) -> Needles:
    needles: Needles = {}
    for criterion in framework.criteria:
        gates = framework.gates(criterion.code)
        if gates:
            needles[criterion.code] = [
                tuple(f"{NEXT}{gate.criterion}{PAIR}{answer}{NEXT}" for answer in gate.answers)
                for gate in gates
            ]
    return needles


def _gated_out(answered: str, needles: Needles) -> str:
    """``answered`` without the answers to criteria whose conditions do not all hold in it:
    :meth:`Framework.criteria_asked`, as :func:`unasked_answers_left_out` says it in SQL."""
    text = f"{NEXT}{answered}{NEXT}"
    unasked = [
        f"{NEXT}{code}{PAIR}"
        for code, conditions in needles.items()
        if f"{NEXT}{code}{PAIR}" in text
        and not all(any(n in text for n in holds) for holds in conditions)
    ]
    if not unasked:
        return answered
    kept = (p for p in answered.split(NEXT) if not any(f"{NEXT}{p}".startswith(u) for u in unasked))
    return NEXT.join(kept)


def _types_asked(framework: Framework) -> dict[str, frozenset[str]]:
    """Criterion → the case types it is asked of, for the criteria not asked of every type."""
    every_type = set(CaseType)
    return {
        c.code: frozenset(t.value for t in c.applies_to)
        for c in framework.criteria
        if set(c.applies_to) != every_type
    }


def unasked_answers_left_out(framework: Framework) -> tuple[str, list[str]]:
    """An SQL condition (`` AND ...``, or empty) over ``answers an`` of ``audits a`` that
    leaves out an answer kept for a criterion not asked: one that does not apply to the
    case type the audit was made for (``a.case_type``: the case's type may have changed
    since), or whose conditions (:meth:`Framework.gates`) do not all hold in the same audit.
    The SQL form of :meth:`Framework.criteria_asked`, so the figures agree with the audit's
    own grade."""
    clauses, params = _case_type_clauses(framework)
    gate_clauses, gate_params = _gate_clauses(framework)
    return _left_out(clauses + gate_clauses, params + gate_params)


def _ungated_answers_left_out(framework: Framework) -> tuple[str, list[str]]:
    """The conditions' half of :func:`unasked_answers_left_out` alone."""
    return _left_out(*_gate_clauses(framework))


def _left_out(clauses: list[str], params: list[str]) -> tuple[str, list[str]]:
    if not clauses:
        return "", []
    return f" AND NOT ({' OR '.join(clauses)})", params


def _case_type_clauses(framework: Framework) -> tuple[list[str], list[str]]:
    clauses: list[str] = []
    params: list[str] = []
    for code, types in _types_asked(framework).items():
        ordered = [t.value for t in CaseType if t.value in types]
        clauses.append(
            f"(an.criterion_code = ? AND a.case_type NOT IN ({', '.join('?' for _ in ordered)}))"
        )
        params += [code, *ordered]
    return clauses, params


def _gate_clauses(framework: Framework) -> tuple[list[str], list[str]]:
    clauses: list[str] = []
    params: list[str] = []
    for criterion in framework.criteria:
        gates = framework.gates(criterion.code)
        if not gates:
            continue
        holds = []
        params.append(criterion.code)
        for gate in gates:
            marks = ", ".join("?" for _ in gate.answers)
            holds.append(
                "EXISTS (SELECT 1 FROM answers g WHERE g.audit_id = a.id "
                f"AND g.criterion_code = ? AND g.value IN ({marks}))"
            )
            params += [gate.criterion, *gate.answers]
        clauses.append(f"(an.criterion_code = ? AND NOT ({' AND '.join(holds)}))")
    return clauses, params


def overall_met_percent(figures: Iterable[CriterionFigures]) -> float | None:
    """% met over every scored answer of every criterion (each answer counts once)."""
    met = scored = 0
    for f in figures:
        met, scored = met + f.met, scored + f.scored
    return None if scored == 0 else 100.0 * met / scored


# ---------------------------------------------------------------------------------------
# Periods: the 6- and 12-month points a notice sets its targets at


@dataclass(frozen=True)
class Period:
    """A span of audit dates, both ends included."""

    label: str
    start: date
    end: date


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it is shorter)."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def six_month_points(start: date, last: date | None = None) -> tuple[Period, ...]:
    """The 6-, 12-, 18-... month points counted from ``start`` (e.g. a notice's start).

    Each point covers the six months up to it, so it shows practice at that point rather
    than an average since the start. The 6- and 12-month points are always given; later
    ones while they begin on or before ``last`` (the newest audit).
    """
    points: list[Period] = []
    months = 6
    while months <= 12 or (last is not None and add_months(start, months - 6) <= last):
        begin = add_months(start, months - 6)
        end = add_months(start, months) - timedelta(days=1)
        points.append(Period(f"{months}-month point", begin, end))
        months += 6
    return tuple(points)


def within(audit_filter: AuditFilter, start: date, end: date) -> AuditFilter:
    """The filter narrowed to audits dated ``start``..``end`` (its own dates still apply)."""
    date_from = max(start, audit_filter.date_from) if audit_filter.date_from else start
    date_to = min(end, audit_filter.date_to) if audit_filter.date_to else end
    return dataclasses.replace(audit_filter, date_from=date_from, date_to=date_to)


def audit_date_range(store: Store, audit_filter: AuditFilter) -> tuple[date, date] | None:
    """The first and last audit date among the filtered audits; None when there are none."""
    where, params = audit_filter.sql()
    row = store.execute(
        f"SELECT MIN(a.audit_date), MAX(a.audit_date) {AUDITS_FROM} WHERE {where}", params
    ).fetchone()
    first, last = parse_date(row[0]), parse_date(row[1])
    return None if first is None or last is None else (first, last)


def first_audit_on(store: Store, audit_filter: AuditFilter, code: str, version: str) -> date | None:
    """The first audit date among the filtered audits scored on ``code`` ``version``: where a
    trend joining versions through a crosswalk changes wording."""
    where, params = dataclasses.replace(audit_filter, framework_code=code).sql()
    return parse_date(
        store.scalar(
            f"SELECT MIN(a.audit_date) {AUDITS_FROM} WHERE {where} AND a.framework_version = ?",
            [*params, version],
        )
    )
