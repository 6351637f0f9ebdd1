"""A restore killed at any moment (SIGKILL, a real process): the practice opens afterwards,
either exactly as before or exactly as restored, and no staged file is left.

Each run starts ``python -m ccm_desktop restore`` with ``CCM_DESKTOP_CRASH_AT`` naming a
step (ccm_desktop/db/swap.py); the process kills itself there. The backup is of the same
practice (NPI and TIN) made under another key, so the key file and the database must be
swapped together: a key file of one with the database of the other would not open.
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from ccm_desktop.app import AppContext, create_practice, open_practice
from ccm_desktop.db import swap
from ccm_desktop.db.backup import backup_to, key_sidecar, verify
from ccm_desktop.paths import DataPaths
from ccm_desktop.security.audit import Actor
from ccm_desktop.services.patients import PatientInput
from tests.conftest import PASSPHRASE, PRACTICE_TOML, practice_setup

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")

REPO = Path(__file__).resolve().parent.parent
BEFORE, RESTORED = 1, 3  # patients in the practice before, and in the backup


def _patients(ctx: AppContext, n: int, tag: str) -> None:
    who = ctx.practice.actor_for("dr.example")
    for i in range(n):
        data = PatientInput(f"{tag}{i}", f"Crashtest{tag}{i}", "Ada", f"1950-01-{i + 1:02d}", "F")
        ctx.patients.create(who, data, allow_duplicate=True)


@pytest.fixture
def scene(tmp_path: Path) -> tuple[DataPaths, Path]:
    """The practice here (1 patient) and a backup of it made under another key (3)."""
    here = DataPaths(tmp_path / "practice")
    with create_practice(here, PASSPHRASE, practice_setup(), Actor.system("t")) as ctx:
        _patients(ctx, BEFORE, "H")
    other = DataPaths(tmp_path / "reinstalled")
    with create_practice(other, PASSPHRASE, practice_setup(), Actor.system("t")) as ctx:
        _patients(ctx, RESTORED, "B")
        backup = backup_to(ctx.db, tmp_path / "backup.ccmbak", other.wrapped_key)
    assert key_sidecar(backup).exists()
    return here, backup


def _restore(paths: DataPaths, backup: Path, crash_at: str | None) -> subprocess.CompletedProcess:
    return _command(["--data-dir", str(paths.root), "restore", str(backup)], crash_at)


def _command(args: list[str], crash_at: str | None = None) -> subprocess.CompletedProcess:
    """``python -m ccm_desktop ARGS`` in a new process, started with a umask of 022 (as a
    desktop session leaves it), the passphrase and user set, and no keyring."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CCM_DESKTOP_") or k == "HOME"}
    env |= {
        "CCM_DESKTOP_PASSPHRASE": PASSPHRASE,
        "CCM_DESKTOP_USER": "admin",
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",  # the passphrase path
        "PYTHONPATH": str(REPO),
    }
    if crash_at:
        env[swap.CRASH_ENV] = crash_at
    return subprocess.run(
        [sys.executable, "-m", "ccm_desktop", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
        preexec_fn=lambda: os.umask(0o022),
    )


def _open_with_key_file(paths: DataPaths, memory_keyring) -> int:
    """Patients in the practice, opened with its key file alone (the keyring forgets)."""
    memory_keyring.store.clear()
    with open_practice(paths, PASSPHRASE) as ctx:
        assert verify(ctx.db).ok
        return ctx.patients.count()


@pytest.mark.parametrize(
    ("crash_at", "expected"),
    [
        ("restore:staging", BEFORE),  # the backup half staged: the old practice, untouched
        ("restore:staged", BEFORE),  # staged and flushed, not yet committed
        ("restore:after-journal", RESTORED),  # committed: the next open finishes the swap
        ("restore:after-key", RESTORED),  # new key file beside the old database
        ("restore:after-database", RESTORED),  # both swapped, the journal still there
    ],
)
def test_a_restore_killed_at_each_step_leaves_a_practice_that_opens(
    scene, crash_at, expected, memory_keyring
):
    paths, backup = scene
    done = _restore(paths, backup, crash_at)
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert _open_with_key_file(paths, memory_keyring) == expected
    assert swap.leftovers(paths) == [] and not swap.journal(paths).exists()
    assert _open_with_key_file(paths, memory_keyring) == expected  # and again


def test_after_an_interrupted_restore_the_restore_can_run_again(scene, memory_keyring):
    paths, backup = scene
    assert _restore(paths, backup, "restore:staged").returncode == -signal.SIGKILL
    done = _restore(paths, backup, None)
    assert done.returncode == 0, done.stderr
    assert "Restored the practice database" in done.stdout
    assert _open_with_key_file(paths, memory_keyring) == RESTORED


def test_a_stale_wal_of_the_old_database_never_reaches_the_restored_one(tmp_path, memory_keyring):
    """The old database's -wal (left by a crash) must be gone before the restored file
    takes its name, even when the restore itself is killed between the two replaces."""
    paths = DataPaths(tmp_path / "practice")
    with create_practice(paths, PASSPHRASE, practice_setup(), Actor.system("t")) as ctx:
        _patients(ctx, 1, "A")
        backup = backup_to(ctx.db, tmp_path / "one.ccmbak", paths.wrapped_key)
        _patients(ctx, 5, "W")
        wal = paths.database.with_name(paths.database.name + "-wal")
        stale = wal.read_bytes()
    assert len(stale) > 4096
    wal.write_bytes(stale)  # as a crashed window leaves it
    done = _restore(paths, backup, "restore:after-key")
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert _open_with_key_file(paths, memory_keyring) == 1


def test_files_made_by_command_line_processes_are_private(tmp_path):
    root = tmp_path / "data"
    paths = DataPaths(root)
    done = _command(["--data-dir", str(root), "init", "--practice", str(PRACTICE_TOML)])
    assert done.returncode == 0, done.stderr
    (tmp_path / "out").mkdir()
    assert _command(["--data-dir", str(root), "backup", str(tmp_path / "out")]).returncode == 0
    [backup] = (tmp_path / "out").glob("*.ccmbak")
    done = _command(["--data-dir", str(root), "restore", str(backup)])
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(root.stat().st_mode) == 0o700
    assert stat.S_IMODE(paths.backups.stat().st_mode) == 0o700
    made = [paths.database, paths.wrapped_key, paths.lock, backup, key_sidecar(backup)]
    made += list(paths.backups.iterdir())
    assert len(made) >= 7
    for f in made:
        assert stat.S_IMODE(f.stat().st_mode) == 0o600, f
