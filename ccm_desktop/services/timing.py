"""Care-management time: entries, edits with history, and monthly totals.

Instants are stored in UTC; a calendar month is taken in the practice's time zone.
Entries are never deleted: a void or an edit keeps the previous values.

An entry covers ``[started_at, started_at + minutes)``. Two entries of one staff member
never overlap (:func:`overlapping`: a minute is counted once), and no entry crosses a
month end in the practice's zone: a new one that would is split there
(:func:`split_at_month_end`; docs/architecture.md, "The call timer").
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ccm_desktop import rules
from ccm_desktop.db.models import Patient, StaffUser, TimeEntry, TimeEntryRevision
from ccm_desktop.errors import NotFound, ValidationError
from ccm_desktop.events import Change
from ccm_desktop.gate import Permission, role_words
from ccm_desktop.security.audit import Actor, AuditItem, record, record_item
from ccm_desktop.services.base import Service, month_bounds, staff_names
from ccm_desktop.services.patients import require_current
from ccm_desktop.vocab import Activity, AuditAction, ChangeKind, TimeSource, parse

ACTIVITY_LABELS = {
    "call_patient": "Call with patient",
    "call_caregiver": "Call with caregiver",
    "coordination": "Care coordination",
    "medication_reconciliation": "Medication reconciliation",
    "care_plan": "Care plan work",
    "referral": "Referral",
    "education": "Education",
    "other": "Other",
}


@dataclass
class TimeInput:
    """A time entry to add: ``started_at`` must be an aware instant."""

    patient_id: int
    staff_id: int
    started_at: datetime
    minutes: int
    activity: str
    patient_contact: bool = False
    note: str = ""
    source: str = "manual"


@dataclass(frozen=True)
class TimeRow:
    id: int
    patient_id: int
    staff: str
    started_at: datetime
    minutes: int
    activity: str
    patient_contact: bool
    note: str
    source: str
    voided: bool


@dataclass(frozen=True)
class TimeEdit:
    """The fields of a time entry an edit may change; None leaves a field as it is.

    The patient and the staff member are not here on purpose: an entry never moves to
    another patient or person (void it and add a new one).
    """

    started_at: datetime | None = None
    minutes: int | None = None
    activity: str | None = None
    patient_contact: bool | None = None
    note: str | None = None

    def changes(self) -> dict[str, object]:
        """The fields given, by name."""
        return {f.name: v for f in fields(self) if (v := getattr(self, f.name)) is not None}


def check_time(t: TimeInput, now: datetime) -> None:
    """Minutes 1 to the rules' maximum, a known activity and source, not in the future."""
    top = rules.max_entry_minutes()
    if isinstance(t.minutes, bool) or not isinstance(t.minutes, int) or not 1 <= t.minutes <= top:
        raise ValidationError("minutes", f"Minutes must be between 1 and {top}.")
    t.activity = parse(Activity, t.activity, "activity")
    t.source = parse(TimeSource, t.source, "source")
    if t.started_at.tzinfo is None:
        raise ValueError("started_at must be an aware datetime")
    if t.started_at > now:
        raise ValidationError("start_time", "The start time is in the future.")


def entry_values(t: TimeInput) -> dict[str, Any]:
    """The column values of a new entry from a checked :class:`TimeInput`."""
    return {
        "patient_id": t.patient_id,
        "staff_id": t.staff_id,
        "started_at": t.started_at,
        "minutes": t.minutes,
        "activity": t.activity,
        "patient_contact": t.patient_contact,
        "note": t.note.strip(),
        "source": t.source,
    }


def new_entry(t: TimeInput) -> TimeEntry:
    """A time-entry row from a checked :class:`TimeInput` (not yet added to a session)."""
    return TimeEntry(**entry_values(t))


def added_audit(entry_id: int, values: dict[str, Any]) -> AuditItem:
    """The audit event of a new time entry with ``values`` (see :func:`entry_values`)."""
    return AuditItem(
        AuditAction.TIME_ADD,
        "time_entry",
        entry_id,
        values["patient_id"],
        {"minutes": values["minutes"], "activity": values["activity"], "source": values["source"]},
    )


def record_added(s: Session, actor: Actor, entry: TimeEntry) -> None:
    """The audit event of a new (flushed) time entry."""
    values = {k: getattr(entry, k) for k in ("patient_id", "minutes", "activity", "source")}
    record_item(s, actor, added_audit(entry.id, values))


def add_in_session(s: Session, actor: Actor, t: TimeInput, now: datetime) -> TimeEntry:
    """Add an entry inside the caller's transaction (one flush)."""
    check_time(t, now)
    entry = new_entry(t)
    s.add(entry)
    s.flush()
    record_added(s, actor, entry)
    return entry


def revise_in_session(
    s: Session, actor: Actor, entry: TimeEntry, changes: dict[str, object], reason: str
) -> None:
    """Apply ``changes`` to ``entry`` keeping the previous values as a revision."""
    previous = {
        k: (v.isoformat() if isinstance(v, datetime) else v)
        for k, v in (
            (k, getattr(entry, k))
            for k in ("started_at", "minutes", "activity", "patient_contact", "note", "voided")
        )
    }
    s.add(
        TimeEntryRevision(
            time_entry_id=entry.id, previous=previous, changed_by_id=actor.staff_id, reason=reason
        )
    )
    for k, v in changes.items():
        setattr(entry, k, v)
    record(
        s,
        actor,
        AuditAction.TIME_REVISE,
        "time_entry",
        entry.id,
        patient_id=entry.patient_id,
        detail={"changed": sorted(changes), "reason": reason},
    )


def uncounted_reason(u: StaffUser) -> str | None:
    """Why ``u``'s minutes cannot be logged, in words; None when they count (an active
    clinical staff member or billing practitioner: docs/medicare-rules.md, section 1)."""
    if not u.active:
        return f"{u.name} ({u.username}) is no longer an active user of this practice."
    if not rules.counts_time(u.role, u.credential):
        return (
            f"{u.name} ({role_words(u.role)}{', ' + u.credential if u.credential else ''}) "
            "is not clinical staff: only minutes of clinical staff and billing practitioners "
            "count toward care management."
        )
    return None


def check_staff_counts(s: Session, staff_id: int, field: str = "staff") -> StaffUser:
    """The staff member whose minutes these are, if they count (:func:`uncounted_reason`);
    a :class:`ValidationError` naming ``field`` otherwise."""
    u = s.get(StaffUser, staff_id)
    if u is None:
        raise ValidationError(field, "This staff member is not a user of this practice.")
    reason = uncounted_reason(u)
    if reason:
        raise ValidationError(field, reason)
    return u


def split_at_month_end(
    start: datetime, minutes: int, tz: ZoneInfo, span: timedelta | None = None
) -> list[tuple[datetime, int]]:
    """``minutes`` of work from ``start`` as (start, minutes) pieces, one per calendar month
    of ``tz`` the work touches; the pieces always add up to ``minutes``.

    ``span`` is how long the work took on the wall clock (longer than ``minutes`` when a
    timer was paused; default ``minutes``). A piece after a month end starts exactly at
    midnight. The minutes are shared by the wall-clock time before and after each month
    end (pro rata, whole minutes rounded down before the boundary, so a piece never reaches
    past the midnight that ends it). A month end is midnight in ``tz``, whatever its UTC
    offset that night (a DST change on the first or last day of a month included).
    """
    if start.tzinfo is None:
        raise ValueError("start must be an aware datetime")
    span_s = (span or timedelta(minutes=minutes)).total_seconds()
    span_s = max(span_s, minutes * 60.0)
    end = start + timedelta(seconds=span_s)
    pieces: list[tuple[datetime, int]] = []
    at, left = start.astimezone(UTC), minutes
    while left > 0:
        local = at.astimezone(tz)
        boundary = month_bounds(local.year, local.month, tz)[1]
        if end <= boundary:
            pieces.append((at, left))
            break
        before = (boundary - at).total_seconds()
        share = math.floor(left * before / (end - at).total_seconds())
        share = min(share, int(before // 60))
        if share > 0:
            pieces.append((at, share))
        at, left = boundary, left - share
    return pieces


def overlapping(
    s: Session,
    staff_id: int,
    start: datetime,
    minutes: int,
    exclude_id: int | None = None,
) -> TimeEntry | None:
    """A time entry of ``staff_id`` (not voided, not ``exclude_id``) sharing a moment with
    ``[start, start + minutes)``, or None. Back-to-back entries do not clash.

    One indexed range read (``ix_time_entry_staff_start``) bounded by the longest entry
    the rules allow; the end of each candidate is compared here (portable SQL).
    """
    end = start + timedelta(minutes=minutes)
    lo = start - timedelta(minutes=rules.max_entry_minutes())
    q = (
        select(TimeEntry)
        .where(
            TimeEntry.staff_id == staff_id,
            TimeEntry.started_at > lo,
            TimeEntry.started_at < end,
            TimeEntry.voided.is_(False),
        )
        .order_by(TimeEntry.started_at)
    )
    if exclude_id is not None:
        q = q.where(TimeEntry.id != exclude_id)
    for e in s.scalars(q):
        if e.started_at + timedelta(minutes=e.minutes) > start:
            return e
    return None


def clock_span(start: datetime, minutes: int, tz: ZoneInfo) -> str:
    """ "10:05-10:25 AM on 11/16/2026" in ``tz`` (the app's 12-hour clock and dates)."""
    a = start.astimezone(tz)
    b = (start + timedelta(minutes=minutes)).astimezone(tz)

    def hm(t: datetime) -> str:
        return t.strftime("%I:%M").lstrip("0")

    if a.strftime("%p") == b.strftime("%p"):
        times = f"{hm(a)}-{hm(b)} {b.strftime('%p')}"
    else:
        times = f"{hm(a)} {a.strftime('%p')}-{hm(b)} {b.strftime('%p')}"
    return f"{times} on {a.strftime('%m/%d/%Y')}"


def overlap_message(staff_name: str, other: TimeEntry, tz: ZoneInfo) -> str:
    """The refusal of a clash with ``other``, naming its time in the practice's zone."""
    return overlap_words(staff_name, other.started_at, other.minutes, tz)


def overlap_words(staff_name: str, start: datetime, minutes: int, tz: ZoneInfo) -> str:
    """:func:`overlap_message` for another entry's ``start`` and ``minutes``."""
    return (
        f"{staff_name} already has time logged {clock_span(start, minutes, tz)} "
        "for another entry: one person's minutes cannot overlap. Change the start or the minutes."
    )


def check_no_overlap(
    s: Session,
    staff: StaffUser,
    start: datetime,
    minutes: int,
    tz: ZoneInfo,
    exclude_id: int | None = None,
) -> None:
    """:class:`ValidationError` ("start_time") when :func:`overlapping` finds a clash."""
    other = overlapping(s, staff.id, start, minutes, exclude_id)
    if other is not None:
        raise ValidationError("start_time", overlap_message(staff.name, other, tz))


class TimeService(Service):
    """Add, edit, void and total care-management minutes."""

    def add(self, actor: Actor, t: TimeInput) -> int:
        """Add an entry for a staff member whose time counts, in an open month; returns its
        id (the first one when it crosses a month end: :meth:`add_all`)."""
        return self.add_all(actor, t)[0]

    def add_all(self, actor: Actor, t: TimeInput) -> list[int]:
        """:meth:`add`, returning every id: an entry crossing midnight at a month end (the
        practice's zone) is saved as two, one per month (:func:`split_at_month_end`), each
        with its own audit event. Refused when it overlaps the staff member's other time
        (:func:`check_no_overlap`) or when a month it falls in is closed."""
        check_time(t, self.clock.now())
        with self.gate.write(actor, Permission.TIME_EDIT, on=[t.started_at]) as w:
            s = w.session
            patient = s.get(Patient, t.patient_id)
            if patient is None:
                raise NotFound("This patient no longer exists.")
            require_current(s, patient)  # before the overlap: a merged record says where
            staff = check_staff_counts(s, t.staff_id)
            pieces = split_at_month_end(t.started_at, t.minutes, w.tz)
            w.require_open(*(at for at, _ in pieces))
            ids = []
            for at, minutes in pieces:
                check_no_overlap(s, staff, at, minutes, w.tz)
                piece = replace(t, started_at=at, minutes=minutes)
                ids.append(add_in_session(s, actor, piece, self.clock.now()).id)
        self.bus.publish(Change(ChangeKind.TIME, frozenset(ids), frozenset({t.patient_id})))
        return ids

    def edit(self, actor: Actor, entry_id: int, reason: str, edit: TimeEdit) -> None:
        """Change the fields ``edit`` names; the old values stay as a revision. Both the
        entry's month and, when it moves, its new month must be open."""
        if not reason.strip():
            raise ValidationError("reason", "Say why this time entry is changed.")
        changes = edit.changes()
        if not changes:
            raise ValidationError("reason", "Nothing to change.")
        with self.gate.write(actor, Permission.TIME_EDIT, on=[edit.started_at]) as w:
            s = w.session
            entry = s.get(TimeEntry, entry_id)
            if entry is None:
                raise NotFound("This time entry no longer exists.")
            w.require_open(entry.started_at)
            merged = TimeInput(
                entry.patient_id,
                entry.staff_id,
                edit.started_at or entry.started_at,
                entry.minutes if edit.minutes is None else edit.minutes,
                edit.activity or entry.activity,
                source=entry.source,
            )
            check_time(merged, self.clock.now())
            if len(split_at_month_end(merged.started_at, merged.minutes, w.tz)) > 1:
                raise ValidationError(
                    "minutes",
                    "This entry would run past midnight at the end of the month: keep it "
                    "within its month and add the rest as a new entry in the next month.",
                )
            if "started_at" in changes or "minutes" in changes:
                staff = s.get(StaffUser, entry.staff_id)
                assert staff is not None
                check_no_overlap(
                    s, staff, merged.started_at, merged.minutes, w.tz, exclude_id=entry.id
                )
            if edit.activity is not None:
                changes["activity"] = merged.activity
            if edit.note is not None:
                changes["note"] = edit.note.strip()
            revise_in_session(s, actor, entry, changes, reason.strip())
            pid = entry.patient_id
        self.bus.publish(Change(ChangeKind.TIME, frozenset({entry_id}), frozenset({pid})))

    def void(self, actor: Actor, entry_id: int, reason: str) -> None:
        """Take an entry out of every total; it stays visible in the history."""
        if not reason.strip():
            raise ValidationError("reason", "Say why this time entry is voided.")
        with self.gate.write(actor, Permission.TIME_EDIT) as w:
            entry = w.session.get(TimeEntry, entry_id)
            if entry is None:
                raise NotFound("This time entry no longer exists.")
            if entry.voided:
                raise ValidationError("voided", "This time entry is already voided.")
            w.require_open(entry.started_at)
            revise_in_session(w.session, actor, entry, {"voided": True}, reason.strip())
            pid = entry.patient_id
        self.bus.publish(Change(ChangeKind.TIME, frozenset({entry_id}), frozenset({pid})))

    def entries(self, patient_id: int) -> list[TimeRow]:
        with self.db.read() as s:
            return entries_in_session(s, patient_id, staff_names(s))

    def month_minutes(self, year: int, month: int) -> dict[int, int]:
        """Minutes per patient in a calendar month of the practice (voided entries excluded)."""
        with self.db.read() as s:
            start, end = month_bounds(year, month, self.practice_tz(s))
            q = (
                select(TimeEntry.patient_id, func.sum(TimeEntry.minutes))
                .where(
                    TimeEntry.started_at >= start,
                    TimeEntry.started_at < end,
                    TimeEntry.voided.is_(False),
                )
                .group_by(TimeEntry.patient_id)
            )
            return {pid: int(m) for pid, m in s.execute(q)}


def entries_in_session(s: Session, patient_id: int, names: dict[int, str]) -> list[TimeRow]:
    """A patient's time entries, newest first (``names``: staff by id)."""
    q = (
        select(TimeEntry)
        .where(TimeEntry.patient_id == patient_id)
        .order_by(TimeEntry.started_at.desc())
    )
    return [
        TimeRow(
            e.id,
            e.patient_id,
            names.get(e.staff_id, "?"),
            e.started_at,
            e.minutes,
            e.activity,
            e.patient_contact,
            e.note,
            e.source,
            e.voided,
        )
        for e in s.scalars(q)
    ]


def local_date(instant: datetime, tz: object) -> date:
    """The calendar date of an instant in the practice's time zone."""
    return instant.astimezone(tz).date()  # type: ignore[arg-type]
