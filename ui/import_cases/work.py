"""What the case import wizard knows so far, and the work it runs off the GUI thread.

Reading a 50,000-row file, checking every row and writing the cases each take seconds, so
each is a plain function of the runner's ``progress`` callback, run behind the progress
dialog. The core's steps report progress as ``progress(done, total)`` and stop when
``cancelled()`` is true; :class:`ui.operations.CoreProgress` joins the two.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from auditor.importing import (
    ColumnMapping,
    ImportSummary,
    Table,
    Validation,
    apply_import,
    preview_import,
    read_table,
    validate_table,
)
from auditor.store import Store
from ui.operations import CoreProgress, ProgressFn
from ui.session import Session


@dataclass
class ImportState:
    """Shared by the wizard's pages: each page reads what the pages before it settled."""

    table: Table | None = None
    saved_mapping: str = ""  # the saved mapping chosen on the first page ("" = guess)
    mapping: ColumnMapping = field(default_factory=ColumnMapping)
    validation: Validation | None = None
    preview: ImportSummary | None = None
    valid_only: bool = False
    summary: ImportSummary | None = None

    def forget_check(self) -> None:
        """The file or its columns changed: the last check no longer holds."""
        self.validation = self.preview = self.summary = None
        self.valid_only = False


def reading(path: Path, sheet: str | None) -> Callable[[ProgressFn], Table]:
    """Work: read the case list (no database needed)."""

    def work(report: ProgressFn) -> Table:
        bridge = CoreProgress(report, lambda done, _total: f"Reading {path.name}: {done:,} rows")
        return read_table(path, sheet=sheet, progress=bridge.progress, cancelled=bridge.cancelled)

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
