"""The application context: one per open practice, built at start and passed down.

Start-up order (docs/engineering-notes.md): single-instance lock; key from the keyring or
the passphrase; open (a wrong key fails before anything is written); refuse a
newer database; back up, then upgrade when due.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from ccm_desktop.db.engine import Database
from ccm_desktop.db.migrate import UpgradeResult, upgrade
from ccm_desktop.errors import DatabaseExists, NoDatabase
from ccm_desktop.events import EventBus
from ccm_desktop.gate import Gate
from ccm_desktop.lockfile import InstanceLock
from ccm_desktop.paths import DataPaths
from ccm_desktop.security.audit import Actor
from ccm_desktop.security.keys import KeyStore, check_passphrase
from ccm_desktop.services.base import Clock
from ccm_desktop.services.careplans import CarePlanService
from ccm_desktop.services.enrollment import EnrollmentService
from ccm_desktop.services.patient_record import PatientRecordService
from ccm_desktop.services.patients import PatientService
from ccm_desktop.services.periods import PeriodService
from ccm_desktop.services.practice import PracticeService, PracticeSetup, validate_setup
from ccm_desktop.services.timing import TimeService
from ccm_desktop.services.visits import VisitService

if TYPE_CHECKING:
    from ccm_desktop.importers.service import ImportService


@dataclass
class AppContext:
    """An open practice: its database, services, event bus and the acting user."""

    paths: DataPaths
    db: Database
    bus: EventBus
    clock: Clock
    upgrade: UpgradeResult
    lock: InstanceLock | None = None
    actor: Actor | None = None
    gate: Gate = field(init=False)
    practice: PracticeService = field(init=False)
    patients: PatientService = field(init=False)
    enrollment: EnrollmentService = field(init=False)
    time: TimeService = field(init=False)
    careplans: CarePlanService = field(init=False)
    visits: VisitService = field(init=False)
    periods: PeriodService = field(init=False)
    records: PatientRecordService = field(init=False)

    def __post_init__(self) -> None:
        self.gate = Gate(self.db, self.clock)
        args = (self.db, self.bus, self.clock, self.gate)
        self.practice = PracticeService(*args)
        self.patients = PatientService(*args)
        self.enrollment = EnrollmentService(*args)
        self.time = TimeService(*args)
        self.careplans = CarePlanService(*args)
        self.visits = VisitService(*args)
        self.periods = PeriodService(*args)
        self.records = PatientRecordService(*args)

    @cached_property
    def imports(self) -> ImportService:
        """CSV imports and the export, through the write gate."""
        from ccm_desktop.importers.service import ImportService  # importers import this

        return ImportService(self)

    def close(self) -> None:
        """Close the database and release the lock."""
        self.db.close()
        if self.lock is not None:
            self.lock.release()
            self.lock = None

    def __enter__(self) -> AppContext:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def database_exists(paths: DataPaths) -> bool:
    return paths.database.exists()


def open_practice(
    paths: DataPaths,
    passphrase: str | None = None,
    *,
    clock: Clock | None = None,
    lock: bool = True,
    _new: bool = False,
) -> AppContext:
    """Open the practice database in ``paths``; upgrades it (with a backup) when due.

    Raises :class:`NoDatabase`, :class:`KeyUnavailable`, :class:`WrongKey`,
    :class:`DatabaseNewerThanApp` or :class:`DatabaseLocked`.
    """
    if not paths.database.exists() and not _new:
        raise NoDatabase(f"There is no practice database in {paths.root} yet.")
    instance = InstanceLock(paths.lock) if lock else None
    if instance:
        instance.acquire()
    try:
        key = KeyStore(paths.wrapped_key).load(passphrase)
        db = Database(paths.database, key)
        try:
            result = upgrade(db, paths.backups)
        except Exception:
            db.close()
            raise
    except Exception:
        if instance:
            instance.release()
        raise
    return AppContext(paths, db, EventBus(), clock or Clock(), result, instance)


def create_practice(
    paths: DataPaths,
    passphrase: str,
    setup: PracticeSetup | None,
    actor: Actor,
    *,
    clock: Clock | None = None,
) -> AppContext:
    """Create a new encrypted practice database and load ``setup`` into it.

    Everything is validated first; on any failure no file is left behind. ``setup``
    may be None for a database the caller fills itself (the demo).
    """
    if paths.database.exists() or paths.wrapped_key.exists():
        raise DatabaseExists(
            f"A practice database already exists in {paths.root}; nothing was changed."
        )
    check_passphrase(passphrase)
    clean = validate_setup(setup) if setup is not None else None
    paths.root.mkdir(parents=True, exist_ok=True)
    created = [paths.wrapped_key, *paths.sidecars()]
    try:
        KeyStore(paths.wrapped_key).create(passphrase)
        ctx = open_practice(paths, passphrase, clock=clock, _new=True)
    except Exception:
        for f in created:
            f.unlink(missing_ok=True)
        raise
    if clean is not None:
        try:
            ctx.practice.setup(actor, clean)
        except Exception:
            ctx.close()
            KeyStore(paths.wrapped_key).forget_keyring_entry()
            for f in created:
                f.unlink(missing_ok=True)
            shutil.rmtree(paths.backups, ignore_errors=True)
            raise
    return ctx


def demo_passphrase() -> str:
    """The documented passphrase of the synthetic demo practice (never for real data)."""
    return "demo-practice-only"


__all__ = ["AppContext", "NoDatabase", "create_practice", "open_practice"]
