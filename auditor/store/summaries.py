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
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from auditor.store.schema import ANSWER_SUMMARIES

if TYPE_CHECKING:  # the store imports the schema, which must not import the store
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
    """Store the texts of the audits and moderations named (by id) afresh: a writer calls it
    in its transaction after changing their answers. With neither named, every text that is
    unknown (a bulk writer, the migration)."""
    if audits is None and moderations is None:
        store.execute(_STORE_ANSWERED + "WHERE answered IS NULL")
        store.execute(_STORE_JUDGED + "WHERE judged IS NULL")
        return
    if audits is not None:
        ids = list(audits)
        if len(ids) == 1:
            store.execute(_STORE_ANSWERED + "WHERE id = ?", ids)
        elif ids:
            store.execute(_STORE_ANSWERED + f"WHERE id {_IN}", [json.dumps(ids)])
    if moderations is not None:
        ids = list(moderations)
        if ids:
            store.execute(_STORE_JUDGED + f"WHERE id {_IN}", [json.dumps(ids)])


# The triggers that make a text unknown when its rows change, as schema 10 made them (verify
# checks them): read from the migration, which is never edited once shipped.
TRIGGERS = {
    m.group(1): m.group(0)[:-1]
    for m in re.finditer(r"CREATE TRIGGER (\w+) .*?END;", ANSWER_SUMMARIES, re.DOTALL)
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
    for uid, reference in store.execute(
        "SELECT a.uid, c.reference FROM audits a JOIN cases c ON c.id = a.case_id "
        f"WHERE a.answered IS NOT COALESCE({ANSWERED.format(audit='a.id')}, '') "
        "AND a.answered IS NOT NULL ORDER BY a.id"
    ):
        problems.append(
            f"audit {uid} (case {reference}): the answers kept for the figures are not its answers"
        )
    for uid, audit_uid, reference in store.execute(
        "SELECT m.uid, a.uid, c.reference FROM moderations m JOIN audits a ON a.id = m.audit_id "
        "JOIN cases c ON c.id = a.case_id "
        f"WHERE m.judged IS NOT COALESCE({JUDGED.format(moderation='m.id')}, '') "
        "AND m.judged IS NOT NULL ORDER BY m.id"
    ):
        problems.append(
            f"moderation {uid} of audit {audit_uid} (case {reference}): the pairs kept for the "
            "figures are not its answers"
        )
    return problems
