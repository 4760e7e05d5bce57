"""Core commands: init, demo, verify, frameworks (list, show, import, export, template)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditor.cli.arguments import default_actor
from auditor.cli.common import db_option_parent, db_path, open_store, print_json

if TYPE_CHECKING:
    from auditor.store import Store


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    db = db_option_parent()
    init = subparsers.add_parser("init", parents=[db], help="create the database (idempotent)")
    init.set_defaults(handler=cmd_init)

    demo = subparsers.add_parser(
        "demo", parents=[db], help="fill a database with synthetic, obviously fake data"
    )
    demo.add_argument("--cases", type=int, default=300, metavar="N", help="cases (300)")
    demo.add_argument("--audits", type=int, metavar="M", help="audits (default: half the cases)")
    demo.add_argument("--seed", type=int, default=1, metavar="S", help="random seed (1)")
    demo.set_defaults(handler=cmd_demo)

    verify = subparsers.add_parser(
        "verify", parents=[db], help="check the database and its audit trail"
    )
    verify.add_argument(
        "--anchor",
        action="append",
        default=[],
        metavar="SEQ:HASH",
        help="also check the trail against an anchor from a report's About sheet or a pack",
    )
    verify.set_defaults(handler=cmd_verify)

    frameworks = subparsers.add_parser("frameworks", help="list or show audit frameworks")
    fw_sub = frameworks.add_subparsers(dest="frameworks_command", metavar="COMMAND", required=True)
    fw_list = fw_sub.add_parser("list", parents=[db], help="list frameworks and versions")
    fw_list.add_argument("--json", action="store_true", help="print JSON")
    fw_list.set_defaults(handler=cmd_frameworks_list)
    fw_show = fw_sub.add_parser("show", parents=[db], help="show one framework's criteria")
    fw_show.add_argument("code", help="framework code, e.g. IN-CFA")
    fw_show.add_argument(
        "--version", dest="fw_version", metavar="V", help="a particular version (default: newest)"
    )
    fw_show.add_argument("--json", action="store_true", help="print JSON")
    fw_show.set_defaults(handler=cmd_frameworks_show)
    fw_import = fw_sub.add_parser(
        "import", parents=[db], help="add a framework from a workbook (checked whole first)"
    )
    fw_import.add_argument("file", metavar="FILE.xlsx", help="a framework workbook")
    fw_import.add_argument("--json", action="store_true", help="print JSON")
    fw_import.set_defaults(handler=cmd_frameworks_import)
    fw_export = fw_sub.add_parser(
        "export", parents=[db], help="write a framework as a workbook to edit or read"
    )
    fw_export.add_argument("code", help="framework code, e.g. IN-CFA")
    fw_export.add_argument(
        "--version", dest="fw_version", metavar="V", help="a particular version (default: newest)"
    )
    fw_export.add_argument("--out", required=True, metavar="FILE.xlsx", help="workbook to write")
    fw_export.set_defaults(handler=cmd_frameworks_export)
    fw_template = fw_sub.add_parser(
        "template", help="write a blank framework workbook with one example row a sheet"
    )
    fw_template.add_argument("--out", required=True, metavar="FILE.xlsx", help="workbook to write")
    fw_template.set_defaults(handler=cmd_frameworks_template)
    _register_crosswalk(fw_sub, db)


def _register_crosswalk(
    fw_sub: argparse._SubParsersAction[argparse.ArgumentParser], db: argparse.ArgumentParser
) -> None:
    """``frameworks crosswalk propose|save|show``: how a new version continues an old one."""
    crosswalk = fw_sub.add_parser(
        "crosswalk", help="say how a new framework version continues an old one (for trends)"
    )
    cw_sub = crosswalk.add_subparsers(dest="crosswalk_command", metavar="COMMAND", required=True)
    propose = cw_sub.add_parser(
        "propose", parents=[db], help="write the first guess at a crosswalk, to edit and save"
    )
    propose.add_argument("old", metavar="OLD", help="the version replaced: CODE@VERSION")
    propose.add_argument("new", metavar="NEW", help="the version replacing it: CODE@VERSION")
    propose.add_argument("--out", metavar="FILE.json", help="write it here (default: print it)")
    propose.set_defaults(handler=cmd_crosswalk_propose)
    save = cw_sub.add_parser("save", parents=[db], help="check a crosswalk file whole and keep it")
    save.add_argument("file", metavar="FILE.json", help="a crosswalk, as propose writes it")
    save.add_argument("--actor", default=default_actor(), help="who is doing this (your login)")
    save.set_defaults(handler=cmd_crosswalk_save)
    show = cw_sub.add_parser("show", parents=[db], help="list crosswalks, or show one")
    show.add_argument("new", metavar="NEW", nargs="?", help="the newer version: CODE@VERSION")
    show.add_argument("--json", action="store_true", help="print JSON")
    show.set_defaults(handler=cmd_crosswalk_show)


def cmd_init(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        print(f"Database ready: {store.path} (schema {store.schema_version})")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from auditor.demo import make_demo
    from auditor.errors import ValidationError

    if args.cases < 1 or (args.audits is not None and args.audits < 0):
        raise ValidationError("--cases must be at least 1 and --audits at least 0")
    started = time.perf_counter()
    with open_store(args) as store:
        summary = make_demo(store, cases=args.cases, audits=args.audits, seed=args.seed)
    print(
        f"Added {summary.cases} demo cases, {summary.audits} audits and "
        f"{summary.programmes} programmes to {db_path(args)} "
        f"in {time.perf_counter() - started:.1f} s"
    )
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from auditor.errors import ValidationError
    from auditor.store import Store
    from auditor.store.anchor import anchor_path, head_anchor, parse_anchor, read_anchor_file
    from auditor.store.summaries import summary_problems
    from auditor.store.trail import row_count, trail_problems

    with Store.open(db_path(args), readonly=True) as store:
        try:
            anchors = [parse_anchor(text, store.origin) for text in args.anchor]
        except ValueError as exc:
            raise ValidationError(str(exc)) from None
        problems = (
            store.integrity_problems() + trail_problems(store, anchors) + summary_problems(store)
        )
        rows = row_count(store)
        unanchored = not problems and head_anchor(store) and not read_anchor_file(store.path)
    if problems:
        for problem in problems:
            print(f"case-auditor: {problem}", file=sys.stderr)
        return 1
    print(f"{db_path(args)}: database sound; audit trail intact ({rows} rows)")
    if unanchored:
        print(
            f"Note: there is no {anchor_path(db_path(args)).name} beside it (made by an older "
            "version, copied without it, or deleted): it is written at the next change."
        )
    return 0


def cmd_frameworks_list(args: argparse.Namespace) -> int:
    from auditor.frameworks.library import list_frameworks

    with open_store(args, readonly=True) as store:
        frameworks = list_frameworks(store)
    if args.json:
        print_json(
            [
                {
                    "code": f.code,
                    "version": f.version,
                    "title": f.title,
                    "criteria": len(f.criteria),
                }
                for f in frameworks
            ]
        )
        return 0
    for f in frameworks:
        print(f"{f.code:12} {f.version:8} {len(f.criteria):3} criteria  {f.title}")
    return 0


def cmd_frameworks_show(args: argparse.Namespace) -> int:
    from auditor.frameworks.library import get_framework

    with open_store(args, readonly=True) as store:
        framework = get_framework(store, args.code, args.fw_version)
    if args.json:
        print_json(framework.to_dict())
        return 0
    print(f"{framework.title} ({framework.code} version {framework.version})")
    for section in framework.sections:
        print(f"\n{section.title}")
        for c in section.criteria:
            flags = " [limiting]" if c.limiting else ""
            target = f" target {c.target:g}%" if c.target is not None else ""
            print(f"  {c.code:9} {c.text}{flags}{target}")
            if (when := framework.condition_text(c.code)) is not None:
                print(f"            Asked only {when}")
            print(f"            Source: {'; '.join(c.sources)}")
    return 0


def cmd_frameworks_import(args: argparse.Namespace) -> int:
    from auditor.frameworks.workbook import import_framework_workbook

    with open_store(args) as store:
        imported = import_framework_workbook(store, Path(args.file))
    if args.json:
        f = imported.framework
        print_json({"code": f.code, "version": f.version, "title": f.title,
                    "sections": len(f.sections), "criteria": len(f.criteria),
                    "added": imported.added})  # fmt: skip
        return 0
    print(imported.describe())
    return 0


def cmd_frameworks_export(args: argparse.Namespace) -> int:
    from auditor.frameworks.library import get_framework
    from auditor.frameworks.workbook import write_framework_workbook
    from auditor.words import plural

    with open_store(args, readonly=True) as store:
        framework = get_framework(store, args.code, args.fw_version)
    target = write_framework_workbook(framework, Path(args.out))
    print(
        f"Wrote {framework.code} version {framework.version} "
        f"({plural(len(framework.criteria), 'criterion')}) to {target}"
    )
    return 0


def cmd_frameworks_template(args: argparse.Namespace) -> int:
    from auditor.frameworks.workbook import write_blank_template

    target = write_blank_template(Path(args.out))
    print(f"Wrote a blank framework workbook to {target}: fill it in, then import it")
    return 0


def _version_argument(store: Store, text: str) -> tuple[str, str]:
    """``CODE@VERSION`` (or ``CODE`` for its newest version) → (code, version)."""
    from auditor.frameworks.library import get_framework

    code, _, version = text.partition("@")
    framework = get_framework(store, code.strip(), version.strip() or None)
    return framework.code, framework.version


def cmd_crosswalk_propose(args: argparse.Namespace) -> int:
    from auditor.frameworks.crosswalk import propose_crosswalk
    from auditor.frameworks.library import get_framework

    with open_store(args, readonly=True) as store:
        old = get_framework(store, *_version_argument(store, args.old))
        new = get_framework(store, *_version_argument(store, args.new))
    proposal = propose_crosswalk(old, new)
    text = json.dumps(proposal.to_dict(), indent=2, ensure_ascii=False) + "\n"
    if not args.out:
        sys.stdout.write(text)
        return 0
    Path(args.out).write_text(text, encoding="utf-8")
    print(f"Wrote a proposed crosswalk from {proposal.old_text} to {proposal.new_text} to "
          f"{args.out}: check each criterion's kind, then save it")  # fmt: skip
    return 0


def cmd_crosswalk_save(args: argparse.Namespace) -> int:
    from auditor.errors import ValidationError
    from auditor.frameworks.crosswalk import crosswalk_from_dict, save_crosswalk

    try:
        data = json.loads(Path(args.file).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise ValidationError(f"cannot read {args.file} as a crosswalk: {error}") from None
    crosswalk = crosswalk_from_dict(data)
    with open_store(args) as store:
        saved = save_crosswalk(store, crosswalk, actor=args.actor)
    print(f"Saved the crosswalk from {saved.old_text} to {saved.new_text}: "
          f"{_crosswalk_counts(saved)}")  # fmt: skip
    return 0


def _crosswalk_counts(crosswalk: Any) -> str:
    from auditor.frameworks.crosswalk import Kind

    parts = [f"{len(crosswalk.of_kind(kind))} {kind.value}" for kind in Kind]
    return ", ".join(parts) + f", {len(crosswalk.retired)} retired"


def cmd_crosswalk_show(args: argparse.Namespace) -> int:
    from auditor.errors import NotFoundError
    from auditor.frameworks.crosswalk import list_crosswalks, load_crosswalk

    with open_store(args, readonly=True) as store:
        if args.new:
            one = load_crosswalk(store, *_version_argument(store, args.new))
            if one is None:
                raise NotFoundError(f"no crosswalk says what {args.new} continues")
            crosswalks = [one]
        else:
            crosswalks = list_crosswalks(store)
    if args.json:
        print_json([c.to_dict() for c in crosswalks])
        return 0
    if not crosswalks:
        print("No crosswalks yet: see frameworks crosswalk propose")
    for c in crosswalks:
        print(f"{c.new_text} replaces {c.old_text} ({_crosswalk_counts(c)})")
        if args.new:
            for link in c.continuations:
                old = f" ← {', '.join(link.old)}" if link.old else ""
                print(f"  {link.criterion:9} {link.kind.label}{old}")
            for code in c.retired:
                print(f"  {code:9} Retired")
    return 0
