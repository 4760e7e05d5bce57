"""The tables' CHECK rules on a list of values, kept as comparisons SQLite runs quickly.

A rule ``CHECK (status IN ('draft','submitted','moderated','final'))`` is run by SQLite
(3.40 here) by building a small temporary index of the list, once for each time the INSERT
or UPDATE runs: with ``executemany``, once for every row. Measured here, one such rule
added 5 µs to every case inserted, a fifth of an import's writing (0.27 s of 50,000
cases), and every answer saved paid it for the audit's suggested grade. The same rule
written as ``status = 'draft' OR status = 'submitted' OR ...`` allows and refuses exactly
the same values (NULL passes both, as SQL's CHECK lets an unknown through) and costs no
more than the rule being absent.

Migration 16 rewrites the rules in place, with SQLite's documented procedure for changing a
CHECK rule, which leaves the stored rows as they are ("Making Other Kinds Of Table Schema
Changes", https://www.sqlite.org/lang_altertable.html): the table's text in
``sqlite_schema``, edited under ``writable_schema``, with the schema's version moved on so
every connection reads it again. The migrations before it are never edited (they have
shipped), so a new database gets the lists too, and this rewrites them.
"""

from __future__ import annotations

import logging
import re
import sqlite3

log = logging.getLogger(__name__)

# ``CHECK (name IN ('a','b',...))``: a column against a list of quoted values (no quote
# inside a value: the schema's lists are codes).
_IN_LIST = re.compile(r"CHECK \((\w+) IN \(((?:\s*'[^']*'\s*,)+\s*'[^']*'\s*)\)\)")
_VALUE = re.compile(r"'[^']*'")
# SQLite runs a list of one or two values as comparisons already.
_SHORTEST_INDEXED = 3


def as_comparisons(table_sql: str) -> str:
    """``table_sql`` with each CHECK rule on a list of three or more values written as
    comparisons joined by OR; anything else as it was."""

    def rewrite(found: re.Match[str]) -> str:
        column, values = found.group(1), _VALUE.findall(found.group(2))
        if len(values) < _SHORTEST_INDEXED:
            return found.group(0)
        return f"CHECK ({' OR '.join(f'{column} = {value}' for value in values)})"

    return _IN_LIST.sub(rewrite, table_sql)


def rewrite_in_lists(conn: sqlite3.Connection) -> list[str]:
    """Rewrite every table's CHECK rules on lists as comparisons (inside the migration's
    transaction: a failure later rolls the text back with it). Returns the tables rewritten.

    A SQLite that refuses to edit its schema (one built in defensive mode) keeps the lists:
    the rules are the same, only slower, and the refusal is logged."""
    changed = {
        name: rewritten
        for name, sql in conn.execute(
            "SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND sql LIKE '%CHECK (%'"
        ).fetchall()
        if (rewritten := as_comparisons(sql)) != sql
    }
    if not changed:
        return []
    (version,) = conn.execute("PRAGMA schema_version").fetchone()
    conn.execute("SAVEPOINT check_rules")
    try:
        conn.execute("PRAGMA writable_schema = ON")
        for name, sql in changed.items():
            conn.execute(
                "UPDATE sqlite_schema SET sql = ? WHERE type = 'table' AND name = ?", [sql, name]
            )
    except sqlite3.DatabaseError as exc:  # refused: every table keeps its text
        conn.execute("ROLLBACK TO check_rules")
        conn.execute("RELEASE check_rules")
        log.warning("kept the CHECK rules on lists as they were: %s", exc)
        return []
    finally:
        conn.execute("PRAGMA writable_schema = OFF")
    conn.execute("RELEASE check_rules")
    # The new version makes this connection and every other read the tables' text again.
    conn.execute(f"PRAGMA schema_version = {int(version) + 1}")
    for name in changed:  # the rewritten text parses (a failure rolls the migration back)
        conn.execute(f'SELECT 1 FROM "{name}" LIMIT 0').fetchall()
    return sorted(changed)
