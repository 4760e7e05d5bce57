"""An audit pack in memory: its manifest and payload, checked before anything is merged.

:func:`read_pack` opens a pack file (decrypting it when a passphrase protects it), checks the
payload's checksum, the format version, every record's fields and values (the rules of
:mod:`auditor.packs.records`), the framework copies and the audit trail chains, and names
the first problems it finds. The format is described in ``docs/audit-pack-format.md``;
``resources/schemas/audit-pack-v1.schema.json`` is its schema.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auditor import collector
from auditor.domain import CASE_DATE_FIELDS, ActionStatus, AuditStatus, CaseType, Grade
from auditor.errors import FrameworkError, PackContentError, PackDamagedError, PackVersionError
from auditor.frameworks.model import Framework, parse_framework
from auditor.packs.container import FORMAT_VERSION, read_container, write_container
from auditor.packs.records import (
    KIND_RULES,
    TEXT_LIMITS,
    Names,
    NotANumber,
    ValueRule,
    label,
    load_json,
    named,
    nesting_problem,
    quoted,
    record_problems,
)
from auditor.store.trail import check_chain

KINDS = ("work", "assignment")
_MAX_PROBLEMS = 5

# Field rules: "s" text (up to the app's limit), "S" text of any length, "r" a case reference,
# "w" a case's team or worker, "D" a date, "T" a time, "i" a whole number, "n" a number,
# "b" a 0/1 flag, "l" a list, "o" an object; "?" adds null. Every field is required and no
# other field is allowed. Enumerated values are checked separately; the value rules of each
# kind are ``KIND_RULES`` in auditor.packs.records.
_RULES: dict[str, dict[str, str]] = {
    "frameworks": {"code": "s", "version": "s", "title": "s", "sha256": "s", "source_text": "S"},
    "cases": {
        "uid": "s",
        "reference": "r",
        "case_type": "s",
        "team": "w",
        "worker": "w",
        **dict.fromkeys(CASE_DATE_FIELDS, "D?"),
        "created_at": "T",
        "updated_at": "T",
    },
    "programmes": {
        "uid": "s",
        "name": "s",
        "framework_code": "s",
        "framework_version": "s",
        "period_start": "D?",
        "period_end": "D?",
        "due_date": "D?",
        "description": "s",
        "sample_json": "S?",
        "double_audit_percent": "n",
        "created_by": "s",
        "created_at": "T",
        "updated_at": "T",
        "auditors": "l",
    },
    "programme_cases": {
        "uid": "s",
        "programme_uid": "s",
        "case_uid": "s",
        "auditor": "s",
        "second_auditor": "s",
        "added_at": "T",
    },
    "audits": {
        "uid": "s",
        "case_uid": "s",
        "programme_uid": "s?",
        "framework_code": "s",
        "framework_version": "s",
        "case_type": "s",  # the type the audit was made for (older packs: see below)
        "auditor": "s",
        "status": "s",
        "audit_date": "D",
        "suggested_grade": "s?",
        "compliance": "n?",
        "final_grade": "s?",
        "grade_reason": "s",
        "strengths": "s",
        "improvements": "s",
        "feedback": "s",
        "safeguarding_concern": "b",
        "safeguarding_note": "s",
        "blind": "b",
        "revision": "i",
        "created_at": "T",
        "updated_at": "T",
        "submitted_at": "T?",
        "moderated_at": "T?",
        "finalised_at": "T?",
        "deleted_at": "T?",
        "content_hash": "s",
        "versions": "l",
        "answers": "l",
        "actions": "l",
        "moderations": "l",
    },
    "answers": {
        "uid": "s",
        "criterion_code": "s",
        "value": "s?",
        "evidence": "s",
        "updated_by": "s",
        "updated_at": "T",
    },
    "actions": {
        "uid": "s",
        "text": "s",
        "owner": "s",
        "due_date": "D?",
        "status": "s",
        "done_date": "D?",
        "created_at": "T",
        "updated_at": "T",
        "deleted_at": "T?",
    },
    "moderations": {
        "uid": "s",
        "moderator": "s",
        "auditor_grade": "s?",
        "moderator_grade": "s",
        "note": "s",
        "created_at": "T",
        "answers": "l",
    },
    "moderation_answers": {
        "criterion_code": "s",
        "auditor_value": "s?",
        "moderator_value": "s?",
        "reason": "s",
    },
    "trail": {
        "uid": "s",
        "origin": "s",
        "seq": "i",
        "at": "T",
        "actor": "s",
        "entity": "s",
        "entity_uid": "s",
        "audit_uid": "s?",
        "field": "s",
        "old_value": "s?",
        "new_value": "s?",
        "reason": "s",
        "prev_hash": "s",
        "hash": "s",
    },
    "trail_heads": {"origin": "s", "seq": "i", "hash": "s"},
    "trail_gaps": {"origin": "s", "first_seq": "i", "last_seq": "i", "prev_hash": "s", "hash": "s"},
}
CASE_COLUMNS = tuple(_RULES["cases"])
PROGRAMME_COLUMNS = tuple(k for k in _RULES["programmes"] if k != "auditors")
_ENUMS: dict[tuple[str, str], frozenset[str]] = {
    ("cases", "case_type"): frozenset(CaseType),
    ("audits", "case_type"): frozenset(CaseType),
    ("audits", "status"): frozenset(AuditStatus),
    ("audits", "final_grade"): frozenset(Grade),
    ("audits", "suggested_grade"): frozenset(Grade),
    ("actions", "status"): frozenset(ActionStatus),
    ("moderations", "moderator_grade"): frozenset(Grade),
    ("moderations", "auditor_grade"): frozenset(Grade),
}
_TOP: tuple[str, ...] = (
    "frameworks",
    "cases",
    "programmes",
    "programme_cases",
    "audits",
    "trail",
    "trail_heads",
    "trail_gaps",
)
_MANIFEST = {
    "format_version": "i",
    "pack_id": "s",
    "kind": "s",
    "app_version": "s",
    "created_at": "T",
    "created_by": "s",
    "origin": "s",
    "scope": "o",
    "frameworks": "l",
    "counts": "o",
    "payload_sha256": "s",
}
_FRAMEWORK_REF = {"code": "s", "version": "s", "sha256": "s"}


@dataclass(frozen=True)
class FrameworkRef:
    code: str
    version: str
    sha256: str


@dataclass(frozen=True)
class Manifest:
    """Who made a pack, when, from which database, for what, and what it holds."""

    format_version: int
    pack_id: str
    kind: str  # "work" (audits coming back) or "assignment" (work sent out)
    app_version: str
    created_at: str
    created_by: str
    origin: str
    scope: Mapping[str, Any]  # programme_uid, auditor, assigned_to: what was asked for
    frameworks: tuple[FrameworkRef, ...]
    counts: Mapping[str, int]
    payload_sha256: str
    # The making database's own trail head {origin, seq, hash}, an anchor kept outside it
    # (None before its first row, and in packs from versions that did not write one).
    trail_anchor: Mapping[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data["frameworks"] = [f.__dict__ for f in self.frameworks]
        data["scope"], data["counts"] = dict(self.scope), dict(self.counts)
        return data


@dataclass(frozen=True)
class Pack:
    """A pack read and checked: its manifest, its payload, and the file's own SHA-256."""

    path: Path
    manifest: Manifest
    payload: Mapping[str, Any]
    checksum: str
    encrypted: bool

    @property
    def audits(self) -> Sequence[Mapping[str, Any]]:
        return list(self.payload["audits"])


def write_pack(
    path: Path,
    manifest: Manifest,
    payload_bytes: bytes,
    *,
    passphrase: str | None = None,
    scrypt_n: int | None = None,
) -> str:
    """Write a pack file; returns its SHA-256."""
    members = {
        "manifest.json": json.dumps(manifest.to_json(), indent=1, ensure_ascii=False).encode(),
        "payload.json": payload_bytes,
    }
    extra = {} if scrypt_n is None else {"scrypt_n": scrypt_n}
    return write_container(path, members, passphrase=passphrase, **extra)


def read_pack(path: Path | str, passphrase: str | None = None) -> Pack:
    """Open and check the pack at ``path``. Raises a named :class:`PackError` for a file
    that is not a pack, a newer format, a wrong or missing passphrase, a changed file, or
    contents that break a rule (the message names the record and the field)."""
    path = Path(path)
    members, checksum, encrypted = read_container(path, passphrase)
    manifest = _manifest(path, members["manifest.json"])
    if hashlib.sha256(members["payload.json"]).hexdigest() != manifest.payload_sha256:
        raise PackDamagedError(
            f"{path.name} was changed or damaged after it was made (the payload's checksum "
            "does not match the manifest)"
        )
    with collector.paused():  # the payload's dicts and lists hold no reference cycles
        payload = with_audit_case_types(_json(path, "payload.json", members["payload.json"]))
        problems = payload_problems(payload, manifest)
    if problems:
        raise PackContentError(_problem_message(path, problems))
    return Pack(path, manifest, payload, checksum, encrypted=encrypted)


def _json(path: Path, member: str, data: bytes) -> Any:
    try:
        value = load_json(data)
    except RecursionError:
        raise PackContentError(
            f"{path.name} cannot be imported: {member} is nested far more deeply than a pack "
            "ever is"
        ) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PackContentError(f"{path.name}: {member} is not valid JSON ({exc})") from None
    # The payload's depth is bounded by its field rules (a container where the format has
    # a plain value is refused); the manifest is small and has free-form parts.
    deep = nesting_problem(value) if member == "manifest.json" else None
    if deep:
        raise PackContentError(f"{path.name} cannot be imported: {member}: {deep}")
    return value


def _manifest(path: Path, data: bytes) -> Manifest:
    raw = _json(path, "manifest.json", data)
    # trail_anchor is optional (packs before it have none) and is checked on its own below.
    required = (
        {k: v for k, v in raw.items() if k != "trail_anchor"} if isinstance(raw, dict) else raw
    )
    problems = _row_problems("manifest.json", required, _MANIFEST, "")
    if problems:
        raise PackContentError(_problem_message(path, problems))
    if raw["format_version"] > FORMAT_VERSION:
        raise PackVersionError(
            f"{path.name} was made by a newer version of Case Auditor (pack format "
            f"{raw['format_version']}; this version reads up to {FORMAT_VERSION})"
        )
    if raw["kind"] not in KINDS:
        raise PackContentError(f"{path.name}: manifest.json: unknown kind {quoted(raw['kind'])}")
    problems = [
        problem
        for i, ref in enumerate(raw["frameworks"])
        for problem in _row_problems(
            f"manifest.json frameworks[{i}]", ref, _FRAMEWORK_REF, "framework_refs"
        )
    ]
    problems += _scope_problems(raw["scope"]) + _counts_problems(raw["counts"])
    anchor = raw.get("trail_anchor")
    if anchor is not None and not (
        isinstance(anchor, dict)
        and isinstance(anchor.get("origin"), str)
        and type(anchor.get("seq")) is int
        and isinstance(anchor.get("hash"), str)
    ):
        problems.append("manifest.json trail_anchor is malformed")
    if problems:
        raise PackContentError(_problem_message(path, problems))
    frameworks = tuple(
        FrameworkRef(f["code"], f["version"], f["sha256"]) for f in raw["frameworks"]
    )
    fields = {k: raw[k] for k in _MANIFEST if k != "frameworks"}
    return Manifest(**fields, frameworks=frameworks, trail_anchor=anchor)


def _scope_problems(scope: Mapping[str, Any]) -> list[str]:
    """What was asked for: uids and a name, or a list of uids."""
    return [
        f"manifest.json scope.{label(key)} must be text or a list of uids"
        for key, value in scope.items()
        if not (
            value is None
            or _fits(value, "s")
            or (isinstance(value, list) and all(_fits(v, "s") for v in value))
        )
    ]


def _counts_problems(numbers: Mapping[str, Any]) -> list[str]:
    return [
        f"manifest.json counts.{label(key)} must be a whole number"
        for key, value in numbers.items()
        if not _fits(value, "i")
    ]


def _problem_message(path: Path, problems: Sequence[str]) -> str:
    more = len(problems) - _MAX_PROBLEMS
    shown = "; ".join(problems[:_MAX_PROBLEMS]) + (f"; and {more} more" if more > 0 else "")
    return f"{path.name} cannot be imported: {shown}"


def refusal(path: Path, problems: Sequence[str]) -> PackContentError:
    """The one-line refusal of a pack whose contents break ``problems`` (each naming the
    record and the field): nothing of it is written."""
    return PackContentError(_problem_message(path, problems))


# -- checking the payload --------------------------------------------------------------


def with_audit_case_types(payload: Any) -> Any:
    """The payload with every audit's ``case_type``: a pack made before audits kept the
    case type they were made for has none, and its audits take their case's type in the
    pack (what they were graded with when it was made). A malformed payload is left as it
    is, for :func:`payload_problems` to name what is wrong."""
    if not isinstance(payload, dict):
        return payload
    cases, audits = payload.get("cases"), payload.get("audits")
    if not isinstance(cases, list) or not isinstance(audits, list):
        return payload
    types = {c.get("uid"): c.get("case_type") for c in cases if isinstance(c, dict)}
    for audit in audits:
        if isinstance(audit, dict) and "case_type" not in audit:
            case_type = types.get(audit.get("case_uid"))
            if isinstance(case_type, str):
                audit["case_type"] = case_type
    return payload


def payload_problems(payload: Any, manifest: Manifest) -> list[str]:
    """Everything wrong with a payload, each naming the record and field (empty: sound)."""
    if not isinstance(payload, dict):
        return ["payload.json is not an object"]
    problems = [f"payload.json: {key} is missing" for key in _TOP if key not in payload]
    problems += [
        f"payload.json: {key} is not a list"
        for key in _TOP
        if key in payload and not isinstance(payload[key], list)
    ]
    problems += [
        f"payload.json: {label(key)} is not part of a pack" for key in payload if key not in _TOP
    ]
    if problems:
        return problems
    names = Names(payload)
    for table in _TOP:
        for i, row in enumerate(payload[table]):
            found = _row_problems(f"{table}[{i}]", row, _RULES[table], table)
            problems += named(found, names.of(table, row)) if found else found
    for i, audit in enumerate(payload["audits"]):
        if isinstance(audit, dict):
            found = _audit_children_problems(f"audits[{i}]", audit)
            problems += named(found, names.of("audits", audit)) if found else found
    if problems:
        return problems
    frameworks, problems = _framework_problems(payload, manifest)
    return (
        problems
        + _reference_problems(payload, names)
        + record_problems(payload, frameworks)
        + _count_problems(payload, manifest)
        + _trail_problems(payload)
    )


_KINDS: dict[str, frozenset[type]] = {
    "s": frozenset({str}),
    "S": frozenset({str}),
    "r": frozenset({str}),
    "w": frozenset({str}),
    "D": frozenset({str}),
    "T": frozenset({str}),
    "i": frozenset({int}),
    "n": frozenset({int, float}),
    "b": frozenset({int}),
    "l": frozenset({list}),
    "o": frozenset({dict}),
}
_Check = tuple[str, frozenset[type], frozenset[Any] | None, int, ValueRule | None]


def _checks(rules: Mapping[str, str], table: str) -> list[_Check]:
    """Each field's allowed exact types and values, its length limit and value rule, for
    the fast path of validation (text limits are compared inline: most fields are text)."""
    checks = []
    for name, rule in rules.items():
        kind = rule.rstrip("?")
        kinds = _KINDS[kind] | ({type(None)} if rule.endswith("?") else set())
        allowed = frozenset({0, 1}) if rule == "b" else _ENUMS.get((table, name))
        limit = TEXT_LIMITS.get(kind, -1)
        value_rule = None if kind in TEXT_LIMITS else KIND_RULES.get(kind)
        checks.append((name, frozenset(kinds), allowed, limit, value_rule))
    return checks


_CHECKS: dict[tuple[int, str], list[_Check]] = {}


def _row_problems(where: str, row: Any, rules: Mapping[str, str], table: str) -> list[str]:
    if not isinstance(row, dict):
        return [f"{where} is not an object"]
    key = (id(rules), table)
    if key not in _CHECKS:
        _CHECKS[key] = _checks(rules, table)
    checks = _CHECKS[key]
    if len(row) != len(checks):  # a field missing, or one the format does not have
        return _slow_row_problems(where, row, rules, table)
    missing = _MISSING
    for name, kinds, allowed, limit, value_rule in checks:
        value = row.get(name, missing)
        if (
            type(value) not in kinds
            or (allowed is not None and value is not None and value not in allowed)
            or (limit >= 0 and value is not None and len(value) > limit)
            or (value_rule is not None and value is not None and value_rule(value))
        ):
            return _slow_row_problems(where, row, rules, table)
    return []


_MISSING = object()


def _slow_row_problems(where: str, row: Any, rules: Mapping[str, str], table: str) -> list[str]:
    """Every problem of a row that failed the fast check, named."""
    problems = []
    for name, rule in rules.items():
        value = row.get(name, _MISSING)
        value_rule = KIND_RULES.get(rule.rstrip("?"))
        if value is _MISSING:
            problems.append(f"{where}.{name} is missing")
        elif isinstance(value, NotANumber):
            problems.append(f"{where}.{name} is {value.text}, which is not a number")
        elif not _fits(value, rule):
            problems.append(f"{where}.{name} has the wrong type ({type(value).__name__})")
        elif value is not None and value not in _ENUMS.get((table, name), (value,)):
            problems.append(f"{where}.{name}: unknown value {quoted(value)}")
        elif value is not None and value_rule is not None and value_rule(value):
            problems.append(f"{where}.{name}: {value_rule(value)}")
    problems += [
        f"{where}.{label(name)} is not a field of {table.replace('_', ' ') or 'the manifest'}"
        for name in row
        if name not in rules
    ][:_MAX_PROBLEMS]
    return problems


def _fits(value: Any, rule: str) -> bool:
    if value is None:
        return rule.endswith("?")
    kind = rule.rstrip("?")
    if kind in "sSrwDT":
        return isinstance(value, str)
    if kind == "i":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "n":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "b":
        return value in (0, 1) and not isinstance(value, float)
    if kind == "l":
        return isinstance(value, list)
    return isinstance(value, dict)


def _audit_children_problems(where: str, audit: Mapping[str, Any]) -> list[str]:
    problems = []
    for child in ("answers", "actions", "moderations"):
        if not isinstance(audit.get(child), list):
            continue  # named by the audit's own row
        for j, row in enumerate(audit[child]):
            problems += _row_problems(f"{where}.{child}[{j}]", row, _RULES[child], child)
    for j, moderation in enumerate(audit.get("moderations") or ()):
        if isinstance(moderation, dict) and isinstance(moderation.get("answers"), list):
            for k, row in enumerate(moderation["answers"]):
                problems += _row_problems(
                    f"{where}.moderations[{j}].answers[{k}]",
                    row,
                    _RULES["moderation_answers"],
                    "moderation_answers",
                )
    versions = audit.get("versions")
    if isinstance(versions, list) and not all(_fits(v, "s") for v in versions):
        problems.append(f"{where}.versions must be a list of content hashes")
    return problems


def _framework_problems(
    payload: Mapping[str, Any], manifest: Manifest
) -> tuple[dict[tuple[str, str], Framework], list[str]]:
    """The pack's framework copies, parsed, and what is wrong with them: each copy must
    match its SHA-256, be the framework version it says, and be a framework file the app
    accepts; every version used must be carried."""
    problems = []
    listed = {(f.code, f.version): f.sha256 for f in manifest.frameworks}
    carried = {}
    parsed: dict[tuple[str, str], Framework] = {}
    for i, fw in enumerate(payload["frameworks"]):
        where = f"frameworks[{i}] ({fw['code']} {fw['version']})"
        digest = hashlib.sha256(fw["source_text"].encode("utf-8")).hexdigest()
        if digest != fw["sha256"]:
            problems.append(f"{where}: its copy does not match its SHA-256")
        carried[(fw["code"], fw["version"])] = fw["sha256"]
        try:
            framework = parse_framework(fw["source_text"], origin=where)
        except FrameworkError as exc:
            problems.append(" ".join(str(exc).split()))
            continue
        if (framework.code, framework.version) != (fw["code"], fw["version"]):
            problems.append(
                f"{where}: its copy is framework {framework.code} version {framework.version}"
            )
        else:
            parsed[(fw["code"], fw["version"])] = framework
    if carried != listed:
        problems.append("the frameworks in payload.json differ from those in manifest.json")
    used = {(a["framework_code"], a["framework_version"]) for a in payload["audits"]}
    used |= {(p["framework_code"], p["framework_version"]) for p in payload["programmes"]}
    for code, version in sorted(used - set(carried)):
        problems.append(f"framework {code} version {version} is used but not carried")
    return parsed, problems


def _reference_problems(payload: Mapping[str, Any], names: Names) -> list[str]:
    """Every link by uid points at a record in the pack."""
    problems = []
    cases = {c["uid"] for c in payload["cases"]}
    programmes = {p["uid"] for p in payload["programmes"]}
    for i, row in enumerate(payload["programme_cases"]):
        if row["programme_uid"] not in programmes or row["case_uid"] not in cases:
            problems.append(f"programme_cases[{i}] refers to a case or programme not in the pack")
    for i, audit in enumerate(payload["audits"]):
        name = names.of("audits", audit)
        if audit["case_uid"] not in cases:
            problems += named([f"audits[{i}].case_uid refers to a case not in the pack"], name)
        if audit["programme_uid"] is not None and audit["programme_uid"] not in programmes:
            problems += named(
                [f"audits[{i}].programme_uid refers to a programme not in the pack"], name
            )
    return problems


def counts(payload: Mapping[str, Any]) -> dict[str, int]:
    """How many of each record a payload holds (recorded in the manifest)."""
    audits = payload["audits"]
    return {
        "frameworks": len(payload["frameworks"]),
        "cases": len(payload["cases"]),
        "programmes": len(payload["programmes"]),
        "programme_cases": len(payload["programme_cases"]),
        "audits": len(audits),
        "answers": sum(len(a["answers"]) for a in audits),
        "actions": sum(len(a["actions"]) for a in audits),
        "moderations": sum(len(a["moderations"]) for a in audits),
        "trail": len(payload["trail"]),
    }


def _count_problems(payload: Mapping[str, Any], manifest: Manifest) -> list[str]:
    if counts(payload) != dict(manifest.counts):
        return ["the counts in manifest.json do not match payload.json"]
    return []


def _trail_problems(payload: Mapping[str, Any]) -> list[str]:
    """Each origin's chain in the pack (rows and gaps) must verify up to its head."""
    heads = {h["origin"]: h for h in payload["trail_heads"]}
    links: dict[str, list[dict[str, Any]]] = {origin: [] for origin in heads}
    for row in payload["trail"]:
        links.setdefault(row["origin"], []).append(row)
    for gap in payload["trail_gaps"]:
        links.setdefault(gap["origin"], []).append({**gap, "seq": gap["first_seq"]})
    problems = []
    for origin, chain in links.items():
        chain.sort(key=lambda link: int(link["seq"]))
        problems += check_chain(origin, chain, heads.get(origin))
    return problems
