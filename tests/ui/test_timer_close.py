"""Closing the window while the user's timer runs: "Stop and save", "Keep it running" or
"Cancel" (ui/timer/close_question.py, TimerBar.may_close, MainWindow.closeEvent)."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from ccm_desktop.ui.timer import close_question
from tests.conftest import FIXED_NOW
from tests.ui import test_timer_bar as bar_tests
from tests.ui.conftest import when_modal
from tests.ui.test_timer_bar import WAIT_MS, open_window, stop_form

clock, tctx, people = bar_tests.clock, bar_tests.tctx, bar_tests.people  # the same fixtures

pytestmark = pytest.mark.gui
REAL_QUESTION = close_question.ask_on_close  # tests/ui/conftest.py answers it for others
SHOT = Path("/tmp/ccm-timer-close.png")


@pytest.fixture
def asked(monkeypatch):
    """The real question, answered by each test through :func:`when_modal`."""
    monkeypatch.setattr(close_question, "ask_on_close", REAL_QUESTION)


def answer(text: str, seen: list[str] | None = None, shot=None) -> None:
    """Click ``text`` in the next question box (its words into ``seen``, a picture by ``shot``)."""

    def click(box: QMessageBox) -> None:
        if seen is not None:
            seen.append(f"{box.text()}\n{box.informativeText()}")
        if shot is not None:
            shutil.copy(shot(box, "timer-on-close"), SHOT)
        next(b for b in box.buttons() if b.text() == text).click()

    when_modal(QMessageBox, click)


def test_cancel_keeps_the_window_open(
    qtbot, tctx, people, settings, clock, asked, shots, monkeypatch
):
    window = open_window(qtbot, tctx, settings, "nurse.kim")
    bar = window.timer_bar
    bar.start_for(people.doe)
    clock.move(minutes=12)
    seen: list[str] = []
    answer("Cancel", seen, shots)
    assert not window.close()
    assert window.isVisible() and bar.mode == "running"
    assert seen[0].startswith(
        "Your timer for Doe, Jane is still running (since 10:00 AM, 12 minutes).\n"
    )
    assert "Keep it running: CCM Desktop closes now. The next time you open it" in seen[0]
    assert tctx.timer.current(tctx.actor.staff_id) is not None
    # the window closes at the test's end, before the fixtures' own ends: keep, unasked
    monkeypatch.setattr(close_question, "ask_on_close", lambda *_a: close_question.OnClose.KEEP)


def test_keep_it_running_closes_and_leaves_the_timer_to_recover(
    qtbot, tctx, people, settings, clock, asked
):
    window = open_window(qtbot, tctx, settings, "nurse.kim")
    window.timer_bar.start_for(people.doe)
    clock.move(minutes=4)
    answer("Keep it running")
    assert window.close()
    assert not window.isVisible()
    left = tctx.timer.current(tctx.actor.staff_id)
    assert left is not None and left.patient_id == people.doe
    assert left.heartbeat_at == FIXED_NOW + timedelta(minutes=4)  # minutes up to the close
    assert [e for e in tctx.time.entries(people.doe) if e.source == "timer"] == []


def test_stop_and_save_closes_once_the_time_is_saved(qtbot, tctx, people, settings, clock, asked):
    window = open_window(qtbot, tctx, settings, "nurse.kim")
    bar = window.timer_bar
    bar.start_for(people.doe)
    clock.move(minutes=6)
    answer("Stop and save")
    assert not window.close()  # the form first
    form = stop_form(qtbot, bar)
    assert not form.next_button.isVisible()  # closing: no next patient
    form.reject()  # the form cancelled: the window stays, the timer runs
    qtbot.waitUntil(lambda: bar.stop_dialog is None, timeout=WAIT_MS)
    qtbot.wait(50)
    assert window.isVisible() and bar.mode == "running"

    answer("Stop and save")
    window.close()
    form = stop_form(qtbot, bar)
    form.contact_yes.setChecked(True)
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=WAIT_MS)
    [entry] = [e for e in tctx.time.entries(people.doe) if e.source == "timer"]
    assert (entry.started_at, entry.minutes) == (FIXED_NOW, 6)
    assert tctx.timer.current(tctx.actor.staff_id) is None


def test_no_question_without_a_running_timer(qtbot, tctx, people, settings, monkeypatch):
    def never(*_a):
        raise AssertionError("asked with no timer running")

    monkeypatch.setattr(close_question, "ask_on_close", never)
    window = open_window(qtbot, tctx, settings, "nurse.kim")
    assert window.close() and not window.isVisible()
