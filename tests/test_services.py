"""Domain services on a real encrypted practice: validation, history, audit in one transaction."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from ccm_desktop.db.models import AuditEvent, Consent, Enrollment
from ccm_desktop.errors import DatabaseExists, NotFound, ValidationError, ValidationErrors
from ccm_desktop.security.audit import Actor, events_for
from ccm_desktop.services.enrollment import ConsentInput, eligibility
from ccm_desktop.services.patients import PatientFilter, PatientInput
from ccm_desktop.services.practice import PracticeSetup, validate_setup
from ccm_desktop.services.timing import TimeEdit, TimeInput
from tests.conftest import practice_setup


def _patient(ctx, actor, mrn="P1", **kw) -> int:
    data = dict(
        mrn=mrn,
        last_name="Okonkwo-Lind",
        first_name="Mira",
        dob="1947-06-01",
        sex="F",
        billing_provider_npi="1234567893",
        last_visit_date="2026-06-01",
    )
    data.update(kw)
    # Look-alike patients on purpose (same name and birth date): duplicates are tested in
    # tests/test_duplicates.py.
    return ctx.patients.create(actor, PatientInput(**data), allow_duplicate=True)


def _consent(actor, d=date(2026, 11, 2), **kw) -> ConsentInput:
    base = dict(
        consent_date=d,
        method="verbal",
        obtained_by_id=actor.staff_id,
        disclosed_service=True,
        disclosed_cost_sharing=True,
        disclosed_one_practitioner=True,
        disclosed_stop_anytime=True,
        witness="Lee Frontdesk",
    )
    base.update(kw)
    return ConsentInput(**base)


def _audit_count(ctx) -> int:
    with ctx.db.read() as s:
        return s.scalar(select(func.count()).select_from(AuditEvent))


def test_every_patient_error_named_at_once(ctx, clinician):
    with pytest.raises(ValidationErrors) as e:
        ctx.patients.create(
            clinician,
            PatientInput(
                "", "", "Al", "2030-01-01", "Q", mbi="12345", billing_provider_npi="1999999999"
            ),
        )
    fields = {err.field for err in e.value.errors}
    assert fields == {"mrn", "last_name", "dob", "sex", "mbi", "billing_provider_npi"}
    assert ctx.patients.count() == 0


def test_duplicate_mrn_is_a_field_error(ctx, clinician):
    _patient(ctx, clinician, "DUP1")
    with pytest.raises(ValidationErrors) as e:
        _patient(ctx, clinician, "dup1", last_name="Other")
    assert e.value.errors[0].field == "mrn" and "already has MRN DUP1" in str(e.value)


def test_changes_write_audit_events_with_actor(ctx, clinician):
    nurse = ctx.practice.actor_for("nurse.kim")
    pid = _patient(ctx, nurse)
    ctx.patients.add_condition(nurse, pid, "E11.65")
    ctx.patients.add_condition(nurse, pid, "I10")
    ctx.enrollment.enroll(nurse, pid, "ccm", _consent(nurse))
    ctx.time.add(
        nurse,
        TimeInput(
            pid, nurse.staff_id, datetime(2026, 11, 3, 14, tzinfo=UTC), 25, "call_patient", True
        ),
    )
    detail = ctx.patients.get(pid)
    data = detail.data
    data.phone = "555-201-0000"
    ctx.patients.update(nurse, pid, data, detail.version)
    with ctx.db.read() as s:
        rows = events_for(s, patient_id=pid)
    assert [r.action for r in reversed(rows)] == [
        "patient.create",
        "condition.add",
        "condition.add",
        "enrollment.enroll",
        "time.add",
        "patient.update",
    ]
    assert all(r.actor == "Kim Carewell (nurse.kim)" for r in rows)
    assert rows[0].detail == {"changed": ["phone"]}


def test_failed_change_leaves_no_audit_event(ctx, clinician):
    pid = _patient(ctx, clinician)
    before = _audit_count(ctx)
    with pytest.raises(ValidationError):
        ctx.enrollment.enroll(clinician, pid, "ccm", _consent(clinician))  # no conditions yet
    with pytest.raises(ValidationError):
        ctx.patients.add_condition(clinician, pid, "E11")  # a category header
    assert _audit_count(ctx) == before


def test_stale_edit_is_refused(ctx, clinician):
    pid = _patient(ctx, clinician)
    first = ctx.patients.get(pid)
    second = ctx.patients.get(pid)
    first.data.phone = "5552010001"
    ctx.patients.update(clinician, pid, first.data, first.version)
    second.data.city = "Dayton"
    with pytest.raises(Exception, match="changed by someone else"):
        ctx.patients.update(clinician, pid, second.data, second.version)


def test_eligibility_explains_itself():
    assert not eligibility("ccm", 1).eligible
    assert "this patient has one: consider PCM" in eligibility("ccm", 1).reason
    assert eligibility("ccm", 2).eligible
    assert eligibility("pcm", 1).eligible and not eligibility("pcm", 0).eligible
    assert "G0558" in eligibility("apcm", 3, qmb=True).reason
    assert "G0556" in eligibility("apcm", 1).reason


def test_consent_rules(ctx, clinician):
    pid = _patient(ctx, clinician)
    for code in ("E11.9", "I10"):
        ctx.patients.add_condition(clinician, pid, code)
    with pytest.raises(ValidationErrors) as e:
        ctx.enrollment.enroll(
            clinician, pid, "ccm", _consent(clinician, disclosed_cost_sharing=False, witness="")
        )
    assert {x.field for x in e.value.errors} == {"disclosures", "witness"}
    assert "cost sharing" in str(e.value)
    with pytest.raises(ValidationErrors, match="cannot be in the future"):
        ctx.enrollment.enroll(clinician, pid, "ccm", _consent(clinician, d=date(2026, 11, 17)))
    with pytest.raises(ValidationErrors, match="before the patient's date of birth"):
        ctx.enrollment.enroll(clinician, pid, "ccm", _consent(clinician, d=date(1940, 1, 1)))
    with ctx.db.read() as s:
        assert s.scalar(select(func.count()).select_from(Consent)) == 0
        assert s.scalar(select(func.count()).select_from(Enrollment)) == 0


def test_disenroll_takes_effect_end_of_month_and_history_kept(ctx, clinician):
    pid = _patient(ctx, clinician)
    for code in ("E11.9", "I10"):
        ctx.patients.add_condition(clinician, pid, code)
    eid = ctx.enrollment.enroll(clinician, pid, "ccm", _consent(clinician))
    effective = ctx.enrollment.disenroll(clinician, eid, "Moving away", date(2026, 11, 10))
    assert effective == date(2026, 11, 30)
    hist = ctx.enrollment.history(pid)[0]
    assert [(h.status, h.effective_date) for h in hist.history] == [
        ("enrolled", date(2026, 11, 2)),
        ("disenrolled", date(2026, 11, 30)),
    ]
    assert hist.history[1].reason == "Moving away"
    row = ctx.patients.rows()[0]
    assert row.status == "disenrolled"


def test_patient_of_an_enrollment(ctx, clinician):
    pid = _patient(ctx, clinician)
    for code in ("E11.9", "I10"):
        ctx.patients.add_condition(clinician, pid, code)
    eid = ctx.enrollment.enroll(clinician, pid, "ccm", _consent(clinician))
    assert ctx.enrollment.patient_of(eid) == pid
    with pytest.raises(NotFound):
        ctx.enrollment.patient_of(eid + 100)


def test_month_minutes_use_practice_time_zone(ctx, clinician):
    pid = _patient(ctx, clinician)
    nurse = ctx.practice.actor_for("nurse.kim")
    # 02:30 UTC on Nov 1 is still Oct 31 in New York: it belongs to October.
    ctx.time.add(
        nurse,
        TimeInput(
            pid, nurse.staff_id, datetime(2026, 11, 1, 2, 30, tzinfo=UTC), 15, "coordination"
        ),
    )
    ctx.time.add(
        nurse,
        TimeInput(
            pid, nurse.staff_id, datetime(2026, 11, 2, 15, tzinfo=UTC), 12, "call_patient", True
        ),
    )
    assert ctx.time.month_minutes(2026, 10) == {pid: 15}
    assert ctx.time.month_minutes(2026, 11) == {pid: 12}
    assert ctx.patients.rows()[0].minutes_this_month == 12


def test_time_edit_keeps_history_and_void_removes_from_totals(ctx, clinician):
    pid = _patient(ctx, clinician)
    nurse = ctx.practice.actor_for("nurse.kim")
    eid = ctx.time.add(
        nurse, TimeInput(pid, nurse.staff_id, datetime(2026, 11, 2, 15, tzinfo=UTC), 12, "other")
    )
    with pytest.raises(ValidationError, match="Say why"):
        ctx.time.edit(nurse, eid, "", TimeEdit(minutes=30))
    with pytest.raises(ValidationError, match="between 1 and 240"):
        ctx.time.edit(nurse, eid, "typo", TimeEdit(minutes=0))
    ctx.time.edit(nurse, eid, "typed 12 for 21", TimeEdit(minutes=21))
    assert ctx.time.month_minutes(2026, 11) == {pid: 21}
    ctx.time.void(nurse, eid, "wrong patient")
    assert ctx.time.month_minutes(2026, 11) == {}
    assert ctx.time.entries(pid)[0].voided


def test_future_time_refused(ctx, clinician):
    pid = _patient(ctx, clinician)
    with pytest.raises(ValidationError, match="future"):
        ctx.time.add(clinician, TimeInput(pid, 1, datetime(2026, 11, 17, tzinfo=UTC), 5, "other"))


def test_search_by_name_part_mrn_dob_and_mbi(ctx, clinician):
    a = _patient(ctx, clinician, "MRN-100", last_name="Vasquez-Holt", first_name="Rosa")
    b = _patient(
        ctx,
        clinician,
        "MRN-200",
        last_name="Holtby",
        first_name="Ernest",
        dob="1950-03-04",
        mbi="2AA9AA9AA99",
    )

    def ids(text: str) -> list[int]:
        return [r.id for r in ctx.patients.rows(PatientFilter(text))]

    assert ids("holt") == [b, a]  # sorted by name: Holtby, then Vasquez-Holt
    assert ids("vasquez-holt") == [a]
    assert ids("vasq ros") == [a]
    assert ids("mrn-2") == [b]
    assert ids("3/4/1950") == [b] and ids("1950-03-04") == [b]
    assert ids("2aa9-aa9") == [b]
    assert ids("nobody") == []
    c = _patient(ctx, clinician, "MRN-300", last_name="O'Brien", first_name="Sean")
    assert ids("obrien") == [c] and ids("o'bri") == [c]
    assert ids("ros") == [a]  # first names too
    assert ids("%") == ids("") and ids("_") == ids("")  # LIKE wildcards are plain text


def test_setup_validation_names_each_field():
    setup = practice_setup()
    setup.practice.npi = "1234567890"
    setup.practice.timezone = "Mars/Olympus"
    setup.providers[1].credential = "RN"
    setup.staff[0].role = "boss"
    with pytest.raises(ValidationErrors) as e:
        validate_setup(setup)
    assert {x.field for x in e.value.errors} == {
        "practice.npi",
        "practice.timezone",
        "providers[2].credential",
        "staff[1].role",
        "staff",
    }


def test_setup_from_toml_reports_unknown_and_missing_keys():
    with pytest.raises(ValidationErrors) as e:
        PracticeSetup.from_mapping({"practice": {"name": "X", "colour": "blue"}})
    assert {x.field for x in e.value.errors} == {"practice.colour", "practice.npi", "practice.tin"}


def test_second_setup_refused(ctx, clinician):
    with pytest.raises(DatabaseExists):
        ctx.practice.setup(Actor.system("test"), practice_setup())


def test_condition_onset_checked(ctx, clinician):
    pid = _patient(ctx, clinician)
    with pytest.raises(ValidationError, match="onset date cannot be in the future"):
        ctx.patients.add_condition(clinician, pid, "I10", date(2026, 12, 1))
    with pytest.raises(ValidationError, match="before the patient's date of birth"):
        ctx.patients.add_condition(clinician, pid, "I10", date(1940, 1, 1))
    assert ctx.patients.add_condition(clinician, pid, "I10", date(2015, 5, 1))


def test_search_ignores_accents_and_case(ctx, clinician):
    a = _patient(ctx, clinician, "ACC1", last_name="Núñez", first_name="María José")
    b = _patient(ctx, clinician, "ACC2", last_name="Ölmez-Çelik", first_name="Ayşe")

    def ids(text: str) -> list[int]:
        return [r.id for r in ctx.patients.rows(PatientFilter(text))]

    assert ids("nunez") == [a] and ids("NÚÑEZ") == [a] and ids("maria jose") == [a]
    assert ids("jose") == [a]
    assert ids("celik") == [b] and ids("olmez-celik ayse") == [b]
    detail = ctx.patients.get(a)
    detail.data.last_name = "Nuñez-Ríos"
    ctx.patients.update(clinician, a, detail.data, detail.version)
    assert ids("rios") == [a], "the key follows an edit"
