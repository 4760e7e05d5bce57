"""The report and the feedback workbooks written where they cannot be: one plain line naming
the file, exit 2 from the command line, and never a half-written file left behind.

The faults are real, not mocked: a tmpfs filled to the last byte (a full disk or USB stick),
a tmpfs remounted read-only, a folder where the file should go, a file made immutable
(``chattr +i``: the kernel refuses to replace it, as Windows refuses a file open in Excel),
and a full temporary folder (openpyxl streams the big sheets there before the save packs
them). Mounting needs root, and root ignores permission bits (hence a read-only mount rather
than ``chmod``): without root these tests are skipped.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from report_data import fill
from test_cli import cli

from auditor.reports import ExportError, export_audit_feedback, export_report_from
from auditor.reports.output import open_elsewhere_message
from auditor.store import Store
from tests import disks
from ui.process_work import run_in_process

pytestmark = pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0,
    reason="mounting a tmpfs (a real full or read-only disk) needs root",
)
OLD = b"the previous report, which a failed export must leave as it was"


@pytest.fixture
def audits(store: Store) -> dict[str, str]:
    """The report data's audits, by case reference."""
    return fill(store)


def command(name: str, db: Path, out: Path) -> list[str]:
    """``case-auditor report`` or ``case-auditor feedback`` (for case S-3's audit)."""
    args = ["report"] if name == "report" else ["feedback", "S-3"]
    return [*args, "--db", str(db), "--out", str(out)]


def assert_one_line(result: subprocess.CompletedProcess[str], message: str) -> None:
    assert (result.returncode, result.stderr) == (2, f"case-auditor: {message}\n")


COMMANDS = ["report", "feedback"]


@pytest.mark.parametrize("name", COMMANDS)
def test_a_full_disk_is_one_line_and_leaves_the_old_file(
    store: Store, audits: dict[str, str], tmp_path: Path, name: str
) -> None:
    with disks.small_disk("stick", size="64k") as stick:
        out = stick / "r.xlsx"
        out.write_bytes(OLD)
        disks.fill(stick)
        result = cli(*command(name, store.path, out))
        assert_one_line(
            result, f"Cannot write {out}: the disk is full. Free some space and try again."
        )
        assert out.read_bytes() == OLD
        assert sorted(p.name for p in stick.iterdir()) == ["filler.bin", "r.xlsx"]  # no temp file


@pytest.mark.parametrize("name", COMMANDS)
def test_a_read_only_folder_is_one_line_naming_it(
    store: Store, audits: dict[str, str], tmp_path: Path, name: str
) -> None:
    with disks.small_disk("share", size="64k") as share:
        out = share / "r.xlsx"
        out.write_bytes(OLD)
        disks.make_read_only(share)
        result = cli(*command(name, store.path, out))
        assert_one_line(
            result, f"Cannot write {out}: the folder {share} is read-only. Choose another folder."
        )
        assert out.read_bytes() == OLD


@pytest.mark.parametrize("name", COMMANDS)
def test_a_folder_in_the_way_is_one_line(
    store: Store, audits: dict[str, str], tmp_path: Path, name: str
) -> None:
    """(Already refused before issue 11: kept here with the other ways a save fails.)"""
    out = tmp_path / "r.xlsx"
    out.mkdir()
    result = cli(*command(name, store.path, out))
    assert_one_line(result, f"Cannot write {out}: it is a folder. Choose a file name.")
    assert not list(out.iterdir())


@pytest.mark.skipif(shutil.which("chattr") is None, reason="chattr is not installed")
@pytest.mark.parametrize("name", COMMANDS)
def test_a_file_that_cannot_be_replaced_is_one_line(
    store: Store, audits: dict[str, str], tmp_path: Path, name: str
) -> None:
    """The kernel refuses to replace an immutable file, as Windows refuses one open in Excel
    (on Linux an open file does not stop a replace: nothing to detect there). Refused
    before issue 11 too; kept with the other ways a save fails."""
    with disks.small_disk("share", size="64k") as share:
        out = share / "r.xlsx"
        out.write_bytes(OLD)
        subprocess.run(["chattr", "+i", str(out)], check=True)
        try:
            result = cli(*command(name, store.path, out))
        finally:
            subprocess.run(["chattr", "-i", str(out)], check=True)
        assert_one_line(result, open_elsewhere_message(out))
        assert out.read_bytes() == OLD
        assert sorted(p.name for p in share.iterdir()) == ["r.xlsx"]


@pytest.mark.parametrize("name", COMMANDS)
def test_a_full_temporary_folder_is_one_line_naming_it(
    store: Store, audits: dict[str, str], tmp_path: Path, name: str
) -> None:
    """openpyxl streams each sheet into the system's temporary folder first (TMPDIR): when
    that disk is full the message says so, rather than blaming the target's disk. (One page
    is left free: Python skips a temporary folder it cannot write a few bytes to.)"""
    with disks.small_disk("tmp", size="64k") as temp:
        disks.fill(temp, leave=4096)
        out = tmp_path / "r.xlsx"
        result = cli(*command(name, store.path, out), env={"TMPDIR": str(temp)})
        assert_one_line(
            result,
            f"Cannot write {out}: the disk holding the temporary folder {temp} is full. "
            "Free some space there and try again.",
        )
        assert not out.exists()
        assert not [p for p in tmp_path.iterdir() if p.suffix == ".tmp"]


def _report_as_the_app_writes_it(store: Store, audits: dict[str, str], out: Path) -> object:
    """The app's File → Export report: export_report_from in a spawned child process."""
    return run_in_process(
        export_report_from, store.path, out, progress=lambda d, t: None, cancelled=lambda: False
    )


def _feedback_as_the_app_writes_it(store: Store, audits: dict[str, str], out: Path) -> object:
    """The app's feedback dialog: export_audit_feedback on a worker's store."""
    return export_audit_feedback(store, audits["S-3"], out)


@pytest.mark.parametrize("write", [_report_as_the_app_writes_it, _feedback_as_the_app_writes_it])
def test_the_app_gets_the_same_one_line_error(
    store: Store,
    audits: dict[str, str],
    tmp_path: Path,
    write: Callable[[Store, dict[str, str], Path], object],
) -> None:
    with disks.small_disk("stick", size="64k") as stick:
        out = stick / "r.xlsx"
        disks.fill(stick)
        with pytest.raises(ExportError) as caught:
            write(store, audits, out)
        assert str(caught.value) == (
            f"Cannot write {out}: the disk is full. Free some space and try again."
        )
        assert sorted(p.name for p in stick.iterdir()) == ["filler.bin"]
