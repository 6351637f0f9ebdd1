"""One person's minutes never overlap (a minute is counted once: docs/medicare-rules.md),
and a hand entry crossing a month end becomes two (services/timing.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ccm_desktop.db.models import StaffUser
from ccm_desktop.errors import PeriodClosed, ValidationError
from ccm_desktop.services.patients import PatientInput
from ccm_desktop.services.timing import TimeEdit, TimeInput, overlapping
from tests.conftest import FIXED_NOW

EIGHT = FIXED_NOW - timedelta(hours=2)  # 8:00 EST on 11/16/2026 (the practice's zone)


@pytest.fixture
def pid(ctx, nurse) -> int:
    return ctx.patients.create(nurse, PatientInput("V1", "Vale", "Vera", "1949-07-08", "F"))


@pytest.fixture
def other_pid(ctx, nurse) -> int:
    return ctx.patients.create(nurse, PatientInput("V2", "Moss", "Milo", "1947-02-03", "M"))


def _add(ctx, actor, pid, start, minutes, staff_id=None) -> int:
    staff = actor.staff_id if staff_id is None else staff_id
    return ctx.time.add(actor, TimeInput(pid, staff, start, minutes, "call_patient"))


def test_an_overlapping_entry_is_refused_naming_the_other(ctx, nurse, pid, other_pid):
    _add(ctx, nurse, pid, EIGHT + timedelta(minutes=5), 20)  # 8:05-8:25
    with pytest.raises(ValidationError) as err:
        _add(ctx, nurse, other_pid, EIGHT + timedelta(minutes=20), 15)
    assert err.value.field == "start_time"
    assert err.value.text.startswith(
        "Kim Carewell already has time logged 8:05-8:25 AM on 11/16/2026 for another entry"
    )
    with pytest.raises(ValidationError, match="8:05-8:25 AM"):  # one inside the other
        _add(ctx, nurse, other_pid, EIGHT, 60)
    assert ctx.time.entries(other_pid) == []


def test_back_to_back_entries_are_fine(ctx, nurse, pid, other_pid):
    _add(ctx, nurse, pid, EIGHT, 20)
    _add(ctx, nurse, other_pid, EIGHT + timedelta(minutes=20), 10)  # starts as the first ends
    _add(ctx, nurse, other_pid, EIGHT - timedelta(minutes=15), 15)  # ends as the first starts
    assert len(ctx.time.entries(other_pid)) == 2


def test_other_people_and_voided_entries_never_clash(ctx, nurse, clinician, pid):
    eid = _add(ctx, nurse, pid, EIGHT, 30)
    _add(ctx, clinician, pid, EIGHT, 30)  # the doctor's own minutes, at the same time
    ctx.time.void(nurse, eid, "wrong patient")
    _add(ctx, nurse, pid, EIGHT + timedelta(minutes=10), 30)
    assert len(ctx.time.entries(pid)) == 3


def test_a_long_entry_long_before_is_still_found(ctx, nurse, pid):
    _add(ctx, nurse, pid, EIGHT - timedelta(hours=3), 240)  # 5:00-9:00
    with ctx.db.read() as s:
        found = overlapping(s, nurse.staff_id, EIGHT + timedelta(minutes=59), 1)
        assert found is not None and found.minutes == 240
        assert overlapping(s, nurse.staff_id, EIGHT + timedelta(hours=1), 5) is None


def test_an_edit_into_another_entry_is_refused(ctx, nurse, pid):
    first = _add(ctx, nurse, pid, EIGHT, 20)
    later = _add(ctx, nurse, pid, EIGHT + timedelta(minutes=30), 10)
    moved = TimeEdit(started_at=EIGHT + timedelta(minutes=15))
    with pytest.raises(ValidationError, match="8:00-8:20 AM on 11/16/2026"):
        ctx.time.edit(nurse, later, "wrong start", moved)
    with pytest.raises(ValidationError, match="8:30-8:40 AM on 11/16/2026"):
        ctx.time.edit(nurse, first, "longer", TimeEdit(minutes=35))
    # growing into its own old place, or up to the next entry, is fine
    ctx.time.edit(nurse, later, "earlier", TimeEdit(started_at=EIGHT + timedelta(minutes=20)))
    ctx.time.edit(nurse, first, "longer call", TimeEdit(minutes=20, note="called back"))
    ctx.time.edit(nurse, later, "longer", TimeEdit(minutes=15))
    assert sorted(r.minutes for r in ctx.time.entries(pid)) == [15, 20]


def test_an_edit_may_not_cross_a_month_end(ctx, nurse, pid):
    eid = _add(ctx, nurse, pid, datetime(2026, 11, 1, 3, 0, tzinfo=UTC), 30)  # 23:00 Oct 31
    with pytest.raises(ValidationError, match="past midnight at the end of the month"):
        ctx.time.edit(nurse, eid, "longer", TimeEdit(minutes=90))


def test_a_hand_entry_across_a_month_end_becomes_two(ctx, nurse, pid):
    start = datetime(2026, 11, 1, 3, 45, tzinfo=UTC)  # 23:45 EDT October 31
    ids = ctx.time.add_all(nurse, TimeInput(pid, nurse.staff_id, start, 25, "coordination"))
    assert len(ids) == 2
    assert ctx.time.month_minutes(2026, 10) == {pid: 15}
    assert ctx.time.month_minutes(2026, 11) == {pid: 10}
    first = ctx.time.add(
        nurse, TimeInput(pid, nurse.staff_id, start - timedelta(days=31), 30, "education")
    )  # 23:45 EDT September 30: add returns the id of the first of the two
    assert ctx.time.month_minutes(2026, 9) == {pid: 15}
    assert ctx.time.month_minutes(2026, 10) == {pid: 30}
    assert first in {r.id for r in ctx.time.entries(pid) if r.activity == "education"}


def test_a_closed_next_month_refuses_the_part_after_midnight(ctx, nurse, pid):
    with ctx.db.write() as s:
        s.add(StaffUser(username="bill.ing", name="Bo Billing", role="billing"))
    ctx.periods.close(ctx.practice.actor_for("bill.ing"), 2026, 10)
    start = datetime(2026, 11, 1, 3, 45, tzinfo=UTC)  # 23:45 EDT October 31
    with pytest.raises(PeriodClosed, match="October 2026"):
        ctx.time.add(nurse, TimeInput(pid, nurse.staff_id, start, 25, "coordination"))
    assert ctx.time.entries(pid) == []
