"""Which care-management minutes count toward a month's codes, and why the others do not.

Time is never dropped: an entry that does not count is kept and marked, with the reason in
words (docs/architecture.md, "The worklist"; docs/medicare-rules.md, section 1). An entry
counts unless, checked in this order:

1. it is voided ("voided");
2. its staff member's minutes never count (front desk, billing, or a credential that is
   neither clinical staff nor a billing practitioner: ``rules.counts_time``);
3. there is no consent for the program ("no consent recorded"), or the entry's local date
   is before the first consent (consented) for it ("before consent on 3/4/2026");
4. the date is outside every enrollment in effect: before its start date, or after a
   disenrollment took effect (the end of the calendar month; a death: that day).

The program of a day is that of the newest enrollment (not declined) in effect that day;
the program of a month is that of the newest one in effect at any time in the month.
Counted minutes are split into practitioner minutes (a billing practitioner's credential,
``rules.billing_practitioner_credentials``) and clinical-staff minutes (the rest).
``not_counted`` is the minutes of entries kept but marked (voided entries are not time at
all and are in neither total).

:func:`month_counts` computes the totals of a whole month for every patient in a few
set-based queries (the worklist's 5,000 patients); :class:`TimeTotals` gives one patient's
total and the status of each entry. Both apply the same :class:`Coverage` rules.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, ScalarSelect, Select, and_, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from ccm_desktop import rules
from ccm_desktop.db.models import Consent, Enrollment, Patient, StaffUser, TimeEntry
from ccm_desktop.gate import role_words
from ccm_desktop.services.base import Service, end_of_month, month_bounds
from ccm_desktop.services.progress import Progress, month_progress
from ccm_desktop.vocab import EnrollmentStatus

CHUNK = 500  # ids per IN (...) list: well under every database's limit on parameters


def us_date(d: date) -> str:
    """ "3/4/2026": a date as the reasons write it."""
    return f"{d.month}/{d.day}/{d.year}"


@dataclass(frozen=True)
class Span:
    """An enrollment (not declined) as the days it is in effect: ``start`` to ``end``
    inclusive, either open (None)."""

    id: int
    program: str
    start: date | None
    end: date | None
    provider_id: int | None = None

    def covers(self, d: date) -> bool:
        return (self.start is None or self.start <= d) and (self.end is None or d <= self.end)


@dataclass(frozen=True)
class Coverage:
    """What decides, day by day, whether one patient's minutes count: the enrollments
    (oldest first) and the first consented consent date per program."""

    spans: tuple[Span, ...] = ()
    consents: dict[str, date] = field(default_factory=dict)

    def span_in(self, first: date, last: date) -> Span | None:
        """The newest enrollment in effect at any time from ``first`` to ``last``; None
        when none is."""
        hits = [
            sp
            for sp in self.spans
            if (sp.start is None or sp.start <= last) and (sp.end is None or sp.end >= first)
        ]
        return hits[-1] if hits else None

    def program_in(self, first: date, last: date) -> str | None:
        """The program of :meth:`span_in` (None when no enrollment is in effect)."""
        span = self.span_in(first, last)
        return span.program if span else None

    def reason_on(self, d: date) -> str:
        """Why minutes on local date ``d`` do not count ("" when they do), by the
        enrollment and consent rules (steps 3 and 4 of the module docstring)."""
        if not self.spans:
            return "not enrolled"
        covering = [sp for sp in self.spans if sp.covers(d)]
        span = covering[-1] if covering else self._nearest(d)
        consent = self.consents.get(span.program)
        if consent is None:
            return "no consent recorded"
        if d < consent:
            return f"before consent on {us_date(consent)}"
        if covering:
            return ""
        if span.start is not None and d < span.start:
            return f"before the enrollment began on {us_date(span.start)}"
        assert span.end is not None
        return f"after the enrollment ended on {us_date(span.end)}"

    def _nearest(self, d: date) -> Span:
        """The enrollment a day outside all of them belongs with: the next to begin, else
        the last to end."""
        later = [sp for sp in self.spans if sp.start is not None and sp.start > d]
        return min(later, key=lambda sp: sp.start or d) if later else self.spans[-1]

    def month_reason(self, first: date, last: date) -> str | None:
        """:meth:`reason_on` for every day from ``first`` to ``last`` when it is the same
        on all of them; None when it changes inside (then each entry is looked at)."""
        if len(self.spans) == 1:  # the usual patient: enrolled and consented before
            sp = self.spans[0]
            c = self.consents.get(sp.program)
            if c is not None and c <= first and sp.end is None:
                if sp.start is None or sp.start <= first:
                    return ""
        return self.reason_on(first) if self.constant_over(first, last) else None

    def constant_over(self, first: date, last: date) -> bool:
        """Whether :meth:`reason_on` is the same on every day from ``first`` to ``last``
        (no enrollment begins or ends, and no consent falls, inside)."""
        for sp in self.spans:
            if sp.start is not None and first < sp.start <= last:
                return False
            if sp.end is not None and first <= sp.end < last:
                return False
        return not any(first < c <= last for c in self.consents.values())


def coverages(s: Session, patient_ids: Collection[int] | None = None) -> dict[int, Coverage]:
    """Every patient's :class:`Coverage` (only ``patient_ids`` when given): two queries."""
    spans: dict[int, list[Span]] = defaultdict(list)
    q = select(
        Enrollment.patient_id,
        Enrollment.id,
        Enrollment.program,
        Enrollment.status,
        Enrollment.start_date,
        Enrollment.end_date,
        Enrollment.billing_provider_id,
    )
    q = q.where(Enrollment.status != EnrollmentStatus.DECLINED).order_by(Enrollment.id)
    for pid, eid, program, status, start, end, prov in _rows(
        s, q, Enrollment.patient_id, patient_ids
    ):
        spans[pid].append(Span(eid, program, start, None if status == "enrolled" else end, prov))
    consents: dict[int, dict[str, date]] = defaultdict(dict)
    q2 = (
        select(Consent.patient_id, Consent.program, func.min(Consent.consent_date))
        .where(Consent.consented.is_(True))
        .group_by(Consent.patient_id, Consent.program)
    )
    for pid, program, first in _rows(s, q2, Consent.patient_id, patient_ids):
        consents[pid][program] = first
    return {
        pid: Coverage(tuple(spans.get(pid, ())), consents[pid])  # spans oldest first
        for pid in set(spans) | set(consents)
    }


def _rows(
    s: Session, q: Select[Any], column: InstrumentedAttribute[int], ids: Collection[int] | None
) -> Iterator[Any]:
    """Rows of ``q``, restricted to ``column`` in ``ids`` (in chunks) when ids are given."""
    conn = s.connection()  # Core rows: no ORM processing of thousands of tuples
    if ids is None:
        yield from conn.execute(q).all()
        return
    ids = list(ids)
    for i in range(0, len(ids), CHUNK):
        yield from conn.execute(q.where(column.in_(ids[i : i + CHUNK]))).all()


@dataclass(frozen=True)
class StaffKinds:
    """Staff ids by how their minutes count: ``never`` (reason by id) and ``practitioners``."""

    never: dict[int, str]
    practitioners: frozenset[int]

    @classmethod
    def load(cls, s: Session) -> StaffKinds:
        never: dict[int, str] = {}
        prac: set[int] = set()
        practitioner_creds = set(rules.billing_practitioner_credentials())
        for sid, name, role, credential in s.execute(
            select(StaffUser.id, StaffUser.name, StaffUser.role, StaffUser.credential)
        ):
            if not rules.counts_time(role, credential):
                never[sid] = f"not clinical staff ({name}, {role_words(role)})"
            elif credential in practitioner_creds:
                prac.add(sid)
        return cls(never, frozenset(prac))


@dataclass(frozen=True)
class Counted:
    """One patient's minutes of one month: ``counted`` (= staff + practitioner minutes)
    and ``not_counted`` (kept but marked; voided entries are in neither)."""

    counted: int = 0
    staff_minutes: int = 0
    practitioner_minutes: int = 0
    not_counted: int = 0


@dataclass(frozen=True)
class EntryStatus:
    """Whether a time entry counts; ``reason`` in words when it does not ("" when it does)."""

    entry_id: int
    counts: bool
    reason: str


def entry_reason(
    voided: bool, staff_id: int, day: date, kinds: StaffKinds, cover: Coverage | None
) -> str:
    """Why an entry does not count ("" when it does): the module docstring's order."""
    if voided:
        return "voided"
    if staff_id in kinds.never:
        return kinds.never[staff_id]
    return (cover or Coverage()).reason_on(day)


def in_month(start: datetime, end: datetime) -> ColumnElement[bool]:
    """Entries not voided that start from ``start`` to before ``end``."""
    return and_(
        TimeEntry.started_at >= start, TimeEntry.started_at < end, TimeEntry.voided.is_(False)
    )


def month_sum(start: datetime, end: datetime) -> ScalarSelect[Any]:
    """The minutes of :func:`in_month` entries of the outer query's patient: per patient a
    range of the covering index ix_time_entry_patient_month, cheaper than one scan of the
    month over every patient's entries (benchmarks/README.md, "bench_worklist.py")."""
    return (
        select(func.sum(TimeEntry.minutes))
        .where(TimeEntry.patient_id == Patient.id, in_month(start, end))
        .correlate(Patient)
        .scalar_subquery()
    )


def month_counts(
    s: Session,
    year: int,
    month: int,
    tz: ZoneInfo,
    covers: dict[int, Coverage],
    patient_ids: Collection[int] | None = None,
    totals: dict[int, int] | None = None,
) -> dict[int, Counted]:
    """Every patient's :class:`Counted` minutes in a month (``patient_ids`` only, when
    given), with ``covers`` from :func:`coverages`. Patients with no entries that month
    are absent. ``totals``: each patient's minutes not voided that month when the caller
    has read them already (:func:`month_sum`).

    Set-based: one sum per patient, one grouped sum over the few staff whose minutes are
    practitioner minutes or never count, and the entries themselves only of patients
    whose enrollment or consent changes inside the month.
    """
    start, end = month_bounds(year, month, tz)
    first = date(year, month, 1)
    last = end_of_month(first)
    kinds = StaffKinds.load(s)
    if totals is None:
        q = select(Patient.id, month_sum(start, end))
        totals = {pid: int(m) for pid, m in _rows(s, q, Patient.id, patient_ids) if m}
    special = set(kinds.never) | kinds.practitioners
    by_staff: dict[int, list[tuple[int, int]]] = defaultdict(list)
    if special and totals:
        q = (
            select(TimeEntry.patient_id, TimeEntry.staff_id, func.sum(TimeEntry.minutes))
            .where(in_month(start, end), TimeEntry.staff_id.in_(sorted(special)))
            .group_by(TimeEntry.patient_id, TimeEntry.staff_id)
        )
        for pid, sid, m in _rows(s, q, TimeEntry.patient_id, patient_ids):
            by_staff[pid].append((sid, int(m)))
    out: dict[int, Counted] = {}
    changing = []
    nobody = Coverage()
    for pid, total in totals.items():
        why = (covers.get(pid) or nobody).month_reason(first, last)
        if why is None:
            changing.append(pid)
        elif why:
            out[pid] = Counted(not_counted=total)
        else:
            staff = by_staff.get(pid, ())
            never = sum(m for sid, m in staff if sid in kinds.never)
            prac = sum(m for sid, m in staff if sid in kinds.practitioners)
            counted = total - never
            out[pid] = Counted(counted, counted - prac, prac, never)
    if changing:
        q = select(
            TimeEntry.patient_id, TimeEntry.staff_id, TimeEntry.started_at, TimeEntry.minutes
        ).where(in_month(start, end))
        entries: dict[int, list[tuple[int, datetime, int]]] = defaultdict(list)
        for pid, sid, at, m in _rows(s, q, TimeEntry.patient_id, changing):
            entries[pid].append((sid, at, m))
        for pid in changing:
            out[pid] = _tally(entries[pid], tz, kinds, covers[pid])
    return out


def _tally(
    entries: Iterable[tuple[int, datetime, int]], tz: ZoneInfo, kinds: StaffKinds, cover: Coverage
) -> Counted:
    """:class:`Counted` of one patient's (staff id, start, minutes) entries, not voided."""
    staff = prac = never = 0
    for sid, at, m in entries:
        if entry_reason(False, sid, at.astimezone(tz).date(), kinds, cover):
            never += m
        elif sid in kinds.practitioners:
            prac += m
        else:
            staff += m
    return Counted(staff + prac, staff, prac, never)


@dataclass(frozen=True)
class MonthTotal:
    """One patient's minutes in one month, split by whose they are, with the progress of
    the counted minutes against the month's program (``program``: its stored code, None
    when no enrollment was in effect that month)."""

    patient_id: int
    year: int
    month: int
    program: str | None
    counted: int
    staff_minutes: int
    practitioner_minutes: int
    not_counted: int
    progress: Progress


class TimeTotals(Service):
    """One patient's month: totals of the minutes that count, and each entry's status."""

    def month_total(self, patient_id: int, year: int, month: int) -> MonthTotal:
        """The totals of ``patient_id`` in that calendar month of the practice's zone."""
        with self.db.read() as s:
            tz = self.practice_tz(s)
            cover = coverages(s, [patient_id]).get(patient_id, Coverage())
            rows = self._entries(s, patient_id, year, month, tz)
            c = _tally(
                ((sid, at, m) for _, sid, at, m, voided in rows if not voided),
                tz,
                StaffKinds.load(s),
                cover,
            )
        first = date(year, month, 1)
        program = cover.program_in(first, end_of_month(first))
        return MonthTotal(
            patient_id,
            year,
            month,
            program,
            c.counted,
            c.staff_minutes,
            c.practitioner_minutes,
            c.not_counted,
            month_progress(program, c.counted),
        )

    def entry_statuses(self, patient_id: int, year: int, month: int) -> dict[int, EntryStatus]:
        """Every entry of the month (voided ones too) by id: whether it counts and why not."""
        with self.db.read() as s:
            tz = self.practice_tz(s)
            cover = coverages(s, [patient_id]).get(patient_id)
            kinds = StaffKinds.load(s)
            out = {}
            for eid, sid, at, _m, voided in self._entries(s, patient_id, year, month, tz):
                why = entry_reason(voided, sid, at.astimezone(tz).date(), kinds, cover)
                out[eid] = EntryStatus(eid, not why, why)
            return out

    @staticmethod
    def _entries(
        s: Session, patient_id: int, year: int, month: int, tz: ZoneInfo
    ) -> list[tuple[int, int, datetime, int, bool]]:
        start, end = month_bounds(year, month, tz)
        q = select(
            TimeEntry.id,
            TimeEntry.staff_id,
            TimeEntry.started_at,
            TimeEntry.minutes,
            TimeEntry.voided,
        ).where(
            TimeEntry.patient_id == patient_id,
            TimeEntry.started_at >= start,
            TimeEntry.started_at < end,
        )
        return [tuple(r) for r in s.execute(q)]  # type: ignore[misc]
