"""Care plans: versioned; a revision adds a version and never overwrites the last one.

The full plan editor and print-outs come later; this module keeps the history and
records plans kept outside the application (``care_plan_date`` in imports).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ccm_desktop.db.models import CarePlan, Patient
from ccm_desktop.errors import NotFound
from ccm_desktop.events import Change
from ccm_desktop.gate import Permission
from ccm_desktop.security.audit import Actor, AuditItem, record_item
from ccm_desktop.services.base import Service
from ccm_desktop.validation import check_after_birth, check_not_future
from ccm_desktop.vocab import AuditAction, ChangeKind

# The elements of a comprehensive care plan (docs/medicare-rules.md, section 4): each has a place.
CARE_PLAN_ELEMENTS = (
    "problem_list",
    "expected_outcome_prognosis",
    "measurable_goals",
    "cognitive_functional_assessment",
    "symptom_management",
    "planned_interventions",
    "medication_management",
    "environmental_evaluation",
    "caregiver_assessment",
    "community_services",
    "coordination_with_others",
    "review_schedule",
)


@dataclass(frozen=True)
class CarePlanVersion:
    id: int
    version: int
    established_date: date
    kept_elsewhere: bool
    content: dict[str, Any]


def latest_in_session(s: Session, patient_id: int) -> CarePlan | None:
    return s.scalar(
        select(CarePlan)
        .where(CarePlan.patient_id == patient_id)
        .order_by(CarePlan.version.desc())
        .limit(1)
    )


def add_version_in_session(
    s: Session,
    actor: Actor,
    patient: Patient,
    established: date,
    today: date,
    content: dict[str, Any] | None = None,
    kept_elsewhere: bool = False,
) -> CarePlan:
    """Add the next version of ``patient``'s plan inside the caller's transaction."""
    check_not_future(established, today, "care_plan_date", "care plan")
    check_after_birth(established, patient.dob, "care_plan_date", "care plan")
    n = s.scalar(select(func.max(CarePlan.version)).where(CarePlan.patient_id == patient.id))
    plan = new_version(actor, patient.id, (n or 0) + 1, established, content, kept_elsewhere)
    s.add(plan)
    s.flush()
    record_item(s, actor, version_audit(plan))
    return plan


def new_version(
    actor: Actor,
    patient_id: int,
    version: int,
    established: date,
    content: dict[str, Any] | None = None,
    kept_elsewhere: bool = False,
) -> CarePlan:
    """A care-plan version row (dates already checked; not yet added to a session)."""
    return CarePlan(
        **version_values(actor, patient_id, version, established, content, kept_elsewhere)
    )


def version_values(
    actor: Actor,
    patient_id: int,
    version: int,
    established: date,
    content: dict[str, Any] | None = None,
    kept_elsewhere: bool = False,
) -> dict[str, Any]:
    """The column values of :func:`new_version` (the imports insert them in bulk)."""
    return {
        "patient_id": patient_id,
        "version": version,
        "established_date": established,
        "kept_elsewhere": kept_elsewhere,
        "content": content or {},
        "created_by_id": actor.staff_id,
    }


def version_audit(plan: CarePlan) -> AuditItem:
    """The audit event of a new (flushed) care-plan version."""
    return AuditItem(
        AuditAction.CAREPLAN_VERSION,
        "care_plan",
        plan.id,
        plan.patient_id,
        {"version": plan.version, "kept_elsewhere": plan.kept_elsewhere},
    )


class CarePlanService(Service):
    def add_version(
        self,
        actor: Actor,
        patient_id: int,
        established: date,
        content: dict[str, Any] | None = None,
        kept_elsewhere: bool = False,
    ) -> int:
        with self.gate.write(actor, Permission.CAREPLAN_EDIT, on=[established]) as w:
            s = w.session
            p = s.get(Patient, patient_id)
            if p is None:
                raise NotFound("This patient no longer exists.")
            plan = add_version_in_session(
                s, actor, p, established, w.today(), content, kept_elsewhere
            )
            pid = plan.id
        self.bus.publish(Change(ChangeKind.CAREPLAN, frozenset({pid}), frozenset({patient_id})))
        return pid

    def versions(self, patient_id: int) -> list[CarePlanVersion]:
        with self.db.read() as s:
            return versions_in_session(s, patient_id)


def versions_in_session(s: Session, patient_id: int) -> list[CarePlanVersion]:
    """A patient's care-plan versions, newest first."""
    q = select(CarePlan).where(CarePlan.patient_id == patient_id).order_by(CarePlan.version.desc())
    return [
        CarePlanVersion(c.id, c.version, c.established_date, c.kept_elsewhere, dict(c.content))
        for c in s.scalars(q)
    ]
