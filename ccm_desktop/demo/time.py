"""Synthetic care-management time for demo patients: a realistic monthly spread.

Per enrolled patient and calendar month (in the practice's time zone) a target is
drawn by program: CCM mostly 20-39 minutes with some months under 20 and some 40-60+,
complex CCM 60-90+, PCM around 30-60, APCM light. The current month is the target
scaled to the part already past and to the patient's pace (:data:`PACES`: not reached
yet, behind, on track, ahead), so a mid-month worklist has patients at 0, short of
20, just over it, at 40+, and complex CCM near 60.
Entries lie on weekdays in working hours and every entry ends before "now". One staff
member's entries never overlap (a minute is counted once, services/timing.py): each
staff member has a busy map per month (:class:`Month`), and an entry takes the first
free run of slots at or after the start drawn for it; when the patient's clinician has
no room that month, a colleague covers it, and when nobody has room the piece is left
out (a team at capacity).
"""

from __future__ import annotations

import random
from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import accumulate
from zoneinfo import ZoneInfo

from ccm_desktop.demo.data import ACTIVITY_WEIGHTS, CONTACT_CHANCE, NOTES
from ccm_desktop.demo.people import PatientPlan, Row, World
from ccm_desktop.services.base import end_of_month

SLOT_MINUTES = 5
DAY_START, DAY_END = time(8), time(17)
MAX_PIECE = 45  # the longest single entry; slots end this long before now
VOID_REASONS = ("Entered on the wrong patient.", "Duplicate entry.")

# (weight, low, high) minutes per month
TARGETS: dict[str, tuple[tuple[float, int, int], ...]] = {
    "ccm": ((18, 6, 19), (52, 20, 39), (22, 40, 59), (8, 60, 75)),
    "complex_ccm": ((12, 35, 59), (50, 60, 89), (38, 90, 135)),
    "pcm": ((25, 10, 29), (55, 30, 59), (20, 60, 80)),
    "apcm": ((30, 0, 0), (50, 5, 20), (20, 20, 40)),
}

# The current month's pace: (weight, low, high) factor on target x share of month passed.
PACES = ((12, 0.0, 0.0), (25, 0.2, 0.6), (43, 0.8, 1.25), (20, 1.3, 1.9))


@dataclass(frozen=True)
class Month:
    """One calendar month of the window with its candidate start instants (sorted, UTC).

    ``free`` is the busy map of a staff member with nothing logged: one byte per slot
    (0 free), with a 1 between days, so a run of free bytes never crosses a day's end;
    ``at`` gives each slot's position in it, ``slot_at`` each position's slot (-1 between
    days).
    """

    first: date
    last: date
    slots: list[datetime]
    full: int  # slots in the whole month, had it all passed
    at: list[int] = field(default_factory=list)
    slot_at: list[int] = field(default_factory=list)
    free: bytes = b""


def _busy_map(slots: list[datetime], tz: ZoneInfo) -> tuple[list[int], list[int], bytes]:
    """(``at``, ``slot_at``, ``free``) of :class:`Month` for these slots."""
    at: list[int] = []
    slot_at: list[int] = []
    free = bytearray()
    day: date | None = None
    for i, u in enumerate(slots):
        d = u.astimezone(tz).date()
        if day is not None and d != day:
            free.append(1)
            slot_at.append(-1)
        day = d
        at.append(len(free))
        slot_at.append(i)
        free.append(0)
    return at, slot_at, bytes(free)


def month_slots(world: World) -> list[Month]:
    """Every month from ``window_start`` to today, with weekday working-hour slots."""
    latest = world.now - timedelta(minutes=MAX_PIECE + 5)
    months: list[Month] = []
    first = world.window_start
    while first <= world.today:
        last = end_of_month(first)
        slots: list[datetime] = []
        full = 0
        d = first
        while d <= last:
            if d.weekday() < 5:
                t = datetime.combine(d, DAY_START, tzinfo=world.tz)
                stop = datetime.combine(d, DAY_END, tzinfo=world.tz)
                while t < stop:
                    full += 1
                    u = t.astimezone(UTC)
                    if u <= latest:
                        slots.append(u)
                    t += timedelta(minutes=SLOT_MINUTES)
            d += timedelta(days=1)
        months.append(Month(first, last, slots, full, *_busy_map(slots, world.tz)))
        first = last + timedelta(days=1)
    return months


class TimeMaker:
    """Adds time entries (and a few voided ones with their revision) to patient plans."""

    def __init__(self, rng: random.Random, world: World) -> None:
        self.rng = rng
        self.w = world
        self.months = month_slots(world)
        self.activities = [a for a, _ in ACTIVITY_WEIGHTS]
        self.cum = list(accumulate(wt for _, wt in ACTIVITY_WEIGHTS))
        self.busy: dict[tuple[int, int], bytearray] = {}  # (staff, month index) -> map
        self.left_out = 0  # minutes no one had room for (:meth:`_place`)

    def _local_start(self, d: date) -> datetime:
        return datetime.combine(d, time(0), tzinfo=self.w.tz).astimezone(UTC)

    def fill(self, plan: PatientPlan) -> None:
        """Generate the time of every enrollment span of ``plan`` inside the window."""
        for enr in plan.enrollments:
            if enr.work_from is None or enr.work_to is None:
                continue
            program = str(enr.row["program"])
            provider_user = self.w.provider_users.get(enr.row["billing_provider_id"])
            lo_day = max(enr.work_from, self.w.window_start)
            for n, m in enumerate(self.months):
                current = m is self.months[-1]
                if m.last < lo_day or m.first > enr.work_to or not m.slots:
                    continue
                lo = bisect_left(m.slots, self._local_start(max(lo_day, m.first)))
                hi = bisect_left(
                    m.slots, self._local_start(min(enr.work_to, m.last) + timedelta(1))
                )
                if hi <= lo:
                    continue
                share = (hi - lo) / max(1, m.full)
                minutes = self._target(program, share, current)
                self._month(plan, program, provider_user, n, lo, hi, minutes)

    def _target(self, program: str, share: float, current: bool) -> int:
        """The minutes of one patient's month; ``share``: the part of it in the window
        and enrolled; ``current``: the month under way."""
        rng = self.rng
        bands = TARGETS[program]
        _, lo, hi = rng.choices(bands, [b[0] for b in bands])[0]
        minutes = rng.randint(lo, hi)
        if current:
            _, slow, fast = rng.choices(PACES, [p[0] for p in PACES])[0]
            return int(minutes * min(1.0, share * rng.uniform(slow, fast)))
        if share < 0.97:  # a partial month: enrolled mid-month
            minutes = int(minutes * min(1.0, share * rng.uniform(0.8, 1.6)))
        return minutes

    def _pieces(self, total: int) -> list[int]:
        rng = self.rng
        out: list[int] = []
        left = total
        while left > 0:
            m = min(left, int(rng.triangular(3, MAX_PIECE, 10)))
            if left - m < 3:
                m = left
            out.append(m)
            left -= m
        return out

    def _month(
        self,
        plan: PatientPlan,
        program: str,
        provider_user: int | None,
        month: int,
        lo: int,
        hi: int,
        minutes: int,
    ) -> None:
        rng = self.rng
        unreachable = rng.random() < 0.04
        pieces = [] if unreachable else self._pieces(minutes)
        attempts = rng.randint(1, 3) if unreachable else int(rng.random() < 0.25)
        kinds = ["work"] * len(pieces) + ["voicemail"] * attempts
        pieces += [rng.randint(1, 3) for _ in range(attempts)]
        k = min(len(pieces), hi - lo)
        if k == 0:
            return
        order = rng.sample(range(k), k)  # voicemails fall anywhere in the month
        starts = sorted(rng.sample(range(lo, hi), k))
        provider_share = 0.3 if program == "pcm" else 0.12
        for i, wanted in zip(order, starts, strict=True):
            minutes = pieces[i]
            if kinds[i] == "voicemail":
                activity, contact = "call_patient", False
                note = rng.choice(NOTES["voicemail"])
            else:
                activity = rng.choices(self.activities, cum_weights=self.cum)[0]
                contact = rng.random() < CONTACT_CHANCE.get(activity, 0.0)
                note = rng.choice(NOTES[activity])
            r = rng.random()
            staff = plan.clinician
            if provider_user is not None and (r < provider_share or not staff):
                staff = provider_user
            elif r > 0.92 and len(self.w.care_staff) > 1:
                staff = rng.choice(self.w.care_staff)
            placed = self._place(staff, month, lo, hi, wanted, minutes)
            if placed is None:
                continue
            staff, started = placed
            manual = rng.random() < 0.15
            ended = started + timedelta(minutes=minutes)
            created = ended + timedelta(minutes=rng.randint(5, 240)) if manual else ended
            row: Row = {
                "staff_id": staff,
                "started_at": started,
                "minutes": minutes,
                "activity": activity,
                "patient_contact": contact,
                "note": note,
                "source": "manual" if manual else "timer",
                "voided": False,
                "created_at": min(created, self.w.now),
            }
            plan.times.append(row)
            if rng.random() < 0.004:
                self._void(plan, row)

    def _place(
        self, staff: int, month: int, lo: int, hi: int, wanted: int, minutes: int
    ) -> tuple[int, datetime] | None:
        """(who, start) of ``minutes`` of work wanted at slot ``wanted`` of month ``month``,
        somewhere in its slots ``lo`` to ``hi`` (excluded): ``staff``'s first free run of
        slots long enough at or after ``wanted`` (then from ``lo``), or else the first
        colleague's (care staff in turn) with room; marked busy. None when nobody has room."""
        m = self.months[month]
        need = bytes(-(-minutes // SLOT_MINUTES))
        span = (m.at[lo], m.at[wanted], m.at[hi - 1] + 1)
        at = self._fit(staff, month, need, span)
        if at >= 0:
            return staff, m.slots[m.slot_at[at]]
        team = self.w.care_staff
        turn = wanted % len(team)
        for who in team[turn:] + team[:turn]:
            if who != staff and (at := self._fit(who, month, need, span)) >= 0:
                return who, m.slots[m.slot_at[at]]
        self.left_out += minutes
        return None

    def _fit(self, who: int, month: int, need: bytes, span: tuple[int, int, int]) -> int:
        """The position in ``who``'s busy map of ``month`` of the first free run as long as
        ``need`` in ``span`` (from, wanted, to) at or after wanted, else after from, marked
        busy; -1 when there is none."""
        busy = self.busy.get((who, month))
        if busy is None:
            busy = self.busy[who, month] = bytearray(self.months[month].free)
        a, want, b = span
        at = busy.find(need, want, b)
        if at < 0:
            at = busy.find(need, a, b)
        if at >= 0:
            busy[at : at + len(need)] = b"\x01" * len(need)
        return at

    def _void(self, plan: PatientPlan, row: Row) -> None:
        previous = {
            "started_at": row["started_at"].isoformat(),
            "minutes": row["minutes"],
            "activity": row["activity"],
            "patient_contact": row["patient_contact"],
            "note": row["note"],
            "voided": False,
        }
        row["voided"] = True
        changed = min(row["created_at"] + timedelta(hours=1), self.w.now)
        plan.revisions.append(
            (
                len(plan.times) - 1,
                {
                    "previous": previous,
                    "changed_by_id": row["staff_id"],
                    "changed_at": changed,
                    "reason": self.rng.choice(VOID_REASONS),
                },
            )
        )
