"""Report commands: the report workbook, the board pack (PDF) and one audit's feedback workbook."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from auditor.figures.stats import AuditFilter
    from auditor.store import Store

from auditor.cli.common import db_option_parent, open_store


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    db = db_option_parent()
    report = subparsers.add_parser(
        "report",
        parents=[db],
        help="export the report workbook (Excel): compliance, trends, teams, evidence, actions",
    )
    report.add_argument("--out", required=True, metavar="FILE.xlsx", help="the workbook to write")
    _filter_options(report)
    report.add_argument(
        "--pseudonymise",
        "--pseudonymize",
        action="store_true",
        help="replace case references by stable pseudonyms and leave worker names out",
    )
    report.set_defaults(handler=cmd_report)

    pack = subparsers.add_parser(
        "board-pack",
        parents=[db],
        help="write the board pack (PDF): a few pages for an Improvement Board, same filters",
    )
    pack.add_argument("--out", required=True, metavar="FILE.pdf", help="the PDF to write")
    _filter_options(pack)
    pack.set_defaults(handler=cmd_board_pack)

    feedback = subparsers.add_parser(
        "feedback",
        parents=[db],
        help="export one audit's feedback for the practitioner (Excel)",
    )
    feedback.add_argument(
        "audit", metavar="AUDIT", help="the audit's id, or the case reference if it has one audit"
    )
    feedback.add_argument("--out", required=True, metavar="FILE.xlsx", help="the workbook to write")
    feedback.add_argument(
        "--pseudonymise",
        "--pseudonymize",
        action="store_true",
        help="replace the case reference by its pseudonym and leave names out",
    )
    feedback.set_defaults(handler=cmd_feedback)


def _filter_options(parser: argparse.ArgumentParser) -> None:
    """The report's filters, shared by the workbook and the board pack."""
    parser.add_argument("--programme", metavar="P", help="only this programme (name or id)")
    parser.add_argument("--team", metavar="T", help="only cases of this team")
    parser.add_argument("--auditor", metavar="A", help="only audits by this auditor")
    parser.add_argument("--framework", metavar="CODE", help="only audits on this framework")
    parser.add_argument("--from", dest="date_from", metavar="DATE", help="audits on or after")
    parser.add_argument("--to", dest="date_to", metavar="DATE", help="audits on or before")
    parser.add_argument(
        "--start",
        metavar="DATE",
        help="the day the 6- and 12-month points count from, e.g. the notice's start "
        "(default: the programme's start, else --from, else the first audit's month)",
    )


def cmd_report(args: argparse.Namespace) -> int:
    from auditor.reports import export_report

    with open_store(args, readonly=True) as store:
        audit_filter = _filter(store, args)
        summary = export_report(
            store,
            args.out,
            audit_filter=audit_filter,
            pseudonymise=args.pseudonymise,
            points_start=_date(args.start, "--start"),
            progress=_progress if sys.stderr.isatty() else None,
        )
    if sys.stderr.isatty():
        print(file=sys.stderr)
    if summary.empty:
        print(f"Wrote {summary.path}: no audits match these filters.")
    else:
        print(
            f"Wrote {summary.path}: {_count(summary.audits, 'audit')}, "
            f"{_count(summary.answers, 'answer')}, {_count(summary.actions, 'action')} "
            f"in {summary.seconds:.1f} s"
        )
    return 0


def cmd_board_pack(args: argparse.Namespace) -> int:
    from auditor.reports.board_pack import export_board_pack

    with open_store(args, readonly=True) as store:
        summary = export_board_pack(
            store,
            args.out,
            audit_filter=_filter(store, args),
            points_start=_date(args.start, "--start"),
        )
    if summary.empty:
        print(f"Wrote {summary.path}: no audits match these filters.")
    else:
        print(
            f"Wrote {summary.path}: {_count(summary.audits, 'audit')}, "
            f"{_count(summary.pages, 'page')} in {summary.seconds:.1f} s"
        )
    return 0


def cmd_feedback(args: argparse.Namespace) -> int:
    from auditor.reports import export_audit_feedback

    with open_store(args, readonly=True) as store:
        uid = _audit_uid(store, args.audit)
        path = export_audit_feedback(store, uid, args.out, pseudonymise=args.pseudonymise)
    print(f"Wrote {path}")
    return 0


def _filter(store: Store, args: argparse.Namespace) -> AuditFilter:
    from auditor.cases.records import teams
    from auditor.errors import ValidationError
    from auditor.figures.stats import AuditFilter
    from auditor.frameworks.library import list_frameworks
    from auditor.programmes.records import find_programme

    date_from, date_to = _date(args.date_from, "--from"), _date(args.date_to, "--to")
    if date_from and date_to and date_to < date_from:
        raise ValidationError("--to is before --from")
    programme = find_programme(store, args.programme) if args.programme else None
    _known("team", args.team, teams(store))
    auditors = store.query("SELECT DISTINCT auditor FROM audits WHERE deleted_at IS NULL")
    _known("auditor", args.auditor, [r["auditor"] for r in auditors])
    _known("framework", args.framework, [f.code for f in list_frameworks(store)])
    return AuditFilter(
        programme_uid=programme.uid if programme else None,
        team=args.team,
        auditor=args.auditor,
        framework_code=args.framework,
        date_from=date_from,
        date_to=date_to,
    )


def _known(what: str, value: str | None, known: list[str]) -> None:
    """Refuse a team, auditor or framework this database has never heard of."""
    from auditor.errors import NotFoundError

    if value is None or value in known:
        return
    names = sorted(set(known))
    listed = ", ".join(names[:12]) + (", ..." if len(names) > 12 else "")
    raise NotFoundError(f"no {what} called '{value}'" + (f" (known: {listed})" if names else ""))


def _date(text: str | None, option: str) -> date | None:
    from auditor.errors import ValidationError
    from auditor.importing.values import parse_uk_date

    if text is None:
        return None
    try:
        value = parse_uk_date(text)  # the one reading of a typed date, as in the case lists
    except ValueError as exc:
        raise ValidationError(f"{option}: {exc}") from None
    if value is None:
        raise ValidationError(f"{option}: a date is needed")
    return value


def _audit_uid(store: Store, audit: str) -> str:
    """An audit id as given, or the one live audit of the case with that reference."""
    from auditor.audits.records import audit_row, list_audits
    from auditor.cases.records import find_case
    from auditor.errors import NotFoundError, ValidationError

    case = find_case(store, audit)
    if case is None:
        audit_row(store, audit)  # NotFoundError names the id when there is no such audit
        return audit
    audits = list_audits(store, case_uid=case.uid)
    if len(audits) == 1:
        return audits[0].uid
    if not audits:
        raise NotFoundError(f"case {audit} has not been audited")
    listed = "; ".join(f"{a.uid} ({a.audit_date}, {a.auditor})" for a in audits)
    raise ValidationError(f"case {audit} has {len(audits)} audits: give the audit's id ({listed})")


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _progress(done: int, total: int) -> None:
    print(f"\rExporting: {100 * done // total:3d} %", end="", file=sys.stderr, flush=True)
