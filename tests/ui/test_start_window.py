"""The window at start: on screen first as an empty frame at its remembered place, filled
once the practice is open; the list is built first, the other pages right after it."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect

from ccm_desktop.ui.app import show_first_frame
from ccm_desktop.ui.main_window import GEOMETRY_KEY, MainWindow
from ccm_desktop.ui.patients.patient_detail import PatientDetailPage
from ccm_desktop.ui.practice.practice_page import PracticePage

pytestmark = pytest.mark.gui


def test_the_frame_is_shown_at_its_place_then_filled(qtbot, ctx, settings, shots):
    earlier = MainWindow(None, settings)
    earlier.setGeometry(QRect(30, 40, 700, 520))
    settings.setValue(GEOMETRY_KEY, earlier.saveGeometry())
    earlier.deleteLater()

    window = MainWindow(None, settings)
    qtbot.addWidget(window)
    show_first_frame(window)
    assert window.painted and not window.attached
    assert window.windowTitle() == "CCM Desktop"
    assert window.centralWidget().text() == "Starting CCM Desktop…"
    assert (window.width(), window.height()) == (700, 520)  # where it was last time
    assert window.menuBar().actions() == []  # nothing to click before the practice is open
    shots(window, "start-frame")

    window.attach(ctx, staff=None)
    qtbot.waitUntil(lambda: not window.patients_page.loading, timeout=10000)
    assert window.windowTitle().startswith("CCM Desktop — ")
    assert [a.text() for a in window.menuBar().actions()] == ["&File", "&View", "&Help"]
    assert window.current_page() == "patients"
    assert (window.width(), window.height()) == (700, 520)
    qtbot.waitUntil(lambda: {"practice", "detail"} <= set(window.pages), timeout=10000)
    shots(window, "start-filled")


def test_a_frame_closed_before_the_practice_opens_just_closes(qtbot, settings):
    window = MainWindow(None, settings)
    qtbot.addWidget(window)
    show_first_frame(window)
    assert window.close()
    assert not window.isVisible()
    assert settings.value(GEOMETRY_KEY) is None  # nothing of a practice's window saved


def test_the_list_is_built_first_and_every_page_is_there_when_asked(qtbot, ctx, settings):
    window = MainWindow(ctx, settings)
    qtbot.addWidget(window)
    assert set(window.pages) == {"patients"}  # the pages not shown wait for the list
    assert isinstance(window.detail_page, PatientDetailPage)  # ... unless asked for
    assert set(window.pages) == {"patients", "detail"}
    window.show()
    every = {"worklist", "patients", "practice", "detail"}
    qtbot.waitUntil(lambda: set(window.pages) == every, timeout=10000)
    assert isinstance(window.practice_page, PracticePage)
    stacked = {window.stack.widget(i) for i in range(window.stack.count())}
    assert stacked == set(window.pages.values())
    window.show_page("practice")
    assert window.stack.currentWidget() is window.practice_page
    qtbot.waitUntil(lambda: not window.practice_page.busy(), timeout=10000)
    qtbot.waitUntil(lambda: not window.patients_page.loading, timeout=10000)
