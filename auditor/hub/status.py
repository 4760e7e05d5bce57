"""What a sync would do, without doing it: audits to push, packs to pull."""

from __future__ import annotations

from dataclasses import dataclass

from auditor.hub.connection import connect, described
from auditor.hub.pull import HubPack, waiting_packs
from auditor.hub.schema import hub_facts
from auditor.hub.tracking import audits_to_push, pushed_and_pulled
from auditor.store import Store


@dataclass(frozen=True)
class HubStatus:
    hub: str  # host/database, for messages
    hub_uid: str
    pseudonymised: bool
    to_push: dict[str | None, int]  # audits by programme uid
    to_pull: tuple[HubPack, ...]
    pushed: int  # packs this database pushed to this hub so far
    pulled: int  # and merged from it

    @property
    def audits_to_push(self) -> int:
        return sum(self.to_push.values())


def hub_status(store: Store, url: str) -> HubStatus:
    with connect(url) as conn:
        facts = hub_facts(conn)
        waiting = waiting_packs(conn, store, facts["hub_uid"])
    groups = audits_to_push(store, facts["hub_uid"])
    counts = pushed_and_pulled(store, facts["hub_uid"])
    return HubStatus(
        hub=described(url),
        hub_uid=facts["hub_uid"],
        pseudonymised=facts.get("pseudonymise") == "yes",
        to_push={programme: len(uids) for programme, uids in groups.items()},
        to_pull=tuple(waiting),
        pushed=counts["pushed"],
        pulled=counts["pulled"],
    )
