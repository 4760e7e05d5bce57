"""The dashboard's figures over 400,000 answers, beside one ``GROUP BY`` over the answers.

The bare aggregate reads one covering index (``answers(criterion_code, value)``, made here
for it alone: the app has no such index, and no query of the dashboard's reads it, which
leaves the two free to take turns, least of 5 each) and filters nothing. The dashboard
filters and groups by audit (status, date, case type, team): it reads each filtered audit's
answers as the marks kept with the audit (schema 12, one character a criterion) and counts
them a criterion at a time, where joining every answer row to its audit would alone cost
about 4× the bare aggregate (the note gives that join's figure, from the same run).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from bench.measures.common import Row, cpu_seconds, generated_db, least_alternated, scaled

if TYPE_CHECKING:
    from auditor.store import Store

GOAL_S = 0.1
GOAL_RATIO = 3.0
BARE_SQL = "SELECT criterion_code, value, COUNT(*) FROM answers GROUP BY criterion_code, value"
BARE_INDEX = "CREATE INDEX bare_answers_by_criterion ON answers (criterion_code, value)"
# The least any figure over filtered audits must do: join each answer to its audit.
JOIN_SQL = (
    "SELECT COUNT(*) FROM audits a JOIN answers an ON an.audit_id = a.id "
    "WHERE a.deleted_at IS NULL AND a.status IN ('submitted', 'moderated', 'final') "
    "AND an.value IS NOT NULL"
)


def measure(scale: float, workdir: Path) -> list[Row]:
    from auditor.figures.dashboard import dashboard_figures
    from auditor.figures.stats import AuditFilter
    from auditor.store import Store

    answers_wanted = scaled(400_000, scale)
    db = workdir / "dashboard.db"
    # The demo framework's audits answer about 40 criteria each: build one, then enough.
    generated_db(db, cases=scaled(5_000, scale), audits=scaled(10_000, scale))
    with Store.open(db, create=False, check=False) as store:
        answers = int(store.scalar("SELECT COUNT(*) FROM answers"))
        dashboard_figures(store, AuditFilter())  # warm the page cache for both
        join = min(cpu_seconds(lambda: store.execute(JOIN_SQL).fetchall()) for _ in range(3))
        # The bare aggregate's index changes no plan of the dashboard's (none reads it), so
        # the two can take turns: a slow spell of the machine falls on both alike.
        store.execute(BARE_INDEX)
        store.execute(BARE_SQL).fetchall()  # warm the new index
        ours, bare = least_alternated(
            lambda: dashboard_figures(store, AuditFilter()),
            lambda: store.execute(BARE_SQL).fetchall(),
            rounds=5,
        )
        store.execute("DROP INDEX bare_answers_by_criterion")
        # A council that publishes a new version continuing the old one through a crosswalk:
        # every audit so far is on the older version, counted through its crosswalk.
        _publish_next_version(store)
        dashboard_figures(store, AuditFilter())
        across = min(cpu_seconds(lambda: dashboard_figures(store, AuditFilter())) for _ in range(3))
    ratio = ours / bare
    return [
        Row(f"dashboard over {answers:,} answers", f"{ours * 1000:.0f} ms CPU",
            f"one GROUP BY {bare * 1000:.0f} ms CPU", ratio,
            f"≤ {GOAL_S * 1000:.0f} ms, ≤ {GOAL_RATIO:g}×",
            ours <= GOAL_S and ratio <= GOAL_RATIO,
            note=f"{answers:,} answers generated (aimed at {answers_wanted:,}); "
            f"the bare join of answers to audits alone: {join * 1000:.0f} ms CPU; "
            f"after a new version continuing the old through a crosswalk: "
            f"{across * 1000:.0f} ms CPU"),
    ]  # fmt: skip


def _publish_next_version(store: Store) -> None:
    """Version 2.0.0 of the demo framework, its first criterion reworded, and the crosswalk
    the app proposes from 1.0.0 (every other criterion the same)."""
    from auditor.frameworks.crosswalk import propose_crosswalk, save_crosswalk
    from auditor.frameworks.library import get_framework, register_framework
    from auditor.frameworks.model import parse_framework

    old = get_framework(store, "IN-CFA")
    source = store.scalar(
        "SELECT source_text FROM frameworks WHERE code = 'IN-CFA' AND version = ?", [old.version]
    )
    first = old.criteria[0].text
    source = source.replace(f'version = "{old.version}"', 'version = "2.0.0"', 1)
    new = parse_framework(source.replace(first, f"{first} (reworded)", 1), origin="bench")
    register_framework(store, new)
    save_crosswalk(store, propose_crosswalk(old, new), actor="Bench QA Lead")
