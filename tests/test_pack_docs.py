"""Every pack command is in the README's command table; the format doc names every field."""

from __future__ import annotations

import argparse
from pathlib import Path

from auditor.cli import build_parser
from auditor.packs.pack import _MANIFEST, _TOP

ROOT = Path(__file__).resolve().parent.parent


def _commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    [action] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(action.choices)


def test_every_pack_command_is_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    pack = _commands(build_parser())["pack"]
    for name in _commands(pack):
        assert f"`case-auditor pack {name}" in readme, name
    assert "`case-auditor double-audits" in readme


def test_the_format_document_names_every_manifest_and_payload_field() -> None:
    doc = (ROOT / "docs" / "audit-pack-format.md").read_text()
    for name in (*_MANIFEST, *_TOP):
        assert f"`{name}`" in doc, name
