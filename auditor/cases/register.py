"""The case register: every case with its newest audit, read fast enough for 100,000 cases.

Rows are plain tuples, read in batches (so a caller off the GUI thread can report
progress); filtering and sorting are plain Python over those tuples — tens of milliseconds
at 100,000 rows — so a list view never goes through a per-row callback machinery.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, NamedTuple

from auditor import collector
from auditor.domain import CASE_TYPE_LABELS, AuditStatus, case_type_label
from auditor.progress import Progress
from auditor.store import Store

BATCH = 10_000


class RegisterRow(NamedTuple):
    uid: str
    reference: str
    case_type: str
    team: str
    worker: str
    referral_date: str | None  # ISO date
    closed_date: str | None  # ISO date
    audits: int  # live audits of the case
    latest_status: str | None  # status of its newest audit, None when never audited
    search: str  # reference, team, worker and case type in words, casefolded: see search_text


class RegisterStatus(StrEnum):
    """What the register's status filter offers: the case's own state or its newest audit's."""

    OPEN = "open"
    CLOSED = "closed"
    NOT_AUDITED = "not_audited"
    DRAFT = "draft"
    SUBMITTED = "submitted"
    MODERATED = "moderated"
    FINAL = "final"

    @property
    def label(self) -> str:
        return REGISTER_STATUS_LABELS[self]


REGISTER_STATUS_LABELS = {
    RegisterStatus.OPEN: "Open cases",
    RegisterStatus.CLOSED: "Closed cases",
    RegisterStatus.NOT_AUDITED: "Not yet audited",
    RegisterStatus.DRAFT: "Audit in draft",
    RegisterStatus.SUBMITTED: "Audit submitted",
    RegisterStatus.MODERATED: "Audit moderated",
    RegisterStatus.FINAL: "Audit final",
}


def count_cases(store: Store) -> int:
    return int(store.scalar("SELECT COUNT(*) FROM cases"))


def load_register(
    store: Store, *, progress: Progress | None = None, batch: int = BATCH
) -> list[RegisterRow]:
    """Every case, by reference, with its audit count and newest audit's status."""
    total = count_cases(store)
    audits = _audits_by_case(store)
    cursor = store.execute(
        "SELECT id, uid, reference, case_type, team, worker, referral_date, closed_date "
        "FROM cases ORDER BY reference"
    )
    rows: list[RegisterRow] = []
    with collector.paused():  # the rows hold no cycles: no collection walking them
        while chunk := cursor.fetchmany(batch):
            rows += _rows(chunk, audits)
            if progress is not None:
                progress(len(rows), total)
    return rows


def _rows(chunk: Sequence[Sequence[Any]], audits: dict[int, tuple[int, str]]) -> list[RegisterRow]:
    """The register's rows for cases read as ``(id, uid, reference, case_type, team, worker,
    referral_date, closed_date)``. At 100,000 cases the per-row Python is most of the load,
    so: each row built as a plain tuple of the named type (no keyword handling), and the
    chunk's Find texts (:func:`search_text`) made by one ``casefold`` of them all, not one
    call a row (casefolding goes letter by letter, and leaves a line break one: the lines
    split back the same)."""
    kinds = _KindWords()
    texts = "\n".join(
        [f"{row[2]}\t{row[4]}\t{row[5]}\t{kinds[row[3]]}" for row in chunk]
    ).casefold().split("\n")  # fmt: skip
    if len(texts) != len(chunk):  # a field holds a line break: each row's text on its own
        texts = [search_text(row[2], row[4], row[5], row[3]) for row in chunk]
    new, never = tuple.__new__, (0, None)
    found = audits.get
    rows: list[RegisterRow] = []
    append = rows.append
    for (case_id, uid, reference, case_type, team, worker, referral, closed), search in zip(
        chunk, texts, strict=True
    ):
        count, latest = found(case_id, never)
        append(new(RegisterRow, (uid, reference, case_type, team, worker, referral, closed,
                                 count, latest, search)))  # fmt: skip
    return rows


def _kind_words(case_type: str) -> str:
    """A case type's words for Find: the last field of :func:`search_text`."""
    return _TYPE_WORDS.get(case_type) or case_type_label(case_type)


class _KindWords(dict[str, str]):
    """Case type → :func:`_kind_words`, each worked out once: a lookup a row, in C."""

    def __missing__(self, case_type: str) -> str:
        words = self[case_type] = _kind_words(case_type)
        return words


def _audits_by_case(store: Store) -> dict[int, tuple[int, str]]:
    """case id → (number of live audits, status of the newest)."""
    found: dict[int, tuple[int, str]] = {}
    cursor = store.execute(
        "SELECT case_id, status FROM audits WHERE deleted_at IS NULL "
        "ORDER BY case_id, audit_date, id"
    )
    for case_id, status in cursor:
        count = found[case_id][0] + 1 if case_id in found else 1
        found[case_id] = (count, status)
    return found


def search_text(reference: str, team: str, worker: str, case_type: str) -> str:
    """What Find looks in: the fields a user may remember a case by, casefolded, one tab
    between them (a word never holds a tab, so no word matches across two fields)."""
    return f"{reference}\t{team}\t{worker}\t{_kind_words(case_type)}".casefold()


# A stored case type → its words, looked up once a row (100,000 rows: no enum per row).
_TYPE_WORDS = {kind.value: label for kind, label in CASE_TYPE_LABELS.items()}


def find_words(text: str) -> list[str]:
    """The words of a Find text, casefolded. Each must appear (in any field, any order) for
    a case to match; words in double quotes stay together as one phrase."""
    words: list[str] = []
    for quoted, plain in _WORDS.findall(text.casefold()):
        words.extend([" ".join(quoted.split())] if quoted.strip() else plain.split())
    return [w for w in words if w]


_WORDS = re.compile(r'["“”]([^"“”]*)["“”]?|([^"“”]+)')


@dataclass(frozen=True)
class RegisterFilter:
    """An empty field means "any"."""

    text: str = ""
    team: str = ""
    case_type: str = ""
    status: str = ""

    @property
    def is_empty(self) -> bool:
        return not (find_words(self.text) or self.team or self.case_type or self.status)


def filter_register(rows: Iterable[RegisterRow], wanted: RegisterFilter) -> list[RegisterRow]:
    """The rows matching every part of ``wanted``. A row matches ``text`` when each of its
    words (:func:`find_words`) is in the row's reference, team, worker or case type: in any
    field and any order, so "safeguarding north" finds "Demo Safeguarding Team North"."""
    result = list(rows)
    for word in find_words(wanted.text):  # one pass a word: each pass has fewer rows
        result = [r for r in result if word in r.search]
    if wanted.team:
        result = [r for r in result if r.team == wanted.team]
    if wanted.case_type:
        result = [r for r in result if r.case_type == wanted.case_type]
    if wanted.status:
        result = [r for r in result if _has_status(r, RegisterStatus(wanted.status))]
    return result


def _has_status(row: RegisterRow, status: RegisterStatus) -> bool:
    if status is RegisterStatus.OPEN:
        return row.closed_date is None
    if status is RegisterStatus.CLOSED:
        return row.closed_date is not None
    if status is RegisterStatus.NOT_AUDITED:
        return row.latest_status is None
    return row.latest_status == AuditStatus(status.value)


_STATUS_ORDER: dict[str | None, int] = {s.value: i for i, s in enumerate(AuditStatus, start=1)}

# Sort keys by field name; every key is a str or int, so mixed None values never compare.
SORT_KEYS: dict[str, Callable[[RegisterRow], Any]] = {
    "reference": lambda r: r.reference,
    "case_type": lambda r: r.case_type,
    "team": lambda r: r.team.casefold(),
    "worker": lambda r: r.worker.casefold(),
    "referral_date": lambda r: r.referral_date or "",
    "closed_date": lambda r: r.closed_date or "",
    "audits": lambda r: r.audits,
    "latest_status": lambda r: _STATUS_ORDER.get(r.latest_status, 0),
}


def sort_register(
    rows: Iterable[RegisterRow], field: str, *, descending: bool = False
) -> list[RegisterRow]:
    """Rows sorted by ``field`` (one of :data:`SORT_KEYS`). The sort is stable: ties keep
    the order given, which for the register is by reference."""
    return sorted(rows, key=SORT_KEYS[field], reverse=descending)
