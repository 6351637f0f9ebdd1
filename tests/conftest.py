"""Shared fixtures: an in-memory keyring, a fixed clock, and a real encrypted practice.

Every practice database here is a real SQLCipher file in a temp folder. A template
practice is created once per session and copied per test (files are copied; the key
is unwrapped with the test passphrase, as on a PC whose keyring lost the entry).
"""

from __future__ import annotations

import os
import shutil
import tomllib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import keyring
import keyring.backend
import keyring.errors
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from ccm_desktop.app import AppContext, create_practice, open_practice
from ccm_desktop.paths import DataPaths
from ccm_desktop.security.audit import Actor
from ccm_desktop.services.base import Clock
from ccm_desktop.services.practice import PracticeSetup

DATA = Path(__file__).parent / "data"
PRACTICE_TOML = DATA / "practice.toml"
PASSPHRASE = "test passphrase 1"
# A fixed "now" for core tests: mid-month, practice in America/New_York.
FIXED_NOW = datetime(2026, 11, 16, 15, 0, tzinfo=UTC)


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A keyring that works, in memory only."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.store:
            raise keyring.errors.PasswordDeleteError(username)
        del self.store[(service, username)]


class FailingKeyring(keyring.backend.KeyringBackend):
    """Like headless Linux with no D-Bus: every call fails."""

    priority = 1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.NoKeyringError("no backend")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.NoKeyringError("no backend")

    def delete_password(self, service: str, username: str) -> None:
        raise keyring.errors.NoKeyringError("no backend")


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    """Every test gets a fresh working in-memory keyring; the real one is restored."""
    old = keyring.get_keyring()
    kr = MemoryKeyring()
    keyring.set_keyring(kr)
    yield kr
    keyring.set_keyring(old)


@pytest.fixture
def failing_keyring() -> Iterator[FailingKeyring]:
    """No keyring backend at all (headless Linux, locked keyring)."""
    old = keyring.get_keyring()
    kr = FailingKeyring()
    keyring.set_keyring(kr)
    yield kr
    keyring.set_keyring(old)


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the developer's own data folder or passphrase."""
    monkeypatch.delenv("CCM_DESKTOP_PASSPHRASE", raising=False)
    monkeypatch.delenv("CCM_DESKTOP_USER", raising=False)
    monkeypatch.setenv("CCM_DESKTOP_DATA_DIR", str(tmp_path / "default-data"))


def practice_setup() -> PracticeSetup:
    return PracticeSetup.from_mapping(tomllib.loads(PRACTICE_TOML.read_text()))


@pytest.fixture(scope="session")
def _template(tmp_path_factory: pytest.TempPathFactory) -> DataPaths:
    old = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    try:
        paths = DataPaths(tmp_path_factory.mktemp("template"))
        ctx = create_practice(
            paths,
            PASSPHRASE,
            practice_setup(),
            Actor.system("test set-up"),
            clock=Clock(lambda: FIXED_NOW),
        )
        ctx.close()
    finally:
        keyring.set_keyring(old)
    return paths


@pytest.fixture
def practice_paths(_template: DataPaths, tmp_path: Path) -> DataPaths:
    """A copy of the template practice's files in this test's own folder."""
    paths = DataPaths(tmp_path / "practice")
    paths.root.mkdir()
    for f in (_template.database, _template.wrapped_key):
        shutil.copyfile(f, paths.root / f.name)
    return paths


@pytest.fixture
def ctx(practice_paths: DataPaths) -> Iterator[AppContext]:
    """An open practice (two providers, four staff, no patients) with a fixed clock."""
    c = open_practice(practice_paths, PASSPHRASE, clock=Clock(lambda: FIXED_NOW))
    c.actor = c.practice.actor_for("dr.example")  # a provider: every clinical screen works
    yield c
    c.close()


@pytest.fixture
def admin(ctx: AppContext) -> Actor:
    """The practice's administrator: staff, settings, backups, imports; nothing clinical."""
    return ctx.practice.actor_for("admin")


@pytest.fixture
def clinician(ctx: AppContext) -> Actor:
    """Dr. Dana Example, a provider: everything clinical, patients and enrollment."""
    return ctx.practice.actor_for("dr.example")


@pytest.fixture
def nurse(ctx: AppContext) -> Actor:
    """Kim Carewell, RN, a care manager: clinical work, time, care plans."""
    return ctx.practice.actor_for("nurse.kim")


@pytest.fixture
def front(ctx: AppContext) -> Actor:
    """Lee Frontdesk: patient details, enrollment and consent; no clinical work or time."""
    return ctx.practice.actor_for("front")
