"""Schema upgrades from code at start-up (Alembic), with a backup first.

Order (docs/engineering-notes.md): open with the key; see whether an upgrade is due; if the
database already holds data, take an encrypted backup; turn foreign keys off outside
the transaction (a batch rebuild would otherwise cascade-delete child rows); upgrade
in one transaction; check foreign keys; turn them back on.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Connection

from ccm_desktop.db.engine import Database
from ccm_desktop.errors import BackupError, DatabaseNewerThanApp
from ccm_desktop.fileperms import private_dir

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config pointing at the bundled migrations (no alembic.ini)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    """The newest schema revision this version of the application knows."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(db: Database) -> str | None:
    """The revision stamped in the database; None for a new, empty database."""
    with db.engine.connect() as conn:
        rev = MigrationContext.configure(conn).get_current_revision()
        conn.rollback()
        return rev


def _check_known(rev: str | None) -> None:
    if rev is None:
        return
    script = ScriptDirectory.from_config(alembic_config())
    try:
        known = script.get_revision(rev)
    except CommandError:
        known = None
    if known is None:
        raise DatabaseNewerThanApp(
            "This practice database was created by a newer version of CCM Desktop. "
            "Install the newer version to open it; nothing was changed."
        )


@dataclass(frozen=True)
class UpgradeResult:
    """What :func:`upgrade` did: revisions before and after, and the backup it took."""

    before: str | None
    after: str
    backup: Path | None


def upgrade(db: Database, backup_dir: Path | None = None) -> UpgradeResult:
    """Bring ``db`` to the head revision; a no-op when it is there already.

    Raises :class:`DatabaseNewerThanApp` for a database from a newer version. When
    ``backup_dir`` is given and the database already has a schema, an encrypted
    backup is written there before anything changes.
    """
    from ccm_desktop.db.backup import backup_to  # local: backup imports this module

    before = current_revision(db)
    _check_known(before)
    head = head_revision()
    if before == head:
        return UpgradeResult(before, head, None)
    backup_path: Path | None = None
    if before is not None and backup_dir is not None:
        private_dir(backup_dir)
        backup_path = backup_dir / f"before-upgrade-{before}-to-{head}.ccmbak"
        backup_to(db, backup_path)
    with db.engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert raw is not None
        raw.execute("PRAGMA foreign_keys = OFF")
        try:
            command.upgrade(alembic_config(conn), "head")
            problems = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if problems:
                conn.rollback()
                raise BackupError(f"The upgrade would break {len(problems)} record links.")
            conn.commit()
        finally:
            raw.execute("PRAGMA foreign_keys = ON")
    return UpgradeResult(before, head, backup_path)
