"""Where Case Auditor keeps its files: one place, overridable for tests and portable installs.

Environment overrides:
- ``CASE_AUDITOR_DATA_DIR``: the whole per-user data folder (database, logs, backups);
- ``CASE_AUDITOR_DB``: the database file alone.
"""

import os
from pathlib import Path

import platformdirs

_APP_DIR_NAME = "CaseAuditor"
DB_FILE_NAME = "case-auditor.db"


def data_dir() -> Path:
    """The per-user data folder (created if missing)."""
    override = os.environ.get("CASE_AUDITOR_DATA_DIR")
    path = (
        Path(override)
        if override
        else Path(platformdirs.user_data_dir(_APP_DIR_NAME, appauthor=False))
    )
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_db_path() -> Path:
    """The database used when none is named: ``CASE_AUDITOR_DB`` or the data folder's."""
    override = os.environ.get("CASE_AUDITOR_DB")
    return Path(override) if override else data_dir() / DB_FILE_NAME


def log_dir() -> Path:
    """Folder for the rotating log files."""
    path = data_dir() / "logs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def resources_dir() -> Path:
    """The shipped ``resources/`` folder (works from source, installed and frozen)."""
    import resources

    return Path(resources.__file__).parent


def builtin_frameworks_dir() -> Path:
    return resources_dir() / "frameworks"
