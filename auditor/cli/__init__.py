"""The ``case-auditor`` command line: the same core functions the desktop app calls.

Each command group lives in its own module with a ``register(subparsers)`` function that
adds its sub-commands and sets ``handler`` on them. User errors print one line to stderr
and exit non-zero; a bug is logged with its traceback and points to the log.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from auditor.cli.common import top_parser

EXIT_USER_ERROR = 2
EXIT_BUG = 70


def build_parser() -> argparse.ArgumentParser:
    parser = top_parser()
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    # Each command module imports only the standard library and auditor.cli.common and
    # arguments at module level (the core inside its handlers), so this is quick. They are
    # imported here, not with this package, so that the app's start and --version, which
    # read auditor.cli.common alone, import none of them. In the order of --help:
    from auditor.cli import (
        case_commands,
        core_commands,
        hub_commands,
        pack_commands,
        performance_commands,
        report_commands,
    )

    for module in (core_commands, case_commands, report_commands, performance_commands,
                   pack_commands, hub_commands):  # fmt: skip
        module.register(subparsers)
    return parser


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
