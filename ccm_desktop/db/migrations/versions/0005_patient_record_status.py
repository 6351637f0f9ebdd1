"""Patient record status: a record entered in error or merged into another is kept, not deleted.

Adds ``patient.record_status`` (active / entered_in_error / merged; every existing patient
is active), ``status_reason``, ``merged_into_id`` (the surviving patient), and who changed
the status when. A batch rebuild of ``patient`` (SQLite cannot add a foreign key in place):
migrate.py turns foreign keys off around it (docs/engineering-notes.md, "Alembic inside the
application"). The status codes are copied here so this migration keeps what it did.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

import ccm_desktop.db.types

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_STATUSES = ("active", "entered_in_error", "merged")


def upgrade() -> None:
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "record_status", sa.String(length=20), server_default="active", nullable=False
            )
        )
        batch_op.add_column(
            sa.Column("status_reason", sa.Text(), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("merged_into_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("status_changed_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("status_changed_at", ccm_desktop.db.types.UTCDateTime(), nullable=True)
        )
        batch_op.create_check_constraint(
            "record_status",
            sa.text("record_status IN (" + ", ".join(repr(s) for s in _STATUSES) + ")"),
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_patient_merged_into_id_patient"), "patient", ["merged_into_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_patient_status_changed_by_id_staff_user"),
            "staff_user",
            ["status_changed_by_id"],
            ["id"],
        )
        batch_op.create_index(
            batch_op.f("ix_patient_merged_into_id"), ["merged_into_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_patient_merged_into_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_patient_status_changed_by_id_staff_user"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_patient_merged_into_id_patient"), type_="foreignkey"
        )
        batch_op.drop_constraint("record_status", type_="check")
        batch_op.drop_column("status_changed_at")
        batch_op.drop_column("status_changed_by_id")
        batch_op.drop_column("merged_into_id")
        batch_op.drop_column("status_reason")
        batch_op.drop_column("record_status")
