"""Logs go to a rotating file in the user data folder, shared by the command line and the app."""

from __future__ import annotations

import logging
import logging.handlers
from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor.logs import LOG_FILE_NAME, configure_logging, log_file
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


def _ours() -> list[logging.handlers.RotatingFileHandler]:
    return [
        h
        for h in logging.getLogger().handlers
        if isinstance(h, logging.handlers.RotatingFileHandler)
        and getattr(h, "_case_auditor", False)
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
    assert handler.backupCount >= 1
    # Write well past backupCount rotations, each record bigger than a tenth of the limit.
    record = "x" * (handler.maxBytes // 10)
    log = logging.getLogger("auditor.test")
    for _ in range(12 * (handler.backupCount + 2)):
        log.info(record)
    handler.flush()
    files = sorted(p.name for p in log_dir().iterdir())
    expected = [LOG_FILE_NAME] + [f"{LOG_FILE_NAME}.{n}" for n in range(1, handler.backupCount + 1)]
    assert files == sorted(expected)
    assert all(p.stat().st_size <= handler.maxBytes for p in log_dir().iterdir())


def test_log_folder_follows_the_data_folder_override(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CASE_AUDITOR_DATA_DIR", str(tmp_path / "portable"))
    assert log_dir() == tmp_path / "portable" / "logs"
    assert log_dir().is_dir()
