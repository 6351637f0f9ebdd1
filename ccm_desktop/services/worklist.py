"""The care manager's worklist: every enrolled patient of a month, most urgent first.

A row is a current patient record (record status active) with an enrollment in effect at
any time in the month (its program: the newest such enrollment's), with the minutes that
count this month (services/time_counts.py), the way to the next code (services/progress.py),
the days left, the last contact and flags in words. The whole month is read in a handful of
set-based queries (no query per patient); :meth:`WorklistService.row` reads one patient's
row the same way, for a timer stop. docs/architecture.md, "The worklist", explains the
order, the counts and the filters.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from ccm_desktop.db.models import CarePlan, Patient, Provider, StaffUser, TimeEntry
from ccm_desktop.services.base import Service, end_of_month, month_bounds
from ccm_desktop.services.careplans import ESTABLISHED
from ccm_desktop.services.progress import Progress, month_progress
from ccm_desktop.services.time_counts import Coverage, coverages, month_counts, month_sum
from ccm_desktop.vocab import RecordStatus

# A care manager can add about this many minutes for one patient per working day (one
# call): a code needing more than this times the working days left is out of reach.
REACHABLE_MINUTES_PER_WORKING_DAY = 20
WARN_WORKING_DAYS = 5  # "Only N working days are left this month." at N or fewer
CONTACT_STALE_DAYS = 14  # the "over_14_days" contact filter

FLAG_NO_CONTACT = "no contact this month"
FLAG_NO_CONSENT = "consent missing"
FLAG_NO_PLAN = "no care plan"
FLAG_PLAN_REVIEW = "care-plan review due"

BANDS = ("none", "short", "reached")
CONTACTS = ("none_this_month", "over_14_days")


def plan_reviews(conn: Connection, ids: Collection[int] | None) -> dict[int, date | None]:
    """Each patient's care plan for the worklist, in one query: the ``next_review`` of the
    newest revision that is a plan (complete or kept elsewhere; a draft is not), by
    patient id. A patient missing here has no care plan; ``ids`` limits the patients."""
    newest = select(CarePlan.patient_id, func.max(CarePlan.version).label("v")).where(
        CarePlan.status.in_(ESTABLISHED)
    )
    last = newest.group_by(CarePlan.patient_id)
    if ids is not None:
        last = last.where(CarePlan.patient_id.in_(list(ids)))
    newest_v = last.subquery()
    q = select(CarePlan.patient_id, CarePlan.next_review).join(
        newest_v,
        (newest_v.c.patient_id == CarePlan.patient_id) & (newest_v.c.v == CarePlan.version),
    )
    if ids is not None:  # SQLite would otherwise scan every revision for the join
        q = q.where(CarePlan.patient_id.in_(list(ids)))
    return {pid: due for pid, due in conn.execute(q)}


def review_due(next_review: date | None, today: date) -> bool:
    """Whether a plan due for review on ``next_review`` is overdue on ``today`` (the day
    itself is not yet overdue)."""
    return next_review is not None and next_review < today


def working_days(first: date, last: date) -> int:
    """Monday to Friday from ``first`` to ``last`` inclusive (0 when ``last`` is earlier)."""
    days = (last - first).days + 1
    if days <= 0:
        return 0
    weeks, extra = divmod(days, 7)
    return weeks * 5 + sum((first + timedelta(n)).weekday() < 5 for n in range(extra))


def days_word(n: int) -> str:
    """The warning for ``n`` working days left ("" when there are more than five)."""
    if n > WARN_WORKING_DAYS:
        return ""
    if n == 0:
        return "No working days are left this month."
    return f"Only {n} working day{' is' if n == 1 else 's are'} left this month."


@dataclass(frozen=True)
class WorklistRow:
    """One patient of the month. ``program``: the stored code ("ccm", "complex_ccm",
    "pcm", "apcm"); ``minutes``: minutes that count; ``next_code``/``to_next``: the next
    code still reachable this month and the minutes it needs (None when no further code
    can be reached: every code reached, a program not billed on minutes, or a month that
    is over); ``days_left``: calendar days left in the month counting today (0 for a past
    month); ``last_contact``: the local date of the latest entry with patient contact up
    to the month's end; ``flags``: in words, in a fixed order (:data:`FLAG_NO_CONTACT`,
    :data:`FLAG_NO_CONSENT`, :data:`FLAG_NO_PLAN`, :data:`FLAG_PLAN_REVIEW`; "follow-up
    due" will come from the hospital follow-ups of a later issue)."""

    patient_id: int
    mrn: str
    name: str
    phone: str
    program: str
    provider_id: int | None
    provider: str
    care_manager_id: int | None
    care_manager: str
    minutes: int
    next_code: str | None
    to_next: int | None
    days_left: int
    last_contact: date | None
    flags: tuple[str, ...]
    progress: Progress = field(compare=False, default=month_progress(None, 0))
    urgency: tuple[int, int] = field(compare=False, default=(9, 0))

    @property
    def contacted(self) -> bool:
        """Whether someone reached the patient (or caregiver) this month."""
        return FLAG_NO_CONTACT not in self.flags


@dataclass(frozen=True)
class WorklistFilter:
    """What to list. ``care_manager_id``: only that care manager's patients ("mine");
    ``band``: "none" (0 minutes), "short" (below the first threshold, 0 included) or
    "reached" (the first threshold reached), time-based programs only; ``contact``:
    "none_this_month" or "over_14_days" (no contact in the last 14 days, or never)."""

    care_manager_id: int | None = None
    program: str | None = None
    provider_id: int | None = None
    band: str | None = None
    contact: str | None = None


@dataclass(frozen=True)
class Worklist:
    """A month's rows in urgency order, the counts at the top and the working-days
    warning ("" or "Only 3 working days are left this month.").

    The counts are over the rows the care-manager, program and provider filters keep,
    before the band and contact filters: clicking a count sets that band or contact
    filter and lists exactly that many rows. ``reached``: time-based and the first
    threshold reached; ``short``: time-based and below it; ``not_contacted``: no
    contact this month."""

    year: int
    month: int
    rows: tuple[WorklistRow, ...]
    enrolled: int
    reached: int
    short: int
    not_contacted: int
    warning: str


@dataclass(frozen=True)
class _Month:
    year: int
    month: int
    first: date
    last: date
    today: date
    days_left: int
    working_left: int

    @classmethod
    def of(cls, year: int, month: int, today: date) -> _Month:
        first = date(year, month, 1)
        last = end_of_month(first)
        start = max(first, today)
        days = 0 if last < today else (last - start).days + 1
        return cls(year, month, first, last, today, days, working_days(start, last))


def urgency(p: Progress, working_left: int) -> tuple[int, int]:
    """The sort key of a row (smaller first), then by name:

    0. a time-based program below its first threshold, that threshold within reach of
       the working days left (:data:`REACHABLE_MINUTES_PER_WORKING_DAY` each): fewest
       minutes still needed first (a short call makes the month billable);
    1. the first threshold reached, an add-on code within reach: fewest minutes first;
    2. a code not within reach (too few working days, or the month is over): fewest
       minutes first;
    3. every code reached;
    4. a program not billed on minutes (APCM).
    """
    if not p.time_based:
        return (4, 0)
    if p.to_next is None:
        return (3, 0)
    if p.to_next > working_left * REACHABLE_MINUTES_PER_WORKING_DAY:
        return (2, p.to_next)
    return (0 if not p.reached_first else 1, p.to_next)


def keeps(r: WorklistRow, flt: WorklistFilter, today: date) -> bool:
    """Whether ``r`` passes every filter of ``flt``."""
    return base_keeps(r, flt) and band_keeps(r, flt.band) and contact_keeps(r, flt.contact, today)


def base_keeps(r: WorklistRow, flt: WorklistFilter) -> bool:
    """The care-manager, program and provider filters (those the counts obey)."""
    return (
        (flt.care_manager_id is None or r.care_manager_id == flt.care_manager_id)
        and (flt.program is None or r.program == flt.program)
        and (flt.provider_id is None or r.provider_id == flt.provider_id)
    )


def band_keeps(r: WorklistRow, band: str | None) -> bool:
    p = r.progress
    if band is None:
        return True
    if band not in BANDS:
        raise ValueError(f"band must be one of {BANDS}")
    if not p.time_based:
        return False
    return {"none": r.minutes == 0, "short": not p.reached_first, "reached": p.reached_first}[band]


def contact_keeps(r: WorklistRow, contact: str | None, today: date) -> bool:
    if contact is None:
        return True
    if contact not in CONTACTS:
        raise ValueError(f"contact must be one of {CONTACTS}")
    if contact == "none_this_month":
        return not r.contacted
    return r.last_contact is None or r.last_contact < today - timedelta(CONTACT_STALE_DAYS)


def read_rows(
    s: Session, m: _Month, tz: ZoneInfo, ids: Collection[int] | None = None
) -> list[WorklistRow]:
    """The month's rows (``ids`` only, when given), unsorted: six set-based queries."""
    covers = coverages(s, ids)
    spans = {pid: sp for pid, c in covers.items() if (sp := c.span_in(m.first, m.last)) is not None}
    if not spans:
        return []
    start, end = month_bounds(m.year, m.month, tz)
    last_contact = (
        select(TimeEntry.started_at)
        .where(
            TimeEntry.patient_id == Patient.id,
            TimeEntry.patient_contact.is_(True),
            TimeEntry.voided.is_(False),
            TimeEntry.started_at < end,
        )
        .order_by(TimeEntry.started_at.desc())
        .limit(1)
        .correlate(Patient)
        .scalar_subquery()
    )
    q = select(
        Patient.id,
        Patient.mrn,
        Patient.last_name,
        Patient.first_name,
        Patient.phone,
        Patient.care_manager_id,
        last_contact,
        month_sum(start, end),
    ).where(Patient.record_status == RecordStatus.ACTIVE)
    if ids is not None:
        q = q.where(Patient.id.in_(list(spans)))
    conn = s.connection()  # Core rows: no ORM processing of thousands of tuples
    plans = plan_reviews(conn, None if ids is None else spans)
    providers = dict(conn.execute(select(Provider.id, Provider.name)).all())
    staff = dict(conn.execute(select(StaffUser.id, StaffUser.name)).all())
    found = [r for r in conn.execute(q).all() if r[0] in spans]
    totals = {r[0]: int(r[7]) for r in found if r[7]}
    counts = month_counts(
        s, m.year, m.month, tz, covers, None if ids is None else list(totals), totals
    )
    out = []
    for pid, mrn, last, first, phone, cm, contact_at, _ in found:
        span = spans[pid]
        c = counts.get(pid)
        minutes = c.counted if c else 0
        p = month_progress(span.program, minutes)
        contact = contact_at.astimezone(tz).date() if contact_at else None
        out.append(
            WorklistRow(
                patient_id=pid,
                mrn=mrn,
                name=f"{last}, {first}",
                phone=phone,
                program=span.program,
                provider_id=span.provider_id,
                provider=providers.get(span.provider_id, "") if span.provider_id else "",
                care_manager_id=cm,
                care_manager=staff.get(cm, "") if cm else "",
                minutes=minutes,
                next_code=p.next.code if p.next and m.days_left else None,
                to_next=p.to_next if p.next and m.days_left else None,
                days_left=m.days_left,
                last_contact=contact,
                flags=_flags(
                    contact_at is not None and contact_at >= start,
                    covers[pid],
                    span.program,
                    pid in plans,
                    review_due(plans.get(pid), m.today),
                ),
                progress=p,
                urgency=urgency(p, m.working_left),
            )
        )
    return out


def _flags(
    contacted: bool, cover: Coverage, program: str, has_plan: bool, review: bool
) -> tuple[str, ...]:
    flags = []
    if not contacted:
        flags.append(FLAG_NO_CONTACT)
    if program not in cover.consents:
        flags.append(FLAG_NO_CONSENT)
    if not has_plan:
        flags.append(FLAG_NO_PLAN)
    elif review:
        flags.append(FLAG_PLAN_REVIEW)
    return tuple(flags)


def sort_key(r: WorklistRow) -> tuple[int, int, str, int]:
    """:func:`urgency`, then the name (case-blind), then the id."""
    return (*r.urgency, r.name.casefold(), r.patient_id)


class WorklistService(Service):
    """The worklist of a month (``ctx.worklist``); reads only."""

    def worklist(
        self,
        year: int | None = None,
        month: int | None = None,
        flt: WorklistFilter = WorklistFilter(),
    ) -> Worklist:
        """The rows of ``year``-``month`` (the current month of the practice when either
        is None) that ``flt`` keeps, in urgency order (:func:`urgency`), with the counts
        and the warning (see :class:`Worklist`)."""
        with self.db.read() as s:
            tz = self.practice_tz(s)
            today = self.clock.now().astimezone(tz).date()
            if year is None or month is None:
                year, month = today.year, today.month
            m = _Month.of(year, month, today)
            ids = None
            if flt.care_manager_id is not None:  # "mine": read only those patients
                ids = s.scalars(
                    select(Patient.id).where(Patient.care_manager_id == flt.care_manager_id)
                ).all()
            rows = read_rows(s, m, tz, ids)
        base = sorted((r for r in rows if base_keeps(r, flt)), key=sort_key)
        shown = [
            r for r in base if band_keeps(r, flt.band) and contact_keeps(r, flt.contact, today)
        ]
        current = m.first <= today <= m.last
        return Worklist(
            year,
            month,
            tuple(shown),
            enrolled=len(base),
            reached=sum(r.progress.reached_first for r in base),
            short=sum(r.progress.time_based and not r.progress.reached_first for r in base),
            not_contacted=sum(not r.contacted for r in base),
            warning=days_word(m.working_left) if current else "",
        )

    def row(self, patient_id: int, year: int, month: int) -> WorklistRow | None:
        """One patient's row of that month (None when the patient is not on it): the same
        queries limited to one patient, for the row a timer stop changed."""
        with self.db.read() as s:
            tz = self.practice_tz(s)
            m = _Month.of(year, month, self.clock.now().astimezone(tz).date())
            rows = read_rows(s, m, tz, [patient_id])
        return rows[0] if rows else None
