"""The hub's expected errors, each a message fit for a user (see auditor/errors.py)."""

from __future__ import annotations

from auditor.errors import AuditorError


class HubError(AuditorError):
    """Something about the hub the user can act on."""


class HubNotInstalledError(HubError):
    """psycopg, the PostgreSQL driver, is not installed with this copy of Case Auditor."""


class HubUnreachableError(HubError):
    """The hub's server could not be reached (or went away during the work): nothing changed."""


class HubRefusedError(HubError):
    """The hub refused the work: no permission, or a hub not made with ``hub init``."""
