"""Migration 0007: the two indexes no query used are gone, and its downgrade restores them."""

from __future__ import annotations

import secrets

from alembic import command
from sqlalchemy import text

import ccm_desktop.db.migrate as migrate
from ccm_desktop.db.engine import Database

DROPPED = {"ix_time_entry_staff_id", "ix_audit_event_at"}


def _indexes(db: Database) -> set[str]:
    with db.engine.connect() as conn:
        q = text(
            "SELECT name FROM sqlite_master WHERE type = 'index'"
            " AND tbl_name IN ('time_entry', 'audit_event')"
        )
        return set(conn.execute(q).scalars())


def test_0007_drops_the_unused_indexes_and_its_downgrade_restores_them(tmp_path):
    db = Database(tmp_path / "new.db", secrets.token_bytes(32))
    migrate.upgrade(db)
    with db.engine.begin() as conn:  # just after 0007 (0008 adds an index of its own)
        command.downgrade(migrate.alembic_config(conn), "0007")
    at_head = _indexes(db)
    assert not DROPPED & at_head
    assert {"ix_time_entry_patient_month", "ix_audit_event_patient_at"} <= at_head
    with db.engine.begin() as conn:
        command.downgrade(migrate.alembic_config(conn), "0006")
    assert _indexes(db) == at_head | DROPPED
    with db.engine.begin() as conn:
        command.upgrade(migrate.alembic_config(conn), "0007")
    assert _indexes(db) == at_head
    db.close()
