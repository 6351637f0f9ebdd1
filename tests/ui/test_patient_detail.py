"""The patient detail page: opened from the list, shows every tab, refreshes, goes back."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from PySide6.QtCore import Qt

from ccm_desktop.services.timing import TimeInput
from ccm_desktop.ui.main_window import MainWindow
from ccm_desktop.ui.patients.detail_data import age_on, audit_text
from ccm_desktop.ui.patients.patient_detail import (
    CARE_PLAN,
    CONDITIONS,
    ENROLLMENT,
    HISTORY,
    TIME,
    PatientDetailPage,
)

pytestmark = pytest.mark.gui


def cells(view) -> list[list[str]]:
    m = view.model()
    return [[m.index(r, c).data() for c in range(m.columnCount())] for r in range(m.rowCount())]


@pytest.fixture
def window(qtbot, ctx, settings, sample):
    w = MainWindow(ctx, settings)
    qtbot.addWidget(w)
    w.resize(1200, 800)
    w.show()
    qtbot.waitUntil(lambda: not w.patients_page.loading, timeout=5000)
    yield w
    qtbot.waitUntil(lambda: not w.detail_page.loading and not w.patients_page.loading)


def open_by_search(qtbot, w: MainWindow, text: str) -> PatientDetailPage:
    page = w.patients_page
    page.focus_search()
    qtbot.keyClicks(page.search, text)
    qtbot.keyClick(page.search, Qt.Key.Key_Down)  # into the list
    qtbot.waitUntil(lambda: page.table.hasFocus(), timeout=5000)
    detail = w.detail_page
    with qtbot.waitSignal(detail.loaded, timeout=5000):
        qtbot.keyClick(page.table, Qt.Key.Key_Return)
    return detail


def test_search_open_and_see_details_then_back(qtbot, window, sample, shots):
    detail = open_by_search(qtbot, window, "doe jan")
    assert window.current_page() == "detail"
    assert detail.patient_id == sample.doe
    assert detail.name.text() == "Doe, Jane"
    summary = detail.summary.text()
    assert "03/04/1950 (age 76)" in summary and "MRN A100" in summary
    assert "CCM: Enrolled" in summary
    v = detail.details_tab.values
    assert v["mbi"].text() == "1EG4-TE5-MK73"
    assert v["provider"].text() == "Dana Example, MD"
    assert v["language"].text() == "English"
    assert v["last_visit"].text() == "09/01/2026"
    assert v["qmb"].text() == "No"
    shots(window, "patient-detail")
    qtbot.keyClick(detail.tabs, Qt.Key.Key_Escape)
    assert window.current_page() == "patients"
    assert window.patients_page.search.text() == "doe jan"  # the search is kept
    assert window.patients_page.selected_patient_id() == sample.doe


def test_double_click_opens_and_alt_left_goes_back(qtbot, window, sample):
    page = window.patients_page
    row = page.model.row_of(sample.nguyen)
    index = page.model.index(row, 0)
    rect = page.table.visualRect(index)
    with qtbot.waitSignal(window.detail_page.loaded, timeout=5000):
        qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.detail_page.name.text() == "Nguyen, Thanh"
    qtbot.keyClick(window.detail_page.tabs, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert window.current_page() == "patients"


def test_tabs_show_conditions_enrollment_time_history(qtbot, ctx, clinician, sample, shots):
    ctx.careplans.add_kept_elsewhere(clinician, sample.doe, date(2026, 11, 3))
    nurse = next(s for s in ctx.practice.staff() if s.username == "nurse.kim")
    extra = ctx.time.add(
        clinician,
        TimeInput(sample.doe, nurse.id, datetime(2026, 11, 12, 14, tzinfo=UTC), 5, "education"),
    )
    ctx.time.void(clinician, extra, "entered twice")
    page = PatientDetailPage(ctx)
    qtbot.addWidget(page)
    page.resize(1100, 700)
    page.show()
    with qtbot.waitSignal(page.loaded, timeout=5000):
        page.show_patient(sample.doe)

    conditions = cells(page.conditions_tab.table)
    assert conditions[0][:4] == [
        "E11.9",
        "Type 2 diabetes mellitus without complications",
        "Chronic: Diabetes",
        "Active",
    ]
    assert [r[0] for r in conditions] == ["E11.9", "I10"]

    page.tabs.setCurrentIndex(ENROLLMENT)
    assert page.enrollment_tab.current.text() == "CCM: Enrolled"
    assert "Since 11/02/2026" in page.enrollment_tab.current_detail.text()
    steps = cells(page.enrollment_tab.history.table)
    assert steps[0][:4] == ["CCM", "Enrolled", "11/02/2026", "Dana Example"]

    page.tabs.setCurrentIndex(CARE_PLAN)
    plan = cells(page.care_plan_tab.table)
    assert plan == [["1", "11/03/2026", "Dana Example", "Kept in another record", "", "", ""]]

    page.tabs.setCurrentIndex(TIME)
    qtbot.waitUntil(lambda: page.time_tab.data is not None and not page.time_tab.loading)
    rows = cells(page.time_tab.table)
    # 14:00 UTC is 9:00 AM in New York; the voided entry says so and is struck through
    assert rows[0][:8] == [
        "11/12/2026",
        "9:00 AM",
        "5 min",
        "Kim Carewell, RN",
        "Education",
        "No",
        "Entered by hand",
        "Voided: counts toward nothing",
    ]
    assert rows[1][2] == "14 min"
    model = page.time_tab.model
    assert model.index(0, 0).data(Qt.ItemDataRole.FontRole).strikeOut()
    shots(page, "detail-time")

    page.tabs.setCurrentIndex(HISTORY)
    whats = [r[2] for r in cells(page.history_tab.table)]
    assert "Patient added (MRN A100)" in whats
    assert "Condition added: E11.9" in whats
    assert "Enrolled in CCM (written consent)" in whats
    assert whats[0] == "Time entry changed (voided): entered twice"


def test_refreshes_on_a_change_for_this_patient(qtbot, ctx, clinician, sample):
    from ccm_desktop.ui.common.bridge import EventBridge

    page = PatientDetailPage(ctx)
    qtbot.addWidget(page)
    bridge = EventBridge(ctx.bus, page)
    bridge.changed.connect(page.on_change)
    with qtbot.waitSignal(page.loaded, timeout=5000):
        page.show_patient(sample.garcia)
    assert page.conditions_tab.panel.empty.isVisibleTo(page.conditions_tab)
    with qtbot.waitSignal(page.loaded, timeout=5000):
        ctx.patients.add_condition(clinician, sample.garcia, "I10")
    assert cells(page.conditions_tab.table)[0][0] == "I10"
    # retiring it from the tab is kept in the history, never deleted
    page.tabs.setCurrentIndex(CONDITIONS)
    page.conditions_tab.table.selectRow(0)
    with qtbot.waitSignal(page.loaded, timeout=5000):
        page.conditions_tab.resolved_button.click()
    assert cells(page.conditions_tab.table)[0][3] == "Resolved"
    assert page.conditions_tab.active_button.isEnabled()
    whats = [r[2] for r in cells(page.history_tab.table)]
    assert whats[0] == "Condition I10 marked resolved (was active)"
    bridge.close()


def test_enrollment_buttons_follow_the_status(qtbot, ctx, sample):
    page = PatientDetailPage(ctx)
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.loaded, timeout=5000):
        page.show_patient(sample.garcia)
    tab = page.enrollment_tab
    assert tab.current.text() == "Not enrolled"
    assert not tab.disenroll_button.isEnabled()
    with qtbot.waitSignal(page.loaded, timeout=5000):
        page.show_patient(sample.smith)
    assert tab.current.text() == "PCM: Enrolled"
    assert tab.disenroll_button.isEnabled()


def test_plain_words():
    assert age_on(date(1950, 3, 4), date(2026, 3, 3)) == 75
    assert age_on(date(1950, 3, 4), date(2026, 3, 4)) == 76
    from ccm_desktop.security.audit import AuditRow

    row = AuditRow(
        datetime.now(UTC), "x", "patient.update", "patient", 1, 1, {"changed": ["mbi", "zip"]}
    )
    assert audit_text(row) == "Details edited: Medicare number, ZIP code"


def test_enroll_button_opens_the_enrollment_wizard(qtbot, ctx, sample):
    from PySide6.QtWidgets import QWizard

    from tests.ui.conftest import when_modal

    page = PatientDetailPage(ctx)
    qtbot.addWidget(page)
    page.show()
    with qtbot.waitSignal(page.loaded, timeout=5000):
        page.show_patient(sample.garcia)
    seen = when_modal(QWizard, lambda w: w.reject())
    page.enrollment_tab.enroll_button.click()  # modal: returns once the wizard is closed
    assert seen and not page.enrollment_tab.message.isVisible()
