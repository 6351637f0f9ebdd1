"""Reading what a care-plan print-out shows, from the database, before it is laid out.

:func:`care_plan_print` reads one revision with its practice and patient through the
services (one read each; nothing is written). :func:`print_data` is the pure part: it puts
the services' dataclasses together as a :class:`CarePlanPrint`. :func:`printable_revision`
chooses what the ``careplan`` command prints: the newest complete revision.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from ccm_desktop.errors import CcmError
from ccm_desktop.reports.care_plan_common import CarePlanPrint, PrintedCopy
from ccm_desktop.vocab import PlanStatus

if TYPE_CHECKING:
    from ccm_desktop.app import AppContext
    from ccm_desktop.services.careplans import PlanRevision
    from ccm_desktop.services.patients import PatientDetail
    from ccm_desktop.services.practice import PracticeInfo, ProviderInfo


def practice_address(p: PracticeInfo) -> str:
    """ "100 Example Ave, Columbus, OH 43210" ("" when nothing is entered)."""
    place = " ".join(x for x in (f"{p.city}," if p.city else "", p.state, p.zip) if x)
    return ", ".join(x for x in (p.address, place.rstrip(",")) if x)


def print_data(
    practice: PracticeInfo,
    patient: PatientDetail,
    revision: PlanRevision,
    providers: list[ProviderInfo] | None = None,
) -> CarePlanPrint:
    """The print-out's input from the services' dataclasses; the billing provider is named
    with their credential when ``providers`` has them ("Dana Example, MD")."""
    d = patient.data
    npi = d.billing_provider_npi
    provider = next((p for p in providers or [] if npi and p.npi == npi), None)
    billing = f"{provider.name}, {provider.credential}" if provider else patient.billing_provider
    return CarePlanPrint(
        practice_name=practice.name,
        patient_name=f"{d.first_name} {d.last_name}".strip(),
        dob=d.dob if isinstance(d.dob, date) else date.fromisoformat(d.dob),
        mrn=d.mrn,
        version=revision.version,
        established_date=revision.established_date,
        status=revision.status,
        content=revision.content,
        practice_phone=practice.phone,
        practice_address=practice_address(practice),
        after_hours_phone=practice.after_hours_phone,
        preferred_language=d.preferred_language or "en",
        care_manager=patient.care_manager,
        billing_provider=billing,
        next_review=revision.next_review,
        written_by=revision.created_by,
        substantial=revision.substantial,
        change_note=revision.change_note,
        copies=tuple(PrintedCopy(c.given_on, c.method) for c in revision.copies),
    )


def care_plan_print(ctx: AppContext, plan_id: int) -> CarePlanPrint:
    """What the print-out of revision ``plan_id`` shows (:class:`NotFound` when there is no
    such revision)."""
    revision = ctx.careplans.revision(plan_id)
    patient = ctx.patients.get(revision.patient_id)
    practice = ctx.practice.practice()
    return print_data(practice, patient, revision, ctx.practice.providers(active_only=False))


def printable_revision(revisions: list[PlanRevision]) -> PlanRevision:
    """The newest complete revision of ``revisions`` (newest first). :class:`CcmError` in
    words when there is none: no plan, only drafts, or a plan kept in another record."""
    for r in revisions:
        if r.status == PlanStatus.COMPLETE:
            return r
        if r.status == PlanStatus.KEPT_ELSEWHERE:
            raise CcmError(
                "This patient's care plan is kept in another record (version "
                f"{r.version} of {r.established_date:%m/%d/%Y}), so there is nothing to print "
                "here: print it from that record, or write the plan in CCM Desktop."
            )
    if revisions:
        raise CcmError(
            "This patient's care plan is still a draft: finish it and save it as complete "
            "before printing it."
        )
    raise CcmError("This patient has no care plan yet: write one before printing it.")
