"""Building the main window's views on first use, wired to the window's navigation.

Views are built lazily so the window is usable at once: only the first view shown is built
at start-up, and its rows load off the GUI thread.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

from ui.session import Session

if TYPE_CHECKING:
    from ui.main_window import MainWindow


def build(key: str, session: Session, window: MainWindow) -> QWidget:
    if key == "cases":
        from ui.cases.view import CasesView

        cases = CasesView(session)
        cases.open_audit_requested.connect(window.open_audit)
        cases.reload()
        return cases
    if key == "audits":
        from ui.audits.view import AuditsView

        audits = AuditsView(session)
        audits.open_audit_requested.connect(window.open_audit)
        audits.moderate_requested.connect(window.moderate)
        audits.export_feedback_requested.connect(lambda uid: _open_feedback(window, session, uid))
        return audits
    if key == "actions":
        from ui.actions.view import ActionsView

        actions = ActionsView(session)
        actions.open_audit_requested.connect(window.open_audit)
        return actions
    if key == "dashboard":
        from ui.dashboard.view import DashboardView

        return DashboardView(session)
    if key == "frameworks":
        from ui.frameworks.view import FrameworksView

        return FrameworksView(session)
    if key == "programmes":
        from ui.programmes.view import ProgrammesView

        programmes = ProgrammesView(session)
        programmes.panel.open_audit_requested.connect(window.open_audit)
        return programmes
    raise KeyError(key)


def _open_feedback(window: MainWindow, session: Session, uid: str) -> None:
    from ui.reports.export_feedback import open_feedback_dialog  # loads openpyxl: on use

    open_feedback_dialog(window, session, uid)
