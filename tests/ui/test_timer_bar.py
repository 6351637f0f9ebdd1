"""The timer bar in the main window: the shortcut, pause and resume, the stop form, the
month's total moving, a second start, the long-timer question, the heartbeat, the front
desk (ui/timer/timer_bar.py, ui/timer/stop_dialog.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from ccm_desktop.app import AppContext, open_practice
from ccm_desktop.paths import DataPaths
from ccm_desktop.security.audit import events_for
from ccm_desktop.ui.main_window import MainWindow
from ccm_desktop.ui.pages import PageSpec
from ccm_desktop.ui.timer.stop_dialog import DiscardDialog, StopDialog
from ccm_desktop.ui.timer.timer_bar import TimerBar
from tests.conftest import FIXED_NOW, PASSPHRASE
from tests.test_timer import MovingClock
from tests.ui.conftest import Sample, add_sample_patients, when_modal

pytestmark = pytest.mark.gui
WAIT_MS = 15000  # the machine may be busy: a wait ends as soon as its condition holds


@pytest.fixture
def clock() -> MovingClock:
    return MovingClock(FIXED_NOW)


@pytest.fixture
def tctx(practice_paths: DataPaths, clock: MovingClock) -> Iterator[AppContext]:
    """The practice on a clock the test moves (the bar reads the same clock)."""
    c = open_practice(practice_paths, PASSPHRASE, clock=clock)
    c.actor = c.practice.actor_for("dr.example")
    yield c
    c.close()


@pytest.fixture
def people(tctx: AppContext) -> Sample:
    return add_sample_patients(tctx, tctx.practice.actor_for("dr.example"))


def timer_pages() -> list[PageSpec]:
    """The patient pages and the practice page (the worklist is tested with its page)."""
    from ccm_desktop.ui.patients import patient_detail, patients_page
    from ccm_desktop.ui.practice import practice_page

    return [patients_page.PAGE, practice_page.PAGE, patient_detail.PAGE]


def open_window(
    qtbot, ctx: AppContext, settings, username: str, *, worklist: bool = False
) -> MainWindow:
    """The main window of ``username``; with ``worklist`` the default pages (the worklist
    first), else :func:`timer_pages`."""
    staff = next(s for s in ctx.practice.staff() if s.username == username)
    ctx.actor = ctx.practice.actor_for(username)
    w = MainWindow(ctx, settings, staff=staff, pages=None if worklist else timer_pages())
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    qtbot.waitUntil(lambda: not w.patients_page.loading, timeout=WAIT_MS)
    return w


@pytest.fixture
def window(qtbot, tctx, people, settings) -> Iterator[MainWindow]:
    w = open_window(qtbot, tctx, settings, "nurse.kim")
    yield w
    qtbot.waitUntil(lambda: not w.practice_page.busy(), timeout=10000)


def words_of(qtbot, bar: TimerBar) -> str:
    qtbot.waitUntil(lambda: not bar.loading, timeout=WAIT_MS)
    return bar.words.text()


def press_f9(qtbot, window: MainWindow) -> None:
    qtbot.keyClick(window, Qt.Key.Key_F9)


def stop_form(qtbot, bar: TimerBar) -> StopDialog:
    qtbot.waitUntil(
        lambda: bar.stop_dialog is not None and bar.stop_dialog.isVisible(), timeout=WAIT_MS
    )
    assert bar.stop_dialog is not None
    return bar.stop_dialog


def test_the_bar_is_above_every_page(qtbot, window):
    bar = window.timer_bar
    assert bar.isVisible() and bar.mode == "idle"
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None, timeout=WAIT_MS)
    assert not bar.isAncestorOf(QApplication.focusWidget())  # the page has the focus first
    for key in ("practice", "patients"):
        window.show_page(key)
        assert bar.isVisible()
    assert window.timer_action.shortcut().toString() == "F9"
    assert window.timer_action.shortcutContext() == Qt.ShortcutContext.ApplicationShortcut
    assert not bar.start_button.isEnabled()
    assert bar.start_button.toolTip() == "Choose a patient first"
    assert bar.words.text() == "Choose a patient to see this month's minutes."


def test_start_pause_resume_stop_with_the_shortcut_and_the_total_moves(
    qtbot, window, tctx, people, clock
):
    bar = window.timer_bar
    window.open_patient(people.doe)  # the open patient is offered
    assert bar.mode == "chosen" and bar.patient_id == people.doe
    assert "Doe, Jane (MRN A100" in bar.patient.text()
    assert words_of(qtbot, bar) == "14 of 20 min this month: 6 more for 99490"
    assert bar.steps.steps == (20, 40, 60) and bar.steps.minutes == 14
    assert bar.steps.accessibleName() == bar.words.text()
    window.show_page("practice")  # the shortcut works from any page
    press_f9(qtbot, window)
    assert bar.mode == "running" and bar.status.text() == "Running"
    kim = tctx.actor.staff_id
    running = tctx.timer.current(kim)
    assert running is not None and running.patient_id == people.doe
    assert running.started_at == FIXED_NOW
    clock.move(minutes=3)
    bar.show_elapsed()
    assert bar.elapsed.text() == "0:03:00"
    qtbot.mouseClick(bar.pause_button, Qt.MouseButton.LeftButton)
    assert bar.mode == "paused" and bar.pause_button.text() == "Resume"
    assert bar.status.text() == "Paused"
    clock.move(minutes=5)  # the pause does not count
    bar.show_elapsed()
    assert bar.elapsed.text() == "0:03:00"
    qtbot.mouseClick(bar.pause_button, Qt.MouseButton.LeftButton)
    assert bar.mode == "running"
    clock.move(minutes=4, seconds=20)
    qtbot.wait(1100)  # the tick reads the clock: no action needed
    assert bar.elapsed.text() == "0:07:20"

    press_f9(qtbot, window)
    form = stop_form(qtbot, bar)
    assert form.minutes.value() == 7
    assert form.activity.currentData() == "call_patient"
    assert not form.next_button.isVisible()  # no worklist listens in this window
    qtbot.keyClick(form.note, Qt.Key.Key_Return)  # Enter saves ... once contact is said
    assert form.isVisible()
    assert form.errors.visible("patient_contact") == (
        "Choose Yes or No: was the patient or a caregiver reached?"
    )
    form.contact_yes.setChecked(True)
    form.note.setText("reviewed blood sugar log")
    qtbot.keyClick(form.note, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bar.stop_dialog is None, timeout=WAIT_MS)
    assert tctx.timer.current(kim) is None
    assert bar.mode == "chosen" and bar.elapsed.text() == "0:00:00"
    entry = next(e for e in tctx.time.entries(people.doe) if e.source == "timer")
    assert (entry.started_at, entry.minutes, entry.patient_contact) == (FIXED_NOW, 7, True)
    assert entry.note == "reviewed blood sugar log"
    qtbot.waitUntil(lambda: bar.words.text().startswith("21 "), timeout=WAIT_MS)
    assert bar.words.text() == "21 of 40 min this month: 19 more for 99439"
    assert bar.steps.minutes == 21
    assert bar.message.text() == "Time saved."


def test_changed_minutes_need_a_reason_and_escape_keeps_the_timer(
    qtbot, window, tctx, people, clock
):
    bar = window.timer_bar
    bar.start_for(people.nguyen)
    assert bar.mode == "running"
    clock.move(minutes=10, seconds=5)
    bar.stop()
    form = stop_form(qtbot, bar)
    assert form.minutes.value() == 10
    assert not form.reason.isVisibleTo(form)
    form.contact_no.setChecked(True)
    form.minutes.setValue(12)
    assert form.reason.isVisibleTo(form)  # changing the time asks why
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert form.errors.visible("reason") == "Say why the minutes differ from the timer's."
    form.reason.setText("the call began before I started the timer")
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    # the core refuses minutes that would end in the future: next to the minutes
    assert form.errors.visible("minutes").startswith("The timer started 10 minutes ago")
    assert form.isVisible()
    qtbot.keyClick(form, Qt.Key.Key_Escape)  # cancel: the timer keeps running
    qtbot.waitUntil(lambda: bar.stop_dialog is None, timeout=WAIT_MS)
    assert bar.mode == "running" and tctx.timer.current(tctx.actor.staff_id) is not None
    assert bar.message.text() == "The timer is still running."
    assert [e for e in tctx.time.entries(people.nguyen) if e.source == "timer"] == []

    bar.stop()
    form = stop_form(qtbot, bar)
    form.contact_no.setChecked(True)
    form.minutes.setValue(9)
    form.reason.setText("stepped away for a minute")
    qtbot.keyClick(form.reason, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bar.stop_dialog is None, timeout=WAIT_MS)
    entry = next(e for e in tctx.time.entries(people.nguyen) if e.source == "timer")
    assert (entry.minutes, entry.patient_contact) == (9, False)
    with tctx.db.read() as s:
        stop = next(e for e in events_for(s, limit=50) if e.action == "timer.stop")
    assert stop.detail["measured_minutes"] == 10 and stop.detail["minutes"] == 9
    assert stop.detail["reason"] == "stepped away for a minute"


def test_a_second_start_asks_to_stop_and_save_the_first(qtbot, window, tctx, people, clock):
    bar = window.timer_bar
    bar.start_for(people.doe)
    clock.move(minutes=5)
    seen: list[str] = []

    def cancel(box: QMessageBox) -> None:
        seen.append(box.text())
        next(b for b in box.buttons() if b.text() == "Cancel").click()

    when_modal(QMessageBox, cancel)
    window.start_timer_for(people.nguyen)  # a worklist row's "Start timer"
    assert seen == ["You have a timer running for Doe, Jane since 10:00 AM (5 minutes)."]
    assert bar.state is not None and bar.state.patient_id == people.doe

    def stop_first(box: QMessageBox) -> None:
        next(b for b in box.buttons() if b.text() == "Stop and save it first").click()

    when_modal(QMessageBox, stop_first)
    window.start_timer_for(people.nguyen)
    form = stop_form(qtbot, bar)
    assert form.timer.patient_id == people.doe
    form.contact_yes.setChecked(True)
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: bar.state is not None and bar.state.patient_id == people.nguyen, timeout=WAIT_MS
    )
    assert bar.mode == "running" and "Nguyen, Thanh" in bar.patient.text()
    assert [e.minutes for e in tctx.time.entries(people.doe) if e.source == "timer"] == [5]
    assert tctx.timer.current(tctx.actor.staff_id).patient_id == people.nguyen


def test_the_long_timer_question_and_the_heartbeat(qtbot, window, tctx, people, clock):
    bar = window.timer_bar
    bar.start_for(people.doe)
    kim = tctx.actor.staff_id
    clock.move(seconds=30)
    bar.beat()
    qtbot.waitUntil(lambda: tctx.timer.current(kim).heartbeat_at == clock.at, timeout=WAIT_MS)
    assert not bar.question.isVisible()
    clock.move(minutes=61)
    bar.beat()
    qtbot.waitUntil(bar.question.isVisible, timeout=WAIT_MS)
    assert bar.question_label.text() == "Timer running for 61 min — still on this call?"
    qtbot.mouseClick(bar.still_button, Qt.MouseButton.LeftButton)
    assert not bar.question.isVisible()
    assert tctx.timer.current(kim).confirmed_at == clock.at
    clock.move(minutes=30)
    bar.beat()
    qtbot.wait(300)
    assert not bar.question.isVisible()  # asked again only after another hour
    clock.move(minutes=31)
    bar.beat()
    qtbot.waitUntil(bar.question.isVisible, timeout=WAIT_MS)
    qtbot.mouseClick(bar.stop_now_button, Qt.MouseButton.LeftButton)
    form = stop_form(qtbot, bar)
    assert form.minutes.value() == 122


def test_discard_needs_a_reason(qtbot, window, tctx, people, clock):
    bar = window.timer_bar
    bar.start_for(people.smith)
    clock.move(minutes=2)
    bar.stop()
    form = stop_form(qtbot, bar)
    said: list[str] = []

    def discard(d: DiscardDialog) -> None:
        d.discard()  # no reason yet
        said.append(d.message.text())
        d.reason.setText("started for the wrong patient")
        qtbot.mouseClick(d.discard_button, Qt.MouseButton.LeftButton)

    when_modal(DiscardDialog, discard)
    qtbot.mouseClick(form.discard_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bar.stop_dialog is None, timeout=WAIT_MS)
    assert said == ["Say why the timed minutes are discarded."]
    assert tctx.timer.current(tctx.actor.staff_id) is None
    assert bar.message.text() == "The timer was discarded; no time was saved."
    assert [e for e in tctx.time.entries(people.smith) if e.source == "timer"] == []


def test_save_and_next_hands_on_the_patient(qtbot, window, people, clock):
    bar = window.timer_bar
    moved: list[int] = []
    bar.save_and_next.connect(moved.append)
    bar.start_for(people.doe)
    clock.move(minutes=3)
    bar.stop()
    form = stop_form(qtbot, bar)
    assert form.next_button.isVisible()
    form.contact_yes.setChecked(True)
    qtbot.mouseClick(form.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: moved == [people.doe], timeout=WAIT_MS)


def test_search_as_you_type_chooses_the_patient(qtbot, window, people):
    bar = window.timer_bar
    bar.patient.setFocus()
    qtbot.keyClicks(bar.patient, "garc")
    qtbot.waitUntil(lambda: not bar.patient.searching, timeout=WAIT_MS)
    popup = bar.patient.completer_.popup()
    qtbot.waitUntil(popup.isVisible, timeout=WAIT_MS)
    assert [
        bar.patient.suggestions.item(i).text() for i in range(bar.patient.suggestions.rowCount())
    ] == ["Garcia, Maria (MRN B200, born 01/20/1955)"]
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert bar.mode == "chosen" and bar.patient_id == people.garcia
    assert bar.start_button.isEnabled()
    assert words_of(qtbot, bar) == "0 min this month (not enrolled)"
    qtbot.keyClick(bar.patient, Qt.Key.Key_End)
    qtbot.keyClick(bar.patient, Qt.Key.Key_Backspace)  # the text no longer names her
    assert bar.mode == "idle" and not bar.start_button.isEnabled()


def test_front_desk_sees_start_disabled_with_the_reason(qtbot, tctx, people, settings, shots):
    w = open_window(qtbot, tctx, settings, "front")
    bar = w.timer_bar
    w.open_patient(people.doe)
    assert bar.mode == "chosen" and not bar.start_button.isEnabled()
    assert bar.message.text() == "Only clinical staff and practitioners run the call timer."
    assert words_of(qtbot, bar) == "14 of 20 min this month: 6 more for 99490"
    shots(bar, "timer-bar-front-desk")
    assert "may not" in bar.start_button.toolTip()
    assert bar.start_button.toolTip() == bar.refusal
    press_f9(qtbot, w)
    assert bar.mode == "chosen" and bar.message.text() == bar.refusal
    assert tctx.timer.current(tctx.actor.staff_id) is None
    assert QApplication.activeModalWidget() is None  # said in the bar, no message box


def test_save_and_next_goes_down_the_worklist(qtbot, tctx, people, settings, clock):
    """With the worklist page (the care manager's home page), "Save and next" saves the time
    and puts the worklist's next patient in the bar, chosen in the list too."""
    from ccm_desktop.ui.worklist.worklist_page import WorklistPage

    w = open_window(qtbot, tctx, settings, "nurse.kim", worklist=True)
    page = w.pages["worklist"]
    assert isinstance(page, WorklistPage) and w.current_page() == "worklist"
    page.all_button.click()  # the sample patients have no care manager yet
    qtbot.waitUntil(lambda: not page.loading and len(page.model.rows()) >= 2, timeout=WAIT_MS)
    order = [r.patient_id for r in page.model.rows()]
    bar = w.timer_bar
    w.start_timer_for(order[0])
    assert bar.mode == "running" and bar.patient_id == order[0]
    clock.move(minutes=4)
    bar.stop()
    form = stop_form(qtbot, bar)
    assert form.next_button.isVisible()
    form.contact_yes.setChecked(True)
    qtbot.mouseClick(form.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bar.patient_id == order[1], timeout=WAIT_MS)
    assert bar.mode == "chosen" and page.selected_patient_id() == order[1]
    assert [e.minutes for e in tctx.time.entries(order[0]) if e.source == "timer"] == [4]
    qtbot.waitUntil(lambda: not page.loading, timeout=WAIT_MS)


def test_a_timer_started_elsewhere_shows_in_the_bar(qtbot, window, tctx, people):
    """The bar follows the database, not only its own buttons (a timer change published by
    the service is read again, off the GUI thread)."""
    bar = window.timer_bar
    tctx.timer.start(tctx.actor, people.smith, "education")
    qtbot.waitUntil(lambda: bar.mode == "running", timeout=WAIT_MS)
    assert bar.patient_id == people.smith and "Smith, John" in bar.patient.text()
    assert bar.activity.currentData() == "education" and not bar.activity.isEnabled()
    tctx.timer.discard(tctx.actor, "test")
    qtbot.waitUntil(lambda: bar.mode == "chosen", timeout=WAIT_MS)


def test_steps_shown_for_complex_ccm():
    from ccm_desktop.ui.timer.steps_bar import shown_steps

    complex_ccm = list(range(60, 361, 30))
    assert shown_steps(0, complex_ccm) == (60, 90, 120)
    assert shown_steps(95, complex_ccm) == (60, 90, 120, 150)
    assert shown_steps(14, [20, 40, 60]) == (20, 40, 60)
