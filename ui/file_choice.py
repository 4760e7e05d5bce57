"""Choosing files to save and open: the folder used last time (remembered per kind of file),
the extension added when a platform's dialog leaves it off, and names fit for a file.

Every file dialog of the app is a :class:`FileDialog`. Qt's own dialog reads the start of
each file it lists to guess its type, and on Linux and macOS closing any descriptor of the
database file drops this process's SQLite locks on it (shared/PITFALLS.md #8): another
process could then delete the write-ahead log the app writes into. FileDialog names files by
their extension only and never opens them.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from PySide6.QtCore import QFileInfo
from PySide6.QtGui import QAbstractFileIconProvider, QIcon
from PySide6.QtWidgets import QDialog, QFileDialog, QWidget

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
    chosen, _filter = FileDialog.getSaveFileName(parent, title, str(start), file_filter)
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


class _IconsByKind(QAbstractFileIconProvider):
    """Icons and type names from a file's kind and extension, never from its content."""

    def icon(self, what: QFileInfo | QAbstractFileIconProvider.IconType) -> QIcon:
        if isinstance(what, QFileInfo):
            kind = QAbstractFileIconProvider.IconType
            what = kind.Folder if what.isDir() else kind.File
        return super().icon(what)

    def type(self, info: QFileInfo) -> str:
        if info.isDir():
            return "Folder"
        suffix = info.suffix()
        return f"{suffix.upper()} file" if suffix else "File"


class FileDialog:
    """Qt's static file dialog functions (same arguments and results), on a dialog that never
    opens the files it lists. Tests stand in for these three functions."""

    @staticmethod
    def getOpenFileName(
        parent: QWidget | None, caption: str, directory: str, file_filter: str
    ) -> tuple[str, str]:
        files, chosen_filter = _ask(parent, caption, directory, file_filter, _OPEN_ONE)
        return (files[0] if files else ""), chosen_filter

    @staticmethod
    def getOpenFileNames(
        parent: QWidget | None, caption: str, directory: str, file_filter: str
    ) -> tuple[list[str], str]:
        return _ask(parent, caption, directory, file_filter, _OPEN_MANY)

    @staticmethod
    def getSaveFileName(
        parent: QWidget | None, caption: str, directory: str, file_filter: str
    ) -> tuple[str, str]:
        files, chosen_filter = _ask(parent, caption, directory, file_filter, _SAVE)
        return (files[0] if files else ""), chosen_filter


_OPEN_ONE, _OPEN_MANY, _SAVE = "open", "open many", "save"


def make_file_dialog(
    parent: QWidget | None, caption: str, directory: str, file_filter: str, mode: str = _OPEN_ONE
) -> QFileDialog:
    """The dialog behind :class:`FileDialog`, not yet shown."""
    dialog = QFileDialog(parent, caption, directory, file_filter)
    if sys.platform.startswith("linux"):
        # Qt's widget dialog, whose icons we control (a platform theme's in-process dialog
        # would read the files again). Windows and macOS keep their own dialogs.
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    provider = _IconsByKind()
    dialog.setIconProvider(provider)
    dialog.setProperty("_icons", provider)  # the dialog does not own it: keep it alive
    if mode == _SAVE:
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    else:
        dialog.setFileMode(
            QFileDialog.FileMode.ExistingFiles
            if mode == _OPEN_MANY
            else QFileDialog.FileMode.ExistingFile
        )
    return dialog


def _ask(
    parent: QWidget | None, caption: str, directory: str, file_filter: str, mode: str
) -> tuple[list[str], str]:
    dialog = make_file_dialog(parent, caption, directory, file_filter, mode)
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return [], ""
        return dialog.selectedFiles(), dialog.selectedNameFilter()
    finally:
        dialog.deleteLater()
