"""The ``case-auditor`` entry point: a command runs in the core; no command starts the app.

Qt is imported only when the desktop app starts, so commands stay quick and work on a
machine without a display.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Sequence

from auditor.cli.common import app_arguments, db_path

# The frozen app ships without numpy (packaging/case-auditor.spec); sqlite-utils imports it
# whenever it is installed, only to store numpy values, which the app never has. Leaving it
# out starts a run from source like the frozen app: 60 ms sooner where numpy is installed.
sys.modules.setdefault("numpy", None)  # type: ignore[arg-type]


def main(argv: Sequence[str] | None = None) -> int:
    args = app_arguments(argv)
    if args is None:  # a command, or help: every command's parser
        from auditor.cli import build_parser, run

        args = build_parser().parse_args(argv)
        if args.command is not None:
            return run(args)
    # The app's imports make tens of thousands of objects that live as long as it does:
    # collecting garbage among them finds none (ui.app.run_app starts the collector again).
    gc.disable()
    from ui.app import run_app

    return run_app(db_path(args))


if __name__ == "__main__":
    sys.exit(main())
