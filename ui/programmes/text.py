"""The Programmes screen's sentences: a programme's facts, each recorded draw with its seed,
each auditor's list size and the result of re-checking the sample, in plain words."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from auditor.clock import uk_date
from auditor.programmes.records import Programme
from ui.programmes.model import UNASSIGNED, period_text

METHOD_WORDS = {
    "random": "random",
    "percent": "random percentage",
    "stratified": "stratified",
    "closed": "closed between two dates",
    "hand": "hand-picked",
}
STRATA_WORDS = {"team": "team", "case_type": "case type"}


def facts_text(programme: Programme) -> str:
    parts = [f"Framework {programme.framework_code} {programme.framework_version}"]
    if period := period_text(programme):
        parts.append(f"period {period}")
    if programme.due_date:
        parts.append(f"due {uk_date(programme.due_date)}")
    auditors = ", ".join(programme.auditors) or "none yet"
    text = f"{' · '.join(parts)}.\nAuditors: {auditors}."
    if programme.double_audit_percent:
        text += f" Double audits: {programme.double_audit_percent:g} % of the sample."
    if programme.description:
        text += f"\n{programme.description}"
    return text


def describe_draw(number: int, draw: Mapping[str, Any]) -> str:
    """'Draw 1: stratified by team, 12 of 40 eligible cases, seed 1234 (Ann, 01/05/2026).'"""
    parameters = draw.get("parameters", {})
    how = METHOD_WORDS.get(draw["method"], draw["method"])
    if by := parameters.get("by"):
        how += " by " + " and ".join(STRATA_WORDS.get(b, b) for b in by)
    if quota := parameters.get("per_team"):
        how += f", {quota} from each team"
    if months := parameters.get("exclude_months"):
        how += f", leaving out cases audited in the last {months} months"
    who = ", ".join(w for w in (draw.get("drawn_by"), uk_date(draw.get("drawn_at"))) if w)
    return (
        f"Draw {number}: {how}; {len(draw['sample']):,} of {draw['eligible']:,} eligible "
        f"cases; seed {draw['seed']}" + (f" ({who})." if who else ".")
    )


def sizes_text(sizes: Mapping[str, int], *, shown: int) -> str:
    """'Showing 6 · Ash 6, Birch 6, unassigned 0'."""
    parts = [f"{name} {count}" for name, count in sizes.items() if name]
    parts.append(f"{UNASSIGNED.strip('()')} {sizes.get('', 0)}")
    return f"Showing {shown:,} · " + ", ".join(parts)


def check_text(draws: int, problems: list[str]) -> str:
    """The re-check of the recorded draws, in words (and a mark, never colour alone)."""
    if problems:
        return "✗ The sample does not check out: " + "; ".join(problems) + "."
    if not draws:
        return "No draw is recorded for this programme yet: there is nothing to check."
    which = "the draw" if draws == 1 else f"each of the {draws} draws"
    return (
        f"✓ Checked: drawing {which} again from its recorded cases and seed gives exactly "
        "the same sample."
    )
