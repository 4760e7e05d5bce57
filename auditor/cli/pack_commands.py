"""Audit pack commands: pack export / assign / info / import / conflicts / resolve, and
double-audits. A passphrase comes from --passphrase-file, the CASE_AUDITOR_PASSPHRASE
variable, or a prompt when run at a terminal: never from the command line itself."""

from __future__ import annotations

import argparse
import dataclasses
import getpass
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditor.cli.common import db_option_parent, open_store, print_json

if TYPE_CHECKING:
    from auditor.packs import MergePreview
    from auditor.packs.content import FieldDifference, Side
    from auditor.store import Store


PASSPHRASE_ENV = "CASE_AUDITOR_PASSPHRASE"
USER_ENV = "CASE_AUDITOR_USER"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    db, secret, who = db_option_parent(), _passphrase_parent(), _by_parent()
    pack = subparsers.add_parser("pack", help="audit packs: export, send out, import, merge")
    sub = pack.add_subparsers(dest="pack_command", metavar="COMMAND", required=True)

    export = sub.add_parser("export", parents=[db, secret, who], help="write a pack of audits")
    export.add_argument("file", type=Path, help="the pack to write (.auditpack)")
    export.add_argument("--programme", metavar="NAME", help="only this programme's audits")
    export.add_argument("--auditor", metavar="NAME", help="only this auditor's audits")
    _encrypt_option(export)
    export.set_defaults(handler=cmd_export)

    assign = sub.add_parser(
        "assign", parents=[db, secret, who], help="send an auditor their cases to audit"
    )
    assign.add_argument("file", type=Path, help="the pack to write (.auditpack)")
    assign.add_argument("--programme", metavar="NAME", required=True, help="the programme")
    assign.add_argument("--auditor", metavar="NAME", required=True, help="who the work is for")
    _encrypt_option(assign)
    assign.set_defaults(handler=cmd_assign)

    info = sub.add_parser("info", parents=[secret], help="what a pack holds (its manifest)")
    info.add_argument("file", type=Path)
    info.add_argument("--json", action="store_true", help="print JSON")
    info.set_defaults(handler=cmd_info)

    imp = sub.add_parser(
        "import", parents=[db, secret, who], help="merge packs (or preview what they would do)"
    )
    imp.add_argument("files", type=Path, nargs="+", metavar="FILE")
    imp.add_argument("--preview", action="store_true", help="say what would change; write nothing")
    side = imp.add_mutually_exclusive_group()
    side.add_argument("--ours", action="store_true", help="resolve every conflict: keep ours")
    side.add_argument(
        "--theirs", action="store_true", help="resolve every conflict: take the pack's"
    )
    imp.add_argument("--json", action="store_true", help="print JSON")
    imp.set_defaults(handler=cmd_import)

    conflicts = sub.add_parser("conflicts", parents=[db], help="list conflicts kept for later")
    conflicts.add_argument("--json", action="store_true", help="print JSON")
    conflicts.set_defaults(handler=cmd_conflicts)

    resolve = sub.add_parser("resolve", parents=[db, who], help="resolve a kept conflict")
    resolve.add_argument(
        "conflicts", nargs="+", metavar="ID", help="conflict ids (from 'pack conflicts')"
    )
    how = resolve.add_mutually_exclusive_group(required=True)
    how.add_argument("--ours", action="store_true", help="keep our version")
    how.add_argument("--theirs", action="store_true", help="take the pack's version")
    how.add_argument(
        "--field",
        action="append",
        metavar="KEY=SIDE",
        help="per field, e.g. answer:R-1.value=theirs",
    )
    resolve.set_defaults(handler=cmd_resolve)

    double = subparsers.add_parser(
        "double-audits", parents=[db, who], help="choose a programme's blind double audits"
    )
    double.add_argument("programme", help="programme name or id")
    double.add_argument("--seed", type=int, metavar="S", help="random seed (default: a new one)")
    double.set_defaults(handler=cmd_double_audits)


def _passphrase_parent() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--passphrase-file",
        type=Path,
        metavar="FILE",
        help=f"read the passphrase from FILE's first line (or set {PASSPHRASE_ENV})",
    )
    return parent


def _by_parent() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--by", metavar="NAME", help=f"your name for the trail (default: {USER_ENV} or login)"
    )
    return parent


def _encrypt_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--encrypt", action="store_true", help="protect the pack with a passphrase")


def _by(args: argparse.Namespace) -> str:
    return str(args.by or os.environ.get(USER_ENV) or getpass.getuser())


def passphrase(args: argparse.Namespace, *, needed: bool, confirm: bool = False) -> str | None:
    """The passphrase from --passphrase-file, the environment, or a prompt at a terminal."""
    from auditor.errors import ValidationError

    if args.passphrase_file:
        try:
            text = args.passphrase_file.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise ValidationError(f"cannot read {args.passphrase_file}: {exc.strerror}") from exc
        if not text or not text[0]:
            raise ValidationError(f"{args.passphrase_file} holds no passphrase on its first line")
        return str(text[0])
    if os.environ.get(PASSPHRASE_ENV):
        return os.environ[PASSPHRASE_ENV]
    if not needed:
        return None
    if not sys.stdin.isatty():
        raise ValidationError(
            f"a passphrase is needed: give --passphrase-file FILE or set {PASSPHRASE_ENV}"
        )
    first = getpass.getpass("Passphrase: ")
    if confirm and getpass.getpass("Passphrase again: ") != first:
        raise ValidationError("the two passphrases differ")
    return first


def _export_passphrase(args: argparse.Namespace) -> str | None:
    wanted = args.encrypt or args.passphrase_file is not None
    return passphrase(args, needed=True, confirm=True) if wanted else None


def cmd_export(args: argparse.Namespace) -> int:
    from auditor.packs import export_pack
    from auditor.programmes.records import find_programme

    secret = _export_passphrase(args)
    with open_store(args) as store:
        programme = find_programme(store, args.programme).uid if args.programme else None
        summary = export_pack(
            store,
            args.file,
            created_by=_by(args),
            programme_uid=programme,
            auditor=args.auditor,
            passphrase=secret,
        )
    _print_written(summary.path, summary.counts, summary.encrypted, summary.size)
    return 0


def cmd_assign(args: argparse.Namespace) -> int:
    from auditor.packs import make_assignment_pack
    from auditor.programmes.records import find_programme

    secret = _export_passphrase(args)
    with open_store(args) as store:
        summary = make_assignment_pack(
            store,
            args.file,
            created_by=_by(args),
            programme_uid=find_programme(store, args.programme).uid,
            auditor=args.auditor,
            passphrase=secret,
        )
    _print_written(summary.path, summary.counts, summary.encrypted, summary.size)
    return 0


def _print_written(path: Path, counts: Any, encrypted: bool, size: int) -> None:
    lock = ", encrypted" if encrypted else ""
    print(
        f"Wrote {path} ({size / 1024:.0f} KB{lock}): {counts['audits']} audits, "
        f"{counts['cases']} cases, {counts['programmes']} programmes, "
        f"{counts['trail']} trail rows"
    )


def _read(args: argparse.Namespace, path: Path) -> Any:
    from auditor.packs import read_header, read_pack

    secret = passphrase(args, needed=read_header(path).encrypted)
    return read_pack(path, secret)


def cmd_info(args: argparse.Namespace) -> int:
    manifest = _read(args, args.file).manifest
    if args.json:
        print_json(manifest.to_json())
        return 0
    print(f"{args.file.name}: {manifest.kind} pack, format {manifest.format_version}")
    print(f"  made by {manifest.created_by} on {manifest.created_at} (Case Auditor "
          f"{manifest.app_version}, database {manifest.origin[:8]}…)")  # fmt: skip
    print("  frameworks: " + ", ".join(f"{f.code} {f.version}" for f in manifest.frameworks))
    print("  holds: " + ", ".join(f"{n} {k}" for k, n in manifest.counts.items()))
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from auditor.packs import merge_packs, preview_merge

    packs = [_read(args, path) for path in args.files]  # every file checked before any merge
    side: Side | None = "ours" if args.ours else "theirs" if args.theirs else None
    results = []
    with open_store(args, readonly=args.preview) as store:
        if args.preview:
            for pack in packs:
                preview = preview_merge(store, pack)
                results.append(_preview_json(preview))
                if not args.json:
                    _print_preview(pack.path, preview)
        else:
            # All the packs in one transaction, as the app merges them: all or none.
            summaries = merge_packs(store, packs, actor=_by(args), resolutions=[side] * len(packs))
            for pack, summary in zip(packs, summaries, strict=True):
                results.append(dataclasses.asdict(summary))
                if not args.json:
                    _print_summary(pack.path, summary)
    if args.json:
        print_json(results)
    return 0


def _preview_json(preview: MergePreview) -> dict[str, Any]:
    return dataclasses.asdict(preview)


def _print_preview(path: Path, p: MergePreview) -> None:
    print(f"{path.name}: {p.kind} pack by {p.created_by}, made {p.created_at}")
    if p.already_imported_at:
        print(f"  already imported on {p.already_imported_at}: importing it again changes nothing")
        return
    print(
        f"  would add {len(p.added)}, update {len(p.updated)}, delete {len(p.deleted)}, "
        f"leave {len(p.unchanged)} unchanged; {len(p.conflicts)} in conflict"
    )
    print(
        f"  cases: {len(p.new_cases)} new, {len(p.cases_matched_by_reference)} matched by "
        f"reference; programmes: {len(p.new_programmes)} new; frameworks: "
        f"{', '.join(p.new_frameworks) or 'none new'}; trail rows: {p.new_trail_rows} new"
    )
    for conflict in p.conflicts:
        where = f"{conflict.case_reference} ({conflict.auditor})"
        print(f"  conflict {where}, audit {conflict.audit_uid}:")
        _print_differences(conflict.differences)


def _print_differences(differences: tuple[FieldDifference, ...]) -> None:
    for d in differences:
        print(f"    {d.label} [{d.key}]: ours {_show(d.ours)} | theirs {_show(d.theirs)}")


def _show(value: Any) -> str:
    text = repr(value) if value is not None else "—"
    return text if len(text) <= 60 else text[:59] + "…"


def _print_summary(path: Path, s: Any) -> None:
    if s.already_imported:
        print(f"{path.name}: already imported; nothing changed")
        return
    print(
        f"{path.name}: {s.added} added, {s.updated} updated, {s.deleted} deleted, "
        f"{s.unchanged} unchanged, {s.conflicts_resolved} conflicts resolved; "
        f"{s.cases_added} cases, {s.programmes_added} programmes, {s.trail_rows_added} trail "
        f"rows added ({s.seconds:.1f} s)"
    )
    if s.conflicts_kept:
        print(
            f"  {len(s.conflicts_kept)} conflicts kept as ours until resolved: see "
            "'case-auditor pack conflicts'"
        )


def cmd_conflicts(args: argparse.Namespace) -> int:
    from auditor.packs import list_conflicts

    with open_store(args, readonly=True) as store:
        conflicts = list_conflicts(store)
    if args.json:
        print_json([dataclasses.asdict(c) for c in conflicts])
        return 0
    if not conflicts:
        print("No conflicts to resolve.")
    for c in conflicts:
        print(
            f"{c.conflict_id}  {c.case_reference} ({c.auditor}), from a pack by {c.pack_created_by}"
        )
        _print_differences(c.differences)
    return 0


def cmd_resolve(args: argparse.Namespace) -> int:
    from auditor.packs import resolve_conflicts

    choice: Any = "ours" if args.ours else "theirs" if args.theirs else _fields(args.field)
    with open_store(args) as store:  # all of them in one transaction, or none
        resolve_conflicts(store, dict.fromkeys(args.conflicts, choice), actor=_by(args))
    for conflict in args.conflicts:
        print(f"Conflict {conflict} resolved.")
    return 0


def _fields(items: list[str]) -> dict[str, str]:
    from auditor.errors import ValidationError

    choice = {}
    for item in items:
        key, _, side = item.rpartition("=")
        if not key or side not in ("ours", "theirs"):
            raise ValidationError(f"--field {item}: write KEY=ours or KEY=theirs")
        choice[key] = side
    return choice


def cmd_double_audits(args: argparse.Namespace) -> int:
    from auditor.programmes.double_audit import assign_double_audits
    from auditor.programmes.records import find_programme

    with open_store(args) as store:
        programme = find_programme(store, args.programme)
        chosen = assign_double_audits(store, programme.uid, actor=_by(args), seed=args.seed)
        _print_pairs(store, programme.id)
    print(f"{len(chosen)} cases of {programme.name} will be audited twice, blind.")
    return 0


def _print_pairs(store: Store, programme_id: int) -> None:
    for row in store.query(
        "SELECT c.reference, pc.auditor, pc.second_auditor FROM programme_cases pc "
        "JOIN cases c ON c.id = pc.case_id WHERE pc.programme_id = ? AND pc.second_auditor != '' "
        "ORDER BY c.reference",
        [programme_id],
    ):
        print(f"  {row['reference']}: {row['auditor']} and {row['second_auditor']}")
