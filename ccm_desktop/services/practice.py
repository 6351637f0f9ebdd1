"""The practice, its providers and staff: set-up (``init`` and the wizard), look-ups and the
administrator's edits (one set of rules: :func:`check_practice`, :func:`check_provider`,
:func:`check_staff`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ccm_desktop.db.models import (
    CREDENTIALS,
    PRACTITIONER_CREDENTIALS,
    ROLES,
    AuditEvent,
    Practice,
    Provider,
    StaffUser,
    TimeEntry,
)
from ccm_desktop.errors import (
    DatabaseExists,
    NotFound,
    StaleEdit,
    ValidationError,
    ValidationErrors,
)
from ccm_desktop.events import Change
from ccm_desktop.gate import Permission
from ccm_desktop.security.audit import Actor, AuditRow, record
from ccm_desktop.services.base import Service
from ccm_desktop.validation import (
    check_npi,
    check_phone,
    check_required,
    check_state,
    check_tin,
    check_zip,
)
from ccm_desktop.vocab import AuditAction, ChangeKind, Role

US_TIMEZONES = (
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
    "America/Puerto_Rico",
)


@dataclass
class PracticeInfo:
    """The practice as entered in ``init``'s ``[practice]`` table or the set-up wizard."""

    name: str
    npi: str
    tin: str
    address: str = ""
    city: str = ""
    state: str = ""
    zip: str = ""
    phone: str = ""
    after_hours_phone: str = ""
    timezone: str = "America/New_York"


@dataclass
class ProviderInfo:
    """A billing practitioner."""

    name: str
    credential: str
    npi: str
    id: int | None = None
    active: bool = True


@dataclass
class StaffInfo:
    """A staff user; ``provider_npi`` links a practitioner's user to their provider record."""

    username: str
    name: str
    role: str
    credential: str = ""
    provider_npi: str = ""
    id: int | None = None
    active: bool = True


@dataclass
class PracticeSetup:
    """Everything ``init`` loads: the practice, its providers and its staff."""

    practice: PracticeInfo
    providers: list[ProviderInfo] = field(default_factory=list)
    staff: list[StaffInfo] = field(default_factory=list)

    @classmethod
    def from_mapping(cls, data: dict[str, Any]) -> PracticeSetup:
        """From parsed TOML; unknown or missing keys become field errors."""
        errors: list[ValidationError] = []
        p = data.get("practice")
        if not isinstance(p, dict):
            raise ValidationErrors(
                [ValidationError("practice", "The [practice] table is missing.")]
            )
        known = set(PracticeInfo.__dataclass_fields__)
        for k in p:
            if k not in known:
                errors.append(ValidationError(f"practice.{k}", "This setting is not known."))
        for k in ("name", "npi", "tin"):
            if k not in p:
                errors.append(ValidationError(f"practice.{k}", "This setting is required."))
        if errors:
            raise ValidationErrors(errors)
        practice = PracticeInfo(**{k: str(v) for k, v in p.items()})
        providers = [
            ProviderInfo(
                str(r.get("name", "")), str(r.get("credential", "")), str(r.get("npi", ""))
            )
            for r in data.get("providers", [])
        ]
        staff = [
            StaffInfo(
                str(r.get("username", "")),
                str(r.get("name", "")),
                str(r.get("role", "")),
                str(r.get("credential", "")),
                str(r.get("provider_npi", "")),
            )
            for r in data.get("staff", [])
        ]
        return cls(practice, providers, staff)


@cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def username_from_name(name: str) -> str:
    """The username suggested for a full name: "Jo Ann O'Neil" -> "jo.ann.oneil"."""
    parts = ["".join(ch for ch in p if ch.isalnum()) for p in name.lower().split()]
    return ".".join(p for p in parts if p)


def check_timezone(value: str, field: str = "timezone") -> str:
    """An IANA time zone name such as America/Chicago."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            field, f"'{value}' is not a time zone; use a name like America/Chicago."
        ) from None
    if value not in _zone_names():
        raise ValidationError(field, f"'{value}' is not a time zone name.")
    return value


def _collect(errors: list[ValidationError]) -> Any:
    """A runner that records a validator's error in ``errors`` and returns the raw value."""

    def run(fn: Any, *args: Any, **kw: Any) -> Any:
        try:
            return fn(*args, **kw)
        except ValidationError as exc:
            errors.append(exc)
            return args[0] if args else ""

    return run


def _credential(value: str) -> str:
    return value.strip().upper().replace("PHARMD", "PharmD")


def check_practice(
    p: PracticeInfo, prefix: str = "practice."
) -> tuple[PracticeInfo, list[ValidationError]]:
    """The practice's details cleaned, and every problem (fields ``<prefix>name`` ...)."""
    errors: list[ValidationError] = []
    run = _collect(errors)
    clean = PracticeInfo(
        name=run(check_required, p.name, f"{prefix}name", "practice name"),
        npi=run(check_npi, p.npi, f"{prefix}npi"),
        tin=run(check_tin, p.tin, f"{prefix}tin"),
        address=p.address.strip(),
        city=p.city.strip(),
        state=run(check_state, p.state, f"{prefix}state"),
        zip=run(check_zip, p.zip, f"{prefix}zip"),
        phone=run(check_phone, p.phone, f"{prefix}phone"),
        after_hours_phone=run(check_phone, p.after_hours_phone, f"{prefix}after_hours_phone"),
        timezone=run(check_timezone, p.timezone, f"{prefix}timezone"),
    )
    return clean, errors


def check_provider(
    pr: ProviderInfo, prefix: str = ""
) -> tuple[ProviderInfo, list[ValidationError]]:
    """A billing practitioner cleaned (name, credential, NPI), and every problem."""
    errors: list[ValidationError] = []
    run = _collect(errors)
    npi = run(check_npi, pr.npi, f"{prefix}npi")
    cred = _credential(pr.credential)
    if cred not in PRACTITIONER_CREDENTIALS:
        errors.append(
            ValidationError(
                f"{prefix}credential",
                f"A billing practitioner is one of {', '.join(PRACTITIONER_CREDENTIALS)}.",
            )
        )
    name = run(check_required, pr.name, f"{prefix}name", "name")
    return ProviderInfo(name, cred, npi, pr.id, pr.active), errors


def check_staff(
    st: StaffInfo, provider_npis: set[str], prefix: str = ""
) -> tuple[StaffInfo, list[ValidationError]]:
    """A staff user cleaned, and every problem; ``provider_npis`` are the NPIs a user may
    be linked to."""
    errors: list[ValidationError] = []
    run = _collect(errors)
    username = st.username.strip().lower()
    if not username or not username.replace(".", "").replace("_", "").isalnum():
        errors.append(
            ValidationError(f"{prefix}username", "A username is letters and digits (dots allowed).")
        )
    if st.role not in ROLES:
        errors.append(
            ValidationError(f"{prefix}role", f"The role must be one of {', '.join(ROLES)}.")
        )
    cred = _credential(st.credential)
    if cred not in CREDENTIALS:
        errors.append(
            ValidationError(f"{prefix}credential", f"Unknown credential '{st.credential}'.")
        )
    npi = st.provider_npi.strip()
    if npi and npi not in provider_npis:
        errors.append(
            ValidationError(f"{prefix}provider_npi", "No provider with this NPI is listed.")
        )
    name = run(check_required, st.name, f"{prefix}name", "name")
    return StaffInfo(username, name, st.role, cred, npi, st.id, st.active), errors


def validate_setup(setup: PracticeSetup) -> PracticeSetup:
    """Every field checked at once; raises :class:`ValidationErrors` listing them all."""
    clean, errors = check_practice(setup.practice)
    providers: list[ProviderInfo] = []
    seen_npi: set[str] = set()
    for i, pr in enumerate(setup.providers, 1):
        f = f"providers[{i}]."
        prov, problems = check_provider(pr, f)
        if prov.npi in seen_npi:
            problems.append(ValidationError(f"{f}npi", "This NPI is listed twice."))
        seen_npi.add(prov.npi)
        errors.extend(problems)
        providers.append(ProviderInfo(prov.name, prov.credential, prov.npi))
    staff: list[StaffInfo] = []
    seen_user: set[str] = set()
    for i, st in enumerate(setup.staff, 1):
        f = f"staff[{i}]."
        user, problems = check_staff(st, seen_npi, f)
        if user.username in seen_user:
            problems.append(ValidationError(f"{f}username", "This username is listed twice."))
        seen_user.add(user.username)
        errors.extend(problems)
        staff.append(
            StaffInfo(user.username, user.name, user.role, user.credential, st.provider_npi)
        )
    if not any(s.role == "admin" for s in staff):
        errors.append(ValidationError("staff", "List at least one staff member with role admin."))
    if errors:
        raise ValidationErrors(errors)
    return PracticeSetup(clean, providers, staff)


class PracticeService(Service):
    """Set-up and reading of the practice, providers and staff."""

    def is_set_up(self) -> bool:
        with self.db.read() as s:
            return bool(s.scalar(select(func.count()).select_from(Practice)))

    def setup(self, actor: Actor, setup: PracticeSetup) -> None:
        """Load a validated practice; refuses when the database already has one."""
        clean = validate_setup(setup)
        with self.gate.write(actor, Permission.PRACTICE_SETUP) as w:
            s = w.session
            if s.scalar(select(func.count()).select_from(Practice)):
                raise DatabaseExists("This database already holds a practice; nothing was changed.")
            p = clean.practice
            practice = Practice(**p.__dict__)
            s.add(practice)
            by_npi: dict[str, Provider] = {}
            for pr in clean.providers:
                prov = Provider(name=pr.name, credential=pr.credential, npi=pr.npi)
                s.add(prov)
                by_npi[pr.npi] = prov
            s.flush()
            for st in clean.staff:
                linked = by_npi.get(st.provider_npi) if st.provider_npi else None
                s.add(
                    StaffUser(
                        username=st.username,
                        name=st.name,
                        role=st.role,
                        credential=st.credential,
                        provider_id=linked.id if linked else None,
                    )
                )
            s.flush()
            record(
                s,
                actor,
                AuditAction.PRACTICE_SETUP,
                "practice",
                practice.id,
                detail={
                    "name": p.name,
                    "providers": len(clean.providers),
                    "staff": len(clean.staff),
                },
            )
        self.bus.publish(Change(ChangeKind.PRACTICE))

    def practice(self) -> PracticeInfo:
        with self.db.read() as s:
            return _practice_info(_the_practice(s))

    def providers(self, active_only: bool = True) -> list[ProviderInfo]:
        with self.db.read() as s:
            q = select(Provider).order_by(Provider.name)
            if active_only:
                q = q.where(Provider.active.is_(True))
            return [_provider_info(p) for p in s.scalars(q)]

    def staff(self, active_only: bool = True) -> list[StaffInfo]:
        with self.db.read() as s:
            q = select(StaffUser).order_by(StaffUser.name)
            if active_only:
                q = q.where(StaffUser.active.is_(True))
            return [_staff_info(u) for u in s.scalars(q)]

    def local_now(self) -> datetime:
        """Now on the practice's wall clock (its time zone), from the practice's clock."""
        with self.db.read() as s:
            return self.clock.now().astimezone(self.practice_tz(s))

    def time_logged(self) -> bool:
        """Whether any care-management time is recorded (a time-zone change moves the
        local day and month such time counts in)."""
        with self.db.read() as s:
            return s.scalar(select(TimeEntry.id).limit(1)) is not None

    def last_change(self) -> AuditRow | None:
        """The newest audit event of the practice's details, providers or staff."""
        with self.db.read() as s:
            e = s.scalar(
                select(AuditEvent)
                .where(AuditEvent.action.in_(list(_SETUP_ACTIONS)))
                .order_by(AuditEvent.id.desc())
                .limit(1)
            )
            if e is None:
                return None
            return AuditRow(
                e.at, e.actor, e.action, e.entity, e.entity_id, e.patient_id, dict(e.detail)
            )

    # -- edits (admin: Permission.STAFF_EDIT) ------------------------------------------
    def update_practice(
        self,
        actor: Actor,
        before: PracticeInfo,
        after: PracticeInfo,
        *,
        zone_change_confirmed: bool = False,
    ) -> None:
        """Change the practice's details. ``before`` is what the editor was shown: when the
        stored details differ from it, :class:`StaleEdit` and nothing changes. A new time
        zone once time is logged needs ``zone_change_confirmed`` (the local day and month of
        that time move with the zone)."""
        clean, errors = check_practice(after)
        if errors:
            raise ValidationErrors(errors)
        with self.gate.write(actor, Permission.STAFF_EDIT) as w:
            s = w.session
            row = _the_practice(s)
            if _practice_info(row) != before:
                raise StaleEdit(
                    "Someone else changed the practice's details since you opened them: "
                    "close this window and open it again. Nothing was changed."
                )
            if clean.timezone != row.timezone and not zone_change_confirmed:
                if s.scalar(select(TimeEntry.id).limit(1)) is not None:
                    raise ValidationError(
                        "practice.timezone",
                        "Care-management time is already logged: confirm the change of time "
                        "zone (logged times then count in the new zone's days and months).",
                    )
            changed = _changes(_practice_info(row), clean, _PRACTICE_FIELDS)
            if not changed:
                return
            for k in changed:
                setattr(row, k, getattr(clean, k))
            record(s, actor, AuditAction.PRACTICE_UPDATE, "practice", row.id, detail=changed)
        self.bus.publish(Change(ChangeKind.PRACTICE))

    def add_provider(self, actor: Actor, info: ProviderInfo) -> int:
        """Add a billing practitioner; the NPI must be new to the practice."""
        clean, errors = check_provider(info)
        if errors:
            raise ValidationErrors(errors)
        with self.gate.write(actor, Permission.STAFF_EDIT) as w:
            s = w.session
            _refuse_taken_npi(s, clean.npi, None)
            prov = Provider(name=clean.name, credential=clean.credential, npi=clean.npi)
            prov.active = clean.active
            s.add(prov)
            s.flush()
            record(
                s,
                actor,
                AuditAction.PROVIDER_ADD,
                "provider",
                prov.id,
                detail={"name": clean.name, "credential": clean.credential, "npi": clean.npi},
            )
            pid = prov.id
        self.bus.publish(Change(ChangeKind.PROVIDERS, frozenset({pid})))
        return pid

    def update_provider(self, actor: Actor, before: ProviderInfo, after: ProviderInfo) -> None:
        """Change a provider (``before.id``), or deactivate one (providers are never
        deleted: patients and claims refer to them). :class:`StaleEdit` when the stored
        provider differs from ``before``."""
        clean, errors = check_provider(after)
        if errors:
            raise ValidationErrors(errors)
        with self.gate.write(actor, Permission.STAFF_EDIT) as w:
            s = w.session
            row = s.get(Provider, before.id) if before.id is not None else None
            if row is None:
                raise NotFound("This provider is not in the practice any more.")
            if _provider_info(row) != before:
                raise StaleEdit(
                    f"Someone else changed {row.name} since you opened it: close this window "
                    "and open it again. Nothing was changed."
                )
            _refuse_taken_npi(s, clean.npi, row.id)
            changed = _changes(_provider_info(row), clean, _PROVIDER_FIELDS)
            if not changed:
                return
            for k in changed:
                setattr(row, k, getattr(clean, k))
            record(s, actor, AuditAction.PROVIDER_UPDATE, "provider", row.id, detail=changed)
        self.bus.publish(Change(ChangeKind.PROVIDERS, frozenset({row.id})))

    def add_staff(self, actor: Actor, info: StaffInfo) -> int:
        """Add a staff user; the username must be new to the practice."""
        with self.gate.write(actor, Permission.STAFF_EDIT) as w:
            s = w.session
            clean = _checked_staff(s, info)
            _refuse_taken_username(s, clean.username, None)
            user = StaffUser(
                username=clean.username,
                name=clean.name,
                role=clean.role,
                credential=clean.credential,
                provider_id=_provider_id(s, clean.provider_npi),
            )
            user.active = clean.active
            s.add(user)
            s.flush()
            record(
                s,
                actor,
                AuditAction.STAFF_ADD,
                "staff_user",
                user.id,
                detail={"username": clean.username, "name": clean.name, "role": clean.role},
            )
            uid = user.id
        self.bus.publish(Change(ChangeKind.STAFF, frozenset({uid})))
        return uid

    def update_staff(self, actor: Actor, before: StaffInfo, after: StaffInfo) -> None:
        """Change a staff user (``before.id``): name, username, role, credential, linked
        provider, active. Staff are deactivated, never deleted (the audit trail names them).
        Refused when it would leave no active administrator, when the acting user would
        deactivate themselves, and (:class:`StaleEdit`) when the stored user differs from
        ``before``."""
        with self.gate.write(actor, Permission.STAFF_EDIT) as w:
            s = w.session
            clean = _checked_staff(s, after, before.provider_npi)
            row = s.get(StaffUser, before.id) if before.id is not None else None
            if row is None:
                raise NotFound("This staff member is not in the practice any more.")
            if _staff_info(row) != before:
                raise StaleEdit(
                    f"Someone else changed {row.name} since you opened it: close this window "
                    "and open it again. Nothing was changed."
                )
            _refuse_taken_username(s, clean.username, row.id)
            if row.id == w.user.staff_id and not clean.active:
                raise ValidationError(
                    "active",
                    "You cannot deactivate your own account while you are working: ask "
                    "another administrator to do it.",
                )
            was_admin = row.active and row.role == Role.ADMIN
            if was_admin and not (clean.active and clean.role == Role.ADMIN):
                others = s.scalar(
                    select(func.count())
                    .select_from(StaffUser)
                    .where(
                        StaffUser.role == Role.ADMIN,
                        StaffUser.active.is_(True),
                        StaffUser.id != row.id,
                    )
                )
                if not others:
                    who = "You are" if row.id == w.user.staff_id else f"{row.name} is"
                    raise ValidationError(
                        "role" if clean.active else "active",
                        f"{who} the practice's only active administrator: make someone else "
                        "an administrator first, or nobody could change staff or settings.",
                    )
            changed = _changes(_staff_info(row), clean, _STAFF_FIELDS)
            if not changed:
                return
            for k in changed:
                if k == "provider_npi":
                    row.provider_id = _provider_id(s, clean.provider_npi)
                else:
                    setattr(row, k, getattr(clean, k))
            record(s, actor, AuditAction.STAFF_UPDATE, "staff_user", row.id, detail=changed)
        self.bus.publish(Change(ChangeKind.STAFF, frozenset({row.id})))

    def actor_for(self, username: str) -> Actor:
        """The :class:`Actor` of an active staff user; :class:`NotFound` otherwise."""
        with self.db.read() as s:
            return actor_in_session(s, username)


def actor_in_session(s: Session, username: str) -> Actor:
    u = s.scalar(select(StaffUser).where(StaffUser.username == username.strip().lower()))
    if u is None or not u.active:
        raise NotFound(f"There is no active staff user '{username}'.")
    return Actor(u.id, f"{u.name} ({u.username})", u.role)


_SETUP_ACTIONS = frozenset(
    {
        AuditAction.PRACTICE_SETUP,
        AuditAction.PRACTICE_UPDATE,
        AuditAction.PROVIDER_ADD,
        AuditAction.PROVIDER_UPDATE,
        AuditAction.STAFF_ADD,
        AuditAction.STAFF_UPDATE,
    }
)
_PRACTICE_FIELDS = tuple(PracticeInfo.__dataclass_fields__)
_PROVIDER_FIELDS = ("name", "credential", "npi", "active")
_STAFF_FIELDS = ("username", "name", "role", "credential", "provider_npi", "active")


def _the_practice(s: Session) -> Practice:
    p = s.scalar(select(Practice).limit(1))
    if p is None:
        raise NotFound("The practice has not been set up yet.")
    return p


def _practice_info(p: Practice) -> PracticeInfo:
    return PracticeInfo(**{k: getattr(p, k) for k in _PRACTICE_FIELDS})


def _provider_info(p: Provider) -> ProviderInfo:
    return ProviderInfo(p.name, p.credential, p.npi, p.id, bool(p.active))


def _staff_info(u: StaffUser) -> StaffInfo:
    npi = u.provider.npi if u.provider else ""
    return StaffInfo(u.username, u.name, u.role, u.credential, npi, u.id, bool(u.active))


def _changes(old: Any, new: Any, fields: tuple[str, ...]) -> dict[str, list[Any]]:
    """Field -> [old, new] for the fields that differ (the audit event's detail)."""
    return {
        k: [getattr(old, k), getattr(new, k)] for k in fields if getattr(old, k) != getattr(new, k)
    }


def _refuse_taken_npi(s: Session, npi: str, own_id: int | None) -> None:
    other = s.scalar(select(Provider).where(Provider.npi == npi))
    if other is not None and other.id != own_id:
        raise ValidationError("npi", f"{other.name} already has this NPI.")


def _refuse_taken_username(s: Session, username: str, own_id: int | None) -> None:
    other = s.scalar(select(StaffUser).where(StaffUser.username == username))
    if other is not None and other.id != own_id:
        raise ValidationError("username", f"{other.name} already has the username '{username}'.")


def _checked_staff(s: Session, info: StaffInfo, keep_npi: str = "") -> StaffInfo:
    """``info`` validated; a user may be linked to an active provider (or keep the link
    they already had to one since deactivated)."""
    active = set(s.scalars(select(Provider.npi).where(Provider.active.is_(True))))
    clean, errors = check_staff(info, active | ({keep_npi} if keep_npi else set()))
    if errors:
        raise ValidationErrors(errors)
    return clean


def _provider_id(s: Session, npi: str) -> int | None:
    return s.scalar(select(Provider.id).where(Provider.npi == npi)) if npi else None
