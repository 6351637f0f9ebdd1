"""The worklist core (services/worklist.py): who is on it, the urgency order, flags in
words, filters and the counts, month boundaries in the practice's zone, days and working
days left, and one row read alone."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import update

from ccm_desktop.app import AppContext, open_practice
from ccm_desktop.db.models import Consent, Patient
from ccm_desktop.paths import DataPaths
from ccm_desktop.security.audit import Actor
from ccm_desktop.services.enrollment import ConsentInput
from ccm_desktop.services.patients import PatientInput
from ccm_desktop.services.timing import TimeInput
from ccm_desktop.services.worklist import WorklistFilter, days_word, working_days
from tests.conftest import FIXED_NOW, PASSPHRASE
from tests.test_timer import MovingClock


@pytest.fixture
def clock() -> MovingClock:
    return MovingClock(FIXED_NOW)  # Monday 16 November 2026, 10 AM in New York


@pytest.fixture
def wctx(practice_paths: DataPaths, clock: MovingClock) -> Iterator[AppContext]:
    c = open_practice(practice_paths, PASSPHRASE, clock=clock)
    yield c
    c.close()


@pytest.fixture
def dr(wctx: AppContext) -> Actor:
    return wctx.practice.actor_for("dr.example")


@pytest.fixture
def kim(wctx: AppContext) -> Actor:
    return wctx.practice.actor_for("nurse.kim")


class Practice:
    """Patients enrolled and timed through the services, one start hour per entry so
    that no one's minutes overlap."""

    def __init__(self, ctx: AppContext, dr: Actor, kim: Actor) -> None:
        self.ctx, self.dr, self.kim = ctx, dr, kim
        self.at = datetime(2026, 11, 2, 13, tzinfo=UTC)

    def patient(
        self,
        last: str,
        program: str | None = "ccm",
        consent: date = date(2026, 10, 1),
        care_manager: int | None = None,
        npi: str = "1234567893",
    ) -> int:
        pid = self.ctx.patients.create(
            self.dr,
            PatientInput(
                f"M-{last}",
                last,
                "Sam",
                "1946-05-05",
                "M",
                phone="5550101234",
                billing_provider_npi=npi,
                last_visit_date="2026-06-01",
                care_manager_id=care_manager,
            ),
        )
        for code in ("E11.9", "I10"):
            self.ctx.patients.add_condition(self.dr, pid, code)
        if program:
            c = ConsentInput(consent, "verbal", self.dr.staff_id, True, True, True, True, "W")
            self.ctx.enrollment.enroll(self.dr, pid, program, c)
        return pid

    def time(
        self, pid: int, minutes: int, at: datetime | None = None, contact: bool = True
    ) -> None:
        if at is None:
            self.at += timedelta(hours=1)
            at = self.at
        self.ctx.time.add(
            self.kim, TimeInput(pid, self.kim.staff_id, at, minutes, "call_patient", contact)
        )

    def plan(self, pid: int, established: date = date(2026, 10, 5)) -> None:
        self.ctx.careplans.add_kept_elsewhere(self.dr, pid, established)


@pytest.fixture
def practice(wctx: AppContext, dr: Actor, kim: Actor) -> Practice:
    return Practice(wctx, dr, kim)


def names(wl) -> list[str]:
    return [r.name.split(",")[0] for r in wl.rows]


def test_working_days_and_the_warning() -> None:
    assert working_days(date(2026, 11, 16), date(2026, 11, 30)) == 11
    assert working_days(date(2026, 11, 28), date(2026, 11, 29)) == 0  # a weekend
    assert working_days(date(2026, 12, 1), date(2026, 11, 30)) == 0
    assert days_word(6) == ""
    assert days_word(5) == "Only 5 working days are left this month."
    assert days_word(1) == "Only 1 working day is left this month."
    assert days_word(0) == "No working days are left this month."


def test_urgency_order(wctx, practice, clock):
    p = practice
    near = p.patient("Near")
    p.time(near, 18)
    p.patient("Zero")
    five = p.patient("Five")
    p.time(five, 5)
    addon = p.patient("Addon")
    p.time(addon, 25)
    done = p.patient("Done")
    p.time(done, 60)
    apcm = p.patient("Apcm", program="apcm")
    p.time(apcm, 10)
    cx = p.patient("Complex", program="complex_ccm")
    p.time(cx, 10)
    p.patient("Alpha")  # ties with Zero on 20 minutes needed: by name
    wl = wctx.worklist.worklist()
    assert (wl.year, wl.month) == (2026, 11)
    # 11 working days left: every code is within reach; first codes before add-ons, the
    # fewest minutes still needed first.
    assert names(wl) == ["Near", "Five", "Alpha", "Zero", "Complex", "Addon", "Done", "Apcm"]
    row = {r.name.split(",")[0]: r for r in wl.rows}
    assert (row["Near"].minutes, row["Near"].next_code, row["Near"].to_next) == (18, "99490", 2)
    assert (row["Addon"].next_code, row["Addon"].to_next) == ("99439", 15)
    assert (row["Done"].next_code, row["Done"].to_next) == (None, None)
    assert (row["Apcm"].next_code, row["Apcm"].to_next, row["Apcm"].program) == (None, None, "apcm")
    assert row["Complex"].to_next == 50
    assert {r.days_left for r in wl.rows} == {15}
    assert wl.warning == ""

    # The last day (a Monday, one working day): 50 more minutes for the complex patient's
    # 99487 is out of reach, so that row falls below the add-on one; 20 is one call.
    clock.at = datetime(2026, 11, 30, 15, tzinfo=UTC)
    wl = wctx.worklist.worklist()
    assert names(wl) == ["Near", "Five", "Alpha", "Zero", "Addon", "Complex", "Done", "Apcm"]
    assert wl.warning == "Only 1 working day is left this month."
    assert {r.days_left for r in wl.rows} == {1}
    assert next(r for r in wl.rows if r.name.startswith("Complex")).next_code == "99487"


def test_unreachable_code_sorts_below_reachable_add_on(wctx, practice, clock):
    p = practice
    cx = p.patient("Complex", program="complex_ccm")
    p.time(cx, 10)
    addon = p.patient("Addon")
    p.time(addon, 25)
    # 11 working days: a first code (50 more) before an add-on (15 more).
    assert names(wctx.worklist.worklist()) == ["Complex", "Addon"]
    clock.at = datetime(2026, 11, 27, 15, tzinfo=UTC)  # Friday: Fri + Mon left
    wl = wctx.worklist.worklist()
    assert wl.warning == "Only 2 working days are left this month."
    assert names(wl) == ["Addon", "Complex"]
    big = p.patient("Big", program="complex_ccm")
    p.time(big, 55)  # 5 more: within reach, and a first code
    assert names(wctx.worklist.worklist()) == ["Big", "Addon", "Complex"]


def test_flags_in_words_and_in_order(wctx, practice):
    p = practice
    fine = p.patient("Fine")
    p.time(fine, 5)
    p.plan(fine)
    quiet = p.patient("Quiet")
    p.time(quiet, 5, contact=False)  # work on the chart, nobody reached
    p.plan(quiet, date(2025, 11, 15))  # more than 12 months before 11/16/2026
    unconsented = p.patient("Unconsented")
    with wctx.db.write() as s:
        s.execute(update(Consent).where(Consent.patient_id == unconsented).values(consented=False))
    recent = p.patient("Recent")
    p.plan(recent, date(2025, 11, 16))  # exactly 12 months: not yet due
    p.time(recent, 3)
    flags = {r.name.split(",")[0]: r.flags for r in wctx.worklist.worklist().rows}
    assert flags["Fine"] == ()
    assert flags["Quiet"] == ("no contact this month", "care-plan review due")
    assert flags["Unconsented"] == ("no contact this month", "consent missing", "no care plan")
    assert flags["Recent"] == ()


def test_who_is_on_the_list(wctx, practice, dr, kim):
    p = practice
    p.patient("Enrolled")
    p.patient("Never", program=None)
    later = p.patient("Later", consent=date(2026, 11, 10))  # joined mid-month: on it
    gone = p.patient("Gone", consent=date(2026, 9, 1))
    eid = wctx.enrollment.history(gone)[0].id
    wctx.enrollment.disenroll(dr, eid, "Moved", date(2026, 9, 15))  # ended 9/30
    leaving = p.patient("Leaving")
    wctx.enrollment.disenroll(
        dr, wctx.enrollment.history(leaving)[0].id, "Moving", date(2026, 11, 3)
    )
    error = p.patient("Error")
    with wctx.db.write() as s:  # the service refuses it while enrolled: a record's status
        s.execute(update(Patient).where(Patient.id == error).values(record_status="merged"))
    assert names(wctx.worklist.worklist()) == ["Enrolled", "Later", "Leaving"]
    assert names(wctx.worklist.worklist(2026, 9)) == ["Gone"]  # the others began 10/1
    assert wctx.worklist.row(later, 2026, 11) is not None
    assert wctx.worklist.row(gone, 2026, 11) is None
    assert wctx.worklist.row(error, 2026, 11) is None


def test_filters_and_counts(wctx, practice, kim, dr):
    p = practice
    mine_short = p.patient("MineShort", care_manager=kim.staff_id)
    p.time(mine_short, 12)
    p.patient("MineZero", care_manager=kim.staff_id)
    mine_done = p.patient("MineDone", care_manager=kim.staff_id)
    p.time(mine_done, 20)
    mine_pcm = p.patient("MinePcm", program="pcm", care_manager=kim.staff_id, npi="1000000004")
    p.time(mine_pcm, 30, contact=False)
    p.patient("MineApcm", program="apcm", care_manager=kim.staff_id)
    other = p.patient("Other", care_manager=dr.staff_id)
    p.time(other, 25)
    p.patient("Nobody")

    everyone = wctx.worklist.worklist()
    assert (everyone.enrolled, everyone.reached, everyone.short, everyone.not_contacted) == (
        7,
        3,
        3,
        4,
    )
    mine = WorklistFilter(care_manager_id=kim.staff_id)
    wl = wctx.worklist.worklist(flt=mine)
    assert set(names(wl)) == {"MineShort", "MineZero", "MineDone", "MinePcm", "MineApcm"}
    assert (wl.enrolled, wl.reached, wl.short, wl.not_contacted) == (5, 2, 2, 3)
    assert {r.care_manager for r in wl.rows} == {"Kim Carewell"}

    def shown(**kw: str) -> set[str]:
        """The names a band or contact filter lists; the counts stay those of "mine"."""
        w = wctx.worklist.worklist(flt=WorklistFilter(care_manager_id=kim.staff_id, **kw))
        assert (w.enrolled, w.reached, w.short, w.not_contacted) == (5, 2, 2, 3)
        return set(names(w))

    # A count clicked lists exactly that many rows.
    assert shown(band="reached") == {"MineDone", "MinePcm"}  # wl.reached == 2
    assert shown(band="short") == {"MineShort", "MineZero"}  # wl.short == 2
    assert shown(band="none") == {"MineZero"}
    assert shown(contact="none_this_month") == {"MineZero", "MinePcm", "MineApcm"}
    assert shown(contact="over_14_days") == {"MineZero", "MinePcm", "MineApcm"}
    # Program and provider filters narrow the counts too.
    pcm = wctx.worklist.worklist(flt=WorklistFilter(kim.staff_id, program="pcm"))
    assert names(pcm) == ["MinePcm"]
    assert (pcm.enrolled, pcm.reached, pcm.short, pcm.not_contacted) == (1, 1, 0, 1)
    robin = pcm.rows[0].provider_id
    by_provider = wctx.worklist.worklist(flt=WorklistFilter(provider_id=robin))
    assert names(by_provider) == ["MinePcm"]
    assert by_provider.rows[0].provider == "Robin Sample, NP"
    assert by_provider.enrolled == 1


def test_over_14_days_counts_from_today(wctx, practice, clock):
    p = practice
    old = p.patient("Old")
    p.time(old, 5, at=datetime(2026, 11, 1, 15, tzinfo=UTC))  # 15 days before 11/16
    fresh = p.patient("Fresh")
    p.time(fresh, 5, at=datetime(2026, 11, 2, 15, tzinfo=UTC))  # 14 days: not over
    wl = wctx.worklist.worklist(flt=WorklistFilter(contact="over_14_days"))
    assert names(wl) == ["Old"]
    assert wl.rows[0].last_contact == date(2026, 11, 1)
    assert wl.rows[0].flags == ("no care plan",)


def test_month_boundaries_in_the_practice_zone(wctx, practice, clock):
    p = practice
    pid = p.patient("Zone", consent=date(2025, 12, 1))
    # New York: 03:59 UTC on Nov 1 is 11:59 PM on Oct 31 (EDT); 04:30 UTC is 12:30 AM on
    # Nov 1, the night the clocks go back.
    p.time(pid, 7, at=datetime(2026, 11, 1, 3, 40, tzinfo=UTC))
    p.time(pid, 11, at=datetime(2026, 11, 1, 4, 30, tzinfo=UTC))
    # New Year: 04:59 UTC on Jan 1 is 11:59 PM on Dec 31 (EST).
    p.time(pid, 9, at=datetime(2026, 1, 1, 4, 40, tzinfo=UTC))
    p.time(pid, 13, at=datetime(2026, 1, 1, 5, 10, tzinfo=UTC))
    assert wctx.worklist.row(pid, 2026, 10).minutes == 7
    assert wctx.worklist.row(pid, 2026, 11).minutes == 11
    dec = wctx.worklist.row(pid, 2025, 12)
    jan = wctx.worklist.row(pid, 2026, 1)
    assert (dec.minutes, jan.minutes) == (9, 13)
    assert dec.last_contact == date(2025, 12, 31)  # its local date, up to that month's end
    assert jan.last_contact == date(2026, 1, 1)
    assert wctx.worklist.row(pid, 2026, 11).last_contact == date(2026, 11, 1)


def test_past_month_has_no_days_left_and_no_next_code(wctx, practice):
    p = practice
    pid = p.patient("Past")
    p.time(pid, 12, at=datetime(2026, 10, 20, 15, tzinfo=UTC))
    oct_ = wctx.worklist.worklist(2026, 10)
    assert oct_.warning == ""
    r = oct_.rows[0]
    assert (r.minutes, r.days_left, r.next_code, r.to_next) == (12, 0, None, None)
    assert r.progress.words == "12 of 20 min this month: 8 more for 99490"
    assert (oct_.enrolled, oct_.short, oct_.reached) == (1, 1, 0)
    future = wctx.worklist.worklist(2026, 12)
    assert future.rows[0].days_left == 31 and future.rows[0].next_code == "99490"
    assert future.warning == ""


def test_row_matches_the_list_and_follows_new_time(wctx, practice):
    p = practice
    a = p.patient("Aa")
    p.time(a, 8)
    b = p.patient("Bb")
    p.time(b, 3)
    listed = {r.patient_id: r for r in wctx.worklist.worklist().rows}
    assert wctx.worklist.row(a, 2026, 11) == listed[a]
    assert wctx.worklist.row(b, 2026, 11) == listed[b]
    p.time(a, 12)
    r = wctx.worklist.row(a, 2026, 11)
    assert (r.minutes, r.next_code, r.to_next) == (20, "99439", 20)
    assert r.progress.words == "20 of 40 min this month: 20 more for 99439"
