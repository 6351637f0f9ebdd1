"""What the imports write, column by column: the bulk (Core) writer must store exactly
the rows the ORM writer stored before it (tests/data/import_golden.json was recorded
from the ORM writer of commit 11d48af with this same scenario), and a record that is not
current still takes no new rows."""

from __future__ import annotations

import gc
import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from ccm_desktop.app import AppContext
from ccm_desktop.db.bulk import insert_rows
from ccm_desktop.db.models import (
    AuditEvent,
    CarePlan,
    Condition,
    Consent,
    Enrollment,
    EnrollmentStatusEvent,
    Patient,
    TimeEntry,
    TimeEntryRevision,
)
from ccm_desktop.errors import RecordNotCurrent
from ccm_desktop.gate import Permission
from ccm_desktop.importers import ImportFileError, import_patients, import_time
from ccm_desktop.importers.patients import PATIENT_COLUMNS
from ccm_desktop.importers.time import TIME_COLUMNS
from ccm_desktop.security.audit import Actor
from tests.csvdata import patient_row, time_rows, write_csv

GOLDEN = Path(__file__).parent / "data" / "import_golden.json"
TABLES = (
    Patient,
    Condition,
    Enrollment,
    EnrollmentStatusEvent,
    Consent,
    CarePlan,
    TimeEntry,
    TimeEntryRevision,
    AuditEvent,
)
STAMPS = {"at", "created_at", "updated_at", "recorded_at", "changed_at"}


def dump(ctx: AppContext) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table an import writes, by id; a timestamp is checked to be set
    and then shown as "<set>" (it is the wall clock, not the practice's fixed clock)."""
    out: dict[str, list[dict[str, Any]]] = {}
    with ctx.db.read() as s:
        for model in TABLES:
            table = model.__table__
            rows = []
            for r in s.execute(select(table).order_by(table.c.id)).mappings():
                row: dict[str, Any] = {}
                for k, v in r.items():
                    if k in STAMPS:
                        assert isinstance(v, datetime), (table.name, k, v)
                        v = "<set>"
                    elif isinstance(v, date):
                        v = v.isoformat()
                    row[k] = v
                rows.append(row)
            out[table.name] = rows
    return out


def clinical(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """Time rows logged by the nurse and the provider (the admin's minutes do not count)."""
    return [{**r, "staff": "dr.example" if r["staff"] == "admin" else r["staff"]} for r in rows]


def outcome(report: Any) -> dict[str, Any]:
    return {
        "summary": report.summary(),
        "problems": [str(p) for p in report.problems],
        "warnings": [str(w) for w in report.warnings],
    }


def scenario(ctx: AppContext, admin: Actor, clinician: Actor, tmp: Path) -> dict[str, Any]:
    """New patients; then a file of updates, a reactivated condition, a program change, a
    transfer, a first enrollment, a later care plan, new and look-alike patients; then a
    file with only the required columns; then time: new entries, then revised ones."""
    steps: dict[str, Any] = {}
    first = [
        patient_row(0),
        patient_row(1, qmb="yes"),
        patient_row(2, program="pcm", conditions="E11.9"),
        patient_row(3, program="", consent_date="", consent_method="", care_plan_date=""),
        patient_row(4, care_plan_date=""),
        patient_row(5, billing_provider_npi="1000000004", mbi=""),
    ]
    f = write_csv(tmp / "a.csv", PATIENT_COLUMNS, first)
    steps["a"] = outcome(import_patients(ctx, f, admin))
    p1 = ctx.patients.find_by_mrn("T000001")
    retired = next(c for c in p1.conditions if c.display_code == "I50.9")
    ctx.patients.set_condition_status(clinician, retired.id, "resolved")
    second = [
        patient_row(0),  # unchanged
        patient_row(1, phone="555-777-1234", conditions="I50.9;E78.5;J44.9"),  # reactivates
        patient_row(2, program="ccm", conditions="E11.9;I10", consent_date="2024-05-01"),
        patient_row(3, consent_date="2024-03-01", care_plan_date="2024-03-02"),  # first enrollment
        patient_row(
            4, billing_provider_npi="1000000004", program="apcm", consent_date="2024-07-01"
        ),
        patient_row(5, billing_provider_npi="1000000004", mbi="", care_plan_date="2025-01-10"),
        patient_row(10, address="10 New Road"),
        patient_row(11, last_name="SAMPLE", first_name="Sam", dob=first[1]["dob"]),  # look-alike
        patient_row(12, conditions="", program="", consent_date="", consent_method=""),
    ]
    f = write_csv(tmp / "b.csv", PATIENT_COLUMNS, second)
    steps["b"] = outcome(import_patients(ctx, f, admin))
    (tmp / "c.csv").write_text(
        "mrn,last_name,first_name,dob,sex\nT000000,Example,Robin,1940-01-01,M\n"
        "t000012,Demo,Jo,1940-01-13,F\n",
        encoding="utf-8",
    )
    steps["c"] = outcome(import_patients(ctx, tmp / "c.csv", admin))
    entries = clinical(time_rows(45, 6))
    f = write_csv(tmp / "t.csv", TIME_COLUMNS, entries[:40])
    steps["t1"] = outcome(import_time(ctx, f, admin))
    for i in (0, 7, 33):
        entries[i] = {**entries[i], "minutes": "45", "note": "revised"}
    entries[12] = {**entries[12], "contact": "no" if entries[12]["contact"] == "yes" else "yes"}
    f = write_csv(tmp / "t2.csv", TIME_COLUMNS, entries)
    steps["t2"] = outcome(import_time(ctx, f, admin))
    return {"reports": steps, "tables": dump(ctx)}


def test_the_imports_write_exactly_what_the_orm_writer_wrote(ctx, admin, clinician, tmp_path):
    got = scenario(ctx, admin, clinician, tmp_path)
    want = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert got["reports"] == want["reports"]
    for name, rows in want["tables"].items():
        assert len(got["tables"][name]) == len(rows), name
        for mine, theirs in zip(got["tables"][name], rows, strict=True):
            assert mine == theirs, name


def test_conditions_for_a_record_entered_in_error_refuse_the_whole_import(
    ctx, admin, clinician, tmp_path
):
    unenrolled = patient_row(2, program="", consent_date="", consent_method="")
    f = write_csv(tmp_path / "a.csv", PATIENT_COLUMNS, [patient_row(1), unenrolled])
    assert import_patients(ctx, f, admin).written
    pid = ctx.patients.find_by_mrn("T000002").id
    ctx.patients.mark_entered_in_error(clinician, pid, "Added twice by mistake")
    before = dump(ctx)
    rows = [patient_row(3), patient_row(2, conditions="E11.9;I10;J44.9")]
    with pytest.raises(RecordNotCurrent, match=r"MRN T000002.*entered in error"):
        import_patients(ctx, write_csv(tmp_path / "b.csv", PATIENT_COLUMNS, rows), admin)
    assert dump(ctx) == before  # the new patient of row 2 was not written either


def test_a_bulk_insert_without_its_audit_event_is_refused_by_the_gate(ctx, admin, tmp_path):
    f = write_csv(tmp_path / "a.csv", PATIENT_COLUMNS, [patient_row(1)])
    assert import_patients(ctx, f, admin).written
    pid = ctx.patients.find_by_mrn("T000001").id
    nurse = ctx.practice.actor_for("nurse.kim")
    columns = ("patient_id", "staff_id", "started_at", "minutes", "activity", "source")
    row = (pid, nurse.staff_id, datetime(2024, 3, 1, 14, tzinfo=UTC), 20, "call_patient", "import")
    before = dump(ctx)
    with (
        pytest.raises(RuntimeError, match="without an audit event"),
        ctx.gate.write(admin, Permission.IMPORT_TIME) as w,
    ):
        assert insert_rows(w.session, TimeEntry.__table__, columns, [row]) == 1
    assert dump(ctx) == before


def test_automatic_garbage_collection_is_as_before_after_an_import(ctx, admin, tmp_path):
    """The imports pause automatic collection (importers/gcpause.py): on again afterwards,
    also after a failed import; left off where the window had turned it off."""
    f = write_csv(tmp_path / "a.csv", PATIENT_COLUMNS, [patient_row(1)])
    was = gc.isenabled()
    try:
        gc.enable()
        assert import_patients(ctx, f, admin).written and gc.isenabled()
        with pytest.raises(ImportFileError):
            import_time(ctx, tmp_path / "missing.csv", admin)
        assert gc.isenabled()
        gc.disable()
        import_patients(ctx, f, admin)
        assert not gc.isenabled()
    finally:
        if was:
            gc.enable()
        else:
            gc.disable()
