"""A keyring backend kept in one JSON file (benchmarks only: a child process's keyring).

Chosen in a child process with ``PYTHON_KEYRING_BACKEND=filekeyring.FileKeyring`` and
``CCM_BENCH_KEYRING=/path/keyring.json``, so a whole-process benchmark opens the
practice the way a clinic PC does, with the key from a keyring (no passphrase, no scrypt),
on a machine without a desktop keyring. The cost of a real OS keyring (Windows
Credential Manager, Secret Service) is not included. Never for real keys: the file holds
them in plain text.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import keyring.backend
import keyring.errors

FILE_ENV = "CCM_BENCH_KEYRING"


class FileKeyring(keyring.backend.KeyringBackend):
    """Passwords in the JSON file named by ``CCM_BENCH_KEYRING``."""

    priority = 1  # type: ignore[assignment]

    def _path(self) -> Path:
        return Path(os.environ[FILE_ENV])

    def _load(self) -> dict[str, str]:
        try:
            return dict(json.loads(self._path().read_text(encoding="utf-8")))
        except FileNotFoundError:
            return {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}\n{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        store = self._load()
        store[f"{service}\n{username}"] = password
        path = self._path()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(store, f)

    def delete_password(self, service: str, username: str) -> None:
        store = self._load()
        if store.pop(f"{service}\n{username}", None) is None:
            raise keyring.errors.PasswordDeleteError(username)
        self._path().write_text(json.dumps(store), encoding="utf-8")
