"""Initiating visits: new-patient office visits (CPT 99202-99205) as their own visit kind.

Widens the CHECK constraint of ``initiating_visit.visit_type`` from awv / ippe / em to
awv / ippe / em / em_new (docs/medicare-rules.md, section 3). A batch rebuild of
``initiating_visit``, which no table references. The codes are copied here so this
migration keeps what it did if the vocabulary changes.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-08
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_NAME = "ck_initiating_visit_visit_type"
_OLD = ("awv", "ippe", "em")
_NEW = ("awv", "ippe", "em", "em_new")


def _check(codes: tuple[str, ...]) -> str:
    return "visit_type IN (" + ", ".join(f"'{c}'" for c in codes) + ")"


def upgrade() -> None:
    with op.batch_alter_table("initiating_visit", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f(_NAME), type_="check")
        batch_op.create_check_constraint(batch_op.f(_NAME), _check(_NEW))


def downgrade() -> None:
    op.execute("UPDATE initiating_visit SET visit_type = 'em' WHERE visit_type = 'em_new'")
    with op.batch_alter_table("initiating_visit", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f(_NAME), type_="check")
        batch_op.create_check_constraint(batch_op.f(_NAME), _check(_OLD))
