"""Enrollment in CCM, complex CCM, PCM or APCM: eligibility, consent, status history.

Rules from docs/medicare-rules.md, section 3. The status is a history of
:class:`EnrollmentStatusEvent` rows; ``Enrollment.status`` caches the latest one.
A disenrollment takes effect at the end of the calendar month (a death: on the day); until
then the enrollment is still *in effect* (:func:`in_effect`: "Enrolled, leaving 12/31").

The billing practitioner of an enrollment in effect is the patient's billing practitioner:
enrolling also makes it the patient's own (``Patient.billing_provider_id``, the usual
practitioner, the wizard's default), and moves the patient's last face-to-face visit up to
the initiating visit recorded with it (never back). The patient list and the detail page
show the enrollment's (services/patient_list.py, :func:`billing_provider_id`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ccm_desktop.db.models import (
    Condition,
    Consent,
    Enrollment,
    EnrollmentStatusEvent,
    InitiatingVisit,
    Patient,
)
from ccm_desktop.errors import NotFound, ValidationError, ValidationErrors
from ccm_desktop.events import Change
from ccm_desktop.gate import Permission
from ccm_desktop.security.audit import Actor, AuditItem, record, record_item
from ccm_desktop.services.base import Service, end_of_month, staff_names

if TYPE_CHECKING:
    from ccm_desktop.services.visits import VisitInput

from ccm_desktop.validation import check_after_birth, check_not_future
from ccm_desktop.vocab import (
    ACTIVE_STATUSES,
    AuditAction,
    ChangeKind,
    ConditionStatus,
    ConsentMethod,
    EnrollmentStatus,
    Program,
    codes,
    parse,
)

PROGRAM_NAMES = {"ccm": "CCM", "complex_ccm": "Complex CCM", "pcm": "PCM", "apcm": "APCM"}


@dataclass(frozen=True)
class Eligibility:
    """Whether a patient qualifies for a program, and why, in plain words."""

    program: str
    eligible: bool
    reason: str


def eligibility(program: str, chronic_count: int, qmb: bool = False) -> Eligibility:
    """The condition-count rule of each program (the clinical judgement stays with staff)."""
    from ccm_desktop import rules

    name = PROGRAM_NAMES[program]
    need, months = rules.eligibility_minimum(program), rules.condition_months(program)
    word = {0: "no", 1: "one", 2: "two", 3: "three", 4: "four"}.get
    if program in ("ccm", "complex_ccm"):
        if chronic_count >= need:
            return Eligibility(program, True, f"{name}: {chronic_count} chronic conditions.")
        has = word(chronic_count, str(chronic_count)) if chronic_count else "no chronic condition"
        hint = ": consider PCM" if chronic_count >= rules.eligibility_minimum("pcm") else ""
        return Eligibility(
            program,
            False,
            f"{name} needs {word(need, str(need))} or more chronic conditions expected to last "
            f"{months} months or more; this patient has {has}{hint}.",
        )
    if program == "pcm":
        if chronic_count >= need:
            return Eligibility(program, True, "PCM: one complex chronic condition is the focus.")
        return Eligibility(
            program,
            False,
            f"PCM needs {word(need, str(need))} complex chronic condition expected to last at "
            f"least {months} months; this patient has none recorded.",
        )
    level = rules.apcm_level(chronic_count, qmb)
    return Eligibility(
        program,
        True,
        f"APCM: any Medicare patient; level {level.level} "
        f"({level.code}) by {chronic_count} chronic conditions"
        f"{' and QMB status' if qmb else ''}.",
    )


@dataclass
class ConsentInput:
    """A consent or decline as recorded by staff."""

    consent_date: date
    method: str
    obtained_by_id: int | None
    disclosed_service: bool = False
    disclosed_cost_sharing: bool = False
    disclosed_one_practitioner: bool = False
    disclosed_stop_anytime: bool = False
    witness: str = ""
    recorded_via: str = "app"


def validate_consent(c: ConsentInput, today: date, dob: date, *, declined: bool = False) -> None:
    """Date not in the future nor before birth, a known method, the four disclosures,
    and a witness for verbal consent. Raises :class:`ValidationErrors`."""
    errors: list[ValidationError] = []
    try:
        check_not_future(c.consent_date, today, "consent_date", "consent")
        check_after_birth(c.consent_date, dob, "consent_date", "consent")
    except ValidationError as exc:
        errors.append(exc)
    if c.method not in codes(ConsentMethod):
        errors.append(ValidationError("consent_method", "Choose verbal or written."))
    if not declined:
        missing = [
            label
            for ok, label in (
                (c.disclosed_service, "what the service is"),
                (c.disclosed_cost_sharing, "that cost sharing applies"),
                (c.disclosed_one_practitioner, "that only one practitioner bills it per month"),
                (c.disclosed_stop_anytime, "that the patient may stop at any time"),
            )
            if not ok
        ]
        if missing:
            errors.append(
                ValidationError(
                    "disclosures", "Explain and tick all four points first: " + "; ".join(missing)
                )
            )
        if c.method == "verbal" and c.recorded_via == "app" and not c.witness.strip():
            errors.append(ValidationError("witness", "Verbal consent needs a witness name."))
    if errors:
        raise ValidationErrors(errors)


@dataclass(frozen=True)
class StatusStep:
    """One step of an enrollment's history, as the detail page lists it."""

    status: str
    effective_date: date
    reason: str
    recorded_by: str
    recorded_at: datetime


def in_effect(status: str, end_date: date | None, today: date) -> bool:
    """Whether an enrollment counts ``today``: an active status, or disenrolled with its
    last day (``end_date``) today or still ahead."""
    if status in ACTIVE_STATUSES:
        return True
    return status == EnrollmentStatus.DISENROLLED and end_date is not None and end_date >= today


def leaving_on(status: str, end_date: date | None, today: date) -> date | None:
    """The last day of a disenrollment not yet past ("Enrolled, leaving 12/31"), else None."""
    if status == EnrollmentStatus.DISENROLLED and in_effect(status, end_date, today):
        return end_date
    return None


@dataclass(frozen=True)
class ConsentView:
    """The consent (or decline) recorded with an enrollment, as the Enrollment tab shows it."""

    consented: bool
    consent_date: date
    method: str
    obtained_by: str
    witness: str
    recorded_via: str


@dataclass(frozen=True)
class VisitView:
    """The initiating visit recorded with an enrollment."""

    visit_date: date
    visit_type: str
    provider_id: int | None
    g0506: bool


@dataclass(frozen=True)
class EnrollmentView:
    id: int
    program: str
    status: str
    start_date: date | None
    end_date: date | None
    billing_provider_id: int | None
    history: list[StatusStep]
    consent: ConsentView | None = None
    visit: VisitView | None = None

    def in_effect(self, today: date) -> bool:
        """Enrolled on ``today`` (an active status, or leaving at a later or same date)."""
        return in_effect(self.status, self.end_date, today)

    def leaving_on(self, today: date) -> date | None:
        """The last enrolled day when the patient is leaving but not yet gone."""
        return leaving_on(self.status, self.end_date, today)


def chronic_count(s: Session, patient_id: int) -> int:
    return int(
        s.scalar(
            select(func.count())
            .select_from(Condition)
            .where(Condition.patient_id == patient_id, Condition.status == ConditionStatus.ACTIVE)
        )
        or 0
    )


def current_enrollment(s: Session, patient_id: int) -> Enrollment | None:
    return s.scalar(
        select(Enrollment)
        .where(Enrollment.patient_id == patient_id)
        .order_by(Enrollment.id.desc())
        .limit(1)
    )


def add_step(
    s: Session, actor: Actor, enr: Enrollment, status: str, when: date, reason: str = ""
) -> None:
    """Move ``enr`` to ``status`` and keep the step in its history (no flush needed)."""
    enr.status = status
    s.add(
        EnrollmentStatusEvent(
            enrollment=enr,
            status=status,
            effective_date=when,
            reason=reason,
            recorded_by_id=actor.staff_id,
        )
    )


def begin_enrollment(
    s: Session,
    actor: Actor,
    p: Patient,
    program: str,
    consent: ConsentInput,
    current: Enrollment | None,
    billing_provider_id: int | None = None,
) -> Enrollment:
    """Add the new enrollment and close ``current`` (transferred or program_changed).

    No checks and no flush: call :func:`finish_enrollment` once the new row has its id.
    """
    provider_id = billing_provider_id or p.billing_provider_id
    enr = Enrollment(
        patient_id=p.id,
        program=program,
        status=EnrollmentStatus.ENROLLED,
        billing_provider_id=provider_id,
        start_date=consent.consent_date,
    )
    s.add(enr)
    if current is not None and current.status in ACTIVE_STATUSES:
        status, reason = closing_step(current.billing_provider_id, provider_id, program)
        add_step(s, actor, current, status, consent.consent_date, reason)
        current.end_date = consent.consent_date
    return enr


def closing_step(
    current_provider_id: int | None, provider_id: int | None, program: str
) -> tuple[EnrollmentStatus, str]:
    """The status and reason that close an enrollment in effect when a new one starts:
    transferred to another billing practitioner, or the program changed."""
    if current_provider_id != provider_id:
        return EnrollmentStatus.TRANSFERRED, "new billing practitioner"
    return EnrollmentStatus.PROGRAM_CHANGED, f"changed to {PROGRAM_NAMES[program]}"


def finish_enrollment(
    s: Session, actor: Actor, enr: Enrollment, consent: ConsentInput
) -> AuditItem:
    """Add the enrolled step and the consent row of a flushed enrollment; returns its audit
    event for the caller to record (one by one or in bulk)."""
    add_step(s, actor, enr, EnrollmentStatus.ENROLLED, consent.consent_date)
    s.add(
        _consent_row(
            enr.patient_id, enr.id, enr.program, enr.billing_provider_id, True, consent, ""
        )
    )
    return AuditItem(
        AuditAction.ENROLLMENT_ENROLL,
        "enrollment",
        enr.id,
        enr.patient_id,
        {"program": enr.program, "method": consent.method, "via": consent.recorded_via},
    )


def enroll_in_session(
    s: Session,
    actor: Actor,
    p: Patient,
    program: str,
    consent: ConsentInput,
    today: date,
    billing_provider_id: int | None = None,
) -> Enrollment:
    """Check eligibility and consent, then enroll ``p`` in the caller's transaction.

    Raises :class:`ValidationError` / :class:`ValidationErrors`; flushes once.
    """
    program = parse(Program, program, "program")
    el = eligibility(program, chronic_count(s, p.id), p.qmb)
    if not el.eligible:
        raise ValidationError("program", el.reason)
    validate_consent(consent, today, p.dob)
    current = current_enrollment(s, p.id)
    enr = begin_enrollment(s, actor, p, program, consent, current, billing_provider_id)
    s.flush()
    record_item(s, actor, finish_enrollment(s, actor, enr, consent))
    return enr


class EnrollmentService(Service):
    """Enroll, decline, disenroll and change program, each with its history and audit."""

    def enroll(
        self,
        actor: Actor,
        patient_id: int,
        program: str,
        consent: ConsentInput,
        billing_provider_id: int | None = None,
        visit: VisitInput | None = None,
    ) -> int:
        """Enroll with consent. Checks eligibility, consent and the initiating-visit rule
        (a face-to-face visit with the billing practitioner within 12 months, 3 years for
        APCM). ``visit``, when given, is recorded first in the same transaction, so either
        both are saved or neither is. Returns the enrollment id."""
        from ccm_desktop.services.visits import check_in_session, record_in_session

        program = parse(Program, program, "program")
        days = [consent.consent_date, visit.visit_date if visit else None]
        with self.gate.write(actor, Permission.ENROLLMENT_EDIT, on=days) as w:
            s = w.session
            p = s.get(Patient, patient_id)
            if p is None:
                raise NotFound("This patient no longer exists.")
            provider_id = billing_provider_id or p.billing_provider_id
            today = w.today()
            recorded = None
            if visit is not None:
                recorded = record_in_session(
                    s,
                    actor,
                    p,
                    provider_id,
                    visit.visit_date,
                    visit.visit_type,
                    visit.g0506,
                    today,
                )
            check = check_in_session(s, p, program, provider_id, today)
            if not check.satisfied:
                raise ValidationError("initiating_visit", check.reason)
            enr = enroll_in_session(s, actor, p, program, consent, today, billing_provider_id)
            if recorded is not None:
                recorded.enrollment_id = enr.id
            adopt_enrollment(p, enr, check.last_visit)
            eid = enr.id
        self.bus.publish(Change(ChangeKind.ENROLLMENT, frozenset({eid}), frozenset({patient_id})))
        patients = frozenset({patient_id})
        self.bus.publish(Change(ChangeKind.PATIENTS, patients, patients))  # provider, last visit
        if visit is not None:
            self.bus.publish(Change(ChangeKind.VISITS, frozenset(), frozenset({patient_id})))
        return eid

    def decline(
        self, actor: Actor, patient_id: int, program: str, consent: ConsentInput, reason: str
    ) -> int:
        """Record that the patient declined ``program`` (the decline is kept as history)."""
        program = parse(Program, program, "program")
        if not reason.strip():
            raise ValidationError("reason", "Say why the patient declined.")
        with self.gate.write(actor, Permission.ENROLLMENT_EDIT) as w:
            s = w.session
            p = s.get(Patient, patient_id)
            if p is None:
                raise NotFound("This patient no longer exists.")
            current = current_enrollment(s, patient_id)
            if current is not None and in_effect(current.status, current.end_date, w.today()):
                raise ValidationError(
                    "status",
                    f"The patient is enrolled in {PROGRAM_NAMES[current.program]}: a decline is "
                    "for a patient who was offered the program and said no. To stop the "
                    "enrollment, disenroll (it ends at the end of the month).",
                )
            validate_consent(consent, w.today(), p.dob, declined=True)
            enr = Enrollment(
                patient_id=patient_id,
                program=program,
                status=EnrollmentStatus.DECLINED,
                billing_provider_id=p.billing_provider_id,
            )
            s.add(enr)
            s.flush()
            add_step(s, actor, enr, EnrollmentStatus.DECLINED, consent.consent_date, reason)
            s.add(
                _consent_row(p.id, enr.id, program, p.billing_provider_id, False, consent, reason)
            )
            record(
                s,
                actor,
                AuditAction.ENROLLMENT_DECLINE,
                "enrollment",
                enr.id,
                patient_id=patient_id,
                detail={"program": program, "reason": reason},
            )
            eid = enr.id
        self.bus.publish(Change(ChangeKind.ENROLLMENT, frozenset({eid}), frozenset({patient_id})))
        return eid

    def disenroll(
        self, actor: Actor, enrollment_id: int, reason: str, asked_on: date, died: bool = False
    ) -> date:
        """Stop an enrollment; effective the last day of ``asked_on``'s month (returned).

        ``died``: the patient died on ``asked_on``; the enrollment ends that day.
        """
        if not reason.strip():
            raise ValidationError("reason", "Say why the patient is leaving the program.")
        with self.gate.write(actor, Permission.ENROLLMENT_EDIT) as w:
            s = w.session
            enr = s.get(Enrollment, enrollment_id)
            if enr is None:
                raise NotFound("This enrollment no longer exists.")
            if enr.status not in ACTIVE_STATUSES:
                raise ValidationError("status", "The patient is not enrolled.")
            if asked_on > w.today():
                raise ValidationError("date", "The date cannot be in the future.")
            if enr.start_date is not None and asked_on < enr.start_date:
                raise ValidationError(
                    "date", f"The date is before the enrollment began ({enr.start_date:%m/%d/%Y})."
                )
            effective = asked_on if died else end_of_month(asked_on)
            w.require_open(effective)
            add_step(s, actor, enr, EnrollmentStatus.DISENROLLED, effective, reason.strip())
            enr.end_date = effective
            record(
                s,
                actor,
                AuditAction.ENROLLMENT_DISENROLL,
                "enrollment",
                enr.id,
                patient_id=enr.patient_id,
                detail={
                    "reason": reason.strip(),
                    "effective": effective.isoformat(),
                    **({"died": True} if died else {}),
                },
            )
            pid = enr.patient_id
        self.bus.publish(
            Change(ChangeKind.ENROLLMENT, frozenset({enrollment_id}), frozenset({pid}))
        )
        return effective

    def patient_of(self, enrollment_id: int) -> int:
        """The patient an enrollment belongs to; :class:`NotFound` when there is none."""
        with self.db.read() as s:
            pid = s.scalar(select(Enrollment.patient_id).where(Enrollment.id == enrollment_id))
        if pid is None:
            raise NotFound("This enrollment no longer exists.")
        return int(pid)

    def history(self, patient_id: int) -> list[EnrollmentView]:
        """Every enrollment of a patient, newest first, each with its steps."""
        with self.db.read() as s:
            return history_in_session(s, patient_id, staff_names(s))


def adopt_enrollment(p: Patient, enr: Enrollment, seen: date | None) -> None:
    """Make ``enr``'s billing practitioner the patient's own, and move the patient's last
    face-to-face visit up to ``seen`` (the visit the enrollment relied on), never back."""
    if enr.billing_provider_id is not None:
        p.billing_provider_id = enr.billing_provider_id
    if seen is not None and (p.last_visit_date is None or seen > p.last_visit_date):
        p.last_visit_date = seen


def _consents(s: Session, patient_id: int, names: dict[int, str]) -> dict[int, ConsentView]:
    rows = s.scalars(
        select(Consent)
        .where(Consent.patient_id == patient_id, Consent.enrollment_id.is_not(None))
        .order_by(Consent.id)
    )
    return {
        int(c.enrollment_id or 0): ConsentView(
            c.consented,
            c.consent_date,
            c.method,
            names.get(c.obtained_by_id or 0, ""),
            c.witness,
            c.recorded_via,
        )
        for c in rows
    }


def _visits(s: Session, patient_id: int) -> dict[int, VisitView]:
    rows = s.scalars(
        select(InitiatingVisit)
        .where(InitiatingVisit.patient_id == patient_id, InitiatingVisit.enrollment_id.is_not(None))
        .order_by(InitiatingVisit.id)
    )
    return {
        int(v.enrollment_id or 0): VisitView(v.visit_date, v.visit_type, v.provider_id, v.g0506)
        for v in rows
    }


def history_in_session(s: Session, patient_id: int, names: dict[int, str]) -> list[EnrollmentView]:
    """A patient's enrollments, newest first, with their steps, consent and initiating
    visit (``names``: staff by id)."""
    enrs = s.scalars(
        select(Enrollment).where(Enrollment.patient_id == patient_id).order_by(Enrollment.id.desc())
    )
    consents, visits = _consents(s, patient_id, names), _visits(s, patient_id)
    return [
        EnrollmentView(
            e.id,
            e.program,
            e.status,
            e.start_date,
            e.end_date,
            e.billing_provider_id,
            [
                StatusStep(
                    ev.status,
                    ev.effective_date,
                    ev.reason,
                    names.get(ev.recorded_by_id, "system"),
                    ev.recorded_at,
                )
                for ev in e.events
            ],
            consents.get(e.id),
            visits.get(e.id),
        )
        for e in enrs
    ]


def _consent_row(
    patient_id: int,
    enrollment_id: int,
    program: str,
    provider_id: int | None,
    consented: bool,
    c: ConsentInput,
    reason: str,
) -> Consent:
    return Consent(
        **consent_values(patient_id, enrollment_id, program, provider_id, consented, c, reason)
    )


def consent_values(
    patient_id: int,
    enrollment_id: int | None,
    program: str,
    provider_id: int | None,
    consented: bool,
    c: ConsentInput,
    reason: str = "",
) -> dict[str, object]:
    """The column values of a consent (or decline) row (the imports insert them in bulk)."""
    return {
        "patient_id": patient_id,
        "enrollment_id": enrollment_id,
        "program": program,
        "billing_provider_id": provider_id,
        "consented": consented,
        "consent_date": c.consent_date,
        "method": c.method,
        "obtained_by_id": c.obtained_by_id,
        "witness": c.witness.strip(),
        "disclosed_service": c.disclosed_service,
        "disclosed_cost_sharing": c.disclosed_cost_sharing,
        "disclosed_one_practitioner": c.disclosed_one_practitioner,
        "disclosed_stop_anytime": c.disclosed_stop_anytime,
        "decline_reason": reason,
        "recorded_via": c.recorded_via,
    }
