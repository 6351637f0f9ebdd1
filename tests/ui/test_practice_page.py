"""The Practice page run by an administrator: details, providers and staff edited in
dialogs; read-only for everyone else; the data folder; times on the practice's clock."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox

from ccm_desktop.services.patients import PatientInput
from ccm_desktop.services.timing import TimeInput
from ccm_desktop.ui.common.bridge import EventBridge
from ccm_desktop.ui.practice.edit_dialogs import PracticeDialog, ProviderDialog, StaffDialog
from ccm_desktop.ui.practice.practice_page import PracticePage

pytestmark = pytest.mark.gui

# tools/screenshots.py --screen 1366x768 --scale 1.25: what Qt lays out in, minus a title bar.
LAPTOP_125 = (round(1366 / 1.25), round(768 / 1.25) - 30)


@pytest.fixture
def page(qtbot, ctx, settings):
    ctx.actor = ctx.practice.actor_for("admin")
    p = PracticePage(ctx, settings)
    qtbot.addWidget(p)
    bridge = EventBridge(ctx.bus, p)  # as the main window does: saves refresh the page
    bridge.subscribe(p, {"practice", "providers", "staff"}, p.on_change)
    p.resize(1280, 800)
    p.show()
    qtbot.waitExposed(p)
    yield p
    qtbot.waitUntil(lambda: not p.busy(), timeout=10000)
    if p.dialog is not None:
        p.dialog.reject()
    bridge.close()


def row_texts(model) -> list[list[str]]:
    return [
        [model.index(r, c).data() for c in range(model.columnCount())]
        for r in range(model.rowCount())
    ]


def select(view, model, name: str) -> None:
    row = next(r for r in range(model.rowCount()) if model.record(r).name == name)
    view.selectRow(row)


def test_the_admin_edits_the_practice_details(qtbot, page, ctx):
    assert page.edit_details_button.isEnabled()
    page.edit_details_button.click()
    dialog = page.dialog
    assert isinstance(dialog, PracticeDialog) and dialog.isVisible()
    assert dialog.edits["tin"].text() == "12-3456789"
    assert dialog.edits["phone"].text() == "(555) 201-3344"
    dialog.edits["name"].setText("Maple Grove Family Practice")
    dialog.edits["after_hours_phone"].setText("555 201 9911")
    dialog.save_button.click()
    qtbot.waitUntil(lambda: page.dialog is None, timeout=5000)
    qtbot.waitUntil(
        lambda: page.detail_labels["name"].text() == "Maple Grove Family Practice", timeout=3000
    )
    assert page.detail_labels["after_hours_phone"].text() == "(555) 201-9911"
    assert page.last_change_label.text().startswith(
        "Practice details changed by Pat Admin (admin), "
    )
    assert ctx.practice.practice().after_hours_phone == "5552019911"


def test_a_wrong_field_is_named_under_it_and_nothing_is_saved(qtbot, page, ctx, shots):
    before = ctx.practice.practice()
    dialog = page.edit_details()
    dialog.edits["npi"].setText("1234567890")
    dialog.edits["zip"].setText("4321")
    dialog.save_button.click()
    assert dialog.isVisible()  # stays open
    assert "check digit" in dialog.errors.visible("practice.npi")
    assert "ZIP code is 5 digits" in dialog.errors.visible("practice.zip")
    assert dialog.errors.visible("practice.name") == ""
    assert ctx.practice.practice() == before
    shots(dialog, "practice-dialog-errors")


def test_others_see_the_details_read_only_and_are_told_who_may(qtbot, page, ctx):
    ctx.actor = ctx.practice.actor_for("nurse.kim")
    page.refresh()
    buttons = [
        page.edit_details_button,
        page.add_provider_button,
        page.edit_provider_button,
        page.add_staff_button,
        page.edit_staff_button,
    ]
    assert not any(b.isEnabled() for b in buttons)
    assert {b.toolTip() for b in buttons} == {
        "Only the Administrator role can change the practice's details, providers and staff."
    }
    select(page.staff_view, page.staff_model, "Kim Carewell")
    assert page.edit_staff() is None  # double-click on a row opens nothing either
    ctx.actor = ctx.practice.actor_for("admin")
    page.refresh()
    assert all(b.isEnabled() for b in buttons)


def test_add_a_provider_then_deactivate_them(qtbot, page, ctx):
    dialog = page.add_provider()
    assert isinstance(dialog, ProviderDialog)
    assert not dialog.active.isVisibleTo(dialog)  # a new provider is active
    dialog.name.setText("Sky Tester, DO")
    dialog.credential.setCurrentIndex(dialog.credential.findData("DO"))
    dialog.npi.setText("1234567893")  # Dana Example's NPI
    dialog.save_button.click()
    assert dialog.isVisible()
    assert dialog.errors.visible("npi") == "Dana Example, MD already has this NPI."
    dialog.npi.setText("1000000012")
    dialog.save_button.click()
    qtbot.waitUntil(lambda: page.providers_model.rowCount() == 3, timeout=3000)
    assert ["Sky Tester, DO", "DO", "1000000012"] in row_texts(page.providers_model)

    select(page.providers_view, page.providers_model, "Sky Tester, DO")
    dialog = page.edit_provider()
    assert dialog.npi.text() == "1000000012"
    dialog.active.setChecked(False)
    dialog.save_button.click()
    qtbot.waitUntil(
        lambda: (
            ["Sky Tester, DO (inactive)", "DO", "1000000012"] in row_texts(page.providers_model)
        ),
        timeout=3000,
    )
    assert "1000000012" not in [p.npi for p in ctx.practice.providers()]


def test_add_a_staff_member_linked_to_a_provider(qtbot, page, ctx, shots):
    dialog = page.add_staff()
    assert isinstance(dialog, StaffDialog)
    dialog.name.setText("Robin Sample")
    assert dialog.username.text() == "robin.sample"  # suggested from the name
    dialog.role.setCurrentIndex(dialog.role.findData("provider"))
    dialog.credential.setCurrentIndex(dialog.credential.findData("NP"))
    dialog.provider.setCurrentIndex(dialog.provider.findData("1000000004"))
    shots(dialog, "staff-dialog")
    dialog.save_button.click()
    qtbot.waitUntil(lambda: page.staff_model.rowCount() == 5, timeout=3000)
    robin = next(s for s in ctx.practice.staff() if s.username == "robin.sample")
    assert (robin.role, robin.credential, robin.provider_npi) == ("provider", "NP", "1000000004")
    assert ["Robin Sample", "robin.sample", "Provider", "NP"] in row_texts(page.staff_model)


def test_the_last_admin_cannot_take_away_their_own_role(qtbot, page, ctx):
    select(page.staff_view, page.staff_model, "Pat Admin")
    dialog = page.edit_staff()
    dialog.role.setCurrentIndex(dialog.role.findData("billing"))
    dialog.save_button.click()
    assert dialog.isVisible()
    assert dialog.errors.visible("role") == (
        "You are the practice's only active administrator: make someone else an "
        "administrator first, or nobody could change staff or settings."
    )
    dialog.role.setCurrentIndex(dialog.role.findData("admin"))
    dialog.active.setChecked(False)
    dialog.save_button.click()
    assert "cannot deactivate your own account" in dialog.errors.visible("active")
    admin = next(s for s in ctx.practice.staff() if s.username == "admin")
    assert admin.role == "admin" and admin.active


def test_a_change_saved_meanwhile_by_someone_else_is_not_overwritten(qtbot, page, ctx, admin):
    select(page.staff_view, page.staff_model, "Kim Carewell")
    dialog = page.edit_staff()
    kim = dialog.before
    ctx.practice.update_staff(admin, kim, replace(kim, name="Kim Carewell-Ross"))  # elsewhere
    dialog.credential.setCurrentIndex(dialog.credential.findData("LPN"))
    dialog.save_button.click()
    assert dialog.isVisible()
    assert dialog.failure.text().startswith("Someone else changed Kim Carewell-Ross")
    kim_now = next(s for s in ctx.practice.staff() if s.username == "nurse.kim")
    assert (kim_now.name, kim_now.credential) == ("Kim Carewell-Ross", "RN")


def test_changing_the_time_zone_after_time_was_logged_warns_first(
    qtbot, page, ctx, clinician, monkeypatch
):
    pid = ctx.patients.create(clinician, PatientInput("Z1", "Zed", "Ann", "1950-01-01", "F"))
    kim = next(s for s in ctx.practice.staff() if s.username == "nurse.kim")
    when = datetime(2026, 11, 10, 15, tzinfo=UTC)
    ctx.time.add(clinician, TimeInput(pid, kim.id, when, 12, "call_patient"))
    asked: list[str] = []
    answer = [QMessageBox.StandardButton.No]

    def warning(_parent, _title, text, *_a):
        asked.append(text)
        return answer[0]

    monkeypatch.setattr(QMessageBox, "warning", warning)
    dialog = page.edit_details()
    dialog.timezone.setCurrentIndex(dialog.timezone.findData("America/Chicago"))
    dialog.save_button.click()
    assert "already logged in Eastern time (New York)" in asked[0]
    assert "another month (and its bill)" in asked[0]
    assert dialog.isVisible() and ctx.practice.practice().timezone == "America/New_York"
    answer[0] = QMessageBox.StandardButton.Yes
    dialog.save_button.click()
    qtbot.waitUntil(lambda: page.dialog is None, timeout=5000)
    assert ctx.practice.practice().timezone == "America/Chicago"


def test_open_data_folder_says_where_it_is_when_it_cannot_open(qtbot, page, ctx, shots):
    # Offscreen there is no file manager: QDesktopServices.openUrl returns False.
    assert page.open_folder() is False
    box = page.folder_message
    assert box is not None and box.isVisible()
    assert "could not be opened" in box.text()
    assert str(ctx.paths.root) in box.text()
    shots(box, "open-folder-failed")
    box.accept()


def test_times_are_on_the_practice_clock_not_the_computers(qtbot, page, ctx, admin, tmp_path):
    # The fixed clock says 15:00 UTC: 10:00 AM in Columbus, 7:00 AM once in Los Angeles.
    task = page.start_verify()
    qtbot.waitUntil(lambda: not task.running, timeout=10000)
    assert page.status_label.text().startswith("All checks passed at 10:00 AM.")
    assert page.suggested_backup_path().name.endswith(" backup 2026-11-16 1000.ccmbak")
    before = ctx.practice.practice()
    ctx.practice.update_practice(admin, before, replace(before, timezone="America/Los_Angeles"))
    target = tmp_path / "maple.ccmbak"
    page.choose_backup_target = lambda: target
    task = page.start_backup()
    qtbot.waitUntil(lambda: not task.running, timeout=10000)
    assert page.backup_label.text().endswith(" at 7:00 AM.")
    assert page.suggested_backup_path().name.endswith(" backup 2026-11-16 0700.ccmbak")


def test_dialogs_fit_a_laptop_screen_at_125_percent(qtbot, page):
    width, height = LAPTOP_125
    for open_dialog in (page.edit_details, page.add_provider, page.add_staff):
        dialog = open_dialog()
        dialog.save_button.click()  # every message shown: the tallest the dialog gets
        QApplication.processEvents()
        hint = dialog.sizeHint()
        assert hint.width() <= width and hint.height() <= height, (type(dialog), hint)
        dialog.reject()
