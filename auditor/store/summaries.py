"""Each audit's answers, and each moderation's pairs of answers, kept as one text with the row.

The figures count answers per criterion over thousands of audits at a time. Joining every
answer row to its audit costs four times the aggregate itself, so each audit also keeps its
scored answers as one text (``audits.answered``: ``criterion`` :data:`PAIR` ``value``, joined
by :data:`NEXT`, in criterion order; only answers with a value) and each moderation its
judged pairs (``moderations.judged``: ``criterion`` PAIR ``auditor's`` PAIR ``moderator's``,
both sides answered). The figures read one text per audit and tally it (``auditor.figures``).

How the texts stay true: triggers (schema 10) set an audit's text to NULL, *unknown*,
whenever one of its answers is added, changed or removed, by any writer, plain SQL too; a
reader takes an unknown text from the answers themselves (:data:`ANSWERED` through
``COALESCE``), so a figure never counts a stale one. The writers then store it afresh
(:func:`refresh`) in the same transaction, so the figures rarely need to. ``verify`` checks
that every text held equals its rows and that the triggers are the schema's own
(:func:`summary_problems`).

Each audit also keeps its answers as **marks** (``audits.marks``, schema 12): one character
a criterion, in its framework version's order, the answer's place on the criterion's scale
(:class:`Marking`); each moderation one mark a criterion for the pair of the auditor's answer
and the moderator's (``moderations.marks``). The figures count a criterion's answers over
thousands of audits as the count of a character in one slice of their marks joined, in C.
The marks follow the same rule as the texts: the triggers make them unknown, the writers
store them afresh, and an audit or moderation whose marks are unknown (or cannot be made)
is counted from its text.
"""

from __future__ import annotations

import itertools
import json
import operator
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from auditor.errors import FrameworkError, NotFoundError
from auditor.store.schema import ANSWER_MARKS, ANSWER_SUMMARIES, ONE_ROW_TRIGGERS

if TYPE_CHECKING:  # the store imports the schema, which must not import the store
    from auditor.frameworks.model import Framework
    from auditor.store.db import Store

# The separators: control characters, which a framework's codes hold only if its author
# put them there (the figures then count from the answer rows, see auditor.figures.stats).
PAIR, NEXT = "\x1f", "\x1e"

# An audit's answered text from its answer rows ({audit}: the SQL naming the audit's id). The
# inner ORDER BY is the (audit_id, criterion_code) key's own order: read, not sorted.
ANSWERED = (
    f"(SELECT group_concat(pair, char({ord(NEXT)})) FROM (SELECT criterion_code || "
    f"char({ord(PAIR)}) || value AS pair FROM answers WHERE audit_id = {{audit}} "
    "AND value IS NOT NULL ORDER BY criterion_code))"
)
# A moderation's judged text ({moderation}: the SQL naming the moderation's id).
JUDGED = (
    f"(SELECT group_concat(pair, char({ord(NEXT)})) FROM (SELECT criterion_code || "
    f"char({ord(PAIR)}) || auditor_value || char({ord(PAIR)}) || moderator_value AS pair "
    "FROM moderation_answers WHERE moderation_id = {moderation} AND auditor_value IS NOT NULL "
    "AND moderator_value IS NOT NULL ORDER BY criterion_code))"
)
# The texts as a reader takes them: the stored one, or, while unknown, from the rows. An
# audit with no answer holds '' (group_concat of nothing is NULL, which means unknown).
ANSWERED_OF = "COALESCE(a.answered, " + ANSWERED.format(audit="a.id") + ", '')"
JUDGED_OF = "COALESCE(m.judged, " + JUDGED.format(moderation="m.id") + ", '')"


def kept_for_figures(framework: Framework, values: Mapping[str, str | None]) -> dict[str, Any]:
    """An audit's text and marks (as its columns) from every one of its answers (criterion →
    value): for a writer that holds them already, as :func:`refresh` makes them from rows."""
    return {"answered": answered_text(values), "marks": marking(framework).marks_of(values)}


def answers_in(answered: str) -> dict[str, str]:
    """Criterion → value, in criterion order, from an audit's answered text."""
    if not answered:
        return {}
    parts = answered.replace(NEXT, PAIR).split(PAIR)
    return dict(zip(parts[::2], parts[1::2], strict=True))


def answered_text(values: Mapping[str, str | None]) -> str:
    """An audit's answered text from its answers (criterion → value), as :data:`ANSWERED`
    gives it from the rows: for a writer that holds every answer of the audit already.
    Python's order of text is SQLite's BINARY order (code points, as UTF-8 bytes sort)."""
    return NEXT.join(
        f"{code}{PAIR}{value}" for code, value in sorted(values.items()) if value is not None
    )


_STORE_ANSWERED = (
    f"UPDATE audits SET answered = COALESCE({ANSWERED.format(audit='audits.id')}, '') "
)
_STORE_JUDGED = (
    f"UPDATE moderations SET judged = COALESCE({JUDGED.format(moderation='moderations.id')}, '') "
)
_IN = "IN (SELECT value FROM json_each(?))"


def refresh(
    store: Store,
    *,
    audits: Iterable[int] | None = None,
    moderations: Iterable[int] | None = None,
) -> None:
    """Store the texts (and the audits' marks) of the audits and moderations named (by id)
    afresh: a writer calls it in its transaction after changing their answers. With neither
    named, every text and marks that are unknown (a bulk writer, a migration)."""
    if audits is None and moderations is None:
        store.execute(_STORE_ANSWERED + "WHERE answered IS NULL")
        store.execute(_STORE_JUDGED + "WHERE judged IS NULL")
        _store_marks(store, "audits", _marks_from_rows(store, "a.marks IS NULL", []))
        _store_marks(
            store, "moderations", _moderation_marks_from_rows(store, "m.marks IS NULL", [])
        )
        return
    if audits is not None:
        ids = list(audits)
        if len(ids) == 1:
            store.execute(_STORE_ANSWERED + "WHERE id = ?", ids)
            _store_marks(store, "audits", _marks_from_rows(store, "a.id = ?", ids))
        elif ids:
            store.execute(_STORE_ANSWERED + f"WHERE id {_IN}", [json.dumps(ids)])
            _store_marks(store, "audits", _marks_from_rows(store, f"a.id {_IN}", [json.dumps(ids)]))
    if moderations is not None:
        ids = list(moderations)
        if ids:
            store.execute(_STORE_JUDGED + f"WHERE id {_IN}", [json.dumps(ids)])
            _store_marks(
                store,
                "moderations",
                _moderation_marks_from_rows(store, f"m.id {_IN}", [json.dumps(ids)]),
            )


# -- marks -------------------------------------------------------------------------------

NO_ANSWER = " "  # the mark of a criterion not answered (no value)
_FIRST_MARK = 0x21  # "!": the mark of a scale's first value; the others follow in order
_LAST_MARK = 0x7E  # "~": a scale of more values than marks is not marked


class Marking:
    """How the answers of one framework version are marked: the answer to criterion *i*
    (framework order) is character *i*, its value's place on that criterion's scale."""

    def __init__(self, framework: Framework) -> None:
        self.codes = tuple(c.code for c in framework.criteria)
        self.position = {code: i for i, code in enumerate(self.codes)}
        # For each criterion, value code → mark; None for a scale too long to mark.
        self.marks = tuple(
            {v.code: chr(_FIRST_MARK + j) for j, v in enumerate(c.scale.values)}
            if len(c.scale.values) <= _LAST_MARK - _FIRST_MARK + 1
            else None
            for c in framework.criteria
        )
        # For each criterion, (one answer, another) → one mark: a moderation's pairs.
        self.pair_marks = tuple(
            {
                (v.code, w.code): chr(_FIRST_MARK + j * len(c.scale.values) + k)
                for j, v in enumerate(c.scale.values)
                for k, w in enumerate(c.scale.values)
            }
            if len(c.scale.values) ** 2 <= _LAST_MARK - _FIRST_MARK + 1
            else None
            for c in framework.criteria
        )
        # For each criterion, mark → value code (the marks' reverse).
        self._values = tuple({m: v for v, m in (by_value or {}).items()} for by_value in self.marks)
        # Each criterion asked under conditions (Framework.gates: its own, its gate's...):
        # its place, and for each condition the gate's place and the marks that make it hold.
        self.gates: list[tuple[int, list[tuple[int, frozenset[str]]]]] = []
        for criterion in framework.criteria:
            conditions = [
                (
                    self.position[gate.criterion],
                    frozenset(
                        mark
                        for answer in gate.answers
                        if (mark := (self.marks[self.position[gate.criterion]] or {}).get(answer))
                    ),
                )
                for gate in framework.gates(criterion.code)
            ]
            if conditions:
                self.gates.append((self.position[criterion.code], conditions))

    def __len__(self) -> int:
        return len(self.codes)

    def marks_of(self, values: Mapping[str, str | None]) -> str | None:
        """An audit's marks from its answers (criterion → value), or None when one cannot be
        marked: an answer to a criterion the version has not, or a value off its scale (as
        only plain SQL could leave). Such an audit is counted from its text."""
        answered = ((code, value) for code, value in values.items() if value is not None)
        return self._marked(answered, self.marks)

    def pair_marks_of(
        self, firsts: Mapping[str, str | None], seconds: Mapping[str, str | None]
    ) -> str | None:
        """Two sets of answers to the same criteria (a moderation's: the auditor's and the
        moderator's) as one mark a criterion for the pair, where both answered; None when a
        pair cannot be marked (as :meth:`marks_of`)."""
        pairs = (
            (code, (first, second))
            for code, first in firsts.items()
            if first is not None and (second := seconds.get(code)) is not None
        )
        return self._marked(pairs, self.pair_marks)

    def _marked(
        self, answers: Iterable[tuple[str, Any]], tables: tuple[dict[Any, str] | None, ...]
    ) -> str | None:
        cells = [NO_ANSWER] * len(self.codes)
        for code, answer in answers:
            i = self.position.get(code)
            table = None if i is None else tables[i]
            mark = None if table is None else table.get(answer)
            if mark is None:
                return None
            cells[i] = mark  # type: ignore[index]  # i is known when mark is
        return "".join(cells)

    def asked_only(self, marks: str) -> str:
        """``marks`` without the answers to criteria whose conditions do not all hold in
        them (:meth:`Framework.criteria_asked`, as the texts' figures apply it)."""
        cells = None
        for place, conditions in self.gates:
            if marks[place] != NO_ANSWER and not all(marks[g] in held for g, held in conditions):
                cells = cells or list(marks)
                cells[place] = NO_ANSWER
        return marks if cells is None else "".join(cells)

    def answer_counts(self, joined: str, places: Iterable[int]) -> Iterator[tuple[str, str, int]]:
        """(criterion, value, how many) in audits' marks joined, for the criteria at
        ``places``: a count of one character in each criterion's slice, made in C."""
        for i, value, n in self._counted(joined, places, self.marks):
            yield self.codes[i], value, n

    def pair_counts(self, joined: str) -> dict[str, Counter[tuple[str, str]]]:
        """Criterion → (first answer, second) → how many, in pair marks joined (each
        :meth:`pair_marks_of`), counted as :meth:`answer_counts` counts."""
        counted: dict[str, Counter[tuple[str, str]]] = {}
        for i, pair, n in self._counted(joined, range(len(self.codes)), self.pair_marks):
            counted.setdefault(self.codes[i], Counter())[pair] = n
        return counted

    def _counted(
        self, joined: str, places: Iterable[int], tables: tuple[dict[Any, str] | None, ...]
    ) -> Iterator[tuple[int, Any, int]]:
        width = len(self.codes)
        for i in places:
            table = tables[i]
            if table is None:  # a scale too long to mark: its answers are never marked
                continue
            answers = joined[i::width]
            for answer, mark in table.items():
                if n := answers.count(mark):
                    yield i, answer, n

    def values_of(self, marks: str) -> dict[str, str]:
        """The answers (criterion → value) that ``marks`` hold. (A character that is no mark,
        as only plain SQL could leave, is no answer: verify names such marks.)"""
        values = {}
        for i, mark in enumerate(marks[: len(self.codes)]):
            value = self._values[i].get(mark)
            if value is not None:
                values[self.codes[i]] = value
        return values

    def side_by_side(
        self, firsts: list[str], seconds: list[str]
    ) -> dict[str, Counter[tuple[str, str]]]:
        """Criterion → (first's answer, second's) → how many, over audits paired in order
        (``firsts[k]`` with ``seconds[k]``: two audits of one case), where both answered:
        each criterion's two slices zipped and counted in C."""
        first, second = "".join(firsts), "".join(seconds)
        width = len(self.codes)
        counted: dict[str, Counter[tuple[str, str]]] = {}
        for i, code in enumerate(self.codes):
            by_mark = self._values[i]
            found: Counter[tuple[str, str]] = Counter()
            for (a, b), n in Counter(zip(first[i::width], second[i::width], strict=True)).items():
                if a in by_mark and b in by_mark:
                    found[(by_mark[a], by_mark[b])] = n
            if found:
                counted[code] = found
        return counted


# Markings by framework (kept with it: a framework is made once per version and snapshot).
_markings: dict[int, tuple[Framework, Marking]] = {}


def marking(framework: Framework) -> Marking:
    """The marking of ``framework``'s answers (made once a framework)."""
    known = _markings.get(id(framework))
    if known is None or known[0] is not framework:
        if len(_markings) >= _MARKINGS_KEPT:  # frameworks made afresh: forget the old ones
            _markings.clear()
        known = _markings[id(framework)] = (framework, Marking(framework))
    return known[1]


_MARKINGS_KEPT = 64  # more frameworks than a council registers, with their drafts


def marking_of(store: Store, code: str, version: str) -> Marking:
    """The marking of a framework version registered here."""
    # Imported here: the framework library reads through the store, which this module serves.
    from auditor.frameworks.library import registered_framework

    return marking(registered_framework(store, code, version))


def _marking_of(store: Store, code: str, version: str) -> Marking | None:
    """:func:`marking_of`, or None if the version's snapshot cannot be read (a database
    older than the framework checks): its audits are counted from their texts."""
    try:
        return marking_of(store, code, version)
    except (FrameworkError, NotFoundError):
        return None


def unanswered_marks(store: Store, code: str, version: str) -> str | None:
    """The marks of a new audit on a framework version: no criterion answered yet."""
    marks = _marking_of(store, code, version)
    return None if marks is None else NO_ANSWER * len(marks)


def _store_marks(
    store: Store, table: str, found: Iterable[tuple[int, str | None, str | None]]
) -> None:
    """Store in ``table`` (audits, moderations) the marks ``found`` ((id, marks its rows
    give, marks held), from :func:`_marks_from_rows` or :func:`_moderation_marks_from_rows`)
    where they are known or were held."""
    made = [
        (marks, row_id) for row_id, marks, held in found if marks is not None or held is not None
    ]
    store.conn.executemany(f"UPDATE {table} SET marks = ? WHERE id = ?", made)


def _moderation_marks_from_rows(
    store: Store, where: str, params: list[Any]
) -> Iterable[tuple[int, str | None, str | None]]:
    """(moderation id, marks its rows give, marks held) of the moderations ``where`` picks:
    a mark a criterion for the pair of the auditor's answer and the moderator's."""
    rows = store.execute(
        "SELECT m.id, a.framework_code, a.framework_version, m.marks, ma.criterion_code, "
        "ma.auditor_value, ma.moderator_value FROM moderations m "
        "JOIN audits a ON a.id = m.audit_id "
        f"LEFT JOIN moderation_answers ma ON ma.moderation_id = m.id WHERE {where} ORDER BY m.id",
        params,
    )
    for (moderation_id, code, version, held), pairs in itertools.groupby(
        rows, key=operator.itemgetter(0, 1, 2, 3)
    ):
        auditor, moderator = {}, {}
        for row in pairs:
            if row[4] is not None:
                auditor[row[4]], moderator[row[4]] = row[5], row[6]
        marks = _marking_of(store, code, version)
        yield (
            moderation_id,
            None if marks is None else marks.pair_marks_of(auditor, moderator),
            held,
        )


def _marks_from_rows(
    store: Store, where: str, params: list[Any]
) -> Iterable[tuple[int, str | None, str | None]]:
    """(audit id, marks its answer rows give, marks held) of the audits ``where`` picks."""
    rows = store.execute(
        "SELECT a.id, a.framework_code, a.framework_version, a.marks, an.criterion_code, "
        f"an.value FROM audits a LEFT JOIN answers an ON an.audit_id = a.id WHERE {where} "
        "ORDER BY a.id",
        params,
    )
    for (audit_id, code, version, held), answers in itertools.groupby(
        rows, key=operator.itemgetter(0, 1, 2, 3)
    ):
        values = {row[4]: row[5] for row in answers if row[4] is not None}
        marks = _marking_of(store, code, version)
        yield audit_id, None if marks is None else marks.marks_of(values), held


# The triggers that make a text unknown when its rows change, as schemas 10, 12 and 15 made
# them (verify checks them): read from the migrations, which are never edited once shipped; a
# trigger a later schema made again replaces the earlier one's.
TRIGGERS = {
    m.group(1): m.group(0)[:-1]
    for sql in (ANSWER_SUMMARIES, ANSWER_MARKS, ONE_ROW_TRIGGERS)
    for m in re.finditer(r"CREATE TRIGGER (\w+) .*?END;", sql, re.DOTALL)
}


def summary_problems(store: Store) -> list[str]:
    """What ``verify`` reports about the texts: a trigger missing or not the schema's own,
    and each audit or moderation whose text is not what its rows give."""
    held = dict(
        store.execute(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name {_IN}",
            [json.dumps(list(TRIGGERS))],
        ).fetchall()
    )
    problems = [
        f"The trigger {name} that keeps the figures from counting old answers is "
        f"{'missing' if name not in held else 'changed'}"
        for name, sql in TRIGGERS.items()
        if " ".join(str(held.get(name, "")).split()) != " ".join(sql.split())
    ]
    wrong = {
        audit_id
        for (audit_id,) in store.execute(
            "SELECT a.id FROM audits a "
            f"WHERE a.answered IS NOT COALESCE({ANSWERED.format(audit='a.id')}, '') "
            "AND a.answered IS NOT NULL"
        )
    }
    wrong |= {
        audit_id
        for audit_id, marks, held in _marks_from_rows(store, "a.marks IS NOT NULL", [])
        if marks != held
    }
    for uid, reference in store.execute(
        "SELECT a.uid, c.reference FROM audits a JOIN cases c ON c.id = a.case_id "
        f"WHERE a.id {_IN} ORDER BY a.id",
        [json.dumps(sorted(wrong))],
    ):
        problems.append(
            f"audit {uid} (case {reference}): the answers kept for the figures are not its answers"
        )
    wrong = {
        moderation_id
        for (moderation_id,) in store.execute(
            "SELECT m.id FROM moderations m "
            f"WHERE m.judged IS NOT COALESCE({JUDGED.format(moderation='m.id')}, '') "
            "AND m.judged IS NOT NULL"
        )
    }
    wrong |= {
        moderation_id
        for moderation_id, marks, held in _moderation_marks_from_rows(
            store, "m.marks IS NOT NULL", []
        )
        if marks != held
    }
    for uid, audit_uid, reference in store.execute(
        "SELECT m.uid, a.uid, c.reference FROM moderations m JOIN audits a ON a.id = m.audit_id "
        f"JOIN cases c ON c.id = a.case_id WHERE m.id {_IN} ORDER BY m.id",
        [json.dumps(sorted(wrong))],
    ):
        problems.append(
            f"moderation {uid} of audit {audit_uid} (case {reference}): the pairs kept for the "
            "figures are not its answers"
        )
    return problems
