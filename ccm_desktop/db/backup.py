"""Encrypted backup, verify and restore of the practice database.

A backup is a complete SQLCipher database under the same key, written with
``sqlcipher_export`` into a temporary file and renamed into place, so a failed
backup never leaves a half-written file. Next to it goes a copy of the
passphrase-wrapped key (``<backup>.key.json``), so the backup can be restored on
another PC with the practice passphrase. A restore first keeps a backup of the
current database, and never writes a plain copy of anything.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from ccm_desktop.db.engine import Database
from ccm_desktop.errors import BackupError, WrongKey

KEY_SIDECAR_SUFFIX = ".key.json"


def key_sidecar(backup: Path) -> Path:
    """Where the wrapped key travels with a backup file."""
    return backup.with_name(backup.name + KEY_SIDECAR_SUFFIX)


def backup_to(db: Database, target: Path, wrapped_key: Path | None = None) -> Path:
    """Write an encrypted copy of ``db`` to ``target`` (refuses to overwrite a file)."""
    target = target.expanduser().resolve()
    if target.exists():
        raise BackupError(f"{target} already exists: choose a new file name.")
    if not target.parent.is_dir():
        raise BackupError(f"The folder {target.parent} does not exist.")
    tmp = target.with_name(target.name + ".partial")
    tmp.unlink(missing_ok=True)
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
    os.replace(tmp, target)
    if wrapped_key is not None and wrapped_key.exists():
        shutil.copyfile(wrapped_key, key_sidecar(target))
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


def verify(db: Database) -> VerifyReport:
    """Integrity, cipher integrity (page HMACs), foreign keys and migration level."""
    from ccm_desktop.db.migrate import current_revision, head_revision

    report = VerifyReport()
    with db.engine.connect() as conn:
        rows = [r[0] for r in conn.execute(text("PRAGMA integrity_check"))]
        report.checks.append(
            Check("integrity", rows == ["ok"], "ok" if rows == ["ok"] else "; ".join(rows[:5]))
        )
        if db.encrypted:
            bad = [str(r[0]) for r in conn.execute(text("PRAGMA cipher_integrity_check"))]
            report.checks.append(
                Check(
                    "cipher integrity",
                    not bad,
                    "every page authenticates" if not bad else "; ".join(bad[:5]),
                )
            )
        fk = conn.execute(text("PRAGMA foreign_key_check")).fetchall()
        report.checks.append(
            Check("foreign keys", not fk, "all links intact" if not fk else f"{len(fk)} broken")
        )
        conn.rollback()
    rev, head = current_revision(db), head_revision()
    report.checks.append(
        Check(
            "migration level",
            rev == head,
            f"at {rev} (current)" if rev == head else f"at {rev}, this version expects {head}",
        )
    )
    return report


def restore_from(
    source: Path,
    database: Path,
    key: bytes,
    backups_dir: Path,
    *,
    current_key: bytes | None = None,
    wrapped_key: Path | None = None,
    accept: Callable[[Database], None] | None = None,
) -> tuple[Path | None, VerifyReport]:
    """Replace the database at ``database`` with the backup ``source`` (same ``key``).

    The backup is opened and verified first; a wrong key or a damaged backup raises
    and leaves everything as it was. The current database, if any, is first copied
    to ``backups_dir`` (returned). The caller must have closed every connection.
    A backup made under another key is restored with that ``key``; then the current
    database is opened with ``current_key`` for its kept copy, and ``wrapped_key`` (the
    current key file) is kept next to that copy. ``accept``, when given, is called with the
    verified backup before anything is replaced; whatever it raises stops the restore.
    """
    from ccm_desktop.db.migrate import _check_known, current_revision

    source = source.expanduser().resolve()
    if not source.is_file():
        raise BackupError(f"There is no backup file at {source}.")
    # Verify a private copy, so the source file is never touched.
    staging = database.with_name(database.name + ".restoring")
    _remove_db_files(staging)
    shutil.copyfile(source, staging)
    try:
        try:
            candidate = Database(staging, key)
        except WrongKey:
            raise WrongKey(
                "This backup was made with a different practice key: "
                "unlock it with the practice passphrase it was made under."
            ) from None
        try:
            _check_known(current_revision(candidate))
            report = verify(candidate)
            integrity_ok = all(c.ok for c in report.checks if c.name != "migration level")
            if integrity_ok and accept is not None:
                accept(candidate)
        except DatabaseError as exc:
            raise BackupError(f"The backup file is damaged: {exc.orig}") from None
        finally:
            candidate.close()
        if not integrity_ok:
            raise BackupError(
                "The backup file failed its checks: "
                + "; ".join(f"{c.name}: {c.detail}" for c in report.checks if not c.ok)
            )
        kept: Path | None = None
        if database.exists():
            backups_dir.mkdir(parents=True, exist_ok=True)
            stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
            kept = backups_dir / f"before-restore-{stamp}.ccmbak"
            n = 1
            while kept.exists():  # two restores within one second
                n += 1
                kept = backups_dir / f"before-restore-{stamp}-{n}.ccmbak"
            current = Database(database, current_key or key)
            try:
                backup_to(current, kept, wrapped_key=wrapped_key)
            finally:
                current.close()
        _remove_db_files(database)
        os.replace(staging, database)
        return kept, report
    finally:
        _remove_db_files(staging)


def _remove_db_files(db_path: Path) -> None:
    for p in (
        db_path,
        db_path.with_name(db_path.name + "-wal"),
        db_path.with_name(db_path.name + "-shm"),
    ):
        p.unlink(missing_ok=True)
