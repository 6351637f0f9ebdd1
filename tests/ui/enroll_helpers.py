"""Synthetic patients for the enrollment GUI tests (the practice's clock is 11/16/2026)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ccm_desktop.app import AppContext
from ccm_desktop.db.models import Consent, InitiatingVisit
from ccm_desktop.security.audit import Actor
from ccm_desktop.services.enrollment import ConsentInput
from ccm_desktop.services.patients import PatientInput

TODAY = date(2026, 11, 16)


def new_patient(
    ctx: AppContext,
    actor: Actor,
    mrn: str,
    codes: tuple[str, ...] = ("E11.9", "I10"),
    *,
    last_visit: str = "2026-09-01",
    language: str = "en",
    first: str = "Ada",
    last: str = "Testpatient",
) -> int:
    pid = ctx.patients.create(
        actor,
        PatientInput(
            mrn,
            last,
            first,
            "1950-03-04",
            "F",
            billing_provider_npi="1234567893",
            last_visit_date=last_visit,
            preferred_language=language,
        ),
    )
    for code in codes:
        ctx.patients.add_condition(actor, pid, code)
    return pid


def staff_id(ctx: AppContext, username: str) -> int:
    return next(s.id for s in ctx.practice.staff() if s.username == username)


def full_consent(ctx: AppContext, when: date = date(2026, 11, 2)) -> ConsentInput:
    return ConsentInput(when, "written", staff_id(ctx, "nurse.kim"), True, True, True, True)


def consents(ctx: AppContext, patient_id: int) -> list[Consent]:
    with ctx.db.read() as s:
        rows = list(s.scalars(select(Consent).where(Consent.patient_id == patient_id)))
        s.expunge_all()
        return rows


def visits(ctx: AppContext, patient_id: int) -> list[InitiatingVisit]:
    with ctx.db.read() as s:
        rows = list(
            s.scalars(select(InitiatingVisit).where(InitiatingVisit.patient_id == patient_id))
        )
        s.expunge_all()
        return rows
