"""Argument helpers for the case, programme and sample commands."""

from __future__ import annotations

import argparse
import getpass
import importlib
from collections.abc import Iterator
from datetime import date


def default_actor() -> str:
    """Who is acting, for the audit trail: the login name unless ``--actor`` says otherwise."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "command line"


def uk_date_argument(text: str) -> date:
    """An argparse type: a date as a UK user types it (31/01/2026, 31-Jan-2026) or ISO."""
    from auditor.importing.values import parse_uk_date

    try:
        value = parse_uk_date(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if value is None:
        raise argparse.ArgumentTypeError("a date is needed")
    return value


def names(text: str) -> list[str]:
    """A comma-separated list ("Ash, Birch") as names, blanks dropped."""
    return [part.strip() for part in text.split(",") if part.strip()]


class LazyChoices:
    """An argparse ``choices`` list read from a core module only when it is needed.

    Set it on the action after ``add_argument`` (which formats the choices once to check
    them): argparse then reads them only to check a value or to write that command's help,
    so ``--version`` and ``--help`` do not import the core module.
    """

    def __init__(self, module: str, name: str) -> None:
        self._module = module
        self._name = name

    def _choices(self) -> tuple[str, ...]:
        return tuple(getattr(importlib.import_module(self._module), self._name))

    def __contains__(self, value: object) -> bool:
        return value in self._choices()

    def __iter__(self) -> Iterator[str]:
        return iter(self._choices())
