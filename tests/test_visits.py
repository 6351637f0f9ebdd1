"""The initiating-visit rule and the once-per-patient G0506 add-on."""

from __future__ import annotations

from datetime import date

import pytest

from ccm_desktop.errors import ValidationError
from ccm_desktop.services.patients import PatientInput


def _patient(ctx, clinician, last_visit: str = "") -> int:
    return ctx.patients.create(
        clinician,
        PatientInput(
            "IV1",
            "Visitor",
            "Wren",
            "1945-04-04",
            "F",
            billing_provider_npi="1234567893",
            last_visit_date=last_visit,
        ),
    )


def test_recent_visit_satisfies_ccm(ctx, clinician):
    pid = _patient(ctx, clinician, "2026-01-20")
    check = ctx.visits.check(pid, "ccm")
    assert check.satisfied
    assert "Seen face to face on 01/20/2026, within 12 months" in check.reason


def test_old_visit_needs_initiating_visit_then_recording_it_satisfies(ctx, clinician):
    pid = _patient(ctx, clinician, "2025-11-15")  # one year and one day before 2026-11-16
    check = ctx.visits.check(pid, "ccm")
    assert not check.satisfied
    assert "Not seen by the billing practitioner within 12 months (last visit 11/15/2025)" in (
        check.reason
    )
    provider = ctx.patients.get(pid)
    assert provider.billing_provider == "Dana Example, MD"
    pid_provider = next(p.id for p in ctx.practice.providers() if p.npi == "1234567893")
    ctx.visits.record(clinician, pid, pid_provider, date(2026, 11, 10), "awv", g0506=True)
    assert ctx.visits.check(pid, "ccm").satisfied
    assert ctx.patients.get(pid).data.last_visit_date == date(2026, 11, 10)


def test_apcm_window_is_three_years(ctx, clinician):
    pid = _patient(ctx, clinician, "2024-02-01")
    assert not ctx.visits.check(pid, "ccm").satisfied
    check = ctx.visits.check(pid, "apcm")
    assert check.satisfied and "within 3 years" in check.reason


def test_no_visit_on_record(ctx, clinician):
    pid = _patient(ctx, clinician)
    assert "no visit on record" in ctx.visits.check(pid, "pcm").reason


def test_visit_with_other_practitioner_does_not_count(ctx, clinician):
    pid = _patient(ctx, clinician, "2026-10-01")
    other = next(p.id for p in ctx.practice.providers() if p.npi == "1000000004")
    assert not ctx.visits.check(pid, "ccm", other).satisfied  # a transfer needs its own visit


def test_g0506_once_per_patient_and_dates_checked(ctx, clinician):
    pid = _patient(ctx, clinician)
    ctx.visits.record(clinician, pid, None, date(2026, 3, 2), "em", g0506=True)
    with pytest.raises(ValidationError, match="once per patient") as e:
        ctx.visits.record(clinician, pid, None, date(2026, 11, 2), "awv", g0506=True)
    assert e.value.field == "g0506"
    with pytest.raises(ValidationError, match="future"):
        ctx.visits.record(clinician, pid, None, date(2026, 11, 17), "awv")
    with pytest.raises(ValidationError, match="kind of visit"):
        ctx.visits.record(clinician, pid, None, date(2026, 11, 2), "phone")
    assert ctx.visits.check(pid, "ccm").g0506_used_on == date(2026, 3, 2)


def test_enrollment_refused_until_initiating_visit_recorded(ctx, clinician):
    from ccm_desktop.services.enrollment import ConsentInput

    pid = _patient(ctx, clinician, "2024-05-01")
    for code in ("E11.9", "I10"):
        ctx.patients.add_condition(clinician, pid, code)
    consent = ConsentInput(
        date(2026, 11, 12), "written", clinician.staff_id, True, True, True, True
    )
    with pytest.raises(ValidationError, match="must start at a face-to-face visit") as e:
        ctx.enrollment.enroll(clinician, pid, "ccm", consent)
    assert e.value.field == "initiating_visit"
    assert ctx.enrollment.history(pid) == []
    ctx.visits.record(clinician, pid, None, date(2026, 11, 12), "em", g0506=True)
    assert ctx.enrollment.enroll(clinician, pid, "ccm", consent)


def test_visit_and_enrollment_saved_together_or_not_at_all(ctx, clinician):
    from ccm_desktop.services.enrollment import ConsentInput
    from ccm_desktop.services.visits import VisitInput

    pid = _patient(ctx, clinician, "2023-01-01")
    for code in ("E11.9", "I10"):
        ctx.patients.add_condition(clinician, pid, code)
    visit = VisitInput(date(2026, 11, 12), "awv", g0506=True)
    bad = ConsentInput(date(2026, 11, 12), "verbal", clinician.staff_id, True, True, True, True)
    with pytest.raises(Exception, match="witness"):  # verbal consent without a witness
        ctx.enrollment.enroll(clinician, pid, "ccm", bad, visit=visit)
    assert ctx.visits.check(pid, "ccm").g0506_used_on is None, "the visit was not kept"
    good = ConsentInput(
        date(2026, 11, 12), "verbal", clinician.staff_id, True, True, True, True, witness="Lee F"
    )
    ctx.enrollment.enroll(clinician, pid, "ccm", good, visit=visit)
    assert ctx.visits.check(pid, "ccm").g0506_used_on == date(2026, 11, 12)
