"""Logs go to a rotating file in the user data folder, shared by the command line and the app."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor.logs import LOG_FILE_NAME, RotatingLog, configure_logging, log_file
from auditor.paths import data_dir, log_dir


@pytest.fixture
def our_handlers() -> Iterator[None]:
    """Start without the app's file handler (an earlier test may have added one pointing at
    its own temp folder); afterwards close ours and put any earlier one back."""
    root = logging.getLogger()
    earlier, level = _ours(), root.level
    for handler in earlier:
        root.removeHandler(handler)
    yield
    for handler in _ours():
        root.removeHandler(handler)
        handler.close()
    for handler in earlier:
        root.addHandler(handler)
    root.setLevel(level)


def _ours() -> list[RotatingLog]:
    return [
        h
        for h in logging.getLogger().handlers
        if isinstance(h, RotatingLog) and getattr(h, "_case_auditor", False)
    ]


@pytest.mark.usefixtures("our_handlers")
def test_logs_are_written_in_the_user_data_folder() -> None:
    path = configure_logging()
    assert path == log_file() == log_dir() / LOG_FILE_NAME
    assert path.parent == data_dir() / "logs"
    logging.getLogger("auditor.test").info("hello from the log test")
    for handler in _ours():
        handler.flush()
    assert "INFO auditor.test" in path.read_text(encoding="utf-8")
    assert "hello from the log test" in path.read_text(encoding="utf-8")


@pytest.mark.usefixtures("our_handlers")
def test_configuring_twice_adds_no_second_handler() -> None:
    configure_logging()
    configure_logging()
    assert len(_ours()) == 1


@pytest.mark.usefixtures("our_handlers")
def test_the_log_rotates_and_keeps_a_bounded_number_of_files() -> None:
    configure_logging()
    [handler] = _ours()
    assert handler.backups >= 1
    # Write well past `backups` rotations, each record bigger than a tenth of the limit.
    record = "x" * (handler.max_bytes // 10)
    log = logging.getLogger("auditor.test")
    for _ in range(12 * (handler.backups + 2)):
        log.info(record)
    handler.flush()
    files = sorted(p.name for p in log_dir().iterdir())
    expected = [LOG_FILE_NAME] + [f"{LOG_FILE_NAME}.{n}" for n in range(1, handler.backups + 1)]
    assert files == sorted(expected)
    assert all(p.stat().st_size <= handler.max_bytes for p in log_dir().iterdir())


def test_log_folder_follows_the_data_folder_override(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CASE_AUDITOR_DATA_DIR", str(tmp_path / "portable"))
    assert log_dir() == tmp_path / "portable" / "logs"
    assert log_dir().is_dir()


@pytest.mark.usefixtures("our_handlers")
def test_the_log_rotates_when_another_program_filled_it() -> None:
    """The command line and the app share the file: the size that counts is the file's, not
    what this process wrote."""
    path = configure_logging()
    [handler] = _ours()
    logging.getLogger("auditor.test").info("first")
    handler.flush()
    with path.open("a", encoding="utf-8") as other:  # the other program's lines
        other.write("y" * handler.max_bytes + "\n")
    logging.getLogger("auditor.test").info("after the other program")
    handler.flush()
    assert "after the other program" in path.read_text(encoding="utf-8")
    assert path.stat().st_size < 1000
    assert "first" in (log_dir() / f"{LOG_FILE_NAME}.1").read_text(encoding="utf-8")


@pytest.mark.usefixtures("our_handlers")
def test_a_log_that_cannot_be_moved_keeps_its_records_and_its_older_files(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """On Windows a file another program has open cannot be moved: the records go on the
    end of the full file, and the older files stay as they were."""
    path = configure_logging()
    [handler] = _ours()
    log = logging.getLogger("auditor.test")
    for _ in range(15):  # one rotation: the first older file
        log.info("x" * (handler.max_bytes // 10))
    handler.flush()
    older = (log_dir() / f"{LOG_FILE_NAME}.1").read_text(encoding="utf-8")
    real_replace = os.replace

    def refused(source: str, target: str) -> None:
        if source == str(path):
            raise PermissionError(13, "The process cannot access the file", source)
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", refused)
    for n in range(10):
        log.info("kept %d %s", n, "y" * (handler.max_bytes // 10))
    handler.flush()
    text = path.read_text(encoding="utf-8")
    assert all(f"kept {n} " in text for n in range(10))
    assert sorted(p.name for p in log_dir().iterdir()) == [LOG_FILE_NAME, f"{LOG_FILE_NAME}.1"]
    assert (log_dir() / f"{LOG_FILE_NAME}.1").read_text(encoding="utf-8") == older
