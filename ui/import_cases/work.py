"""What the case import wizard knows so far, and the work it runs off the GUI thread.

Reading a 50,000-row file, checking every row and writing the cases each take seconds, so
each is a plain function of the runner's ``progress`` callback, run behind the progress
dialog. The core's steps report progress as ``progress(done, total)`` and stop when
``cancelled()`` is true; :class:`ui.operations.CoreProgress` joins the two.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from auditor.importing import (
    ColumnMapping,
    Guesses,
    ImportSummary,
    Table,
    Validation,
    apply_import,
    guess_columns,
    preview_import,
    read_table,
    validate_table,
)
from auditor.store import Store
from ui.import_cases.columns import unknown_case_type_words
from ui.operations import CoreProgress, ProgressFn
from ui.session import Session


@dataclass(frozen=True)
class FileRead:
    """A case list as read, with what the columns page first shows of it, worked out on the
    worker too (each reads the rows): the guess of its columns, and the unknown case-type
    words of the column that guess reads as Case type."""

    table: Table
    guesses: Guesses
    case_type_words: Mapping[str, Counter[str]]  # heading → its unknown case-type words


@dataclass
class ImportState:
    """Shared by the wizard's pages: each page reads what the pages before it settled."""

    table: Table | None = None
    guesses: Guesses | None = None  # the table's columns guessed, as it was read
    # heading → the unknown case-type words in that column: each counted once, as counting
    # reads every row (on the GUI thread, for a column the user chose as Case type).
    case_type_words: dict[str, Counter[str]] = field(default_factory=dict)
    saved_mapping: str = ""  # the saved mapping chosen on the first page ("" = guess)
    mapping: ColumnMapping = field(default_factory=ColumnMapping)
    validation: Validation | None = None
    preview: ImportSummary | None = None
    valid_only: bool = False
    summary: ImportSummary | None = None

    def take(self, read: FileRead) -> None:
        """A file was read: the pages start from it."""
        self.table, self.guesses = read.table, read.guesses
        self.case_type_words = dict(read.case_type_words)

    def forget_file(self) -> None:
        """Another file is being read: nothing of the last one holds."""
        self.table, self.guesses, self.case_type_words = None, None, {}
        self.forget_check()

    def unknown_words(self, heading: str | None) -> Counter[str]:
        """The unknown case-type words in the column ``heading`` of the table."""
        if self.table is None or heading is None:
            return Counter()
        if heading not in self.case_type_words:
            self.case_type_words[heading] = unknown_case_type_words(self.table, heading)
        return self.case_type_words[heading]

    def forget_check(self) -> None:
        """The file or its columns changed: the last check no longer holds."""
        self.validation = self.preview = self.summary = None
        self.valid_only = False


def reading(path: Path, sheet: str | None) -> Callable[[ProgressFn], FileRead]:
    """Work: read the case list (no database needed), guess its columns and count the
    unknown words of its case-type column, so that the columns page shows at once."""

    def work(report: ProgressFn) -> FileRead:
        bridge = CoreProgress(report, lambda done, _total: f"Reading {path.name}: {done:,} rows")
        table = read_table(path, sheet=sheet, progress=bridge.progress, cancelled=bridge.cancelled)
        guesses = guess_columns(table)
        heading = guesses.mapping.header_for("case_type")
        words = {heading: unknown_case_type_words(table, heading)} if heading else {}
        return FileRead(table, guesses, words)

    return work


def checking(
    session: Session, table: Table, mapping: ColumnMapping
) -> Callable[[ProgressFn], tuple[Validation, ImportSummary]]:
    """Work: check every row, then a dry run of the import (what would be added/updated)."""

    def check(store: Store, report: ProgressFn) -> tuple[Validation, ImportSummary]:
        bridge = CoreProgress(report, lambda done, total: f"Checking row {done:,} of {total:,}")
        validation = validate_table(
            table, mapping, progress=bridge.progress, cancelled=bridge.cancelled
        )
        report(0, 0, "Comparing with the cases already in the database…")
        return validation, preview_import(store, validation)

    return session.worker(check)


def importing(
    session: Session, validation: Validation, *, valid_only: bool, source: str
) -> Callable[[ProgressFn], ImportSummary]:
    """Work: write the cases in one transaction (cancel rolls all of it back)."""
    actor = session.actor

    def write(store: Store, report: ProgressFn) -> ImportSummary:
        bridge = CoreProgress(report, lambda done, total: f"Importing case {done:,} of {total:,}")
        return apply_import(
            store,
            validation,
            actor=actor,
            valid_only=valid_only,
            source=source,
            progress=bridge.progress,
            cancelled=bridge.cancelled,
        )

    return session.worker(write)
