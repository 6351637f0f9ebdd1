"""The call timer and the worklist: ``running_timer``, ``patient.care_manager_id`` and an
index of time entries by staff and start.

- ``running_timer``: a timer that is running or paused, written when it starts so a crash
  never loses it; one per staff member.
- ``patient.care_manager_id``: the staff member who looks after the patient (the
  worklist's "mine"); every existing patient has none. A batch rebuild of ``patient``
  (SQLite cannot add a foreign key in place): migrate.py turns foreign keys off around it
  (docs/engineering-notes.md, "Alembic inside the application").
- ``ix_time_entry_staff_start``: the overlap check of a new or moved entry takes one
  staff member's entries around a start (migration 0007 dropped the index on staff alone).

The activity codes are copied here so this migration keeps what it did.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

import ccm_desktop.db.types

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_ACTIVITIES = (
    "call_patient",
    "call_caregiver",
    "coordination",
    "medication_reconciliation",
    "care_plan",
    "referral",
    "education",
    "other",
)


def upgrade() -> None:
    op.create_table(
        "running_timer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("activity", sa.String(length=32), nullable=False),
        sa.Column("started_at", ccm_desktop.db.types.UTCDateTime(), nullable=False),
        sa.Column("paused_seconds", sa.Integer(), nullable=False),
        sa.Column("paused_at", ccm_desktop.db.types.UTCDateTime(), nullable=True),
        sa.Column("heartbeat_at", ccm_desktop.db.types.UTCDateTime(), nullable=False),
        sa.Column("confirmed_at", ccm_desktop.db.types.UTCDateTime(), nullable=True),
        sa.Column("created_at", ccm_desktop.db.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "activity IN (" + ", ".join(repr(a) for a in _ACTIVITIES) + ")",
            name=op.f("ck_running_timer_activity"),
        ),
        sa.CheckConstraint(
            "paused_seconds >= 0", name=op.f("ck_running_timer_paused_seconds_positive")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_running_timer_patient_id_patient")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff_user.id"], name=op.f("fk_running_timer_staff_id_staff_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_running_timer")),
        sa.UniqueConstraint("staff_id", name="uq_running_timer_staff"),
    )
    op.create_index(
        op.f("ix_running_timer_patient_id"), "running_timer", ["patient_id"], unique=False
    )
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.add_column(sa.Column("care_manager_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_patient_care_manager_id_staff_user"),
            "staff_user",
            ["care_manager_id"],
            ["id"],
        )
        batch_op.create_index(
            batch_op.f("ix_patient_care_manager_id"), ["care_manager_id"], unique=False
        )
    op.create_index(
        "ix_time_entry_staff_start", "time_entry", ["staff_id", "started_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_time_entry_staff_start", table_name="time_entry")
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_patient_care_manager_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_patient_care_manager_id_staff_user"), type_="foreignkey"
        )
        batch_op.drop_column("care_manager_id")
    op.drop_index(op.f("ix_running_timer_patient_id"), table_name="running_timer")
    op.drop_table("running_timer")
