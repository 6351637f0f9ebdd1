"""Care-manager assignment (the worklist's "mine"): who may be assigned, the audit event,
and what the patient import leaves alone (docs/architecture.md, "Care-manager assignment")."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select

from ccm_desktop.db.models import Patient, StaffUser
from ccm_desktop.errors import ValidationError
from ccm_desktop.events import Change
from ccm_desktop.security.audit import events_for
from ccm_desktop.services.patients import PatientInput
from ccm_desktop.services.practice import StaffInfo
from ccm_desktop.vocab import ChangeKind


def _input(**kw: object) -> PatientInput:
    base: dict[str, object] = dict(
        mrn="CM1", last_name="Lindqvist", first_name="Aino", dob="1944-02-03", sex="F"
    )
    base.update(kw)
    return PatientInput(**base)  # type: ignore[arg-type]


def _care_manager(ctx, pid: int) -> int | None:
    with ctx.db.read() as s:
        return s.scalar(select(Patient.care_manager_id).where(Patient.id == pid))


def test_assign_on_create_and_change_on_update_with_audit(ctx, clinician, nurse):
    seen: list[Change] = []
    ctx.bus.subscribe(seen.append)
    pid = ctx.patients.create(clinician, _input(care_manager_id=nurse.staff_id))
    assert _care_manager(ctx, pid) == nurse.staff_id
    detail = ctx.patients.get(pid)
    assert (detail.data.care_manager_id, detail.care_manager) == (nurse.staff_id, "Kim Carewell")

    # A provider may look after patients too; the change is one audited field.
    ctx.patients.update(
        nurse,
        pid,
        dataclasses.replace(detail.data, care_manager_id=clinician.staff_id),
        detail.version,
    )
    assert ctx.patients.get(pid).care_manager == "Dana Example"
    with ctx.db.read() as s:
        rows = events_for(s, patient_id=pid)
    assert [r.action for r in reversed(rows)] == [
        "patient.create",
        "patient.update",
        "patient.update",
    ]
    assert rows[0].detail == {
        "changed": ["care_manager_id"],
        "care_manager_id": [nurse.staff_id, clinician.staff_id],
    }
    assert rows[0].actor == "Kim Carewell (nurse.kim)"
    assert any(c.kind == ChangeKind.PATIENTS and pid in c.patient_ids for c in seen)

    # Unassigning is a change too; saving the same again writes nothing.
    detail = ctx.patients.get(pid)
    ctx.patients.update(
        nurse, pid, dataclasses.replace(detail.data, care_manager_id=None), detail.version
    )
    detail = ctx.patients.get(pid)
    assert (detail.care_manager, _care_manager(ctx, pid)) == ("", None)
    ctx.patients.update(nurse, pid, detail.data, detail.version)
    with ctx.db.read() as s:
        assert len(events_for(s, patient_id=pid)) == 4


def test_front_desk_admin_or_inactive_staff_refused_in_words(ctx, clinician, front, admin, nurse):
    with pytest.raises(ValidationError) as err:
        ctx.patients.create(clinician, _input(care_manager_id=front.staff_id))
    assert err.value.field == "care_manager_id"
    assert err.value.text == (
        "Lee Frontdesk cannot look after patients: only a care manager or a provider can be "
        "a patient's care manager."
    )
    with pytest.raises(ValidationError, match="Pat Admin cannot look after patients"):
        ctx.patients.create(clinician, _input(care_manager_id=admin.staff_id))
    with ctx.db.read() as s:  # nothing was written by the refused saves
        assert s.scalar(select(Patient.id)) is None

    pid = ctx.patients.create(clinician, _input(care_manager_id=nurse.staff_id))
    kim = next(u for u in ctx.practice.staff() if u.username == "nurse.kim")
    ctx.practice.update_staff(admin, kim, dataclasses.replace(kim, active=False))
    # A former care manager stays on the record until someone else is chosen, and the
    # patient's other fields can still be edited...
    detail = ctx.patients.get(pid)
    ctx.patients.update(
        clinician, pid, dataclasses.replace(detail.data, city="Dayton"), detail.version
    )
    assert _care_manager(ctx, pid) == nurse.staff_id
    # ...but nobody inactive can be newly assigned.
    other = ctx.patients.create(clinician, _input(mrn="CM2", first_name="Eero"))
    detail = ctx.patients.get(other)
    with pytest.raises(ValidationError, match="Kim Carewell no longer works here"):
        ctx.patients.update(
            clinician,
            other,
            dataclasses.replace(detail.data, care_manager_id=nurse.staff_id),
            detail.version,
        )
    with pytest.raises(ValidationError, match="not on file"):
        ctx.patients.update(
            clinician, other, dataclasses.replace(detail.data, care_manager_id=9999), detail.version
        )


def test_assignable_list_is_active_care_managers_and_providers(ctx, admin):
    ctx.practice.add_staff(admin, StaffInfo("ma.joy", "Joy Assist", "care_manager", "MA"))
    ctx.practice.add_staff(admin, StaffInfo("bill.ed", "Ed Billing", "billing"))
    names = [n for _, n in ctx.patients.care_managers()]
    assert names == ["Dana Example", "Joy Assist", "Kim Carewell"]
    with ctx.db.read() as s:
        ids = {u.name: u.id for u in s.scalars(select(StaffUser))}
    assert dict((n, i) for i, n in ctx.patients.care_managers())["Joy Assist"] == ids["Joy Assist"]


def test_patient_import_keeps_the_care_manager(ctx, clinician, nurse, admin, tmp_path):
    pid = ctx.patients.create(clinician, _input(care_manager_id=nurse.staff_id))
    csv = tmp_path / "patients.csv"
    csv.write_text(
        "mrn,last_name,first_name,dob,sex,phone\nCM1,Lindqvist,Aino,1944-02-03,F,5552017777\n"
    )
    report = ctx.imports.patients(admin, csv)
    assert report.updated == 1
    assert ctx.patients.get(pid).data.phone == "5552017777"
    assert _care_manager(ctx, pid) == nurse.staff_id
