"""Case commands: ``cases import``, ``cases preview``, ``cases list``, ``cases mappings``.

``register`` also adds the programme and sample commands (:mod:`auditor.cli.programme_commands`),
so one entry in ``build_parser``'s list of command modules brings in the whole "cases in,
samples out" feature.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from auditor.importing import (
        ColumnMapping,
        Guesses,
        ImportProblemsError,
        ImportSummary,
        Table,
        Validation,
    )
    from auditor.store import Store

from auditor.cli import programme_commands
from auditor.cli.arguments import default_actor
from auditor.cli.common import db_option_parent, open_store, print_json

MAX_LISTED = 100  # changes and problems printed before "... and N more"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    db = db_option_parent()
    cases = subparsers.add_parser("cases", help="import and list cases")
    sub = cases.add_subparsers(dest="cases_command", metavar="COMMAND", required=True)

    imp = sub.add_parser("import", parents=[db], help="import a CSV or XLSX case list")
    _file_options(imp)
    imp.add_argument("--save-mapping", metavar="NAME", help="save the mapping used under NAME")
    imp.add_argument(
        "--dry-run", action="store_true", help="report what would change; write nothing"
    )
    imp.add_argument(
        "--valid-only", action="store_true", help="import the valid rows, skip rows with problems"
    )
    imp.add_argument("--actor", default=default_actor(), help="who is importing (your login)")
    imp.add_argument("--json", action="store_true", help="print the report as JSON")
    imp.set_defaults(handler=cmd_cases_import)

    preview = sub.add_parser(
        "preview", parents=[db], help="show a file's columns, their mapping and first rows"
    )
    _file_options(preview)
    preview.add_argument("--rows", type=int, default=5, metavar="N", help="rows to show (5)")
    preview.set_defaults(handler=cmd_cases_preview)

    lst = sub.add_parser("list", parents=[db], help="list cases")
    lst.add_argument("--team", help="only this team")
    lst.add_argument("--type", dest="case_type", help="only this case type (e.g. CP, CIN, CLA)")
    lst.add_argument("--text", help="reference, team or worker containing TEXT")
    lst.add_argument("--limit", type=int, metavar="N", help="at most N cases")
    lst.add_argument("--json", action="store_true", help="print JSON")
    lst.set_defaults(handler=cmd_cases_list)

    mappings = sub.add_parser("mappings", parents=[db], help="list saved column mappings")
    mappings.add_argument("--json", action="store_true", help="print JSON")
    mappings.set_defaults(handler=cmd_cases_mappings)

    programme_commands.register(subparsers)


def _file_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="the case list: .csv or .xlsx")
    parser.add_argument("--sheet", help="XLSX sheet to read (default: the first)")
    parser.add_argument("--header-row", type=int, metavar="N", help="the header is on row N")
    parser.add_argument("--mapping", metavar="NAME", help="use a saved column mapping")
    parser.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="FIELD=HEADER",
        help="read FIELD from the column HEADER ('FIELD=' reads it from no column); repeatable",
    )
    parser.add_argument(
        "--type-word",
        action="append",
        default=[],
        metavar="WORD=TYPE",
        help="read WORD in the case-type column as TYPE (e.g. 'S47=CP'); repeatable",
    )


# ---------------------------------------------------------------------------------------
# cases import / preview


def _read_and_map(args: argparse.Namespace, store: Store) -> tuple[Table, ColumnMapping]:
    from auditor.errors import ValidationError
    from auditor.importing import (
        IMPORT_FIELDS,
        guess_columns,
        load_mapping,
        parse_case_type,
        read_table,
    )

    table = read_table(args.file, sheet=args.sheet, header_row=args.header_row)
    mapping = load_mapping(store, args.mapping) if args.mapping else guess_columns(table).mapping
    for item in args.map:
        name, _, header = (part.strip() for part in item.partition("="))
        if name not in IMPORT_FIELDS:
            raise ValidationError(
                f"--map {item}: '{name}' is not a case field (fields: {', '.join(IMPORT_FIELDS)})"
            )
        if header:
            mapping = mapping.with_column(header, name)
        elif current := mapping.header_for(name):  # "--map worker=": read no column for it
            mapping = mapping.with_column(current, None)
    for item in args.type_word:
        word, _, kind = item.partition("=")
        try:
            case_type = parse_case_type(kind)
        except ValueError as exc:
            raise ValidationError(f"--type-word {item}: {exc}") from None
        if not word.strip() or case_type is None:
            raise ValidationError(f"--type-word {item}: give WORD=TYPE, e.g. 'S47=CP'")
        mapping = mapping.with_case_type_word(word, case_type)
    return table, mapping


def cmd_cases_preview(args: argparse.Namespace) -> int:
    from auditor.importing import guess_columns

    with open_store(args, readonly=True) as store:
        table, mapping = _read_and_map(args, store)
    _print_table_info(table, mapping, None if args.mapping else guess_columns(table))
    print(f"\nFirst {min(args.rows, len(table.rows))} rows:")
    for row in table.preview(args.rows):
        cells = " | ".join("" if v is None else str(v) for v in row.values)
        print(f"  row {row.number}: {cells}")
    return 0


def cmd_cases_import(args: argparse.Namespace) -> int:
    from auditor.importing import (
        apply_import,
        guess_columns,
        preview_import,
        save_mapping,
        validate_table,
    )

    with open_store(args) as store:
        table, mapping = _read_and_map(args, store)
        validation = validate_table(table, mapping, progress=_progress_printer("Checking"))
        blocked = bool(validation.file_problems) or (
            bool(validation.problems) and not args.valid_only
        )
        if args.dry_run or blocked:
            summary = preview_import(store, validation)
        else:
            summary = apply_import(
                store,
                validation,
                actor=args.actor,
                valid_only=args.valid_only,
                source=table.path.name,
                progress=_progress_printer("Importing"),
            )
            if args.save_mapping:
                save_mapping(store, args.save_mapping, mapping)
    if args.json:
        print_json(_import_json(table, mapping, validation, summary, blocked))
        return 2 if blocked else 0
    _print_table_info(table, mapping, None if args.mapping else guess_columns(table))
    _print_problems(validation, blocked)
    if blocked:
        raise _problems_error(validation)
    _print_summary(summary)
    return 0


def _problems_error(validation: Validation) -> ImportProblemsError:
    """One line, then every problem (row, column, value, what is wrong) on stderr."""
    from auditor.importing import ImportProblemsError
    from auditor.words import plural

    lines = [str(p) for p in validation.problems]
    if validation.file_problems:
        return ImportProblemsError(
            f"{validation.source} cannot be imported; nothing was imported", lines
        )
    return ImportProblemsError(
        f"{plural(len(validation.problems), 'problem')} in "
        f"{plural(validation.rows_with_problems, 'row')}; nothing was imported. Fix the file, or "
        f"use --valid-only to import the {len(validation.records):,} valid rows",
        lines,
    )


def _progress_printer(verb: str) -> Any:
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        end = "\n" if done >= total else ""
        print(f"\r{verb}: {done:,} of {total:,} rows", end=end, file=sys.stderr, flush=True)

    return show


def _print_table_info(table: Table, mapping: ColumnMapping, guesses: Guesses | None = None) -> None:
    """The file, its notes and every column's field; with ``guesses``, how sure each guess
    is (as the import wizard's Columns page says it), and the columns left out."""
    from auditor.importing import IMPORT_FIELDS

    print(f"Read {table.description}: header on row {table.header_row}, {len(table.rows):,} rows")
    for note in table.notes:
        print(f"  note: {note}")
    print("Columns:")
    for header in table.headers:
        name = mapping.field_for(header)
        line = f"  {header} → {IMPORT_FIELDS[name] if name else '(not imported)'}"
        guess = guesses.for_header(header) if guesses else None
        if guess is not None and guess.field == name:  # not changed with --map
            line += f"  [{guess.certainty[:1].lower()}{guess.certainty[1:]}]"
        print(line)
    for word, case_type in mapping.case_type_words.items():
        print(f"  case type word '{word}' → {case_type}")
    left_out = [h for h in table.headers if mapping.field_for(h) is None]
    if guesses is not None and left_out:
        print(f"Not imported: {', '.join(left_out)}")


def _print_problems(validation: Validation, blocked: bool) -> None:
    from auditor.words import plural

    if not validation.problems:
        print(f"All {validation.rows_total:,} rows are valid.")
        return
    if blocked:
        return  # the error lists them on stderr
    print(
        f"Skipped {plural(validation.rows_with_problems, 'row')} with "
        f"{plural(len(validation.problems), 'problem')}:"
    )
    for problem in validation.problems[:MAX_LISTED]:
        print(f"  {problem}")
    if len(validation.problems) > MAX_LISTED:
        print(f"  ... and {len(validation.problems) - MAX_LISTED:,} more (use --json for all)")


def _print_summary(summary: ImportSummary) -> None:
    print(("Imported: " if summary.written else "Dry run, nothing written: ") + str(summary))
    for change in summary.changes[:MAX_LISTED]:
        print(f"  {change.reference} {change.field}: {change.old or '(blank)'} → {change.new}")
    if len(summary.changes) > MAX_LISTED:
        print(f"  ... and {len(summary.changes) - MAX_LISTED:,} more changes (use --json)")


def _import_json(
    table: Table,
    mapping: ColumnMapping,
    validation: Validation,
    summary: ImportSummary,
    blocked: bool,
) -> dict[str, Any]:
    return {
        "file": table.description,
        "header_row": table.header_row,
        "rows": validation.rows_total,
        "notes": list(table.notes),
        "mapping": dict(mapping.columns),
        "case_type_words": dict(mapping.case_type_words),
        "problems": [
            {"row": p.row, "column": p.column, "value": p.value, "problem": p.message}
            for p in validation.problems
        ],
        "imported": summary.written,
        "blocked": blocked,
        "added": summary.added,
        "updated": summary.updated,
        "unchanged": summary.unchanged,
        "skipped": summary.skipped,
        "changes": [
            {"reference": c.reference, "field": c.field, "old": c.old, "new": c.new}
            for c in summary.changes
        ],
    }


# ---------------------------------------------------------------------------------------
# cases list / mappings


def cmd_cases_list(args: argparse.Namespace) -> int:
    from auditor.cases.records import list_cases
    from auditor.clock import uk_date
    from auditor.errors import ValidationError
    from auditor.importing import parse_case_type
    from auditor.words import plural

    case_type = None
    if args.case_type:
        try:
            case_type = parse_case_type(args.case_type)
        except ValueError as exc:
            raise ValidationError(f"--type {args.case_type}: {exc}") from None
    with open_store(args, readonly=True) as store:
        found = list_cases(
            store,
            team=args.team,
            case_type=case_type.value if case_type else None,
            text=args.text,
            limit=args.limit,
        )
    if args.json:
        print_json(
            [
                {
                    "uid": c.uid,
                    "reference": c.reference,
                    "case_type": c.case_type.value,
                    "team": c.team,
                    "worker": c.worker,
                    **{k: v.isoformat() if v else None for k, v in c.dates.items()},
                }
                for c in found
            ]
        )
        return 0
    for c in found:
        closed = c.dates.get("closed_date")
        status = f"closed {uk_date(closed)}" if closed else "open"
        print(f"{c.reference:16} {c.case_type.label:20} {c.team:28} {c.worker:24} {status}")
    print(plural(len(found), "case"))
    return 0


def cmd_cases_mappings(args: argparse.Namespace) -> int:
    from auditor.importing import IMPORT_FIELDS, list_mappings, load_mapping

    with open_store(args, readonly=True) as store:
        mappings = {name: load_mapping(store, name) for name in list_mappings(store)}
    if args.json:
        print_json(
            {
                name: {"columns": dict(m.columns), "case_type_words": dict(m.case_type_words)}
                for name, m in mappings.items()
            }
        )
        return 0
    if not mappings:
        print("No saved mappings: save one with cases import --save-mapping NAME")
    for name, mapping in mappings.items():
        print(name)
        for field, label in IMPORT_FIELDS.items():
            if header := mapping.header_for(field):
                print(f"  {header} → {label}")
        for word, case_type in mapping.case_type_words.items():
            print(f"  case type word '{word}' → {case_type}")
    return 0
