"""docs/reports.md says what the About sheet says, and the README lists the commands."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from auditor.reports.sheets.about import EXPLANATIONS

ROOT = Path(__file__).resolve().parent.parent


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.mark.parametrize(("topic", "text"), EXPLANATIONS, ids=[t for t, _ in EXPLANATIONS])
def test_each_explanation_is_in_the_docs(topic: str, text: str) -> None:
    docs = _words((ROOT / "docs" / "reports.md").read_text(encoding="utf-8"))
    assert f"**{topic}.** {text}" in docs


def test_readme_lists_the_report_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in ("case-auditor report", "case-auditor feedback"):
        assert f"| `{command}" in readme
