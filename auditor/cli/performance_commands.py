"""``case-auditor performance``: the framework's timescales over the whole case list, at the
6-, 12- and 18-month points against target, beside the audit figures (the numbers the
report's Performance sheet and the dashboard's panel show: one core function for all three).

Core modules are imported inside the handler, so ``case-auditor --version`` stays quick.
"""

from __future__ import annotations

import argparse
from typing import Any

from auditor.cli.arguments import uk_date_argument
from auditor.cli.common import db_option_parent, open_store, print_json


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "performance",
        parents=[db_option_parent()],
        help="timeliness across the whole case list (every timescale) beside the audits",
    )
    parser.add_argument("--team", metavar="T", help="only cases of this team")
    parser.add_argument(
        "--programme",
        metavar="P",
        help="the audits of this programme; the 6-, 12- and 18-month points count from its start",
    )
    parser.add_argument(
        "--from",
        dest="date_from",
        metavar="D",
        type=uk_date_argument,
        help="cases due on or after this date (audits on or after)",
    )
    parser.add_argument(
        "--to",
        dest="date_to",
        metavar="D",
        type=uk_date_argument,
        help="cases due on or before this date (audits on or before)",
    )
    parser.add_argument(
        "--start",
        metavar="D",
        type=uk_date_argument,
        help="the day the 6-, 12- and 18-month points count from, e.g. the notice's start",
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.set_defaults(handler=cmd_performance)


def cmd_performance(args: argparse.Namespace) -> int:
    from auditor.cases.records import teams
    from auditor.errors import NotFoundError, ValidationError
    from auditor.figures.dashboard import dashboard_framework
    from auditor.figures.performance import performance_report
    from auditor.figures.stats import AuditFilter
    from auditor.programmes.records import find_programme

    if args.date_from and args.date_to and args.date_to < args.date_from:
        raise ValidationError("--to is before --from")
    with open_store(args, readonly=True) as store:
        if args.team and args.team not in teams(store):
            raise NotFoundError(f"no team called '{args.team}'")
        programme = find_programme(store, args.programme) if args.programme else None
        uid = programme.uid if programme else None
        report = performance_report(
            store,
            dashboard_framework(store, AuditFilter(programme_uid=uid)),
            team=args.team,
            date_from=args.date_from,
            date_to=args.date_to,
            programme_uid=uid,
            points_start=args.start,
        )
    if args.json:
        print_json(report.to_dict())
    else:
        print("\n".join(report_lines(report)))
    return 0


def report_lines(report: Any) -> list[str]:
    """The figures as lines of text: one block per indicator, then the audit criteria that
    miss their target at a point."""
    from auditor.clock import uk_date
    from auditor.words import plural

    scope = [f"team {report.team}" if report.team else "all teams"]
    if report.date_from or report.date_to:
        scope.append(
            f"due {uk_date(report.date_from, 'any time')} to {uk_date(report.date_to, 'any time')}"
        )
    lines = [
        f"Timeliness across {plural(report.cases, 'case')} ({', '.join(scope)}), "
        f"as at {uk_date(report.on)}."
    ]
    if report.framework is None:
        return [*lines, "No framework: nothing to measure."]
    for i in report.indicators:
        t = i.total
        lines += ["", f"{i.code}: {i.timescale.label}"]
        lines.append(
            f"  {t.in_scope:,} in scope: {t.met:,} met, {t.not_met:,} not met "
            f"({t.overdue:,} overdue with no end date), {t.not_yet_due:,} not yet due, "
            f"{t.not_checkable:,} not checkable."
        )
        lines.append(
            f"  {_percent_text(t)} met, target {_target(i.target)}; "
            f"median {_median(t.median_taken, i.timescale.unit)}."
        )
        if i.criterion is not None:
            c = i.criterion
            lines.append(
                f"  Audits ({c.code}): {_percent(c.met_percent)} met of "
                f"{plural(c.scored, 'audit')}."
            )
        for p in i.points:
            lines.append(
                f"  {p.period.label} ({uk_date(p.period.start)} to "
                f"{uk_date(p.period.end)}): {_percent(p.percent)}, {p.verdict}."
            )
    missed = [c for c in report.audit if any(p.met is False for p in c.points)]
    if missed:
        lines += ["", "Audit criteria below their target at a point:"]
        for c in missed:
            below = [f"{p.period.label} {_percent(p.percent)}" for p in c.points if p.met is False]
            lines.append(
                f"  {c.criterion.code} (target {_target(c.criterion.target)}): {'; '.join(below)}."
            )
    return lines


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f} %"


def _percent_text(tally: Any) -> str:
    interval = tally.interval
    if interval is None:
        return "–"
    return f"{tally.met_percent:.1f} % (95 % interval {interval[0]:.1f}–{interval[1]:.1f} %)"


def _target(target: float | None) -> str:
    return "none" if target is None else f"{target:g} %"


def _median(value: float | None, unit: str) -> str:
    from auditor.audits.timeliness import time_taken_text

    return (
        f"time taken {time_taken_text(value, unit)}"
        if value is None
        else (f"{time_taken_text(value, unit)} taken")
    )
