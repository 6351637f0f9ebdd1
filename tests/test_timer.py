"""The call timer in the core: start, pause, resume, stop, discard, confirm, who may time,
the month-end split of a stop, a closed month, and the audit trail (services/timer.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from ccm_desktop.app import AppContext, open_practice
from ccm_desktop.db.models import AuditEvent, Practice, RunningTimer, StaffUser, TimeEntry
from ccm_desktop.errors import (
    NotFound,
    PeriodClosed,
    PermissionDenied,
    RecordNotCurrent,
    ValidationError,
)
from ccm_desktop.events import Change
from ccm_desktop.paths import DataPaths
from ccm_desktop.security.audit import Actor, AuditRow, events_for
from ccm_desktop.services.base import Clock
from ccm_desktop.services.patients import PatientInput
from ccm_desktop.services.timer import StopInput, TimerRunning, TimerService
from ccm_desktop.services.timing import TimeInput
from ccm_desktop.vocab import ChangeKind
from tests.conftest import FIXED_NOW, PASSPHRASE


class MovingClock(Clock):
    """The practice's clock, moved by the test."""

    def __init__(self, at: datetime) -> None:
        self.at = at
        super().__init__(lambda: self.at)

    def move(self, **delta: float) -> datetime:
        self.at += timedelta(**delta)
        return self.at


@pytest.fixture
def clock() -> MovingClock:
    return MovingClock(FIXED_NOW)


@pytest.fixture
def tctx(practice_paths: DataPaths, clock: MovingClock) -> Iterator[AppContext]:
    c = open_practice(practice_paths, PASSPHRASE, clock=clock)
    yield c
    c.close()


@pytest.fixture
def kim(tctx: AppContext) -> Actor:
    return tctx.practice.actor_for("nurse.kim")


@pytest.fixture
def pid(tctx: AppContext, kim: Actor) -> int:
    return tctx.patients.create(kim, PatientInput("T100", "Doe", "Jane", "1950-01-02", "F"))


def _changes(ctx: AppContext) -> list[Change]:
    seen: list[Change] = []
    ctx.bus.subscribe(seen.append)
    return seen


def _events(ctx: AppContext, action: str) -> list[AuditRow]:
    """The audit events of ``action``, oldest first."""
    with ctx.db.read() as s:
        return [e for e in reversed(events_for(s, limit=10_000)) if e.action == action]


def _entries(ctx: AppContext, pid: int) -> list[tuple[datetime, int, str]]:
    return sorted((e.started_at, e.minutes, e.source) for e in ctx.time.entries(pid))


def _set_zone(ctx: AppContext, zone: str) -> None:
    with ctx.db.write() as s:  # the test's own set-up: no service changes the zone
        s.execute(update(Practice).values(timezone=zone))


def test_start_writes_the_running_row_at_once(tctx, kim, pid, clock):
    seen = _changes(tctx)
    t = tctx.timer.start(kim, pid, "call_patient")
    assert (t.staff_name, t.patient_name, t.mrn) == ("Kim Carewell", "Doe, Jane", "T100")
    assert t.started_at == t.heartbeat_at == clock.at and not t.paused
    # another service on the same database (a new run) sees it: it is in the database
    assert TimerService(tctx.db, tctx.bus, tctx.clock, tctx.gate).current(kim.staff_id) == t
    assert seen == [Change(ChangeKind.TIMER, frozenset({t.id}), frozenset({pid}))]
    (ev,) = _events(tctx, "timer.start")
    assert ev.patient_id == pid and ev.detail["activity"] == "call_patient"


def test_stop_saves_the_measured_whole_minutes_from_the_true_start(tctx, kim, pid, clock):
    start = clock.at
    tctx.timer.start(kim, pid, "call_patient")
    clock.move(minutes=14, seconds=59)
    assert tctx.timer.current(kim.staff_id).minutes(clock.at) == 14
    seen = _changes(tctx)
    ids = tctx.timer.stop(kim, StopInput("call_caregiver", True, " spoke with daughter "))
    (row,) = tctx.time.entries(pid)
    assert [row.id] == ids
    assert (row.started_at, row.minutes, row.source) == (start, 14, "timer")
    assert (row.activity, row.patient_contact, row.note) == (
        "call_caregiver",
        True,
        "spoke with daughter",
    )
    assert tctx.timer.current(kim.staff_id) is None
    assert Change(ChangeKind.TIME, frozenset(ids), frozenset({pid})) in seen
    (ev,) = _events(tctx, "timer.stop")
    assert ev.detail["measured_minutes"] == ev.detail["minutes"] == 14
    assert ev.detail["entries"] == ids and "reason" not in ev.detail
    assert [e.entity_id for e in _events(tctx, "time.add")] == ids


def test_pauses_do_not_count(tctx, kim, pid, clock):
    tctx.timer.start(kim, pid, "coordination")
    clock.move(minutes=5)
    p = tctx.timer.pause(kim)
    assert p.paused and p.minutes(clock.move(minutes=30)) == 5  # frozen while paused
    with pytest.raises(ValidationError, match="already paused"):
        tctx.timer.pause(kim)
    r = tctx.timer.resume(kim)
    assert not r.paused and r.paused_seconds == 30 * 60
    with pytest.raises(ValidationError, match="running, not paused"):
        tctx.timer.resume(kim)
    clock.move(minutes=7, seconds=30)
    assert r.minutes(clock.at) == 12
    tctx.timer.stop(kim, StopInput("coordination", False))
    assert [m for _, m, _ in _entries(tctx, pid)] == [12]
    assert len(_events(tctx, "timer.pause")) == len(_events(tctx, "timer.resume")) == 1


def test_stop_while_paused_ends_at_the_pause(tctx, kim, pid, clock):
    tctx.timer.start(kim, pid, "education")
    clock.move(minutes=9)
    tctx.timer.pause(kim)
    clock.move(minutes=50)
    tctx.timer.stop(kim, StopInput("education", True))
    assert [m for _, m, _ in _entries(tctx, pid)] == [9]


def test_a_second_start_is_refused_with_the_running_timer(tctx, kim, pid, clock):
    other = tctx.patients.create(kim, PatientInput("T200", "Roe", "Rick", "1948-05-06", "M"))
    first = tctx.timer.start(kim, pid, "call_patient")
    clock.move(minutes=3)
    with pytest.raises(TimerRunning) as err:
        tctx.timer.start(kim, other, "call_patient")
    assert err.value.timer == first
    assert "Kim Carewell already has a timer running for Doe, Jane (MRN T100)" in str(err.value)
    tctx.timer.pause(kim)
    with pytest.raises(TimerRunning, match="timer paused"):
        tctx.timer.start(kim, other, "call_patient")


def test_a_start_that_loses_the_race_to_the_unique_row_is_timer_running(
    tctx, kim, pid, monkeypatch
):
    """Two starts at once: the second passes the look-up before the first commits; the
    database's one-row-per-staff constraint refuses it and it becomes TimerRunning."""
    import ccm_desktop.services.timer as timer_module

    first = tctx.timer.start(kim, pid, "call_patient")
    looked = timer_module._row
    calls: list[int] = []

    def late_look(s, staff_id):  # the first look-up misses the row (the race window)
        calls.append(staff_id)
        return None if len(calls) == 1 else looked(s, staff_id)

    monkeypatch.setattr(timer_module, "_row", late_look)
    with pytest.raises(TimerRunning) as err:
        tctx.timer.start(kim, pid, "call_patient")
    assert err.value.timer.id == first.id
    assert len(_events(tctx, "timer.start")) == 1


def test_front_desk_and_admin_cannot_start_a_timer(tctx, kim, pid):
    for who in ("front", "admin"):
        actor = tctx.practice.actor_for(who)
        with pytest.raises(PermissionDenied, match="may not record or change care-management"):
            tctx.timer.start(actor, pid, "call_patient")
    with tctx.db.read() as s:
        assert s.scalar(select(RunningTimer.id)) is None


def test_a_provider_times_too_and_each_staff_member_has_their_own(tctx, kim, pid):
    dana = tctx.practice.actor_for("dr.example")
    a = tctx.timer.start(kim, pid, "call_patient")
    b = tctx.timer.start(dana, pid, "care_plan")
    assert a.id != b.id and tctx.timer.current(dana.staff_id).staff_name == "Dana Example"


def test_a_record_not_current_or_missing_cannot_be_timed(tctx, kim, pid):
    dana = tctx.practice.actor_for("dr.example")
    tctx.patients.mark_entered_in_error(dana, pid, "test record")
    with pytest.raises(RecordNotCurrent, match="entered in error"):
        tctx.timer.start(kim, pid, "call_patient")
    with pytest.raises(NotFound):
        tctx.timer.start(kim, 9999, "call_patient")
    with pytest.raises(ValidationError, match="activity"):
        tctx.timer.start(kim, pid, "lunch")


def test_less_than_a_minute_cannot_be_saved(tctx, kim, pid, clock):
    tctx.timer.start(kim, pid, "call_patient")
    clock.move(seconds=59)
    with pytest.raises(ValidationError, match="Less than a minute was timed"):
        tctx.timer.stop(kim, StopInput("call_patient", False))
    assert tctx.timer.current(kim.staff_id) is not None  # nothing lost


def test_changed_minutes_need_a_reason_and_keep_the_measured_value(tctx, kim, pid, clock):
    tctx.timer.start(kim, pid, "call_patient")
    clock.move(minutes=25)
    with pytest.raises(ValidationError, match="reason"):
        tctx.timer.stop(kim, StopInput("call_patient", True, minutes=20))
    with pytest.raises(ValidationError, match="would end in the future"):
        tctx.timer.stop(kim, StopInput("call_patient", True, minutes=26, reason="longer"))
    tctx.timer.stop(kim, StopInput("call_patient", True, minutes=20, reason="left it running"))
    assert [m for _, m, _ in _entries(tctx, pid)] == [20]
    (ev,) = _events(tctx, "timer.stop")
    assert ev.detail["measured_minutes"] == 25 and ev.detail["minutes"] == 20
    assert ev.detail["reason"] == "left it running"


def test_discard_needs_a_reason_and_keeps_the_minutes_in_the_audit(tctx, kim, pid, clock):
    tctx.timer.start(kim, pid, "call_patient")
    clock.move(minutes=4)
    with pytest.raises(ValidationError, match="reason"):
        tctx.timer.discard(kim, "  ")
    tctx.timer.discard(kim, "wrong patient")
    assert tctx.timer.current(kim.staff_id) is None and tctx.time.entries(pid) == []
    (ev,) = _events(tctx, "timer.discard")
    assert ev.detail["minutes_timed"] == 4 and ev.detail["reason"] == "wrong patient"
    with pytest.raises(NotFound):
        tctx.timer.discard(kim, "again")


def test_heartbeat_is_committed_without_audit_or_change(tctx, kim, pid, clock):
    t = tctx.timer.start(kim, pid, "call_patient")
    seen = _changes(tctx)
    with tctx.db.read() as s:
        audits = len(list(s.scalars(select(AuditEvent.id))))
    beat = clock.move(seconds=30)
    assert tctx.timer.heartbeat(kim) is True
    assert tctx.timer.current(kim.staff_id).heartbeat_at == beat > t.heartbeat_at
    with tctx.db.read() as s:
        assert len(list(s.scalars(select(AuditEvent.id)))) == audits
    assert seen == []
    tctx.timer.discard(kim, "done")
    assert tctx.timer.heartbeat(kim) is False


def test_a_long_timer_asks_whether_it_is_still_real(tctx, kim, pid, clock, admin):
    t = tctx.timer.start(kim, pid, "call_patient")
    assert tctx.timer.confirm_after_minutes() == 60
    assert not tctx.timer.needs_confirmation(t, clock.move(minutes=59))
    assert tctx.timer.needs_confirmation(t, clock.move(minutes=1))
    c = tctx.timer.confirm(kim)
    assert c.confirmed_at == clock.at and not tctx.timer.needs_confirmation(c, clock.at)
    assert tctx.timer.needs_confirmation(c, clock.move(minutes=60))
    assert not tctx.timer.needs_confirmation(tctx.timer.pause(kim), clock.at)
    assert len(_events(tctx, "timer.confirm")) == 1
    with pytest.raises(PermissionDenied):
        tctx.timer.set_confirm_after_minutes(kim, 30)
    tctx.timer.set_confirm_after_minutes(tctx.practice.actor_for("admin"), 30)
    assert tctx.timer.confirm_after_minutes() == 30
    (ev,) = _events(tctx, "setting.update")
    assert ev.detail == {"key": "timer.confirm_after_minutes", "before": None, "after": 30}


@pytest.fixture
def admin(tctx: AppContext) -> Actor:
    return tctx.practice.actor_for("admin")


def test_a_stop_across_new_year_is_split_at_midnight(tctx, kim, pid, clock):
    # America/New_York (the test practice): 23:50 EST on Dec 31 is 04:50 UTC on Jan 1.
    clock.at = datetime(2027, 1, 1, 4, 50, tzinfo=UTC)
    tctx.timer.start(kim, pid, "call_patient")
    clock.move(minutes=30)
    ids = tctx.timer.stop(kim, StopInput("call_patient", True))
    assert len(ids) == 2
    assert _entries(tctx, pid) == [
        (datetime(2027, 1, 1, 4, 50, tzinfo=UTC), 10, "timer"),
        (datetime(2027, 1, 1, 5, 0, tzinfo=UTC), 20, "timer"),
    ]
    assert tctx.time.month_minutes(2026, 12) == {pid: 10}
    assert tctx.time.month_minutes(2027, 1) == {pid: 20}
    assert sorted(e.entity_id for e in _events(tctx, "time.add")) == sorted(ids)


def test_a_stop_across_the_month_end_and_the_dst_change_of_nov_1_2026(tctx, kim, pid, clock):
    """US daylight saving time ended on Sunday November 1, 2026 at 2:00: a timer from
    23:40 EDT on October 31 to 01:20 EST (the second 1:20 of the night) runs 160 minutes,
    20 of them in October."""
    clock.at = datetime(2026, 11, 1, 3, 40, tzinfo=UTC)  # 23:40 EDT Oct 31
    tctx.timer.start(kim, pid, "care_plan")
    clock.at = datetime(2026, 11, 1, 6, 20, tzinfo=UTC)  # 01:20 EST Nov 1
    tctx.timer.stop(kim, StopInput("care_plan", False))
    assert tctx.time.month_minutes(2026, 10) == {pid: 20}
    assert tctx.time.month_minutes(2026, 11) == {pid: 140}


def test_a_paused_stop_across_a_month_end_shares_the_minutes_by_wall_clock(tctx, kim, pid, clock):
    """Where the pause fell is not kept: worked minutes are shared pro rata by the running
    wall-clock time before and after midnight (docs/architecture.md, "The call timer")."""
    clock.at = datetime(2027, 1, 1, 4, 40, tzinfo=UTC)  # 23:40 Dec 31
    tctx.timer.start(kim, pid, "call_patient")
    clock.move(minutes=10)
    tctx.timer.pause(kim)
    clock.move(minutes=20)  # 00:10 Jan 1
    tctx.timer.resume(kim)
    clock.move(minutes=10)  # 00:20: 40 min on the wall clock, 20 worked
    tctx.timer.stop(kim, StopInput("call_patient", True))
    assert [m for _, m, _ in _entries(tctx, pid)] == [10, 10]


def test_a_closed_month_refuses_the_stop_and_keeps_the_timer(tctx, kim, pid, clock):
    with tctx.db.write() as s:  # the test's own set-up: a billing person
        s.add(StaffUser(username="bill.ing", name="Bo Billing", role="billing"))
    clock.at = datetime(2026, 11, 1, 3, 40, tzinfo=UTC)  # 23:40 Oct 31: half in October
    tctx.timer.start(kim, pid, "call_patient")
    clock.move(minutes=30)
    tctx.periods.close(tctx.practice.actor_for("bill.ing"), 2026, 10)
    with pytest.raises(PeriodClosed, match="October 2026 is closed"):
        tctx.timer.stop(kim, StopInput("call_patient", True))
    assert tctx.timer.current(kim.staff_id) is not None and tctx.time.entries(pid) == []


def test_a_stop_overlapping_a_hand_entry_is_refused_by_name(tctx, kim, pid, clock):
    start = clock.at
    tctx.timer.start(kim, pid, "call_patient")
    clock.move(minutes=20)
    tctx.time.add(kim, TimeInput(pid, kim.staff_id, start + timedelta(minutes=5), 10, "other"))
    with pytest.raises(ValidationError) as err:
        tctx.timer.stop(kim, StopInput("call_patient", True))
    assert err.value.field == "start_time"
    assert err.value.text.startswith(
        "Kim Carewell already has time logged 10:05-10:15 AM on 11/16/2026 for another entry"
    )
    assert tctx.timer.current(kim.staff_id) is not None


def test_the_zone_of_the_practice_decides_the_split(tctx, kim, pid, clock):
    _set_zone(tctx, "America/Chicago")
    clock.at = datetime(2027, 1, 1, 5, 50, tzinfo=UTC)  # 23:50 CST Dec 31
    tctx.timer.start(kim, pid, "call_patient")
    clock.move(minutes=25)
    tctx.timer.stop(kim, StopInput("call_patient", True))
    assert tctx.time.month_minutes(2026, 12) == {pid: 10}
    assert tctx.time.month_minutes(2027, 1) == {pid: 15}
    with tctx.db.read() as s:
        assert len(list(s.scalars(select(TimeEntry.id)))) == 2
