"""The team hub: packs shared through the council's PostgreSQL (docs/hub.md).

Optional: a laptop that never sees a hub works as before, and without psycopg installed
(``pip install 'case-auditor[hub]'``) every function here says so in one sentence. The
functions a face calls:

- :func:`init_hub` (over :func:`connect`): the hub's tables, roles and row-level security;
- :func:`push_work` / :func:`push_files`: this database's new work, or pack files, into the hub;
- :func:`pull`: the packs this database has not merged, through the one merge;
- :func:`hub_status`: what a push and a pull would move;
- :func:`assign`: an auditor's login may use a programme's packs.
"""

from auditor.hub.assignments import assign
from auditor.hub.connection import connect, described, hub_available, url_problem
from auditor.hub.errors import HubError, HubNotInstalledError, HubRefusedError, HubUnreachableError
from auditor.hub.pull import HubPack, PullSummary, pull
from auditor.hub.push import PushSummary, push_files, push_work
from auditor.hub.schema import init_hub
from auditor.hub.status import HubStatus, hub_status

__all__ = [
    "HubError",
    "HubNotInstalledError",
    "HubPack",
    "HubRefusedError",
    "HubStatus",
    "HubUnreachableError",
    "PullSummary",
    "PushSummary",
    "assign",
    "connect",
    "described",
    "hub_available",
    "hub_status",
    "init_hub",
    "pull",
    "push_files",
    "push_work",
    "url_problem",
]
