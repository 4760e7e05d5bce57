"""Choosing files to save and open: the folder used last time (remembered per kind of file),
the extension added when a platform's dialog leaves it off, and names fit for a file."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

from ui.settings import Option, Settings


def remembered_folder(settings: Settings, option: Option, fallback: Path) -> Path:
    """The folder kept in ``option`` while it still exists, else ``fallback``."""
    folder = str(settings.get(option))
    return Path(folder) if folder and Path(folder).is_dir() else fallback


def choose_save_path(
    parent: QWidget | None,
    settings: Settings,
    option: Option,
    *,
    title: str,
    name: str,
    file_filter: str,
    suffix: str,
    fallback: Path,
) -> Path | None:
    """Ask where to save, suggesting ``name`` in the folder used last time; the chosen
    folder is remembered in ``option``. None when the user cancels."""
    start = remembered_folder(settings, option, fallback) / name
    chosen, _filter = QFileDialog.getSaveFileName(parent, title, str(start), file_filter)
    if not chosen:
        return None
    path = Path(chosen)
    if path.suffix.lower() != suffix:  # some platforms' dialogs do not add it
        path = path.with_name(path.name + suffix)
    settings.set(option, str(path.parent))
    return path


def file_name_part(text: str, default: str) -> str:
    """``text`` made safe inside a file name on every system (a case reference may hold
    slashes, a name spaces): "Demo Auditor Ash" → "Demo-Auditor-Ash"."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.") or default
