"""The ``case-auditor`` entry point: a command runs in the core; no command starts the app.

Qt is imported only when the desktop app starts, so commands stay quick and work on a
machine without a display.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from auditor.cli import build_parser, run
from auditor.cli.common import db_path


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command is not None:
        return run(args)
    from ui.app import run_app

    return run_app(db_path(args))


if __name__ == "__main__":
    sys.exit(main())
