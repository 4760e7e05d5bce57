"""The audit filter controls the dashboard and the report export share: programme, team and
date fields, and how their choices are filled from the database.

Each screen lays the controls out its own way; these helpers only make them alike (same
names, tooltips, date format) and turn the database's programmes and teams into choices.
"""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDateEdit

from auditor.cases.records import teams
from auditor.programmes.records import list_programmes
from auditor.store import Store
from ui.widgets.common import combo_with, named, set_combo_items

ALL_PROGRAMMES = ("All programmes", "")
ALL_TEAMS = ("All teams", "")
DATE_FORMAT = "dd/MM/yyyy"


def programme_combo() -> QComboBox:
    return combo_with([ALL_PROGRAMMES], "Programme filter", "Only audits in one programme")


def team_combo() -> QComboBox:
    return combo_with([ALL_TEAMS], "Team filter", "Only one team's cases")


def date_edit(name: str, tooltip: str) -> QDateEdit:
    """A date field with a calendar, in the UK order users read dates in."""
    edit = named(QDateEdit(), name, tooltip)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat(DATE_FORMAT)
    return edit


def fill_programmes_and_teams(store: Store, programme: QComboBox, team: QComboBox) -> None:
    """Offer this database's programmes and teams, keeping the current choice if it is
    still there. Both lists are short, so this is quick enough on the GUI thread."""
    set_combo_items(programme, [ALL_PROGRAMMES, *((p.name, p.uid) for p in list_programmes(store))])
    set_combo_items(team, [ALL_TEAMS, *((t, t) for t in teams(store))])
