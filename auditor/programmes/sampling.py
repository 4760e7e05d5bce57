"""Drawing an audit sample from candidate cases: pure functions, no database.

Methods: simple random N or N %, stratified by team and/or case type (proportional, at least
one per stratum where possible), every case closed between two dates (Herefordshire notice,
para 20: "all cases closed in the last three months"), or hand-picked. Filters by case type,
team and open/closed apply first; cases audited within the exclusion window are left out;
``per_team`` draws a fixed quota from each team. The same candidates, parameters and seed
always give the same sample, and :meth:`Sample.record` keeps all three so the draw can be
repeated later (:func:`redraw`) to show it was not hand-picked.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import secrets
from collections import defaultdict
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import date, timedelta
from fractions import Fraction
from typing import Any, TypeVar

from auditor.audits.timeliness import add_months
from auditor.clock import today, uk_date
from auditor.domain import CaseType
from auditor.errors import ValidationError
from auditor.words import plural

METHODS = ("random", "percent", "stratified", "closed", "hand")
STRATA_FIELDS = ("team", "case_type")
CLOSED_WINDOW_MONTHS = 3  # "all cases closed in the last three months"
K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class Candidate:
    """A case that may be sampled, with what sampling needs to know about it."""

    uid: str
    reference: str
    case_type: str
    team: str
    closed_date: date | None = None
    last_audit_date: date | None = None

    def key(self, fields: Sequence[str]) -> tuple[str, ...]:
        return tuple(getattr(self, name) for name in fields)


@dataclass(frozen=True)
class SampleSpec:
    """How to draw a sample. ``reference_date`` (default today) anchors the exclusion window
    and the default closed window; ``seed`` (default: a fresh random one, recorded)."""

    method: str
    n: int | None = None
    percent: float | None = None
    by: tuple[str, ...] = ()
    per_team: int | None = None
    closed_from: date | None = None
    closed_to: date | None = None
    case_types: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()
    open_only: bool = False
    exclude_months: int = 0
    references: tuple[str, ...] = ()
    seed: int | None = None
    reference_date: date | None = None

    def completed(self) -> SampleSpec:
        """The spec checked, with its seed, reference date and closed window filled in."""
        _check_spec(self)
        on = self.reference_date or today()
        spec = replace(
            self,
            seed=self.seed if self.seed is not None else secrets.randbelow(2**31),
            reference_date=on,
            case_types=tuple(CaseType(t).value for t in self.case_types),
        )
        if self.method == "closed":
            spec = replace(
                spec,
                closed_to=self.closed_to or on,
                closed_from=self.closed_from
                or add_months(self.closed_to or on, -CLOSED_WINDOW_MONTHS) + timedelta(days=1),
            )
        return spec

    def parameters(self) -> dict[str, Any]:
        """The spec as JSON-ready values (dates as ISO text), without defaults left empty."""
        values = {k: v for k, v in asdict(self).items() if v not in (None, (), False, 0)}
        return {
            k: (v.isoformat() if isinstance(v, date) else list(v) if isinstance(v, tuple) else v)
            for k, v in values.items()
        }


def _check_spec(spec: SampleSpec) -> None:
    problems = []
    if spec.method not in METHODS:
        problems.append(f"the method must be one of {', '.join(METHODS)}")
    sizes = [s for s in (spec.n, spec.percent, spec.per_team) if s is not None]
    if spec.method == "hand":
        if not spec.references:
            problems.append("a hand-picked sample needs the case references")
        if sizes:
            problems.append("a hand-picked sample takes no size, percentage or quota")
    elif spec.method == "percent" and spec.percent is None:
        problems.append("a percentage sample needs the percentage")
    elif spec.method in ("random", "stratified") and len(sizes) != 1:
        problems.append(f"a {spec.method} sample needs one of: a number, a percentage, a quota")
    elif spec.method == "closed" and len(sizes) > 1:
        problems.append("give at most one of: a number, a percentage, a quota")
    if spec.method == "stratified" and not spec.by and spec.per_team is None:
        problems.append("a stratified sample needs what to stratify by (team, case type)")
    problems.extend(_range_problems(spec))
    if problems:
        raise ValidationError("the sample cannot be drawn as asked", problems)


def _range_problems(spec: SampleSpec) -> list[str]:
    problems = []
    if spec.n is not None and spec.n < 1:
        problems.append("the number of cases must be at least 1")
    if spec.percent is not None and not 0 < spec.percent <= 100:
        problems.append("the percentage must be more than 0 and at most 100")
    if spec.per_team is not None and spec.per_team < 1:
        problems.append("the quota per team must be at least 1")
    if spec.exclude_months < 0:
        problems.append("the exclusion window cannot be negative")
    if unknown := set(spec.by) - set(STRATA_FIELDS):
        problems.append(f"cannot stratify by {', '.join(sorted(unknown))} (only team, case_type)")
    if spec.closed_from and spec.closed_to and spec.closed_from > spec.closed_to:
        problems.append("the closed window ends before it starts")
    for case_type in spec.case_types:
        if case_type not in {t.value for t in CaseType}:
            problems.append(f"'{case_type}' is not a case type")
    return problems


@dataclass(frozen=True)
class Stratum:
    key: tuple[str, ...]
    population: int
    sampled: int

    @property
    def label(self) -> str:
        return " / ".join(part or "(none)" for part in self.key)


@dataclass(frozen=True)
class Sample:
    """A drawn sample: the cases (by reference), the eligible population it was drawn from,
    the cases left out as recently audited, the strata and any notes for the user."""

    spec: SampleSpec
    cases: tuple[Candidate, ...]
    population: tuple[Candidate, ...]
    excluded: tuple[Candidate, ...] = ()
    strata: tuple[Stratum, ...] = ()
    notes: tuple[str, ...] = ()

    def record(self) -> dict[str, Any]:
        """Everything needed to show later how the sample was drawn, for ``sample_json``."""
        population = [[c.reference, c.team, c.case_type] for c in self.population]
        return {
            "method": self.spec.method,
            "parameters": self.spec.parameters(),
            "seed": self.spec.seed,
            "reference_date": _iso(self.spec.reference_date),
            "eligible": len(self.population),
            "excluded_recently_audited": [c.reference for c in self.excluded],
            "strata": [
                {"key": list(s.key), "population": s.population, "sampled": s.sampled}
                for s in self.strata
            ],
            "population": population,
            "population_sha256": population_fingerprint(population),
            "sample": [c.reference for c in self.cases],
            "notes": list(self.notes),
        }


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def population_fingerprint(population: Sequence[Sequence[str]]) -> str:
    """SHA-256 of the recorded population (reference, team, case type per case)."""
    text = json.dumps(population, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------------------------
# Drawing


def draw_sample(
    candidates: Iterable[Candidate], spec: SampleSpec, *, already_sampled: Collection[str] = ()
) -> Sample:
    """Draw a sample from ``candidates`` (cases in ``already_sampled``, by uid, are left out).

    Raises :class:`ValidationError` for impossible parameters or unknown hand-picked references.
    """
    spec = spec.completed()
    pool = sorted(
        (c for c in candidates if c.uid not in already_sampled), key=lambda c: c.reference
    )
    if spec.method == "hand":
        return _hand_picked(pool, spec)
    filtered = [c for c in pool if _passes_filters(c, spec)]
    cutoff = _cutoff(spec)
    population = [c for c in filtered if not _recently_audited(c, cutoff)]
    excluded = [c for c in filtered if _recently_audited(c, cutoff)]
    cases, strata, notes = _select(population, spec)
    if excluded:
        notes.insert(
            0,
            f"{plural(len(excluded), 'case')} audited in the "
            f"{plural(spec.exclude_months, 'month')} before "
            f"{uk_date(spec.reference_date)} left out",
        )
    return Sample(spec, cases, tuple(population), tuple(excluded), strata, tuple(notes))


def redraw(record: Mapping[str, Any]) -> list[str]:
    """Repeat a recorded draw from its recorded population and seed; returns the references
    drawn (equal to ``record["sample"]`` when the record is genuine)."""
    parameters = dict(record["parameters"])
    if record["method"] == "hand":
        return sorted(parameters.get("references", []))
    population = tuple(
        Candidate(uid=ref, reference=ref, team=team, case_type=case_type)
        for ref, team, case_type in record["population"]
    )
    spec = SampleSpec(
        method=record["method"],
        n=parameters.get("n"),
        percent=parameters.get("percent"),
        by=tuple(parameters.get("by", ())),
        per_team=parameters.get("per_team"),
        seed=record["seed"],
    )
    cases, _, _ = _select(list(population), spec)
    return [c.reference for c in cases]


def _passes_filters(case: Candidate, spec: SampleSpec) -> bool:
    if spec.case_types and case.case_type not in spec.case_types:
        return False
    if spec.teams and case.team not in spec.teams:
        return False
    on = spec.reference_date or today()
    if spec.open_only and case.closed_date is not None and case.closed_date <= on:
        return False
    if spec.closed_from or spec.closed_to:
        closed = case.closed_date
        if closed is None:
            return False
        if (spec.closed_from and closed < spec.closed_from) or (
            spec.closed_to and closed > spec.closed_to
        ):
            return False
    return True


def _cutoff(spec: SampleSpec) -> date | None:
    if not spec.exclude_months:
        return None
    return add_months(spec.reference_date or today(), -spec.exclude_months)


def _recently_audited(case: Candidate, cutoff: date | None) -> bool:
    """Audited after the cutoff (exactly N months ago is outside the window)."""
    return cutoff is not None and case.last_audit_date is not None and case.last_audit_date > cutoff


def _hand_picked(pool: list[Candidate], spec: SampleSpec) -> Sample:
    by_reference = {c.reference: c for c in pool}
    wanted = sorted({r.strip() for r in spec.references if r.strip()})
    unknown = [r for r in wanted if r not in by_reference]
    if unknown:
        raise ValidationError(
            f"{plural(len(unknown), 'hand-picked reference')} "
            + ("is not a case here or is" if len(unknown) == 1 else "are not cases here or are")
            + " already in the sample",
            unknown,
        )
    cases = tuple(by_reference[r] for r in wanted)
    cutoff = _cutoff(spec)
    notes = tuple(
        f"{c.reference} was audited on {uk_date(c.last_audit_date)} (within the exclusion window): "
        "kept, as it was picked by hand"
        for c in cases
        if _recently_audited(c, cutoff)
    )
    return Sample(spec, cases, cases, notes=notes)


def _select(
    population: list[Candidate], spec: SampleSpec
) -> tuple[tuple[Candidate, ...], tuple[Stratum, ...], list[str]]:
    """The random part of a draw: ``population`` sorted by reference, one generator from
    the seed, strata visited in sorted order, so the same inputs give the same sample."""
    rng = random.Random(spec.seed)
    notes: list[str] = []
    if spec.per_team is not None:
        chosen, strata = _per_team(population, spec, rng, notes)
    elif spec.method == "stratified":
        size = _size(spec, len(population), notes)
        chosen, strata = _stratified(population, spec.by, size, rng, notes)
    elif spec.method == "closed" and spec.n is None and spec.percent is None:
        chosen, strata = list(population), []
    else:
        size = _size(spec, len(population), notes)
        chosen, strata = rng.sample(population, size), []
    return tuple(sorted(chosen, key=lambda c: c.reference)), tuple(strata), notes


def _size(spec: SampleSpec, available: int, notes: list[str]) -> int:
    """N, or N % of the eligible cases rounded up; at most the cases available."""
    if spec.percent is not None:
        wanted = math.ceil(Fraction(str(spec.percent)) * available / 100)
    else:
        wanted = spec.n or 0
    if wanted > available:
        notes.append(f"{plural(wanted, 'case')} asked for but {available:,} eligible: all taken")
    return min(wanted, available)


def _groups(population: Iterable[Candidate], fields: Sequence[str]) -> dict[Any, list[Candidate]]:
    groups: dict[Any, list[Candidate]] = defaultdict(list)
    for case in population:
        groups[case.key(fields)].append(case)
    return dict(sorted(groups.items()))


def _stratified(
    population: list[Candidate],
    by: Sequence[str],
    size: int,
    rng: random.Random,
    notes: list[str],
    prefix: tuple[str, ...] = (),
) -> tuple[list[Candidate], list[Stratum]]:
    groups = _groups(population, by)
    quotas = allocate({key: len(members) for key, members in groups.items()}, size)
    if 0 < size < len(groups):
        notes.append(
            f"{plural(size, 'case')} for {len(groups)} strata"
            f"{' in ' + prefix[0] if prefix else ''}: "
            "one from each of the largest strata"
        )
    chosen: list[Candidate] = []
    strata: list[Stratum] = []
    for key, members in groups.items():
        chosen.extend(rng.sample(members, quotas[key]))
        strata.append(Stratum(prefix + key, len(members), quotas[key]))
    return chosen, strata


def _per_team(
    population: list[Candidate], spec: SampleSpec, rng: random.Random, notes: list[str]
) -> tuple[list[Candidate], list[Stratum]]:
    """``per_team`` cases from each team; within a team, stratified by the other fields."""
    quota = spec.per_team or 0
    within = tuple(f for f in spec.by if f != "team") if spec.method == "stratified" else ()
    chosen: list[Candidate] = []
    strata: list[Stratum] = []
    for (team,), members in _groups(population, ("team",)).items():
        if len(members) < quota:
            notes.append(
                f"{team or '(no team)'} has {plural(len(members), 'eligible case')}, quota {quota}"
            )
        size = min(quota, len(members))
        if within:
            picked, sub = _stratified(members, within, size, rng, notes, prefix=(team,))
            chosen.extend(picked)
            strata.extend(sub)
        else:
            chosen.extend(rng.sample(members, size))
            strata.append(Stratum((team,), len(members), size))
    return chosen, strata


def allocate(sizes: Mapping[K, int], total: int) -> dict[K, int]:
    """Share ``total`` sample places among strata in proportion to their sizes (largest
    remainder), with at least one place per non-empty stratum where ``total`` allows and never
    more places than a stratum has cases. With fewer places than strata, the largest strata
    get one each (ties in key order)."""
    keys = sorted(sizes, key=lambda k: (-sizes[k], str(k)))
    allocation = {k: 0 for k in sizes}
    present = [k for k in keys if sizes[k] > 0]
    population = sum(sizes[k] for k in present)
    total = min(total, population)
    if total <= 0:
        return allocation
    if total < len(present):
        for key in present[:total]:
            allocation[key] = 1
        return allocation
    quota = {k: Fraction(total * sizes[k], population) for k in present}
    for key in present:
        allocation[key] = min(sizes[key], max(1, math.floor(quota[key])))
    while sum(allocation.values()) > total:  # the minimum of one pushed some strata over
        key = max((k for k in present if allocation[k] > 1), key=lambda k: allocation[k] - quota[k])
        allocation[key] -= 1
    while sum(allocation.values()) < total:
        key = max(
            (k for k in present if allocation[k] < sizes[k]), key=lambda k: quota[k] - allocation[k]
        )
        allocation[key] += 1
    return allocation
