"""Screenshots of the call timer for ``tools/screenshots.py``: the bar idle, with a patient,
running, paused, the question on closing the window, and asking about a long timer; the
stop form (and with the reason for changed minutes); the recovery prompt (synthetic demo
patients only)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from PySide6.QtWidgets import QWidget

from ccm_desktop.app import AppContext
from ccm_desktop.services.patients import PatientFilter
from ccm_desktop.services.timer import Interrupted

Save = Callable[[QWidget, str], None]
Wait = Callable[[Callable[[], bool]], None]


@contextlib.contextmanager
def _later(ctx: AppContext, **delta: float) -> Iterator[datetime]:
    """The practice's clock moved forward for a while (the tool's clock is fixed), so the
    timer has run; put back afterwards."""
    clock = ctx.clock
    before = clock._now  # the tool's own fixed clock (Clock's callable)
    at = before() + timedelta(**delta)
    clock._now = lambda: at
    try:
        yield at
    finally:
        clock._now = before


def _ccm_patient(ctx: AppContext) -> int:
    """An enrolled CCM patient still short of 20 minutes this month (the bar has a way to go)."""
    rows = ctx.patients.rows(PatientFilter(status="enrolled", program="ccm"), limit=200)
    short = [r for r in rows if 0 < r.minutes_this_month < 20]
    return (short or rows)[0].id


def _close_question(window: QWidget, bar: Any, save: Save) -> None:
    """The question on closing the window while the timer runs, answered "Cancel"."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from ccm_desktop.ui.timer.close_question import ask_on_close

    def shoot() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        save(box, "timer-close-question")
        box.escapeButton().click()  # type: ignore[union-attr]

    QTimer.singleShot(300, shoot)
    ask_on_close(window, bar.state, bar.tz, bar.ctx.clock.now())


def timer_shots(ctx: AppContext, window: QWidget, save: Save, wait_for: Wait) -> None:
    """Each state of the bar on the patient list, then the stop form and the recovery prompt."""
    from ccm_desktop.ui.main_window import MainWindow
    from ccm_desktop.ui.timer.recovery_dialog import RecoveryDialog

    assert isinstance(window, MainWindow) and window.staff is not None
    ctx.actor = ctx.practice.actor_for(window.staff.username)  # the window's own user
    bar = window.timer_bar
    window.show_page("patients")
    save(window, "timer-idle")
    pid = _ccm_patient(ctx)
    window.open_patient(pid)
    wait_for(lambda: not bar.loading)
    save(window, "timer-patient")
    bar.start()
    with _later(ctx, minutes=8, seconds=42):
        bar.show_elapsed()
        save(window, "timer-running")
        bar.pause_or_resume()
        save(window, "timer-paused")
        bar.pause_or_resume()
        _close_question(window, bar, save)
    with _later(ctx, minutes=61, seconds=10):
        bar.show_elapsed()
        bar.beat()  # the heartbeat's answer: the timer has run long
        wait_for(bar.question.isVisible)
        save(window, "timer-long")
        bar.stop()
        form = bar.stop_dialog
        assert form is not None
        form.contact_yes.setChecked(True)
        form.note.setText("Reviewed the blood sugar log; she will bring it to the visit.")
        save(form, "timer-stop")
        form.minutes.setValue(form.minutes.value() - 5)
        form.save()
        save(form, "timer-stop-reason")
        form.reject()
    wait_for(lambda: bar.stop_dialog is None)
    state = bar.state
    assert state is not None
    left = replace(state, heartbeat_at=state.started_at + timedelta(minutes=17, seconds=30))
    prompt = RecoveryDialog(ctx, Interrupted(left, left.heartbeat_at, 17), bar.tz, window)
    prompt.show()
    save(prompt, "timer-recovery")
    prompt.close()
    actor = ctx.actor
    assert actor is not None
    ctx.timer.discard(actor, "screenshot only")
    wait_for(lambda: bar.state is None)
