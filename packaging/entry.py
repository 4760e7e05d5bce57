"""The frozen app's entry point: the same ``case-auditor`` command as ``ui.launcher:main``.

PyInstaller needs a script file; pointing it at ui/launcher.py would also put ui/ itself on
the module path. This file keeps the frozen app's start exactly that of the installed one.
"""

import multiprocessing
import sys

if __name__ == "__main__":
    # The app writes big reports in a child process (ui/process_work.py). Frozen, that
    # child is this executable again: freeze_support() runs the child's work and exits
    # before any of the app starts.
    multiprocessing.freeze_support()

    from ui.launcher import main

    sys.exit(main())
