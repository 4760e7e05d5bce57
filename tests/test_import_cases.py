"""Validating and importing case lists: every problem reported with row, column and value;
one transaction; re-imports update by reference; audits are kept; cancel rolls back."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest
from case_files import HEADER, ROWS, write_csv, write_xlsx

from auditor.audits.records import start_audit
from auditor.audits.timeliness import check_timescales
from auditor.cases.records import find_case, list_cases
from auditor.domain import CaseType
from auditor.frameworks.library import ensure_builtin_frameworks
from auditor.importing import (
    ColumnMapping,
    ImportCancelled,
    ImportProblemsError,
    Validation,
    apply_import,
    guess_mapping,
    list_mappings,
    load_mapping,
    preview_import,
    read_table,
    save_mapping,
    validate_table,
)
from auditor.importing.mapping import delete_mapping
from auditor.store import Store
from auditor.store.trail import verify_trail

ACTOR = "Test Auditor"  # as in tests/conftest.py


def validated(path: Path, mapping: ColumnMapping | None = None) -> Validation:
    table = read_table(path)
    return validate_table(table, mapping or guess_mapping(table.headers))


def snapshot(store: Store) -> list[tuple[object, ...]]:
    return [tuple(r.values()) for r in store.query("SELECT * FROM cases ORDER BY id")] + [
        (store.scalar("SELECT COUNT(*) FROM trail"),)
    ]


BAD_ROWS = [
    HEADER,
    ROWS[0],  # row 2: fine
    ["FAKE-0002", "Martian", "Demo Team 1", "W", "12/01/2026", "", ""],  # 3: unknown type
    ["", "CP", "Demo Team 1", "W", "", "", ""],  # 4: no reference
    ["FAKE-0003", "CP", "Demo Team 1", "W", "31/02/2026", "", ""],  # 5: impossible date
    ["FAKE-0004", "CIN", "Demo Team 1", "W", "01/13/2026", "soon", ""],  # 6: two bad dates
    ["FAKE-0005", "", "Demo Team 2", "W", "", "", ""],  # 7: no case type
    ["FAKE-0006", "CP", "Demo Team 2", "W", "", "", ""],  # 8: repeated below
    ["FAKE-0006", "CLA", "Demo Team 2", "W", "", "", ""],  # 9: the same reference
    ["FAKE-0007", "CP", "Demo, Team 3", "W", "", "", "", "stray"],  # 10: an unquoted comma
    ["FAKE-0008", "EH", "Demo Team 3", "W", "", "", ""],  # 11: fine
]


def test_every_kind_of_bad_row_is_reported(tmp_path: Path) -> None:
    validation = validated(write_csv(tmp_path / "bad.csv", BAD_ROWS))
    found = [(p.row, p.column, p.value) for p in validation.problems]
    assert found == [
        (3, "Case Type", "Martian"),
        (4, "Case Ref", ""),
        (5, "Referral Date", "31/02/2026"),
        (6, "Referral Date", "01/13/2026"),
        (6, "Assessment Completed", "soon"),
        (7, "Case Type", ""),
        (8, "Case Ref", "FAKE-0006"),
        (9, "Case Ref", "FAKE-0006"),
        (10, "(beyond the last column)", "stray"),
    ]
    messages = [str(p) for p in validation.problems]
    assert messages[0].startswith("row 3, column 'Case Type', value 'Martian': unknown case type")
    assert messages[1] == "row 4, column 'Case Ref': missing case reference"
    assert "31/02/2026 is not a real date" in messages[2]
    assert "dates are read day first" in messages[3]
    assert messages[5] == "row 7, column 'Case Type': missing case type"
    assert messages[6].endswith("the same reference is on rows 8, 9")
    assert "an unquoted comma" in messages[8]
    assert [r.reference for r in validation.records] == ["FAKE-0001", "FAKE-0008"]
    assert validation.rows_with_problems == 8 and validation.rows_total == 10


def test_a_file_with_problems_changes_nothing(store: Store, tmp_path: Path) -> None:
    apply_import(store, validated(write_csv(tmp_path / "a.csv", [HEADER, ROWS[4]])), actor=ACTOR)
    before = snapshot(store)
    validation = validated(write_csv(tmp_path / "bad.csv", BAD_ROWS))
    with pytest.raises(ImportProblemsError, match="9 problem\\(s\\) in 8 row\\(s\\); nothing was"):
        apply_import(store, validation, actor=ACTOR)
    assert snapshot(store) == before


def test_valid_rows_only_when_asked(store: Store, tmp_path: Path) -> None:
    validation = validated(write_csv(tmp_path / "bad.csv", BAD_ROWS))
    summary = apply_import(store, validation, actor=ACTOR, valid_only=True)
    assert (summary.added, summary.updated, summary.skipped, summary.written) == (2, 0, 8, True)
    assert [c.reference for c in list_cases(store)] == ["FAKE-0001", "FAKE-0008"]


def test_a_required_column_missing_stops_even_valid_only(store: Store, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", [["Case Ref", "Team"], ["FAKE-1", "T"]])
    validation = validated(path)
    assert [str(p) for p in validation.file_problems] == [
        "the file: no column is mapped to Case type"
    ]
    with pytest.raises(ImportProblemsError, match="cannot be imported"):
        apply_import(store, validation, actor=ACTOR, valid_only=True)
    assert list_cases(store) == []


def test_import_csv_with_bom_then_reimport_updates_by_reference(
    store: Store, tmp_path: Path
) -> None:
    first = validated(write_csv(tmp_path / "jan.csv", [HEADER, *ROWS], bom=True))
    summary = apply_import(store, first, actor=ACTOR)
    assert (summary.added, summary.updated, summary.unchanged) == (5, 0, 0)
    case = find_case(store, "FAKE-0001")
    assert case is not None
    assert case.case_type is CaseType.CHILD_PROTECTION
    assert (case.team, case.worker) == ("Demo Team 1", "Demo Worker 01")
    assert case.dates["referral_date"] == date(2026, 1, 5)
    assert case.dates["assessment_end"] == date(2026, 2, 20)

    audit = start_audit(store, case_uid=case.uid, auditor=ACTOR, framework_code="MINI")
    feb = [list(r) for r in ROWS]
    feb[0][2] = "Demo Team 9"  # moved team
    feb[1][5] = "02/03/2026"  # assessment completed since
    feb[3][6] = ""  # a blank cell keeps the stored closure date
    feb.append(["FAKE-0006", "LAC", "Demo Team 2", "Demo Worker 06", "", "", ""])
    second = validated(write_csv(tmp_path / "feb.csv", [HEADER, *feb]))
    assert str(preview_import(store, second)) == (
        "1 would be added, 2 would be updated (2 changes), 3 unchanged, 0 skipped"
    )
    summary = apply_import(store, second, actor=ACTOR)
    assert (summary.added, summary.updated, summary.unchanged) == (1, 2, 3)
    assert [(c.reference, c.field, c.old, c.new) for c in summary.changes] == [
        ("FAKE-0001", "team", "Demo Team 1", "Demo Team 9"),
        ("FAKE-0002", "assessment_end", None, "2026-03-02"),
    ]
    assert summary.added_references == ("FAKE-0006",)
    assert store.scalar("SELECT COUNT(*) FROM cases") == 6
    moved = find_case(store, "FAKE-0001")
    assert moved is not None and moved.uid == case.uid and moved.team == "Demo Team 9"
    kept = find_case(store, "FAKE-0004")
    assert kept is not None and kept.dates["closed_date"] == date(2026, 1, 15)
    # The audit still belongs to the same case.
    assert (
        store.scalar(
            "SELECT c.reference FROM audits a JOIN cases c ON c.id = a.case_id WHERE a.uid = ?",
            [audit],
        )
        == "FAKE-0001"
    )
    trail = store.query(
        "SELECT entity, field, old_value, new_value FROM trail "
        "WHERE entity IN ('case', 'import') ORDER BY seq DESC LIMIT 4"
    )
    assert trail[0]["entity"] == "import" and "feb.csv" in trail[0]["new_value"]
    assert {(t["field"], t["old_value"], t["new_value"]) for t in trail[1:]} == {
        ("created", None, "FAKE-0006"),
        ("team", "Demo Team 1", "Demo Team 9"),
        ("assessment_end", None, "2026-03-02"),
    }
    assert verify_trail(store) == []


def test_reimporting_the_same_file_changes_nothing(store: Store, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "jan.csv", [HEADER, *ROWS])
    apply_import(store, validated(path), actor=ACTOR)
    trail = store.scalar("SELECT COUNT(*) FROM trail")
    summary = apply_import(store, validated(path), actor=ACTOR)
    assert (summary.added, summary.updated, summary.unchanged) == (0, 0, 5)
    assert store.scalar("SELECT COUNT(*) FROM trail") == trail + 1  # the import itself


def test_windows_1252_and_xlsx_files_import_the_same_cases(store: Store, tmp_path: Path) -> None:
    from case_files import typed_rows

    xlsx = write_xlsx(
        tmp_path / "jan.xlsx", [["Demo Council cases"], HEADER, *typed_rows(), ["Total", 5]]
    )
    cp1252 = write_csv(tmp_path / "jan.csv", [HEADER, *ROWS], encoding="cp1252", delimiter=";")
    assert apply_import(store, validated(xlsx), actor=ACTOR).added == 5
    again = apply_import(store, validated(cp1252), actor=ACTOR)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 5)


def test_formula_like_values_are_stored_as_plain_text(store: Store, tmp_path: Path) -> None:
    rows = [
        HEADER,
        ["=1+1", "CP", "+Demo Team", '=HYPERLINK("http://x","y")', "", "", ""],
        ["@FAKE", "CP", "-Demo Team", "=cmd|' /C calc'!A0", "", "", ""],
    ]
    apply_import(store, validated(write_csv(tmp_path / "f.csv", rows)), actor=ACTOR)
    stored = store.query("SELECT reference, team, worker FROM cases ORDER BY reference")
    assert [tuple(r.values()) for r in stored] == [
        ("=1+1", "+Demo Team", '=HYPERLINK("http://x","y")'),
        ("@FAKE", "-Demo Team", "=cmd|' /C calc'!A0"),
    ]


def test_progress_and_cancel_roll_back_everything(store: Store, tmp_path: Path) -> None:
    rows = [HEADER, *([f"FAKE-{i:05d}", "CP", "T", "W", "", "", ""] for i in range(2500))]
    validation = validated(write_csv(tmp_path / "big.csv", rows))
    before = snapshot(store)
    calls: list[tuple[int, int]] = []

    def cancel_after_first_batch() -> bool:
        return len(calls) >= 1

    with pytest.raises(ImportCancelled, match="nothing was imported"):
        apply_import(
            store,
            validation,
            actor=ACTOR,
            cancelled=cancel_after_first_batch,
            progress=lambda done, total: calls.append((done, total)),
        )
    assert calls == [(1000, 2500)]
    assert snapshot(store) == before
    calls.clear()
    apply_import(store, validation, actor=ACTOR, progress=lambda d, t: calls.append((d, t)))
    assert calls == [(1000, 2500), (2000, 2500), (2500, 2500), (2500, 2500)]
    assert store.scalar("SELECT COUNT(*) FROM cases") == 2500


def test_a_failed_write_leaves_nothing_half_imported(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from auditor.importing import apply

    validation = validated(write_csv(tmp_path / "a.csv", [HEADER, *ROWS]))
    before = snapshot(store)

    def failing_trail(*args: object, **kwargs: object) -> int:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(apply, "record", failing_trail)
    with pytest.raises(Exception, match="disk is full"):
        apply_import(store, validation, actor=ACTOR)
    assert snapshot(store) == before


def test_named_mappings_for_next_months_file(store: Store, tmp_path: Path) -> None:
    rows = [["Ref", "Kind", "Closed on", "Notes"], ["FAKE-1", "CP", "31/01/2026", "x"]]
    table = read_table(write_csv(tmp_path / "jan.csv", rows))
    mapping = (
        guess_mapping(table.headers)
        .with_column("Kind", "case_type")
        .with_column("Closed on", "closed_date")
        .with_case_type_word("Protection", "child_protection")
    )
    save_mapping(store, "Demo system monthly", mapping)
    assert list_mappings(store) == ["Demo system monthly"]
    loaded = load_mapping(store, "Demo system monthly")
    assert loaded == mapping
    # Next month the columns move and a new word appears: the saved mapping still reads it.
    feb = [["Notes", "Closed on", "Ref", "Kind"], ["y", "28/02/2026", "FAKE-2", "Protection"]]
    validation = validated(write_csv(tmp_path / "feb.csv", feb), loaded)
    assert validation.ok
    assert validation.records[0].values == {
        "reference": "FAKE-2",
        "case_type": "child_protection",
        "closed_date": "2026-02-28",
    }
    # A file without a mapped column is a problem for the whole file.
    march = validated(write_csv(tmp_path / "mar.csv", [["Ref", "Kind"], ["FAKE-3", "CP"]]), loaded)
    assert [str(p) for p in march.file_problems] == [
        "the file, column 'Closed on': the mapping reads Case closed from this column, but the "
        "file has no column by that name"
    ]
    assert delete_mapping(store, "Demo system monthly") is True
    with pytest.raises(Exception, match="no saved mapping called 'Demo system monthly'"):
        load_mapping(store, "Demo system monthly")


def test_imported_dates_drive_the_assessment_timescale(store: Store, tmp_path: Path) -> None:
    """The case's imported dates feed the timeliness checks shown during the audit."""
    framework = next(f for f in ensure_builtin_frameworks(store) if f.code == "IN-CFA")
    rows = [
        HEADER,
        ["FAKE-0001", "CIN", "T", "W", "05/01/2026", "20/02/2026", ""],
        ["FAKE-0002", "CIN", "T", "W", "05/01/2026", "31-Mar-2026", ""],
    ]
    apply_import(store, validated(write_csv(tmp_path / "t.csv", rows)), actor=ACTOR)
    verdicts = {}
    for reference in ("FAKE-0001", "FAKE-0002"):
        case = find_case(store, reference)
        assert case is not None
        checks = check_timescales(
            framework.timescales, case.dates, case_type=case.case_type, audit_date=date(2026, 4, 1)
        )
        assess = next(c for c in checks if c.timescale.code == "ASSESS-45")
        verdicts[reference] = (assess.met, assess.taken)
    # 5 Jan → 20 Feb 2026 is 34 working days; 5 Jan → 31 Mar is 61 (Easter is in April).
    assert verdicts == {"FAKE-0001": (True, 34), "FAKE-0002": (False, 61)}


def test_a_cell_repeated_down_a_column_is_judged_alike_on_every_row(tmp_path: Path) -> None:
    """Each date and case-type column answers once per distinct cell: the same bad value on
    two rows is a problem on both, the same good one is read alike on both."""
    rows = [
        HEADER,
        ["FAKE-0101", "Martian", "Demo Team 1", "W", "31/02/2026", "", ""],
        ["FAKE-0102", "CP", "Demo Team 1", "W", "12/01/2026", "", ""],
        ["FAKE-0103", "Martian", "Demo Team 1", "W", "31/02/2026", "", ""],
        ["FAKE-0104", "CP", "Demo Team 1", "W", "12/01/2026", "", ""],
    ]
    validation = validated(write_csv(tmp_path / "repeats.csv", rows))
    found = [(p.row, p.column, p.message) for p in validation.problems]
    assert [(row, column) for row, column, _ in found] == [
        (2, "Case Type"), (2, "Referral Date"), (4, "Case Type"), (4, "Referral Date"),
    ]  # fmt: skip
    assert found[0][2] == found[2][2] and found[1][2] == found[3][2]
    assert [r.values["referral_date"] for r in validation.records] == ["2026-01-12"] * 2
