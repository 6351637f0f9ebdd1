"""Typed errors raised by the core; the UI and CLI turn them into plain messages.

No error message here ever contains key material.
"""

from __future__ import annotations


class CcmError(Exception):
    """Base of every error the application expects and explains to the user."""

    @property
    def message(self) -> str:
        return str(self)


class ValidationError(CcmError):
    """A value a user typed is not acceptable; ``field`` names the form field or column."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.text = message


class ValidationErrors(CcmError):
    """Several fields are wrong at once (a whole form); ``errors`` keeps each one."""

    def __init__(self, errors: list[ValidationError]) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


class NotFound(CcmError):
    """A record asked for by id, MRN, username or NPI does not exist."""


class StaleEdit(CcmError):
    """Someone else saved this record after it was opened; reload before editing again."""


class PermissionDenied(CcmError):
    """The acting staff user may not do this."""


class WrongKey(CcmError):
    """The database key or practice passphrase does not open this database."""


class KeyUnavailable(CcmError):
    """No key could be found: no keyring entry and no passphrase was given."""


class DatabaseNewerThanApp(CcmError):
    """The database was written by a newer version of the application."""


class DatabaseExists(CcmError):
    """A practice database already exists where a new one was to be created."""


class NoDatabase(CcmError):
    """There is no practice database in the data folder yet."""


class DatabaseLocked(CcmError):
    """Another copy of the application has this practice database open."""


class BackupError(CcmError):
    """A backup, restore or verify could not be done."""


class UserRequired(PermissionDenied):
    """A command that writes was started without naming the staff member acting."""


class PeriodClosed(CcmError):
    """The change falls in a month that is closed for billing."""


class DatabaseFailure(CcmError):
    """The database could not do what was asked; nothing of this action was saved."""


class DatabaseBusy(DatabaseFailure):
    """Another program or task held the database longer than the wait allows."""


class WriteConflict(DatabaseFailure):
    """The change collides with data saved in the meantime (a duplicate, a stale record)."""


class DatabaseDamaged(DatabaseFailure):
    """The database file is damaged or is not a practice database."""


class DiskFull(DatabaseFailure):
    """There is no room left on the disk for the change."""


class RecordNotCurrent(CcmError):
    """The patient record is marked entered in error or was merged into another: nothing
    may be added to it or changed on it."""


class PracticeIncomplete(CcmError):
    """The practice's files are not all there (an empty database file, a database without
    its key file, a key file without its database): reported, never rebuilt."""
