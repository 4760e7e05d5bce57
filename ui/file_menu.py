"""The File menu's import and export items, each built by the module that owns its dialog.

Each module has ``install(window)``, which adds its actions with
:meth:`ui.main_window.MainWindow.add_file_action`. The dialogs import the core's heavy
modules (openpyxl, cryptography) only when they are used, so start-up stays quick.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ui.dialogs import export_menu, import_wizard, packs_menu

if TYPE_CHECKING:
    from ui.main_window import MainWindow


def install(window: MainWindow) -> None:
    """Add every import/export item to ``window``'s File menu, in menu order."""
    import_wizard.install(window)
    window.add_file_separator()
    export_menu.install(window)
    window.add_file_separator()
    packs_menu.install(window)
