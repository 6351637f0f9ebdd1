"""The start loads only what it needs: no database stack before the window, no Alembic
when the practice is up to date; the head revision read without Alembic is Alembic's."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import ccm_desktop.db.migrate as migrate
from ccm_desktop.app import open_practice
from ccm_desktop.db.engine import Database
from ccm_desktop.paths import DataPaths
from tests.conftest import PASSPHRASE

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = migrate.MIGRATIONS
HEAVY = ("sqlalchemy", "sqlcipher3", "alembic", "mako", "pygments", "keyring", "cryptography")


def _child(code: str, *args: str) -> dict[str, object]:
    """Run ``code`` in a new interpreter (nothing imported yet); its last stdout line is JSON."""
    env = {k: v for k, v in os.environ.items() if k != "CCM_DESKTOP_PASSPHRASE"}
    env.update(QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"  # the passphrase path
    proc = subprocess.run(
        [sys.executable, "-c", code, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def test_the_window_entry_points_import_no_database_stack() -> None:
    """``ccm-desktop`` (cli) and the window's module load Qt only: the window can be on
    screen before SQLAlchemy, SQLCipher, Alembic, keyring and cryptography are loaded."""
    loaded = _child(
        "import json, sys\n"
        "import ccm_desktop.cli\n"
        "import ccm_desktop.ui.app\n"
        "import ccm_desktop.ui.main_window\n"
        f"heavy = {HEAVY!r}\n"
        "print(json.dumps({'loaded': sorted({m.split('.')[0] for m in sys.modules} & set(heavy))}))"
    )
    assert loaded == {"loaded": []}


def test_an_up_to_date_practice_opens_without_alembic(practice_paths: DataPaths) -> None:
    got = _child(
        "import json, sys\n"
        "from ccm_desktop.app import open_practice\n"
        "from pathlib import Path\n"
        "from ccm_desktop.paths import DataPaths\n"
        "with open_practice(DataPaths(Path(sys.argv[1])), sys.argv[2]) as ctx:\n"
        "    info = {'before': ctx.upgrade.before, 'after': ctx.upgrade.after,\n"
        "            'staff': len(ctx.practice.staff())}\n"
        "info['alembic'] = sorted(m for m in sys.modules if m.split('.')[0] in\n"
        "                         ('alembic', 'mako', 'pygments'))\n"
        "print(json.dumps(info))",
        str(practice_paths.root),
        PASSPHRASE,
    )
    head = migrate._alembic_head()
    assert got == {"before": head, "after": head, "staff": 4, "alembic": []}
    assert not list(practice_paths.root.glob("backups/before-upgrade-*"))  # nothing to back up


def test_an_outdated_practice_is_still_upgraded_with_a_backup(
    practice_paths: DataPaths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A practice one revision behind (a newer application's migration folder): Alembic is
    loaded, the backup is written, the new revision is applied."""
    old = migrate.head_revision()
    scripts = _with_revision(tmp_path, "9001", old, annotated=True)
    monkeypatch.setattr(migrate, "MIGRATIONS", scripts)
    with open_practice(practice_paths, PASSPHRASE) as ctx:
        assert (ctx.upgrade.before, ctx.upgrade.after) == (old, "9001")
        assert ctx.upgrade.backup is not None and ctx.upgrade.backup.exists()
        assert migrate.current_revision(ctx.db) == "9001"
        assert "alembic" in sys.modules


def _with_revision(tmp_path: Path, rev: str, down: str, *, annotated: bool = False) -> Path:
    """A copy of the bundled migrations plus one more revision (written the way Alembic's
    own newer templates write it when ``annotated``: ``revision: str = ...``)."""
    scripts = tmp_path / "migrations"
    shutil.copytree(BUNDLED, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    ann = ": str" if annotated else ""
    down_ann = ": str | None" if annotated else ""
    (scripts / "versions" / f"{rev}_more.py").write_text(
        f'"""One more step."""\nfrom alembic import op\n\n'
        f'revision{ann} = "{rev}"\ndown_revision{down_ann} = "{down}"\n'
        "branch_labels = None\ndepends_on = None\n\n\n"
        "def upgrade() -> None:\n    op.execute('CREATE TABLE extra_step (id INTEGER)')\n\n\n"
        "def downgrade() -> None:\n    pass\n"
    )
    return scripts


def test_the_known_head_is_alembics_head(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The head read from the files equals Alembic's own, for the bundled migrations and
    after a new migration is added (so a new migration can never be skipped at start)."""
    bundled = migrate.head_revision()
    assert bundled == migrate._alembic_head()
    newest = max(p.name for p in (migrate.MIGRATIONS / "versions").glob("[0-9]*.py"))
    assert newest.startswith(bundled)
    monkeypatch.setattr(migrate, "MIGRATIONS", _with_revision(tmp_path / "a", "9002", bundled))
    assert migrate.head_revision() == migrate._alembic_head() == "9002"
    monkeypatch.setattr(
        migrate, "MIGRATIONS", _with_revision(tmp_path / "b", "9003", bundled, annotated=True)
    )
    assert migrate.head_revision() == migrate._alembic_head() == "9003"


def test_the_revision_read_with_plain_sql_is_alembics(practice_paths: DataPaths) -> None:
    from alembic.runtime.migration import MigrationContext

    from ccm_desktop.security.keys import KeyStore

    db = Database(practice_paths.database, KeyStore(practice_paths.wrapped_key).load(PASSPHRASE))
    try:
        with db.engine.connect() as conn:
            theirs = MigrationContext.configure(conn).get_current_revision()
        assert migrate.current_revision(db) == theirs == migrate.head_revision()
    finally:
        db.close()
    empty = Database(practice_paths.root / "empty.db", None)
    try:
        assert migrate.current_revision(empty) is None  # a new file: no version table yet
    finally:
        empty.close()
