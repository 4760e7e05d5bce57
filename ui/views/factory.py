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
        from ui.views.cases_view import CasesView

        cases = CasesView(session)
        cases.open_audit_requested.connect(window.open_audit)
        cases.reload()
        return cases
    if key == "audits":
        from ui.views.audits_view import AuditsView

        audits = AuditsView(session)
        audits.open_audit_requested.connect(window.open_audit)
        audits.moderate_requested.connect(window.moderate)
        return audits
    if key == "actions":
        from ui.views.actions_view import ActionsView

        actions = ActionsView(session)
        actions.open_audit_requested.connect(window.open_audit)
        return actions
    if key == "dashboard":
        from ui.views.dashboard_view import DashboardView

        return DashboardView(session)
    if key == "frameworks":
        from ui.views.frameworks_view import FrameworksView

        return FrameworksView(session)
    if key == "programmes":
        from ui.views.programmes_view import ProgrammesView

        programmes = ProgrammesView(session)
        programmes.panel.open_audit_requested.connect(window.open_audit)
        return programmes
    raise KeyError(key)
