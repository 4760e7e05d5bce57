"""The board pack (PDF), read back with pypdf and checked against the database's figures."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from report_data import ON, OTHER, audit, fill

from auditor.cli import main
from auditor.figures.stats import AuditFilter, criterion_figures, headline
from auditor.frameworks.model import Framework
from auditor.reports import ExportCancelled, ExportError
from auditor.reports.board_pack import export_board_pack
from auditor.reports.board_pack.figures import board_pack_figures
from auditor.reports.scope import read_snapshot, resolve_scope
from auditor.store import Store


@pytest.fixture
def audited(store: Store) -> Store:
    fill(store)
    return store


def pages(path: Path) -> list[str]:
    """Each page's text, runs of white space made one space."""
    return [re.sub(r"\s+", " ", p.extract_text()) for p in PdfReader(path).pages]


def make(store: Store, tmp_path: Path, **filters: Any) -> list[str]:
    out = tmp_path / "pack.pdf"
    export_board_pack(store, out, audit_filter=AuditFilter(**filters), on=ON)
    return pages(out)


def test_every_page_names_programme_period_date_made_and_page_x_of_y(
    audited: Store, tmp_path: Path
) -> None:
    text = make(audited, tmp_path)
    assert len(text) >= 4
    made = date.today().strftime("%d/%m/%Y")
    for number, page in enumerate(text, start=1):
        assert "All programmes · 10/01/2026 to 09/02/2026" in page
        assert f"Made {made}" in page
        assert f"Page {number} of {len(text)}" in page


def test_the_whole_selection_against_the_database(
    audited: Store, mini: Framework, tmp_path: Path
) -> None:
    text = make(audited, tmp_path)
    h = headline(audited, AuditFilter(), on=ON)
    assert (h.audits, h.good_or_better, h.graded) == (3, 2, 3)
    first = text[0]
    assert "Audits 3 Cases 3 Auditors 2" in first
    assert (
        "% good or better (final grade) 67 %* of 3 graded audits (95 % interval 21–94 %)" in first
    )
    assert "Immediate safeguarding concerns 1" in first
    assert "Open actions 2, of which 1 overdue" in first
    assert "Outstanding 0 0 % Good 2 67 % Requires improvement to be good 1 33 %" in first
    # Every criterion rests on fewer than 10 audits: below target, listed apart, not ranked.
    below = next(p for p in text if "Criteria below target" in p)
    assert "Small samples, not ranked" in below
    r1 = next(f for f in criterion_figures(audited, AuditFilter(), mini) if f.code == "R-1")
    assert (r1.met, r1.scored) == (2, 3)
    assert "67 %*" in below and "90 %" in below
    assert not re.search(r"\b1 R-1", below)  # no rank number
    teams = next(p for p in text if "By team" in p)
    # North: S-1 Yes, Yes, No and S-2 Yes, N/A, Partly (moderated): 3 of 5 met.
    assert "North 2 100 %* 60 % 0 1 1" in teams
    # South: S-3 No, Partly, Yes, Yes: 2 of 4; its concern; its action open, not yet due.
    assert "South 1 0 %* 50 % 1 1 0" in teams
    assert "All teams 3 67 %* 56 % 1 2 1" in teams
    assert "1 audit of 3" in teams  # safeguarding concerns raised
    agreement = next(p for p in text if "Moderation agreement" in p)
    assert "Moderated audits 1 Moderations that changed the grade 1" in agreement
    assert "How these figures are made" in text[-1]


def test_a_team_filter(audited: Store, tmp_path: Path) -> None:
    text = make(audited, tmp_path, team="North")
    first = text[0]
    assert "Team North" in first
    assert "Audits 2 Cases 2 Auditors 2" in first
    assert "% good or better (final grade) 100 %* of 2 graded audits" in first
    assert "Immediate safeguarding concerns 0" in first
    assert "Open actions 1, of which 1 overdue" in first
    teams = next(p for p in text if "By team" in p)
    assert "South" not in teams
    assert "No auditor flagged an immediate safeguarding concern in these 2 audits." in teams


def test_an_auditor_and_dates_filter(audited: Store, tmp_path: Path) -> None:
    text = make(audited, tmp_path, auditor=OTHER, date_from=date(2026, 2, 1))
    first = text[0]
    assert "Auditor Second Auditor" in first
    assert "All programmes · 01/02/2026 to 03/02/2026" in first  # the filter's, then the audit's
    assert "Audits 1 Cases 1 Auditors 1" in first
    # The moderator graded S-2 Good (the auditor said Outstanding): the final grade counts.
    assert "Outstanding 0 0 % Good 1 100 %" in first


def test_an_empty_selection_is_a_short_honest_pdf(audited: Store, tmp_path: Path) -> None:
    text = make(audited, tmp_path, date_from=date(2020, 1, 1), date_to=date(2020, 12, 31))
    assert len(text) == 1
    assert "No audits match these filters" in text[0]
    assert "Audits 0 Cases 0" in text[0]
    assert "01/01/2020 to 31/12/2020" in text[0] and "Page 1 of 1" in text[0]


def test_small_samples_are_not_ranked_among_the_worst(store: Store, tmp_path: Path) -> None:
    """R-1 (12 audits, mostly No) is ranked; R-2 (2 audits answered, 50 %) is below its
    target too but rests on too few audits to rank above or below anything."""
    fill(store)
    for n in range(12):
        answers = {"R-1": "no" if n % 4 else "yes", "R-2": "na", "V-1": "yes"}
        audit(store, f"E-{n}", team="East", day=date(2026, 2, 20), answers=answers, grade="good")
    with read_snapshot(store):
        figures = board_pack_figures(resolve_scope(store, AuditFilter(), on=ON))
    assert [f.code for f in figures.below_target] == ["R-1"]
    assert [f.code for f in figures.below_target_small] == ["R-2"]
    below = next(p for p in make(store, tmp_path) if "Criteria below target" in p)
    ranked, small = below.split("Small samples, not ranked")
    assert "1 criterion below target on 10 or more audits" in ranked
    assert "1 R-1" in ranked and "R-2" not in ranked.split("Points below", 1)[1]
    assert "R-2" in small and "50 %*" in small


def test_the_command_line_writes_the_same_pack(
    audited: Store, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "cli.pdf"
    assert main(["board-pack", "--db", str(db_path), "--out", str(out), "--team", "South"]) == 0
    assert "1 audit" in capsys.readouterr().out
    assert "Audits 1 Cases 1 Auditors 1" in pages(out)[0]
    empty = tmp_path / "empty.pdf"
    assert main(["board-pack", "--db", str(db_path), "--out", str(empty),
                 "--from", "2020-01-01", "--to", "2020-01-31"]) == 0  # fmt: skip
    assert "no audits match these filters" in capsys.readouterr().out
    assert main(["board-pack", "--db", str(db_path), "--out", str(tmp_path / "x.pdf"),
                 "--team", "Nowhere"]) == 2  # fmt: skip
    assert "no team called 'Nowhere'" in capsys.readouterr().err


def test_a_wrong_extension_or_a_cancel_leaves_no_file(audited: Store, tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    with pytest.raises(ExportError, match="extension .pdf"):
        export_board_pack(audited, folder / "pack.xlsx")
    cancel_on = iter(range(100))
    with pytest.raises(ExportCancelled):  # cancelled while the pages are drawn
        export_board_pack(audited, folder / "pack.pdf", cancelled=lambda: next(cancel_on) > 5)
    assert list(folder.iterdir()) == []


def test_agreement_shows_both_kappas_with_intervals_and_the_grade_matrix(
    tmp_path: Path,
) -> None:
    """The moderation page gives what the Agreement sheet gives: Cohen's and the quadratic
    weighted kappa for the grade, each with its 95 % interval, the N/A pairs left out, and
    the moderated grades auditor × moderator."""
    from auditor.demo import make_demo
    from auditor.domain import Grade
    from auditor.figures.agreement import agreement_report

    with Store.open(tmp_path / "demo.db") as demo:
        make_demo(demo, cases=200, audits=120, seed=3)
        report = agreement_report(demo, AuditFilter())
        page = next(p for p in make(demo, tmp_path) if "Moderation agreement" in p)
    g = report.grade
    assert g.cohen is not None and g.weighted is not None and report.grade_matrix.total > 0
    for label, k in (
        ("Grade: Cohen's kappa (95 % interval)", g.cohen),
        ("Grade: weighted kappa (quadratic; 95 % interval)", g.weighted),
    ):
        assert f"{label} {k.estimate:.2f} ({k.low:.2f} to {k.high:.2f})" in page
    assert f"Not applicable on either side) {report.left_out:,}" in page
    counts = report.grade_matrix.counts
    for auditor in Grade:
        row = [counts[auditor][moderator] for moderator in Grade]
        cells = " ".join(str(n) for n in [*row, sum(row)])
        assert f"{auditor.label} {cells}" in page
