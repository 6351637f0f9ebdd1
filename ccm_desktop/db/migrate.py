"""Schema upgrades from code at start-up (Alembic), with a backup first.

Order (docs/engineering-notes.md): open with the key; see whether an upgrade is due; if the
database already holds data, take an encrypted backup; turn foreign keys off outside
the transaction (a batch rebuild would otherwise cascade-delete child rows); upgrade
in one transaction; check foreign keys; turn them back on.

Alembic (with Mako and Pygments, a seventh of the window's start) is imported only when
an upgrade is due: the stored revision is read with plain SQL and compared with the head
read from the migration files themselves (:func:`head_revision`, which
``tests/test_start_imports.py`` holds equal to Alembic's own head).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ccm_desktop.db.engine import Database
from ccm_desktop.errors import BackupError, DatabaseNewerThanApp
from ccm_desktop.fileperms import private_dir

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy import Connection

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "alembic_version"


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config pointing at the bundled migrations (no alembic.ini)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def _alembic_head() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def _literal_revisions(source: str) -> tuple[str, tuple[str, ...]] | None:
    """``revision`` and ``down_revision`` of one migration file, read without running it;
    None when either is not a plain literal (then Alembic itself is asked)."""
    found: dict[str, object] = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if isinstance(target, ast.Name) and target.id in ("revision", "down_revision"):
            try:
                found[target.id] = ast.literal_eval(value)
            except ValueError:
                return None
    rev, down = found.get("revision"), found.get("down_revision", None)
    if not isinstance(rev, str):
        return None
    if down is None:
        return rev, ()
    if isinstance(down, str):
        return rev, (down,)
    if isinstance(down, tuple | list) and all(isinstance(d, str) for d in down):
        return rev, tuple(down)
    return None


def head_revision() -> str:
    """The newest schema revision this version of the application knows.

    Read from the migration files (every ``versions/*.py`` Alembic would load) without
    importing Alembic: the one revision no other revises. Anything unusual (a revision
    that is not a literal, several heads) is left to Alembic, which gives the same answer
    or its own error.
    """
    revisions: set[str] = set()
    revised: set[str] = set()
    for file in (MIGRATIONS / "versions").glob("*.py"):
        if file.name.startswith((".#", "__init__")):
            continue
        parsed = _literal_revisions(file.read_text(encoding="utf-8"))
        if parsed is None:
            return _alembic_head()
        revisions.add(parsed[0])
        revised.update(parsed[1])
    heads = revisions - revised
    if len(heads) != 1:
        return _alembic_head()
    return heads.pop()


def current_revision(db: Database) -> str | None:
    """The revision stamped in the database; None for a new, empty database.

    Plain SQL on Alembic's version table (one row on this project's single line of
    migrations); several rows are left to Alembic, which refuses them in its own words.
    """
    with db.engine.connect() as conn:
        try:
            has_table = conn.exec_driver_sql(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?",
                (VERSION_TABLE,),
            ).scalar()
            rows = (
                [r[0] for r in conn.exec_driver_sql(f"SELECT version_num FROM {VERSION_TABLE}")]
                if has_table
                else []
            )
            if len(rows) > 1:
                from alembic.runtime.migration import MigrationContext

                return MigrationContext.configure(conn).get_current_revision()
            return str(rows[0]) if rows else None
        finally:
            conn.rollback()


def _check_known(rev: str | None) -> None:
    if rev is None:
        return
    from alembic.script import ScriptDirectory
    from alembic.util.exc import CommandError

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
    head = head_revision()
    if before == head:  # the usual start: nothing of Alembic is loaded
        return UpgradeResult(before, head, None)
    _check_known(before)
    from alembic import command

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
