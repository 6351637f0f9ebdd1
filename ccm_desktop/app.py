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

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import configure_mappers

from ccm_desktop.db import swap
from ccm_desktop.db.engine import Database, database_failure
from ccm_desktop.db.migrate import UpgradeResult, upgrade
from ccm_desktop.errors import (
    DatabaseDamaged,
    DatabaseExists,
    NoDatabase,
    PracticeIncomplete,
    WrongKey,
)
from ccm_desktop.events import EventBus
from ccm_desktop.fileperms import make_private, open_private, private_dir
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
from ccm_desktop.services.templates import TemplateService
from ccm_desktop.services.time_counts import TimeTotals
from ccm_desktop.services.time_log import TimeLogService
from ccm_desktop.services.timer import TimerService
from ccm_desktop.services.timing import TimeService
from ccm_desktop.services.visits import VisitService
from ccm_desktop.services.worklist import WorklistService

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
    timer: TimerService = field(init=False)
    time_log: TimeLogService = field(init=False)
    totals: TimeTotals = field(init=False)
    worklist: WorklistService = field(init=False)
    careplans: CarePlanService = field(init=False)
    visits: VisitService = field(init=False)
    periods: PeriodService = field(init=False)
    records: PatientRecordService = field(init=False)
    templates: TemplateService = field(init=False)

    def __post_init__(self) -> None:
        self.gate = Gate(self.db, self.clock)
        args = (self.db, self.bus, self.clock, self.gate)
        self.practice = PracticeService(*args)
        self.patients = PatientService(*args)
        self.enrollment = EnrollmentService(*args)
        self.time = TimeService(*args)
        self.timer = TimerService(*args)
        self.time_log = TimeLogService(*args)
        self.totals = TimeTotals(*args)
        self.worklist = WorklistService(*args)
        self.careplans = CarePlanService(*args)
        self.visits = VisitService(*args)
        self.periods = PeriodService(*args)
        self.records = PatientRecordService(*args)
        self.templates = TemplateService(*args)

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
    """True when any file of a practice is in ``paths`` (the database, its key file, or an
    interrupted restore's journal): then the practice is opened, and whatever is missing
    or damaged is reported, never replaced by a new practice."""
    return any(p.exists() for p in (paths.database, paths.wrapped_key, swap.journal(paths)))


RESTORE_HINT = "restore the latest backup (ccm-desktop restore BACKUP.ccmbak)"


def check_practice_files(paths: DataPaths) -> None:
    """Refuse, in plain words, a practice whose files are not all there.

    :class:`NoDatabase` when there is no practice at all; :class:`PracticeIncomplete` for
    a key file without its database, a database without its key file, or an empty
    (0-byte) database, which SQLite would otherwise open as a new, empty practice;
    :class:`DatabaseDamaged` for a file that is not a whole number of pages (truncated).
    """
    from ccm_desktop.db.backup import PAGE_SIZE

    db, key = paths.database, paths.wrapped_key
    if not db.exists() and not key.exists():
        raise NoDatabase(f"There is no practice database in {paths.root} yet.")
    if not db.exists():
        raise PracticeIncomplete(
            f"The practice database file {db.name} is missing from {paths.root} (its key "
            f"file is there). Nothing was created in its place: {RESTORE_HINT}."
        )
    if not key.exists():
        raise PracticeIncomplete(
            f"The key file {key.name} of the practice database in {paths.root} is missing. "
            f"Copy it back (the .key.json file next to a backup is a copy of it), or "
            f"{RESTORE_HINT}."
        )
    size = db.stat().st_size
    if size == 0:
        raise PracticeIncomplete(
            f"The practice database file {db} is empty (0 bytes): its data is gone from "
            f"this file. It was not opened, and nothing was changed: {RESTORE_HINT}."
        )
    if size % PAGE_SIZE:
        raise DatabaseDamaged(
            f"The practice database file {db} is truncated (it ends part-way through a "
            f"page): {RESTORE_HINT}."
        )


def open_practice(
    paths: DataPaths,
    passphrase: str | None = None,
    *,
    clock: Clock | None = None,
    lock: bool = True,
) -> AppContext:
    """Open the practice database in ``paths``; upgrades it (with a backup) when due.

    Under the instance lock an interrupted restore is finished (or its leftovers removed)
    first. Raises :class:`NoDatabase`, :class:`PracticeIncomplete`,
    :class:`DatabaseDamaged`, :class:`KeyUnavailable`, :class:`WrongKey`,
    :class:`DatabaseNewerThanApp` or :class:`DatabaseLocked`. ``lock=False``: the caller
    holds the lock.
    """
    if not paths.root.is_dir():
        raise NoDatabase(f"There is no practice database in {paths.root} yet.")
    instance = InstanceLock(paths.lock) if lock else None
    if instance:
        instance.acquire()
    try:
        swap.recover(paths)
        check_practice_files(paths)
        ctx = _open(paths, passphrase, clock, instance)
    except Exception:
        if instance:
            instance.release()
        raise
    return ctx


def _open(
    paths: DataPaths, passphrase: str | None, clock: Clock | None, instance: InstanceLock | None
) -> AppContext:
    key = KeyStore(paths.wrapped_key).load(passphrase)
    try:
        db = Database(paths.database, key)
    except WrongKey:
        _damaged_or_wrong_key(paths, key)
        raise
    except DBAPIError as exc:  # page 1 reads, but the schema is damaged
        _raise_if_damaged(exc)
        raise
    try:
        for f in paths.sidecars():
            make_private(f)
        result = upgrade(db, paths.backups)
    except DBAPIError as exc:  # a damaged page met while reading the schema version
        db.close()
        _raise_if_damaged(exc)
        raise
    except Exception:
        db.close()
        raise
    # The ORM's mappers are set up once per process, at the first query (about 40 ms):
    # here, on the thread that opens the practice, not on the first screen's path.
    configure_mappers()
    return AppContext(paths, db, EventBus(), clock or Clock(), result, instance)


def _raise_if_damaged(exc: DBAPIError) -> None:
    """:class:`DatabaseDamaged` for a driver error that means damage; other errors (a
    failed upgrade step) keep their own type and words."""
    failure = database_failure(exc)
    if isinstance(failure, DatabaseDamaged):
        raise failure from exc


def _damaged_or_wrong_key(paths: DataPaths, key: bytes) -> None:
    """After the key file's key failed to open the database: :class:`DatabaseDamaged` when
    most pages do authenticate under it (the first page is damaged, the key is right);
    otherwise return, and the caller's :class:`WrongKey` stands."""
    from ccm_desktop.db.backup import page_authentication

    failed, pages = page_authentication(paths.database, key)
    if failed < pages:
        raise DatabaseDamaged(
            f"The practice database is damaged: its first page fails its check, though the "
            f"key is right ({pages - failed} of {pages} pages open with it). Nothing was "
            f"changed: {RESTORE_HINT}."
        ) from None


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
    may be None for a database the caller fills itself (the demo). Creation is exclusive:
    the instance lock is taken before looking, and the key file is created only where
    none exists, so of two creations at once exactly one makes the practice and the
    other gets :class:`DatabaseExists` or :class:`DatabaseLocked`.
    """
    check_passphrase(passphrase)
    clean = validate_setup(setup) if setup is not None else None
    private_dir(paths.root)
    instance = InstanceLock(paths.lock)
    instance.acquire()
    try:
        swap.recover(paths)
        if database_exists(paths):
            raise DatabaseExists(
                f"A practice database already exists in {paths.root}; nothing was changed."
            )
        KeyStore(paths.wrapped_key).create(passphrase)  # DatabaseExists if another won
        open_private(paths.database, "xb").close()  # private from the start; SQLite fills it
    except Exception:
        instance.release()
        raise
    created = [paths.wrapped_key, *paths.sidecars()]
    try:
        ctx = _open(paths, passphrase, clock, instance)
    except Exception:
        KeyStore(paths.wrapped_key).forget_keyring_entry()
        for f in created:
            f.unlink(missing_ok=True)
        instance.release()
        raise
    if clean is not None:
        try:
            ctx.practice.setup(actor, clean)
        except Exception:
            ctx.db.close()
            KeyStore(paths.wrapped_key).forget_keyring_entry()
            for f in created:
                f.unlink(missing_ok=True)
            shutil.rmtree(paths.backups, ignore_errors=True)
            ctx.lock = None
            instance.release()  # only once nothing of the failed practice is left
            raise
    return ctx


def demo_passphrase() -> str:
    """The documented passphrase of the synthetic demo practice (never for real data)."""
    return "demo-practice-only"


__all__ = [
    "AppContext",
    "NoDatabase",
    "PracticeIncomplete",
    "check_practice_files",
    "create_practice",
    "open_practice",
]
