"""Writing the report safely: text never runs, files are whole or absent, progress, cancel."""

from __future__ import annotations

import os
import re
import zipfile
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from report_data import ON, SHEETS, audit, fill, table_rows

from auditor.figures.stats import AuditFilter
from auditor.reports import ExportCancelled, ExportError, export_report
from auditor.reports.output import open_elsewhere_message
from auditor.reports.safe_text import CUT_NOTE, MAX_CELL_TEXT
from auditor.store import Store

TABLE_SHEETS = SHEETS[1:]  # every sheet but the Summary is a table


@pytest.fixture
def audited(store: Store) -> Store:
    fill(store)
    return store


def _sheet_xml(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as z:
        return {
            n: z.read(n).decode("utf-8")
            for n in z.namelist()
            if n.startswith("xl/worksheets/sheet")
        }


def test_no_formula_anywhere_even_from_names_a_person_typed(store: Store, tmp_path: Path) -> None:
    audit(
        store,
        "=1+2",
        team="=cmd|' /C calc'!A0",
        day=date(2026, 1, 5),
        answers={"R-1": "yes", "R-2": "no", "V-1": "partly"},
        evidence={"R-1": "=1+1", "R-2": "-1", "V-1": "=SUM(A1:A3)"},
        grade="requires_improvement",
        auditor="@Auditor",
        action_due=date(2026, 2, 1),
    )
    out = tmp_path / "r.xlsx"
    export_report(store, out, on=ON)
    for name, xml in _sheet_xml(out).items():
        assert not re.search(r"<f[ >]", xml), f"a formula in {name}"
    evidence = table_rows(out, "Evidence")
    assert {r["Evidence"] for r in evidence} == {"=1+1", "-1", "=SUM(A1:A3)"}
    assert {r["Team"] for r in evidence} == {"=cmd|' /C calc'!A0"}
    assert table_rows(out, "Case matrix")[0]["Case"] == "=1+2"


def test_control_characters_are_dropped_and_long_text_is_cut(store: Store, tmp_path: Path) -> None:
    long = "x" * 40_000
    audit(
        store,
        "C-1",
        team="T",
        day=date(2026, 1, 5),
        answers={"R-1": "yes", "R-2": "yes", "V-1": "yes"},
        evidence={"R-1": "bell\x07 and\x0bvertical tab", "R-2": long},
        grade="good",
    )
    out = tmp_path / "r.xlsx"
    export_report(store, out)
    evidence = [r["Evidence"] for r in table_rows(out, "Evidence")]
    assert evidence[0] == "bell andvertical tab"
    assert len(evidence[1]) == MAX_CELL_TEXT and evidence[1].endswith(CUT_NOTE)


def test_every_list_is_a_table_with_frozen_header_and_print_set_up(
    audited: Store, tmp_path: Path
) -> None:
    out = tmp_path / "r.xlsx"
    export_report(audited, out, on=ON)
    wb = load_workbook(out)
    for name in TABLE_SHEETS:
        ws = wb[name]
        [(_, ref)] = ws.tables.items()
        header = [c.value for c in ws[1]]
        table = next(iter(ws.tables.values()))
        assert [c.name for c in table.tableColumns] == [h for h in header if h is not None]
        assert ref.startswith("A1:") and table.autoFilter.ref == ref, name
        assert ws.freeze_panes == "A2", name
        assert ws.print_title_rows == "$1:$1", name
        assert ws.page_setup.orientation == "landscape", name
        assert ws.sheet_properties.pageSetUpPr.fitToPage, name
        assert all(ws.column_dimensions[c].width for c in "AB"), name
    assert wb["Criteria"].page_setup.fitToWidth == 1
    assert wb["Summary"].freeze_panes == "A2" and wb["Summary"]._charts


def test_a_failed_export_leaves_the_old_file_and_no_temporary_file(
    audited: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "r.xlsx"
    out.write_bytes(b"the previous report")

    def broken(*args: object) -> int:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("auditor.reports.workbook.write_evidence", broken)
    with pytest.raises(RuntimeError):
        export_report(audited, out)
    assert out.read_bytes() == b"the previous report"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "r.xlsx",
        "test.db",
        "test.db-shm",
        "test.db-wal",
        "test.db.anchor",  # the trail's anchor, written when the test's audit was saved
    ]


def test_cancel_stops_the_export_and_writes_nothing(audited: Store, tmp_path: Path) -> None:
    out = tmp_path / "r.xlsx"
    calls: list[tuple[int, int]] = []
    with pytest.raises(ExportCancelled, match="no file was written"):
        export_report(
            audited, out, progress=lambda d, t: calls.append((d, t)), cancelled=lambda: bool(calls)
        )
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.suffix == ".tmp"]


def test_progress_rises_to_the_total(audited: Store, tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    export_report(audited, tmp_path / "r.xlsx", progress=lambda d, t: calls.append((d, t)))
    done = [d for d, _ in calls]
    assert done == sorted(done) and calls[-1][0] == calls[-1][1] and len(calls) >= 2


def test_a_file_open_elsewhere_gets_a_clear_message(
    audited: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "r.xlsx"

    def locked(source: str, target: str) -> None:  # what Windows does to a file open in Excel
        raise PermissionError(13, "Permission denied", target)

    monkeypatch.setattr(os, "replace", locked)
    with pytest.raises(ExportError) as caught:
        export_report(audited, out)
    assert str(caught.value) == (
        f"Cannot write {out}: it is open in another program or the folder is read-only. "
        "Close it and try again."
    )
    assert str(caught.value) == open_elsewhere_message(out)
    assert not [p for p in tmp_path.iterdir() if p.suffix == ".tmp"]


@pytest.mark.skipif(
    os.geteuid() == 0 if hasattr(os, "geteuid") else False, reason="root ignores permissions"
)
def test_a_read_only_folder_gets_the_same_message(audited: Store, tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(ExportError, match="open in another program or the folder is read-only"):
            export_report(audited, folder / "r.xlsx")
    finally:
        folder.chmod(0o700)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("folder.xlsx", "it is a folder"),
        ("report.csv", "give the file name the extension .xlsx"),
        ("missing/report.xlsx", "does not exist"),
    ],
)
def test_targets_that_cannot_be_a_workbook(
    audited: Store, tmp_path: Path, name: str, message: str
) -> None:
    (tmp_path / "folder.xlsx").mkdir()
    with pytest.raises(ExportError, match=message):
        export_report(audited, tmp_path / name)


def test_every_sheet_describes_the_same_audits_while_someone_saves(
    audited: Store, tmp_path: Path
) -> None:
    """A save from another connection during the export is not half in the workbook."""
    saved = []

    def save_meanwhile(done: int, total: int) -> None:
        if not saved:
            with Store.open(audited.path) as other:
                audit(
                    other,
                    "LATE",
                    team="North",
                    day=date(2026, 2, 20),
                    answers={"R-1": "yes", "R-2": "yes", "V-1": "yes"},
                    grade="outstanding",
                )
            saved.append(True)

    out = tmp_path / "r.xlsx"
    summary = export_report(audited, out, progress=save_meanwhile)
    assert saved and summary.audits == 3
    assert len(table_rows(out, "Case matrix")) == 3 and len(table_rows(out, "Evidence")) == 10
    assert export_report(audited, tmp_path / "after.xlsx").audits == 4


def test_drafts_can_be_reported_when_asked_for(audited: Store, tmp_path: Path) -> None:
    from auditor.domain import AuditStatus

    out = tmp_path / "drafts.xlsx"
    summary = export_report(audited, out, audit_filter=AuditFilter(statuses=(AuditStatus.DRAFT,)))
    assert summary.audits == 1 and [r["Case"] for r in table_rows(out, "Case matrix")] == ["S-4"]
