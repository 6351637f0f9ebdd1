"""Patient name search key: accent- and case-blind search ("maria" finds María).

Adds ``patient.search_key`` and fills it for existing patients. The folding is copied
here (not imported) so this migration keeps doing what it did if the app's changes.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

import re
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_APOSTROPHES = str.maketrans("", "", "'’`´")
_SEPARATORS = re.compile(r"[\s\-‐‑–—.,]+")


def _fold(text):
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SEPARATORS.sub(" ", plain.casefold().translate(_APOSTROPHES)).strip()


def upgrade() -> None:
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("search_key", sa.String(length=240), server_default="", nullable=False)
        )
    conn = op.get_bind()
    patient = sa.table(
        "patient",
        sa.column("id", sa.Integer),
        sa.column("last_name", sa.String),
        sa.column("first_name", sa.String),
        sa.column("search_key", sa.String),
    )
    rows = conn.execute(sa.select(patient.c.id, patient.c.last_name, patient.c.first_name))
    updates = [{"pid": pid, "key": f" {_fold(last)} {_fold(first)} "} for pid, last, first in rows]
    if updates:
        conn.execute(
            patient.update()
            .where(patient.c.id == sa.bindparam("pid"))
            .values(search_key=sa.bindparam("key")),
            updates,
        )


def downgrade() -> None:
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.drop_column("search_key")
