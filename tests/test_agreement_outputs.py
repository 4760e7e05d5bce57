"""The agreement figures where people read them: the report's Agreement sheet (kappas with
intervals, N/A left out, the moderated grades' confusion matrix) and the dashboard panel."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pytestqt.qtbot import QtBot
from report_data import table_rows
from sklearn.metrics import cohen_kappa_score

from auditor.audits.workflow import ModeratedAnswer, moderate_audit
from auditor.cases.records import add_case
from auditor.domain import Grade
from auditor.figures.agreement import GRADE_ORDER, agreement_report
from auditor.frameworks.model import Framework
from auditor.reports import export_report
from auditor.reports.sheets.moderation import MATRIX_TITLE
from auditor.store import Store
from tests.test_agreement import _submitted
from ui.dashboard.agreement import AgreementPanel

ON = date(2026, 12, 31)
# (auditor's grade, moderator's grade) of five moderated audits.
MOVES = [
    ("good", "good"),
    ("good", "requires_improvement"),
    ("outstanding", "good"),
    ("requires_improvement", "requires_improvement"),
    ("inadequate", "inadequate"),
]


@pytest.fixture
def moderated(store: Store) -> Store:
    for n, (given, moderated) in enumerate(MOVES):
        case = add_case(store, actor="Admin", reference=f"AGR-{n}", case_type="child_in_need")
        answers = {"R-1": "yes", "R-2": "na", "V-1": "yes"}
        uid = _submitted(store, case, "Auditor A", answers, given)
        changes = {"V-1": ModeratedAnswer("no", "Views not recorded")} if n == 0 else {}
        moderate_audit(
            store, uid, moderator="QA Lead", grade=moderated, note="Seen", changes=changes
        )
    return store


def _sklearn(weights: str | None = None) -> float:
    first, second = [a for a, _ in MOVES], [b for _, b in MOVES]
    return float(cohen_kappa_score(first, second, labels=list(GRADE_ORDER), weights=weights))


def test_agreement_sheet_gives_both_kappas_with_intervals_and_na_left_out(
    moderated: Store, tmp_path: Path
) -> None:
    out = tmp_path / "report.xlsx"
    export_report(moderated, out, on=ON)
    rows = {r["Subject"]: r for r in table_rows(out, "Agreement") if r["Subject"]}
    grade = rows["Overall grade"]
    assert grade["Cohen's kappa"] == pytest.approx(_sklearn())
    assert grade["Weighted kappa (grade)"] == pytest.approx(_sklearn("quadratic"))
    figure = agreement_report(moderated).grade
    assert figure.cohen is not None and figure.weighted is not None
    assert (grade["Kappa 95 % from"], grade["Kappa 95 % to"]) == pytest.approx(
        (figure.cohen.low, figure.cohen.high)
    )
    assert (
        grade["Weighted 95 % from"] <= grade["Weighted kappa (grade)"] <= grade["Weighted 95 % to"]
    )
    # R-2 answered N/A by the auditor in every audit (and kept by the moderator): left out.
    assert (rows["R-2"]["Pairs"], rows["R-2"]["Left out: N/A"]) == (0, 5)
    assert rows["R-2"]["% agreement"] is None
    assert (rows["V-1"]["Pairs"], rows["V-1"]["Left out: N/A"]) == (5, 0)


def test_agreement_sheet_shows_the_grade_confusion_matrix(moderated: Store, tmp_path: Path) -> None:
    out = tmp_path / "report.xlsx"
    export_report(moderated, out, on=ON)
    rows = list(load_workbook(out)["Agreement"].iter_rows(values_only=True))
    title = next(i for i, r in enumerate(rows) if r[1] == MATRIX_TITLE)
    header = rows[title + 1]
    assert header[1:7] == ("Auditor's grade", *(g.label for g in Grade), "Total")
    matrix = {r[1]: r[2:7] for r in rows[title + 2 : title + 7]}
    assert matrix == {
        "Outstanding": (0, 1, 0, 0, 1),
        "Good": (0, 1, 1, 0, 2),
        "Requires improvement to be good": (0, 0, 1, 0, 1),
        "Inadequate": (0, 0, 0, 1, 1),
        "Total": (0, 2, 2, 1, 5),
    }


def test_no_matrix_without_moderations(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "report.xlsx"
    export_report(store, out, on=ON)
    rows = list(load_workbook(out)["Agreement"].iter_rows(values_only=True))
    assert all(MATRIX_TITLE not in r for r in rows)


def test_dashboard_panel_shows_kappas_and_the_matrix(qtbot: QtBot, moderated: Store) -> None:
    panel = AgreementPanel()
    qtbot.add_widget(panel)
    panel.resize(1200, 200)
    panel.show()
    report = agreement_report(moderated)
    panel.show_report(report)
    text = panel.text.text()
    assert f"Cohen’s κ {_sklearn():.2f} (95 % CI " in text
    assert f"weighted κ {_sklearn('quadratic'):.2f} (95 % CI " in text
    assert "5 pairs of criterion answers with Not applicable on either side left out" in text
    assert panel.matrix.isVisible()
    assert panel.cell(Grade.GOOD, Grade.REQUIRES_IMPROVEMENT) == "1"
    assert panel.cell(Grade.OUTSTANDING, Grade.GOOD) == "1"
    assert panel.cell(Grade.OUTSTANDING, Grade.OUTSTANDING) == "0"
    assert panel.matrix.accessibleName() == "Grade confusion matrix"


def test_dashboard_panel_without_moderations(qtbot: QtBot, store: Store) -> None:
    panel = AgreementPanel()
    qtbot.add_widget(panel)
    panel.show()
    panel.show_report(agreement_report(store))
    assert panel.text.text() == "No moderations in this period."
    assert not panel.matrix.isVisible()
    assert not panel.criteria.isVisible() and not panel.criteria_caption.isVisible()


def test_dashboard_panel_lists_each_criterion_least_agreement_first(
    qtbot: QtBot, moderated: Store, mini: Framework
) -> None:
    panel = AgreementPanel()
    qtbot.add_widget(panel)
    panel.resize(1200, 500)
    panel.show()
    panel.show_report(agreement_report(moderated), mini)
    assert panel.criteria.isVisible() and panel.criteria_caption.isVisible()
    # V-1 changed by the moderator in one of five audits; R-1 always agreed; R-2 answered
    # N/A every time, so it has no pairs and comes last.
    assert panel.criteria_rows() == [
        ["V-1: Are the child's views recorded?", "5*", "80 %", _kappa_text("V-1", moderated), "0"],
        ["R-1: Is the level of risk recorded?", "5*", "100 %", _kappa_text("R-1", moderated), "0"],
        ["R-2: Is a risk framework applied?", "0*", "–", "–", "5"],
    ]
    assert panel.criteria.item(0, 1).toolTip() == "Fewer than 10 pairs: a small sample"
    assert panel.criteria.accessibleName() == "Agreement on each criterion"


def _kappa_text(code: str, store: Store) -> str:
    figure = next(f for f in agreement_report(store).criteria if f.subject == code)
    if figure.cohen is None:
        return "–"
    return f"{figure.cohen.estimate:.2f} ({figure.cohen.low:.2f} to {figure.cohen.high:.2f})"


def test_a_criterion_of_another_framework_is_named_by_its_code(
    qtbot: QtBot, moderated: Store
) -> None:
    panel = AgreementPanel()
    qtbot.add_widget(panel)
    panel.show()
    panel.show_report(agreement_report(moderated), None)
    assert [row[0] for row in panel.criteria_rows()] == ["V-1", "R-1", "R-2"]
