"""Which minutes count (services/time_counts.py): voided, staff whose time never counts,
before consent, outside an enrollment in effect; practitioner and staff minutes apart; the
set-based month totals agree with one patient's totals."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import update

from ccm_desktop.app import AppContext
from ccm_desktop.db.models import Consent, TimeEntry
from ccm_desktop.security.audit import Actor
from ccm_desktop.services.enrollment import ConsentInput
from ccm_desktop.services.patients import PatientInput
from ccm_desktop.services.time_counts import coverages, month_counts
from ccm_desktop.services.timing import TimeInput


def patient(ctx: AppContext, actor: Actor, mrn: str, last: str = "Okafor") -> int:
    pid = ctx.patients.create(
        actor,
        PatientInput(
            mrn,
            last,
            "Ada",
            "1948-03-01",
            "F",
            phone="5550101234",
            billing_provider_npi="1234567893",
            last_visit_date="2026-06-01",
        ),
        allow_duplicate=True,
    )
    for code in ("E11.9", "I10"):
        ctx.patients.add_condition(actor, pid, code)
    return pid


def enroll(ctx: AppContext, actor: Actor, pid: int, on: date, program: str = "ccm") -> int:
    consent = ConsentInput(on, "verbal", actor.staff_id, True, True, True, True, "Lee Frontdesk")
    return ctx.enrollment.enroll(actor, pid, program, consent)


def log(ctx: AppContext, actor: Actor, pid: int, at: datetime, minutes: int) -> int:
    return ctx.time.add(actor, TimeInput(pid, actor.staff_id, at, minutes, "call_patient", True))


def utc(*a: int) -> datetime:
    return datetime(*a, tzinfo=UTC)


def insert_entry(ctx: AppContext, pid: int, staff_id: int, at: datetime, minutes: int) -> int:
    """An entry the gate would refuse today (an old import by front desk, say)."""
    with ctx.db.write() as s:
        e = TimeEntry(
            patient_id=pid,
            staff_id=staff_id,
            started_at=at,
            minutes=minutes,
            activity="other",
            source="import",
        )
        s.add(e)
        s.flush()
        return e.id


def set_based(ctx: AppContext, year: int, month: int) -> dict[int, tuple[int, int, int, int]]:
    with ctx.db.read() as s:
        tz = ctx.time.practice_tz(s)
        got = month_counts(s, year, month, tz, coverages(s))
    return {
        pid: (c.counted, c.staff_minutes, c.practitioner_minutes, c.not_counted)
        for pid, c in got.items()
    }


def one_by_one(ctx: AppContext, pids: list[int], year: int, month: int) -> dict[int, tuple]:
    out = {}
    for pid in pids:
        t = ctx.totals.month_total(pid, year, month)
        if t.counted or t.not_counted:
            out[pid] = (t.counted, t.staff_minutes, t.practitioner_minutes, t.not_counted)
    return out


def test_staff_and_practitioner_minutes_count_apart(ctx, clinician, nurse):
    pid = patient(ctx, clinician, "A1")
    enroll(ctx, clinician, pid, date(2026, 11, 2))
    log(ctx, nurse, pid, utc(2026, 11, 3, 15), 12)
    log(ctx, clinician, pid, utc(2026, 11, 4, 15), 10)
    t = ctx.totals.month_total(pid, 2026, 11)
    assert (t.program, t.counted, t.staff_minutes, t.practitioner_minutes, t.not_counted) == (
        "ccm",
        22,
        12,
        10,
        0,
    )
    assert t.progress.words == "22 of 40 min this month: 18 more for 99439"
    assert all(
        st.counts and st.reason == "" for st in ctx.totals.entry_statuses(pid, 2026, 11).values()
    )


def test_before_consent_by_the_practice_local_date(ctx, clinician, nurse):
    pid = patient(ctx, clinician, "A2")
    # 03:30 UTC on Nov 10 is 10:30 PM on Nov 9 in New York: before a Nov 10 consent.
    early = log(ctx, nurse, pid, utc(2026, 11, 10, 3, 30), 15)
    on_day = log(ctx, nurse, pid, utc(2026, 11, 10, 5, 30), 9)
    enroll(ctx, clinician, pid, date(2026, 11, 10))
    st = ctx.totals.entry_statuses(pid, 2026, 11)
    assert (st[early].counts, st[early].reason) == (False, "before consent on 11/10/2026")
    assert (st[on_day].counts, st[on_day].reason) == (True, "")
    t = ctx.totals.month_total(pid, 2026, 11)
    assert (t.counted, t.not_counted) == (9, 15)


def test_not_enrolled_and_no_consent_recorded(ctx, clinician, nurse):
    alone = patient(ctx, clinician, "A3")
    e = log(ctx, nurse, alone, utc(2026, 11, 3, 15), 20)
    assert ctx.totals.entry_statuses(alone, 2026, 11)[e].reason == "not enrolled"
    t = ctx.totals.month_total(alone, 2026, 11)
    assert (t.program, t.counted, t.not_counted) == (None, 0, 20)
    assert t.progress.words == "0 min this month (not enrolled)"

    pid = patient(ctx, clinician, "A4")
    enroll(ctx, clinician, pid, date(2026, 11, 2))
    with ctx.db.write() as s:  # a consent later found to be a decline, say
        s.execute(update(Consent).where(Consent.patient_id == pid).values(consented=False))
    e = log(ctx, nurse, pid, utc(2026, 11, 3, 16), 20)
    assert ctx.totals.entry_statuses(pid, 2026, 11)[e].reason == "no consent recorded"
    assert ctx.totals.month_total(pid, 2026, 11).counted == 0


def test_after_a_disenrollment_took_effect(ctx, clinician, nurse):
    pid = patient(ctx, clinician, "A5")
    eid = enroll(ctx, clinician, pid, date(2026, 10, 1))
    october = log(ctx, nurse, pid, utc(2026, 10, 20, 15), 25)
    ctx.enrollment.disenroll(clinician, eid, "Moved away", date(2026, 10, 10))
    november = log(ctx, nurse, pid, utc(2026, 11, 3, 15), 5)
    assert ctx.totals.entry_statuses(pid, 2026, 10)[october].counts  # to the month's end
    st = ctx.totals.entry_statuses(pid, 2026, 11)[november]
    assert (st.counts, st.reason) == (False, "after the enrollment ended on 10/31/2026")
    t = ctx.totals.month_total(pid, 2026, 11)
    assert (t.program, t.counted, t.not_counted) == (None, 0, 5)
    assert ctx.totals.month_total(pid, 2026, 10).program == "ccm"


def test_a_death_ends_the_enrollment_that_day(ctx, clinician, nurse):
    pid = patient(ctx, clinician, "A6")
    eid = enroll(ctx, clinician, pid, date(2026, 11, 2))
    that_day = log(ctx, nurse, pid, utc(2026, 11, 5, 15), 10)
    after = log(ctx, nurse, pid, utc(2026, 11, 6, 15), 7)
    ctx.enrollment.disenroll(clinician, eid, "Died", date(2026, 11, 5), died=True)
    st = ctx.totals.entry_statuses(pid, 2026, 11)
    assert st[that_day].counts
    assert st[after].reason == "after the enrollment ended on 11/5/2026"
    t = ctx.totals.month_total(pid, 2026, 11)
    assert (t.program, t.counted, t.not_counted) == ("ccm", 10, 7)


def test_voided_and_front_desk_minutes_do_not_count(ctx, clinician, nurse, front):
    pid = patient(ctx, clinician, "A7")
    enroll(ctx, clinician, pid, date(2026, 11, 2))
    kept = log(ctx, nurse, pid, utc(2026, 11, 3, 15), 12)
    voided = log(ctx, nurse, pid, utc(2026, 11, 4, 15), 30)
    ctx.time.void(nurse, voided, "wrong patient")
    desk = insert_entry(ctx, pid, front.staff_id, utc(2026, 11, 5, 15), 8)
    st = ctx.totals.entry_statuses(pid, 2026, 11)
    assert st[kept].counts
    assert (st[voided].counts, st[voided].reason) == (False, "voided")
    assert st[desk].reason == "not clinical staff (Lee Frontdesk, front desk)"
    t = ctx.totals.month_total(pid, 2026, 11)
    assert (t.counted, t.staff_minutes, t.practitioner_minutes, t.not_counted) == (12, 12, 0, 8)


def test_time_is_kept_when_it_does_not_count(ctx, clinician, nurse):
    pid = patient(ctx, clinician, "A8")
    log(ctx, nurse, pid, utc(2026, 11, 3, 15), 12)
    enroll(ctx, clinician, pid, date(2026, 11, 10))
    assert [e.minutes for e in ctx.time.entries(pid)] == [12]
    assert ctx.totals.month_total(pid, 2026, 11).not_counted == 12


@pytest.mark.parametrize("month", [10, 11])
def test_set_based_totals_agree_with_one_patient_totals(ctx, clinician, nurse, front, month):
    pids = []
    for n, (consent, died) in enumerate(
        [
            (date(2026, 10, 1), None),
            (date(2026, 11, 10), None),
            (date(2026, 10, 5), date(2026, 11, 6)),
            (None, None),
            (date(2026, 11, 2), None),
        ]
    ):
        pid = patient(ctx, clinician, f"S{n}", last=f"Set{n}")
        pids.append(pid)
        for day in (2, 9, 12):
            log(ctx, nurse, pid, utc(2026, month, day, 13 + n), 7 + n)
        log(ctx, clinician, pid, utc(2026, month, day, 13 + n), 5)
        insert_entry(ctx, pid, front.staff_id, utc(2026, month, 13, 13 + n), 4)
        if consent is not None and consent <= date(2026, 11, 16):
            eid = enroll(ctx, clinician, pid, consent)
            if died:
                ctx.enrollment.disenroll(clinician, eid, "Died", died, died=True)
    expected = one_by_one(ctx, pids, 2026, month)
    assert set_based(ctx, 2026, month) == expected
    assert len(expected) == len(pids)
    assert any(c[0] and c[3] for c in expected.values())  # some count, some are kept apart
