"""The timer bar: always in the main window, above every page.

Patient (search as you type, or the patient whose page is open), activity, Start,
Pause/Resume, Stop and the time elapsed; under them this month's counted minutes for the
patient against the program's steps, in a bar and in words. The timer itself lives in the
database (services/timer.py): the bar shows it, beats its heartbeat every 30 seconds off
the GUI thread, and asks when it has run long. The elapsed time is worked out from the
timer's start on each tick, with no database read; the month's total is re-read only when
the patient, the timer or the patient's time changes. docs/architecture.md, "The call
timer", "In the window".
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import SIGNAL, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QWidget,
)

from ccm_desktop.app import AppContext
from ccm_desktop.errors import CcmError, PermissionDenied
from ccm_desktop.events import Change
from ccm_desktop.gate import Permission
from ccm_desktop.services.time_counts import MonthTotal
from ccm_desktop.services.timer import HEARTBEAT_SECONDS, Interrupted, TimerRunning, TimerState
from ccm_desktop.ui.common.bridge import EventBridge
from ccm_desktop.ui.common.tasks import Progress, run_task
from ccm_desktop.ui.common.writer import run_write, write_and_wait
from ccm_desktop.ui.timer.bar_widgets import BarWidgets
from ccm_desktop.ui.timer.stop_dialog import StopDialog, ask_stop_first, refusal_words
from ccm_desktop.ui.timer.words import elapsed_text, patient_words
from ccm_desktop.vocab import ChangeKind

log = logging.getLogger(__name__)
SHORTCUT = "F9"


class TimerBar(BarWidgets):
    """The acting user's call timer (one actor per window: ``ctx.actor``).

    ``save_and_next(patient_id)`` fires after "Save and next" saved that patient's time:
    the worklist moves on (the button shows only while something is connected).
    """

    save_and_next = Signal(int)
    changed = Signal()  # the bar's state changed (idle, chosen, running, paused)

    def __init__(self, ctx: AppContext, bridge: EventBridge, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        assert ctx.actor is not None, "the window has a user"
        self.ctx = ctx
        self.actor = ctx.actor
        self.tz = ZoneInfo(ctx.practice.practice().timezone)
        self.state: TimerState | None = None
        self.interrupted: Interrupted | None = None
        self.total: MonthTotal | None = None
        self.stop_dialog: StopDialog | None = None
        self.recovery_dialog: QDialog | None = None
        self._pending_start: int | None = None  # start this patient once the timer stopped
        self._asked_long = False
        self._kept_on_close = False  # "Keep it running" was chosen: the window may close
        self._checked = False  # the start-up look for an interrupted timer is done
        self._total_generation = 0
        self._sync_generation = 0
        try:
            ctx.gate.authorize(self.actor, Permission.TIME_EDIT)
            self.refusal = ""
        except PermissionDenied as exc:
            self.refusal = exc.message  # the gate's words: who may time, and why not
        self._connect()
        bridge.subscribe(self, {ChangeKind.TIME, ChangeKind.ENROLLMENT}, self._on_time)
        bridge.subscribe(self, {ChangeKind.TIMER}, self._on_timer)
        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self.show_elapsed)
        self._beat = QTimer(self)
        self._beat.setInterval(HEARTBEAT_SECONDS * 1000)
        self._beat.timeout.connect(self.beat)
        self._update()
        self.refresh_total()
        self.say("")

    def _connect(self) -> None:
        self.patient.chosen.connect(lambda _pid: self._patient_changed())
        self.patient.cleared.connect(self._patient_changed)
        self.start_button.clicked.connect(self.start)
        self.pause_button.clicked.connect(self.pause_or_resume)
        self.stop_button.clicked.connect(self.stop)
        self.still_button.clicked.connect(self.confirm)
        self.stop_now_button.clicked.connect(self.stop)
        self.decide_button.clicked.connect(self.recover)

    # -- what the bar shows ------------------------------------------------------------
    @property
    def mode(self) -> str:
        """ "idle" (no patient), "chosen", "running", "paused" or "interrupted"."""
        if self.interrupted is not None:
            return "interrupted"
        if self.state is not None:
            return "paused" if self.state.paused else "running"
        return "chosen" if self.patient.patient_id is not None else "idle"

    @property
    def patient_id(self) -> int | None:
        """The patient timed, or chosen for the next start."""
        return self.state.patient_id if self.state is not None else self.patient.patient_id

    def next_connected(self) -> bool:
        """Whether "Save and next" has somewhere to go (the worklist listens)."""
        return self.receivers(SIGNAL("save_and_next(int)")) > 0

    def _update(self) -> None:
        mode, t = self.mode, self.state
        timing = t is not None
        if self.patient.isReadOnly() != timing:
            self.patient.set_locked(timing)
        self.activity.setEnabled(not timing)
        can_start = not timing and mode == "chosen" and not self.refusal
        self.start_button.setEnabled(can_start)
        keys = SHORTCUT
        if self.refusal:
            self.start_button.setToolTip(self.refusal)
        elif mode == "idle":
            self.start_button.setToolTip(self.tr("Choose a patient first"))
        else:
            self.start_button.setToolTip(self.tr("Start the timer ({keys})").format(keys=keys))
        self.start_button.setAccessibleDescription(self.start_button.toolTip())
        self.pause_button.setEnabled(timing)
        self.pause_button.setText(
            self.tr("Resume") if t is not None and t.paused else self.tr("Pause")
        )
        self.stop_button.setEnabled(timing)
        self.stop_button.setToolTip(self.tr("Stop and save the time ({keys})").format(keys=keys))
        self.status.setText(
            {"running": self.tr("Running"), "paused": self.tr("Paused")}.get(mode, "")
        )
        self.decide_button.setVisible(mode == "interrupted")
        if mode == "interrupted":
            self.say(self.tr("A timer was left running when CCM Desktop last closed."))
        if not timing:
            self.question.hide()
            self._asked_long = False
        self.show_elapsed()
        self.changed.emit()

    def show_elapsed(self) -> None:
        """The elapsed time, from the timer's true start and pauses (no database read)."""
        t = self.state
        seconds = t.elapsed_seconds(self.ctx.clock.now()) if t is not None else 0
        self.elapsed.setText(elapsed_text(seconds))
        self.elapsed.setAccessibleName(
            self.tr("Time on the timer: {t}").format(t=elapsed_text(seconds))
        )

    def say(self, text: str) -> None:
        """A line of words in the bar ("" clears it; for staff who may not time, it says
        so, and the gate's words are Start's tooltip)."""
        if not text and self.refusal:
            text = self.tr("Only clinical staff and practitioners run the call timer.")
        self.message.setText(text)
        self.message.setVisible(bool(text))

    # -- the patient and this month's total -------------------------------------------
    def offer_patient(self, patient_id: int) -> None:
        """A patient's page opened: the bar takes that patient while no timer runs."""
        if self.state is None and patient_id != self.patient.patient_id:
            self.choose_patient(patient_id)

    def choose_patient(self, patient_id: int) -> bool:
        """Put ``patient_id`` in the patient field (not while a timer runs); False when the
        record cannot be read."""
        if self.state is not None:
            return False
        try:
            d = self.ctx.patients.get(patient_id).data
        except CcmError as exc:
            self.say(refusal_words(exc))
            return False
        dob = date.fromisoformat(d.dob) if isinstance(d.dob, str) else d.dob
        name = f"{d.last_name}, {d.first_name}"
        self.patient.set_patient(patient_id, patient_words(name, d.mrn, dob))
        self._patient_changed()
        return True

    def _patient_changed(self) -> None:
        self.say("")
        self._update()
        self.refresh_total()

    def refresh_total(self) -> None:
        """Re-read this month's counted minutes of the patient (off the GUI thread)."""
        self._total_generation += 1
        generation, pid = self._total_generation, self.patient_id
        self.steps.setVisible(pid is not None)  # an empty bar would say nothing
        if pid is None:
            self.total = None
            self.steps.set_progress(0, (), "")
            self.words.setText(self.tr("Choose a patient to see this month's minutes."))
            return
        if self.total is None or self.total.patient_id != pid:  # not another's words
            self.steps.set_progress(0, (), "")
            self.words.setText(self.tr("Reading this month's minutes…"))
        now = self.ctx.clock.now().astimezone(self.tz)
        totals = self.ctx.totals

        def read(_p: Progress) -> MonthTotal:
            return totals.month_total(pid, now.year, now.month)

        run_task(
            read,
            self,
            on_success=lambda total: self._show_total(generation, total),
            on_failure=lambda exc: log.warning("month total not read: %s", type(exc).__name__),
        )

    @property
    def loading(self) -> bool:
        """The month's total is being read."""
        return self.patient_id is not None and (
            self.total is None or self.total.patient_id != self.patient_id
        )

    def _show_total(self, generation: int, total: MonthTotal) -> None:
        if generation != self._total_generation:
            return
        self.total = total
        p = total.progress
        self.steps.set_progress(total.counted, [s.minutes for s in p.steps], p.words)
        self.words.setText(p.words)
        self.changed.emit()

    def _on_time(self, change: Change) -> None:
        pid = self.patient_id
        if pid is not None and (not change.patient_ids or pid in change.patient_ids):
            self.refresh_total()

    def _on_timer(self, _change: Change) -> None:
        """A timer changed elsewhere (another page, the command line): read ours again."""
        timer, staff = self.ctx.timer, self.actor.staff_id or 0
        self._sync_generation += 1
        generation = self._sync_generation

        def read(_p: Progress) -> tuple[TimerState | None, Interrupted | None]:
            return timer.current(staff), timer.interrupted(staff)

        run_task(read, self, on_success=lambda found: self._synced(generation, *found))

    def _synced(
        self, generation: int, current: TimerState | None, interrupted: Interrupted | None
    ) -> None:
        if generation != self._sync_generation or self.stop_dialog is not None:
            return  # a newer read is under way, or the stop form decides
        self.interrupted = interrupted
        self._set_state(None if interrupted is not None else current)

    # -- the timer ---------------------------------------------------------------------
    def _set_state(self, state: TimerState | None) -> None:
        shown = self.patient_id
        self.state = state
        if state is not None:
            if self.patient.patient_id != state.patient_id:
                words = patient_words(state.patient_name, state.mrn)
                self.patient.set_patient(state.patient_id, words)
            self.activity.setCurrentIndex(max(0, self.activity.findData(state.activity)))
            self._tick.start()
            self._beat.start()
        else:
            self._tick.stop()
            self._beat.stop()
        self._update()
        if self.patient_id != shown:  # a stop's own change re-reads the total (_on_time)
            self.refresh_total()

    def toggle(self) -> None:
        """The shortcut: start when idle, stop (the form) when a timer runs."""
        if self.interrupted is not None:
            self.recover()
        elif self.state is not None:
            self.stop()
        elif self.refusal:
            self.say(self.refusal)
        elif self.patient.patient_id is None:
            self.say(self.tr("Choose a patient first: type a name or MRN."))
            self.patient.setFocus(Qt.FocusReason.ShortcutFocusReason)
        else:
            self.start()

    def start_for(self, patient_id: int) -> None:
        """Start timing ``patient_id`` (a worklist row's "Start timer"); with a timer already
        running for someone else, ask first (one timer per staff member)."""
        if self.state is not None:
            if self.state.patient_id != patient_id:
                self.ask_second_start(self.state, patient_id)
            return
        if self.choose_patient(patient_id):
            self.start()

    def start(self) -> bool:
        """Start the timer for the chosen patient; True when it runs."""
        pid = self.patient.patient_id
        if self.refusal:
            self.say(self.refusal)
            return False
        if pid is None or self.state is not None:
            return False
        activity, actor, timer = str(self.activity.currentData()), self.actor, self.ctx.timer
        try:
            state = write_and_wait(lambda: timer.start(actor, pid, activity))
        except TimerRunning as exc:
            self._refused_second(exc.timer, pid)
            return False
        except CcmError as exc:
            self.say(refusal_words(exc))
            return False
        self.say("")
        self._set_state(state)
        return True

    def _refused_second(self, running: TimerState, wanted: int) -> None:
        """The core says a timer already exists: left by an earlier run, or ours."""
        found = self.ctx.timer.interrupted(self.actor.staff_id or 0)
        if found is not None:
            self.interrupted = found
            self._update()
            self.recover()
        else:
            self._set_state(running)
            self.ask_second_start(running, wanted)

    def ask_second_start(self, running: TimerState, wanted: int) -> bool:
        """One timer per staff member: stop and save the running one first, or cancel.
        True when the user chose to stop it (the new timer starts once it is saved)."""
        chosen = ask_stop_first(self.window(), running, self.tz, self.ctx.clock.now())
        if chosen:
            self._pending_start = wanted
            self.stop()
        return chosen

    def pause_or_resume(self) -> None:
        """Pause a running timer, resume a paused one (the pause does not count)."""
        t, actor, timer = self.state, self.actor, self.ctx.timer
        if t is None:
            return
        change = timer.resume if t.paused else timer.pause
        try:
            self._set_state(write_and_wait(lambda: change(actor)))
        except CcmError as exc:
            self.say(refusal_words(exc))

    def confirm(self) -> None:
        """ "Yes, still on it": ask again only after another while."""
        actor, timer = self.actor, self.ctx.timer
        try:
            self._set_state(write_and_wait(lambda: timer.confirm(actor)))
        except CcmError as exc:
            self.say(refusal_words(exc))
            return
        self.question.hide()
        self._asked_long = False

    def stop(self) -> None:
        """Open the stop form (Escape there keeps the timer running); while it is open the
        window stays usable, and Stop or F9 bring the form back to the front."""
        self._open_stop_form(self.next_connected())

    def _open_stop_form(self, offer_next: bool) -> None:
        if self.state is None:
            return
        if self.stop_dialog is not None:
            self.stop_dialog.raise_()
            self.stop_dialog.activateWindow()
            return
        dialog = StopDialog(self.ctx, self.state, self.tz, self.window(), offer_next=offer_next)
        dialog.finished.connect(lambda result: self._stopped(dialog, result))
        self.stop_dialog = dialog
        dialog.show()  # not modal: the patient's page can be read while the note is written

    def _stopped(self, dialog: StopDialog, result: int) -> None:
        self.stop_dialog = None
        pending, self._pending_start = self._pending_start, None
        dialog.deleteLater()
        if result != QDialog.DialogCode.Accepted:
            self.say(self.tr("The timer is still running.") if self.state else "")
            return
        pid = self.state.patient_id if self.state else None
        self._set_state(None)
        if dialog.discarded:
            self.say(self.tr("The timer was discarded; no time was saved."))
        else:
            split = self.tr("Time saved as two entries: the month ended while the timer ran.")
            self.say(self.tr("Time saved.") if len(dialog.saved_ids) == 1 else split)
        if pending is not None:
            self.start_for(pending)
        elif dialog.next_requested and pid is not None:
            self.save_and_next.emit(pid)

    def may_close(self, close: Callable[[], None]) -> bool:
        """Whether the window may close now. With this user's timer running or paused,
        ask (close_question.py): "Stop and save" opens the stop form and calls ``close``
        once the time is saved or discarded (not when the form is cancelled): False now;
        "Keep it running" beats the heartbeat once, so the next start offers the minutes
        up to this moment: True; "Cancel": False."""
        from ccm_desktop.ui.timer.close_question import OnClose, ask_on_close

        if self.state is None or self._kept_on_close:
            return True
        answer = ask_on_close(self.window(), self.state, self.tz, self.ctx.clock.now())
        if answer == OnClose.KEEP:
            self._kept_on_close = True
            actor, timer = self.actor, self.ctx.timer
            try:
                write_and_wait(lambda: timer.heartbeat(actor))
            except CcmError as exc:  # the last beat stands: the recovery offers up to it
                log.warning("last heartbeat at close failed: %s", type(exc).__name__)
            return True
        if answer == OnClose.STOP:
            self._open_stop_form(offer_next=False)
            dialog = self.stop_dialog
            if dialog is not None:

                def then(result: int) -> None:
                    if result == QDialog.DialogCode.Accepted:
                        QTimer.singleShot(0, close)

                dialog.finished.connect(then)
        return False

    # -- heartbeat, long timers, recovery ----------------------------------------------
    def beat(self) -> None:
        """Tell the database the timer is alive (every 30 s, on the writer thread), and
        ask whether a long timer is still real. A failed beat is logged, never shown."""
        t, actor, timer, clock = self.state, self.actor, self.ctx.timer, self.ctx.clock
        if t is None:
            return

        def work(_p: Progress) -> tuple[bool, datetime]:
            timer.heartbeat(actor)
            now = clock.now()
            return timer.needs_confirmation(t, now), now

        run_write(
            work,
            self,
            on_success=lambda answer: self._beaten(t.id, *answer),
            on_failure=lambda exc: log.warning("timer heartbeat failed: %s", type(exc).__name__),
        )

    def _beaten(self, timer_id: int, long: bool, now: datetime) -> None:
        t = self.state
        if t is None or t.id != timer_id or not long or self._asked_long:
            return
        self._asked_long = True
        self.question_label.setText(
            self.tr("Timer running for {minutes} min — still on this call?").format(
                minutes=t.minutes(now)
            )
        )
        self.question.show()
        self.say("")

    def recover(self) -> None:
        """Offer to save or discard the timer an earlier run left (recovery_dialog.py)."""
        from ccm_desktop.ui.timer.recovery_dialog import RecoveryDialog

        found = self.interrupted
        if found is None or self.recovery_dialog is not None:
            return
        dialog = RecoveryDialog(self.ctx, found, self.tz, self.window())
        dialog.finished.connect(lambda _r: self._recovered(dialog))
        self.recovery_dialog = dialog
        dialog.open()

    def _recovered(self, dialog: QDialog) -> None:
        from ccm_desktop.ui.timer.recovery_dialog import RecoveryDialog

        assert isinstance(dialog, RecoveryDialog)
        self.recovery_dialog = None
        dialog.deleteLater()
        if dialog.outcome:
            self.interrupted = None
            self.say(dialog.outcome)
            self._update()
            self.refresh_total()

    def check_interrupted(self) -> None:
        """At start-up, once the first list is painted: read whether an earlier run left a
        timer (off the GUI thread) and, if so, offer to finish or discard it."""
        timer, staff = self.ctx.timer, self.actor.staff_id
        if staff is None or self._checked or not self.isVisible():
            return  # (a window already closed: its practice is closing)
        self._checked = True

        def read(_p: Progress) -> Interrupted | None:
            return timer.interrupted(staff)

        run_task(read, self, on_success=self._found_interrupted)

    def _found_interrupted(self, found: Interrupted | None) -> None:
        if found is None or self.state is not None:
            return
        self.interrupted = found
        self._update()
        self.recover()
