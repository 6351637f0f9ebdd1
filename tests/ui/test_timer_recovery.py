"""Recovery at start-up: a timer left running by an earlier run of the application (its
context closed without stopping it) is offered when a new window opens on the practice:
saved up to the last moment that run was alive, discarded with a reason, or left for
later (ui/timer/recovery_dialog.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from ccm_desktop.app import AppContext, open_practice
from ccm_desktop.paths import DataPaths
from ccm_desktop.security.audit import events_for
from ccm_desktop.ui.main_window import MainWindow
from ccm_desktop.ui.timer.recovery_dialog import RecoveryDialog
from ccm_desktop.ui.timer.stop_dialog import DiscardDialog, StopDialog
from tests.conftest import FIXED_NOW, PASSPHRASE
from tests.test_timer import MovingClock
from tests.ui.conftest import add_sample_patients, when_modal
from tests.ui.test_timer_bar import open_window

pytestmark = pytest.mark.gui
WAIT_MS = 15000  # the machine may be busy: a wait ends as soon as its condition holds


@pytest.fixture
def clock() -> MovingClock:
    return MovingClock(FIXED_NOW)


@pytest.fixture
def left_running(practice_paths: DataPaths, clock: MovingClock) -> int:
    """An earlier run: Kim starts a timer for Jane Doe, the app beats for 12 minutes, then
    dies (its context closes without a stop); the new run starts 40 minutes later."""
    earlier = open_practice(practice_paths, PASSPHRASE, clock=clock)
    try:
        sample = add_sample_patients(earlier, earlier.practice.actor_for("dr.example"))
        kim = earlier.practice.actor_for("nurse.kim")
        earlier.timer.start(kim, sample.doe, "call_patient")
        clock.move(minutes=12, seconds=40)
        assert earlier.timer.heartbeat(kim)
    finally:
        earlier.close()
    clock.move(minutes=40)
    return sample.doe


@pytest.fixture
def new_run(practice_paths: DataPaths, clock: MovingClock, left_running) -> Iterator[AppContext]:
    c = open_practice(practice_paths, PASSPHRASE, clock=clock)
    yield c
    c.close()


@pytest.fixture
def window(qtbot, new_run: AppContext, settings) -> Iterator[MainWindow]:
    w = open_window(qtbot, new_run, settings, "nurse.kim")
    yield w
    qtbot.waitUntil(lambda: not w.practice_page.busy(), timeout=10000)


def prompt(qtbot, window: MainWindow) -> RecoveryDialog:
    """The prompt, once the first list is painted."""
    bar = window.timer_bar
    qtbot.waitUntil(lambda: bar.recovery_dialog is not None, timeout=WAIT_MS)
    dialog = bar.recovery_dialog
    assert isinstance(dialog, RecoveryDialog) and dialog.isVisible()
    return dialog


def _texts(dialog: RecoveryDialog) -> list[str]:
    from PySide6.QtWidgets import QLabel

    return [label.text() for label in dialog.findChildren(QLabel)]


def _recover_events(ctx: AppContext) -> list[dict]:
    with ctx.db.read() as s:
        return [e.detail for e in events_for(s, limit=100) if e.action == "timer.recover"]


def test_the_prompt_says_what_was_left_and_saves_it_up_to_the_last_heartbeat(
    qtbot, window, new_run, left_running
):
    dialog = prompt(qtbot, window)
    texts = _texts(dialog)
    assert "A timer was still running when CCM Desktop last closed" in texts
    for fact in (
        "Doe, Jane (MRN A100)",
        "Call with patient",
        "10:00 AM on 11/16/2026",  # the true start
        "10:12 AM on 11/16/2026",  # the last moment the earlier run was alive
        "12 minutes",
    ):
        assert fact in texts
    assert dialog.save_button.text() == "&Save 12 minutes"

    def fill(form: StopDialog) -> None:
        assert form.minutes.value() == 12  # fixed: the earlier run's minutes, not now's
        form.contact_yes.setChecked(True)
        qtbot.keyClick(form.note, Qt.Key.Key_Return)

    when_modal(StopDialog, fill)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    bar = window.timer_bar
    qtbot.waitUntil(lambda: bar.recovery_dialog is None, timeout=WAIT_MS)
    assert bar.mode == "idle"
    assert bar.message.text() == "The interrupted timer's time was saved."
    (entry,) = [e for e in new_run.time.entries(left_running) if e.source == "timer"]
    assert (entry.started_at, entry.minutes) == (FIXED_NOW, 12)
    assert new_run.timer.current(new_run.actor.staff_id) is None
    (detail,) = _recover_events(new_run)
    assert detail["outcome"] == "finished" and detail["minutes"] == 12


def test_saving_other_minutes_needs_a_reason(qtbot, window, new_run, left_running):
    dialog = prompt(qtbot, window)
    said: list[str] = []

    def fill(form: StopDialog) -> None:
        form.contact_no.setChecked(True)
        form.minutes.setValue(20)  # the call went on after the app died
        form.save()
        said.append(form.errors.visible("reason"))
        form.reason.setText("the call went on after the computer froze")
        form.save()

    when_modal(StopDialog, fill)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.timer_bar.recovery_dialog is None, timeout=WAIT_MS)
    assert said == ["Say why the minutes differ from the timer's."]
    (entry,) = [e for e in new_run.time.entries(left_running) if e.source == "timer"]
    assert entry.minutes == 20 and entry.started_at == FIXED_NOW
    (detail,) = _recover_events(new_run)
    assert detail["reason"] == "the call went on after the computer froze"


def test_discard_it_with_a_reason(qtbot, window, new_run, left_running):
    dialog = prompt(qtbot, window)

    def discard(d: DiscardDialog) -> None:
        d.reason.setText("test call, not a patient")
        qtbot.mouseClick(d.discard_button, Qt.MouseButton.LeftButton)

    when_modal(DiscardDialog, discard)
    qtbot.mouseClick(dialog.discard_button, Qt.MouseButton.LeftButton)
    bar = window.timer_bar
    qtbot.waitUntil(lambda: bar.recovery_dialog is None, timeout=WAIT_MS)
    assert bar.message.text() == "The interrupted timer was discarded; no time was saved."
    assert [e for e in new_run.time.entries(left_running) if e.source == "timer"] == []
    assert new_run.timer.current(new_run.actor.staff_id) is None
    (detail,) = _recover_events(new_run)
    assert detail["outcome"] == "discarded" and detail["reason"] == "test call, not a patient"


def test_decide_later_keeps_it_and_the_bar_offers_it_again(qtbot, window, new_run, clock):
    dialog = prompt(qtbot, window)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    bar = window.timer_bar
    qtbot.waitUntil(lambda: bar.recovery_dialog is None, timeout=WAIT_MS)
    assert bar.mode == "interrupted" and bar.decide_button.isVisible()
    assert bar.message.text() == "A timer was left running when CCM Desktop last closed."
    assert not bar.start_button.isEnabled()
    left = new_run.timer.current(new_run.actor.staff_id)
    assert left is not None  # nothing was lost
    clock.move(seconds=30)
    bar.beat()  # an interrupted timer has no heartbeat in this run: its last moment stays
    qtbot.wait(200)
    assert new_run.timer.current(new_run.actor.staff_id).heartbeat_at == left.heartbeat_at
    assert left.heartbeat_at == FIXED_NOW + timedelta(minutes=12, seconds=40)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=WAIT_MS)
    qtbot.keyClick(window, Qt.Key.Key_F9)  # the shortcut asks again
    again = prompt(qtbot, window)
    again.reject()
