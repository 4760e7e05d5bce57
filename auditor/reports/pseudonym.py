"""Stable pseudonyms for case references in exported workbooks.

A pseudonym is an HMAC-SHA256 of the reference under a secret key kept in this database's
``meta`` table (made on first use): the same case gets the same pseudonym in every export
from this database, so workbooks can be compared month to month, but nobody holding only
the workbook can turn a pseudonym back into a reference or test a guessed one.
"""

from __future__ import annotations

import hashlib
import hmac

from auditor.errors import StoreError
from auditor.store import Store
from auditor.store.db import PSEUDONYM_KEY

PREFIX = "CASE-"
DIGITS = 12  # hex digits: 48 bits, so 100,000 cases collide with odds of about 1 in 50,000


def pseudonym_key(store: Store) -> bytes:
    """This database's secret key, made with its identity when it was first opened for
    writing (:meth:`Store._ensure_origin`), so a read-only report process can use it."""
    value = store.meta(PSEUDONYM_KEY)
    if value is None:
        raise StoreError(
            f"{store.path} has no key for pseudonyms yet: open it once in Case Auditor "
            "(or run 'case-auditor init' on it), then export again."
        )
    return bytes.fromhex(value)


class Pseudonyms:
    """Maps case references to pseudonyms such as ``CASE-7F3A9C21B04E``."""

    def __init__(self, key: bytes) -> None:
        self._key = key
        self._known: dict[str, str] = {}

    @classmethod
    def for_store(cls, store: Store) -> Pseudonyms:
        return cls(pseudonym_key(store))

    def __call__(self, reference: str) -> str:
        known = self._known.get(reference)
        if known is None:
            digest = hmac.new(self._key, reference.encode("utf-8"), hashlib.sha256).hexdigest()
            known = self._known[reference] = PREFIX + digest[:DIGITS].upper()
        return known

    def scrub(self, text: str, reference: str) -> str:
        """``text`` with the case's own reference replaced by its pseudonym."""
        if not reference or reference not in text:
            return text
        return text.replace(reference, self(reference))
