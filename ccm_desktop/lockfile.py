"""A single-instance lock on the practice folder (released by the OS if the process dies)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import IO

from ccm_desktop.errors import DatabaseLocked
from ccm_desktop.fileperms import PRIVATE_FILE, make_private, private_dir


class InstanceLock:
    """An exclusive, non-blocking OS lock on ``path``; :class:`DatabaseLocked` if held."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fh: IO[str] | None = None

    def acquire(self) -> None:
        if not self.path.parent.is_dir():
            private_dir(self.path.parent)
        flags = os.O_RDWR | os.O_CREAT | os.O_APPEND | getattr(os, "O_BINARY", 0)
        fd = os.open(self.path, flags, PRIVATE_FILE)
        make_private(self.path)
        fh = os.fdopen(fd, "a+", encoding="utf-8")
        try:
            if sys.platform == "win32":
                import msvcrt

                fh.seek(0)
                msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.close()
            raise DatabaseLocked(
                "The practice database is already open in another CCM Desktop window "
                "or command on this computer. Close it first."
            ) from None
        fh.truncate(0)
        fh.write(str(os.getpid()))
        fh.flush()
        self._fh = fh

    def release(self) -> None:
        if self._fh is not None:
            try:
                if sys.platform == "win32":
                    import msvcrt

                    self._fh.seek(0)
                    msvcrt.locking(self._fh.fileno(), msvcrt.LK_UNLCK, 1)
                else:
                    import fcntl

                    fcntl.flock(self._fh.fileno(), fcntl.LOCK_UN)
            finally:
                self._fh.close()
                self._fh = None
