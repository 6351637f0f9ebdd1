"""Where the practice's files live: platformdirs, ``--data-dir`` or ``CCM_DESKTOP_DATA_DIR``."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from platformdirs import PlatformDirs

DATA_DIR_ENV = "CCM_DESKTOP_DATA_DIR"
PASSPHRASE_ENV = "CCM_DESKTOP_PASSPHRASE"


@dataclass(frozen=True)
class DataPaths:
    """The files of one practice inside its data folder."""

    root: Path

    @property
    def database(self) -> Path:
        return self.root / "practice.ccmdb"

    @property
    def wrapped_key(self) -> Path:
        """Passphrase-wrapped copy of the database key (JSON, no plaintext key)."""
        return self.root / "practice.key.json"

    @property
    def backups(self) -> Path:
        return self.root / "backups"

    @property
    def lock(self) -> Path:
        return self.root / "practice.lock"

    def sidecars(self) -> list[Path]:
        """The database file and its SQLite -wal / -shm companions."""
        db = self.database
        return [db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")]


def default_data_dir() -> Path:
    """The per-user data folder platformdirs gives for this OS."""
    return Path(PlatformDirs("CCM Desktop", "CCM Desktop", roaming=False).user_data_dir)


def demo_data_dir() -> Path:
    """The demo practice is kept apart from a real practice's folder."""
    return default_data_dir().parent / "CCM Desktop Demo"


def resolve_data_dir(cli_value: str | None = None, *, demo: bool = False) -> DataPaths:
    """``--data-dir`` wins, then ``CCM_DESKTOP_DATA_DIR``, then the platform default.

    With ``demo`` and no ``--data-dir``, the demo practice gets its own folder next to the
    practice folder ("<folder> Demo"), so synthetic patients never mix with real ones.
    """
    if cli_value:
        root = Path(cli_value)
    elif os.environ.get(DATA_DIR_ENV):
        root = Path(os.environ[DATA_DIR_ENV])
        if demo:
            root = root.with_name(root.name + " Demo")
    else:
        root = demo_data_dir() if demo else default_data_dir()
    return DataPaths(root.expanduser().resolve())


def resources_dir() -> Path:
    """The ``resources/`` folder (next to the package, or bundled by PyInstaller)."""
    import sys

    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"
