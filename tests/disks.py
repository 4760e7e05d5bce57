"""Real disks for fault tests: a small tmpfs that can be filled, or remounted read-only.

Mounting needs root (CI runs as root); elsewhere the tests that need it are skipped, saying
why. Every mount is undone when the test ends, whatever happens in it. Mount points are made
outside pytest's numbered temporary folders, which a concurrent pytest run may delete or
rename (and so strand the mount) while this one still runs.
"""

from __future__ import annotations

import contextlib
import errno
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest


def can_mount() -> bool:
    return sys.platform == "linux" and os.geteuid() == 0


@contextlib.contextmanager
def small_disk(name: str, *, size: str = "4m") -> Iterator[Path]:
    """A tmpfs of ``size`` of its own, unmounted (and so emptied) afterwards."""
    if not can_mount():
        pytest.skip("mounting a small disk needs root on Linux")
    folder = Path(tempfile.mkdtemp(prefix=f"case-auditor-{name}-"))
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        folder.rmdir()
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)
        folder.rmdir()


def fill(disk: Path, *, leave: int = 0) -> Path:
    """Fill ``disk`` until not one more byte fits, then free ``leave`` bytes again. Remove
    the returned file to free the space."""
    filler = disk / "filler.bin"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    try:
        for chunk in (b"\0" * 1024 * 1024, b"\0" * 4096, b"\0"):
            try:
                while True:
                    os.write(fd, chunk)
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise
        if leave:
            os.ftruncate(fd, os.fstat(fd).st_size - leave)
    finally:
        os.close(fd)
    return filler


def make_read_only(disk: Path) -> None:
    """Remount ``disk`` read-only (root ignores permission bits, not a read-only mount)."""
    subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
