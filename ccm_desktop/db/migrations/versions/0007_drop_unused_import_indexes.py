"""Drop two indexes no query uses: ``ix_time_entry_staff_id`` and ``ix_audit_event_at``.

Every time entry and every audit event paid for them on insert (a 200,000-row time
import writes 400,000 rows: benchmarks/README.md, bench_import.py). No query of the
application filters or sorts time entries by staff alone or audit events by ``at``
alone (EXPLAIN QUERY PLAN of each: benchmarks/README.md); staff users are never deleted,
so the foreign key of ``time_entry.staff_id`` needs no index for its checks, like
``audit_event.staff_id``, which never had one. The downgrade puts both back.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_time_entry_staff_id", table_name="time_entry")
    op.drop_index("ix_audit_event_at", table_name="audit_event")


def downgrade() -> None:
    op.create_index("ix_audit_event_at", "audit_event", ["at"], unique=False)
    op.create_index("ix_time_entry_staff_id", "time_entry", ["staff_id"], unique=False)
