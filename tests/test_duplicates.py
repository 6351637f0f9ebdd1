"""Duplicate patients caught, records entered in error (kept, never deleted), merges."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from ccm_desktop.db.models import AuditEvent, Patient
from ccm_desktop.errors import (
    PeriodClosed,
    PermissionDenied,
    RecordNotCurrent,
    ValidationError,
    ValidationErrors,
)
from ccm_desktop.services.enrollment import ConsentInput
from ccm_desktop.services.patients import PatientFilter, PatientInput, PossibleDuplicate
from ccm_desktop.services.timing import TimeInput
from tests.test_gate import _make_billing_user

NOV = datetime(2026, 11, 10, 15, tzinfo=UTC)
OCT = datetime(2026, 10, 10, 15, tzinfo=UTC)


def _input(mrn: str, last: str = "Núñez", first: str = "María", **kw) -> PatientInput:
    kw.setdefault("billing_provider_npi", "1234567893")
    kw.setdefault("last_visit_date", "2026-09-01")
    return PatientInput(mrn, last, first, kw.pop("dob", "1950-03-04"), "F", **kw)


def _consent(actor) -> ConsentInput:
    return ConsentInput(date(2026, 11, 2), "written", actor.staff_id, True, True, True, True)


def test_same_name_and_birth_date_warns_naming_the_existing_record(ctx, front):
    first = ctx.patients.create(front, _input("A100"))
    with pytest.raises(PossibleDuplicate) as e:
        ctx.patients.create(front, _input("A200", last="NUNEZ", first="maria"))  # folded key
    assert [m.id for m in e.value.matches] == [first]
    assert "Núñez, María (born 03/04/1950, MRN A100)" in str(e.value)
    assert ctx.patients.count() == 1  # nothing saved
    # Another person after all: saved on request.
    second = ctx.patients.create(front, _input("A200", last="Nunez"), allow_duplicate=True)
    assert ctx.patients.count() == 2 and second != first
    # A different birth date is not a duplicate.
    ctx.patients.create(front, _input("A300", dob="1951-03-04"))


def test_same_medicare_number_is_refused_in_words(ctx, front):
    ctx.patients.create(front, _input("A100", mbi="1EG4-TE5-MK73"))
    with pytest.raises(ValidationErrors) as e:
        ctx.patients.create(
            front, _input("B1", last="Other", mbi="1eg4te5mk73"), allow_duplicate=True
        )
    assert e.value.errors[0].field == "mbi"
    assert e.value.errors[0].text.startswith(
        "Núñez, María (born 03/04/1950, MRN A100) already has this Medicare number"
    )
    assert ctx.patients.count() == 1


def test_editing_into_a_duplicate_warns_and_other_edits_do_not(ctx, front):
    ctx.patients.create(front, _input("A100", mbi="1EG4TE5MK73"))
    other = ctx.patients.create(front, _input("B1", last="Roe", first="Ann"))
    d = ctx.patients.get(other)
    with pytest.raises(PossibleDuplicate):
        ctx.patients.update(front, other, _input("B1"), d.version)
    with pytest.raises(ValidationErrors, match="already has this Medicare number"):
        ctx.patients.update(front, other, _input("B1", last="Roe", mbi="1EG4TE5MK73"), d.version)
    # A look-alike saved on purpose can still have its phone changed without a warning.
    twin = ctx.patients.create(front, _input("C1"), allow_duplicate=True)
    t = ctx.patients.get(twin)
    ctx.patients.update(front, twin, _input("C1", phone="5552013344"), t.version)
    assert ctx.patients.get(twin).data.phone == "5552013344"


def test_entered_in_error_leaves_the_list_refuses_writes_and_can_be_restored(
    ctx, front, nurse, clinician
):
    pid = ctx.patients.create(front, _input("A100", mbi="1EG4TE5MK73"))
    ctx.patients.add_condition(clinician, pid, "I10")
    ctx.patients.add_condition(clinician, pid, "E11.9")
    with pytest.raises(ValidationError, match="Say why"):
        ctx.patients.mark_entered_in_error(front, pid, "  ")
    ctx.patients.mark_entered_in_error(front, pid, "Test patient made in training")
    assert ctx.patients.rows() == [] and ctx.patients.count() == 0
    assert ctx.patients.rows(PatientFilter("nunez")) == []
    shown = ctx.patients.rows(PatientFilter("nunez", include_in_error=True))
    assert [(r.id, r.record_status) for r in shown] == [(pid, "entered_in_error")]
    detail = ctx.patients.get(pid)  # kept, never deleted
    assert detail.record_status == "entered_in_error"
    assert detail.status_reason == "Test patient made in training"
    # Its writes are refused in plain words, nothing written.
    nurse_id = nurse.staff_id
    with pytest.raises(RecordNotCurrent, match=r"Núñez, María \(MRN A100\) is marked entered"):
        ctx.time.add(nurse, TimeInput(pid, nurse_id, NOV, 10, "call_patient"))
    with pytest.raises(RecordNotCurrent, match="entered in error"):
        ctx.enrollment.enroll(clinician, pid, "ccm", _consent(nurse))
    with pytest.raises(RecordNotCurrent, match="entered in error"):
        ctx.patients.add_condition(clinician, pid, "J44.9")
    with pytest.raises(RecordNotCurrent):
        ctx.patients.update(front, pid, _input("A100", phone="5552013344"), detail.version)
    assert ctx.time.entries(pid) == []
    # A new patient with its name and Medicare number is no duplicate of a record entered in
    # error; restoring the old record then would make two, so it is refused.
    ctx.patients.create(front, _input("A200", mbi="1EG4TE5MK73"))
    with pytest.raises(ValidationError, match="merge this record into that one instead"):
        ctx.patients.restore(front, pid)
    with ctx.db.read() as s:
        actions = list(s.scalars(select(AuditEvent.action).where(AuditEvent.patient_id == pid)))
    assert "patient.entered_in_error" in actions


def test_restore_brings_the_record_back(ctx, front):
    pid = ctx.patients.create(front, _input("A100"))
    ctx.patients.mark_entered_in_error(front, pid, "wrong person")
    ctx.patients.restore(front, pid, "marked by mistake")
    assert [r.id for r in ctx.patients.rows()] == [pid]
    assert ctx.patients.get(pid).record_status == "active"
    actions = [a.action for a in ctx.patients.audit_trail(pid)]
    assert actions[:2] == ["patient.restore", "patient.entered_in_error"]


def test_marking_in_error_is_refused_while_enrolled_or_with_counted_time(
    ctx, front, nurse, clinician
):
    pid = ctx.patients.create(front, _input("A100"))
    ctx.time.add(nurse, TimeInput(pid, nurse.staff_id, NOV, 12, "call_patient"))
    with pytest.raises(ValidationError, match="1 counted time entry: void it first"):
        ctx.patients.mark_entered_in_error(front, pid, "duplicate")
    other = ctx.patients.create(front, _input("B1", last="Roe"))
    ctx.patients.add_condition(clinician, other, "I10")
    ctx.patients.add_condition(clinician, other, "E11.9")
    ctx.enrollment.enroll(clinician, other, "ccm", _consent(nurse))
    with pytest.raises(ValidationError, match="is enrolled in CCM: disenroll first"):
        ctx.patients.mark_entered_in_error(front, other, "duplicate")
    assert ctx.patients.count() == 2


def _two_records(ctx, front, nurse, clinician):
    keep = ctx.patients.create(front, _input("KEEP1", mbi="1EG4TE5MK73"))
    dup = ctx.patients.create(front, _input("DUP1", last="Nunez"), allow_duplicate=True)
    ctx.patients.add_condition(clinician, keep, "I10")
    ctx.patients.add_condition(clinician, dup, "I10")  # both have it: stays on the merged one
    ctx.patients.add_condition(clinician, dup, "E11.9")
    ctx.enrollment.enroll(clinician, dup, "ccm", _consent(nurse))
    ctx.time.add(nurse, TimeInput(dup, nurse.staff_id, NOV, 15, "call_patient"))
    return keep, dup


def test_merge_moves_history_keeps_the_merged_record_and_audits_once(ctx, front, nurse, clinician):
    keep, dup = _two_records(ctx, front, nurse, clinician)
    plan = ctx.patients.merge_plan(dup, keep)
    assert plan.moves == {
        "conditions": 1,
        "enrollments": 1,
        "consents": 1,
        "visits": 0,
        "care_plans": 0,
        "time_entries": 1,
    }
    assert plan.conditions_kept == 1
    with pytest.raises(PermissionDenied, match="may not merge two records"):
        ctx.patients.merge(front, dup, keep)
    with ctx.db.read() as s:
        audits_before = s.scalar(select(func.count()).select_from(AuditEvent))
    ctx.patients.merge(nurse, dup, keep)
    assert [r.mrn for r in ctx.patients.rows()] == ["KEEP1"]
    row = ctx.patients.rows()[0]
    assert row.program == "ccm" and row.minutes_this_month == 15
    survivor = ctx.patients.get(keep)
    assert survivor.data.mrn == "KEEP1" and survivor.data.mbi == "1EG4TE5MK73"
    assert {c.code for c in survivor.conditions} == {"I10", "E119"}
    merged = ctx.patients.get(dup)  # kept, marked, not listed
    assert merged.record_status == "merged" and merged.merged_into_mrn == "KEEP1"
    with ctx.db.read() as s:
        assert s.scalar(select(func.count()).select_from(AuditEvent)) == audits_before + 1
        event = s.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert event.action == "patient.merge" and event.patient_id == keep
        assert event.detail["merged_mrn"] == "DUP1" and event.detail["into_mrn"] == "KEEP1"
        assert s.get(Patient, dup) is not None
    # The survivor's history shows the merged record's events too.
    trail = ctx.patients.audit_trail(keep)
    assert {a.patient_id for a in trail} == {keep, dup}
    # The merged-away record takes nothing new, and names where to record it.
    with pytest.raises(RecordNotCurrent, match="merged into MRN KEEP1: record this on MRN KEEP1"):
        ctx.time.add(nurse, TimeInput(dup, nurse.staff_id, NOV, 5, "call_patient"))


def test_merge_refusals_change_nothing(ctx, front, nurse, clinician):
    keep, dup = _two_records(ctx, front, nurse, clinician)
    with pytest.raises(ValidationError, match="cannot be merged into itself"):
        ctx.patients.merge(nurse, keep, keep)
    ctx.enrollment.enroll(clinician, keep, "pcm", _consent(nurse))
    with pytest.raises(ValidationError, match="Both records are enrolled"):
        ctx.patients.merge_plan(dup, keep)
    with pytest.raises(ValidationError, match="Both records are enrolled"):
        ctx.patients.merge(nurse, dup, keep)
    wrong = ctx.patients.create(front, _input("ERR1", last="Test"))
    ctx.patients.mark_entered_in_error(front, wrong, "training")
    with pytest.raises(ValidationError, match="is marked entered in error: merge into a current"):
        ctx.patients.merge(nurse, dup, wrong)
    assert ctx.patients.get(dup).record_status == "active"
    assert len(ctx.patients.get(dup).conditions) == 2


def test_merge_refused_when_time_in_a_closed_month_would_move(ctx, front, nurse, clinician):
    keep = ctx.patients.create(front, _input("KEEP1"))
    dup = ctx.patients.create(front, _input("DUP1"), allow_duplicate=True)
    ctx.time.add(nurse, TimeInput(dup, nurse.staff_id, OCT, 20, "call_patient"))
    _make_billing_user(ctx)
    billing = ctx.practice.actor_for("bill.ing")
    ctx.periods.close(billing, 2026, 10)
    with pytest.raises(PeriodClosed, match="October 2026 is closed for billing"):
        ctx.patients.merge_plan(dup, keep)
    with pytest.raises(PeriodClosed, match="October 2026 is closed for billing"):
        ctx.patients.merge(nurse, dup, keep)
    assert ctx.patients.get(dup).record_status == "active"
    assert [e.minutes for e in ctx.time.entries(dup)] == [20]
