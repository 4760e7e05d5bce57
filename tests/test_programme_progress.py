"""A programme's progress (sampled, started, submitted or further) comes from one core
function: the Programmes screen and ``programme list`` give the same figures."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from auditor.cli import main
from auditor.demo import make_demo
from auditor.frameworks.library import ensure_builtin_frameworks
from auditor.programmes.progress import programme_progress
from auditor.programmes.records import list_programmes
from auditor.store import Store


def counted_by_hand(db: Path, programme_uid: str) -> tuple[int, int, int]:
    """The same three figures by plain SQL: the newest live audit of each sampled case."""
    conn = sqlite3.connect(db)
    statuses = [
        row[0]
        for row in conn.execute(
            "SELECT (SELECT a.status FROM audits a WHERE a.case_id = pc.case_id AND "
            "a.programme_id = pc.programme_id AND a.deleted_at IS NULL ORDER BY a.id DESC "
            "LIMIT 1) FROM programme_cases pc JOIN programmes p ON p.id = pc.programme_id "
            "WHERE p.uid = ?",
            [programme_uid],
        )
    ]
    conn.close()
    submitted = sum(1 for s in statuses if s in ("submitted", "moderated", "final"))
    return len(statuses), sum(1 for s in statuses if s), submitted


def test_progress_counts_the_sample_and_its_audits(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    with Store.open(db) as store:
        ensure_builtin_frameworks(store)
        make_demo(store, cases=60, audits=40, seed=3)
        programmes = list_programmes(store)
        figures = {p.uid: programme_progress(store, p.uid) for p in programmes}
    assert any(f.submitted for f in figures.values())  # the demo really has some
    for uid, f in figures.items():
        assert (f.sampled, f.started, f.submitted) == counted_by_hand(db, uid)


def test_programme_list_gives_the_same_figures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "demo.db"
    with Store.open(db) as store:
        ensure_builtin_frameworks(store)
        make_demo(store, cases=60, audits=40, seed=3)
    assert main(["programme", "list", "--db", str(db), "--json"]) == 0
    for row in json.loads(capsys.readouterr().out):
        assert (row["cases"], row["started"], row["submitted"]) == counted_by_hand(db, row["uid"])
