"""A framework as the text of a framework file (TOML, docs/frameworks.md): what the
workbook's import and the editor's drafts write for the parser to read, and the example
framework a new draft and the blank workbook template start from.

Apart from the workbook (:mod:`auditor.frameworks.workbook`) because it needs nothing
from openpyxl: the Frameworks view and its drafts open without importing it (0.3 s here,
numpy with it, on the GUI thread the first time the view was shown).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any


def framework_toml(raw: Mapping[str, Any]) -> str:
    """The framework-file text for ``raw`` (the structure the TOML format has)."""
    lines = [
        "# Imported from a framework workbook. The format is described in docs/frameworks.md.",
        "",
    ]
    for key in ("code", "title", "version", "description"):
        if key in raw:
            lines.append(f"{key} = {_toml(raw[key])}")
    lines += ["", "[grading]"]
    lines += [f"{key} = {_toml(value)}" for key, value in raw.get("grading", {}).items()]
    for code, scale in raw.get("scales", {}).items():
        lines += ["", f"[scales.{_key(code)}]", f"label = {_toml(scale['label'])}", "values = ["]
        lines += [f"    {_toml(value)}," for value in scale["values"]]
        lines.append("]")
    for section in raw.get("sections", []):
        lines += [
            "",
            "[[sections]]",
            f"code = {_toml(section['code'])}",
            f"title = {_toml(section['title'])}",
        ]
        for criterion in section["criteria"]:
            lines += ["", "[[sections.criteria]]"]
            lines += [f"{_key(k)} = {_toml(v)}" for k, v in criterion.items()]
    for timescale in raw.get("timescales", []):
        lines += ["", "[[timescales]]"]
        lines += [f"{_key(k)} = {_toml(v)}" for k, v in timescale.items()]
    return "\n".join(lines) + "\n"


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        # A JSON string is a TOML basic string, but for DEL, which TOML wants escaped.
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{_key(k)} = {_toml(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    raise TypeError(f"no TOML for {value!r}")


def _key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else _toml(key)


EXAMPLE_TOML = """
code = "MY-AUDIT"
title = "Our case file audit"
version = "1.0.0"
description = "What this audit is for, and the documents its questions come from."

[grading]
outstanding_min = 90
good_min = 75
requires_improvement_min = 50
limiting_cap = "requires_improvement"

[scales.yes_partly_no]
label = "Yes / Partly / No / Not applicable"
values = [
    { code = "yes", label = "Yes", key = "1", score = 1.0 },
    { code = "partly", label = "Partly", key = "2", score = 0.5 },
    { code = "no", label = "No", key = "3", score = 0.0 },
    { code = "na", label = "Not applicable", key = "4" },
]

[[sections]]
code = "VOICE"
title = "Child's voice"

[[sections.criteria]]
code = "VOICE-01"
text = "Has the child been seen, and seen alone where appropriate?"
guidance = "Look for visit records that describe the child, not only the parent."
scale = "yes_partly_no"
applies_to = ["all"]
target = 90
limiting = true
sources = ["Practice standards 2024, standard 3"]

[[timescales]]
code = "CP-VISIT-10"
label = "Child on a protection plan visited within the last 10 working days (local policy)"
start = "last_visit"
end = "audit_date"
limit = 10
unit = "working_days"
applies_to = ["child_protection"]
source = "Local policy (configurable)"
"""
