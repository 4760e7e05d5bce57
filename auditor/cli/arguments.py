"""Argument helpers for the case, programme and sample commands."""

from __future__ import annotations

import argparse
import getpass
from datetime import date

from auditor.importing.values import parse_uk_date


def default_actor() -> str:
    """Who is acting, for the audit trail: the login name unless ``--actor`` says otherwise."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "command line"


def uk_date_argument(text: str) -> date:
    """An argparse type: a date as a UK user types it (31/01/2026, 31-Jan-2026) or ISO."""
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
