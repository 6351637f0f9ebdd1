"""Care-plan revisions through the service, on a real encrypted practice: save, read back,
immutable history, stale edits, completeness refusal, copies given, roles, review dates."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from ccm_desktop.app import AppContext
from ccm_desktop.careplan.checks import with_digit_phones
from ccm_desktop.careplan.content import (
    Allergy,
    Assessment,
    Contact,
    Goal,
    Intervention,
    Medication,
    PlanContent,
    Problem,
    SmallStep,
    SymptomPlan,
    replace,
)
from ccm_desktop.db.models import AuditEvent, StaffUser
from ccm_desktop.errors import (
    PermissionDenied,
    StaleEdit,
    ValidationError,
    ValidationErrors,
)
from ccm_desktop.importers import import_patients
from ccm_desktop.importers.patients import PATIENT_COLUMNS
from ccm_desktop.security.audit import Actor
from ccm_desktop.services.careplans import next_review_date
from ccm_desktop.services.patients import PatientInput
from ccm_desktop.vocab import CopyMethod, PlanStatus, Responsible
from tests.csvdata import patient_row, write_csv

TODAY = date(2026, 11, 16)  # FIXED_NOW in New York


def full_plan() -> PlanContent:
    """A plan with every element the completeness check asks for (E11.9 and I10)."""
    return PlanContent(
        problems=(
            Problem("E119", "Type 2 diabetes", {"en": "high blood sugar"}),
            Problem("I10", "Essential hypertension", {"en": "high blood pressure"}),
        ),
        expected_outcome={"en": "Keep my sugar and blood pressure in a safe range."},
        prognosis="Good with adherence.",
        goals=(
            Goal(
                "a1c",
                {"en": "Lower my A1c"},
                "E119",
                "7.5",
                "%",
                date(2027, 3, 1),
                steps=(SmallStep({"en": "walk"}, {"en": "15 minutes"}, confidence=7),),
            ),
        ),
        symptoms=(SymptomPlan({"en": "Shaky or sweaty"}, {"en": "Eat sugar"}, {"en": "Call"}),),
        interventions=(
            Intervention({"en": "Check sugar every morning"}, Responsible.PATIENT),
            Intervention({"en": "Eye exam"}, Responsible.OUTSIDE, "Lakeside Eye Clinic"),
        ),
        medications=(Medication("Metformin", "500 mg", "twice a day", "Dr. Example"),),
        allergies=(Allergy("Penicillin", "rash"),),
        medications_reconciled_on=date(2026, 11, 10),
        cognitive_functional=Assessment("Independent in daily activities.", date(2026, 11, 10)),
        psychosocial_environmental=Assessment("Lives alone; stairs at home."),
        caregiver=Assessment("Daughter helps weekly."),
        no_community_services=True,
        coordination=(Contact("Dr. Heart", "Cardiologist", "555-201-3344"),),
        care_team=(Contact("Kim Carewell", "Care manager", "555-201-0000"),),
        after_hours_phone="5552019999",
    )


def save(
    ctx: AppContext,
    actor: Actor,
    pid: int,
    content: PlanContent,
    base: int | None = None,
    complete: bool = True,
    substantial: bool = False,
    note: str = "",
) -> int:
    return ctx.careplans.save_revision(
        actor,
        pid,
        content,
        base_version=base,
        complete=complete,
        substantial=substantial,
        change_note=note,
    )


@pytest.fixture
def pid(ctx, clinician) -> int:
    p = ctx.patients.create(clinician, PatientInput("CP1", "Plan", "Pat", "1948-05-01", "F"))
    ctx.patients.add_condition(clinician, p, "E11.9")
    ctx.patients.add_condition(clinician, p, "I10")
    return p


def test_save_and_read_back_a_complete_plan(ctx, nurse, pid):
    seen = []
    ctx.bus.subscribe(seen.append)
    plan_id = save(ctx, nurse, pid, full_plan(), substantial=True)
    [rev] = ctx.careplans.revisions(pid)
    assert rev == ctx.careplans.latest(pid) == ctx.careplans.revision(plan_id)
    assert (rev.version, rev.status, rev.substantial) == (1, PlanStatus.COMPLETE, True)
    assert rev.content == with_digit_phones(full_plan()) != full_plan()
    assert [c.phone for c in rev.content.coordination] == ["5552013344"]  # as stored
    assert rev.established_date == TODAY and rev.next_review == date(2027, 11, 16)
    assert rev.created_by == "Kim Carewell" and rev.created_at.tzinfo is not None
    assert rev.copies == ()
    assert seen[-1].kind == "careplan" and seen[-1].patient_ids == {pid}
    with ctx.db.read() as s:
        audit = s.scalars(select(AuditEvent).where(AuditEvent.entity == "care_plan")).one()
        assert audit.action == "careplan.version" and audit.entity_id == plan_id
        assert audit.detail == {"version": 1, "status": "complete", "substantial": True}


def test_revisions_are_kept_and_stale_edits_refused(ctx, nurse, clinician, pid):
    draft = PlanContent(problems=(Problem("E119", "Type 2 diabetes"),))
    first = save(ctx, nurse, pid, draft, complete=False)
    assert ctx.careplans.revision(first).status == PlanStatus.DRAFT
    second = save(
        ctx,
        clinician,
        pid,
        full_plan(),
        base=1,
        substantial=True,
        note="  Added the blood-pressure goal. ",
    )
    # The nurse's editor still holds version 1: her save is refused, nothing is written.
    with pytest.raises(StaleEdit, match="reload"):
        save(ctx, nurse, pid, draft, base=1, complete=False)
    with pytest.raises(StaleEdit):  # a "first plan" when one exists is stale too
        save(ctx, nurse, pid, draft, complete=False)
    revs = ctx.careplans.revisions(pid)
    assert [(r.id, r.version) for r in revs] == [(second, 2), (first, 1)]
    assert revs[1].content == draft and revs[1].status == PlanStatus.DRAFT  # unchanged
    assert revs[0].change_note == "Added the blood-pressure goal." and revs[0].substantial


def test_complete_is_refused_while_elements_are_missing_a_draft_is_not(ctx, nurse, pid):
    bare = PlanContent(problems=(Problem("E119", "Type 2 diabetes"),))
    with pytest.raises(ValidationErrors) as err:
        save(ctx, nurse, pid, bare)
    fields = [e.field for e in err.value.errors]
    assert fields[0] == "missing.problem_list" and "I10" in err.value.errors[0].text
    assert "missing.care_team" in fields and "missing.measurable_goals" in fields
    assert ctx.careplans.revisions(pid) == []
    assert [m.element for m in ctx.careplans.missing(pid, full_plan())] == []
    words = [m.words for m in ctx.careplans.missing(pid, bare)]
    assert any("I10 Essential" in w for w in words)  # the condition named in words
    save(ctx, nurse, pid, bare, complete=False)
    assert ctx.careplans.latest(pid).status == PlanStatus.DRAFT


def test_content_that_breaks_a_rule_is_refused_even_as_a_draft(ctx, nurse, pid):
    bad = replace(
        full_plan(),
        problems=(Problem("J449", "COPD"),),  # not one of the patient's conditions
        review_every_months=18,
    )
    with pytest.raises(ValidationErrors) as err:
        save(ctx, nurse, pid, bad, complete=False)
    fields = [e.field for e in err.value.errors]
    assert fields[0] == "problems[0].code" and "review_every_months" in fields
    assert "goals[0].condition_code" in fields  # E119 is no longer on the problem list


def test_front_desk_and_billing_cannot_save_a_plan(ctx, front, pid):
    with pytest.raises(PermissionDenied, match="care plan"):
        save(ctx, front, pid, full_plan())
    with ctx.db.write() as s:
        s.add(StaffUser(username="bill.ing", name="Bo Billing", role="billing"))
    billing = ctx.practice.actor_for("bill.ing")
    with pytest.raises(PermissionDenied):
        save(ctx, billing, pid, full_plan())
    assert ctx.careplans.revisions(pid) == []


def test_copy_given_is_recorded_on_the_revision(ctx, nurse, pid):
    plan_id = save(ctx, nurse, pid, full_plan())
    ctx.careplans.record_copy(nurse, plan_id, TODAY, CopyMethod.PRINTED)
    ctx.careplans.record_copy(nurse, plan_id, TODAY, CopyMethod.CAREGIVER)
    copies = ctx.careplans.revision(plan_id).copies
    assert [(c.given_on, c.method, c.recorded_by) for c in copies] == [
        (TODAY, CopyMethod.PRINTED, "Kim Carewell"),
        (TODAY, CopyMethod.CAREGIVER, "Kim Carewell"),
    ]
    with pytest.raises(ValidationError, match="future"):
        ctx.careplans.record_copy(nurse, plan_id, date(2026, 11, 17), CopyMethod.MAILED)
    with pytest.raises(ValidationError, match="before the plan"):
        ctx.careplans.record_copy(nurse, plan_id, date(2026, 11, 1), CopyMethod.MAILED)
    with ctx.db.read() as s:
        actions = s.scalars(
            select(AuditEvent.action).where(AuditEvent.entity == "care_plan_copy")
        ).all()
    assert actions == ["careplan.copy_given", "careplan.copy_given"]


def test_a_draft_cannot_be_given_as_a_copy(ctx, nurse, pid):
    plan_id = save(ctx, nurse, pid, PlanContent(), complete=False)
    with pytest.raises(ValidationError, match="draft"):
        ctx.careplans.record_copy(nurse, plan_id, TODAY, CopyMethod.PRINTED)


def test_the_stored_revision_cannot_be_changed_by_the_service(ctx, nurse, pid):
    """Only new rows: no service method updates a revision; the row stays as written."""
    plan_id = save(ctx, nurse, pid, full_plan())
    before = ctx.careplans.revision(plan_id)
    save(ctx, nurse, pid, replace(full_plan(), prognosis="Fair."), base=1)
    assert ctx.careplans.revision(plan_id) == before


@pytest.mark.parametrize(
    ("established", "months", "due"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),  # the month's last day
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # a leap year
        (date(2026, 3, 31), 6, date(2026, 9, 30)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2026, 11, 16), 12, date(2027, 11, 16)),
        (date(2026, 12, 15), 3, date(2027, 3, 15)),  # across the year
    ],
)
def test_review_due_dates(established, months, due):
    assert next_review_date(established, PlanContent(review_every_months=months)) == due


def test_the_plans_own_review_date_wins(ctx, nurse, pid):
    content = replace(full_plan(), review_every_months=6, next_review=date(2027, 1, 15))
    save(ctx, nurse, pid, content)
    assert ctx.careplans.latest(pid).next_review == date(2027, 1, 15)
    save(ctx, nurse, pid, replace(content, next_review=None), base=1)
    assert ctx.careplans.latest(pid).next_review == date(2027, 5, 16)  # today + 6 months


def test_an_imported_plan_date_is_compared_with_the_newest_plan_not_a_draft(
    ctx, admin, nurse, tmp_path
):
    first = patient_row(1, care_plan_date="")
    import_patients(ctx, write_csv(tmp_path / "a.csv", PATIENT_COLUMNS, [first]), admin)
    pid = ctx.patients.find_by_mrn("T000001").id
    save(ctx, nurse, pid, PlanContent(), complete=False)  # a draft, dated 11/16/2026
    later = patient_row(1, care_plan_date="2026-10-01")  # kept elsewhere, before the draft
    import_patients(ctx, write_csv(tmp_path / "b.csv", PATIENT_COLUMNS, [later]), admin)
    plan, draft = ctx.careplans.revisions(pid)
    assert (plan.version, plan.status, plan.established_date) == (
        2,
        PlanStatus.KEPT_ELSEWHERE,
        date(2026, 10, 1),
    )
    assert draft.status == PlanStatus.DRAFT
    assert plan.next_review == date(2027, 10, 1)
