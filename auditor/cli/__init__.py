"""The ``case-auditor`` command line: the same core functions the desktop app calls.

Each command group lives in its own module with a ``register(subparsers)`` function that
adds its sub-commands and sets ``handler`` on them. User errors print one line to stderr
and exit non-zero; a bug is logged with its traceback and points to the log.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any

# Command modules import only the standard library and auditor.cli.common/arguments at
# module level (the core inside their handlers), so building the parser is quick.
from auditor.cli import (
    case_commands,
    core_commands,
    hub_commands,
    pack_commands,
    performance_commands,
    report_commands,
)
from auditor.cli.common import add_db_option

# Modules that add sub-commands, in the order they appear in --help.
COMMAND_MODULES: tuple[
    Callable[[argparse._SubParsersAction[argparse.ArgumentParser]], None], ...
] = (
    core_commands.register,
    case_commands.register,
    report_commands.register,
    performance_commands.register,
    pack_commands.register,
    hub_commands.register,
)

EXIT_USER_ERROR = 2
EXIT_BUG = 70


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="case-auditor",
        description="Audit children's social-care case files against Improvement Notice "
        "criteria. With no command, starts the desktop app.",
    )
    parser.add_argument(
        "--version", action=_ShowVersion, nargs=0, help="show program's version number and exit"
    )
    add_db_option(parser)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for register in COMMAND_MODULES:
        register(subparsers)
    return parser


class _ShowVersion(argparse.Action):
    """``--version``: print the version and stop, before any command's module is imported."""

    def __call__(self, parser: argparse.ArgumentParser, *_: Any) -> None:
        from auditor import __version__

        print(f"case-auditor {__version__}")
        parser.exit()


def run(args: argparse.Namespace) -> int:
    """Run a parsed command; returns the exit status."""
    import logging

    from auditor.errors import AuditorError, ValidationError
    from auditor.logs import configure_logging, log_file

    log = logging.getLogger(__name__)

    configure_logging()
    try:
        return int(args.handler(args) or 0)
    except ValidationError as exc:
        print(f"case-auditor: {exc}", file=sys.stderr)
        for problem in exc.problems:
            print(f"  - {problem}", file=sys.stderr)
        return EXIT_USER_ERROR
    except AuditorError as exc:
        print(f"case-auditor: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("case-auditor: interrupted; nothing half-done was kept", file=sys.stderr)
        return 130
    except Exception:
        log.exception("unexpected error running %s", args.command)
        print(
            f"case-auditor: an unexpected error happened; details are in {log_file()}",
            file=sys.stderr,
        )
        return EXIT_BUG


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USER_ERROR
    return run(args)
