"""Which auditors may use which programme's packs in the hub: the QA lead's list, which the
hub's row-level security reads (schema.py, ``may_use``)."""

from __future__ import annotations

from auditor.errors import ValidationError
from auditor.hub.connection import connect
from auditor.hub.schema import HUB, hub_facts


def assign(url: str, username: str, programme_uid: str) -> bool:
    """Let the PostgreSQL login ``username`` push and pull ``programme_uid``'s packs.
    Returns False when it already could. Only QA leads (and the hub's owner) may assign."""
    if not username.strip():
        raise ValidationError("Say which PostgreSQL login the programme is for.")
    with connect(url) as conn:
        hub_facts(conn)  # a clear message when this is not a hub
        row = conn.execute(
            f"INSERT INTO {HUB}.assignments (username, programme_uid) VALUES (%s, %s) "
            "ON CONFLICT DO NOTHING RETURNING username",
            [username.strip(), programme_uid],
        ).fetchone()
    return row is not None
