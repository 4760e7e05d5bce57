"""New cases written by an import (issue 16: fast where people wait): each row inserts only
the fields the file holds, the table's defaults giving the rest; the cases stored are the
same as when every field was written, blanks included, and the trail verifies."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from case_files import write_csv

from auditor.domain import CASE_DATE_FIELDS
from auditor.importing import Validation, apply_import, guess_mapping, read_table, validate_table
from auditor.importing.validate import CaseRecord
from auditor.store import Store
from auditor.store.trail import verify_trail

ACTOR = "Test Auditor"
NO_DATES = dict.fromkeys(CASE_DATE_FIELDS)


def stored(store: Store, reference: str) -> dict[str, Any]:
    row = store.one("SELECT * FROM cases WHERE reference = ?", [reference])
    assert row is not None
    return {k: v for k, v in row.items() if k not in ("id", "uid", "created_at", "updated_at")}


def test_a_file_of_references_and_types_alone_stores_blank_teams_workers_and_dates(
    store: Store, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "few.csv", [["Case Ref", "Case Type"], ["FAKE-0001", "CP"]])
    table = read_table(path)
    apply_import(store, validate_table(table, guess_mapping(table.headers)), actor=ACTOR)
    assert stored(store, "FAKE-0001") == {
        "reference": "FAKE-0001",
        "case_type": "child_protection",
        "team": "",
        "worker": "",
        **NO_DATES,
    }
    assert verify_trail(store) == []


def test_blank_cells_of_a_new_case_are_stored_as_blank_whichever_way_they_came(
    store: Store,
) -> None:
    """A record's blank field may be None or "" (CaseRecord's contract): a blank team or
    worker is stored as "", a blank date as NULL, as the table's own defaults are."""
    records = (
        CaseRecord(2, {"reference": "FAKE-0001", "case_type": "child_in_need", "team": None,
                       "worker": "", "referral_date": "", "closed_date": None}),
        CaseRecord(3, {"reference": "FAKE-0002", "case_type": "looked_after", "team": "Demo 1",
                       "worker": "Demo Worker 2", "referral_date": "2026-01-31",
                       "closed_date": ""}),
    )  # fmt: skip
    summary = apply_import(store, Validation("hand.csv", records, (), 2), actor=ACTOR)
    assert (summary.added, summary.added_references) == (2, ("FAKE-0001", "FAKE-0002"))
    assert stored(store, "FAKE-0001") == {
        "reference": "FAKE-0001",
        "case_type": "child_in_need",
        "team": "",
        "worker": "",
        **NO_DATES,
    }
    assert stored(store, "FAKE-0002") == {
        "reference": "FAKE-0002",
        "case_type": "looked_after",
        "team": "Demo 1",
        "worker": "Demo Worker 2",
        **NO_DATES,
        "referral_date": "2026-01-31",
    }
    assert verify_trail(store) == []
