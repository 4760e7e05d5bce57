"""The frozen app's entry point: the same ``case-auditor`` command as ``ui.launcher:main``.

PyInstaller needs a script file; pointing it at ui/launcher.py would also put ui/ itself on
the module path. This file keeps the frozen app's start exactly that of the installed one.
"""

import sys

from ui.launcher import main

if __name__ == "__main__":
    sys.exit(main())
