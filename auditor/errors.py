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


class TrailForkError(StoreError):
    """Two databases hold different rows at the same place of one origin's trail chain
    (a database restored from an old copy and used again): merging them is refused."""


class PackError(AuditorError):
    """An audit pack cannot be read or merged; the message names the file and the problem."""


class NotAPackError(PackError):
    """The file is not a Case Auditor audit pack at all."""


class PackVersionError(PackError):
    """The pack was made by a newer version of Case Auditor (a format this one cannot read)."""


class PassphraseRequiredError(PackError):
    """The pack is encrypted and no passphrase was given: ask for one and try again."""


class PackAuthenticationError(PackError):
    """An encrypted pack did not decrypt: a wrong passphrase, or the file was changed."""


class PackDamagedError(PackError):
    """The pack's checksum or structure does not match: the file was changed or damaged."""


class PackContentError(PackError):
    """The pack's contents break a rule (a missing field, an unknown framework version)."""


class UpgradeCancelled(StoreError):
    """The user cancelled upgrading a database while its copy was made: it is as it was."""


class MergeCancelledError(AuditorError):
    """The user cancelled a merge: nothing was written."""


class BlindAuditError(AuditorError):
    """A blind double audit's answers are hidden from the other auditor until both are
    submitted."""
