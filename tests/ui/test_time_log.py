"""The patient page's time log: add, edit and void with history, the month's totals, the
core's refusals next to the field, the month picker, and read-only for the front desk."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt, QTime

from ccm_desktop.services.timing import TimeInput
from ccm_desktop.ui.common.bridge import EventBridge
from ccm_desktop.ui.patients.patient_detail import TIME, PatientDetailPage
from ccm_desktop.ui.patients.time_dialogs import HistoryDialog, TimeEntryDialog, VoidDialog
from ccm_desktop.ui.patients.time_log import TimeLogTab

pytestmark = pytest.mark.gui


def cells(view) -> list[list[str]]:
    m = view.model()
    return [[m.index(r, c).data() for c in range(m.columnCount())] for r in range(m.rowCount())]


def nurse_id(ctx) -> int:
    return next(s.id for s in ctx.practice.staff() if s.username == "nurse.kim")


def open_page(qtbot, ctx, patient_id: int) -> PatientDetailPage:
    bridge = EventBridge(ctx.bus)
    page = PatientDetailPage(ctx, bridge=bridge)
    bridge.setParent(page)
    qtbot.addWidget(page)
    page.resize(1250, 780)
    page.show()
    with qtbot.waitSignal(page.time_tab.loaded, timeout=5000):
        page.show_patient(patient_id)
    page.tabs.setCurrentIndex(TIME)
    return page


@pytest.fixture
def tab(qtbot, ctx, sample) -> TimeLogTab:
    page = open_page(qtbot, ctx, sample.doe)
    yield page.time_tab
    qtbot.waitUntil(lambda: not page.loading and not page.time_tab.loading)


def select(tab: TimeLogTab, entry_id: int) -> None:
    row = next(i for i, e in enumerate(tab.model.records()) if e.id == entry_id)
    tab.table.selectRow(row)


def fill(d: TimeEntryDialog, day: str, start: QTime, minutes: str) -> None:
    d.date.editor.setText(day)
    d.start.setTime(start)
    d.minutes.setText(minutes)


def save_and_wait(qtbot, tab: TimeLogTab, dialog) -> None:
    """Save; the tab reads again when the change comes back through the bus."""
    before = tab._generation
    dialog.save()
    assert not dialog.isVisible(), "the dialog should have saved and closed"
    qtbot.waitUntil(lambda: tab._generation > before and not tab.loading, timeout=5000)


def test_add_by_hand_shows_in_the_table_and_the_totals_move(qtbot, ctx, tab, shots):
    assert tab.totals.text() == "Counted 14 min (clinical staff 14, practitioner 0)"
    assert tab.words.text() == "14 of 20 min this month: 6 more for 99490"
    assert tab.bar.steps == (20, 40, 60)
    assert tab.month_combo.currentText() == "November 2026 (this month)"
    tab.add_button.click()
    d = tab.dialog
    assert isinstance(d, TimeEntryDialog)
    assert d.staff.currentText() == "Dana Example, MD"  # the signed-in user
    assert [d.staff.itemText(i) for i in range(d.staff.count())] == [
        "Dana Example, MD",
        "Kim Carewell, RN",
    ]  # only staff whose minutes count
    assert d.date.text() == "11/16/2026"
    fill(d, "11/16/2026", QTime(8, 0), "10")
    d.activity.setCurrentIndex(d.activity.findData("education"))
    d.contact.setChecked(True)
    d.note.setPlainText("Went over the new inhaler")
    shots(d, "time-add")
    save_and_wait(qtbot, tab, d)
    rows = cells(tab.table)
    assert rows[0] == [
        "11/16/2026",
        "8:00 AM",
        "10 min",
        "Dana Example, MD",
        "Education",
        "Yes",
        "Entered by hand",
        "Counts",
        "Went over the new inhaler",
    ]
    assert rows[1][:3] == ["11/10/2026", "10:00 AM", "14 min"]
    assert tab.totals.text() == "Counted 24 min (clinical staff 14, practitioner 10)"
    assert tab.words.text() == "24 of 40 min this month: 16 more for 99439"
    assert tab.bar.minutes == 24


def test_edit_needs_a_reason_and_shows_in_history_with_before_and_after(qtbot, ctx, tab, shots):
    entry = tab.model.record(0)
    select(tab, entry.id)
    tab.edit_button.click()
    d = tab.dialog
    assert isinstance(d, TimeEntryDialog) and d.minutes.text() == "14"
    d.minutes.setText("20")
    d.save()  # no reason yet
    assert d.isVisible()
    assert d.errors.visible("reason") == "Say why this time entry is changed."
    d.reason.setText("the call ran to 10:20")
    shots(d, "time-edit-reason")
    save_and_wait(qtbot, tab, d)
    assert cells(tab.table)[0][2] == "20 min"
    assert tab.totals.text().startswith("Counted 20 min")
    assert tab.words.text() == "20 of 40 min this month: 20 more for 99439"
    select(tab, entry.id)
    tab.history_button.click()
    h = tab.dialog
    assert isinstance(h, HistoryDialog)
    changes = cells(h.table)
    assert len(changes) == 1
    _when, who, why, before, after = changes[0]
    assert (who, why) == ("Dana Example", "the call ran to 10:20")
    assert (before, after) == ("Minutes: 14 min", "Minutes: 20 min")
    assert h.now["minutes"].text() == "20 min"
    assert h.now["added"].text().endswith(" by Dana Example (dr.example), entered by hand")
    shots(h, "time-history")
    h.reject()


def test_void_strikes_through_and_the_totals_drop(qtbot, ctx, tab):
    entry = tab.model.record(0)
    select(tab, entry.id)
    tab.void_button.click()
    d = tab.dialog
    assert isinstance(d, VoidDialog)
    d.save()  # no reason
    assert d.isVisible() and "Say why this time entry is voided." in d.message.text()
    d.reason.setPlainText("wrong patient")
    save_and_wait(qtbot, tab, d)
    row = cells(tab.table)[0]
    assert row[2] == "14 min"
    assert row[7] == "Voided: counts toward nothing"
    assert tab.model.index(0, 0).data(Qt.ItemDataRole.FontRole).strikeOut()
    assert tab.totals.text() == "Counted 0 min (clinical staff 0, practitioner 0)"
    select(tab, entry.id)
    assert not tab.edit_button.isEnabled() and not tab.void_button.isEnabled()
    assert tab.history_button.isEnabled()


def test_a_future_date_or_time_is_refused_next_to_the_field(qtbot, ctx, tab, sample):
    tab.add_button.click()
    d = tab.dialog
    fill(d, "11/17/2026", QTime(9, 0), "10")
    d.save()
    assert d.isVisible()
    assert d.errors.visible("date") == "The date cannot be in the future (today is 11/16/2026)."
    fill(d, "11/16/2026", QTime(11, 30), "10")  # later today: 10:00 AM is now
    d.save()
    assert d.isVisible()
    assert d.errors.visible("date") == ""
    assert d.errors.visible("start_time") == "The start time is in the future."
    assert len(ctx.time_log.month(sample.doe).entries) == 1  # nothing saved
    d.reject()


def test_an_overlapping_entry_is_refused_with_the_message(qtbot, ctx, tab, sample, shots):
    tab.add_button.click()
    d = tab.dialog
    d.staff.setCurrentIndex(d.staff.findData(nurse_id(ctx)))
    fill(d, "11/10/2026", QTime(10, 5), "10")  # Kim has 10:00-10:14 AM for this patient
    d.save()
    assert d.isVisible()
    assert d.errors.visible("start_time").startswith(
        "Kim Carewell already has time logged 10:00-10:14 AM on 11/10/2026 for another entry"
    )
    shots(d, "time-add-overlap")
    assert len(ctx.time_log.month(sample.doe).entries) == 1
    d.reject()


def test_front_desk_sees_the_log_with_the_buttons_disabled(qtbot, ctx, sample, front):
    ctx.actor = front
    page = open_page(qtbot, ctx, sample.doe)
    tab = page.time_tab
    assert len(cells(tab.table)) == 1
    for b in (tab.add_button, tab.edit_button, tab.void_button):
        assert not b.isEnabled()
        assert "care manager or provider" in b.toolTip()
    select(tab, tab.model.record(0).id)
    assert not tab.edit_button.isEnabled() and tab.history_button.isEnabled()
    assert tab.why_not.isVisibleTo(page)
    assert "signed in as front desk" in tab.why_not.text()
    qtbot.waitUntil(lambda: not page.loading and not tab.loading)


def test_month_picker_shows_last_months_entries(qtbot, ctx, tab, clinician, sample):
    before = tab._generation
    ctx.time.add(  # 10/20/2026 9:00 AM in New York; the tab hears of it through the bus
        clinician,
        TimeInput(
            sample.doe, nurse_id(ctx), datetime(2026, 10, 20, 13, tzinfo=UTC), 25, "coordination"
        ),
    )
    qtbot.waitUntil(lambda: tab._generation > before and not tab.loading, timeout=5000)
    combo = [tab.month_combo.itemText(i) for i in range(tab.month_combo.count())]
    assert combo == ["November 2026 (this month)", "October 2026"]
    assert not tab.next_button.isEnabled()  # nothing after this month
    with qtbot.waitSignal(tab.loaded, timeout=5000):
        tab.previous_button.click()
    rows = cells(tab.table)
    assert [r[:3] for r in rows] == [["10/20/2026", "9:00 AM", "25 min"]]
    # before the consent of 11/02/2026: kept, but not billable, and said so
    assert rows[0][7] == "Not billable: before consent on 11/2/2026"
    assert tab.totals.text().startswith("Counted 0 min")
    assert "not counted 25 min" in tab.totals.text()
    assert tab.words.text() == "0 min in October 2026 (not enrolled)"
    assert tab.next_button.isEnabled()
    with qtbot.waitSignal(tab.loaded, timeout=5000):
        tab.previous_button.click()  # September: no entries, and it says so
    assert tab.empty.isVisibleTo(tab) and not tab.table.isVisibleTo(tab)
    assert tab.empty.text().startswith("No time for September 2026.")
    with qtbot.waitSignal(tab.loaded, timeout=5000):
        tab.month_combo.activated.emit(0)  # back to this month from the list
    assert tab.shown_month() == (2026, 11)
    assert len(cells(tab.table)) == 1
