"""Schema migrations: empty to head, models match, old files upgrade, newer refused."""

from __future__ import annotations

import secrets
import shutil
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

import ccm_desktop.db.migrate as migrate
from ccm_desktop.app import open_practice
from ccm_desktop.db.engine import Database
from ccm_desktop.db.models import Base
from ccm_desktop.errors import DatabaseNewerThanApp
from ccm_desktop.paths import DataPaths
from ccm_desktop.security.keys import KeyStore
from ccm_desktop.services.patients import PatientFilter, PatientInput
from tests.conftest import DATA, PASSPHRASE


def test_empty_database_upgrades_to_head_and_matches_models(tmp_path):
    db = Database(tmp_path / "new.db", secrets.token_bytes(32))
    result = migrate.upgrade(db, tmp_path / "backups")
    assert result.before is None and result.after == migrate.head_revision()
    assert result.backup is None, "nothing to back up in a new database"
    with db.engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
        )
    assert diff == [], f"models and migrations differ: {diff}"
    assert migrate.upgrade(db).before == migrate.head_revision()  # second run: no-op
    db.close()


def test_database_from_newer_version_is_refused(ctx, practice_paths):
    with ctx.db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    ctx.close()
    before = practice_paths.database.read_bytes()
    with pytest.raises(DatabaseNewerThanApp, match="newer version"):
        open_practice(practice_paths, PASSPHRASE)
    assert practice_paths.database.read_bytes() == before


def test_kept_v0001_practice_file_upgrades_cleanly(tmp_path, failing_keyring):
    paths = DataPaths(tmp_path / "old")
    shutil.copytree(DATA / "v0001", paths.root)
    with open_practice(paths, PASSPHRASE) as ctx:
        assert ctx.upgrade.after == migrate.head_revision()
        rows = ctx.patients.rows()
        assert [r.mrn for r in rows] == ["V1-001", "V1-002", "V1-003"]
        assert rows[0].program == "ccm"
        # 0003 filled the search key of patients that existed before it.
        found = ctx.patients.rows(PatientFilter("brightw"))
        assert [r.mrn for r in found] == ["V1-002"]


def _scripts_with_extra_revision(tmp_path: Path, body: str) -> Path:
    scripts = tmp_path / "migrations"
    shutil.copytree(migrate.MIGRATIONS, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    head = migrate.head_revision()
    (scripts / "versions" / "9000_test.py").write_text(
        f'revision = "9000"\ndown_revision = "{head}"\nbranch_labels = None\n'
        f"depends_on = None\nfrom alembic import op\nimport sqlalchemy as sa\n\n\n"
        f"def upgrade():\n{body}\n\n\ndef downgrade():\n    pass\n"
    )
    return scripts


def test_upgrade_backs_up_first_and_batch_rebuild_keeps_child_rows(
    ctx, clinician, practice_paths, tmp_path, monkeypatch
):
    old = migrate.head_revision()  # the template practice's revision
    pid = ctx.patients.create(clinician, PatientInput("B1", "Batch", "Kept", "1950-01-01", "F"))
    ctx.patients.add_condition(clinician, pid, "I10")
    ctx.close()
    # A batch migration that rebuilds the parent table "patient".
    scripts = _scripts_with_extra_revision(
        tmp_path,
        (
            "    with op.batch_alter_table('patient', recreate='always') as b:\n"
            "        b.add_column(sa.Column('nickname', sa.String(50), nullable=True))"
        ),
    )
    monkeypatch.setattr(migrate, "MIGRATIONS", scripts)
    with open_practice(practice_paths, PASSPHRASE) as c2:
        assert c2.upgrade.after == "9000"
        assert c2.upgrade.backup is not None and c2.upgrade.backup.exists()
        with c2.db.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM condition").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    # The backup opens with the same key and is still at the old revision.
    key = KeyStore(practice_paths.wrapped_key).load(PASSPHRASE)
    backup = Database(next(practice_paths.backups.glob(f"before-upgrade-{old}-to-9000*")), key)
    assert migrate.current_revision(backup) == old
    backup.close()


def test_failed_upgrade_rolls_back_whole(ctx, clinician, practice_paths, tmp_path, monkeypatch):
    ctx.patients.create(clinician, PatientInput("F1", "Fail", "Safe", "1950-01-01", "F"))
    ctx.close()
    scripts = _scripts_with_extra_revision(
        tmp_path,
        (
            "    op.add_column('patient', sa.Column('half', sa.String(5), nullable=True))\n"
            "    op.execute('SELECT no_such_function()')"
        ),
    )
    monkeypatch.setattr(migrate, "MIGRATIONS", scripts)
    with pytest.raises(Exception, match="no_such_function"):
        open_practice(practice_paths, PASSPHRASE)
    monkeypatch.undo()
    with open_practice(practice_paths, PASSPHRASE) as c2:
        assert migrate.current_revision(c2.db) == migrate.head_revision()
        cols = [r[1] for r in c2.db.engine.connect().exec_driver_sql("PRAGMA table_info(patient)")]
        assert "half" not in cols
        assert c2.patients.count() == 1
