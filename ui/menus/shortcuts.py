"""The keyboard shortcuts, in one place (Help → Keyboard shortcuts, F1)."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

SHORTCUTS = (
    ("Anywhere", (
        ("Ctrl+1 … Ctrl+6", "Cases, Audits, Actions, Dashboard, Frameworks, Programmes"),
        ("Ctrl+O", "Open another database"),
        ("Ctrl+Shift+N", "New database"),
        ("Ctrl+I", "Import cases"),
        ("Ctrl+E", "Export a report"),
        ("F1", "These shortcuts"),
        ("Ctrl+Q", "Quit (everything is already saved)"),
    )),
    ("Case register", (
        ("Ctrl+F", "Find a case"),
        ("Enter or Ctrl+N", "Start an audit of the selected case"),
    )),
    ("Audits", (
        ("Enter in the navigation", "Into the list, its audit selected"),
        ("Enter", "Open the selected audit"),
        ("Ctrl+PgDown / Ctrl+PgUp", "Next / previous list (drafts, submitted, moderated…)"),
    )),
    ("Audit form", (
        ("1 2 3 4 (or the scale's letters)", "Answer the current criterion and move on"),
        ("Up / Down", "Previous / next criterion"),
        ("Tab or Enter", "Into the evidence box (Tab again: next criterion)"),
        ("Escape", "From the evidence box back to the answers"),
        ("Ctrl+Enter", "Next unanswered criterion"),
        ("G or F1 on a criterion", "Show or hide its guidance"),
        ("Delete", "Clear the answer"),
        ("Ctrl+Shift+A", "Add an action"),
        ("Alt+U", "Submit"),
        ("Alt+Left", "Back to the list"),
    )),
)  # fmt: skip


class ShortcutsDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        text = QTextBrowser()
        parts = []
        for area, keys in SHORTCUTS:
            rows = "".join(f"<tr><td><b>{k}</b></td><td>{v}</td></tr>" for k, v in keys)
            parts.append(f"<h3>{area}</h3><table cellspacing=4>{rows}</table>")
        text.setHtml("".join(parts))
        text.setAccessibleName("Keyboard shortcuts")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(buttons)
        self.resize(560, 520)
