"""Write a new Alembic revision by comparing the models with a temporary database at head.

Usage: python tools/make_migration.py "message" [--rev-id 0002]
"""

from __future__ import annotations

import argparse
import secrets
import tempfile
from pathlib import Path

from alembic import command
from alembic.script import ScriptDirectory

from ccm_desktop.db.engine import Database
from ccm_desktop.db.migrate import alembic_config, upgrade


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("message")
    ap.add_argument("--rev-id")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        db = Database(Path(d) / "scratch.db", secrets.token_bytes(32))
        if ScriptDirectory.from_config(alembic_config()).get_current_head():
            upgrade(db)
        with db.engine.connect() as conn:
            command.revision(
                alembic_config(conn), message=args.message, autogenerate=True, rev_id=args.rev_id
            )
            conn.commit()
        db.close()


if __name__ == "__main__":
    main()
