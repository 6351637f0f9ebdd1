"""Alembic environment for running migrations from code (no alembic.ini, no fileConfig).

The caller passes an open connection in ``config.attributes["connection"]``.
"""

from alembic import context

from ccm_desktop.db.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
