"""Words for people: counts with the right plural ("1 audit", "2 audits") and messages
that start as sentences. The core's error messages start in lower case so that they read
inside a longer line ("case-auditor: no audit with id …"); a face that shows one alone
makes it a sentence with :func:`sentence`."""

from __future__ import annotations

# Nouns whose plural is not the noun and an "s".
_IRREGULAR = {"criterion": "criteria", "child": "children", "person": "people"}


def plural(count: int, word: str, many: str | None = None) -> str:
    """``count`` and ``word`` in the right number: "1 audit", "0 audits", "2,500 cases";
    ``many`` is the plural when it is not regular ("1 criterion", "35 criteria")."""
    if count == 1:
        return f"1 {word}"
    return f"{count:,} {many or _IRREGULAR.get(word) or word + 's'}"


def sentence(text: str) -> str:
    """``text`` with a capital first letter ("no audit with id …" → "No audit with id …");
    the rest is left as it is, so codes and names keep their case."""
    first = text[:1].upper()
    return (first if len(first) == 1 else text[:1]) + text[1:]  # "ß" has no one-letter capital
