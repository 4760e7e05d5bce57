"""Every command and every option is documented in the README (as sqlite-utils does)."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor.cli import build_parser

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def commands(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        yield " ".join(path), parser
    for action in subs:
        for name, child in action.choices.items():
            yield from commands(child, (*path, name))


LEAVES = dict(commands(build_parser()))


def readme_row(command: str) -> str:
    rows = [line for line in README.splitlines() if line.startswith(f"| `case-auditor {command}")]
    return rows[0] if rows else ""


@pytest.mark.parametrize("command", sorted(LEAVES))
def test_every_command_and_option_is_in_the_readme(command: str) -> None:
    row = readme_row(command)
    assert row, f"case-auditor {command} is not in the README's command tables"
    options = {
        option
        for action in LEAVES[command]._actions
        for option in action.option_strings
        if option.startswith("--") and option not in ("--help", "--db")
    }
    missing = sorted(o for o in options if o not in row)
    assert not missing, f"case-auditor {command}: options not in the README: {missing}"
