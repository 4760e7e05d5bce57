"""Reaching the hub: a PostgreSQL connection string, with everything else left to libpq.

The URL (``postgresql://user@host/db?sslmode=require``) or key/value form
(``host=... dbname=...``) follows PostgreSQL's own conventions; what it leaves out comes from
the ``PG*`` environment variables and the password from ``~/.pgpass`` (or ``PGPASSWORD``),
exactly as for ``psql``; TLS is whatever the URL's ``sslmode`` and the server require. The
app never keeps a password: a URL carrying one is refused with the reason, so it cannot end
up in the settings, the shell history or the process list.

psycopg is imported here and in the hub's other modules only: the app runs without it.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from auditor.hub.errors import HubError, HubNotInstalledError, HubRefusedError, HubUnreachableError

if TYPE_CHECKING:
    import psycopg

CONNECT_TIMEOUT_S = 10
_INSTALL_HINT = "pip install 'case-auditor[hub]'"


def hub_available() -> bool:
    """Whether the PostgreSQL driver is installed (the hub is an optional extra)."""
    return importlib.util.find_spec("psycopg") is not None


def _psycopg() -> object:
    try:
        import psycopg
    except ImportError:
        raise HubNotInstalledError(
            f"Hub support is not installed with this copy of Case Auditor ({_INSTALL_HINT})."
        ) from None
    return psycopg


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot be used as a hub address, or None. A password is refused: it
    belongs in ~/.pgpass or PGPASSWORD, where libpq finds it, not in a saved address."""
    _psycopg()
    from psycopg.conninfo import conninfo_to_dict

    try:
        parts = conninfo_to_dict(url.strip())
    except Exception as exc:  # psycopg.ProgrammingError: libpq could not parse it
        return f"This is not a PostgreSQL connection string: {first_line(str(exc))}"
    if parts.get("password"):
        return (
            "The hub address holds a password: take it out and put it in ~/.pgpass (or the "
            "PGPASSWORD variable), so Case Auditor never stores it."
        )
    return None


def described(url: str) -> str:
    """The hub for messages: user@host/database as libpq would resolve the URL's parts."""
    from psycopg.conninfo import conninfo_to_dict

    try:
        parts = conninfo_to_dict(url.strip())
    except Exception:
        return "the hub"
    host = str(parts.get("host") or "the local server")
    if host.startswith("/"):
        host = "the local server"
    database = parts.get("dbname")
    return f"{host}/{database}" if database else host


@contextmanager
def connect(url: str) -> Iterator[psycopg.Connection[Any]]:
    """An open connection to the hub at ``url``, closed afterwards. Raises
    :class:`HubUnreachableError` in one line when the server cannot be reached."""
    _psycopg()
    import psycopg

    problem = url_problem(url)
    if problem:
        raise HubError(problem)
    try:
        conn = psycopg.connect(
            url.strip(),
            autocommit=True,  # each piece of work says where its transaction begins and ends
            connect_timeout=CONNECT_TIMEOUT_S,
            application_name="case-auditor",
        )
    except psycopg.OperationalError as exc:
        raise unreachable(url, exc) from None
    try:
        with translate(url):
            yield conn
    finally:
        conn.close()


def unreachable(url: str, exc: BaseException) -> HubUnreachableError:
    return HubUnreachableError(
        f"Cannot reach the hub at {described(url)} ({first_line(str(exc))}). Nothing was changed."
    )


@contextmanager
def translate(url: str) -> Iterator[None]:
    """The server's errors as messages: lost connection, no permission, no hub schema."""
    import psycopg
    from psycopg import errors

    try:
        yield
    except (errors.InsufficientPrivilege, errors.CheckViolation) as exc:
        raise HubRefusedError(
            f"The hub refused this ({first_line(str(exc))}): ask the QA lead to assign you "
            "to the programme, or the council's database team to grant you a hub role."
        ) from None
    except errors.UndefinedTable:
        raise HubRefusedError(
            f"{described(url)} is not a Case Auditor hub yet: run 'case-auditor hub init' on it."
        ) from None
    except psycopg.OperationalError as exc:
        raise unreachable(url, exc) from None


def first_line(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else "no reason given"
    return line.rstrip(".")
