"""Helpers the GUI tests share (not fixtures)."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QMessageBox


def message_boxes(name: str | None = None) -> list[QMessageBox]:
    """Visible message boxes (optionally only those with ``name`` as object name)."""
    return [
        w
        for w in QApplication.topLevelWidgets()
        if isinstance(w, QMessageBox) and w.isVisible() and (name is None or w.objectName() == name)
    ]


def close_message_boxes() -> None:
    for box in message_boxes():
        box.close()
