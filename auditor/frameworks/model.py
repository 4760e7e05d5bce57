"""Frameworks: versioned audit tools made of sections of criteria, loaded from TOML files.

A framework is data, not code: a council adds its own by dropping a ``.toml`` file beside
the built-in ones (see ``docs/frameworks.md`` for the format). Files are validated on load
and every problem names the file and the criterion, so a typo never reaches an auditor.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from auditor.domain import CASE_DATE_FIELDS, CaseType, Grade
from auditor.errors import FrameworkError

ALL_CASE_TYPES: tuple[CaseType, ...] = tuple(CaseType)
TIMESCALE_UNITS = ("working_days", "days", "weeks", "months")
# A timescale may be measured up to the day the case was audited rather than a case date.
AUDIT_DATE = "audit_date"


@dataclass(frozen=True)
class ScaleValue:
    """One answer on a scale. ``score`` is None for "not applicable": excluded from scores."""

    code: str
    label: str
    key: str
    score: float | None
    asks_evidence: bool

    @property
    def is_not_applicable(self) -> bool:
        return self.score is None

    @property
    def met(self) -> bool:
        """Counts as "met" in compliance figures: a full score."""
        return self.score is not None and self.score >= 1.0

    @property
    def counts_as(self) -> str:
        """What the answer counts as in the figures, in words (the editor shows it)."""
        if self.is_not_applicable:
            return "Not applicable: left out"
        return "Met" if self.met else f"Not met (scores {self.score:g})"


def default_asks_evidence(score: float | None) -> bool:
    """Whether an answer asks for its evidence when the scale does not say: an answer that
    scores less than full (Partly, No) does; a full or not-applicable one does not."""
    return score is not None and score < 1


@dataclass(frozen=True)
class Scale:
    code: str
    label: str
    values: tuple[ScaleValue, ...]

    def value(self, code: str) -> ScaleValue:
        return self._by_code[code]  # KeyError for a code not on the scale

    @cached_property
    def _by_code(self) -> dict[str, ScaleValue]:
        """Each value by its code, the first where two share one (as a scan finds it):
        grading looks up every asked criterion's answer at every answer saved."""
        by_code: dict[str, ScaleValue] = {}
        for v in self.values:
            by_code.setdefault(v.code, v)
        return by_code

    def by_key(self, key: str) -> ScaleValue | None:
        return next((v for v in self.values if v.key == key), None)


@dataclass(frozen=True)
class Condition:
    """When a criterion is asked: only when an earlier criterion (the *gate*) has one of
    these answers, e.g. the plan's criteria only when "Is there a plan?" is Yes."""

    criterion: str
    answers: tuple[str, ...]

    def holds(self, answers: Mapping[str, str | None]) -> bool:
        return answers.get(self.criterion) in self.answers


@dataclass(frozen=True)
class Criterion:
    code: str
    section: str
    text: str
    guidance: str
    scale: Scale
    applies_to: tuple[CaseType, ...]
    target: float | None
    limiting: bool
    sources: tuple[str, ...]
    asked_when: Condition | None = None

    def applies(self, case_type: CaseType | str) -> bool:
        return CaseType(case_type) in self.applies_to


@dataclass(frozen=True)
class Section:
    code: str
    title: str
    criteria: tuple[Criterion, ...]


@dataclass(frozen=True)
class Timescale:
    """A statutory or local timescale checked from a case's dates."""

    code: str
    label: str
    start: str
    end: str
    limit: int
    unit: str
    applies_to: tuple[CaseType, ...]
    source: str


@dataclass(frozen=True)
class GradingRules:
    """Compliance thresholds (percent) for the suggested grade, the limiting cap, and the
    target (percent) for the share of audits graded good or better, if the QA lead set one."""

    outstanding_min: float = 90.0
    good_min: float = 75.0
    requires_improvement_min: float = 50.0
    limiting_cap: Grade = Grade.REQUIRES_IMPROVEMENT
    good_or_better_target: float | None = None


@dataclass(frozen=True)
class Framework:
    code: str
    title: str
    version: str
    description: str
    sections: tuple[Section, ...]
    scales: Mapping[str, Scale]
    grading: GradingRules
    timescales: tuple[Timescale, ...]
    source_text: str = field(repr=False, compare=False, default="")
    # The criteria, and those of each case type, worked out once: every answer saved grades
    # the audit through them (a framework never changes once made).
    _criteria: tuple[Criterion, ...] = field(init=False, repr=False, compare=False)
    _by_case_type: dict[CaseType, tuple[Criterion, ...]] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "_criteria", tuple(c for s in self.sections for c in s.criteria))

    @property
    def criteria(self) -> tuple[Criterion, ...]:
        return self._criteria

    def criterion(self, code: str) -> Criterion:
        for c in self.criteria:
            if c.code == code:
                return c
        raise KeyError(code)

    def criteria_for(self, case_type: CaseType | str) -> tuple[Criterion, ...]:
        """The criteria that may be asked for a case of this type, in framework order:
        conditional ones included, whatever the answers (see :meth:`criteria_asked`)."""
        kind = CaseType(case_type)
        known = self._by_case_type.get(kind)
        if known is None:
            known = self._by_case_type[kind] = tuple(c for c in self.criteria if c.applies(kind))
        return known

    def criteria_asked(
        self, case_type: CaseType | str, answers: Mapping[str, str | None]
    ) -> tuple[Criterion, ...]:
        """The criteria asked in an audit of a case of this type with these answers
        (criterion code → answer code), in framework order: the one rule of
        ``docs/grading.md`` section 1 that the form, grading, submission and reports share.

        A criterion with ``asked_when`` is asked only while its gate is itself asked and
        has one of the answers named; an answer kept for a criterion not asked is ignored.
        """
        asked: list[Criterion] = []
        codes: set[str] = set()
        for c in self.criteria_for(case_type):
            gate = c.asked_when
            # A gate comes earlier, so whether it is asked is already known here.
            if gate is None or (gate.criterion in codes and gate.holds(answers)):
                asked.append(c)
                codes.add(c.code)
        return tuple(asked)

    def condition_text(self, code: str) -> str | None:
        """When a conditional criterion is asked, in words ("when RISK-01 is answered Yes or
        Partly"); None for a criterion always asked (for its case types)."""
        condition = self.criterion(code).asked_when
        if condition is None:
            return None
        gate = self.criterion(condition.criterion)
        labels = {v.code: v.label for v in gate.scale.values}
        words = " or ".join(labels.get(a, a) for a in condition.answers)
        return f"when {gate.code} is answered {words}"

    def gates(self, code: str) -> tuple[Condition, ...]:
        """Every condition criterion ``code`` is asked under: its own, its gate's, and so on
        (empty for a criterion always asked for its case types). It is asked exactly when
        it applies to the case type and all of them hold; the figures' SQL uses this."""
        found = []
        condition = self.criterion(code).asked_when
        while condition is not None:
            found.append(condition)
            condition = self.criterion(condition.criterion).asked_when
        return tuple(found)

    def section_title(self, code: str) -> str:
        return next(s.title for s in self.sections if s.code == code)

    def timescales_for(self, case_type: CaseType | str) -> tuple[Timescale, ...]:
        return tuple(t for t in self.timescales if CaseType(case_type) in t.applies_to)

    def to_dict(self) -> dict[str, Any]:
        """Everything about the framework, JSON-ready (the ``--json`` output)."""
        return {
            "code": self.code,
            "title": self.title,
            "version": self.version,
            "description": self.description,
            "grading": {
                "outstanding_min": self.grading.outstanding_min,
                "good_min": self.grading.good_min,
                "requires_improvement_min": self.grading.requires_improvement_min,
                "limiting_cap": self.grading.limiting_cap.value,
                "good_or_better_target": self.grading.good_or_better_target,
            },
            "scales": {
                code: {
                    "label": s.label,
                    "values": [
                        {
                            "code": v.code,
                            "label": v.label,
                            "key": v.key,
                            "score": v.score,
                            "asks_evidence": v.asks_evidence,
                        }
                        for v in s.values
                    ],
                }
                for code, s in self.scales.items()
            },
            "sections": [{"code": s.code, "title": s.title} for s in self.sections],
            "criteria": [_criterion_dict(c) for c in self.criteria],
            "timescales": [
                {
                    "code": t.code,
                    "label": t.label,
                    "start": t.start,
                    "end": t.end,
                    "limit": t.limit,
                    "unit": t.unit,
                    "applies_to": [ct.value for ct in t.applies_to],
                    "source": t.source,
                }
                for t in self.timescales
            ],
        }


def _criterion_dict(c: Criterion) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": c.code,
        "section": c.section,
        "text": c.text,
        "guidance": c.guidance,
        "scale": c.scale.code,
        "applies_to": [ct.value for ct in c.applies_to],
        "target": c.target,
        "limiting": c.limiting,
        "sources": list(c.sources),
    }
    if c.asked_when is not None:  # only where there is one: most criteria are always asked
        data["asked_when"] = {
            "criterion": c.asked_when.criterion,
            "answers": list(c.asked_when.answers),
        }
    return data


# ---------------------------------------------------------------------------------------
# Loading and validation


def load_framework_file(path: Path) -> Framework:
    """Read and validate one framework file; :class:`FrameworkError` names what is wrong."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FrameworkError(f"{path.name}: cannot be read ({exc})") from exc
    return parse_framework(text, origin=path.name)


def parse_framework(text: str, *, origin: str) -> Framework:
    """Parse framework TOML text. ``origin`` names the file in error messages."""
    import tomllib  # here: most start-ups parse no framework (9 ms to import)

    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise FrameworkError(f"{origin}: not valid TOML ({exc})") from exc
    return _FrameworkReader(raw, origin, text).read()


def load_builtin_frameworks(directory: Path | None = None) -> list[Framework]:
    """Every framework file in the built-in folder (or ``directory``), sorted by code."""
    from auditor.paths import builtin_frameworks_dir

    folder = directory or builtin_frameworks_dir()
    frameworks = [load_framework_file(p) for p in sorted(folder.glob("*.toml"))]
    _reject_duplicate_frameworks(frameworks)
    return sorted(frameworks, key=lambda f: (f.code, f.version))


def _reject_duplicate_frameworks(frameworks: Iterable[Framework]) -> None:
    seen: set[tuple[str, str]] = set()
    for fw in frameworks:
        key = (fw.code, fw.version)
        if key in seen:
            raise FrameworkError(f"framework {fw.code} version {fw.version} is defined twice")
        seen.add(key)


_FRAMEWORK_KEYS = frozenset(
    {"code", "title", "version", "description", "grading", "scales", "sections", "timescales"}
)
_CRITERION_KEYS = frozenset(
    {"code", "text", "guidance", "scale", "applies_to", "target", "limiting", "sources"}
    | {"asked_when"}
)
_CONDITION_KEYS = frozenset({"criterion", "answer", "answers"})


class _FrameworkReader:
    """Turns the parsed TOML into a :class:`Framework`, collecting precise errors."""

    def __init__(self, raw: Mapping[str, Any], origin: str, text: str) -> None:
        self.raw = raw
        self.origin = origin
        self.text = text

    def fail(self, where: str, problem: str) -> FrameworkError:
        return FrameworkError(f"{self.origin}: {where}: {problem}")

    def read(self) -> Framework:
        code = self._text(self.raw, "code", "framework")
        self._no_unknown_keys(self.raw, _FRAMEWORK_KEYS, "framework")
        scales = self._scales()
        sections = self._sections(scales)
        if not any(s.criteria for s in sections):
            raise self.fail("framework", "has no criteria")
        self._check_conditions([c for s in sections for c in s.criteria])
        return Framework(
            code=code,
            title=self._text(self.raw, "title", "framework"),
            version=self._text(self.raw, "version", "framework"),
            description=str(self.raw.get("description", "")).strip(),
            sections=sections,
            scales=scales,
            grading=self._grading(),
            timescales=self._timescales(),
            source_text=self.text,
        )

    def _text(self, table: Mapping[str, Any], key: str, where: str) -> str:
        value = table.get(key)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(where, f"'{key}' is missing or empty")
        return value.strip()

    def _no_unknown_keys(self, table: Mapping[str, Any], known: frozenset[str], where: str) -> None:
        """A misspelt key (``limitting = true``) must not be silently ignored."""
        unknown = sorted(set(table) - known)
        if unknown:
            raise self.fail(
                where, f"unknown key(s) {', '.join(unknown)} (known: {', '.join(sorted(known))})"
            )

    def _scales(self) -> dict[str, Scale]:
        raw_scales = self.raw.get("scales")
        if not isinstance(raw_scales, dict) or not raw_scales:
            raise self.fail("framework", "no [scales] defined")
        return {code: self._scale(code, table) for code, table in raw_scales.items()}

    def _scale(self, code: str, table: Mapping[str, Any]) -> Scale:
        where = f"scale '{code}'"
        values = []
        for item in table.get("values", []):
            score = item.get("score")
            if score is not None and not isinstance(score, int | float):
                raise self.fail(where, f"score of '{item.get('code')}' is not a number")
            values.append(
                ScaleValue(
                    code=self._text(item, "code", where),
                    label=self._text(item, "label", where),
                    key=str(item.get("key", "")).strip(),
                    score=None if score is None else float(score),
                    asks_evidence=bool(item.get("asks_evidence", default_asks_evidence(score))),
                )
            )
        if len(values) < 2:
            raise self.fail(where, "needs at least two values")
        for attr in ("code", "key"):
            found = [getattr(v, attr) for v in values if getattr(v, attr)]
            if len(found) != len(set(found)):
                raise self.fail(where, f"two values share a {attr}")
        return Scale(code=code, label=str(table.get("label", code)), values=tuple(values))

    def _sections(self, scales: Mapping[str, Scale]) -> tuple[Section, ...]:
        sections = []
        seen_codes: set[str] = set()
        for raw_section in self.raw.get("sections", []):
            section_code = self._text(raw_section, "code", "section")
            criteria = []
            for raw_criterion in raw_section.get("criteria", []):
                criterion = self._criterion(raw_criterion, section_code, scales)
                if criterion.code in seen_codes:
                    raise self.fail(f"criterion {criterion.code}", "code is used twice")
                seen_codes.add(criterion.code)
                criteria.append(criterion)
            sections.append(
                Section(
                    code=section_code,
                    title=self._text(raw_section, "title", f"section {section_code}"),
                    criteria=tuple(criteria),
                )
            )
        return tuple(sections)

    def _criterion(
        self, raw: Mapping[str, Any], section: str, scales: Mapping[str, Scale]
    ) -> Criterion:
        code = self._text(raw, "code", f"a criterion in section {section}")
        where = f"criterion {code}"
        self._no_unknown_keys(raw, _CRITERION_KEYS, where)
        scale_code = self._text(raw, "scale", where)
        if scale_code not in scales:
            raise self.fail(where, f"unknown scale '{scale_code}'")
        sources = raw.get("sources")
        if (
            not isinstance(sources, list)
            or not sources
            or not all(isinstance(s, str) and s.strip() for s in sources)
        ):
            raise self.fail(where, "'sources' must list the clause(s) it comes from")
        target = raw.get("target")
        if target is not None and (not isinstance(target, int | float) or not 0 <= target <= 100):
            raise self.fail(where, "'target' must be a percentage from 0 to 100")
        return Criterion(
            code=code,
            section=section,
            text=self._text(raw, "text", where),
            guidance=str(raw.get("guidance", "")).strip(),
            scale=scales[scale_code],
            applies_to=self._case_types(raw.get("applies_to", ["all"]), where),
            target=None if target is None else float(target),
            limiting=bool(raw.get("limiting", False)),
            sources=tuple(s.strip() for s in sources),
            asked_when=self._condition(raw.get("asked_when"), where),
        )

    def _condition(self, raw: Any, where: str) -> Condition | None:
        """The shape of ``asked_when``; what it names is checked once every criterion is
        read (:meth:`_check_conditions`)."""
        if raw is None:
            return None
        shape = '\'asked_when\' must be a table such as {criterion = "PLAN-00", answer = "yes"}'
        if not isinstance(raw, dict):
            raise self.fail(where, shape)
        self._no_unknown_keys(raw, _CONDITION_KEYS, f"{where}: 'asked_when'")
        gate = raw.get("criterion")
        if not isinstance(gate, str) or not gate.strip():
            raise self.fail(where, f"{shape}: it names no criterion")
        if ("answer" in raw) == ("answers" in raw):
            problem = (
                "has both 'answer' and 'answers': give one"
                if "answer" in raw
                else f"needs the 'answer' (or 'answers') of {gate.strip()} that asks it"
            )
            raise self.fail(where, f"'asked_when' {problem}")
        answers = [raw["answer"]] if "answer" in raw else raw["answers"]
        if (
            not isinstance(answers, list)
            or not answers
            or not all(isinstance(a, str) and a.strip() for a in answers)
        ):
            raise self.fail(where, "'asked_when' answers must be answer codes such as \"yes\"")
        return Condition(gate.strip(), tuple(dict.fromkeys(a.strip() for a in answers)))

    def _check_conditions(self, criteria: list[Criterion]) -> None:
        """A gate must be an earlier criterion of this framework, asked for at least every
        case type its dependant is, and the answers named must be on its scale: otherwise
        the dependant could never be asked, or be asked where its gate is not."""
        position = {c.code: i for i, c in enumerate(criteria)}
        for index, c in enumerate(criteria):
            if c.asked_when is None:
                continue
            where, gate_code = f"criterion {c.code}", c.asked_when.criterion
            if gate_code not in position:
                raise self.fail(
                    where, f"'asked_when' names {gate_code}, which this framework does not have"
                )
            if position[gate_code] >= index:
                raise self.fail(
                    where, f"'asked_when' names {gate_code}, which must come before {c.code}"
                )
            gate = criteria[position[gate_code]]
            missing = [t for t in c.applies_to if t not in gate.applies_to]
            if missing:
                kinds = ", ".join(t.value for t in missing)
                raise self.fail(
                    where,
                    f"'asked_when' names {gate_code}, which is not asked for {kinds} cases "
                    f"as {c.code} is",
                )
            on_scale = [v.code for v in gate.scale.values]
            wrong = [a for a in c.asked_when.answers if a not in on_scale]
            if wrong:
                raise self.fail(
                    where,
                    f"'asked_when' answer '{wrong[0]}' is not on the scale of {gate_code} "
                    f"(its answers: {', '.join(on_scale)})",
                )

    def _case_types(self, raw: Any, where: str) -> tuple[CaseType, ...]:
        if not isinstance(raw, list) or not raw:
            raise self.fail(where, "'applies_to' must be a non-empty list")
        if "all" in raw:
            return ALL_CASE_TYPES
        try:
            wanted = {CaseType(v) for v in raw}
        except ValueError:
            known = ", ".join(ct.value for ct in CaseType)
            raise self.fail(
                where, f"'applies_to' has an unknown case type (known: {known})"
            ) from None
        return tuple(ct for ct in CaseType if ct in wanted)

    def _grading(self) -> GradingRules:
        raw = self.raw.get("grading", {})
        rules = GradingRules()
        try:
            rules = GradingRules(
                outstanding_min=float(raw.get("outstanding_min", rules.outstanding_min)),
                good_min=float(raw.get("good_min", rules.good_min)),
                requires_improvement_min=float(
                    raw.get("requires_improvement_min", rules.requires_improvement_min)
                ),
                limiting_cap=Grade(raw.get("limiting_cap", rules.limiting_cap.value)),
                good_or_better_target=self._good_or_better_target(raw),
            )
        except (TypeError, ValueError) as exc:
            raise self.fail("[grading]", str(exc)) from exc
        if not rules.outstanding_min >= rules.good_min >= rules.requires_improvement_min:
            raise self.fail("[grading]", "thresholds must fall from outstanding to inadequate")
        return rules

    def _good_or_better_target(self, raw: Mapping[str, Any]) -> float | None:
        """Optional: left out, the board pack says no target is set."""
        value = raw.get("good_or_better_target")
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 100:
            raise self.fail(
                "[grading]", "'good_or_better_target' must be a percentage from 0 to 100"
            )
        return float(value)

    def _timescales(self) -> tuple[Timescale, ...]:
        result = []
        for raw in self.raw.get("timescales", []):
            code = self._text(raw, "code", "a timescale")
            where = f"timescale {code}"
            start, end = self._text(raw, "start", where), self._text(raw, "end", where)
            for name in (start, end):
                if name not in CASE_DATE_FIELDS and name != AUDIT_DATE:
                    raise self.fail(where, f"unknown date field '{name}'")
            unit = self._text(raw, "unit", where)
            if unit not in TIMESCALE_UNITS:
                raise self.fail(where, f"unit must be one of {', '.join(TIMESCALE_UNITS)}")
            limit = raw.get("limit")
            if not isinstance(limit, int) or limit <= 0:
                raise self.fail(where, "'limit' must be a positive whole number")
            result.append(
                Timescale(
                    code=code,
                    label=self._text(raw, "label", where),
                    start=start,
                    end=end,
                    limit=limit,
                    unit=unit,
                    applies_to=self._case_types(raw.get("applies_to", ["all"]), where),
                    source=self._text(raw, "source", where),
                )
            )
        return tuple(result)
