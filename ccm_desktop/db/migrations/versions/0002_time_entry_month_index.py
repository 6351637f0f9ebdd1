"""Covering index for the patient list's minutes this month.

(patient_id, started_at, voided, minutes) answers "this patient's minutes between two
instants" from the index alone; it replaces (patient_id, started_at), which it covers.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

COLUMNS = ["patient_id", "started_at", "voided", "minutes"]


def upgrade() -> None:
    op.create_index("ix_time_entry_patient_month", "time_entry", COLUMNS, unique=False)
    op.drop_index("ix_time_entry_patient_started", table_name="time_entry")


def downgrade() -> None:
    op.create_index(
        "ix_time_entry_patient_started", "time_entry", ["patient_id", "started_at"], unique=False
    )
    op.drop_index("ix_time_entry_patient_month", table_name="time_entry")
