"""The write gate: every change to the practice database passes here, in one order.

1. The actor is a real, active staff user of this practice (read from the database, never
   trusted from the caller), or the application itself for the few actions of the
   ``system`` role (set-up, the demo generator).
2. The permission table (``resources/permissions.toml``, data by role and action) allows
   the action; a refusal names the person, the role and the action in words.
3. Every month the change is dated in is open (not closed for billing).
4. The change and its audit event commit in one transaction; a change without an audit
   event is a programming error and is rolled back.

Services, importers, the command line and the window all write through :meth:`Gate.write`
(docs/architecture.md, "The write gate"). Only this module opens write sessions.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import event, select, tuple_
from sqlalchemy.orm import Session

from ccm_desktop.db.bulk import BULK_ROWS
from ccm_desktop.db.engine import Database
from ccm_desktop.db.models import ClosedPeriod, StaffUser
from ccm_desktop.errors import CcmError, PeriodClosed, PermissionDenied
from ccm_desktop.paths import resources_dir
from ccm_desktop.security.audit import AUDITED, SYSTEM_ROLE, Actor
from ccm_desktop.services.base import Clock, practice_zone
from ccm_desktop.vocab import Role

PERMISSIONS_FILE = "permissions.toml"
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


class Permission(StrEnum):
    """An action the permission table decides on (its keys in ``permissions.toml``)."""

    PATIENT_EDIT = "patient.edit"
    PATIENT_MARK_ERROR = "patient.mark_error"
    PATIENT_MERGE = "patient.merge"
    CONDITION_EDIT = "condition.edit"
    ENROLLMENT_EDIT = "enrollment.edit"
    VISIT_RECORD = "visit.record"
    TIME_EDIT = "time.edit"
    CAREPLAN_EDIT = "careplan.edit"
    CAREPLAN_TEMPLATE = "careplan.template"
    CLINICAL_READ = "clinical.read"
    PERIOD_CLOSE = "period.close"
    REPORTS_READ = "reports.read"
    STAFF_EDIT = "staff.edit"
    SETTINGS_EDIT = "settings.edit"
    BACKUP_CREATE = "backup.create"
    BACKUP_RESTORE = "backup.restore"
    IMPORT_PATIENTS = "import.patients"
    IMPORT_TIME = "import.time"
    EXPORT_PATIENTS = "export.patients"
    PRACTICE_SETUP = "practice.setup"
    DEMO_GENERATE = "demo.generate"


class PermissionFileError(CcmError):
    """The permission table is missing or malformed (a broken installation)."""


def role_words(role: str) -> str:
    """ "front desk", "care manager" ... for a role code, in a core (English) message."""
    return "the application itself" if role == SYSTEM_ROLE else role.replace("_", " ")


@dataclass(frozen=True)
class PermissionTable:
    """Which roles may do each action, and what the action is in words."""

    roles: dict[Permission, frozenset[str]]
    says: dict[Permission, str]

    @classmethod
    def load(cls, path: Path | None = None) -> PermissionTable:
        """Read and check the table; :class:`PermissionFileError` names the file and key."""
        path = path or resources_dir() / PERMISSIONS_FILE
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise PermissionFileError(
                f"The permission table {path} cannot be read: {exc}"
            ) from None
        actions = data.get("actions")
        if not isinstance(actions, dict):
            raise PermissionFileError(f"{path.name}: the [actions] tables are missing.")
        known_roles = {r.value for r in Role} | {SYSTEM_ROLE}
        roles: dict[Permission, frozenset[str]] = {}
        says: dict[Permission, str] = {}
        for name, entry in actions.items():
            try:
                action = Permission(name)
            except ValueError:
                raise PermissionFileError(f"{path.name}: unknown action '{name}'.") from None
            got = entry.get("roles") if isinstance(entry, dict) else None
            text = entry.get("says") if isinstance(entry, dict) else None
            if not isinstance(got, list) or not isinstance(text, str) or not text:
                raise PermissionFileError(
                    f"{path.name}: action '{name}' needs a list of roles and a 'says' text."
                )
            unknown = set(got) - known_roles
            if unknown:
                raise PermissionFileError(
                    f"{path.name}: action '{name}' names unknown roles {sorted(unknown)}."
                )
            roles[action], says[action] = frozenset(got), text
        missing = [p.value for p in Permission if p not in roles]
        if missing:
            raise PermissionFileError(f"{path.name}: no entry for {', '.join(missing)}.")
        return cls(roles, says)

    def allows(self, role: str, action: Permission) -> bool:
        return role in self.roles[action]

    def actions_for(self, role: str) -> frozenset[Permission]:
        """Every action ``role`` may take."""
        return frozenset(a for a, r in self.roles.items() if role in r)

    def allowed_roles(self, action: Permission) -> list[str]:
        """The staff roles allowed ``action``, in the order of :class:`Role`."""
        return [r.value for r in Role if r.value in self.roles[action]]


@cache
def default_table() -> PermissionTable:
    """The installed permission table, read once."""
    return PermissionTable.load()


@dataclass(frozen=True)
class ActingUser:
    """The actor as the database knows it now: who, with which role and credential."""

    staff_id: int | None
    name: str
    username: str
    role: str
    credential: str
    provider_id: int | None

    @property
    def words(self) -> str:
        """ "Lee Frontdesk (front desk)"."""
        if self.staff_id is None:
            return self.name
        return f"{self.name} ({role_words(self.role)})"


def month_name(year: int, month: int) -> str:
    return f"{_MONTHS[month - 1]} {year}"


class Write:
    """One gated write: the session, the verified user, and the open-period check for
    dates only known once records are loaded (see :meth:`require_open`)."""

    def __init__(self, gate: Gate, session: Session, user: ActingUser, actor: Actor) -> None:
        self.session = session
        self.user = user
        self.actor = actor
        self._gate = gate
        self._tz: ZoneInfo | None = None

    @property
    def tz(self) -> ZoneInfo:
        """The practice's time zone (UTC before the practice is set up)."""
        if self._tz is None:
            self._tz = practice_zone(self.session) or ZoneInfo("UTC")
        return self._tz

    def today(self) -> date:
        return self._gate.clock.today(self.tz)

    def require_open(self, *when: date | datetime | None) -> None:
        """:class:`PeriodClosed` when any of these days (or instants, taken in the
        practice's time zone) falls in a month closed for billing."""
        months = set()
        for w in when:
            if w is None:
                continue
            d = w.astimezone(self.tz).date() if isinstance(w, datetime) else w
            months.add((d.year, d.month))
        self._gate.check_open(self.session, months)


class Gate:
    """The one place writes are allowed or refused (see the module docstring)."""

    def __init__(self, db: Database, clock: Clock, table: PermissionTable | None = None) -> None:
        self.db = db
        self.clock = clock
        self.table = table or default_table()

    # -- the checks, in order -----------------------------------------------------
    def acting_user(self, s: Session, actor: Actor) -> ActingUser:
        """Step 1: the actor as a real, active user (or the application itself)."""
        if actor.is_system:
            return ActingUser(None, actor.label, "", SYSTEM_ROLE, "", None)
        u = s.get(StaffUser, actor.staff_id)
        if u is None:
            raise PermissionDenied(
                f"'{actor.label}' is not a staff user of this practice: nothing was changed."
            )
        if not u.active:
            raise PermissionDenied(
                f"{u.name} ({u.username}) is no longer an active user of this practice: "
                "nothing was changed."
            )
        return ActingUser(u.id, u.name, u.username, u.role, u.credential, u.provider_id)

    def check_permission(self, user: ActingUser, action: Permission) -> None:
        """Step 2: the permission table allows ``user``'s role to take ``action``."""
        if self.table.allows(user.role, action):
            return
        says = self.table.says[action]
        if user.staff_id is None:
            raise PermissionDenied(
                f"A staff member must {says}, not {user.name}: name who is acting."
            )
        allowed = [role_words(r) for r in self.table.allowed_roles(action)]
        needs = (
            (", ".join(allowed[:-1]) + " or " + allowed[-1])
            if len(allowed) > 1
            else "".join(allowed) or "no staff"
        )
        raise PermissionDenied(
            f"{user.words} may not {says}: that needs the {needs} role. Nothing was changed."
        )

    def check_open(self, s: Session, months: Iterable[tuple[int, int]]) -> None:
        """Step 3: none of ``months`` (year, month) is closed for billing."""
        wanted = sorted(set(months))
        if not wanted:
            return
        closed = s.execute(
            select(ClosedPeriod.year, ClosedPeriod.month).where(
                tuple_(ClosedPeriod.year, ClosedPeriod.month).in_(wanted)
            )
        ).all()
        if closed:
            y, m = min(closed)
            raise PeriodClosed(
                f"{month_name(y, m)} is closed for billing: nothing dated in it can be added "
                "or changed. The billing person can reopen the month if it must change."
            )

    # -- entry points ---------------------------------------------------------------
    def authorize(self, actor: Actor, action: Permission) -> ActingUser:
        """Steps 1 and 2 without writing: for work that checks long before it writes
        (imports), or that changes files rather than rows (backup, export)."""
        with self.db.read() as s:
            user = self.acting_user(s, actor)
        self.check_permission(user, action)
        return user

    def allows(self, actor: Actor, action: Permission) -> bool:
        """Whether :meth:`authorize` would pass (for showing or hiding a button)."""
        try:
            self.authorize(actor, action)
        except PermissionDenied:
            return False
        return True

    @contextmanager
    def write(
        self,
        actor: Actor,
        action: Permission,
        *,
        on: Iterable[date | datetime | None] = (),
    ) -> Iterator[Write]:
        """A gated write transaction (BEGIN IMMEDIATE): steps 1-3 run first, the body
        makes the change, and it commits with its audit event or not at all.

        ``on`` lists the days or instants the change is dated in (step 3); more can be
        checked inside with :meth:`Write.require_open`.
        """
        with self.db.write() as s:
            changed = _watch(s)
            user = self.acting_user(s, actor)
            self.check_permission(user, action)
            w = Write(self, s, user, actor)
            w.require_open(*on)
            yield w
            s.flush()
            if (changed["rows"] or s.info.get(BULK_ROWS)) and not s.info.get(AUDITED):
                raise RuntimeError(f"a write for {action} made changes without an audit event")

    @contextmanager
    def bookkeeping(self) -> Iterator[Session]:
        """A write transaction for the application's own bookkeeping, which changes no
        practice data and so has no permission, period or audit step: only the running
        call timer's heartbeat (services/timer.py, docs/architecture.md "The call timer").
        Anything a user would call a change goes through :meth:`write`."""
        with self.db.write() as s:
            yield s


def _watch(s: Session) -> dict[str, bool]:
    """Mark when the session writes rows (flushes or bulk statements)."""
    flag = {"rows": False}

    def flushed(session: Session, _ctx: Any) -> None:
        if session.new or session.deleted or any(session.is_modified(o) for o in session.dirty):
            flag["rows"] = True

    def executed(state: Any) -> None:
        if state.is_insert or state.is_update or state.is_delete:
            flag["rows"] = True

    event.listen(s, "before_flush", lambda session, ctx, _i: flushed(session, ctx))
    event.listen(s, "do_orm_execute", executed)
    return flag
