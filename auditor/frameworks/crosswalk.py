"""Crosswalks: how a new framework version continues an old one, so trends survive the change.

When version 2 replaces version 1 (the same framework code, or a council's new code replacing
another), the QA lead says for each criterion of version 2 which criterion of version 1 it
continues (the same, reworded, several merged into one, or new) and for each criterion of
version 1 not continued that it is retired. :func:`propose_crosswalk` makes the first guess,
:func:`crosswalk_problems` checks one whole, :func:`save_crosswalk` keeps it (with trail rows)
and :func:`trend_lineage` turns the chain of crosswalks behind a version into the mapping the
figures use: answers to an old criterion count under the new one (docs/reports.md).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from auditor.clock import new_uid, now_utc
from auditor.errors import NotFoundError, ValidationError
from auditor.frameworks.library import get_framework
from auditor.frameworks.model import Framework
from auditor.store import Store
from auditor.store.trail import Change, record
from auditor.words import plural


class Kind(enum.StrEnum):
    """How a new criterion continues the old framework."""

    SAME = "same"  # the same question, word for word
    REWORDED = "reworded"  # the same question in new words: its trend runs on
    MERGED = "merged"  # several old criteria asked now as one
    NEW = "new"  # nothing before it: its trend starts at the change

    @property
    def label(self) -> str:
        return {"same": "Same", "reworded": "Reworded", "merged": "Merged", "new": "New"}[
            self.value
        ]


@dataclass(frozen=True)
class Continuation:
    """One criterion of the new version and the old criteria it continues."""

    criterion: str
    kind: Kind
    old: tuple[str, ...] = ()


@dataclass(frozen=True)
class Crosswalk:
    old_code: str
    old_version: str
    new_code: str
    new_version: str
    continuations: tuple[Continuation, ...]
    retired: tuple[str, ...] = ()
    uid: str = ""
    updated_by: str = ""
    updated_at: str = ""

    @property
    def old_text(self) -> str:
        return f"{self.old_code} {self.old_version}"

    @property
    def new_text(self) -> str:
        return f"{self.new_code} {self.new_version}"

    def continuation(self, criterion: str) -> Continuation | None:
        return next((c for c in self.continuations if c.criterion == criterion), None)

    def of_kind(self, kind: Kind) -> tuple[str, ...]:
        return tuple(c.criterion for c in self.continuations if c.kind is kind)

    def to_dict(self) -> dict[str, Any]:
        """The crosswalk as a file says it (``frameworks crosswalk propose --out``)."""
        return {
            "old": {"code": self.old_code, "version": self.old_version},
            "new": {"code": self.new_code, "version": self.new_version},
            "criteria": [
                {"code": c.criterion, "kind": c.kind.value, "continues": list(c.old)}
                for c in self.continuations
            ],
            "retired": list(self.retired),
        }


def crosswalk_from_dict(data: Mapping[str, Any]) -> Crosswalk:
    """A crosswalk from :meth:`Crosswalk.to_dict`'s form; a malformed one is a ValidationError
    naming what is wrong."""
    try:
        old, new = data["old"], data["new"]
        kinds = {k.value for k in Kind}
        continuations = []
        for i, row in enumerate(data["criteria"], start=1):
            if row.get("kind") not in kinds:
                raise ValidationError(
                    f"criterion {i} ({row.get('code')}): kind must be one of "
                    f"{', '.join(sorted(kinds))}, not {row.get('kind')!r}"
                )
            continuations.append(
                Continuation(
                    str(row["code"]), Kind(row["kind"]), tuple(map(str, row.get("continues", ())))
                )
            )
        return Crosswalk(
            str(old["code"]),
            str(old["version"]),
            str(new["code"]),
            str(new["version"]),
            tuple(continuations),
            tuple(map(str, data.get("retired", ()))),
        )
    except (KeyError, TypeError, AttributeError) as error:
        raise ValidationError(f"not a crosswalk: {error} is missing or malformed") from error


# ---------------------------------------------------------------------------------------
# Proposing and checking


def propose_crosswalk(old: Framework, new: Framework) -> Crosswalk:
    """The first guess: a criterion whose code the old version had continues it (the same
    when the wording is the same, else reworded); any other is new; an old criterion whose
    code the new version lacks is retired. The QA lead corrects the rest."""
    old_texts = {c.code: c.text for c in old.criteria}
    continuations = []
    for criterion in new.criteria:
        if criterion.code not in old_texts:
            continuations.append(Continuation(criterion.code, Kind.NEW))
        elif _same_words(old_texts[criterion.code], criterion.text):
            continuations.append(Continuation(criterion.code, Kind.SAME, (criterion.code,)))
        else:
            continuations.append(Continuation(criterion.code, Kind.REWORDED, (criterion.code,)))
    kept = {c.code for c in new.criteria}
    retired = tuple(c.code for c in old.criteria if c.code not in kept)
    return Crosswalk(old.code, old.version, new.code, new.version, tuple(continuations), retired)


def _same_words(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())


def crosswalk_problems(crosswalk: Crosswalk, old: Framework, new: Framework) -> list[str]:
    """Everything wrong with ``crosswalk`` between ``old`` and ``new``, one line each (empty
    when it is sound): every new criterion has a kind, every old one is continued or retired,
    every code exists, and each kind continues as many old criteria as it says."""
    problems: list[str] = []
    if (old.code, old.version) == (new.code, new.version):
        problems.append(f"a version cannot replace itself ({new.code} {new.version})")
    old_codes = [c.code for c in old.criteria]
    new_codes = [c.code for c in new.criteria]
    seen: dict[str, int] = {}
    continued_by: dict[str, str] = {}
    for c in crosswalk.continuations:
        seen[c.criterion] = seen.get(c.criterion, 0) + 1
        if c.criterion not in new_codes:
            problems.append(f"{c.criterion} is not a criterion of {new.code} {new.version}")
        problems += _kind_problems(c)
        for code in c.old:
            if code not in old_codes:
                problems.append(
                    f"{c.criterion} continues {code}, which is not a criterion of "
                    f"{old.code} {old.version}"
                )
            elif code in continued_by and continued_by[code] != c.criterion:
                problems.append(
                    f"{code} is continued by both {continued_by[code]} and {c.criterion}: "
                    "an old criterion continues into one new criterion"
                )
            else:
                continued_by[code] = c.criterion
    problems += [f"{code} is listed {n} times" for code, n in seen.items() if n > 1]
    problems += [f"{code} has no kind (same, reworded, merged or new)"
                 for code in new_codes if code not in seen]  # fmt: skip
    for code in crosswalk.retired:
        if code not in old_codes:
            problems.append(f"{code} is retired but is not a criterion of {old.code} {old.version}")
        elif code in continued_by:
            problems.append(f"{code} is both retired and continued by {continued_by[code]}")
    problems += [
        f"{code} of {old.code} {old.version} is neither continued nor retired"
        for code in old_codes
        if code not in continued_by and code not in crosswalk.retired
    ]
    return problems


def _kind_problems(c: Continuation) -> list[str]:
    count = len(c.old)
    if c.kind is Kind.NEW and count:
        return [f"{c.criterion} is new but continues {', '.join(c.old)}"]
    if c.kind in (Kind.SAME, Kind.REWORDED) and count != 1:
        return [f"{c.criterion} is {c.kind.value}: it continues exactly one old criterion, "
                f"not {count}"]  # fmt: skip
    if c.kind is Kind.MERGED and count < 2:
        return [f"{c.criterion} is merged: it continues two or more old criteria, not {count}"]
    return []


# ---------------------------------------------------------------------------------------
# Keeping them


def save_crosswalk(store: Store, crosswalk: Crosswalk, *, actor: str) -> Crosswalk:
    """Check ``crosswalk`` whole and keep it, replacing the one the new version had.

    Every continuation that changed is a trail row (entity ``crosswalk``). Raises
    ValidationError listing every problem, and changes nothing, when it is not sound.
    """
    old = get_framework(store, crosswalk.old_code, crosswalk.old_version)
    new = get_framework(store, crosswalk.new_code, crosswalk.new_version)
    problems = crosswalk_problems(crosswalk, old, new)
    if problems:
        raise ValidationError(
            f"the crosswalk from {crosswalk.old_text} to {crosswalk.new_text} has "
            f"{plural(len(problems), 'problem')}: {'; '.join(problems)}",
            problems,
        )
    ordered = _in_framework_order(crosswalk, old, new)
    at = now_utc()
    with store.atomic():
        before = load_crosswalk(store, new.code, new.version)
        uid = before.uid if before else new_uid()
        if before is None:
            store.execute(
                "INSERT INTO framework_crosswalks (uid, old_code, old_version, new_code, "
                "new_version, created_by, created_at, updated_by, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [uid, old.code, old.version, new.code, new.version, actor, at, actor, at],
            )
        else:
            store.execute(
                "UPDATE framework_crosswalks SET old_code = ?, old_version = ?, updated_by = ?, "
                "updated_at = ? WHERE uid = ?",
                [old.code, old.version, actor, at, uid],
            )
        crosswalk_id = store.scalar("SELECT id FROM framework_crosswalks WHERE uid = ?", [uid])
        store.execute(
            "DELETE FROM framework_crosswalk_links WHERE crosswalk_id = ?", [crosswalk_id]
        )
        for row in _link_rows(ordered):
            store.execute(
                "INSERT INTO framework_crosswalk_links (crosswalk_id, kind, new_criterion, "
                "old_criterion) VALUES (?, ?, ?, ?)",
                [crosswalk_id, *row],
            )
        record(store, _changes(uid, before, ordered), actor=actor)
    saved = load_crosswalk(store, new.code, new.version)
    assert saved is not None
    return saved


def _in_framework_order(crosswalk: Crosswalk, old: Framework, new: Framework) -> Crosswalk:
    by_code = {c.criterion: c for c in crosswalk.continuations}
    old_order = {c.code: i for i, c in enumerate(old.criteria)}
    continuations = tuple(
        replace(by_code[c.code], old=tuple(sorted(by_code[c.code].old, key=old_order.__getitem__)))
        for c in new.criteria
    )
    retired = tuple(c.code for c in old.criteria if c.code in crosswalk.retired)
    return replace(crosswalk, continuations=continuations, retired=retired)


def _link_rows(crosswalk: Crosswalk) -> list[tuple[str, str | None, str | None]]:
    rows: list[tuple[str, str | None, str | None]] = []
    for c in crosswalk.continuations:
        if c.kind is Kind.NEW:
            rows.append((c.kind.value, c.criterion, None))
        rows += [(c.kind.value, c.criterion, old) for old in c.old]
    rows += [("retired", None, code) for code in crosswalk.retired]
    return rows


def _describe(c: Continuation | None) -> str | None:
    if c is None:
        return None
    return c.kind.value if c.kind is Kind.NEW else f"{c.kind.value} from {', '.join(c.old)}"


def _changes(uid: str, before: Crosswalk | None, after: Crosswalk) -> list[Change]:
    changes = [
        Change(
            "crosswalk",
            uid,
            "replaces",
            before.old_text if before else None,
            f"{after.old_text} by {after.new_text}",
        )
    ] if before is None or before.old_text != after.old_text else []  # fmt: skip
    for c in after.continuations:
        old = _describe(before.continuation(c.criterion)) if before else None
        changes.append(Change("crosswalk", uid, f"criterion {c.criterion}", old, _describe(c)))
    was_retired = set(before.retired) if before else set()
    for code in after.retired:
        if code not in was_retired:
            changes.append(Change("crosswalk", uid, f"criterion {code}", None, "retired"))
    return changes


def load_crosswalk(store: Store, new_code: str, new_version: str) -> Crosswalk | None:
    """The crosswalk saying how ``new_code`` ``new_version`` continues an older version."""
    row = store.one(
        "SELECT * FROM framework_crosswalks WHERE new_code = ? AND new_version = ?",
        [new_code, new_version],
    )
    return None if row is None else _from_row(store, row)


def list_crosswalks(store: Store) -> list[Crosswalk]:
    """Every crosswalk in the database, by new framework code and version."""
    rows = store.query("SELECT * FROM framework_crosswalks ORDER BY new_code, new_version")
    return [_from_row(store, row) for row in rows]


def _from_row(store: Store, row: Mapping[str, Any]) -> Crosswalk:
    links = store.query(
        "SELECT kind, new_criterion, old_criterion FROM framework_crosswalk_links "
        "WHERE crosswalk_id = ? ORDER BY rowid",
        [row["id"]],
    )
    continuations: dict[str, Continuation] = {}
    for link in links:
        if link["kind"] == "retired":
            continue
        code = link["new_criterion"]
        found = continuations.get(code) or Continuation(code, Kind(link["kind"]))
        if link["old_criterion"] is not None:
            found = replace(found, old=(*found.old, link["old_criterion"]))
        continuations[code] = found
    return Crosswalk(
        row["old_code"],
        row["old_version"],
        row["new_code"],
        row["new_version"],
        tuple(continuations.values()),
        tuple(link["old_criterion"] for link in links if link["kind"] == "retired"),
        uid=row["uid"],
        updated_by=row["updated_by"],
        updated_at=row["updated_at"],
    )


# ---------------------------------------------------------------------------------------
# What the figures use


@dataclass(frozen=True)
class RetiredLine:
    """A criterion of an older version not continued: its trend ends at the change."""

    key: str  # never a criterion code of the newest version
    code: str
    text: str
    section: str
    sources: tuple[str, ...]
    target: float | None
    retired_by: str  # "IN-CFA 2.0.0"


@dataclass(frozen=True)
class Lineage:
    """The older versions a framework version continues, through its chain of crosswalks.

    ``versions`` maps each older (code, version) to {its criterion code: the line its
    answers count under}: a criterion code of the newest version, or a retired line's key.
    """

    framework: Framework
    steps: tuple[Crosswalk, ...]  # newest first
    versions: Mapping[tuple[str, str], Mapping[str, str]] = field(default_factory=dict)
    retired: tuple[RetiredLine, ...] = ()
    frameworks: Mapping[tuple[str, str], Framework] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not self.steps

    def reworded(self) -> dict[str, str]:
        """Newest criterion code → the version whose crosswalk says its wording changed
        (or merged several old criteria into it), newest change first."""
        found: dict[str, str] = {}
        for step in self.steps:
            lines = self.versions.get((step.new_code, step.new_version))
            for c in step.continuations:
                if c.kind in (Kind.REWORDED, Kind.MERGED):
                    line = c.criterion if lines is None else lines.get(c.criterion)
                    if line and line in self.framework_codes:
                        found.setdefault(line, step.new_version)
        return found

    @property
    def framework_codes(self) -> frozenset[str]:
        return frozenset(c.code for c in self.framework.criteria)


def trend_lineage(store: Store, framework: Framework) -> Lineage:
    """Follow the crosswalks back from ``framework`` (each version to the one it replaced)
    and say under which line of the newest version every older criterion's answers count."""
    steps: list[Crosswalk] = []
    versions: dict[tuple[str, str], dict[str, str]] = {}
    frameworks: dict[tuple[str, str], Framework] = {}
    retired: list[RetiredLine] = []
    newer_lines = {c.code: c.code for c in framework.criteria}
    current = (framework.code, framework.version)
    while (step := load_crosswalk(store, *current)) is not None:
        older = (step.old_code, step.old_version)
        if older in versions or older == (framework.code, framework.version):
            break  # a loop of crosswalks: each version is counted once
        try:
            old = get_framework(store, *older)
        except NotFoundError:
            break
        lines: dict[str, str] = {}
        for c in step.continuations:
            for code in c.old:
                if c.criterion in newer_lines:
                    lines[code] = newer_lines[c.criterion]
        for code in step.retired:
            criterion = old.criterion(code)
            key = f"retired:{old.code}:{old.version}:{code}"
            lines[code] = key
            retired.append(
                RetiredLine(
                    key,
                    code,
                    criterion.text,
                    criterion.section,
                    criterion.sources,
                    criterion.target,
                    step.new_text,
                )
            )
        steps.append(step)
        versions[older] = lines
        frameworks[older] = old
        newer_lines, current = lines, older
    return Lineage(framework, tuple(steps), versions, tuple(retired), frameworks)


def merged_answer(values: Iterable[str]) -> str:
    """One old audit's answers to criteria merged into one, counted once: Not applicable when
    every one was, else the least met of the others (met only when every one was met)."""
    answered = [v for v in values if v != "na"]
    if not answered:
        return "na"
    rank = {"yes": 2, "partly": 1}
    return min(answered, key=lambda v: rank.get(v, 0))
