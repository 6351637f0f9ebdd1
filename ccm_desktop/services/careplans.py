"""Care plans: immutable revisions, copies given, and what a plan still lacks.

Every save adds a revision (a ``care_plan`` row) and never changes an earlier one
(docs/architecture.md, "Care plans"). A revision is a draft, a complete plan (it passed
:func:`ccm_desktop.careplan.completeness.missing`) or a plan kept in another record (the
patient import's ``care_plan_date``). ``next_review`` is fixed at save: the content's own
review date, else the established date plus ``review_every_months``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ccm_desktop.careplan.checks import check_content, with_digit_phones
from ccm_desktop.careplan.completeness import Missing, missing
from ccm_desktop.careplan.content import PlanContent, from_json, to_json
from ccm_desktop.db.models import CarePlan, CarePlanCopy, Condition, Patient
from ccm_desktop.errors import NotFound, StaleEdit, ValidationError, ValidationErrors
from ccm_desktop.events import Change
from ccm_desktop.gate import Permission
from ccm_desktop.security.audit import Actor, AuditItem, record_item
from ccm_desktop.services.base import Service, staff_names
from ccm_desktop.validation import check_after_birth, check_not_future, months_before
from ccm_desktop.vocab import (
    AuditAction,
    ChangeKind,
    ConditionStatus,
    CopyMethod,
    PlanStatus,
)

# A plan that counts as the patient's care plan (a draft does not).
ESTABLISHED = (PlanStatus.COMPLETE, PlanStatus.KEPT_ELSEWHERE)
# A plan kept elsewhere is reviewed after this many months (it has no content of its own).
DEFAULT_REVIEW_MONTHS = 12


@dataclass(frozen=True)
class CopyGiven:
    """A copy of a revision given to the patient or caregiver."""

    given_on: date
    method: CopyMethod
    recorded_by: str


@dataclass(frozen=True)
class PlanRevision:
    """One saved revision of a patient's care plan, as the window and print-outs read it."""

    id: int
    patient_id: int
    version: int
    established_date: date
    status: PlanStatus
    substantial: bool
    change_note: str
    content: PlanContent
    created_by: str  # the staff member's name ("" for the application itself)
    created_at: datetime  # aware, UTC
    copies: tuple[CopyGiven, ...]  # oldest first
    next_review: date | None


def next_review_date(established: date, content: PlanContent) -> date:
    """When a plan established on ``established`` is due for review: the content's own
    date, else the same day ``review_every_months`` later (or that month's last day when
    it is shorter: 31 January + 1 month is 28 or 29 February)."""
    if content.next_review is not None:
        return content.next_review
    return months_before(established, -content.review_every_months)


def active_codes_in_session(s: Session, patient_id: int) -> dict[str, str]:
    """The patient's active conditions, code to description (what the problem list must
    cover)."""
    q = select(Condition.code, Condition.description).where(
        Condition.patient_id == patient_id, Condition.status == ConditionStatus.ACTIVE
    )
    return {code: words for code, words in s.execute(q)}


def latest_in_session(s: Session, patient_id: int) -> CarePlan | None:
    """The patient's newest revision row (any status)."""
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
    content: PlanContent | None = None,
    status: PlanStatus = PlanStatus.KEPT_ELSEWHERE,
) -> CarePlan:
    """Add the next revision of ``patient``'s plan inside the caller's transaction, with
    its audit event; the dates are checked (not in the future, not before birth), the
    content is not (see :meth:`CarePlanService.save_revision`)."""
    check_not_future(established, today, "care_plan_date", "care plan")
    check_after_birth(established, patient.dob, "care_plan_date", "care plan")
    n = s.scalar(select(func.max(CarePlan.version)).where(CarePlan.patient_id == patient.id))
    values = version_values(actor, patient.id, (n or 0) + 1, established, content, status)
    plan = CarePlan(**values)
    s.add(plan)
    s.flush()
    record_item(s, actor, version_audit(plan.id, values))
    return plan


def version_values(
    actor: Actor,
    patient_id: int,
    version: int,
    established: date,
    content: PlanContent | None = None,
    status: PlanStatus = PlanStatus.KEPT_ELSEWHERE,
    substantial: bool = False,
    change_note: str = "",
) -> dict[str, Any]:
    """The column values of one revision row (the imports insert them in bulk)."""
    body = content or PlanContent()
    return {
        "patient_id": patient_id,
        "version": version,
        "established_date": established,
        "status": status.value,
        "substantial": substantial,
        "change_note": change_note,
        "next_review": next_review_date(established, body),
        "content": to_json(body),
        "created_by_id": actor.staff_id,
    }


def version_audit(plan_id: int, values: dict[str, Any]) -> AuditItem:
    """The audit event of new revision ``plan_id`` made of :func:`version_values`."""
    return AuditItem(
        AuditAction.CAREPLAN_VERSION,
        "care_plan",
        plan_id,
        values["patient_id"],
        {
            "version": values["version"],
            "status": values["status"],
            "substantial": values["substantial"],
        },
    )


def _revision(row: CarePlan, names: dict[int, str], copies: tuple[CopyGiven, ...]) -> PlanRevision:
    return PlanRevision(
        id=row.id,
        patient_id=row.patient_id,
        version=row.version,
        established_date=row.established_date,
        status=PlanStatus(row.status),
        substantial=row.substantial,
        change_note=row.change_note,
        content=from_json(dict(row.content)),
        created_by=names.get(row.created_by_id, "") if row.created_by_id else "",
        created_at=row.created_at,
        copies=copies,
        next_review=row.next_review,
    )


def revisions_in_session(
    s: Session, patient_id: int, names: dict[int, str] | None = None
) -> list[PlanRevision]:
    """A patient's revisions, newest first, each with its copies given."""
    names = names if names is not None else staff_names(s)
    rows = s.scalars(
        select(CarePlan).where(CarePlan.patient_id == patient_id).order_by(CarePlan.version.desc())
    ).all()
    copies = _copies(s, [r.id for r in rows], names)
    return [_revision(r, names, copies.get(r.id, ())) for r in rows]


def _copies(
    s: Session, plan_ids: list[int], names: dict[int, str]
) -> dict[int, tuple[CopyGiven, ...]]:
    if not plan_ids:
        return {}
    q = (
        select(CarePlanCopy)
        .where(CarePlanCopy.care_plan_id.in_(plan_ids))
        .order_by(CarePlanCopy.given_on, CarePlanCopy.id)
    )
    out: dict[int, list[CopyGiven]] = defaultdict(list)
    for c in s.scalars(q):
        who = names.get(c.recorded_by_id, "") if c.recorded_by_id else ""
        out[c.care_plan_id].append(CopyGiven(c.given_on, CopyMethod(c.method), who))
    return {k: tuple(v) for k, v in out.items()}


class CarePlanService(Service):
    """Reads and saves care-plan revisions (``ctx.careplans``)."""

    def revisions(self, patient_id: int) -> list[PlanRevision]:
        """Every revision of the patient's plan, newest first (empty: no plan yet)."""
        with self.db.read() as s:
            return revisions_in_session(s, patient_id)

    def latest(self, patient_id: int) -> PlanRevision | None:
        """The newest revision, whatever its status; None when there is none."""
        with self.db.read() as s:
            row = latest_in_session(s, patient_id)
            if row is None:
                return None
            names = staff_names(s)
            return _revision(row, names, _copies(s, [row.id], names).get(row.id, ()))

    def revision(self, plan_id: int) -> PlanRevision:
        """One revision by id; :class:`NotFound` when there is no such revision."""
        with self.db.read() as s:
            row = s.get(CarePlan, plan_id)
            if row is None:
                raise NotFound("This care-plan revision does not exist.")
            names = staff_names(s)
            return _revision(row, names, _copies(s, [row.id], names).get(row.id, ()))

    def add_kept_elsewhere(self, actor: Actor, patient_id: int, established: date) -> int:
        """Record that the patient's plan, established on ``established``, is kept in
        another record (as the patient import's ``care_plan_date`` does); the new id."""
        with self.gate.write(actor, Permission.CAREPLAN_EDIT, on=[established]) as w:
            s = w.session
            p = s.get(Patient, patient_id)
            if p is None:
                raise NotFound("This patient no longer exists.")
            plan_id = add_version_in_session(s, actor, p, established, w.today()).id
        self.bus.publish(Change(ChangeKind.CAREPLAN, frozenset({plan_id}), frozenset({patient_id})))
        return plan_id

    def missing(self, patient_id: int, content: PlanContent) -> list[Missing]:
        """What ``content`` still lacks before it can be saved as complete, in plan order."""
        with self.db.read() as s:
            return missing(content, active_codes_in_session(s, patient_id))

    def save_revision(
        self,
        actor: Actor,
        patient_id: int,
        content: PlanContent,
        *,
        base_version: int | None,
        complete: bool,
        substantial: bool,
        change_note: str,
    ) -> int:
        """Save ``content`` as the patient's next revision, dated today; the new id.

        ``base_version`` is the version the editor started from (None for a first plan):
        :class:`StaleEdit` when someone saved another revision since. Content that breaks
        a rule (:func:`check_content`) raises :class:`ValidationErrors`; so does
        ``complete=True`` while elements are missing (one error per element, its field
        ``missing.<element>``). A draft may lack elements. Phone numbers are stored as
        their 10 digits.
        """
        with self.gate.write(actor, Permission.CAREPLAN_EDIT) as w:
            s = w.session
            today = w.today()
            w.require_open(today)
            p = s.get(Patient, patient_id)
            if p is None:
                raise NotFound("This patient no longer exists.")
            latest = s.scalar(
                select(func.max(CarePlan.version)).where(CarePlan.patient_id == patient_id)
            )
            if latest != base_version:
                raise StaleEdit(
                    "Someone else saved this care plan after you opened it: "
                    "reload it to see their changes, then make yours again."
                )
            codes = active_codes_in_session(s, patient_id)
            errors = check_content(content, codes, today)
            if complete:
                errors += [
                    ValidationError(f"missing.{m.element}", m.words)
                    for m in missing(content, codes)
                ]
            if errors:
                raise ValidationErrors(errors)
            values = version_values(
                actor,
                patient_id,
                (latest or 0) + 1,
                today,
                with_digit_phones(content),
                PlanStatus.COMPLETE if complete else PlanStatus.DRAFT,
                substantial,
                change_note.strip(),
            )
            plan = CarePlan(**values)
            s.add(plan)
            s.flush()
            plan_id = plan.id
            record_item(s, actor, version_audit(plan_id, values))
        self.bus.publish(Change(ChangeKind.CAREPLAN, frozenset({plan_id}), frozenset({patient_id})))
        return plan_id

    def record_copy(self, actor: Actor, plan_id: int, given_on: date, method: CopyMethod) -> None:
        """Record that the patient (or caregiver) got a copy of revision ``plan_id``.

        ``given_on`` may not be in the future nor before the revision was made; a draft
        cannot be given (save it as complete first).
        """
        with self.gate.write(actor, Permission.CAREPLAN_EDIT, on=[given_on]) as w:
            s = w.session
            plan = s.get(CarePlan, plan_id)
            if plan is None:
                raise NotFound("This care-plan revision does not exist.")
            if plan.status == PlanStatus.DRAFT:
                raise ValidationError(
                    "status", "This revision is a draft: save it as complete before giving a copy."
                )
            check_not_future(given_on, w.today(), "given_on", "copy")
            if given_on < plan.established_date:
                raise ValidationError(
                    "given_on", "A copy cannot be given before the plan was written."
                )
            copy = CarePlanCopy(
                care_plan_id=plan_id,
                given_on=given_on,
                method=CopyMethod(method).value,
                recorded_by_id=actor.staff_id,
            )
            s.add(copy)
            s.flush()
            patient_id = plan.patient_id
            record_item(
                s,
                actor,
                AuditItem(
                    AuditAction.CAREPLAN_COPY_GIVEN,
                    "care_plan_copy",
                    copy.id,
                    patient_id,
                    {
                        "care_plan_id": plan_id,
                        "version": plan.version,
                        "given_on": given_on.isoformat(),
                        "method": copy.method,
                    },
                ),
            )
        self.bus.publish(Change(ChangeKind.CAREPLAN, frozenset({plan_id}), frozenset({patient_id})))
