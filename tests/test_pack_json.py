"""A pack's JSON is read a record at a time (auditor/packs/json_steps.py), so that a large
pack does not hold the GIL, and with it the GUI thread, in one long C call. It must read
every text exactly as ``json.loads(data, parse_constant=...)`` does: the same value (same
types, same key order), and for a malformed text the same error, message and position.
Hypothesis draws JSON values, texts broken in every way, and bytes in each encoding
``json.loads`` detects; each is read both ways and compared."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.packs.json_steps import loads
from auditor.packs.records import NotANumber, load_json


def constant(text: str) -> str:
    return f"<constant {text}>"


def outcome(read: Any, data: Any) -> tuple[Any, ...]:
    """What reading ``data`` gives: the value (by its repr, so types, key order and -0.0
    count), or the error's type, message and position."""
    try:
        return ("value", repr(read(data)))
    except RecursionError:
        return ("RecursionError",)
    except (ValueError, TypeError) as exc:  # JSONDecodeError and UnicodeDecodeError too
        return (type(exc), str(exc), getattr(exc, "pos", None))


def same_as_json_loads(data: Any) -> None:
    expected = outcome(lambda d: json.loads(d, parse_constant=constant), data)
    assert outcome(lambda d: loads(d, parse_constant=constant), data) == expected


scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()  # NaN and ±Infinity too: json.dumps writes them, parse_constant reads them
    | st.text()
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=5), inner, max_size=5)
    ),
    max_leaves=30,
)
# Tables of records, as a pack's payload is: the outer levels read in Python.
payloads = st.dictionaries(st.text(max_size=8), st.lists(values, max_size=6), max_size=4)
layouts = st.sampled_from(
    [
        {},
        {"indent": 1},
        {"indent": "\t"},
        {"separators": (",", ":")},
        {"separators": (" ,\r\n", " :\t")},
        {"ensure_ascii": False},
    ]
)
# Characters that matter to a JSON reader, to break texts with.
json_characters = st.sampled_from(list('{}[]",:.-+0123456789eEtrufalsnNIiy\\/ \t\n\r\x00é\ud800'))


@given(value=values | payloads, layout=layouts, padding=st.sampled_from(["", " ", "\n\t \r"]))
def test_every_json_value_reads_as_json_loads_reads_it(
    value: Any, layout: dict[str, Any], padding: str
) -> None:
    text = padding + json.dumps(value, **layout) + padding
    same_as_json_loads(text)


@settings(max_examples=400)
@given(
    value=values | payloads,
    layout=layouts,
    edits=st.lists(
        st.tuples(
            st.sampled_from(["insert", "delete", "replace"]), st.floats(0, 1), json_characters
        ),
        min_size=1,
        max_size=3,
    ),
)
def test_a_broken_text_gives_the_error_json_loads_gives(
    value: Any, layout: dict[str, Any], edits: list[tuple[str, float, str]]
) -> None:
    text = json.dumps(value, **layout)
    for kind, where, character in edits:
        at = int(where * len(text))
        if kind == "insert":
            text = text[:at] + character + text[at:]
        elif kind == "delete":
            text = text[:at] + text[at + 1 :]
        else:
            text = text[:at] + character + text[at + 1 :]
    same_as_json_loads(text)


@settings(max_examples=300)
@given(text=st.text(json_characters, max_size=30))
def test_any_short_text_of_json_characters_reads_as_json_loads_reads_it(text: str) -> None:
    same_as_json_loads(text)


@given(
    value=values | payloads,
    encoding=st.sampled_from(
        [
            "utf-8",
            "utf-8-sig",
            "utf-16",
            "utf-16-le",
            "utf-16-be",
            "utf-32",
            "utf-32-le",
            "utf-32-be",
        ]
    ),
    cut=st.none() | st.integers(0, 400),
)
def test_bytes_in_each_encoding_json_loads_detects(
    value: Any, encoding: str, cut: int | None
) -> None:
    data = json.dumps(value, ensure_ascii=False).encode(encoding, "surrogatepass")
    same_as_json_loads(data if cut is None else data[:cut])  # cut: undecodable or broken
    same_as_json_loads(bytearray(data))


@given(data=st.binary(max_size=40))
def test_any_bytes_read_as_json_loads_reads_them(data: bytes) -> None:
    same_as_json_loads(data)


def test_a_string_with_a_byte_order_mark_and_what_is_not_text() -> None:
    same_as_json_loads('\ufeff{"a": 1}')
    same_as_json_loads(b'\xef\xbb\xbf{"a": 1}')
    same_as_json_loads(12)
    same_as_json_loads(None)


def test_nesting_deeper_than_python_can_follow_is_a_recursion_error() -> None:
    for opening in ("[", '{"a":', '{"a": [', '[{"b":'):
        deep = opening * 100_000
        assert outcome(lambda d: loads(d, parse_constant=constant), deep) == ("RecursionError",)
        same_as_json_loads(deep)
        same_as_json_loads(opening * 50 + "1")  # unclosed: the error json.loads names
    same_as_json_loads(json.dumps([[{"a": [[{"b": [1]}]]}]] * 3))  # deep enough, read


def test_a_pack_keeps_nan_and_infinity_as_not_a_number_where_they_stand() -> None:
    payload = load_json(b'{"audits": [{"score": NaN, "n": [Infinity, -Infinity, 1.5]}]}')
    record = payload["audits"][0]
    assert isinstance(record["score"], NotANumber) and record["score"].text == "NaN"
    assert [getattr(v, "text", v) for v in record["n"]] == ["Infinity", "-Infinity", 1.5]
