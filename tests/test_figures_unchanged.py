"""The fast figures (issue 16) give exactly what main's slower code gave, on the same data:
the dashboard's bundle, the compliance per criterion the report shows, its figures by month
and team, and the agreement between auditors and moderators (moderations and double audits).
The old code is kept in tests/figures_reference.py."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from auditor.demo import make_demo
from auditor.figures import agreement, stats
from auditor.figures.agreement import agreement_report
from auditor.figures.dashboard import dashboard_figures, dashboard_framework
from auditor.figures.stats import (
    AuditFilter,
    criterion_figures,
    criterion_figures_by,
    criterion_figures_pooled_and_by_month,
)
from auditor.store import Store, summaries
from tests import figures_reference as reference

DOUBLED = 40  # audits given a second, blind auditor's audit of the same case


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    path = Path(tmp_path_factory.mktemp("figures")) / "demo.db"
    with Store.open(path) as store:
        make_demo(store, cases=200, audits=400, seed=7, end=date(2026, 11, 30))
        _add_double_audits(store)
        # Audits made for another case type than the one their answers were given for: the
        # answers to criteria not asked of that type must be left out.
        store.execute("UPDATE audits SET case_type = 'early_help' WHERE id % 5 = 0")
        yield store


def _add_double_audits(store: Store) -> None:
    """A second auditor's audit of some programme cases, answering a third differently; and
    other programme cases audited again by their own auditor, which makes no couple."""
    ids = [r[0] for r in store.execute(
        "SELECT id FROM audits WHERE programme_id IS NOT NULL AND status != 'draft' "
        "ORDER BY id LIMIT ?", [DOUBLED + 5]).fetchall()]  # fmt: skip
    _audit_again(store, ids[:DOUBLED], "'Demo Auditor 99'", "-second")
    _audit_again(store, ids[DOUBLED:], "auditor", "-again")


def _audit_again(store: Store, ids: list[int], auditor: str, suffix: str) -> None:
    columns = ("case_id, programme_id, framework_code, framework_version, status, audit_date, "
               "final_grade, updated_at, case_type")  # fmt: skip
    with store.atomic():
        for audit_id in ids:
            store.execute(
                f"INSERT INTO audits (uid, auditor, created_at, {columns}) "
                f"SELECT uid || ?, {auditor}, created_at || 'Z', {columns} "
                "FROM audits WHERE id = ?", [suffix, audit_id])  # fmt: skip
            second = store.scalar("SELECT last_insert_rowid()")
            store.execute(
                "INSERT INTO answers (uid, audit_id, criterion_code, value, evidence, updated_by, "
                "updated_at) SELECT uid || ?, ?, criterion_code, "
                "CASE WHEN id % 3 = 0 THEN 'no' WHEN id % 7 = 0 THEN 'na' ELSE value END, "
                "'', updated_by, updated_at FROM answers WHERE audit_id = ?",
                [suffix, second, audit_id])  # fmt: skip


def _filters(store: Store) -> list[AuditFilter]:
    team = store.scalar("SELECT team FROM cases WHERE team != '' ORDER BY id LIMIT 1")
    auditor = store.scalar("SELECT auditor FROM audits ORDER BY id LIMIT 1")
    return [
        AuditFilter(),
        AuditFilter(team=team),
        AuditFilter(auditor=auditor),
        AuditFilter(case_type="child_protection"),
        AuditFilter(date_from=date(2026, 3, 1), date_to=date(2026, 8, 31)),
        AuditFilter(team="Nowhere"),
    ]


def test_the_demo_has_what_the_comparison_needs(demo: Store) -> None:
    figures = reference.agreement_report(demo, AuditFilter())
    assert figures.moderated_audits > 20 and figures.double_audits >= DOUBLED
    assert figures.left_out > 0  # N/A pairs, left out
    framework = dashboard_framework(demo, AuditFilter())
    assert framework is not None
    restricted = [c for c in framework.criteria if len(c.applies_to) < 5]
    answered = {c.code: c.applied for c in reference.criterion_figures(demo, AuditFilter(),
                                                                       framework)}  # fmt: skip
    every_answer = dict(demo.execute(
        "SELECT an.criterion_code, COUNT(*) FROM answers an JOIN audits a ON a.id = an.audit_id "
        "WHERE a.status != 'draft' AND an.value IS NOT NULL GROUP BY 1").fetchall())  # fmt: skip
    assert any(answered[c.code] < every_answer.get(c.code, 0) for c in restricted)


def test_the_dashboard_is_what_it_was(demo: Store) -> None:
    for f in _filters(demo):
        assert dashboard_figures(demo, f) == reference.dashboard_figures(demo, f), f


def test_headlines_are_what_they_were(demo: Store) -> None:
    """Open and overdue actions, counted apart from the audits since, by every grouping: with
    actions done, deleted and open, due before and after the day."""
    statuses = dict(demo.execute("SELECT status, COUNT(*) FROM actions GROUP BY 1").fetchall())
    assert statuses.get("open", 0) > 20 and statuses.get("done", 0) > 20
    with demo.atomic():  # a few deleted, open and done: left out of both
        demo.execute("UPDATE actions SET deleted_at = '2026-11-30' WHERE id % 9 = 0")
    on = date(2026, 9, 1)
    overdue = demo.scalar(
        "SELECT COUNT(*) FROM actions WHERE status = 'open' AND deleted_at IS NULL "
        "AND due_date < ?", [on.isoformat()])  # fmt: skip
    assert 0 < overdue < statuses["open"]
    for f in _filters(demo):
        for key in ("team", "auditor", "month", "all"):
            assert stats.headlines_by(demo, f, key, on=on) == (
                reference.headlines_by(demo, f, key, on=on)
            ), (f, key)


def test_agreement_is_what_it_was(demo: Store) -> None:
    for f in _filters(demo):
        assert agreement_report(demo, f) == reference.agreement_report(demo, f), f


def test_the_reports_compliance_figures_are_what_they_were(demo: Store) -> None:
    framework = dashboard_framework(demo, AuditFilter())
    assert framework is not None
    for f in _filters(demo):
        assert criterion_figures(demo, f, framework) == reference.criterion_figures(
            demo, f, framework
        ), f
        for key in ("team", "auditor", "month"):
            assert criterion_figures_by(demo, f, framework, key) == (
                reference.criterion_figures_by(demo, f, framework, key)
            ), (f, key)
        pooled, by_month = criterion_figures_pooled_and_by_month(demo, f, framework)
        assert pooled == reference.criterion_figures(demo, f, framework)
        assert by_month == reference.criterion_figures_by(demo, f, framework, "month")


def test_a_framework_with_separator_characters_is_counted_the_same_the_slow_way(
    demo: Store,
) -> None:
    """The answer counts join each audit's answers into one text with control characters
    between them; a framework whose codes hold one is counted by a plain GROUP BY, which
    gives the same figures on the same answers."""
    framework = dashboard_framework(demo, AuditFilter())
    assert framework is not None and not stats._separators_in(framework)
    for f in _filters(demo):
        for group in (None, *stats.GROUPS.values()):
            fast = stats._answer_counts(demo, f, framework, group=group)
            slow = stats._answer_counts(demo, f, framework, group=group, tally=False)
            assert fast == slow, (f, group)
    odd = dataclasses.replace(
        framework.criteria[0], code=f"{framework.criteria[0].code}{summaries.PAIR}x"
    )
    section = dataclasses.replace(framework.sections[0], criteria=(odd,))
    assert stats._separators_in(dataclasses.replace(framework, sections=(section,)))


def test_agreement_from_the_texts_is_agreement_from_the_rows(demo: Store) -> None:
    """The path for a framework whose codes hold a separator counts the same pairs."""
    for f in _filters(demo):
        for cells in (agreement._moderation_cells, agreement._double_audit_cells):
            assert cells(demo, f, True) == cells(demo, f, False), (f, cells.__name__)


def test_one_read_by_month_gives_the_figures_and_headlines_read_apart(demo: Store) -> None:
    """The dashboard's month figures and headlines from one read of the audits are those of
    the two functions that read them apart, every month's auditors included."""
    framework = dashboard_framework(demo, AuditFilter())
    assert framework is not None
    for f in _filters(demo):
        together = stats.month_figures_and_headlines(demo, f, framework)
        apart = (
            *stats.criterion_figures_pooled_and_by_month(demo, f, framework),
            *stats.headline_pooled_and_by_month(demo, f),
        )
        assert together == apart, f
