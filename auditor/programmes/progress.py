"""How far a programme's audits have got: the cases sampled, the audits started, and those
submitted or gone further (moderated, final) — the statuses every report counts
(:data:`auditor.figures.stats.REPORTED_STATUSES`). The Programmes screen and ``programme list``
show these same figures."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from auditor.figures.stats import REPORTED_STATUSES
from auditor.programmes.assignment import ProgrammeCase, programme_cases
from auditor.store import Store

_REPORTED = frozenset(status.value for status in REPORTED_STATUSES)


@dataclass(frozen=True)
class ProgrammeProgress:
    sampled: int  # cases in the programme's sample
    started: int  # of them, with an audit in this programme (any status)
    submitted: int  # of them, with an audit submitted, moderated or final


def progress_of(cases: Sequence[ProgrammeCase]) -> ProgrammeProgress:
    statuses = [case.audit_status for case in cases]
    return ProgrammeProgress(
        sampled=len(cases),
        started=sum(1 for status in statuses if status),
        submitted=sum(1 for status in statuses if status in _REPORTED),
    )


def programme_progress(store: Store, programme_uid: str) -> ProgrammeProgress:
    return progress_of(programme_cases(store, programme_uid))
