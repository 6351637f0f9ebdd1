"""The patient record: everything the detail page shows, read in one session, equal to what
the services return one by one."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event

from ccm_desktop.app import AppContext
from ccm_desktop.errors import NotFound
from ccm_desktop.security.audit import Actor
from ccm_desktop.services.enrollment import ConsentInput
from ccm_desktop.services.patients import PatientInput
from ccm_desktop.services.timing import TimeInput

DANA_NPI = "1234567893"  # Dana Example, MD, in tests/data/practice.toml


@contextmanager
def checkouts(ctx: AppContext) -> Iterator[list[int]]:
    """Counts the connections taken from the pool inside the block (reads and writes share it)."""
    seen: list[int] = []

    def count(*_args: object) -> None:
        seen.append(1)

    event.listen(ctx.db.engine, "checkout", count)
    try:
        yield seen
    finally:
        event.remove(ctx.db.engine, "checkout", count)


@pytest.fixture
def patient(ctx: AppContext, clinician: Actor, nurse: Actor) -> int:
    """A synthetic patient with conditions, an enrollment ended later, a care plan, time."""
    kim = next(s for s in ctx.practice.staff() if s.username == "nurse.kim")
    pid = ctx.patients.create(
        clinician,
        PatientInput(
            "R100",
            "Record",
            "Rita",
            "1951-02-03",
            "F",
            billing_provider_npi=DANA_NPI,
            last_visit_date="2026-09-01",  # a visit within 12 months: CCM may start
        ),
    )
    ctx.patients.add_condition(clinician, pid, "E11.9")
    ctx.patients.add_condition(clinician, pid, "I10")
    consent = ConsentInput(date(2026, 11, 2), "written", kim.id, True, True, True, True)
    eid = ctx.enrollment.enroll(clinician, pid, "ccm", consent)
    ctx.careplans.add_kept_elsewhere(nurse, pid, date(2026, 11, 3))
    for hour, minutes in ((14, 12), (15, 9)):
        ctx.time.add(
            nurse,
            TimeInput(pid, kim.id, datetime(2026, 11, 10, hour, tzinfo=UTC), minutes, "education"),
        )
    extra = ctx.time.entries(pid)[0].id
    ctx.time.void(nurse, extra, "entered twice")
    ctx.enrollment.disenroll(clinician, eid, "Moving away", date(2026, 11, 12))
    return pid


def test_the_record_equals_what_the_services_return(ctx, patient):
    record = ctx.records.record(patient)
    assert record.detail == ctx.patients.get(patient)
    assert [c.code for c in record.detail.conditions] == ["E119", "I10"]  # stored undotted
    assert record.enrollments == ctx.enrollment.history(patient)
    assert len(record.enrollments[0].history) >= 2  # enrolled, then disenrolled
    assert record.current == record.enrollments[0]
    assert record.plans == ctx.careplans.revisions(patient) and len(record.plans) == 1
    assert record.audit == ctx.patients.audit_trail(patient)
    assert record.tz == ZoneInfo(ctx.practice.practice().timezone)
    assert record.today == ctx.clock.today(record.tz)
    assert record.providers == {
        p.id: p.name for p in ctx.practice.providers(active_only=False) if p.id
    }


def test_the_record_is_read_on_one_connection(ctx, patient):
    with checkouts(ctx) as seen:
        ctx.records.record(patient)
    assert len(seen) == 1
    with checkouts(ctx) as seen:  # the counter sees each service call's own session
        ctx.patients.get(patient)
        ctx.enrollment.history(patient)
    assert len(seen) == 2


def test_a_patient_with_nothing_yet(ctx, clinician):
    pid = ctx.patients.create(clinician, PatientInput("R101", "Empty", "Eve", "1960-06-07", "F"))
    record = ctx.records.record(pid)
    assert record.enrollments == [] and record.current is None
    assert record.plans == []
    assert [a.action for a in record.audit] == ["patient.create"]


def test_a_missing_patient_is_not_found(ctx):
    with pytest.raises(NotFound):
        ctx.records.record(999_999)
