"""A time import killed while it commits (SIGKILL, a real ``ccm-desktop import time``
process): the practice opens afterwards with every entry and audit event of the file, or
none of them, and passes its integrity check.

With a 64 MB page cache the import writes nothing to disk until COMMIT
(docs/engineering-notes.md, "Found on the project"), so the kill is aimed at the commit:
the test polls the size of ``practice.ccmdb-wal`` and kills the process once the commit
has started writing (or, in the second case, once it has written a good part).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from ccm_desktop.app import open_practice
from ccm_desktop.db.models import AuditEvent, TimeEntry
from ccm_desktop.importers import import_patients
from ccm_desktop.importers.patients import PATIENT_COLUMNS
from ccm_desktop.importers.time import TIME_COLUMNS
from ccm_desktop.paths import DataPaths
from tests.conftest import PASSPHRASE
from tests.csvdata import patient_row, time_rows, write_csv

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")

PATIENTS, ENTRIES = 40, 40_000


def _counts(paths: DataPaths) -> tuple[int, int, int, str]:
    """Time entries, their ``time.add`` events, ``import.time`` events, integrity check."""
    with open_practice(paths, PASSPHRASE) as ctx, ctx.db.read() as s:
        actions = dict(
            s.execute(
                select(AuditEvent.action, func.count())
                .where(AuditEvent.action.in_(["time.add", "import.time"]))
                .group_by(AuditEvent.action)
            ).all()
        )
        entries = s.scalar(select(func.count()).select_from(TimeEntry))
        check = s.execute(text("PRAGMA integrity_check")).scalar()
    return entries, actions.get("time.add", 0), actions.get("import.time", 0), check


@pytest.mark.parametrize("kill_after_bytes", [1, 4 * 2**20], ids=["commit-starts", "mid-commit"])
def test_an_import_killed_during_its_commit_leaves_all_rows_or_none(
    practice_paths: DataPaths, tmp_path: Path, kill_after_bytes: int
) -> None:
    with open_practice(practice_paths, PASSPHRASE) as ctx:
        admin = ctx.practice.actor_for("admin")
        rows = [patient_row(i) for i in range(PATIENTS)]
        assert import_patients(
            ctx, write_csv(tmp_path / "p.csv", PATIENT_COLUMNS, rows), admin
        ).written
    entries = [
        {**r, "staff": "dr.example" if r["staff"] == "admin" else r["staff"]}
        for r in time_rows(ENTRIES, PATIENTS)
    ]
    f = write_csv(tmp_path / "t.csv", TIME_COLUMNS, entries)
    wal = practice_paths.database.with_name(practice_paths.database.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0  # closed cleanly: nothing pending
    env = os.environ | {
        "CCM_DESKTOP_PASSPHRASE": PASSPHRASE,
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }
    command = [sys.executable, "-m", "ccm_desktop", "--data-dir", str(practice_paths.root)]
    proc = subprocess.Popen(
        [*command, "--user", "admin", "import", "time", str(f)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    killed_at = None
    deadline = time.monotonic() + 240
    while proc.poll() is None and time.monotonic() < deadline:
        size = wal.stat().st_size if wal.exists() else 0
        if size >= kill_after_bytes:
            proc.send_signal(signal.SIGKILL)
            killed_at = size
            break
        time.sleep(0.0005)
    _, err = proc.communicate(timeout=60)
    assert killed_at is not None and proc.returncode == -signal.SIGKILL, err
    got = _counts(practice_paths)
    assert got in {(0, 0, 0, "ok"), (ENTRIES, ENTRIES, 1, "ok")}, (got, killed_at)
