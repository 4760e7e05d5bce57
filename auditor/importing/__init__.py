"""Importing case lists (CSV or XLSX) from councils' case-management systems.

The steps a wizard or the command line takes, each a plain function:

1. :func:`read_table` — the file as headers and rows (title, blank and totals rows skipped);
   anything unsafe or not what its name says is refused with :class:`ImportFileError`.
2. :func:`guess_columns` (from the headers and the values, with how sure each guess is) /
   :func:`load_mapping` — which column holds which case field; :func:`guess_mapping` is the
   headers alone. :meth:`ColumnMapping.with_column` corrects it, :func:`save_mapping` keeps
   it by name.
3. :func:`validate_table` — every row checked; problems with row, column and value.
4. :func:`preview_import` (a dry run) or :func:`apply_import` — one transaction, with
   progress and cancel; returns an :class:`ImportSummary`.
"""

from auditor.importing.apply import CaseChange, ImportSummary, apply_import, preview_import
from auditor.importing.errors import ImportCancelled, ImportFileError, ImportProblemsError
from auditor.importing.guessing import Basis, ColumnGuess, Guesses, guess_columns
from auditor.importing.mapping import (
    HEADER_SYNONYMS,
    IMPORT_FIELDS,
    REQUIRED_FIELDS,
    ColumnMapping,
    delete_mapping,
    guess_field,
    guess_mapping,
    list_mappings,
    load_mapping,
    save_mapping,
)
from auditor.importing.reader import SourceRow, Table, detect_kind, list_sheets, read_table
from auditor.importing.validate import CaseRecord, Problem, Validation, validate_table
from auditor.importing.values import parse_case_type, parse_uk_date

__all__ = [
    "HEADER_SYNONYMS",
    "IMPORT_FIELDS",
    "REQUIRED_FIELDS",
    "Basis",
    "CaseChange",
    "CaseRecord",
    "ColumnGuess",
    "ColumnMapping",
    "Guesses",
    "ImportCancelled",
    "ImportFileError",
    "ImportProblemsError",
    "ImportSummary",
    "Problem",
    "SourceRow",
    "Table",
    "Validation",
    "apply_import",
    "delete_mapping",
    "detect_kind",
    "guess_columns",
    "guess_field",
    "guess_mapping",
    "list_mappings",
    "list_sheets",
    "load_mapping",
    "parse_case_type",
    "parse_uk_date",
    "preview_import",
    "read_table",
    "save_mapping",
    "validate_table",
]
