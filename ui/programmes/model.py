"""The Programmes screen's data: each programme with how far its audits have got, one
programme's sample with who audits each case, and the two table models that show them.

The loaders only call the core (``list_programmes``, ``programme_cases``); they run on a
worker's own Store, off the GUI thread.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import QObject, Qt

from auditor.clock import uk_date
from auditor.domain import AuditStatus, case_type_label
from auditor.programmes.assignment import ProgrammeCase, programme_cases
from auditor.programmes.progress import ProgrammeProgress, programme_progress
from auditor.programmes.records import Programme, get_programme, list_programmes
from auditor.store import Store
from auditor.words import plural
from ui.widgets.table import Column, RowTableModel

UNASSIGNED = "(unassigned)"
NOT_STARTED = "Not started"


def period_text(programme: Programme) -> str:
    start, end = uk_date(programme.period_start), uk_date(programme.period_end)
    return f"{start} – {end}" if start or end else ""


def status_text(status: str | None) -> str:
    return AuditStatus(status).label if status else NOT_STARTED


@dataclass(frozen=True)
class ProgrammeSummary:
    """A programme with how far its audits have got (the core's figures)."""

    programme: Programme
    progress: ProgrammeProgress

    @property
    def uid(self) -> str:
        return self.programme.uid

    @property
    def sampled(self) -> int:
        return self.progress.sampled

    @property
    def started(self) -> int:
        return self.progress.started

    @property
    def submitted(self) -> int:
        return self.progress.submitted


@dataclass(frozen=True)
class ProgrammeDetails:
    """One programme as its panel shows it: the programme and its whole sample."""

    programme: Programme
    cases: list[ProgrammeCase]

    def list_sizes(self) -> dict[str, int]:
        """Cases per auditor (every programme auditor, even with none; "" = unassigned)."""
        sizes = {name: 0 for name in self.programme.auditors}
        sizes.update(Counter(c.auditor for c in self.cases))
        return sizes

    @property
    def draws(self) -> list[dict[str, Any]]:
        return list((self.programme.sample or {}).get("draws", []))


def load_summaries(store: Store) -> list[ProgrammeSummary]:
    """Every programme, newest period first (the core's order), with its progress."""
    return [ProgrammeSummary(p, programme_progress(store, p.uid)) for p in list_programmes(store)]


def load_details(store: Store, programme_uid: str) -> ProgrammeDetails:
    return ProgrammeDetails(
        get_programme(store, programme_uid), programme_cases(store, programme_uid)
    )


# The columns that tell programmes apart come first: the list shares the screen with the
# sample, and the period is usually in the name.
PROGRAMME_COLUMNS = (
    Column("Programme", lambda r: r.programme.name, lambda r: r.programme.name.casefold()),
    Column("Cases", lambda r: str(r.sampled), lambda r: r.sampled,
           "Cases in the programme's sample", numeric=True),
    Column("Submitted", lambda r: str(r.submitted), lambda r: r.submitted,
           "Audits of the sample submitted, moderated or final", numeric=True),
    Column("Started", lambda r: str(r.started), lambda r: r.started,
           "Audits of the sample started", numeric=True),
    Column("Due", lambda r: uk_date(r.programme.due_date),
           lambda r: r.programme.due_date or date.min, "When its audits are due"),
    Column("Period", lambda r: period_text(r.programme),
           lambda r: r.programme.period_start or date.min, "The period the programme covers"),
    Column("Framework", lambda r: r.programme.framework_code,
           lambda r: r.programme.framework_code, "The audit tool the sample is scored on"),
)  # fmt: skip
PERIOD_COLUMN = 5

SAMPLE_COLUMNS = (
    Column("Case reference", lambda r: r.reference, lambda r: r.reference,
           "The case reference in the council's own system"),
    Column("Case type", lambda r: case_type_label(r.case_type), lambda r: r.case_type),
    Column("Team", lambda r: r.team, lambda r: r.team.casefold()),
    Column("Auditor", lambda r: r.auditor or UNASSIGNED, lambda r: r.auditor.casefold(),
           "Who audits this case"),
    Column("Second auditor", lambda r: r.second_auditor, lambda r: r.second_auditor.casefold(),
           "Who audits this case again, independently (blind double audit)"),
    Column("Audit status", lambda r: status_text(r.audit_status), lambda r: r.audit_status or "",
           "How far this case's audit in the programme has got"),
)  # fmt: skip
SECOND_AUDITOR_COLUMN = 4


def _name_tooltip(row: ProgrammeSummary, column: int, role: int) -> Any:
    """The whole name (a narrow column cuts it short) with the period and progress."""
    if column == 0 and role == Qt.ItemDataRole.ToolTipRole:
        period = period_text(row.programme)
        return (
            f"{row.programme.name}{f' ({period})' if period else ''}: "
            f"{plural(row.sampled, 'case')}, "
            f"{plural(row.started, 'audit')} started, {row.submitted} submitted"
        )
    return None


class ProgrammeListModel(RowTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(
            PROGRAMME_COLUMNS, uid_of=lambda r: r.uid, decorate=_name_tooltip, parent=parent
        )


class SampleModel(RowTableModel):
    """A programme's sample; ``show_auditor`` narrows it to one auditor's list."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(SAMPLE_COLUMNS, uid_of=lambda r: r.case_uid, parent=parent)

    def show_auditor(self, auditor: str | None) -> None:
        """None: every case; "": the unassigned ones; a name: that auditor's cases, as
        first or second auditor (what the core's per-auditor list gives them)."""
        if auditor is None:
            self.set_filter(None)
        elif auditor == "":
            self.set_filter(lambda rows: [r for r in rows if not r.auditor])
        else:
            self.set_filter(
                lambda rows: [r for r in rows if auditor in (r.auditor, r.second_auditor)]
            )
