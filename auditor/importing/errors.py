"""Named errors for importing case lists: each message names the file, the row or the column."""

from __future__ import annotations

from auditor.errors import AuditorError, ValidationError


class ImportFileError(AuditorError):
    """The file cannot be read as a case list: not what its name says, malformed, hostile
    (XML entity tricks, a zip bomb) or too big. Nothing was written."""


class ImportProblemsError(ValidationError):
    """Some rows have problems and only whole, valid files are imported unless the caller
    asked for the valid rows alone. ``problems`` lists one line per problem."""


class ImportCancelled(AuditorError):
    """The user cancelled an import; the transaction was rolled back and nothing changed."""


def too_many_rows(name: str, limit: int) -> ImportFileError:
    """The one refusal of a case list longer than ``limit`` cases (rows below the header)."""
    return ImportFileError(
        f"{name} has more than {limit:,} rows: refused (a case list holds at most "
        f"{limit:,} cases; split it into smaller files)"
    )
