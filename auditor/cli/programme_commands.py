"""Programme and sample commands: ``programme create|list|show|assign|check-sample`` and
``sample PROGRAMME --method ...`` (registered by :mod:`auditor.cli.case_commands`)."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from datetime import date
from typing import TYPE_CHECKING, Any

from auditor.cli.arguments import LazyChoices, default_actor, names, uk_date_argument
from auditor.cli.common import db_option_parent, open_store, print_json

if TYPE_CHECKING:
    from auditor.programmes.assignment import ProgrammeCase
    from auditor.programmes.records import Programme
    from auditor.programmes.sampling import Sample, SampleSpec
    from auditor.store import Store


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    db = db_option_parent()
    actor = argparse.ArgumentParser(add_help=False)
    actor.add_argument("--actor", default=default_actor(), help="who is doing this (your login)")

    programme = subparsers.add_parser("programme", help="audit programmes and their samples")
    sub = programme.add_subparsers(dest="programme_command", metavar="COMMAND", required=True)

    create = sub.add_parser("create", parents=[db, actor], help="create a programme")
    create.add_argument("name", help="e.g. 'Dip sample May 2026'")
    create.add_argument("--framework", default="IN-CFA", help="framework code (IN-CFA)")
    create.add_argument("--framework-version", metavar="V", help="default: the newest")
    create.add_argument("--from", dest="period_start", type=uk_date_argument, metavar="DATE")
    create.add_argument("--to", dest="period_end", type=uk_date_argument, metavar="DATE")
    create.add_argument("--due", type=uk_date_argument, metavar="DATE", help="due date")
    create.add_argument("--auditors", default="", metavar="'A,B'", help="comma-separated names")
    create.add_argument("--description", default="", help="what the programme is for")
    create.add_argument(
        "--double-audit-percent", type=float, default=0.0, metavar="P", help="blind double audits"
    )
    create.set_defaults(handler=cmd_programme_create)

    lst = sub.add_parser("list", parents=[db], help="list programmes")
    lst.add_argument("--json", action="store_true", help="print JSON")
    lst.set_defaults(handler=cmd_programme_list)

    show = sub.add_parser(
        "show", parents=[db], help="a programme, its draws and each auditor's cases"
    )
    show.add_argument("name", help="programme name or id")
    show.add_argument("--auditor", help="only this auditor's cases")
    show.add_argument("--json", action="store_true", help="print JSON")
    show.set_defaults(handler=cmd_programme_show)

    assign = sub.add_parser("assign", parents=[db, actor], help="assign sampled cases to auditors")
    assign.add_argument("name", help="programme name or id")
    assign.add_argument("--case", action="append", default=[], metavar="REF", help="repeatable")
    assign.add_argument("--auditor", help="give the --case cases to this auditor")
    assign.add_argument("--second", action="store_true", help="as second (blind) auditor")
    assign.add_argument("--evenly", action="store_true", help="share unassigned cases evenly")
    assign.add_argument("--all", action="store_true", help="with --evenly: re-share every case")
    assign.add_argument("--auditors", default="", metavar="'A,B'", help="with --evenly")
    assign.set_defaults(handler=cmd_programme_assign)

    check = sub.add_parser(
        "check-sample", parents=[db], help="repeat every recorded draw from its seed"
    )
    check.add_argument("name", help="programme name or id")
    check.set_defaults(handler=cmd_programme_check_sample)

    _register_sample(subparsers, db, actor)


def _register_sample(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    db: argparse.ArgumentParser,
    actor: argparse.ArgumentParser,
) -> None:
    sample = subparsers.add_parser(
        "sample", parents=[db, actor], help="draw a programme's sample and assign it"
    )
    sample.add_argument("programme", help="programme name or id")
    method = sample.add_argument("--method", required=True)
    method.choices = LazyChoices("auditor.programmes.sampling", "METHODS")
    sample.add_argument("--n", type=int, metavar="N", help="number of cases")
    sample.add_argument("--percent", type=float, metavar="P", help="percentage of eligible cases")
    sample.add_argument("--by", default="", metavar="team,case_type", help="strata (stratified)")
    sample.add_argument("--per-team", type=int, metavar="N", help="N cases from each team")
    sample.add_argument("--closed-from", type=uk_date_argument, metavar="DATE")
    sample.add_argument("--closed-to", type=uk_date_argument, metavar="DATE")
    sample.add_argument("--case-types", default="", metavar="'CP,CIN'", help="only these types")
    sample.add_argument("--team", action="append", default=[], help="only this team; repeatable")
    sample.add_argument("--open-only", action="store_true", help="only cases not closed")
    sample.add_argument(
        "--exclude-months",
        type=int,
        default=0,
        metavar="M",
        help="leave out cases audited in the last M months (0: none)",
    )
    sample.add_argument(
        "--on", type=uk_date_argument, metavar="DATE", help="reference date (today)"
    )
    sample.add_argument("--seed", type=int, metavar="S", help="random seed (default: a new one)")
    sample.add_argument("--cases", default="", metavar="'REF,REF'", help="hand-picked references")
    sample.add_argument("--auditors", default="", metavar="'A,B'", help="share among these")
    sample.add_argument("--dry-run", action="store_true", help="show the sample; save nothing")
    sample.add_argument("--json", action="store_true", help="print JSON")
    sample.set_defaults(handler=cmd_sample)


# ---------------------------------------------------------------------------------------
# programme create / list / show


def cmd_programme_create(args: argparse.Namespace) -> int:
    from auditor.programmes.records import create_programme, find_programme

    with open_store(args) as store:
        uid = create_programme(
            store,
            actor=args.actor,
            name=args.name,
            framework_code=args.framework,
            framework_version=args.framework_version,
            period_start=args.period_start,
            period_end=args.period_end,
            due_date=args.due,
            description=args.description,
            auditors=names(args.auditors),
            double_audit_percent=args.double_audit_percent,
        )
        programme = find_programme(store, uid)
    print(f"Created programme '{programme.name}' ({programme.uid})")
    return 0


def cmd_programme_list(args: argparse.Namespace) -> int:
    from auditor.programmes.progress import programme_progress
    from auditor.programmes.records import list_programmes

    with open_store(args, readonly=True) as store:
        programmes = [(p, programme_progress(store, p.uid)) for p in list_programmes(store)]
    if args.json:
        print_json(
            [
                {**_programme_json(p), "cases": n.sampled, "started": n.started,
                 "submitted": n.submitted}
                for p, n in programmes
            ]
        )  # fmt: skip
        return 0
    for p, n in programmes:
        print(
            f"{p.name:40} {_period(p):25} {n.sampled:5} cases {n.started:5} started "
            f"{n.submitted:5} submitted  {', '.join(p.auditors)}"
        )
    return 0


def cmd_programme_show(args: argparse.Namespace) -> int:
    from auditor.domain import CaseType
    from auditor.programmes.assignment import auditor_lists, programme_cases
    from auditor.programmes.records import find_programme
    from auditor.words import plural

    with open_store(args, readonly=True) as store:
        programme = find_programme(store, args.name)
        if args.auditor:
            lists = {args.auditor: programme_cases(store, programme.uid, auditor=args.auditor)}
        else:
            lists = auditor_lists(store, programme.uid)
    if args.json:
        print_json(
            {
                **_programme_json(programme),
                "draws": [_draw_summary(d) for d in _draws(programme)],
                "cases": {a: [_case_json(c) for c in cases] for a, cases in lists.items()},
            }
        )
        return 0
    print(f"{programme.name} ({programme.framework_code} {programme.framework_version})")
    print(f"Period: {_period(programme)}; due {_uk(programme.due_date)}")
    print(f"Auditors: {', '.join(programme.auditors) or 'none yet'}")
    for number, draw in enumerate(_draws(programme), start=1):
        print(f"Draw {number}: {_describe_draw(draw)}")
    for auditor, cases in lists.items():
        print(f"\n{auditor or '(unassigned)'}: {plural(len(cases), 'case')}")
        for c in cases:
            second = f" (second auditor: {c.second_auditor})" if c.second_auditor else ""
            status = c.audit_status or "not started"
            print(
                f"  {c.reference:16} {CaseType(c.case_type).label:20} {c.team:28} {status}{second}"
            )
    return 0


def _draws(programme: Programme) -> list[dict[str, Any]]:
    return list((programme.sample or {}).get("draws", []))


def _draw_summary(draw: dict[str, Any]) -> dict[str, Any]:
    """A draw record without its (long) population."""
    return {k: v for k, v in draw.items() if k != "population"}


def _describe_draw(draw: dict[str, Any]) -> str:
    parameters = ", ".join(
        f"{k}={v}"
        for k, v in draw["parameters"].items()
        if k not in ("method", "seed", "reference_date", "references")
    )
    return (
        f"{draw['method']} ({parameters or 'no parameters'}), seed {draw['seed']}, "
        f"{len(draw['sample'])} of {draw['eligible']} eligible, by {draw.get('drawn_by', '?')} "
        f"at {str(draw.get('drawn_at', ''))[:16]}"
    )


def _programme_json(p: Programme) -> dict[str, Any]:
    return {
        "uid": p.uid,
        "name": p.name,
        "framework": p.framework_code,
        "framework_version": p.framework_version,
        "period_start": p.period_start,
        "period_end": p.period_end,
        "due_date": p.due_date,
        "auditors": list(p.auditors),
    }


def _case_json(c: ProgrammeCase) -> dict[str, Any]:
    return {
        "reference": c.reference,
        "case_type": c.case_type,
        "team": c.team,
        "worker": c.worker,
        "closed_date": c.closed_date,
        "auditor": c.auditor,
        "second_auditor": c.second_auditor,
        "audit_status": c.audit_status,
    }


def _uk(value: date | None) -> str:
    from auditor.clock import uk_date

    return uk_date(value, "—")


def _period(p: Programme) -> str:
    return f"{_uk(p.period_start)} – {_uk(p.period_end)}"


# ---------------------------------------------------------------------------------------
# programme assign / check-sample


def cmd_programme_assign(args: argparse.Namespace) -> int:
    from auditor.errors import ValidationError
    from auditor.programmes.assignment import assign_cases, share_evenly
    from auditor.programmes.records import find_programme
    from auditor.words import plural

    if args.evenly == bool(args.case):
        raise ValidationError("give either --case REF --auditor NAME, or --evenly")
    with open_store(args) as store:
        programme = find_programme(store, args.name)
        if args.evenly:
            changes = share_evenly(
                store,
                programme.uid,
                actor=args.actor,
                auditors=names(args.auditors) or None,
                only_unassigned=not args.all,
            )
        else:
            if not args.auditor:
                raise ValidationError("--case needs --auditor NAME")
            assignments = {ref.strip(): args.auditor.strip() for ref in args.case}
            changes = assign_cases(
                store, programme.uid, assignments, actor=args.actor, second=args.second
            )
    print(f"{plural(len(changes), 'case')} assigned in '{programme.name}'")
    return 0


def cmd_programme_check_sample(args: argparse.Namespace) -> int:
    from auditor.programmes.records import find_programme
    from auditor.programmes.samples import check_sample_records

    with open_store(args, readonly=True) as store:
        programme = find_programme(store, args.name)
        problems = check_sample_records(store, programme.uid)
    if problems:
        for problem in problems:
            print(f"case-auditor: {programme.name}: {problem}", file=sys.stderr)
        return 1
    print(f"{programme.name}: every recorded draw ({len(_draws(programme))}) reproduces exactly")
    return 0


# ---------------------------------------------------------------------------------------
# sample


def _spec(args: argparse.Namespace) -> SampleSpec:
    from auditor.errors import ValidationError
    from auditor.importing import parse_case_type
    from auditor.programmes.sampling import SampleSpec

    by = tuple("case_type" if b in ("type", "case_type") else b for b in names(args.by))
    case_types = []
    for word in names(args.case_types):
        try:
            case_type = parse_case_type(word)
        except ValueError as exc:
            raise ValidationError(f"--case-types {word}: {exc}") from None
        if case_type is not None:
            case_types.append(case_type.value)
    return SampleSpec(
        method=args.method,
        n=args.n,
        percent=args.percent,
        by=by,
        per_team=args.per_team,
        closed_from=args.closed_from,
        closed_to=args.closed_to,
        case_types=tuple(case_types),
        teams=tuple(t.strip() for t in args.team if t.strip()),
        open_only=args.open_only,
        exclude_months=args.exclude_months,
        references=tuple(names(args.cases)),
        seed=args.seed,
        reference_date=args.on,
    )


def cmd_sample(args: argparse.Namespace) -> int:
    from auditor.programmes.records import find_programme
    from auditor.programmes.samples import draw_for_programme, save_sample
    from auditor.words import plural

    with open_store(args) as store:
        programme = find_programme(store, args.programme)
        sample = draw_for_programme(store, programme.uid, _spec(args))
        auditors = names(args.auditors) or list(programme.auditors)
        assignment = _assignment(store, programme, sample, auditors)
        if not args.dry_run:
            save_sample(
                store,
                programme.uid,
                sample,
                actor=args.actor,
                auditors=auditors,
                assignment=assignment,
            )
    if args.json:
        print_json(
            {
                **_draw_summary(sample.record()),
                "saved": not args.dry_run,
                "assignment": {c.reference: assignment.get(c.uid, "") for c in sample.cases},
            }
        )
        return 0
    _print_sample(programme, sample, assignment)
    if args.dry_run:
        print(
            f"Dry run: nothing saved. Run again with --seed {sample.spec.seed} (and no "
            "--dry-run) to save this same sample."
        )
    else:
        print(f"Saved {plural(len(sample.cases), 'case')} to '{programme.name}'.")
    return 0


def _assignment(
    store: Store, programme: Programme, sample: Sample, auditors: list[str]
) -> dict[str, str]:
    from auditor.programmes.assignment import assign_evenly, programme_cases

    if not auditors:
        return {}
    load = Counter(c.auditor for c in programme_cases(store, programme.uid) if c.auditor)
    return assign_evenly(sample.cases, auditors, current_load=load)


def _print_sample(programme: Programme, sample: Sample, assignment: dict[str, str]) -> None:
    from auditor.domain import CaseType
    from auditor.words import plural

    spec = sample.spec
    print(
        f"Sample for '{programme.name}': {spec.method}, seed {spec.seed}, "
        f"reference date {_uk(spec.reference_date)}"
    )
    if spec.closed_from or spec.closed_to:
        print(f"Closed between {_uk(spec.closed_from)} and {_uk(spec.closed_to)}")
    print(
        f"Eligible: {plural(len(sample.population), 'case')}; left out as recently audited: "
        f"{len(sample.excluded):,}"
    )
    for stratum in sample.strata:
        print(f"  {stratum.label}: {stratum.sampled} of {stratum.population}")
    for note in sample.notes:
        print(f"  note: {note}")
    print(f"Cases ({len(sample.cases)}):")
    for c in sample.cases:
        auditor = assignment.get(c.uid) or "(unassigned)"
        print(f"  {c.reference:16} {CaseType(c.case_type).label:20} {c.team:28} → {auditor}")
