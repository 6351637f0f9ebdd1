"""The call timer: one running timer per staff member, kept in the database from its start.

Starting writes a ``running_timer`` row at once, so a crash, a power cut or a restart never
loses it; while it runs the window calls :meth:`TimerService.heartbeat` every 30 seconds.
Stopping turns it into time entries (source "timer") and deletes the row in one
transaction. A row found by a new run of the application is *interrupted*: it can be
finished up to the last moment the old run was alive, or discarded, with a reason
(docs/architecture.md, "The call timer").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ccm_desktop import rules
from ccm_desktop.db.engine import Database
from ccm_desktop.db.models import Patient, RunningTimer, Setting, StaffUser
from ccm_desktop.errors import CcmError, NotFound, ValidationError, WriteConflict
from ccm_desktop.events import Change, EventBus
from ccm_desktop.gate import Gate, Permission, Write
from ccm_desktop.security.audit import Actor, record
from ccm_desktop.services.base import Clock, Service
from ccm_desktop.services.patients import require_current
from ccm_desktop.services.timing import (
    TimeInput,
    add_in_session,
    check_no_overlap,
    check_staff_counts,
    clock_span,
    split_at_month_end,
)
from ccm_desktop.vocab import Activity, AuditAction, ChangeKind, parse

CONFIRM_SETTING = "timer.confirm_after_minutes"
CONFIRM_DEFAULT = 60
HEARTBEAT_SECONDS = 30  # how often the window should call heartbeat()


@dataclass(frozen=True)
class TimerState:
    """A running (or paused) timer as the window shows it; instants are UTC."""

    id: int
    staff_id: int
    staff_name: str
    patient_id: int
    patient_name: str  # "Last, First"
    mrn: str
    activity: str
    started_at: datetime
    paused_at: datetime | None
    paused_seconds: int
    heartbeat_at: datetime
    confirmed_at: datetime | None

    @property
    def paused(self) -> bool:
        return self.paused_at is not None

    def elapsed_seconds(self, now: datetime) -> int:
        """Seconds timed from the true start to ``now`` (or to the pause in progress),
        minus the pauses; never negative."""
        end = self.paused_at if self.paused_at is not None else now
        return max(0, int((end - self.started_at).total_seconds()) - self.paused_seconds)

    def minutes(self, now: datetime) -> int:
        """Whole minutes timed up to ``now`` (rounded down: a minute is never invented)."""
        return self.elapsed_seconds(now) // 60


@dataclass(frozen=True)
class Interrupted:
    """A timer left running by a run of the application that ended without stopping it.

    ``last_alive`` is the last moment that run was known to be alive with it (its last
    heartbeat, or the start of the pause it was left in); ``minutes`` are timed up to it.
    """

    timer: TimerState
    last_alive: datetime
    minutes: int


@dataclass(frozen=True)
class StopInput:
    """What the stop form says. ``minutes`` None: the measured minutes; a number replaces
    them and then ``reason`` is required (the measured value stays in the audit trail)."""

    activity: str
    patient_contact: bool
    note: str = ""
    minutes: int | None = None
    reason: str = ""


class TimerRunning(CcmError):
    """A start refused because this staff member already has a timer: ``timer`` is it (the
    window then offers to stop or pause it)."""

    def __init__(self, timer: TimerState) -> None:
        state = "paused" if timer.paused else "running"
        super().__init__(
            f"{timer.staff_name} already has a timer {state} for {timer.patient_name} "
            f"(MRN {timer.mrn}): stop it, or pause it, before starting another."
        )
        self.timer = timer


class _StartRace(Exception):
    """Another start of the same staff member won the unique constraint meanwhile."""


def _state(s: Session, t: RunningTimer) -> TimerState:
    staff = s.get(StaffUser, t.staff_id)
    p = s.get(Patient, t.patient_id)
    assert staff is not None and p is not None  # foreign keys
    return TimerState(
        t.id,
        t.staff_id,
        staff.name,
        t.patient_id,
        f"{p.last_name}, {p.first_name}",
        p.mrn,
        str(t.activity),
        t.started_at,
        t.paused_at,
        t.paused_seconds,
        t.heartbeat_at,
        t.confirmed_at,
    )


def _row(s: Session, staff_id: int | None) -> RunningTimer | None:
    """The staff member's running-timer row (one at most: ``uq_running_timer_staff``)."""
    if staff_id is None:
        return None
    return s.scalar(select(RunningTimer).where(RunningTimer.staff_id == staff_id))


def _last_alive(t: RunningTimer | TimerState) -> datetime:
    return t.paused_at if t.paused_at is not None else t.heartbeat_at


class TimerService(Service):
    """Start, pause, resume, confirm, stop and discard the acting staff member's timer, and
    recover one left by a run that ended without stopping it.

    Every timer this service started (or saw stopped) in this process is its own; any other
    row is from an earlier run: the application runs once per data folder, so such a row
    is interrupted (:meth:`interrupted`).
    """

    def __init__(self, db: Database, bus: EventBus, clock: Clock, gate: Gate) -> None:
        super().__init__(db, bus, clock, gate)
        self._own: set[int] = set()  # ids of the timers this run started

    # -- reading ---------------------------------------------------------------------------
    def current(self, staff_id: int) -> TimerState | None:
        """The staff member's timer, running or paused (interrupted ones too), or None."""
        with self.db.read() as s:
            t = _row(s, staff_id)
            return _state(s, t) if t else None

    def interrupted(self, staff_id: int) -> Interrupted | None:
        """The staff member's timer left by an earlier run (ask at start-up: finish it with
        :meth:`finish_interrupted` or :meth:`discard` it), or None."""
        with self.db.read() as s:
            t = _row(s, staff_id)
            if t is None or t.id in self._own:
                return None
            state = _state(s, t)
        last = _last_alive(state)
        return Interrupted(state, last, state.minutes(last))

    def confirm_after_minutes(self) -> int:
        """After how many minutes a running timer asks whether it is still real (the
        setting ``timer.confirm_after_minutes``; 60 when unset or not a whole number)."""
        with self.db.read() as s:
            value = s.scalar(select(Setting.value).where(Setting.key == CONFIRM_SETTING))
        if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
            return value
        return CONFIRM_DEFAULT

    def needs_confirmation(self, timer: TimerState, now: datetime) -> bool:
        """Whether ``timer`` has run longer than :meth:`confirm_after_minutes` since it
        started or was last confirmed (a paused timer does not ask)."""
        if timer.paused:
            return False
        since = timer.confirmed_at or timer.started_at
        return now - since >= timedelta(minutes=self.confirm_after_minutes())

    # -- writing ---------------------------------------------------------------------------
    def set_confirm_after_minutes(self, actor: Actor, minutes: int) -> None:
        """Change the setting (administrators: ``settings.edit``), with an audit event."""
        if isinstance(minutes, bool) or not isinstance(minutes, int) or not 5 <= minutes <= 480:
            raise ValidationError(
                "confirm_after_minutes", "Give a whole number of minutes from 5 to 480."
            )
        with self.gate.write(actor, Permission.SETTINGS_EDIT) as w:
            row = w.session.get(Setting, CONFIRM_SETTING)
            before = row.value if row else None
            if row is None:
                w.session.add(Setting(key=CONFIRM_SETTING, value=minutes))
            else:
                row.value = minutes
            record(
                w.session,
                actor,
                AuditAction.SETTING_UPDATE,
                "setting",
                detail={"key": CONFIRM_SETTING, "before": before, "after": minutes},
            )

    def start(self, actor: Actor, patient_id: int, activity: str) -> TimerState:
        """Start the actor's timer for a current patient record, now. Refused for staff
        whose minutes do not count (the gate: ``time.edit``; then the rules), and with
        :class:`TimerRunning` when the actor already has a timer."""
        code = parse(Activity, activity, "activity")
        now = self.clock.now()
        try:
            with self.gate.write(actor, Permission.TIME_EDIT, on=[now]) as w:
                s = w.session
                check_staff_counts(s, actor.staff_id or 0)  # the actor: not None past the gate
                p = s.get(Patient, patient_id)
                if p is None:
                    raise NotFound("This patient no longer exists.")
                require_current(s, p)
                running = _row(s, actor.staff_id)
                if running is not None:
                    raise TimerRunning(_state(s, running))
                t = RunningTimer(
                    staff_id=actor.staff_id,
                    patient_id=patient_id,
                    activity=code,
                    started_at=now,
                    paused_seconds=0,
                    heartbeat_at=now,
                )
                s.add(t)
                try:
                    s.flush()
                except IntegrityError:
                    raise _StartRace from None
                record(
                    s,
                    actor,
                    AuditAction.TIMER_START,
                    "running_timer",
                    t.id,
                    patient_id=patient_id,
                    detail={"activity": code, "started_at": now.isoformat()},
                )
                state = _state(s, t)
        except _StartRace:
            other = self.current(actor.staff_id or 0)
            if other is None:
                raise WriteConflict(
                    "Another start of this timer was saved at the same moment and is gone "
                    "again: nothing was started. Try again."
                ) from None
            raise TimerRunning(other) from None
        self._own.add(state.id)
        self._publish(state)
        return state

    def pause(self, actor: Actor) -> TimerState:
        """Pause the actor's running timer (the pause does not count)."""

        def pause(t: RunningTimer, now: datetime) -> None:
            if t.paused_at is not None:
                raise ValidationError("timer", "The timer is already paused.")
            t.paused_at = now

        return self._change(actor, AuditAction.TIMER_PAUSE, pause)

    def resume(self, actor: Actor) -> TimerState:
        """Resume the actor's paused timer; the pause is added to ``paused_seconds``."""

        def resume(t: RunningTimer, now: datetime) -> None:
            if t.paused_at is None:
                raise ValidationError("timer", "The timer is running, not paused.")
            t.paused_seconds += max(0, int((now - t.paused_at).total_seconds()))
            t.paused_at = None

        return self._change(actor, AuditAction.TIMER_RESUME, resume)

    def confirm(self, actor: Actor) -> TimerState:
        """The actor says the long-running timer is still real: ask again only after
        another :meth:`confirm_after_minutes`."""

        def confirm(t: RunningTimer, now: datetime) -> None:
            t.confirmed_at = now

        return self._change(actor, AuditAction.TIMER_CONFIRM, confirm)

    def heartbeat(self, actor: Actor) -> bool:
        """Record that the application is alive with the actor's timer: one UPDATE of
        ``heartbeat_at``, committed; no audit event and no change published (it changes no
        practice data: :meth:`Gate.bookkeeping`). Only this run's own timer beats (an
        interrupted one keeps its last moment alive). False when there is none."""
        if actor.staff_id is None or not self._own:
            return False
        with self.gate.bookkeeping() as s:
            done = s.execute(
                update(RunningTimer)
                .where(
                    RunningTimer.staff_id == actor.staff_id,
                    RunningTimer.id.in_(sorted(self._own)),
                )
                .values(heartbeat_at=self.clock.now())
            )
        return bool(done.rowcount)  # type: ignore[attr-defined]

    def stop(self, actor: Actor, stop: StopInput) -> list[int]:
        """Save the actor's timer as time entries from its true start and delete it, in one
        transaction; returns the entries' ids (two when it crossed midnight at a month end).
        Refused for a timer left by an earlier run (:meth:`finish_interrupted`)."""
        return self._finish(actor, stop, recovering=False)

    def finish_interrupted(self, actor: Actor, stop: StopInput) -> list[int]:
        """Save the actor's interrupted timer, ending at its last moment alive; a changed
        number of minutes (with a reason) may run later, never past now."""
        return self._finish(actor, stop, recovering=True)

    def discard(self, actor: Actor, reason: str) -> None:
        """Delete the actor's timer (this run's or an interrupted one) without saving time;
        the reason and the minutes timed stay in the audit trail."""
        if not reason.strip():
            raise ValidationError("reason", "Say why the timed minutes are discarded.")
        now = self.clock.now()
        with self.gate.write(actor, Permission.TIME_EDIT) as w:
            t = _row(w.session, actor.staff_id)
            if t is None:
                raise NotFound("There is no running timer to discard.")
            state = _state(w.session, t)
            own = t.id in self._own
            end = now if own else _last_alive(state)
            detail: dict[str, object] = {
                "minutes_timed": state.minutes(end),
                "reason": reason.strip(),
                "started_at": state.started_at.isoformat(),
            }
            if not own:
                detail |= {"outcome": "discarded", "last_alive": end.isoformat()}
            action = AuditAction.TIMER_DISCARD if own else AuditAction.TIMER_RECOVER
            _delete(w.session, actor, t, action, detail)
        self._ended(state)

    # -- internals -------------------------------------------------------------------------
    def _ended(self, state: TimerState) -> None:
        """After the commit that deleted ``state``'s row."""
        self._own.discard(state.id)
        self._publish(state)

    def _publish(self, state: TimerState) -> None:
        self.bus.publish(
            Change(ChangeKind.TIMER, frozenset({state.id}), frozenset({state.patient_id}))
        )

    def _change(
        self,
        actor: Actor,
        action: AuditAction,
        apply: Callable[[RunningTimer, datetime], None],
    ) -> TimerState:
        """A gated change of the actor's own, live timer (NotFound without one; refused
        for an interrupted one): ``apply`` it at now, with its audit event."""
        now = self.clock.now()
        with self.gate.write(actor, Permission.TIME_EDIT) as w:
            t = _row(w.session, actor.staff_id)
            if t is None:
                raise NotFound("There is no running timer.")
            if t.id not in self._own:
                raise ValidationError("timer", _left_words(_state(w.session, t), w))
            apply(t, now)
            t.heartbeat_at = now
            detail = {"paused_seconds": t.paused_seconds, "paused": t.paused_at is not None}
            record(
                w.session,
                actor,
                action,
                "running_timer",
                t.id,
                patient_id=t.patient_id,
                detail=detail,
            )
            state = _state(w.session, t)
        self._publish(state)
        return state

    def _finish(self, actor: Actor, stop: StopInput, *, recovering: bool) -> list[int]:
        activity = parse(Activity, stop.activity, "activity")
        if stop.minutes is not None and not stop.reason.strip():
            raise ValidationError("reason", "Say why the minutes differ from the timer's.")
        now = self.clock.now()
        with self.gate.write(actor, Permission.TIME_EDIT) as w:
            s = w.session
            t = _row(s, actor.staff_id)
            if t is None:
                raise NotFound("There is no running timer to stop.")
            state = _state(s, t)
            own = t.id in self._own
            if recovering and own:
                raise ValidationError("timer", "This timer is running now: stop it instead.")
            if not recovering and not own:
                raise ValidationError("timer", _left_words(state, w))
            end = _last_alive(state) if recovering else now
            measured = state.minutes(end)
            minutes = measured if stop.minutes is None else stop.minutes
            _check_minutes(state, minutes, stop.minutes is not None, now, w)
            staff = check_staff_counts(s, state.staff_id)
            span = max(end - state.started_at, timedelta(minutes=minutes))
            pieces = split_at_month_end(state.started_at, minutes, w.tz, span)
            w.require_open(*(at for at, _ in pieces))
            ids: list[int] = []
            for at, part in pieces:
                check_no_overlap(s, staff, at, part, w.tz)
                entry = TimeInput(
                    state.patient_id,
                    state.staff_id,
                    at,
                    part,
                    activity,
                    bool(stop.patient_contact),
                    stop.note,
                    "timer",
                )
                ids.append(add_in_session(s, actor, entry, now).id)
            detail: dict[str, object] = {
                "started_at": state.started_at.isoformat(),
                "measured_minutes": measured,
                "minutes": minutes,
                "paused_seconds": state.paused_seconds,
                "entries": ids,
            }
            if stop.minutes is not None:
                detail["reason"] = stop.reason.strip()
            if recovering:
                detail |= {"outcome": "finished", "last_alive": end.isoformat()}
            action = AuditAction.TIMER_RECOVER if recovering else AuditAction.TIMER_STOP
            _delete(s, actor, t, action, detail)
        self._ended(state)
        self.bus.publish(Change(ChangeKind.TIME, frozenset(ids), frozenset({state.patient_id})))
        return ids


def _delete(
    s: Session, actor: Actor, t: RunningTimer, action: AuditAction, detail: dict[str, object]
) -> None:
    """Delete the running-timer row with the audit event of how it ended."""
    record(s, actor, action, "running_timer", t.id, patient_id=t.patient_id, detail=detail)
    s.delete(t)


def _left_words(state: TimerState, w: Write) -> str:
    last = _last_alive(state).astimezone(w.tz).strftime("%I:%M %p on %m/%d/%Y").lstrip("0")
    return (
        f"This timer was left running when the application last closed "
        f"(last alive at {last}): finish it up to then, or discard it."
    )


def _check_minutes(state: TimerState, minutes: int, by_hand: bool, now: datetime, w: Write) -> None:
    """The minutes to save: at least 1, at most the rules' limit per entry, and never
    reaching past now from the true start."""
    top = rules.max_entry_minutes()
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        raise ValidationError("minutes", "Give the minutes as a whole number.")
    if minutes < 1:
        if not by_hand:
            raise ValidationError(
                "minutes", "Less than a minute was timed: discard it or change the minutes."
            )
        raise ValidationError("minutes", f"Minutes must be between 1 and {top}.")
    if minutes > top:
        raise ValidationError(
            "minutes",
            f"{minutes} minutes is more than one entry may hold ({top}): change the minutes "
            "and say why.",
        )
    room = int((now - state.started_at).total_seconds()) // 60
    if minutes > room:
        raise ValidationError(
            "minutes",
            f"The timer started {room} minutes ago ({clock_span(state.started_at, 0, w.tz)}): "
            f"{minutes} minutes from then would end in the future.",
        )
