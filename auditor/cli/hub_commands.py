"""Team hub commands: hub init / push / pull / status / assign (docs/hub.md).

The hub's address is ``--hub URL`` or the CASE_AUDITOR_HUB variable: a PostgreSQL
connection string without a password (libpq finds it in ~/.pgpass or PGPASSWORD). Core
modules are imported inside the handlers, so ``case-auditor --version`` stays quick."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from auditor.cli.common import db_option_parent, open_store

HUB_ENV = "CASE_AUDITOR_HUB"
PASSPHRASE_ENV = "CASE_AUDITOR_PASSPHRASE"  # as for pack files (pack_commands.passphrase)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    db, where = db_option_parent(), _hub_parent()
    hub = subparsers.add_parser("hub", help="the team hub on the council's PostgreSQL")
    sub = hub.add_subparsers(dest="hub_command", metavar="COMMAND", required=True)

    init = sub.add_parser("init", parents=[where], help="make the hub's tables, roles and rules")
    init.add_argument(
        "--pseudonymise",
        action="store_true",
        help="the reporting copy carries pseudonyms instead of case references",
    )
    init.set_defaults(handler=cmd_init)

    push = sub.add_parser(
        "push", parents=[db, where, _secret_parent()], help="store this database's new work"
    )
    push.add_argument(
        "files", type=Path, nargs="*", metavar="FILE", help="push these pack files instead"
    )
    push.add_argument("--encrypt", action="store_true", help="encrypt the packs pushed")
    push.add_argument("--by", metavar="NAME", help="your name in the packs (default: login)")
    push.set_defaults(handler=cmd_push)

    pull = sub.add_parser(
        "pull", parents=[db, where, _secret_parent()], help="merge the hub's packs new here"
    )
    pull.add_argument("--by", metavar="NAME", help="your name for the trail (default: login)")
    pull.set_defaults(handler=cmd_pull)

    status = sub.add_parser("status", parents=[db, where], help="what push and pull would move")
    status.set_defaults(handler=cmd_status)

    assign = sub.add_parser(
        "assign", parents=[db, where], help="let an auditor's login use a programme's packs"
    )
    assign.add_argument("user", help="the auditor's PostgreSQL login")
    assign.add_argument("programme", help="programme name or id (in this database)")
    assign.set_defaults(handler=cmd_assign)


def _hub_parent() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--hub",
        metavar="URL",
        default=os.environ.get(HUB_ENV),
        help=f"the hub's PostgreSQL connection string, no password (or set {HUB_ENV})",
    )
    return parent


def _secret_parent() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--passphrase-file",
        type=Path,
        metavar="FILE",
        help=f"encrypted packs' passphrase from FILE's first line (or set {PASSPHRASE_ENV})",
    )
    return parent


def _url(args: argparse.Namespace) -> str:
    from auditor.errors import ValidationError

    if not args.hub:
        raise ValidationError(f"Say which hub: give --hub URL or set {HUB_ENV}.")
    return str(args.hub)


def _by(args: argparse.Namespace) -> str:
    from auditor.cli.pack_commands import _by as pack_by

    return pack_by(args)


def _passphrase(args: argparse.Namespace, *, needed: bool) -> str | None:
    from auditor.cli.pack_commands import passphrase

    return passphrase(args, needed=needed, confirm=needed)


def cmd_init(args: argparse.Namespace) -> int:
    from auditor.hub import connect, described, init_hub

    url = _url(args)
    with connect(url) as conn:
        facts = init_hub(conn, pseudonymise=args.pseudonymise)
    kept = "pseudonyms" if facts.get("pseudonymise") == "yes" else "case references"
    print(
        f"The hub at {described(url)} is ready (id {facts['hub_uid'][:8]}…); its reporting "
        f"copy keeps {kept}. Grant case_auditor_auditor, case_auditor_qa_lead or "
        "case_auditor_reader to each person's login."
    )
    return 0


def cmd_push(args: argparse.Namespace) -> int:
    from auditor.hub import described, push_files, push_work
    from auditor.words import plural

    url = _url(args)
    if args.files:
        secret = _passphrase(args, needed=False)
        with open_store(args) as store:
            summary = push_files(store, url, args.files, passphrase=secret)
    else:
        secret = _passphrase(args, needed=args.encrypt) if args.encrypt else None
        with open_store(args) as store:
            summary = push_work(store, url, actor=_by(args), passphrase=secret)
    hub = described(url)
    if summary.packs_stored:
        print(
            f"Pushed {plural(summary.packs_stored, 'pack')} "
            f"({plural(summary.audits, 'audit')}) to the hub at {hub}."
        )
    if summary.packs_already:
        print(f"{plural(summary.packs_already, 'pack')} already in the hub: stored once.")
    if not summary.packs_stored and not summary.packs_already:
        print(f"Nothing new to push to the hub at {hub}.")
    return 0


def cmd_pull(args: argparse.Namespace) -> int:
    from auditor.hub import described, pull
    from auditor.words import plural

    url = _url(args)
    secret = _passphrase(args, needed=False)
    with open_store(args) as store:
        summary = pull(store, url, actor=_by(args), passphrase=secret)
    hub = described(url)
    if summary.merged:
        print(
            f"Merged {plural(len(summary.merged), 'pack')} from the hub at {hub}: "
            f"{plural(summary.audits, 'audit')} added or changed here."
        )
    else:
        print(f"Nothing new to pull from the hub at {hub}.")
    if summary.conflicts_kept:
        print(
            f"{plural(summary.conflicts_kept, 'conflict')} kept for a person: see "
            "'case-auditor pack conflicts'."
        )
    if summary.locked:
        print(
            f"{plural(summary.locked, 'encrypted pack')} left in the hub: give the passphrase "
            "they were made with (--passphrase-file) to merge them."
        )
    if summary.held:
        from auditor.hub.pull import HELD_REASON

        print(f"{plural(summary.held, 'pack')} left in the hub: {HELD_REASON}")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from auditor.hub import hub_status
    from auditor.words import plural

    url = _url(args)
    with open_store(args, readonly=True) as store:
        status = hub_status(store, url)
    waiting = sum(p.audits for p in status.to_pull)
    print(f"Hub at {status.hub} (id {status.hub_uid[:8]}…)")
    print(
        f"  to push: {plural(status.audits_to_push, 'audit')} in "
        f"{plural(len(status.to_push), 'pack')}"
    )
    print(f"  to pull: {plural(len(status.to_pull), 'pack')} holding {plural(waiting, 'audit')}")
    print(f"  so far: {status.pushed} pushed from here, {status.pulled} merged here")
    return 0


def cmd_assign(args: argparse.Namespace) -> int:
    from auditor.hub import assign
    from auditor.programmes.records import find_programme

    url = _url(args)
    with open_store(args, readonly=True) as store:
        programme = find_programme(store, args.programme)
    if assign(url, args.user, programme.uid):
        print(f"{args.user} may now push and pull the packs of {programme.name}.")
    else:
        print(f"{args.user} could already push and pull the packs of {programme.name}.")
    return 0
