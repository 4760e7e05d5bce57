"""Named errors.

Every subclass of :class:`AuditorError` is an *expected* problem with a message fit
for a user (a bad file, a locked audit, a full disk). Anything else is a bug and is
logged with its traceback by the face that caught it.
"""


class AuditorError(Exception):
    """A problem the user can understand and act on; ``str(err)`` is the message."""


class FrameworkError(AuditorError):
    """A framework file is malformed; the message names the file and the criterion."""


class StoreError(AuditorError):
    """The database cannot be opened or used (corrupt, newer schema, disk full)."""


class DatabaseInUse(StoreError):
    """Another Case Auditor window holds the database; the message names the process."""


class NotFoundError(AuditorError):
    """A case, audit, programme or framework that was asked for does not exist."""


class AuditStateError(AuditorError):
    """The audit's status does not allow the change (e.g. editing a final audit)."""


class ValidationError(AuditorError):
    """Input that breaks a rule: a missing reason, an unknown answer, an incomplete audit."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []
