"""JSON read a record at a time, so that reading a large pack never freezes the app.

``json.loads`` reads a whole text in one C call, which holds the GIL from start to end: a
500-audit pack's payload (24 MB) held it ~130 ms, and the GUI thread, which needs the GIL to
paint or take a click, froze for all of it even though the read ran on a worker thread.

:func:`loads` reads the outer levels of a text (a pack's object of tables, and each table's
list of records) with the standard library's own pure-Python readers
(``json.decoder.JSONObject`` and ``JSONArray``), and every value inside them with its C
scanner. The GIL can change hands between two records, so no single call holds it for
longer than one record takes. It works for any JSON, and gives exactly what
``json.loads(data, parse_constant=...)`` gives: the same value, and for a malformed text the
same error at the same position (``tests/test_pack_json.py`` checks it with hypothesis).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from json.decoder import WHITESPACE, JSONArray, JSONDecodeError, JSONObject  # type: ignore[attr-defined]
from typing import Any

# The top level and the containers directly in it are read in Python; below that, the C
# scanner reads a whole value (a pack's record) in one call.
OUTER_LEVELS = 2

Scan = Callable[[str, int], tuple[Any, int]]


def loads(data: str | bytes | bytearray, *, parse_constant: Callable[[str], Any]) -> Any:
    """``json.loads(data, parse_constant=parse_constant)``, a record at a time."""
    text = _text(data)
    decoder = json.JSONDecoder(parse_constant=parse_constant)
    scan = _scanner(decoder, OUTER_LEVELS)
    # As JSONDecoder.decode and raw_decode do, with the outer levels read in Python.
    start = WHITESPACE.match(text, 0).end()
    try:
        value, end = scan(text, start)
    except StopIteration as stop:
        raise JSONDecodeError("Expecting value", text, stop.value) from None
    end = WHITESPACE.match(text, end).end()
    if end != len(text):
        raise JSONDecodeError("Extra data", text, end)
    return value


def _text(data: str | bytes | bytearray) -> str:
    """The text ``json.loads`` reads: bytes decoded as UTF-8, -16 or -32, as it detects
    them; a string refused if it starts with a byte-order mark."""
    if isinstance(data, str):
        if data.startswith("\ufeff"):
            raise JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", data, 0)
        return data
    if not isinstance(data, (bytes, bytearray)):
        raise TypeError(
            f"the JSON object must be str, bytes or bytearray, not {data.__class__.__name__}"
        )
    return data.decode(json.detect_encoding(data), "surrogatepass")


def _scanner(decoder: json.JSONDecoder, levels: int) -> Scan:
    """Reads one value at ``idx``: an object or array in Python (its members with the
    scanner one level down) while ``levels`` remain, anything else with the C scanner.
    Like the C scanner, it raises ``StopIteration(idx)`` where no value starts."""
    whole_value: Scan = decoder.scan_once  # type: ignore[attr-defined]
    if levels == 0:
        return whole_value
    member = _scanner(decoder, levels - 1)

    def scan(text: str, idx: int) -> tuple[Any, int]:
        first = text[idx : idx + 1]
        if first == "{":
            pair: tuple[Any, int] = JSONObject(
                (text, idx + 1), decoder.strict, member, None, None, {}
            )
            return pair
        if first == "[":
            items: tuple[Any, int] = JSONArray((text, idx + 1), member)
            return items
        return whole_value(text, idx)

    return scan
