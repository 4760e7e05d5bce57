"""One window per database: the lock is refused while held, names its holder, and never
outlives its holder (released on close, and by the kernel when the holder is killed)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from auditor.errors import AuditorError, DatabaseInUse, StoreError
from auditor.store import Store
from auditor.store.lock import DatabaseLock, lock_path, read_holder

ROOT = Path(__file__).resolve().parent.parent

# Tries the lock in another process: prints "acquired" or the refusal's message.
_TRY_LOCK = textwrap.dedent(
    """
    import sys
    from auditor.errors import DatabaseInUse
    from auditor.store.lock import DatabaseLock
    try:
        DatabaseLock.acquire(sys.argv[1]).release()
    except DatabaseInUse as exc:
        print(exc)
        sys.exit(3)
    print("acquired")
    """
)

# Takes the lock, says so, and holds it until killed.
_HOLD_LOCK = textwrap.dedent(
    """
    import sys, time
    from auditor.store.lock import DatabaseLock
    lock = DatabaseLock.acquire(sys.argv[1])
    print("holding", flush=True)
    time.sleep(120)
    """
)


def _python(code: str, *args: str) -> list[str]:
    return [sys.executable, "-c", code, *args]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def _try_lock_elsewhere(db: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        _python(_TRY_LOCK, str(db)), capture_output=True, text=True, timeout=60, env=_env()
    )


def test_lock_file_sits_beside_the_database_and_names_its_holder(db_path: Path) -> None:
    with DatabaseLock.acquire(db_path) as lock:
        assert lock.path == lock_path(db_path) == db_path.with_name("test.db.lock")
        holder = read_holder(db_path)
        assert holder == lock.holder
        assert holder is not None and holder.pid == os.getpid()
        assert holder.program.startswith("case-auditor ")
    assert not lock.held


def test_a_second_process_is_refused_with_the_holders_pid(db_path: Path) -> None:
    with DatabaseLock.acquire(db_path):
        result = _try_lock_elsewhere(db_path)
    assert result.returncode == 3, result.stderr
    assert f"process {os.getpid()} on " in result.stdout
    assert str(db_path) in result.stdout
    assert "already open in Case Auditor" in result.stdout


def test_a_second_window_in_the_same_process_is_refused(db_path: Path) -> None:
    with DatabaseLock.acquire(db_path), pytest.raises(DatabaseInUse) as refused:
        DatabaseLock.acquire(db_path)
    assert isinstance(refused.value, AuditorError)
    assert f"process {os.getpid()}" in str(refused.value)


def test_released_on_close_and_the_lock_file_removed(db_path: Path) -> None:
    lock = DatabaseLock.acquire(db_path)
    lock.release()
    lock.release()  # idempotent
    assert not lock_path(db_path).exists()
    assert _try_lock_elsewhere(db_path).stdout.strip() == "acquired"


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="SIGKILL is POSIX only")
def test_released_when_the_holder_is_killed(db_path: Path) -> None:
    holder = subprocess.Popen(
        _python(_HOLD_LOCK, str(db_path)), stdout=subprocess.PIPE, text=True, env=_env()
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "holding"
        with pytest.raises(DatabaseInUse, match=f"process {holder.pid} on "):
            DatabaseLock.acquire(db_path)
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)
        assert holder.stdout is not None
        holder.stdout.close()
    assert lock_path(db_path).exists()  # a stale file, but nobody holds it
    with DatabaseLock.acquire(db_path) as lock:
        assert read_holder(db_path) == lock.holder


def test_command_line_writes_may_run_while_the_app_holds_the_lock(db_path: Path) -> None:
    """A decision (see auditor/store/lock.py): only the desktop app takes the lock."""
    with DatabaseLock.acquire(db_path):
        result = subprocess.run(
            [sys.executable, "-m", "auditor", "demo", "--cases", "5", "--db", str(db_path)],
            capture_output=True,
            text=True,
            timeout=120,
            env=_env(),
        )
        assert result.returncode == 0, result.stderr
    with Store.open(db_path) as store:
        assert store.scalar("SELECT COUNT(*) FROM cases") == 5


def test_an_unreadable_lock_file_still_refuses_politely(db_path: Path) -> None:
    with DatabaseLock.acquire(db_path) as lock:
        os.truncate(lock.path, 0)
        assert read_holder(db_path) is None
        with pytest.raises(DatabaseInUse, match="already open in Case Auditor in another process"):
            DatabaseLock.acquire(db_path)


def test_no_lock_file_can_be_made_is_a_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where a folder should be")
    with pytest.raises(StoreError, match="Cannot make the lock file"):
        DatabaseLock.acquire(blocker / "x.db")
