"""Encrypted backup, verify and restore of the practice database.

A backup is a complete SQLCipher database under the same key, written with
``sqlcipher_export`` into a private temporary file, fsynced and renamed into place, so
a failed backup never leaves a half-written file. Next to it goes a copy of the
passphrase-wrapped key (``<backup>.key.json``), so the backup can be restored on
another PC with the practice passphrase. Every file is private to the user (0600).

A restore refuses anything that is not a complete, verified practice of this
application (empty, truncated, foreign, damaged, of another practice, a leftover partial
file) before touching anything, keeps a copy of the current database, and swaps the
database and the key file together atomically (:mod:`ccm_desktop.db.swap`).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import sqlcipher3
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError, OperationalError

from ccm_desktop.db import swap
from ccm_desktop.db.engine import Database
from ccm_desktop.errors import BackupError, CcmError, DatabaseDamaged, WrongKey
from ccm_desktop.fileperms import make_private, open_private, private_dir
from ccm_desktop.paths import DataPaths

KEY_SIDECAR_SUFFIX = ".key.json"
PARTIAL_SUFFIX = ".partial"
# SQLCipher 4's page size (the application never changes it): a practice file is always
# a whole number of pages.
PAGE_SIZE = 4096
# Names of files that are never a backup: leftovers of an interrupted backup or restore.
NOT_A_BACKUP = (PARTIAL_SUFFIX, swap.STAGED_SUFFIX, ".tmp", "-wal", "-shm", KEY_SIDECAR_SUFFIX)


def key_sidecar(backup: Path) -> Path:
    """Where the wrapped key travels with a backup file."""
    return backup.with_name(backup.name + KEY_SIDECAR_SUFFIX)


def _damage(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    return f"the database file is damaged ({str(orig).splitlines()[0][:200]})"


def quick_check(db: Database) -> str | None:
    """SQLite's ``quick_check`` (every page of every table and index is read, so under
    SQLCipher every page in use is authenticated too): None when the database is intact,
    else the problem in plain words. About 1 s for a 5,000-patient practice with two
    years of records (62 MB; docs/engineering-notes.md)."""
    try:
        with db.engine.connect() as conn:
            rows = [str(r[0]) for r in conn.execute(text("PRAGMA quick_check"))]
            conn.rollback()
    except (DatabaseError, OperationalError) as exc:
        return _damage(exc)
    return None if rows == ["ok"] else "; ".join(rows[:5])


def ensure_intact(db: Database, doing: str = "change anything") -> None:
    """:class:`DatabaseDamaged` in plain words when :func:`quick_check` finds damage: the
    commands that write call this first, so a damaged database is never written to."""
    problem = quick_check(db)
    if problem is not None:
        raise DatabaseDamaged(
            f"The practice database is damaged ({problem}), so CCM Desktop will not "
            f"{doing}: nothing was changed. Run verify, and restore the latest good backup."
        )


def _private_copy(source: Path, target: Path) -> None:
    """Copy ``source`` to a new private file ``target`` and flush it to the disk."""
    with open(source, "rb") as src, open_private(target, "xb") as dst:
        shutil.copyfileobj(src, dst, 1024 * 1024)
        dst.flush()
        os.fsync(dst.fileno())


def backup_to(db: Database, target: Path, wrapped_key: Path | None = None) -> Path:
    """Write an encrypted copy of ``db`` to ``target`` (refuses to overwrite a file, and
    to copy a damaged database); the key file ``wrapped_key`` goes next to it."""
    target = target.expanduser().resolve()
    if target.exists():
        raise BackupError(f"{target} already exists: choose a new file name.")
    if not target.parent.is_dir():
        raise BackupError(f"The folder {target.parent} does not exist.")
    ensure_intact(db, "back it up (the copy would be damaged too)")
    tmp = target.with_name(target.name + PARTIAL_SUFFIX)
    tmp.unlink(missing_ok=True)
    sidecar = key_sidecar(target)
    sidecar_tmp = sidecar.with_name(sidecar.name + PARTIAL_SUFFIX)
    sidecar_tmp.unlink(missing_ok=True)
    open_private(tmp, "xb").close()  # private from its first byte (SQLite fills it)
    try:
        with db.engine.connect() as conn:
            raw = conn.connection.dbapi_connection
            assert raw is not None
            raw.execute(f"ATTACH DATABASE ? AS bk KEY {db.key_sql()}", (str(tmp),))
            try:
                raw.execute("BEGIN")
                raw.execute("SELECT sqlcipher_export('bk')")
                raw.execute("COMMIT")
            except Exception as exc:
                raw.execute("ROLLBACK")
                raise BackupError(f"The backup could not be written: {exc}") from exc
            finally:
                raw.execute("DETACH DATABASE bk")
        swap.fsync_file(tmp)
        if wrapped_key is not None and wrapped_key.exists():
            _private_copy(wrapped_key, sidecar_tmp)
            os.replace(sidecar_tmp, sidecar)
        os.replace(tmp, target)
        make_private(target)
        swap.fsync_dir(target.parent)
    finally:
        tmp.unlink(missing_ok=True)
        sidecar_tmp.unlink(missing_ok=True)
    return target


@dataclass
class Check:
    """One verification step and its outcome in plain words."""

    name: str
    ok: bool
    detail: str


@dataclass
class VerifyReport:
    """The result of :func:`verify`: every check, and whether all passed."""

    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def damaged(self) -> bool:
        """True when a check other than the migration level failed."""
        return any(not c.ok for c in self.checks if c.name != "migration level")


def _pragma_rows(db: Database, pragma: str) -> list[str]:
    with db.engine.connect() as conn:
        rows = [str(r[0]) for r in conn.execute(text(f"PRAGMA {pragma}"))]
        conn.rollback()
    return rows


def verify(db: Database) -> VerifyReport:
    """Integrity, cipher integrity (page HMACs), foreign keys and migration level.

    Damage (malformed pages, a truncated file) is a failed check, never an exception.
    """
    from ccm_desktop.db.migrate import current_revision, head_revision

    report = VerifyReport()

    def run(name: str, step: Callable[[], Check]) -> None:
        try:
            report.checks.append(step())
        except (DatabaseError, OperationalError) as exc:
            report.checks.append(Check(name, False, _damage(exc)))

    def integrity() -> Check:
        rows = _pragma_rows(db, "integrity_check")
        return Check("integrity", rows == ["ok"], "ok" if rows == ["ok"] else "; ".join(rows[:5]))

    def cipher() -> Check:
        bad = _pragma_rows(db, "cipher_integrity_check")
        return Check(
            "cipher integrity",
            not bad,
            "every page authenticates" if not bad else "; ".join(bad[:5]),
        )

    def foreign_keys() -> Check:
        fk = _pragma_rows(db, "foreign_key_check")
        return Check("foreign keys", not fk, "all links intact" if not fk else f"{len(fk)} broken")

    def migration() -> Check:
        rev, head = current_revision(db), head_revision()
        return Check(
            "migration level",
            rev == head,
            f"at {rev} (current)" if rev == head else f"at {rev}, this version expects {head}",
        )

    run("integrity", integrity)
    if db.encrypted:
        run("cipher integrity", cipher)
    run("foreign keys", foreign_keys)
    run("migration level", migration)
    return report


def file_size_problem(path: Path) -> str | None:
    """Why ``path`` cannot be a whole practice database by its size alone, or None."""
    size = path.stat().st_size
    if size == 0:
        return "the file is empty (0 bytes)"
    if size % PAGE_SIZE:
        return (
            f"the file is truncated ({size:,} bytes is not a whole number of "
            f"{PAGE_SIZE:,}-byte pages)"
        )
    return None


def page_authentication(path: Path, key: bytes) -> tuple[int, int]:
    """(pages that fail their HMAC, pages in the file) under ``key``, read without opening
    the database's schema (which needs page 1). A wrong key fails every page; a right key
    on a file with a damaged first page fails only the damaged pages."""
    conn = sqlcipher3.connect(str(path))
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        failed = len(conn.execute("PRAGMA cipher_integrity_check").fetchall())
    except sqlcipher3.DatabaseError:
        failed = -1
    finally:
        conn.close()
    pages = path.stat().st_size // PAGE_SIZE
    return (pages if failed < 0 else failed), pages


def verify_file(path: Path, key: bytes) -> VerifyReport:
    """Verify the database file at ``path`` under ``key``: a "file" check (size), then
    :func:`verify`. Damage is reported as failed checks; :class:`WrongKey` only when no
    page at all authenticates under the key (a wrong key, or a file whose first 16 bytes,
    the salt every page's check depends on, are damaged)."""
    report = VerifyReport()
    size_problem = file_size_problem(path)
    report.checks.append(
        Check("file", size_problem is None, size_problem or "a whole number of pages")
    )
    if path.stat().st_size == 0:
        return report
    try:
        db = Database(path, key)
    except WrongKey:
        failed, pages = page_authentication(path, key)
        if failed >= pages:
            raise
        report.checks.append(
            Check(
                "cipher integrity",
                False,
                f"{failed} of {pages} pages fail their check, the first page among them: "
                "the file is damaged (the key is right: the other pages open with it)",
            )
        )
        return report
    except (DatabaseError, OperationalError) as exc:
        report.checks.append(Check("integrity", False, _damage(exc)))
        return report
    try:
        report.checks += verify(db).checks
    finally:
        db.close()
    return report


# -- restore ------------------------------------------------------------------------
@dataclass(frozen=True)
class PracticeIdentity:
    """What names a practice: its name, NPI and TIN (the billing identity)."""

    name: str
    npi: str
    tin: str

    def same_practice(self, other: PracticeIdentity) -> bool:
        return (self.npi, self.tin) == (other.npi, other.tin)

    def __str__(self) -> str:
        return f"{self.name} (NPI {self.npi})"


def practice_identity(db: Database) -> PracticeIdentity | None:
    """The practice in ``db``; None when it has none (never set up)."""
    with db.engine.connect() as conn:
        row = conn.execute(text("SELECT name, npi, tin FROM practice ORDER BY id LIMIT 1")).first()
        conn.rollback()
    return None if row is None else PracticeIdentity(str(row[0]), str(row[1]), str(row[2]))


def check_backup_file(source: Path) -> None:
    """Refuse, before anything is read or copied, a file that cannot be a whole backup."""
    if not source.is_file():
        raise BackupError(f"There is no backup file at {source}.")
    if source.name.endswith(NOT_A_BACKUP):
        raise BackupError(
            f"{source.name} is not a backup: it is a leftover or companion file of an "
            "interrupted backup or restore. Choose the .ccmbak file itself."
        )
    problem = file_size_problem(source)
    if problem is not None:
        raise BackupError(f"{source.name} cannot be restored: {problem}. Nothing was changed.")


def _candidate_checks(
    candidate: Database, source: Path, accept: Callable[[Database], None] | None
) -> tuple[VerifyReport, PracticeIdentity]:
    """Open checks of a staged backup: ours, known revision, intact, has a practice."""
    from ccm_desktop.db.migrate import _check_known, current_revision

    try:
        tables = set(_table_names(candidate))
        rev = current_revision(candidate) if "alembic_version" in tables else None
        if rev is None or "practice" not in tables:
            raise BackupError(
                f"{source.name} is not a CCM Desktop practice backup (it has no practice "
                "records of this application). Nothing was changed."
            )
        _check_known(rev)
        report = verify(candidate)
        if report.damaged:
            raise BackupError(
                "The backup file failed its checks: "
                + "; ".join(f"{c.name}: {c.detail}" for c in report.checks if not c.ok)
                + ". Nothing was changed."
            )
        identity = practice_identity(candidate)
        if identity is None:
            raise BackupError(
                f"{source.name} holds a practice that was never set up: there is nothing "
                "to restore. Nothing was changed."
            )
        if accept is not None:
            accept(candidate)
    except (DatabaseError, OperationalError) as exc:
        raise BackupError(f"The backup file is damaged: {_damage(exc)}.") from None
    return report, identity


def _table_names(db: Database) -> list[str]:
    with db.engine.connect() as conn:
        names = [str(r[0]) for r in conn.execute(text("SELECT name FROM sqlite_master"))]
        conn.rollback()
    return names


@dataclass
class _Current:
    identity: PracticeIdentity | None
    intact: bool


def _look_at_current(paths: DataPaths, key: bytes | None) -> _Current:
    """The current practice's identity and whether it is intact (unreadable: neither)."""
    if key is None or not paths.database.exists() or file_size_problem(paths.database):
        return _Current(None, False)
    try:
        db = Database(paths.database, key)
    except (CcmError, DatabaseError, OperationalError):
        return _Current(None, False)
    try:
        intact = quick_check(db) is None
        identity = practice_identity(db) if intact else None
        return _Current(identity, intact)
    except (DatabaseError, OperationalError):
        return _Current(None, False)
    finally:
        db.close()


def _kept_name(backups_dir: Path, note: str = "") -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    kept = backups_dir / f"before-restore-{stamp}{note}.ccmbak"
    n = 1
    while kept.exists():  # two restores within one second
        n += 1
        kept = backups_dir / f"before-restore-{stamp}{note}-{n}.ccmbak"
    return kept


def _keep_current(paths: DataPaths, key: bytes | None, current: _Current) -> Path | None:
    """A copy of the current database in the backups folder: an encrypted backup when it
    is intact, else a raw copy of its (still encrypted) file and WAL."""
    if not paths.database.exists():
        return None
    private_dir(paths.backups)
    if current.intact and key is not None:
        kept = _kept_name(paths.backups)
        db = Database(paths.database, key)
        try:
            return backup_to(db, kept, wrapped_key=paths.wrapped_key)
        finally:
            db.close()
    kept = _kept_name(paths.backups, "-damaged")
    _private_copy(paths.database, kept)
    wal = paths.database.with_name(paths.database.name + "-wal")
    if wal.exists():
        _private_copy(wal, kept.with_name(kept.name + "-wal"))
    if paths.wrapped_key.exists():
        _private_copy(paths.wrapped_key, key_sidecar(kept))
    return kept


def restore_from(
    source: Path,
    paths: DataPaths,
    key: bytes,
    *,
    current_key: bytes | None = None,
    new_key_file: Path | None = None,
    accept: Callable[[Database], None] | None = None,
) -> tuple[Path | None, VerifyReport]:
    """Replace the practice in ``paths`` with the backup ``source`` (opened with ``key``).

    The caller holds the instance lock and has closed every connection. Before anything
    is replaced the backup is checked: a whole file, a CCM Desktop practice at a known
    revision, every check passed, the same practice (NPI and TIN) as the current one when
    that can be read (a new PC or a damaged practice accepts any), and ``accept`` (raise
    to stop). Then the current database is kept in the backups folder (returned), and the
    database, with ``new_key_file`` as the practice's key file when given, is swapped in
    atomically: killed at any moment, the practice opens afterwards as before or as
    restored. ``current_key`` opens the current database when it differs from ``key``.
    """
    source = source.expanduser().resolve()
    check_backup_file(source)
    swap.recover(paths)
    private_dir(paths.root)
    staging = swap.staged_database(paths)
    staged_key = swap.staged_key(paths)
    try:
        _private_copy(source, staging)  # verified as a private copy: the source is untouched
        swap.crash_point("restore:staging")
        try:
            candidate = Database(staging, key)
        except WrongKey:
            raise WrongKey(
                "This backup was made with a different practice key: "
                "unlock it with the practice passphrase it was made under."
            ) from None
        except (DatabaseError, OperationalError) as exc:
            raise BackupError(
                f"The backup file is damaged: {_damage(exc)}. Nothing was changed."
            ) from None
        try:
            report, identity = _candidate_checks(candidate, source, accept)
        finally:
            candidate.close()
        swap.remove_sidecars(staging)
        current = _look_at_current(paths, current_key or key)
        if current.identity is not None and not current.identity.same_practice(identity):
            raise BackupError(
                f"This backup is of another practice: it holds {identity}, and the practice "
                f"here is {current.identity}. Nothing was changed."
            )
        kept = _keep_current(paths, current_key or key, current)
        if new_key_file is not None:
            _private_copy(new_key_file, staged_key)
        swap.fsync_file(staging)
        swap.fsync_dir(paths.root)
        swap.crash_point("restore:staged")
        swap.commit(paths, with_key=new_key_file is not None)
        return kept, report
    finally:
        if not swap.journal(paths).exists():  # not committed: the staged files go
            for f in (staging, staged_key):
                f.unlink(missing_ok=True)
            swap.remove_sidecars(staging)
