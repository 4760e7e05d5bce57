"""The hub's tests meet a real PostgreSQL: a throwaway cluster on a Unix socket, started by
the project's own scripts/hub-test-server for the session and stopped at its end.

Without PostgreSQL (or psycopg) the hub's tests fail, saying to run ``scripts/setup --dev``;
only on a developer's machine (``CI`` not set) are they skipped instead, with that reason.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "hub-test-server"
NOT_INSTALLED = 3  # the script's exit status when PostgreSQL is missing
_numbers = itertools.count(1)


def _missing(reason: str) -> None:
    message = f"The hub's tests need {reason}: run scripts/setup --dev."
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(f"SKIPPED LOUDLY (not in CI): {message}")


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Path]:
    """The folder of the running cluster, which is also its socket's."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _missing("psycopg (the dev extra)")
    started = subprocess.run([str(SCRIPT), "start"], capture_output=True, text=True, check=False)
    if started.returncode == NOT_INSTALLED:
        _missing("PostgreSQL")
    if started.returncode != 0:
        pytest.fail(f"scripts/hub-test-server start failed:\n{started.stderr}")
    folder = Path(started.stdout.strip())
    yield folder
    subprocess.run([str(SCRIPT), "stop", str(folder)], check=False, capture_output=True)
    shutil.rmtree(folder, ignore_errors=True)


def server_url(folder: Path, database: str = "postgres", user: str = "postgres") -> str:
    return f"host={folder} dbname={database} user={user}"


@pytest.fixture
def admin_url(pg_server: Path) -> str:
    """A new, empty database on the test server, as its superuser (the council's DBA)."""
    import psycopg

    name = f"hub_{os.getpid()}_{next(_numbers)}"
    with psycopg.connect(server_url(pg_server), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return server_url(pg_server, name)


@pytest.fixture
def hub_url(admin_url: str) -> str:
    """A hub made by ``hub init`` (as the DBA): the address a QA lead's laptop uses."""
    from auditor.hub import connect, init_hub

    with connect(admin_url) as conn:
        init_hub(conn)
    return admin_url


@pytest.fixture
def login(pg_server: Path, admin_url: str) -> Callable[[str], str]:
    """``login(role)``: a new PostgreSQL LOGIN role granted ``role`` (a person the council
    lets in), and the hub address as that person."""
    import psycopg

    def make(role: str) -> str:
        name = f"person_{os.getpid()}_{next(_numbers)}"
        with psycopg.connect(server_url(pg_server), autocommit=True) as conn:
            conn.execute(f"CREATE ROLE {name} LOGIN IN ROLE {role}")
        database = admin_url.split("dbname=")[1].split()[0]
        return server_url(pg_server, database, name)

    return make
