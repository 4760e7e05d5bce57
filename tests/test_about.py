"""Help → About's facts come from the core: version, database, schema, log and data folders."""

from __future__ import annotations

from pathlib import Path

from auditor import __version__
from auditor.about import about_facts, about_text
from auditor.paths import data_dir, log_dir
from auditor.store import Store
from auditor.store.schema import LATEST_VERSION


def test_about_names_version_database_schema_and_folders(store: Store, db_path: Path) -> None:
    facts = dict(about_facts(store))
    assert facts["Version"] == __version__ != "0+unknown"
    assert facts["Database"] == str(db_path)
    assert facts["Schema version"].startswith(f"{LATEST_VERSION} ")
    assert facts["Database identity"] == store.origin
    assert facts["Log folder"] == str(log_dir())
    assert facts["Data folder"] == str(data_dir())


def test_about_text_is_a_title_then_one_line_per_fact(store: Store, db_path: Path) -> None:
    text = about_text(store)
    lines = text.splitlines()
    assert lines[0] == f"Case Auditor {__version__}"
    assert f"Database: {db_path}" in lines
    assert f"Schema version: {LATEST_VERSION} (this version knows up to {LATEST_VERSION})" in lines
    assert len(lines) == 2 + len(about_facts(store))
