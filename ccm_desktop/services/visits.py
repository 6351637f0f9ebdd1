"""The initiating visit (docs/medicare-rules.md, section 3): when CCM or PCM may start without one,
and recording it, with the once-per-patient G0506 add-on.

A patient not seen face to face by the billing practitioner within 12 months (3 years
for APCM) needs an initiating visit: an annual wellness visit, an IPPE, or an office
visit (E/M level 2-5) at which the program was discussed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ccm_desktop.db.models import InitiatingVisit, Patient
from ccm_desktop.errors import NotFound, ValidationError
from ccm_desktop.events import Change
from ccm_desktop.gate import Permission
from ccm_desktop.security.audit import Actor, record
from ccm_desktop.services.base import Service
from ccm_desktop.services.enrollment import PROGRAM_NAMES
from ccm_desktop.validation import check_after_birth, check_not_future
from ccm_desktop.vocab import AuditAction, ChangeKind, VisitKind, codes


@dataclass(frozen=True)
class VisitInput:
    """An initiating visit to record together with an enrollment."""

    visit_date: date
    visit_type: str
    g0506: bool = False


@dataclass(frozen=True)
class VisitCheck:
    """Whether the program may start without a new initiating visit, and why."""

    satisfied: bool
    reason: str
    last_visit: date | None
    g0506_used_on: date | None


def _last_visit(s: Session, p: Patient, provider_id: int | None) -> date | None:
    q = select(InitiatingVisit.visit_date).where(InitiatingVisit.patient_id == p.id)
    if provider_id is not None:
        q = q.where(InitiatingVisit.provider_id == provider_id)
    recorded = s.scalar(q.order_by(InitiatingVisit.visit_date.desc()).limit(1))
    same_provider = provider_id is None or provider_id == p.billing_provider_id
    candidates = [d for d in (recorded, p.last_visit_date if same_provider else None) if d]
    return max(candidates) if candidates else None


def g0506_date(s: Session, patient_id: int) -> date | None:
    """The date G0506 was recorded for this patient, if ever (it is once per patient)."""
    return s.scalar(
        select(InitiatingVisit.visit_date).where(
            InitiatingVisit.patient_id == patient_id, InitiatingVisit.g0506.is_(True)
        )
    )


def check_in_session(
    s: Session, p: Patient, program: str, provider_id: int | None, today: date
) -> VisitCheck:
    """The initiating-visit rule for ``program`` with billing practitioner ``provider_id``."""
    from ccm_desktop import rules

    months = rules.visit_window_months(program)
    span = f"{months // 12} years" if months > 12 and months % 12 == 0 else f"{months} months"
    last = _last_visit(s, p, provider_id)
    used = g0506_date(s, p.id)
    name = PROGRAM_NAMES[program]
    if last is not None and last >= rules.visit_window_start(program, today):
        return VisitCheck(
            True,
            f"Seen face to face on {last:%m/%d/%Y}, within {span}: {name} can start "
            "without a new visit.",
            last,
            used,
        )
    seen = f"last visit {last:%m/%d/%Y}" if last else "no visit on record"
    return VisitCheck(
        False,
        f"Not seen by the billing practitioner within {span} ({seen}). {name} must start at "
        "a face-to-face visit (annual wellness visit, IPPE, or office visit level 2-5) where "
        "the program is discussed. Record that visit to continue.",
        last,
        used,
    )


def record_in_session(
    s: Session,
    actor: Actor,
    p: Patient,
    provider_id: int | None,
    visit_date: date,
    visit_type: str,
    g0506: bool,
    today: date,
) -> InitiatingVisit:
    """Record an initiating visit; G0506 is refused when this patient already had it."""
    check_not_future(visit_date, today, "visit_date", "visit")
    check_after_birth(visit_date, p.dob, "visit_date", "visit")
    if visit_type not in codes(VisitKind):
        raise ValidationError("visit_type", "Choose the kind of visit.")
    visit_type = VisitKind(visit_type)
    if g0506:
        used = g0506_date(s, p.id)
        if used is not None:
            raise ValidationError(
                "g0506",
                f"G0506 was already recorded for this patient on {used:%m/%d/%Y}: "
                "it can be billed once per patient, ever.",
            )
    visit = InitiatingVisit(
        patient_id=p.id,
        provider_id=provider_id,
        visit_date=visit_date,
        visit_type=visit_type,
        g0506=g0506,
    )
    s.add(visit)
    if provider_id is None or provider_id == p.billing_provider_id:
        if p.last_visit_date is None or visit_date > p.last_visit_date:
            p.last_visit_date = visit_date
    s.flush()
    record(
        s,
        actor,
        AuditAction.VISIT_INITIATING,
        "initiating_visit",
        visit.id,
        patient_id=p.id,
        detail={"type": visit_type, "date": visit_date.isoformat(), "g0506": g0506},
    )
    return visit


class VisitService(Service):
    """Check and record initiating visits."""

    def check(self, patient_id: int, program: str, provider_id: int | None = None) -> VisitCheck:
        with self.db.read() as s:
            p = s.get(Patient, patient_id)
            if p is None:
                raise NotFound("This patient no longer exists.")
            return check_in_session(
                s, p, program, provider_id or p.billing_provider_id, self.today(s)
            )

    def record(
        self,
        actor: Actor,
        patient_id: int,
        provider_id: int | None,
        visit_date: date,
        visit_type: str,
        g0506: bool = False,
    ) -> int:
        with self.gate.write(actor, Permission.VISIT_RECORD, on=[visit_date]) as w:
            s = w.session
            p = s.get(Patient, patient_id)
            if p is None:
                raise NotFound("This patient no longer exists.")
            vid = record_in_session(
                s, actor, p, provider_id, visit_date, visit_type, g0506, w.today()
            ).id
        self.bus.publish(Change(ChangeKind.VISITS, frozenset({vid}), frozenset({patient_id})))
        return vid
