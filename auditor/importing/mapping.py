"""Which column of a case list holds which case field: guessed from the headers, corrected
by the user, and saved by name (table ``import_mappings``) for next month's file.

A mapping names columns by their header text, not their position, so next month's file
may put its columns in another order.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from auditor.clock import now_utc
from auditor.domain import CASE_DATE_FIELDS, CASE_TEXT_FIELDS, CaseType
from auditor.errors import NotFoundError, ValidationError
from auditor.importing.values import normalise_words
from auditor.store import Store

# Every case field a column can be mapped to, with the label a user sees.
IMPORT_FIELDS: dict[str, str] = {
    "reference": "Case reference",
    "case_type": "Case type",
    **CASE_TEXT_FIELDS,
    **CASE_DATE_FIELDS,
}
REQUIRED_FIELDS = ("reference", "case_type")

# Header wordings seen in councils' case-management exports, compared after normalise_words().
# The field's own name and label are recognised too.
HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "reference": (
        "reference",
        "ref",
        "case ref",
        "case reference",
        "case id",
        "case number",
        "case no",
        "person id",
        "person ref",
        "person reference",
        "child id",
        "child reference",
        "client id",
        "mosaic id",
        "lcs id",
        "eclipse id",
        "ics id",
        "id",
    ),
    "case_type": (
        "type",
        "case type",
        "case category",
        "plan type",
        "service type",
        "case status type",
        "cohort",
    ),
    "team": ("team", "team name", "allocated team", "responsible team", "service team", "unit"),
    "worker": (
        "worker",
        "worker name",
        "allocated worker",
        "social worker",
        "allocated social worker",
        "key worker",
        "case worker",
        "caseworker",
        "practitioner",
        "lead practitioner",
    ),
    "referral_date": (
        "referral date",
        "date of referral",
        "referral received",
        "referral received date",
        "date referral received",
    ),
    "assessment_start": (
        "assessment start",
        "assessment start date",
        "assessment started",
        "date assessment started",
        "single assessment start",
        "single assessment start date",
    ),
    "assessment_end": (
        "assessment end",
        "assessment end date",
        "assessment completed",
        "assessment completion date",
        "assessment complete date",
        "date assessment completed",
        "single assessment end date",
        "single assessment completed",
    ),
    "strategy_discussion_date": (
        "strategy discussion",
        "strategy discussion date",
        "strategy meeting date",
        "date of strategy discussion",
    ),
    "initial_conference_date": (
        "icpc",
        "icpc date",
        "initial conference",
        "initial conference date",
        "initial child protection conference",
        "initial child protection conference date",
        "initial cp conference date",
    ),
    "core_group_first_date": (
        "core group date",
        "first core group",
        "first core group date",
    ),
    "review_conference_date": (
        "rcpc",
        "rcpc date",
        "review conference",
        "review conference date",
        "first review conference",
        "first review conference date",
    ),
    "plan_start": (
        "plan start",
        "plan start date",
        "date plan started",
        "cp plan start date",
        "cin plan start date",
    ),
    "looked_after_start": (
        "cla start date",
        "lac start date",
        "date became looked after",
        "became looked after",
        "looked after start",
        "looked after start date",
        "date entered care",
        "care start date",
        "period of care start",
    ),
    "first_lac_review_date": (
        "first lac review",
        "first lac review date",
        "first cla review",
        "first cla review date",
        "first looked after review",
        "first looked after review date",
    ),
    "health_assessment_date": (
        "health assessment date",
        "last health assessment",
        "last health assessment date",
        "review health assessment date",
    ),
    "last_visit": (
        "last visit",
        "last visit date",
        "date of last visit",
        "last seen",
        "last seen date",
        "date last seen",
        "last statutory visit",
    ),
    "last_supervision": (
        "last supervision",
        "last supervision date",
        "date of last supervision",
        "supervision date",
    ),
    "closed_date": (
        "closed date",
        "close date",
        "closure date",
        "date closed",
        "date of closure",
        "case closed",
        "case closed date",
        "case closure date",
        "case end date",
        "end date",
    ),
}


# Words a header may add or spell its own way, each read as the word the synonyms use:
# "Referral Dt" is "Referral Date" is "Referral"; "Assessment Completed Date" is
# "Assessment End". None: a word that says nothing about which field ("date", "of").
HEADER_WORDS: dict[str, str | None] = {
    "date": None,
    "dates": None,
    "dt": None,
    "dte": None,
    "of": None,
    "the": None,
    "on": None,
    "received": None,
    "recd": None,
    "completed": "end",
    "complete": "end",
    "completion": "end",
    "ended": "end",
    "finished": "end",
    "finish": "end",
    "concluded": "end",
    "finalised": "end",
    "finalized": "end",
    "started": "start",
    "starting": "start",
    "commenced": "start",
    "commencement": "start",
    "began": "start",
    "begun": "start",
    "no": "number",
    "num": "number",
    "nr": "number",
    "ref": "reference",
}
_ALONE_TOO_VAGUE = {"end", "start"}  # "Completed", "Start date": of what?


def header_key(header: str) -> str:
    """A header as the words that matter, in a fixed order: "Date Assessment Completed",
    "Assessment Completed Date" and "assessment_end" all give "assessment end"."""
    words: set[str] = set()
    for word in normalise_words(header).split():
        read = HEADER_WORDS.get(word, word)
        if read is not None:
            words.add(read)
    if words <= _ALONE_TOO_VAGUE and not {"end", "start"} & set(normalise_words(header).split()):
        return ""  # "Completed date" alone: a completion word with nothing completed
    return " ".join(sorted(words))


def header_keys() -> dict[str, list[str]]:
    """Every header key the synonyms, names and labels give → the fields giving it (one
    field each, which tests check: a key naming two fields would be a coin toss)."""
    keys: dict[str, list[str]] = {}
    for name, label in IMPORT_FIELDS.items():
        for words in (*HEADER_SYNONYMS.get(name, ()), name, label):
            fields = keys.setdefault(header_key(words), [])
            if name not in fields:
                fields.append(name)
    keys.pop("", None)
    return keys


_HEADERS = {key: fields[0] for key, fields in header_keys().items()}


def guess_field(header: str) -> str | None:
    """The case field a header names ("Date of referral", "Referral Dt" → ``referral_date``);
    None when the header alone does not say (:mod:`auditor.importing.guessing` then looks
    at the values)."""
    return _HEADERS.get(header_key(header))


@dataclass(frozen=True)
class ColumnMapping:
    """Case field → header text of the column that holds it; plus a council's own case-type
    words (``{"ICS 12": "child_in_need"}``). Unmapped fields are left as they are."""

    columns: Mapping[str, str] = field(default_factory=dict)
    case_type_words: Mapping[str, str] = field(default_factory=dict)

    def header_for(self, field_name: str) -> str | None:
        return self.columns.get(field_name)

    def field_for(self, header: str) -> str | None:
        """The field a header is mapped to (header text compared as written, then loosely)."""
        for name, mapped in self.columns.items():
            if mapped == header:
                return name
        for name, mapped in self.columns.items():
            if normalise_words(mapped) == normalise_words(header):
                return name
        return None

    def with_column(self, header: str, field_name: str | None) -> ColumnMapping:
        """A copy with ``header`` mapped to ``field_name`` (None: to nothing). A field holds
        one column: whatever column held it before is unmapped."""
        if field_name is not None and field_name not in IMPORT_FIELDS:
            raise ValidationError(f"'{field_name}' is not a case field")
        columns = {name: h for name, h in self.columns.items() if h != header}
        if field_name is not None:
            columns[field_name] = header
        return ColumnMapping(columns=columns, case_type_words=dict(self.case_type_words))

    def with_case_type_word(self, word: str, case_type: CaseType | str) -> ColumnMapping:
        """A copy that reads ``word`` in the case-type column as ``case_type``."""
        words = {**self.case_type_words, word.strip(): CaseType(case_type).value}
        return ColumnMapping(columns=dict(self.columns), case_type_words=words)

    def to_json(self) -> str:
        return json.dumps(
            {"columns": dict(self.columns), "case_type_words": dict(self.case_type_words)},
            ensure_ascii=False,
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> ColumnMapping:
        data: dict[str, Any] = json.loads(text)
        columns = {k: str(v) for k, v in data.get("columns", {}).items() if k in IMPORT_FIELDS}
        words = {str(k): CaseType(v).value for k, v in data.get("case_type_words", {}).items()}
        return cls(columns=columns, case_type_words=words)


def guess_mapping(headers: Sequence[str]) -> ColumnMapping:
    """A first mapping from the headers: each recognised header to its field, the first
    column winning when two headers name the same field."""
    columns: dict[str, str] = {}
    for header in headers:
        name = guess_field(header)
        if name and name not in columns:
            columns[name] = header
    return ColumnMapping(columns=columns)


# ---------------------------------------------------------------------------------------
# Saved mappings


def save_mapping(store: Store, name: str, mapping: ColumnMapping) -> None:
    """Save (or replace) a named mapping for next month's file."""
    name = name.strip()
    if not name:
        raise ValidationError("a saved mapping needs a name")
    with store.atomic():
        store.execute(
            "INSERT INTO import_mappings (name, mapping_json, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (name) DO UPDATE SET mapping_json = excluded.mapping_json, "
            "updated_at = excluded.updated_at",
            [name, mapping.to_json(), now_utc()],
        )


def load_mapping(store: Store, name: str) -> ColumnMapping:
    text = store.scalar("SELECT mapping_json FROM import_mappings WHERE name = ?", [name.strip()])
    if text is None:
        known = ", ".join(list_mappings(store)) or "none saved yet"
        raise NotFoundError(f"no saved mapping called '{name}' (saved mappings: {known})")
    return ColumnMapping.from_json(text)


def list_mappings(store: Store) -> list[str]:
    return [r["name"] for r in store.query("SELECT name FROM import_mappings ORDER BY name")]


def delete_mapping(store: Store, name: str) -> bool:
    """Forget a saved mapping; returns False when there was none by that name."""
    with store.atomic():
        cursor = store.execute("DELETE FROM import_mappings WHERE name = ?", [name.strip()])
    return cursor.rowcount > 0
