"""SQLAlchemy models of the practice database (typed ``Mapped[]``, portable to PostgreSQL).

History is kept, not overwritten: enrollment statuses, consents, care-plan versions
and time-entry revisions are rows of their own, and every change writes an
:class:`AuditEvent` in the same transaction.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, object_session, relationship

from ccm_desktop.db.types import JSONType, UTCDateTime, utcnow
from ccm_desktop.textfold import name_search_key
from ccm_desktop.vocab import (
    Activity,
    ConditionStatus,
    ConsentMethod,
    CopyMethod,
    Credential,
    EnrollmentStatus,
    PlanStatus,
    Program,
    RecordStatus,
    Role,
    Sex,
    TimeSource,
    VisitKind,
    codes,
)

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# The stored codes of each enumerated column, from ccm_desktop.vocab (aliases kept for
# the modules that import them from here).
ROLES = codes(Role)
CREDENTIALS = codes(Credential)
PROGRAMS = codes(Program)
ENROLLMENT_STATUSES = codes(EnrollmentStatus)
CONSENT_METHODS = codes(ConsentMethod)
CONDITION_STATUSES = codes(ConditionStatus)
SEXES = codes(Sex)
ACTIVITIES = codes(Activity)
TIME_SOURCES = codes(TimeSource)
VISIT_TYPES = codes(VisitKind)

# Rules, not vocabulary: read from ccm_desktop.rules on first use (see __getattr__).
_RULE_ALIASES = {
    "PRACTITIONER_CREDENTIALS": "billing_practitioner_credentials",
    "CLINICAL_STAFF_CREDENTIALS": "clinical_staff_credentials",
}


def __getattr__(name: str) -> tuple[str, ...]:
    """``PRACTITIONER_CREDENTIALS`` and ``CLINICAL_STAFF_CREDENTIALS``: deprecated aliases of
    :mod:`ccm_desktop.rules`, read lazily so importing the models never reads the rules."""
    if name in _RULE_ALIASES:
        from ccm_desktop import rules

        return tuple(getattr(rules, _RULE_ALIASES[name])())
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _in(column: str, kind: type[StrEnum]) -> str:
    """The CHECK text that limits ``column`` to the codes of ``kind``."""
    return f"{column} IN ({', '.join(repr(v) for v in codes(kind))})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Practice(Base):
    """The one practice this database belongs to."""

    __tablename__ = "practice"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    npi: Mapped[str] = mapped_column(String(10))
    tin: Mapped[str] = mapped_column(String(9))
    address: Mapped[str] = mapped_column(String(200), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    state: Mapped[str] = mapped_column(String(2), default="")
    zip: Mapped[str] = mapped_column(String(10), default="")
    phone: Mapped[str] = mapped_column(String(10), default="")
    after_hours_phone: Mapped[str] = mapped_column(String(10), default="")
    timezone: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Provider(Base):
    """A billing practitioner (MD, DO, NP, PA, CNS)."""

    __tablename__ = "provider"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    credential: Mapped[str] = mapped_column(String(10))
    npi: Mapped[str] = mapped_column(String(10), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class StaffUser(Base):
    """A person who uses the application; every change names one."""

    __tablename__ = "staff_user"
    __table_args__ = (CheckConstraint(_in("role", Role), name="role"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    credential: Mapped[str] = mapped_column(String(10), default="")
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("provider.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    provider: Mapped[Provider | None] = relationship()


class Patient(Base):
    """A patient of the practice; MRN is the practice's own record number."""

    __tablename__ = "patient"
    __table_args__ = (
        CheckConstraint(_in("sex", Sex), name="sex"),
        CheckConstraint(_in("record_status", RecordStatus), name="record_status"),
        Index("ix_patient_name", "last_name", "first_name"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    mrn: Mapped[str] = mapped_column(String(40), unique=True)
    last_name: Mapped[str] = mapped_column(String(100))
    first_name: Mapped[str] = mapped_column(String(100))
    dob: Mapped[date] = mapped_column(Date, index=True)
    sex: Mapped[str] = mapped_column(String(1))
    phone: Mapped[str] = mapped_column(String(10), default="")
    address: Mapped[str] = mapped_column(String(200), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    state: Mapped[str] = mapped_column(String(2), default="")
    zip: Mapped[str] = mapped_column(String(10), default="")
    preferred_language: Mapped[str] = mapped_column(String(8), default="en")
    mbi: Mapped[str | None] = mapped_column(String(11), index=True)
    qmb: Mapped[bool] = mapped_column(Boolean, default=False)
    billing_provider_id: Mapped[int | None] = mapped_column(ForeignKey("provider.id"), index=True)
    # The staff member who looks after this patient's care management (the worklist's
    # "mine"); None until one is assigned (migration 0008).
    care_manager_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"), index=True)
    last_visit_date: Mapped[date | None] = mapped_column(Date)
    # Folded " last first " for accent- and case-blind search (ccm_desktop.textfold);
    # kept in step by the ORM events below, and by bulk inserts that bypass the ORM.
    search_key: Mapped[str] = mapped_column(String(240), default="", server_default="")
    # A record is never deleted: "entered_in_error" (with a reason) or "merged" into
    # ``merged_into_id`` takes it out of the list and refuses new rows for it (migration 0005).
    record_status: Mapped[str] = mapped_column(
        String(20), default=RecordStatus.ACTIVE, server_default=RecordStatus.ACTIVE.value
    )
    status_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("patient.id"), index=True)
    status_changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}

    billing_provider: Mapped[Provider | None] = relationship()
    conditions: Mapped[list[Condition]] = relationship(
        back_populates="patient", order_by="Condition.code"
    )
    enrollments: Mapped[list[Enrollment]] = relationship(
        back_populates="patient", order_by="Enrollment.id"
    )


@event.listens_for(Patient, "before_insert")
@event.listens_for(Patient, "before_update")
def _patient_search_key(_mapper: object, _connection: object, target: Patient) -> None:
    target.search_key = name_search_key(target.last_name, target.first_name)


class Condition(Base):
    """A chronic condition, by its ICD-10-CM code (stored without the dot)."""

    __tablename__ = "condition"
    __table_args__ = (
        UniqueConstraint("patient_id", "code"),
        CheckConstraint(_in("status", ConditionStatus), name="status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    code: Mapped[str] = mapped_column(String(8))
    description: Mapped[str] = mapped_column(String(300))
    onset_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="active")
    last_assessed_date: Mapped[date | None] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    patient: Mapped[Patient] = relationship(back_populates="conditions")


class Enrollment(Base):
    """A patient's participation in one program with one billing practitioner.

    ``status`` caches the latest :class:`EnrollmentStatusEvent`; the events are the truth.
    """

    __tablename__ = "enrollment"
    __table_args__ = (
        CheckConstraint(_in("program", Program), name="program"),
        CheckConstraint(_in("status", EnrollmentStatus), name="status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    program: Mapped[str] = mapped_column(String(12))
    billing_provider_id: Mapped[int | None] = mapped_column(ForeignKey("provider.id"))
    status: Mapped[str] = mapped_column(String(16))
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    patient: Mapped[Patient] = relationship(back_populates="enrollments")
    events: Mapped[list[EnrollmentStatusEvent]] = relationship(
        back_populates="enrollment", order_by="EnrollmentStatusEvent.id"
    )


class EnrollmentStatusEvent(Base):
    """One step of an enrollment's history: who recorded what, when, effective when."""

    __tablename__ = "enrollment_status_event"
    __table_args__ = (CheckConstraint(_in("status", EnrollmentStatus), name="status"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollment.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    effective_date: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    enrollment: Mapped[Enrollment] = relationship(back_populates="events")


class Consent(Base):
    """A consent (or decline) with the four disclosures of docs/medicare-rules.md, section 3."""

    __tablename__ = "consent"
    __table_args__ = (
        CheckConstraint(_in("method", ConsentMethod), name="method"),
        CheckConstraint(_in("program", Program), name="program"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    enrollment_id: Mapped[int | None] = mapped_column(ForeignKey("enrollment.id"), index=True)
    program: Mapped[str] = mapped_column(String(12))
    billing_provider_id: Mapped[int | None] = mapped_column(ForeignKey("provider.id"))
    consented: Mapped[bool] = mapped_column(Boolean)
    consent_date: Mapped[date] = mapped_column(Date)
    method: Mapped[str] = mapped_column(String(8))
    obtained_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    witness: Mapped[str] = mapped_column(String(200), default="")
    disclosed_service: Mapped[bool] = mapped_column(Boolean, default=False)
    disclosed_cost_sharing: Mapped[bool] = mapped_column(Boolean, default=False)
    disclosed_one_practitioner: Mapped[bool] = mapped_column(Boolean, default=False)
    disclosed_stop_anytime: Mapped[bool] = mapped_column(Boolean, default=False)
    decline_reason: Mapped[str] = mapped_column(Text, default="")
    recorded_via: Mapped[str] = mapped_column(String(8), default="app")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class InitiatingVisit(Base):
    """The face-to-face visit that starts CCM (AWV, IPPE or E/M level 2-5), with G0506."""

    __tablename__ = "initiating_visit"
    __table_args__ = (CheckConstraint(_in("visit_type", VisitKind), name="visit_type"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    enrollment_id: Mapped[int | None] = mapped_column(ForeignKey("enrollment.id"))
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("provider.id"))
    visit_date: Mapped[date] = mapped_column(Date)
    visit_type: Mapped[str] = mapped_column(String(8))
    g0506: Mapped[bool] = mapped_column(Boolean, default=False)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CarePlan(Base):
    """One revision of a patient's care plan; a revision adds a row, never overwrites one.

    ``content`` is :func:`ccm_desktop.careplan.content.to_json` of the plan's content;
    ``next_review`` is computed at save (the worklist reads it in one query).
    """

    __tablename__ = "care_plan"
    __table_args__ = (
        UniqueConstraint("patient_id", "version"),
        CheckConstraint(_in("status", PlanStatus), name="status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    established_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    substantial: Mapped[bool] = mapped_column(Boolean, default=False)
    change_note: Mapped[str] = mapped_column(Text, default="")
    next_review: Mapped[date | None] = mapped_column(Date)
    content: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CarePlanCopy(Base):
    """A copy of a care-plan revision given to the patient or caregiver: when and how."""

    __tablename__ = "care_plan_copy"
    __table_args__ = (CheckConstraint(_in("method", CopyMethod), name="method"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    care_plan_id: Mapped[int] = mapped_column(ForeignKey("care_plan.id"), index=True)
    given_on: Mapped[date] = mapped_column(Date)
    method: Mapped[str] = mapped_column(String(16))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CareplanTemplate(Base):
    """A care-plan template as the practice edited or added it (``body``: the TOML as
    written); the templates shipped in resources/ apply where none is stored."""

    __tablename__ = "careplan_template"
    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[str] = mapped_column(String(64), unique=True)
    body: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TimeEntry(Base):
    """Care-management minutes: who, for whom, from when, how long, doing what.

    ``started_at`` is a UTC instant; months are grouped in the practice's time zone.
    Entries are never deleted: ``voided`` plus a :class:`TimeEntryRevision` records why.
    """

    __tablename__ = "time_entry"
    __table_args__ = (
        CheckConstraint(_in("activity", Activity), name="activity"),
        CheckConstraint(_in("source", TimeSource), name="source"),
        CheckConstraint("minutes > 0", name="minutes_positive"),
        UniqueConstraint("patient_id", "staff_id", "started_at", name="uq_time_entry_start"),
        # Covers the patient list's minutes this month (no table lookups per entry).
        Index("ix_time_entry_patient_month", "patient_id", "started_at", "voided", "minutes"),
        # One staff member's entries by start: the overlap check of every new or moved
        # entry (migration 0008).
        Index("ix_time_entry_staff_start", "staff_id", "started_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"))
    # Indexed with started_at for the overlap check (ix_time_entry_staff_start).
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    minutes: Mapped[int] = mapped_column(Integer)
    activity: Mapped[str] = mapped_column(String(32))
    patient_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(8))
    voided: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revisions: Mapped[list[TimeEntryRevision]] = relationship(order_by="TimeEntryRevision.id")


class TimeEntryRevision(Base):
    """The values a time entry had before an edit, with who changed it and why."""

    __tablename__ = "time_entry_revision"
    id: Mapped[int] = mapped_column(primary_key=True)
    time_entry_id: Mapped[int] = mapped_column(ForeignKey("time_entry.id"), index=True)
    previous: Mapped[dict[str, Any]] = mapped_column(JSONType)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reason: Mapped[str] = mapped_column(Text, default="")


class AuditEvent(Base):
    """Who did what to which record, written in the same transaction as the change."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_patient_at", "patient_id", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)  # no index: 0007
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patient.id"))
    detail: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)


class RunningTimer(Base):
    """A call timer that is running or paused: written when it starts, so a crash, a power
    cut or a restart never loses it (docs/architecture.md, "The call timer").

    One per staff member (``uq_running_timer_staff``). ``started_at`` is the true start;
    ``paused_seconds`` the pauses already ended; ``paused_at`` is set while paused;
    ``heartbeat_at`` is the last moment the application was known to be alive with it.
    Stopping turns it into time entries and deletes the row in the same transaction.
    """

    __tablename__ = "running_timer"
    __table_args__ = (
        UniqueConstraint("staff_id", name="uq_running_timer_staff"),
        CheckConstraint(_in("activity", Activity), name="activity"),
        CheckConstraint("paused_seconds >= 0", name="paused_seconds_positive"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"))
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    activity: Mapped[str] = mapped_column(String(32))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    paused_seconds: Mapped[int] = mapped_column(Integer, default=0)
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # When the staff member last said a long-running timer is still real (None: never).
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Setting(Base):
    """Practice-wide settings as key/value (JSON)."""

    __tablename__ = "setting"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[Any] = mapped_column(JSONType)


class ClosedPeriod(Base):
    """A calendar month closed for billing: the write gate refuses changes dated in it.

    Reopening deletes the row; both are audit events (``period.close``/``period.reopen``).
    """

    __tablename__ = "closed_period"
    __table_args__ = (
        UniqueConstraint("year", "month", name="uq_closed_period_month"),
        CheckConstraint("month BETWEEN 1 AND 12", name="month_range"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    month: Mapped[int] = mapped_column(Integer)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    closed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# -- records entered in error or merged away take no new rows ---------------------------
def not_current_message(mrn: str, name: str, status: str, merged_into_mrn: str | None) -> str:
    """Plain words for a write refused because the patient record is not current."""
    if status == RecordStatus.MERGED:
        return (
            f"{name} (MRN {mrn}) was merged into MRN {merged_into_mrn}: record this on "
            f"MRN {merged_into_mrn} instead. Nothing was changed."
        )
    return (
        f"{name} (MRN {mrn}) is marked entered in error: nothing can be added to this record "
        "or changed on it. Restore the record first if it was marked by mistake. "
        "Nothing was changed."
    )


def _require_current_patient(_mapper: object, connection: Any, target: Any) -> None:
    """Refuse a row for a patient record entered in error or merged away (one indexed read).

    Covers every ORM write (services, importers' ORM rows); Core bulk inserts bypass it.
    A patient found current, or added, in this session is not read again (an import
    writes many rows per patient); a change of its record status forgets it.
    """
    from ccm_desktop.errors import RecordNotCurrent  # errors imports nothing of ours

    pid = target.patient_id
    current = _current_patients(target)
    if pid is None or pid in current:
        return
    p = Patient.__table__
    row = connection.execute(
        p.select()
        .with_only_columns(p.c.mrn, p.c.last_name, p.c.first_name, p.c.record_status)
        .add_columns(p.c.merged_into_id)
        .where(p.c.id == pid)
    ).first()
    if row is None or row.record_status == RecordStatus.ACTIVE:
        current.add(pid)
        return
    into = None
    if row.merged_into_id is not None:
        into = connection.execute(
            p.select().with_only_columns(p.c.mrn).where(p.c.id == row.merged_into_id)
        ).scalar()
    raise RecordNotCurrent(
        not_current_message(row.mrn, f"{row.last_name}, {row.first_name}", row.record_status, into)
    )


def _current_patients(target: Any) -> set[int]:
    """The ids of patients known current in ``target``'s session (empty without one)."""
    session = object_session(target)
    if session is None:
        return set()
    known: set[int] = session.info.setdefault("current_patient_ids", set())
    return known


def _patient_added(_mapper: object, _connection: Any, target: Patient) -> None:
    if target.record_status in (None, RecordStatus.ACTIVE):
        _current_patients(target).add(target.id)


def _patient_changed(_mapper: object, _connection: Any, target: Patient) -> None:
    _current_patients(target).discard(target.id)


event.listen(Patient, "after_insert", _patient_added)
event.listen(Patient, "before_update", _patient_changed)
for _model in (Condition, Enrollment, Consent, InitiatingVisit, CarePlan, TimeEntry):
    event.listen(_model, "before_insert", _require_current_patient)
    event.listen(_model, "before_update", _require_current_patient)
