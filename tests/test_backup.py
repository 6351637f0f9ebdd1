"""Encrypted backup, verify and restore (the core functions; the CLI has its own tests)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from ccm_desktop.app import open_practice
from ccm_desktop.db.backup import backup_to, key_sidecar, restore_from, verify
from ccm_desktop.db.engine import Database
from ccm_desktop.errors import BackupError, WrongKey
from ccm_desktop.security.keys import KeyStore
from ccm_desktop.services.patients import PatientInput
from tests.conftest import PASSPHRASE


def _add(ctx, clinician, mrn: str, last: str = "Backupson") -> int:
    return ctx.patients.create(clinician, PatientInput(mrn, last, "Ada", "1950-01-01", "F"))


def test_backup_verify_restore_round_trip(ctx, clinician, practice_paths, tmp_path):
    _add(ctx, clinician, "K1")
    target = backup_to(ctx.db, tmp_path / "monday.ccmbak", practice_paths.wrapped_key)
    assert key_sidecar(target).exists(), "the wrapped key travels with the backup"
    assert b"Backupson" not in target.read_bytes(), "the backup is encrypted"
    _add(ctx, clinician, "K2", "AfterBackup")
    assert ctx.patients.count() == 2
    report = verify(ctx.db)
    assert report.ok, report
    assert [c.name for c in report.checks] == [
        "integrity",
        "cipher integrity",
        "foreign keys",
        "migration level",
    ]
    ctx.close()

    key = KeyStore(practice_paths.wrapped_key).load(PASSPHRASE)
    kept, checked = restore_from(target, practice_paths, key)
    assert checked.ok
    assert kept is not None and kept.exists(), "the replaced database is kept"
    with open_practice(practice_paths, PASSPHRASE) as c2:
        assert [r.mrn for r in c2.patients.rows()] == ["K1"]
    # The kept copy still has both patients: nothing was lost by restoring.
    kept_db = Database(kept, key)
    with kept_db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM patient")).scalar() == 2
    kept_db.close()


def test_backup_refuses_to_overwrite(ctx, tmp_path):
    target = tmp_path / "b.ccmbak"
    target.write_text("something precious")
    with pytest.raises(BackupError, match="already exists"):
        backup_to(ctx.db, target)
    assert target.read_text() == "something precious"


def test_restore_of_damaged_backup_changes_nothing(ctx, clinician, practice_paths, tmp_path):
    _add(ctx, clinician, "D1")
    target = backup_to(ctx.db, tmp_path / "b.ccmbak")
    ctx.close()
    data = bytearray(target.read_bytes())
    data[5000:5100] = b"\x00" * 100  # a damaged page
    target.write_bytes(bytes(data))
    before = practice_paths.database.read_bytes()
    key = KeyStore(practice_paths.wrapped_key).load(PASSPHRASE)
    with pytest.raises((BackupError, WrongKey)):
        restore_from(target, practice_paths, key)
    assert practice_paths.database.read_bytes() == before
    assert not list(practice_paths.root.glob("*.restoring*"))


def test_restore_with_other_key_is_refused(ctx, practice_paths, tmp_path):
    target = backup_to(ctx.db, tmp_path / "b.ccmbak")
    ctx.close()
    with pytest.raises(WrongKey, match="different practice key"):
        restore_from(target, practice_paths, b"\x01" * 32)


def test_verify_reports_broken_links(ctx, clinician):
    pid = _add(ctx, clinician, "V1")
    ctx.patients.add_condition(clinician, pid, "I10")
    with ctx.db.engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        raw.execute("PRAGMA foreign_keys = OFF")
        raw.execute("DELETE FROM condition WHERE patient_id NOT IN (SELECT -1)")
        raw.execute(
            "INSERT INTO condition (patient_id, code, description, status, recorded_at)"
            " VALUES (999, 'I10', 'x', 'active', '2026-01-01 00:00:00')"
        )
        raw.execute("PRAGMA foreign_keys = ON")
    report = verify(ctx.db)
    assert not report.ok
    fk = next(c for c in report.checks if c.name == "foreign keys")
    assert not fk.ok and "1 broken" in fk.detail
