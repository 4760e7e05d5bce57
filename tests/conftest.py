"""Shared fixtures. Qt runs offscreen; data and log folders point into a temp dir."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

# Must be set before Qt is imported anywhere, or pytest-qt aborts without a display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

from auditor.cases.records import Case, add_case
from auditor.frameworks.library import register_framework
from auditor.frameworks.model import Framework, load_framework_file
from auditor.store import Store

# The hub's PostgreSQL fixtures (a real server, started only when a test asks for it).
pytest_plugins = ["tests.conftest_hub"]

FIXTURES = Path(__file__).parent / "fixtures"
ACTOR = "Test Auditor"


@pytest.fixture(autouse=True)
def _isolated_data_dir(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No test ever touches the real per-user data folder or database."""
    data = tmp_path_factory.mktemp("data")
    monkeypatch.setenv("CASE_AUDITOR_DATA_DIR", str(data))
    monkeypatch.setenv("CASE_AUDITOR_DB", str(data / "default.db"))


@pytest.fixture
def mini() -> Framework:
    return load_framework_file(FIXTURES / "mini.toml")


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "test.db"


@pytest.fixture
def store(db_path: Path, mini: Framework) -> Iterator[Store]:
    with Store.open(db_path) as s:
        register_framework(s, mini)
        yield s


@pytest.fixture
def case(store: Store) -> Case:
    return add_case(
        store,
        actor=ACTOR,
        reference="TEST-0001",
        case_type="child_in_need",
        team="Test Team A",
        worker="Test Worker 1",
        assessment_start="2026-01-05",
        assessment_end="2026-02-20",
    )
