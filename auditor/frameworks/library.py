"""Framework versions kept in the database: every audit points at the snapshot it was scored on.

Framework *files* are read by :mod:`auditor.frameworks.model`; this module registers them in a
database and gives them back by code and version, so a changed file never rewrites the
questions, scales or rules of audits already made.
"""

from __future__ import annotations

import hashlib
import weakref
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from auditor.clock import now_utc
from auditor.errors import FrameworkError, NotFoundError
from auditor.store import Store

if TYPE_CHECKING:
    from auditor.frameworks.model import Framework


def register_framework(store: Store, framework: Framework) -> bool:
    """Keep a snapshot of ``framework``. Returns True if it was new.

    The same code and version with different content is refused: bump the version instead.
    The same content written differently (a framework exported to a workbook and imported
    again) is the framework already there: nothing is added.
    """
    digest = hashlib.sha256(framework.source_text.encode("utf-8")).hexdigest()
    existing = store.one(
        "SELECT sha256 FROM frameworks WHERE code = ? AND version = ?",
        [framework.code, framework.version],
    )
    if existing:
        if existing["sha256"] != digest and not _same_content(existing["sha256"], framework, store):
            raise FrameworkError(
                f"framework {framework.code} version {framework.version} differs from the copy "
                "already in this database: give the changed framework a new version"
            )
        return False
    with store.atomic():
        store.execute(
            "INSERT INTO frameworks (code, version, title, source_text, sha256, loaded_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [
                framework.code,
                framework.version,
                framework.title,
                framework.source_text,
                digest,
                now_utc(),
            ],
        )
    return True


def _same_content(sha256: str, framework: Framework, store: Store) -> bool:
    """The stored copy says the same as ``framework`` in other words: a framework exported
    to a workbook and imported again is written differently but is the same framework."""
    row = store.one(
        "SELECT source_text FROM frameworks WHERE code = ? AND sha256 = ?",
        [framework.code, sha256],
    )
    if row is None:
        return False
    try:
        return _parse_cached(sha256, row["source_text"]) == framework
    except FrameworkError:
        return False


def ensure_builtin_frameworks(store: Store, directory: Path | None = None) -> list[Framework]:
    """Register every built-in framework file (idempotent). Returns them."""
    from auditor.frameworks.model import load_builtin_frameworks

    frameworks = load_builtin_frameworks(directory)
    for framework in frameworks:
        register_framework(store, framework)
    return frameworks


def register_builtin_frameworks(store: Store, directory: Path | None = None) -> None:
    """:func:`ensure_builtin_frameworks`, when the app or a command opens a database: a
    database that holds every built-in file's exact text already (as on every start but
    the first) has them, and the files are not parsed again (parsing them was 10–20 ms of
    the app's start)."""
    from auditor.paths import builtin_frameworks_dir

    folder = directory or builtin_frameworks_dir()
    try:
        texts = [p.read_text(encoding="utf-8") for p in folder.glob("*.toml")]
    except (OSError, UnicodeDecodeError):
        texts = []  # ensure_builtin_frameworks names the file that cannot be read
    held = {sha for (sha,) in store.execute("SELECT sha256 FROM frameworks")}
    digests = {hashlib.sha256(t.encode("utf-8")).hexdigest() for t in texts}
    if not texts or not digests <= held:
        ensure_builtin_frameworks(store, directory)


def get_framework(store: Store, code: str, version: str | None = None) -> Framework:
    """A framework by code: the given version, or the newest one registered."""
    if version is None:
        rows = store.query(
            "SELECT version, sha256, source_text FROM frameworks WHERE code = ?", [code]
        )
        if not rows:
            raise NotFoundError(f"no framework with code {code}")
        row = max(rows, key=lambda r: _version_key(r["version"]))
    else:
        found = store.one(
            "SELECT version, sha256, source_text FROM frameworks WHERE code = ? AND version = ?",
            [code, version],
        )
        if found is None:
            raise NotFoundError(f"no framework {code} version {version} in this database")
        row = found
    return _parse_cached(row["sha256"], row["source_text"])


# Framework versions by store, as audits name them: a (code, version) never changes once
# registered (register_framework refuses other content), so each is read and parsed once,
# not for every answer saved or every audit whose marks are made.
_registered: weakref.WeakKeyDictionary[Store, dict[tuple[str, str], Framework]] = (
    weakref.WeakKeyDictionary()
)


def registered_framework(store: Store, code: str, version: str) -> Framework:
    """:func:`get_framework` of one version, looked up once for each store."""
    known = _registered.setdefault(store, {})
    key = (code, version)
    if key not in known:
        known[key] = get_framework(store, code, version)
    return known[key]


def list_frameworks(store: Store) -> list[Framework]:
    """Every framework version in the database, by code then version."""
    rows = store.query("SELECT sha256, source_text FROM frameworks")
    frameworks = [_parse_cached(r["sha256"], r["source_text"]) for r in rows]
    return sorted(frameworks, key=lambda f: (f.code, _version_key(f.version)))


@lru_cache(maxsize=32)
def _parse_cached(sha256: str, text: str) -> Framework:
    # The model is imported where a framework is first read, not with this module: the
    # app's window is painted before any framework is (register_builtin_frameworks).
    from auditor.frameworks.model import parse_framework

    return parse_framework(text, origin=f"framework snapshot {sha256[:8]}")


def _version_key(version: str) -> tuple[tuple[int, int | str], ...]:
    """Order "1.10.0" after "1.9.0"; non-numeric parts sort after numbers."""
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in version.split("."))
