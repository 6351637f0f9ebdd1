"""The time log: one patient's entries of one month, the history of one entry, and who may
log time. Read-only; adding, editing and voiding go through
:class:`~ccm_desktop.services.timing.TimeService` (docs/architecture.md, "The time log").

An entry's history is its :class:`~ccm_desktop.db.models.TimeEntryRevision` rows: each
keeps the values the entry had *before* one change, so the values *after* that change
are the next revision's "before", or the entry as it is now for the latest change.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ccm_desktop import rules
from ccm_desktop.db.models import AuditEvent, StaffUser, TimeEntry, TimeEntryRevision
from ccm_desktop.errors import NotFound, ValidationError
from ccm_desktop.services.base import Service, month_bounds
from ccm_desktop.vocab import AuditAction

Month = tuple[int, int]  # (year, month) in the practice's time zone


@dataclass(frozen=True)
class LogEntry:
    """One time entry as the log shows it; ``revisions`` counts its changes so far."""

    id: int
    patient_id: int
    staff_id: int
    staff: str
    credential: str
    started_at: datetime
    minutes: int
    activity: str
    patient_contact: bool
    note: str
    source: str
    voided: bool
    revisions: int


@dataclass(frozen=True)
class MonthLog:
    """A patient's entries in one calendar month of the practice, newest first.

    ``months`` are the months that have entries, newest first, always with the month
    shown and the current one; ``today`` is the practice's date.
    """

    patient_id: int
    year: int
    month: int
    tz: ZoneInfo
    today: date
    entries: tuple[LogEntry, ...]
    months: tuple[Month, ...]


@dataclass(frozen=True)
class StaffChoice:
    """A staff member whose minutes count (who can be named on an entry)."""

    id: int
    name: str
    credential: str


@dataclass(frozen=True)
class EntryValues:
    """The values of an entry that a change can touch."""

    started_at: datetime
    minutes: int
    activity: str
    patient_contact: bool
    note: str
    voided: bool

    def differences(self, other: EntryValues) -> tuple[str, ...]:
        """Names of the fields whose values differ from ``other``'s, in field order."""
        return tuple(
            f.name for f in fields(self) if getattr(self, f.name) != getattr(other, f.name)
        )


@dataclass(frozen=True)
class Revision:
    """One change: who made it, when, why, and the values before and after it."""

    changed_at: datetime
    changed_by: str
    reason: str
    before: EntryValues
    after: EntryValues

    @property
    def changed(self) -> tuple[str, ...]:
        return self.before.differences(self.after)


@dataclass(frozen=True)
class EntryHistory:
    """An entry now, who added it and when, and every change, oldest first."""

    entry: LogEntry
    now: EntryValues
    added_at: datetime
    added_by: str
    revisions: tuple[Revision, ...]
    tz: ZoneInfo


def check_not_future(day: date, today: date) -> None:
    """A day of work is today or earlier: :class:`ValidationError` ("date") otherwise."""
    if day > today:
        raise ValidationError(
            "date",
            f"The date is in the future (today is {today:%m/%d/%Y}): time can be logged "
            "for today or an earlier day.",
        )


def _values(e: TimeEntry) -> EntryValues:
    return EntryValues(e.started_at, e.minutes, e.activity, e.patient_contact, e.note, e.voided)


def _previous(stored: dict[str, Any], fallback: EntryValues) -> EntryValues:
    """The values a revision kept (a value missing from an old revision: ``fallback``'s)."""
    start = stored.get("started_at")
    return EntryValues(
        datetime.fromisoformat(start) if isinstance(start, str) else fallback.started_at,
        int(stored.get("minutes", fallback.minutes)),
        str(stored.get("activity", fallback.activity)),
        bool(stored.get("patient_contact", fallback.patient_contact)),
        str(stored.get("note", fallback.note) or ""),
        bool(stored.get("voided", fallback.voided)),
    )


def _local_month(instant: datetime, tz: ZoneInfo) -> Month:
    local = instant.astimezone(tz)
    return local.year, local.month


class TimeLogService(Service):
    """Reads for the patient page's time log (``ctx.time_log``)."""

    def month(self, patient_id: int, year: int | None = None, month: int | None = None) -> MonthLog:
        """``patient_id``'s entries in ``year``/``month`` (default: the current month in the
        practice's zone), voided ones included, newest first."""
        with self.db.read() as s:
            tz = self.practice_tz(s)
            today = self.clock.today(tz)
            if year is None or month is None:
                year, month = today.year, today.month
            start, end = month_bounds(year, month, tz)
            q = (
                select(TimeEntry, StaffUser.name, StaffUser.credential)
                .join(StaffUser, StaffUser.id == TimeEntry.staff_id)
                .where(
                    TimeEntry.patient_id == patient_id,
                    TimeEntry.started_at >= start,
                    TimeEntry.started_at < end,
                )
                .order_by(TimeEntry.started_at.desc(), TimeEntry.id.desc())
            )
            rows = s.execute(q).all()
            counts = _revision_counts(s, [e.id for e, _n, _c in rows])
            entries = tuple(_entry(e, name, cred, counts.get(e.id, 0)) for e, name, cred in rows)
            return MonthLog(
                patient_id,
                year,
                month,
                tz,
                today,
                entries,
                _months(s, patient_id, tz, {(year, month), (today.year, today.month)}),
            )

    def history(self, entry_id: int) -> EntryHistory:
        """One entry's whole story; :class:`NotFound` when there is no such entry."""
        with self.db.read() as s:
            tz = self.practice_tz(s)
            e = s.get(TimeEntry, entry_id)
            if e is None:
                raise NotFound("This time entry no longer exists.")
            names = dict(s.execute(select(StaffUser.id, StaffUser.name)).all())
            staff = s.get(StaffUser, e.staff_id)
            revs = list(
                s.scalars(
                    select(TimeEntryRevision)
                    .where(TimeEntryRevision.time_entry_id == entry_id)
                    .order_by(TimeEntryRevision.changed_at, TimeEntryRevision.id)
                )
            )
            now = _values(e)
            befores: list[EntryValues] = []
            for r in reversed(revs):  # each "before" falls back on the values after it
                befores.insert(0, _previous(r.previous, befores[0] if befores else now))
            afters = [*befores[1:], now]
            added = s.execute(
                select(AuditEvent.at, AuditEvent.actor)
                .where(
                    AuditEvent.patient_id == e.patient_id,
                    AuditEvent.entity == "time_entry",
                    AuditEvent.entity_id == e.id,
                    AuditEvent.action == AuditAction.TIME_ADD.value,
                )
                .order_by(AuditEvent.id)
                .limit(1)
            ).first()
            return EntryHistory(
                entry=_entry(
                    e, staff.name if staff else "?", staff.credential if staff else "", len(revs)
                ),
                now=now,
                added_at=added.at if added else e.created_at,
                added_by=added.actor if added else "",
                revisions=tuple(
                    Revision(
                        r.changed_at,
                        names.get(r.changed_by_id, "?") if r.changed_by_id else "",
                        r.reason,
                        before,
                        after,
                    )
                    for r, before, after in zip(revs, befores, afters, strict=True)
                ),
                tz=tz,
            )

    def loggable_staff(self) -> list[StaffChoice]:
        """Active staff whose minutes count (clinical staff, billing practitioners), by name."""
        with self.db.read() as s:
            users = s.scalars(
                select(StaffUser).where(StaffUser.active.is_(True)).order_by(StaffUser.name)
            )
            return [
                StaffChoice(u.id, u.name, u.credential)
                for u in users
                if rules.counts_time(u.role, u.credential)
            ]


def _entry(e: TimeEntry, name: str, credential: str, revisions: int) -> LogEntry:
    return LogEntry(
        e.id,
        e.patient_id,
        e.staff_id,
        name,
        credential,
        e.started_at,
        e.minutes,
        e.activity,
        e.patient_contact,
        e.note,
        e.source,
        e.voided,
        revisions,
    )


def _revision_counts(s: Session, ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    q = (
        select(TimeEntryRevision.time_entry_id, func.count())
        .where(TimeEntryRevision.time_entry_id.in_(ids))
        .group_by(TimeEntryRevision.time_entry_id)
    )
    return {i: int(n) for i, n in s.execute(q)}


def _months(s: Session, patient_id: int, tz: ZoneInfo, always: set[Month]) -> tuple[Month, ...]:
    """The months of the practice's zone with an entry of the patient, plus ``always``,
    newest first (the starts are grouped here: a month is local, the column is UTC)."""
    starts = s.scalars(select(TimeEntry.started_at).where(TimeEntry.patient_id == patient_id))
    return tuple(sorted({_local_month(t, tz) for t in starts} | always, reverse=True))
