"""Every setting the desktop app keeps, declared once with its default (as Picard's options).

User preferences (``user/``, ``files/``) are kept apart from window state (``window/``).
The settings are an INI file in the per-user data folder, so tests and portable installs
move them with ``CASE_AUDITOR_DATA_DIR`` like the database and the logs. The core never
reads settings: the GUI passes their values (the auditor's name) into core functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings

from auditor.paths import data_dir

SETTINGS_FILE_NAME = "settings.ini"
SETTINGS_VERSION = 1
MAX_RECENT = 8


@dataclass(frozen=True)
class Option:
    key: str
    default: Any
    kind: type


AUDITOR_NAME = Option("user/auditor_name", "", str)
DEMO_OFFERED = Option("user/demo_offered", False, bool)
RECENT_DATABASES = Option("files/recent_databases", [], list)
LAST_VIEW = Option("window/last_view", "cases", str)
VERSION = Option("meta/settings_version", 0, int)
# The folders last used, one for each kind of file (ui/file_choice.py).
IMPORT_FOLDER = Option("files/import_folder", "", str)
EXPORT_FOLDER = Option("files/export_folder", "", str)
LAST_PACK_FOLDER = Option("files/last_pack_folder", "", str)
# The team hub's address (ui/hub/): a connection string without a password, never with one.
HUB_URL = Option("hub/url", "", str)
LAST_MAPPING = Option("files/import_mapping", "", str)  # the case-list column mapping last used

# Window parts whose geometry or state is kept (Settings.window_state); each table keeps its
# own as "table_<name>" (ui.widgets.common.setup_table).
GEOMETRY = "geometry"
CASES_SPLITTER = "cases_splitter"
PROGRAMMES_SPLITTER = "programmes_splitter"


class Settings:
    """Typed access to the declared options, over one ``QSettings``."""

    def __init__(self, qsettings: QSettings) -> None:
        self.q = qsettings
        self._upgrade()

    @classmethod
    def open_default(cls) -> Settings:
        return cls.at(data_dir() / SETTINGS_FILE_NAME)

    @classmethod
    def at(cls, path: Path) -> Settings:
        return cls(QSettings(str(path), QSettings.Format.IniFormat))

    def get(self, option: Option) -> Any:
        if not self.q.contains(option.key):
            return option.default
        value = self.q.value(option.key)
        if option.kind is list:
            # INI gives back one string for a one-item list, and None for an empty one.
            return [] if value is None else [value] if isinstance(value, str) else list(value)
        if option.kind is bool:
            return value in (True, "true", "1", 1)
        return option.kind(value)

    def set(self, option: Option, value: Any) -> None:
        self.q.setValue(option.key, value)

    def sync(self) -> None:
        self.q.sync()

    # -- preferences ----------------------------------------------------------------------

    @property
    def auditor_name(self) -> str:
        return str(self.get(AUDITOR_NAME)).strip()

    @auditor_name.setter
    def auditor_name(self, name: str) -> None:
        self.set(AUDITOR_NAME, name.strip())

    def recent_databases(self) -> list[str]:
        return [str(p) for p in self.get(RECENT_DATABASES)]

    def add_recent_database(self, path: Path) -> None:
        text = str(Path(path).resolve())
        recent = [p for p in self.recent_databases() if p != text]
        self.set(RECENT_DATABASES, [text, *recent][:MAX_RECENT])

    # -- window state ---------------------------------------------------------------------

    def window_state(self, name: str) -> QByteArray | None:
        """Saved geometry or state of a window part (``geometry``, ``dock``, a table)."""
        value = self.q.value(f"window/{name}")
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def set_window_state(self, name: str, state: QByteArray) -> None:
        self.q.setValue(f"window/{name}", state)

    def _upgrade(self) -> None:
        """Settings migrations: bring an older settings file up to ``SETTINGS_VERSION``."""
        if int(self.get(VERSION)) < SETTINGS_VERSION:
            self.set(VERSION, SETTINGS_VERSION)
