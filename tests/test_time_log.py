"""The time log's reads (services/time_log.py): a month in the practice's zone, the
history of an entry with before and after, and who may be named on an entry."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from ccm_desktop.errors import NotFound, ValidationError
from ccm_desktop.services.patients import PatientInput
from ccm_desktop.services.time_log import check_not_future
from ccm_desktop.services.timing import TimeEdit, TimeInput
from tests.conftest import FIXED_NOW


@pytest.fixture
def pid(ctx, nurse) -> int:
    return ctx.patients.create(nurse, PatientInput("L1", "Lane", "Lou", "1944-04-04", "F"))


def _add(ctx, actor, pid, start, minutes, activity="call_patient") -> int:
    return ctx.time.add(actor, TimeInput(pid, actor.staff_id, start, minutes, activity))


def test_a_month_is_the_practices_month_newest_first(ctx, nurse, pid):
    # 11/01 03:30 UTC is still 10/31 in New York: October's, not November's
    october = _add(ctx, nurse, pid, datetime(2026, 11, 1, 3, 30, tzinfo=UTC), 10)
    first = _add(ctx, nurse, pid, datetime(2026, 11, 2, 15, tzinfo=UTC), 12)
    second = _add(ctx, nurse, pid, datetime(2026, 11, 9, 15, tzinfo=UTC), 8, "education")
    log = ctx.time_log.month(pid)  # the current month by default (FIXED_NOW: 11/16/2026)
    assert (log.year, log.month, log.today) == (2026, 11, date(2026, 11, 16))
    assert [e.id for e in log.entries] == [second, first]
    e = log.entries[0]
    assert (e.staff, e.credential, e.minutes, e.activity, e.source) == (
        "Kim Carewell",
        "RN",
        8,
        "education",
        "manual",
    )
    assert log.months == ((2026, 11), (2026, 10))
    assert [e.id for e in ctx.time_log.month(pid, 2026, 10).entries] == [october]
    empty = ctx.time_log.month(pid, 2026, 6)  # a month without entries is still offered
    assert empty.entries == () and (2026, 6) in empty.months


def test_history_shows_each_change_with_before_and_after(ctx, nurse, clinician, pid):
    start = FIXED_NOW - timedelta(hours=3)
    eid = _add(ctx, nurse, pid, start, 15)
    ctx.time.edit(nurse, eid, "typed 15, was 25", TimeEdit(minutes=25, note="called back"))
    ctx.time.void(clinician, eid, "entered twice")
    h = ctx.time_log.history(eid)
    assert h.added_by.startswith("Kim Carewell")
    assert [r.changed_by for r in h.revisions] == ["Kim Carewell", "Dana Example"]
    first, second = h.revisions
    assert first.reason == "typed 15, was 25"
    assert first.changed == ("minutes", "note")
    assert (first.before.minutes, first.after.minutes) == (15, 25)
    assert (first.before.note, first.after.note) == ("", "called back")
    assert second.changed == ("voided",)
    assert (second.before.voided, second.after.voided) == (False, True)
    assert h.now == second.after and h.now.started_at == start
    assert ctx.time_log.month(pid).entries[0].revisions == 2
    with pytest.raises(NotFound):
        ctx.time_log.history(eid + 100)


def test_only_staff_whose_minutes_count_can_be_named(ctx):
    names = [s.name for s in ctx.time_log.loggable_staff()]
    assert names == ["Dana Example", "Kim Carewell"]  # not the admin, not the front desk


def test_a_future_day_is_refused_in_words():
    check_not_future(date(2026, 11, 16), date(2026, 11, 16))
    with pytest.raises(ValidationError) as err:
        check_not_future(date(2026, 11, 17), date(2026, 11, 16))
    assert err.value.field == "date"
    assert "today is 11/16/2026" in err.value.text
