"""Files only the signed-in OS user can read: database, key file, backups, exports, logs.

On POSIX every file this application creates is mode 0600 and every folder 0700
(docs/architecture.md, "Files on disk"). :func:`restrict_umask` is called once when a
command or the window starts, so files SQLite and the standard library create are
private too; the helpers below set the mode explicitly, so a file is private even when
the umask was not set (a library caller, a test). On Windows the per-user profile
folders already keep other users out, and ``chmod`` only toggles read-only, so the
helpers do nothing there.
"""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
PRIVATE_UMASK = 0o077
POSIX = os.name == "posix"


def restrict_umask() -> None:
    """Make every file and folder this process creates private to its user (POSIX)."""
    if POSIX:
        os.umask(PRIVATE_UMASK)


def make_private(path: Path) -> None:
    """Set ``path`` to owner read/write only (a folder: owner only); no-op off POSIX."""
    if POSIX and path.exists():
        os.chmod(path, PRIVATE_DIR if path.is_dir() else PRIVATE_FILE)


def private_dir(path: Path) -> Path:
    """Create ``path`` (and missing parents) as a private folder; returns it."""
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
    make_private(path)
    return path


def open_private(path: Path, mode: str = "w", **kwargs: object):  # noqa: ANN201 - like open()
    """``open(path, mode)`` that creates the file as 0600 from its first byte (no window
    in which another user could open it)."""
    flags = os.O_WRONLY | os.O_CREAT
    flags |= os.O_APPEND if "a" in mode else os.O_TRUNC
    if "x" in mode:
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    fd = os.open(path, flags | getattr(os, "O_BINARY", 0), PRIVATE_FILE)
    make_private(path)
    return os.fdopen(fd, mode.replace("x", "w"), **kwargs)  # type: ignore[call-overload]
