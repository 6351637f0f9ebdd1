"""The write gate: actor, role, open period, change with its audit event, typed errors."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlcipher3
from sqlalchemy import func, select, update

from ccm_desktop.db.engine import Database
from ccm_desktop.db.models import AuditEvent, Patient, StaffUser, TimeEntry
from ccm_desktop.errors import (
    DatabaseBusy,
    PeriodClosed,
    PermissionDenied,
    ValidationError,
    WriteConflict,
)
from ccm_desktop.gate import Gate, Permission, PermissionFileError, PermissionTable
from ccm_desktop.importers.patients import PATIENT_COLUMNS, import_patients
from ccm_desktop.paths import resources_dir
from ccm_desktop.security.audit import Actor
from ccm_desktop.services.base import Clock
from ccm_desktop.services.patients import PatientInput
from ccm_desktop.services.timing import TimeEdit, TimeInput
from ccm_desktop.vocab import Role
from tests.csvdata import patient_row, write_csv

NOV = datetime(2026, 11, 10, 15, tzinfo=UTC)


def _patient(ctx, actor, mrn: str = "G1") -> int:
    return ctx.patients.create(  # look-alikes on purpose: the gate is tested, not duplicates
        actor, PatientInput(mrn, "Gate", "Test", "1950-02-03", "F"), allow_duplicate=True
    )


def _audit_count(ctx) -> int:
    with ctx.db.read() as s:
        return int(s.scalar(select(func.count()).select_from(AuditEvent)))


# -- 1. the actor ----------------------------------------------------------------------
def test_an_unknown_actor_is_refused_and_nothing_written(ctx):
    ghost = Actor(999, "Ghost (ghost)", "admin")
    before = _audit_count(ctx)
    with pytest.raises(PermissionDenied, match="not a staff user of this practice"):
        _patient(ctx, ghost)
    assert ctx.patients.count() == 0 and _audit_count(ctx) == before


def test_an_inactive_actor_is_refused(ctx, front):
    with ctx.db.write() as s:
        s.execute(update(StaffUser).where(StaffUser.id == front.staff_id).values(active=False))
    with pytest.raises(PermissionDenied, match="no longer an active user"):
        _patient(ctx, front)
    assert ctx.patients.count() == 0


def test_the_role_is_read_from_the_database_not_from_the_actor(ctx, front):
    forged = Actor(front.staff_id, front.label, "provider")  # claims a role it does not have
    pid = _patient(ctx, front)
    with pytest.raises(PermissionDenied, match=r"Lee Frontdesk \(front desk\) may not record"):
        ctx.patients.add_condition(forged, pid, "I10")


def test_the_application_itself_may_only_set_up(ctx):
    with pytest.raises(PermissionDenied, match="A staff member must add patients"):
        _patient(ctx, Actor.system("a script"))


# -- 2. the permission table ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("username", "allowed"),
    [("front", False), ("admin", False), ("nurse.kim", True), ("dr.example", True)],
)
def test_only_clinical_roles_record_time(ctx, clinician, username, allowed):
    pid = _patient(ctx, clinician)
    actor = ctx.practice.actor_for(username)
    nurse = ctx.practice.actor_for("nurse.kim")
    entry = TimeInput(pid, nurse.staff_id, NOV, 20, "call_patient")
    if allowed:
        assert ctx.time.add(actor, entry)
    else:
        with pytest.raises(PermissionDenied, match="may not record or change care-management"):
            ctx.time.add(actor, entry)
        assert ctx.time.entries(pid) == []


def test_front_desk_edits_demographics_and_enrolls_but_no_clinical_work(ctx, front):
    table = ctx.gate.table
    assert table.allows(Role.FRONT_DESK, Permission.PATIENT_EDIT)
    assert table.allows(Role.FRONT_DESK, Permission.ENROLLMENT_EDIT)
    assert table.allows(Role.FRONT_DESK, Permission.IMPORT_PATIENTS)
    for action in (Permission.TIME_EDIT, Permission.CAREPLAN_EDIT, Permission.CLINICAL_READ):
        assert not table.allows(Role.FRONT_DESK, action)


def test_billing_reads_clinical_data_and_closes_months_but_edits_nothing_clinical(ctx):
    table = ctx.gate.table
    assert table.allows(Role.BILLING, Permission.CLINICAL_READ)
    assert table.allows(Role.BILLING, Permission.PERIOD_CLOSE)
    assert table.allows(Role.BILLING, Permission.IMPORT_TIME)
    edits = (Permission.TIME_EDIT, Permission.CAREPLAN_EDIT, Permission.CONDITION_EDIT)
    assert not any(table.allows(Role.BILLING, a) for a in edits)


def test_admin_has_staff_settings_backups_and_every_import(ctx):
    table = ctx.gate.table
    admin_only = {
        Permission.STAFF_EDIT,
        Permission.SETTINGS_EDIT,
        Permission.BACKUP_CREATE,
        Permission.BACKUP_RESTORE,
    }
    for action in admin_only:
        assert table.allowed_roles(action) == ["admin"]
    assert {Permission.IMPORT_PATIENTS, Permission.IMPORT_TIME} <= table.actions_for("admin")
    assert Permission.TIME_EDIT not in table.actions_for("admin")


def test_the_table_is_data_and_a_broken_file_is_refused_by_name(tmp_path):
    text = (resources_dir() / "permissions.toml").read_text()
    broken = tmp_path / "permissions.toml"
    broken.write_text(text.replace('roles = ["admin"]', 'roles = ["janitor"]', 1))
    with pytest.raises(PermissionFileError, match="unknown roles"):
        PermissionTable.load(broken)
    missing = tmp_path / "short.toml"
    missing.write_text(text.split('[actions."demo.generate"]')[0])
    with pytest.raises(PermissionFileError, match=r"no entry for demo\.generate"):
        PermissionTable.load(missing)


# -- 3. the period -----------------------------------------------------------------------
def test_a_closed_month_refuses_new_time_edits_and_voids(ctx, clinician, nurse):
    pid = _patient(ctx, clinician)
    eid = ctx.time.add(nurse, TimeInput(pid, nurse.staff_id, NOV, 20, "call_patient"))
    october = ctx.time.add(
        nurse, TimeInput(pid, nurse.staff_id, datetime(2026, 10, 5, 15, tzinfo=UTC), 5, "other")
    )
    billing = Actor(None, "nobody", "billing")
    with pytest.raises(PermissionDenied):
        ctx.periods.close(billing, 2026, 11)  # not a person
    with pytest.raises(PermissionDenied, match="may not close or reopen a month"):
        ctx.periods.close(nurse, 2026, 11)
    _make_billing_user(ctx)
    biller = ctx.practice.actor_for("bill.ing")
    ctx.periods.close(biller, 2026, 11)
    assert ctx.periods.closed() == [(2026, 11)]
    later = TimeInput(pid, nurse.staff_id, datetime(2026, 11, 11, 15, tzinfo=UTC), 5, "other")
    with pytest.raises(PeriodClosed, match="November 2026 is closed for billing"):
        ctx.time.add(nurse, later)
    with pytest.raises(PeriodClosed):
        ctx.time.edit(nurse, eid, "more", TimeEdit(minutes=25))
    with pytest.raises(PeriodClosed):
        ctx.time.void(nurse, eid, "wrong")
    with pytest.raises(PeriodClosed):  # moving an open month's entry into the closed one
        ctx.time.edit(nurse, october, "typo in the date", TimeEdit(started_at=NOV))
    assert ctx.time.month_minutes(2026, 11) == {pid: 20}
    ctx.periods.reopen(biller, 2026, 11, "late entry found")
    ctx.time.add(nurse, later)
    assert ctx.time.month_minutes(2026, 11) == {pid: 25}


def test_an_import_into_a_closed_month_writes_nothing(ctx, admin, tmp_path):
    _make_billing_user(ctx)
    ctx.periods.close(ctx.practice.actor_for("bill.ing"), 2024, 6)
    row = patient_row(1, program="ccm", consent_date="2024-06-01")
    with pytest.raises(PeriodClosed, match="June 2024"):
        import_patients(ctx, write_csv(tmp_path / "p.csv", PATIENT_COLUMNS, [row]), admin)
    assert ctx.patients.count() == 0


def _make_billing_user(ctx) -> None:
    with ctx.db.write() as s:
        s.add(StaffUser(username="bill.ing", name="Bo Billing", role="billing"))


# -- 4. change and audit together; typed edits -------------------------------------------------
def test_a_write_without_its_audit_event_is_rolled_back(ctx, clinician):
    with pytest.raises(RuntimeError, match="without an audit event"):
        with ctx.gate.write(clinician, Permission.PATIENT_EDIT) as w:
            w.session.add(
                Patient(mrn="X1", last_name="No", first_name="Trace", dob=date(1950, 1, 1), sex="F")
            )
    assert ctx.patients.count() == 0


def test_a_time_entry_cannot_be_moved_to_another_patient_or_person(ctx, clinician, nurse):
    a, b = _patient(ctx, clinician, "A1"), _patient(ctx, clinician, "B1")
    eid = ctx.time.add(nurse, TimeInput(a, nurse.staff_id, NOV, 20, "call_patient"))
    with pytest.raises(TypeError):
        ctx.time.edit(nurse, eid, "moved", patient_id=b)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        TimeEdit(staff_id=clinician.staff_id)  # type: ignore[call-arg]
    with ctx.db.read() as s:
        entry = s.get(TimeEntry, eid)
        assert (entry.patient_id, entry.staff_id) == (a, nurse.staff_id)


def test_enumerated_values_are_checked_with_the_field_named(ctx, clinician, nurse):
    pid = _patient(ctx, clinician)
    cid = ctx.patients.add_condition(clinician, pid, "I10")
    with pytest.raises(ValidationError) as exc:
        ctx.patients.set_condition_status(clinician, cid, "cured")
    assert exc.value.field == "status" and "active, resolved, inactive" in exc.value.text
    with pytest.raises(ValidationError) as exc:
        ctx.time.add(nurse, TimeInput(pid, nurse.staff_id, NOV, 20, "gossip"))
    assert exc.value.field == "activity"
    eid = ctx.time.add(nurse, TimeInput(pid, nurse.staff_id, NOV, 20, "call_patient"))
    with pytest.raises(ValidationError) as exc:
        ctx.time.edit(nurse, eid, "x", TimeEdit(activity="nap"))
    assert exc.value.field == "activity"


def test_time_of_staff_whose_minutes_do_not_count_is_refused(ctx, clinician, nurse, front):
    pid = _patient(ctx, clinician)
    with pytest.raises(ValidationError, match=r"Lee Frontdesk \(front desk\) is not clinical"):
        ctx.time.add(nurse, TimeInput(pid, front.staff_id, NOV, 20, "call_patient"))


# -- typed database errors ------------------------------------------------------------------
def test_a_busy_database_reaches_the_caller_as_a_typed_error(ctx, clinician, practice_paths):
    key = ctx.db._key
    impatient = Database(practice_paths.database, key, busy_ms=200)
    gate = Gate(impatient, Clock(lambda: NOV))
    other = sqlcipher3.connect(str(practice_paths.database), isolation_level=None)
    other.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    other.execute("BEGIN IMMEDIATE")  # another program holds the write lock
    try:
        with pytest.raises(DatabaseBusy, match="busy with another save"):
            with gate.write(clinician, Permission.PATIENT_EDIT):
                pass
    finally:
        other.execute("ROLLBACK")
        other.close()
        impatient.close()


def test_a_duplicate_reaches_the_caller_as_a_conflict_without_values(ctx, clinician):
    _patient(ctx, clinician, "D1")
    with pytest.raises(WriteConflict) as exc:
        with ctx.gate.write(clinician, Permission.PATIENT_EDIT) as w:
            w.session.add(
                Patient(
                    mrn="D1", last_name="Secret", first_name="Name", dob=date(1950, 1, 1), sex="F"
                )
            )
            w.session.flush()
    assert "patient.mrn" in str(exc.value) and "Secret" not in str(exc.value)


# -- imports check before they write ---------------------------------------------------------
def test_an_import_checks_its_rows_without_holding_the_write_lock(ctx, admin, tmp_path):
    rows = [patient_row(i) for i in range(1, 1201)]
    f = write_csv(tmp_path / "p.csv", PATIENT_COLUMNS, rows)
    free_during_check: list[bool] = []
    key = ctx.db._key

    def probe(done: int, total: int) -> None:
        if 0 < done <= total // 2 and not free_during_check:  # still checking rows
            raw = sqlcipher3.connect(str(ctx.paths.database), isolation_level=None, timeout=0.1)
            raw.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
            try:
                raw.execute("BEGIN IMMEDIATE")
                raw.execute("ROLLBACK")
                free_during_check.append(True)
            except sqlcipher3.OperationalError:
                free_during_check.append(False)
            finally:
                raw.close()

    report = import_patients(ctx, f, admin, progress=probe)
    assert report.written and report.created == 1200
    assert free_during_check == [True]


def test_a_patient_changed_between_check_and_write_stops_the_import(
    ctx, admin, clinician, tmp_path
):
    f = write_csv(tmp_path / "p.csv", PATIENT_COLUMNS, [patient_row(1)])
    import_patients(ctx, f, admin)
    changed = write_csv(tmp_path / "q.csv", PATIENT_COLUMNS, [patient_row(1, phone="555-777-1234")])
    pid = ctx.patients.find_by_mrn("T000001").id

    def meddle(done: int, total: int) -> None:
        if done == 1:  # after the check of the only row, before the write
            detail = ctx.patients.get(pid)
            data = detail.data
            data.city = "Elsewhere"
            ctx.patients.update(clinician, pid, data, detail.version)

    with pytest.raises(WriteConflict, match="changed while the file was being checked"):
        import_patients(ctx, changed, admin, progress=meddle)
    assert ctx.patients.get(pid).data.phone != "5557771234"


def test_no_module_but_the_gate_opens_a_write_session():
    root = Path(__file__).resolve().parent.parent / "ccm_desktop"
    offenders = [
        str(p.relative_to(root))
        for p in root.rglob("*.py")
        if "db.write()" in p.read_text(encoding="utf-8")
        and p.name != "gate.py"
        and "migrations" not in p.parts
    ]
    assert offenders == []
