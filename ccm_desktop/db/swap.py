"""The atomic swap of a restore: database and key file replaced together, or not at all.

A restore stages the verified backup (and, when it has its own key, that key file) next
to the practice files, fsyncs them, then writes a small journal atomically: the journal
is the commit point. Before it exists the old practice is untouched; after it, the swap
is finished by whoever opens the practice next (:func:`recover`, called under the
instance lock by ``open_practice``, ``init`` and ``restore``). With no journal, staged
and partial files are leftovers of an interrupted restore and are deleted.

:func:`crash_point` is a test hook: when ``CCM_DESKTOP_CRASH_AT`` names the point, the
process kills itself there (SIGKILL, no clean-up), so tests can interrupt a real restore
at each step. It does nothing unless that variable is set.
"""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

from ccm_desktop.errors import PracticeIncomplete
from ccm_desktop.fileperms import make_private, open_private
from ccm_desktop.paths import DataPaths

CRASH_ENV = "CCM_DESKTOP_CRASH_AT"
STAGED_SUFFIX = ".restoring"
JOURNAL_NAME = "restore.journal"
JOURNAL_FORMAT = "ccm-desktop-restore-journal/1"


def crash_point(name: str) -> None:
    """Kill this process here when ``CCM_DESKTOP_CRASH_AT`` equals ``name`` (tests only)."""
    if os.environ.get(CRASH_ENV) == name:
        os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))


def staged_database(paths: DataPaths) -> Path:
    return paths.database.with_name(paths.database.name + STAGED_SUFFIX)


def staged_key(paths: DataPaths) -> Path:
    return paths.wrapped_key.with_name(paths.wrapped_key.name + STAGED_SUFFIX)


def journal(paths: DataPaths) -> Path:
    return paths.root / JOURNAL_NAME


def leftovers(paths: DataPaths) -> list[Path]:
    """Staged, temporary and partial files an interrupted restore, init or backup left."""
    root = paths.root
    if not root.is_dir():
        return []
    found = {
        *root.glob(paths.database.name + STAGED_SUFFIX + "*"),
        *root.glob(paths.wrapped_key.name + STAGED_SUFFIX),
        *root.glob(paths.wrapped_key.stem + "*.tmp"),
        *root.glob(JOURNAL_NAME + ".tmp"),
        *root.glob("*.partial"),
    }
    if paths.backups.is_dir():
        found.update(paths.backups.glob("*.partial"))
    return sorted(found)


def fsync_file(path: Path) -> None:
    """Flush ``path``'s bytes to the disk."""
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


def fsync_dir(path: Path) -> None:
    """Flush a folder's entries (renames, new files) to the disk; a no-op on Windows."""
    if os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def remove_sidecars(db_path: Path) -> None:
    """Delete the -wal and -shm files of ``db_path``: a WAL left by the old database
    would otherwise be played into the new one when it is first opened, damaging it."""
    for suffix in ("-wal", "-shm"):
        db_path.with_name(db_path.name + suffix).unlink(missing_ok=True)


def commit(paths: DataPaths, *, with_key: bool) -> None:
    """Commit the staged restore (the staged database, and the staged key file when
    ``with_key``, must be complete and fsynced), then finish it."""
    doc = {"format": JOURNAL_FORMAT, "key": with_key}
    tmp = journal(paths).with_name(JOURNAL_NAME + ".tmp")
    tmp.unlink(missing_ok=True)
    with open_private(tmp, "w", encoding="utf-8") as fh:
        fh.write(json.dumps(doc))
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, journal(paths))
    fsync_dir(paths.root)
    crash_point("restore:after-journal")
    _finish(paths)


def _finish(paths: DataPaths) -> None:
    """Roll a committed swap forward; every step may be repeated after a crash."""
    new_key, new_db = staged_key(paths), staged_database(paths)
    if new_key.exists():
        os.replace(new_key, paths.wrapped_key)
        make_private(paths.wrapped_key)
        fsync_dir(paths.root)
    crash_point("restore:after-key")
    if new_db.exists():
        # Nobody opened the new database yet (every open recovers first), so any -wal or
        # -shm here belongs to the old one: remove it before the new file takes its name.
        remove_sidecars(paths.database)
        remove_sidecars(new_db)
        os.replace(new_db, paths.database)
        make_private(paths.database)
        fsync_dir(paths.root)
    crash_point("restore:after-database")
    journal(paths).unlink(missing_ok=True)
    fsync_dir(paths.root)


def recover(paths: DataPaths) -> bool:
    """Finish a committed restore, or delete an uncommitted one's files; the caller holds
    the instance lock. Returns True when a restore was finished here.

    A journal whose staged files are gone while the database is missing cannot be finished:
    that is reported (:class:`PracticeIncomplete`), never papered over.
    """
    if not paths.root.is_dir():
        return False
    finished = False
    j = journal(paths)
    if j.exists():
        if not staged_database(paths).exists() and not paths.database.exists():
            raise PracticeIncomplete(
                f"An interrupted restore in {paths.root} cannot be finished: the restored "
                "database file is missing. Restore the backup again."
            )
        _finish(paths)
        finished = True
    for f in leftovers(paths):
        f.unlink(missing_ok=True)
    return finished
