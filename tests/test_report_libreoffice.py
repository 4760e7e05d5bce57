"""The workbooks open in LibreOffice: converted headless to PDF, every sheet printed.

Needs LibreOffice (``soffice``; ``scripts/setup --dev`` installs it) and, for the page text,
poppler's ``pdftotext``. Skipped with the reason when they are missing.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from auditor.clock import uk_date
from auditor.demo import make_demo
from auditor.figures.stats import AuditFilter
from auditor.reports import export_audit_feedback, export_report
from auditor.store import Store

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOTEXT = shutil.which("pdftotext")

pytestmark = pytest.mark.skipif(
    SOFFICE is None, reason="LibreOffice is not installed (scripts/setup --dev installs it)"
)


def _to_pdf(files: list[Path], tmp_path: Path) -> dict[str, Path]:
    """Convert with a throwaway LibreOffice profile, so a running LibreOffice is not touched."""
    assert SOFFICE is not None
    out = tmp_path / "pdf"
    result = subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            *map(str, files),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    pdfs = {f.stem: out / f"{f.stem}.pdf" for f in files}
    assert result.returncode == 0, result.stderr
    for name, pdf in pdfs.items():
        assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF"), (name, result.stderr)
    return pdfs


def _text(pdf: Path) -> str:
    assert PDFTOTEXT is not None
    return subprocess.run(
        [PDFTOTEXT, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_workbooks_convert_to_pdf_in_libreoffice(tmp_path: Path) -> None:
    with Store.open(tmp_path / "demo.db") as store:
        make_demo(store, cases=60, audits=60, seed=2)
        export_report(store, tmp_path / "report.xlsx")
        export_report(store, tmp_path / "empty.xlsx", audit_filter=AuditFilter(team="Nowhere"))
        uid = store.scalar("SELECT uid FROM audits WHERE status != 'draft' ORDER BY id LIMIT 1")
        export_audit_feedback(store, uid, tmp_path / "feedback.xlsx")
    pdfs = _to_pdf(
        [tmp_path / "report.xlsx", tmp_path / "empty.xlsx", tmp_path / "feedback.xlsx"], tmp_path
    )
    if PDFTOTEXT is None:
        pytest.skip("poppler's pdftotext is not installed: the PDFs were made, not read")
    report = _text(pdfs["report"])
    for sheet in ("Summary", "Criteria", "Trend", "By team", "Case matrix", "Evidence", "About"):
        assert sheet in report  # each sheet's name is in its page footer
    assert "Audits by final grade" in report and "Criteria furthest below target" in report
    assert "No audits match these filters." in _text(pdfs["empty"])
    assert "Each criterion" in _text(pdfs["feedback"])


def _pages(pdf: Path) -> int:
    assert PDFTOTEXT is not None
    return _text(pdf).count("\f")  # pdftotext ends every page with a form feed


def test_the_demo_report_prints_in_under_30_pages(tmp_path: Path) -> None:
    """150 audits made 116 pages: 87 of them the Evidence sheet, 9 the case matrix."""
    if PDFTOTEXT is None:
        pytest.skip("poppler's pdftotext is not installed: the pages cannot be counted")
    with Store.open(tmp_path / "demo.db") as store:
        make_demo(store, cases=300, audits=150, seed=1)
        export_report(store, tmp_path / "report.xlsx")
    pdf = _to_pdf([tmp_path / "report.xlsx"], tmp_path)["report"]
    pages = _pages(pdf)
    assert pages < 30
    text = _text(pdf)
    assert text.count("All programmes") >= pages  # the header of every page
    footers = re.findall(rf"Made {uk_date(date.today())} +Page (\d+) of (\d+)", text)
    assert footers == [(str(n), str(pages)) for n in range(1, pages + 1)]  # on every page
    assert "One row per answer, to filter on screen" in text  # the Evidence sheet's page
