"""``case-auditor --version`` and ``--help`` answer at once: building the parser imports no
heavy library (the command modules import the core inside their handlers)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Libraries that take tens of milliseconds to import and no parser needs.
HEAVY = ("openpyxl", "PySide6", "sqlite_utils", "reportlab")

# Runs the real entry point, then reports which of HEAVY got imported (argparse exits
# after --version and --help, so the report is written by an exit hook).
PROBE = f"""
import atexit, json, sys
atexit.register(lambda: print(json.dumps(
    [m for m in {HEAVY!r} if m in sys.modules]), file=sys.stderr))
from ui.launcher import main
sys.exit(main(sys.argv[1:]))
"""


def imported_heavy_libraries(*args: str) -> tuple[str, list[str]]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr
    return done.stdout, json.loads(done.stderr.strip().splitlines()[-1])


@pytest.mark.parametrize("option", ["--version", "--help"])
def test_version_and_help_import_no_heavy_library(option: str) -> None:
    output, heavy = imported_heavy_libraries(option)
    assert output.startswith("case-auditor ") if option == "--version" else "COMMAND" in output
    assert heavy == []


def test_a_commands_help_lists_the_choices_read_from_the_core() -> None:
    output, heavy = imported_heavy_libraries("sample", "--help")
    assert "{random,percent,stratified,closed,hand}" in output
    assert heavy == []


def test_version_imports_no_command_module() -> None:
    """--version (and the app's start) read their arguments with the top-level parser alone."""
    probe = PROBE.replace(
        f"[m for m in {HEAVY!r} if m in sys.modules]",
        "[m for m in sys.modules if m.startswith('auditor.cli.') and m != 'auditor.cli.common']",
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, "--version"], cwd=ROOT, capture_output=True, text=True,
        timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("case-auditor ")
    assert json.loads(done.stderr.strip().splitlines()[-1]) == []


@pytest.mark.parametrize(
    ("argv", "db"),
    [([], None), (["--db", "x.db"], "x.db"), (["--db=y.db"], "y.db")],
)
def test_the_apps_start_is_read_without_the_commands(argv: list[str], db: str | None) -> None:
    from auditor.cli.common import app_arguments

    args = app_arguments(argv)
    assert args is not None and args.command is None and args.db == db


@pytest.mark.parametrize(
    "argv", [["init"], ["--db", "x.db", "verify"], ["--help"], ["-h"], ["--db", "x.db", "--frob"]]
)
def test_a_command_help_or_unknown_option_goes_to_the_whole_parser(argv: list[str]) -> None:
    from auditor.cli.common import app_arguments

    assert app_arguments(argv) is None
