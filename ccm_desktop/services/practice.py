"""The practice, its providers and staff: set-up (``init`` and the wizard) and look-ups."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ccm_desktop.db.models import (
    CREDENTIALS,
    PRACTITIONER_CREDENTIALS,
    ROLES,
    Practice,
    Provider,
    StaffUser,
)
from ccm_desktop.errors import DatabaseExists, NotFound, ValidationError, ValidationErrors
from ccm_desktop.events import Change
from ccm_desktop.gate import Permission
from ccm_desktop.security.audit import Actor, record
from ccm_desktop.services.base import Service
from ccm_desktop.validation import (
    check_npi,
    check_phone,
    check_required,
    check_state,
    check_tin,
    check_zip,
)
from ccm_desktop.vocab import AuditAction, ChangeKind

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


@dataclass
class StaffInfo:
    """A staff user; ``provider_npi`` links a practitioner's user to their provider record."""

    username: str
    name: str
    role: str
    credential: str = ""
    provider_npi: str = ""
    id: int | None = None


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


def validate_setup(setup: PracticeSetup) -> PracticeSetup:
    """Every field checked at once; raises :class:`ValidationErrors` listing them all."""
    errors: list[ValidationError] = []

    def run(fn: Any, *args: Any, **kw: Any) -> Any:
        try:
            return fn(*args, **kw)
        except ValidationError as exc:
            errors.append(exc)
            return args[0] if args else ""

    p = setup.practice
    clean = PracticeInfo(
        name=run(check_required, p.name, "practice.name", "practice name"),
        npi=run(check_npi, p.npi, "practice.npi"),
        tin=run(check_tin, p.tin, "practice.tin"),
        address=p.address.strip(),
        city=p.city.strip(),
        state=run(check_state, p.state, "practice.state"),
        zip=run(check_zip, p.zip, "practice.zip"),
        phone=run(check_phone, p.phone, "practice.phone"),
        after_hours_phone=run(check_phone, p.after_hours_phone, "practice.after_hours_phone"),
        timezone=run(check_timezone, p.timezone, "practice.timezone"),
    )
    providers: list[ProviderInfo] = []
    seen_npi: set[str] = set()
    for i, pr in enumerate(setup.providers, 1):
        f = f"providers[{i}]"
        npi = run(check_npi, pr.npi, f"{f}.npi")
        if npi in seen_npi:
            errors.append(ValidationError(f"{f}.npi", "This NPI is listed twice."))
        seen_npi.add(npi)
        cred = pr.credential.strip().upper().replace("PHARMD", "PharmD")
        if cred not in PRACTITIONER_CREDENTIALS:
            errors.append(
                ValidationError(
                    f"{f}.credential",
                    f"A billing practitioner is one of {', '.join(PRACTITIONER_CREDENTIALS)}.",
                )
            )
        providers.append(ProviderInfo(run(check_required, pr.name, f"{f}.name", "name"), cred, npi))
    staff: list[StaffInfo] = []
    seen_user: set[str] = set()
    for i, st in enumerate(setup.staff, 1):
        f = f"staff[{i}]"
        username = st.username.strip().lower()
        if not username or not username.replace(".", "").replace("_", "").isalnum():
            errors.append(
                ValidationError(f"{f}.username", "A username is letters and digits (dots allowed).")
            )
        if username in seen_user:
            errors.append(ValidationError(f"{f}.username", "This username is listed twice."))
        seen_user.add(username)
        if st.role not in ROLES:
            errors.append(
                ValidationError(f"{f}.role", f"The role must be one of {', '.join(ROLES)}.")
            )
        cred = st.credential.strip().upper().replace("PHARMD", "PharmD")
        if cred not in CREDENTIALS:
            errors.append(
                ValidationError(f"{f}.credential", f"Unknown credential '{st.credential}'.")
            )
        if st.provider_npi and st.provider_npi not in seen_npi:
            errors.append(
                ValidationError(f"{f}.provider_npi", "No provider with this NPI is listed.")
            )
        staff.append(
            StaffInfo(
                username,
                run(check_required, st.name, f"{f}.name", "name"),
                st.role,
                cred,
                st.provider_npi,
            )
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
            p = s.scalar(select(Practice).limit(1))
            if p is None:
                raise NotFound("The practice has not been set up yet.")
            return PracticeInfo(
                p.name,
                p.npi,
                p.tin,
                p.address,
                p.city,
                p.state,
                p.zip,
                p.phone,
                p.after_hours_phone,
                p.timezone,
            )

    def providers(self, active_only: bool = True) -> list[ProviderInfo]:
        with self.db.read() as s:
            q = select(Provider).order_by(Provider.name)
            if active_only:
                q = q.where(Provider.active.is_(True))
            return [ProviderInfo(p.name, p.credential, p.npi, p.id) for p in s.scalars(q)]

    def staff(self, active_only: bool = True) -> list[StaffInfo]:
        with self.db.read() as s:
            q = select(StaffUser).order_by(StaffUser.name)
            if active_only:
                q = q.where(StaffUser.active.is_(True))
            return [
                StaffInfo(
                    u.username,
                    u.name,
                    u.role,
                    u.credential,
                    u.provider.npi if u.provider else "",
                    u.id,
                )
                for u in s.scalars(q)
            ]

    def actor_for(self, username: str) -> Actor:
        """The :class:`Actor` of an active staff user; :class:`NotFound` otherwise."""
        with self.db.read() as s:
            return actor_in_session(s, username)


def actor_in_session(s: Session, username: str) -> Actor:
    u = s.scalar(select(StaffUser).where(StaffUser.username == username.strip().lower()))
    if u is None or not u.active:
        raise NotFound(f"There is no active staff user '{username}'.")
    return Actor(u.id, f"{u.name} ({u.username})", u.role)
