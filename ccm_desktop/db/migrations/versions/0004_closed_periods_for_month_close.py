"""Closed periods: the months locked for billing, which the write gate refuses to change.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from alembic import op
import sqlalchemy as sa
import ccm_desktop.db.types


revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "closed_period",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("closed_at", ccm_desktop.db.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint("month BETWEEN 1 AND 12", name=op.f("ck_closed_period_month_range")),
        sa.ForeignKeyConstraint(
            ["closed_by_id"],
            ["staff_user.id"],
            name=op.f("fk_closed_period_closed_by_id_staff_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_closed_period")),
        sa.UniqueConstraint("year", "month", name="uq_closed_period_month"),
    )


def downgrade() -> None:
    op.drop_table("closed_period")
