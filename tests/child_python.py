"""Python code run in a fresh interpreter, for what one process alone shows: which modules
a piece of work imports (start-up costs are paid once per process)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_python(code: str, *args: str) -> str:
    """Run ``code`` with ``args`` in a new interpreter at the project's root (Qt offscreen);
    returns what it printed. A failure fails the test with the child's error."""
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True, text=True, check=False, cwd=ROOT,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()
