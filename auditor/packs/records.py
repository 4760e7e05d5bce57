"""The rules each record of an audit pack passes before anything is written.

A pack is input from elsewhere: another laptop, a damaged copy, or a file made by hand. Its
container checksum only says the file is the one its maker wrote, not that what it holds is
sound. :func:`auditor.packs.pack.payload_problems` checks every record's shape (fields,
types, enumerated values) together with the value rules of this module (real dates, times
with their offset, the app's text limits, whole numbers SQLite can hold, no NaN), then the
rules between records here: uids that are unique, answers on the scale of a criterion their
framework version asks for that type of case, programmes as the core creates them, names
that are not blank. Where the core has a rule, it is the core's own function or constant
(:func:`auditor.audits.records.answer_problem`, :data:`auditor.audits.records.MAX_TEXT`,
:func:`auditor.programmes.records.programme_problems`, the case list's date reader and limits), so
a pack can hold nothing that the app itself would refuse to save.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date, datetime
from typing import Any

from auditor.audits.records import MAX_TEXT, answer_problem
from auditor.frameworks.model import Framework
from auditor.importing.validate import MAX_REFERENCE
from auditor.importing.validate import MAX_TEXT as MAX_CASE_TEXT
from auditor.importing.values import parse_uk_date
from auditor.packs import json_steps
from auditor.programmes.records import programme_problems

MAX_DEPTH = 12  # containers inside one another; the format itself needs 7
MAX_INTEGER = 2**63 - 1  # the largest integer SQLite stores
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_STAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:[+-]\d{2}:\d{2}|Z)")

ValueRule = Callable[[Any], "str | None"]


# -- reading JSON --------------------------------------------------------------------------


class NotANumber:
    """What stands in a pack's JSON where it says NaN, Infinity or -Infinity: Python's
    ``json`` reads those, but they are not JSON numbers and no field may hold one."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


def load_json(data: bytes | str) -> Any:
    """JSON as a pack holds it, NaN and Infinity kept as :class:`NotANumber` so that the
    field rules refuse them where they stand. Raises ``ValueError`` for malformed JSON and
    ``RecursionError`` for nesting beyond what Python's reader can follow. Read a record at
    a time (:mod:`auditor.packs.json_steps`), so a large payload never holds the GIL long."""
    return json_steps.loads(data, parse_constant=NotANumber)


def nesting_problem(value: Any, limit: int = MAX_DEPTH) -> str | None:
    """Where ``value`` holds containers more than ``limit`` deep (None: it does not).

    Walked without recursion, so a hostile file cannot exhaust the stack here either."""
    stack: list[tuple[Any, int, str]] = [(value, 1, "")]
    while stack:
        item, depth, where = stack.pop()
        if depth > limit:
            return f"{where or 'the top level'} is nested more than {limit} levels deep"
        children: Iterable[tuple[Any, Any]]
        if type(item) is dict:
            children = item.items()
        elif type(item) is list:
            children = enumerate(item)
        else:
            continue
        for key, child in children:
            if type(child) is dict or type(child) is list:
                # Name the record (``audits[3]``); deeper than that, the record is enough.
                stack.append((child, depth + 1, where if depth > 2 else _step(where, key)))
    return None


def _step(where: str, key: Any) -> str:
    if isinstance(key, int):
        return f"{where}[{key}]"
    return f"{where}.{key}" if where else str(key)


# -- one field's value ---------------------------------------------------------------------


def quoted(value: str | int) -> str:
    """A value as a message shows it: on one line, shortened, never a whole 20 MB text."""
    return f"'{label(value)}'"


def longer_than(limit: int) -> ValueRule:
    def problem(value: str) -> str | None:
        if len(value) > limit:
            return f"{len(value):,} characters, more than the {limit:,} the app allows"
        return None

    return problem


def date_problem(value: str) -> str | None:
    """A date is written YYYY-MM-DD and is a real date that the case list's reader takes
    (a plausible year), so every view and report reads it back."""
    if not _ISO_DATE.fullmatch(value):
        return f"{quoted(value)} is not a date written YYYY-MM-DD"
    try:
        parse_uk_date(value)
    except ValueError as exc:
        return f"{quoted(value)}: {exc}"
    return None


def stamp_problem(value: str) -> str | None:
    """A time is ISO 8601 with its offset from UTC, as the app writes every timestamp."""
    if not _STAMP.fullmatch(value):
        return f"{quoted(value)} is not a time written as ISO 8601 with its offset"
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return f"{quoted(value)} is not a real time"
    return None


def whole_number_problem(value: int) -> str | None:
    if not 0 <= value <= MAX_INTEGER:
        return f"{value} is not a whole number from 0 to {MAX_INTEGER:,}"
    return None


def number_problem(value: float) -> str | None:
    if isinstance(value, float) and not math.isfinite(value):
        return f"{value} is not a finite number"
    return None


def reference_problem(value: str) -> str | None:
    """A council's case reference as a case list may give it (the import's own limits)."""
    if not value.strip():
        return "a case needs its case reference"
    if value != value.strip():
        return f"{quoted(value)} has spaces around it"
    if len(value) > MAX_REFERENCE:
        return f"a case reference longer than {MAX_REFERENCE} characters"
    return None


# The value rule of each kind of field (see ``_RULES`` in auditor.packs.pack): "s" text up to
# the app's limit on every note and evidence; "S" text checked as a whole elsewhere (a
# framework's file, a programme's sample record); "r" a case reference; "w" a case's team or
# worker; "D" a date; "T" a time; "i" a whole number; "n" a number.
TEXT_LIMITS = {"s": MAX_TEXT, "w": MAX_CASE_TEXT}
KIND_RULES: dict[str, ValueRule] = {
    **{kind: longer_than(limit) for kind, limit in TEXT_LIMITS.items()},
    "r": reference_problem,
    "D": date_problem,
    "T": stamp_problem,
    "i": whole_number_problem,
    "n": number_problem,
}


# -- rules between records -----------------------------------------------------------------


class Names:
    """How a message names a record: the case by its reference, an audit by its uid and
    case, so that the person reading it can find the record in the other database. Only
    plain text and numbers are shown, shortened: a hostile value is never printed whole."""

    def __init__(self, payload: Mapping[str, Any]) -> None:
        cases = payload.get("cases")
        self.references: dict[str, str] = {}
        if isinstance(cases, list):
            for case in cases:
                if isinstance(case, dict) and isinstance(case.get("uid"), str):
                    self.references[case["uid"]] = label(case.get("reference")) or ""

    def of(self, table: str, row: Any) -> str:
        if not isinstance(row, dict):
            return ""
        if table == "cases":
            reference = label(row.get("reference"))
            return f"case {reference}" if reference else short("case", row)
        if table == "audits":
            case_uid = row.get("case_uid")
            reference = self.references.get(case_uid) if isinstance(case_uid, str) else None
            return short("audit", row) + (f", case {reference}" if reference else "")
        if table == "programmes":
            name = row.get("name")
            return f"programme {quoted(name)}" if isinstance(name, str) else short("programme", row)
        if table == "trail":
            return f"trail row {label(row.get('seq'))} of {short('database', row, 'origin')}"
        if table == "frameworks":
            return f"framework {label(row.get('code'))} {label(row.get('version'))}"
        return short(table.rstrip("s").replace("_", " "), row)


def label(value: Any, limit: int = 40) -> str | None:
    """Plain text or a number on one line, shortened; None for anything else."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    text = " ".join(str(value)[: limit * 4].split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def short(kind: str, row: Mapping[str, Any], key: str = "uid") -> str:
    uid = row.get(key)
    if not isinstance(uid, str):
        return kind
    return f"{kind} {label(uid[:8])}…" if len(uid) > 8 else f"{kind} {label(uid)}"


def named(problems: list[str], name: str) -> list[str]:
    return [f"{p} ({name})" for p in problems] if name else problems


def record_problems(
    payload: Mapping[str, Any], frameworks: Mapping[tuple[str, str], Framework]
) -> list[str]:
    """Problems between and within records of a payload whose shape is sound: each names
    the record and the field. ``frameworks`` are the pack's own copies, parsed."""
    names = Names(payload)
    return (
        _unique_problems(payload, names)
        + _programme_problems(payload, names)
        + _audit_problems(payload, frameworks, names)
        + _gap_problems(payload)
    )


def _unique_problems(payload: Mapping[str, Any], names: Names) -> list[str]:
    """Every uid once in its table (the database's own UNIQUE rules), every case reference
    once, every criterion once in an audit's answers and in a moderation's, every chain's
    head once."""
    if not _any_twice(payload):  # the usual case, counted without naming anything
        return []
    keys = Counter(key for key, _where, _row in _keys(payload))
    seen: dict[tuple[str, Any], str] = {}
    problems = []
    for key, where, (table, row) in _keys(payload):
        if keys[key] < 2:
            continue
        if key not in seen:
            seen[key] = where
            continue
        shown = quoted(key[-1][-1] if isinstance(key[-1], tuple) else key[-1])
        problems += named([f"{where} {shown} is also in {seen[key]}"], names.of(table, row))
    return problems


def _any_twice(payload: Mapping[str, Any]) -> bool:
    audits = payload["audits"]
    groups: list[list[Any]] = [[r["uid"] for r in payload[t]] for t in _UNIQUE_TABLES]
    groups.append([h["origin"] for h in payload["trail_heads"]])
    groups.append([c["reference"] for c in payload["cases"]])
    groups += [[r["uid"] for a in audits for r in a[child]] for child in _CHILDREN]
    groups.append([(a["uid"], r["criterion_code"]) for a in audits for r in a["answers"]])
    groups.append(
        [
            (m["uid"], r["criterion_code"])
            for a in audits
            for m in a["moderations"]
            for r in m["answers"]
        ]
    )
    return any(len(set(values)) != len(values) for values in groups)


_UNIQUE_TABLES = ("cases", "programmes", "programme_cases", "audits", "trail")
_CHILDREN = ("answers", "actions", "moderations")
_Key = tuple[tuple[str, Any], str, tuple[str, Any]]


def _keys(payload: Mapping[str, Any]) -> Iterator[_Key]:
    """(kind, value) of everything that must be unique, where it is, and its record."""
    for table in _UNIQUE_TABLES:
        for i, row in enumerate(payload[table]):
            yield (table, row["uid"]), f"{table}[{i}].uid", (table, row)
    for i, head in enumerate(payload["trail_heads"]):
        yield ("heads", head["origin"]), f"trail_heads[{i}].origin", ("", head)
    for i, case in enumerate(payload["cases"]):
        yield ("references", case["reference"]), f"cases[{i}].reference", ("cases", case)
    for i, audit in enumerate(payload["audits"]):
        record = ("audits", audit)
        for child in _CHILDREN:
            for j, row in enumerate(audit[child]):
                yield (child, row["uid"]), f"audits[{i}].{child}[{j}].uid", record
        for j, answer in enumerate(audit["answers"]):
            key = ("criteria", (audit["uid"], answer["criterion_code"]))
            yield key, f"audits[{i}].answers[{j}].criterion_code", record
        for j, moderation in enumerate(audit["moderations"]):
            for k, answer in enumerate(moderation["answers"]):
                key = ("moderated", (moderation["uid"], answer["criterion_code"]))
                yield key, f"audits[{i}].moderations[{j}].answers[{k}].criterion_code", record


def _programme_problems(payload: Mapping[str, Any], names: Names) -> list[str]:
    problems = []
    for i, p in enumerate(payload["programmes"]):
        where, name = f"programmes[{i}]", names.of("programmes", p)
        start, end = _date(p["period_start"]), _date(p["period_end"])
        percent = p["double_audit_percent"]
        found = programme_problems(p["name"], start, end, percent)
        if not all(isinstance(a, str) and a.strip() and len(a) <= MAX_TEXT for a in p["auditors"]):
            found.append("auditors must be a list of names")
        if p["sample_json"] is not None:
            found += _sample_problems(p["sample_json"])
        problems += named([f"{where}: {problem}" for problem in found], name)
    return problems


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _sample_problems(text: str) -> list[str]:
    """The record of how a programme's sample was drawn: a JSON object, as the app reads it."""
    try:
        sample = json.loads(text, parse_constant=_refuse_constant)
    except (ValueError, RecursionError):
        return ["sample_json is not valid JSON"]
    if not isinstance(sample, dict):
        return ["sample_json is not a JSON object"]
    if not isinstance(sample.get("draws", []), list):
        return ["sample_json: its draws are not a list"]
    deep = nesting_problem(sample)
    return [f"sample_json: {deep}"] if deep else []


def _refuse_constant(text: str) -> Any:
    raise ValueError(f"{text} is not a JSON number")


def _audit_problems(
    payload: Mapping[str, Any], frameworks: Mapping[tuple[str, str], Framework], names: Names
) -> list[str]:
    answer_rule = _AnswerRule()
    problems = []
    for i, audit in enumerate(payload["audits"]):
        where, name = f"audits[{i}]", names.of("audits", audit)
        found = []
        if not audit["auditor"].strip():
            found.append(f"{where}.auditor: an audit needs the auditor's name")
        framework = frameworks.get((audit["framework_code"], audit["framework_version"]))
        if framework is not None:  # answers are checked against the audit's own case type
            found += answer_rule.problems(where, audit, framework, audit["case_type"])
        for j, action in enumerate(audit["actions"]):
            if not action["text"].strip():
                found.append(
                    f"{where}.actions[{j}].text: an action needs a description of what must change"
                )
        for j, moderation in enumerate(audit["moderations"]):
            if not moderation["moderator"].strip():
                found.append(
                    f"{where}.moderations[{j}].moderator: a moderation needs the moderator's name"
                )
        problems += named(found, name)
    return problems


class _AnswerRule:
    """The core's answer rule for every answer of a pack, asked once per distinct answer:
    ten thousand audits repeat the same few hundred (criterion, value) pairs."""

    def __init__(self) -> None:
        self._seen: dict[tuple[int, str, str, str | None], str | None] = {}

    def problem(
        self, framework: Framework, case_type: str, code: str, value: str | None
    ) -> str | None:
        key = (id(framework), case_type, code, value)
        if key not in self._seen:
            self._seen[key] = answer_problem(framework, case_type, code, value)
        return self._seen[key]

    def problems(
        self, where: str, audit: Mapping[str, Any], framework: Framework, case_type: str
    ) -> list[str]:
        found = []
        if not framework.criteria_for(case_type):
            found.append(
                f"{where}.framework_code: {framework.code} asks nothing about "
                f"{case_type.replace('_', ' ')} cases"
            )
        for j, answer in enumerate(audit["answers"]):
            found += self._field(f"{where}.answers[{j}]", framework, case_type, answer, ("value",))
        for j, moderation in enumerate(audit["moderations"]):
            for k, row in enumerate(moderation["answers"]):
                found += self._field(
                    f"{where}.moderations[{j}].answers[{k}]",
                    framework,
                    case_type,
                    row,
                    ("auditor_value", "moderator_value"),
                )
        return found

    def _field(
        self,
        where: str,
        framework: Framework,
        case_type: str,
        row: Mapping[str, Any],
        values: tuple[str, ...],
    ) -> list[str]:
        """The problem with one answer, named by its field: the criterion, or the value."""
        code = row["criterion_code"]
        problem = self.problem(framework, case_type, code, None)
        if problem:
            return [f"{where}.criterion_code: {problem}"]
        for name in values:
            problem = self.problem(framework, case_type, code, row[name])
            if problem:
                return [f"{where}.{name}: {problem}"]
        return []


def _gap_problems(payload: Mapping[str, Any]) -> list[str]:
    """A gap in a trail chain is a run of rows: it starts at row 1 or later and ends at or
    after its start."""
    problems = []
    for i, gap in enumerate(payload["trail_gaps"]):
        if gap["first_seq"] < 1:
            problems.append(f"trail_gaps[{i}].first_seq: a chain's rows are numbered from 1")
        elif gap["last_seq"] < gap["first_seq"]:
            problems.append(
                f"trail_gaps[{i}].last_seq: {gap['last_seq']} is before its first_seq "
                f"{gap['first_seq']}"
            )
    return problems
