"""Helpers every command module shares: the --db option, opening the store, printing JSON."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

# Every command module imports this one to build the parser, so it imports only the
# standard library at module level: ``--version`` and ``--help`` stay quick.
if TYPE_CHECKING:
    from auditor.store import Store


def add_db_option(parser: argparse.ArgumentParser, *, default: Any = None) -> None:
    """``--db PATH``: the one declaration of the option, before or after a sub-command."""
    parser.add_argument(
        "--db",
        metavar="PATH",
        default=default,
        help="database file (default: CASE_AUDITOR_DB or the user data folder)",
    )


def top_parser() -> argparse.ArgumentParser:
    """``case-auditor`` with its own options and no command yet: :func:`auditor.cli.build_parser`
    adds every command's."""
    parser = argparse.ArgumentParser(
        prog="case-auditor",
        description="Audit children's social-care case files against Improvement Notice "
        "criteria. With no command, starts the desktop app.",
    )
    parser.add_argument(
        "--version", action=_ShowVersion, nargs=0, help="show program's version number and exit"
    )
    add_db_option(parser)
    return parser


class _ShowVersion(argparse.Action):
    """``--version``: print the version and stop, before any command's module is imported."""

    def __call__(self, parser: argparse.ArgumentParser, *_: Any) -> None:
        from auditor import __version__

        print(f"case-auditor {__version__}")
        parser.exit()


def app_arguments(argv: Sequence[str] | None = None) -> argparse.Namespace | None:
    """The arguments when they start the desktop app (no command; ``--db`` at most), read
    by :func:`top_parser` alone: importing every command's module and building its parser
    took 30 ms of the app's start. ``--version`` is answered here too. None when they may
    name a command or ask for help: :func:`auditor.cli.build_parser` reads them."""
    given = sys.argv[1:] if argv is None else list(argv)
    if any(arg in ("-h", "--help") for arg in given):
        return None
    args, rest = top_parser().parse_known_args(given)
    if rest:
        return None
    args.command = None
    return args


def db_option_parent() -> argparse.ArgumentParser:
    """A parent parser adding ``--db`` after a sub-command; SUPPRESS keeps the value given
    before the sub-command (``case-auditor --db X init``) when it is not repeated."""
    parent = argparse.ArgumentParser(add_help=False)
    add_db_option(parent, default=argparse.SUPPRESS)
    return parent


def db_path(args: argparse.Namespace) -> Path:
    """The database a command (or the app) works on: ``--db``, else the default one."""
    if getattr(args, "db", None):
        return Path(args.db)
    from auditor.paths import default_db_path

    return default_db_path()


def open_store(args: argparse.Namespace, *, create: bool = True, readonly: bool = False) -> Store:
    """Open the chosen database with the built-in frameworks registered.

    ``readonly`` is for commands that only read (listings, ``verify``, reports): an existing
    database is opened read-only, so the command works on a read-only file and never
    deletes the write-ahead log under the app (docs/data-model.md). A database that does not
    exist yet is made as before, with its frameworks.
    """
    from auditor.frameworks.library import register_builtin_frameworks
    from auditor.store import Store

    path = db_path(args)
    if readonly and path.exists():
        return Store.open(path, readonly=True)
    store = Store.open(path, create=create)
    register_builtin_frameworks(store)
    return store


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")
