"""What Help → About shows: the version, the open database and its schema, where files live.

The desktop app adds what only it knows (the Qt version); the core gives the rest, so a
support call can ask for the same facts from either face.
"""

from __future__ import annotations

import platform

from auditor import APP_NAME, __version__
from auditor.paths import data_dir, log_dir
from auditor.store import Store
from auditor.store.schema import LATEST_VERSION


def about_facts(store: Store) -> list[tuple[str, str]]:
    """(label, value) pairs, in the order About lists them."""
    return [
        ("Version", __version__),
        ("Database", str(store.path)),
        ("Schema version", f"{store.schema_version} (this version knows up to {LATEST_VERSION})"),
        ("Database identity", store.origin),
        ("Log folder", str(log_dir())),
        ("Data folder", str(data_dir())),
        ("Python", platform.python_version()),
    ]


def about_text(store: Store) -> str:
    """About as plain text: a title line, then one ``Label: value`` line per fact."""
    lines = [f"{APP_NAME} {__version__}", ""]
    lines += [f"{label}: {value}" for label, value in about_facts(store)]
    return "\n".join(lines)
