"""Sharing sampled cases among a programme's auditors: pure functions, no database."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from auditor.errors import ValidationError
from auditor.sampling import Candidate


def assign_evenly(
    cases: Sequence[Candidate],
    auditors: Sequence[str],
    *,
    current_load: Mapping[str, int] | None = None,
) -> dict[str, str]:
    """Case uid → auditor. Cases are ordered by team, case type and reference and dealt one
    at a time to the auditor with the fewest cases so far (ties in the order given), so each
    auditor ends with the same number of cases, give or take one, and a similar mix of teams.
    ``current_load`` counts cases an auditor already has in the programme."""
    names = [a.strip() for a in auditors if a.strip()]
    if not names:
        raise ValidationError("cases can only be shared among at least one auditor")
    load = {name: (current_load or {}).get(name, 0) for name in names}
    result: dict[str, str] = {}
    for case in sorted(cases, key=lambda c: (c.team, c.case_type, c.reference)):
        auditor = min(names, key=lambda name: load[name])
        result[case.uid] = auditor
        load[auditor] += 1
    return result
