"""The main window: pages, status bar, menus, shortcuts, text size; the Practice page."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QMessageBox

from ccm_desktop.db.backup import key_sidecar
from ccm_desktop.ui.common import style
from ccm_desktop.ui.main_window import MainWindow
from ccm_desktop.ui.patients.patient_model import NAME

pytestmark = pytest.mark.gui


@pytest.fixture
def window(qtbot, ctx, sample, settings):
    nurse = next(s for s in ctx.practice.staff() if s.username == "nurse.kim")
    ctx.actor = ctx.practice.actor_for("nurse.kim")
    w = MainWindow(ctx, settings, staff=nurse)
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    qtbot.waitUntil(lambda: not w.patients_page.loading, timeout=5000)
    yield w
    # Let any background work finish before the database closes.
    qtbot.waitUntil(lambda: not w.practice_page.busy(), timeout=10000)
    qtbot.waitUntil(lambda: not w.patients_page.loading, timeout=5000)


def test_opens_on_the_patient_list(window, shots):
    assert window.current_page() == "worklist"  # a care manager's day starts there
    window.show_page("patients")
    assert window.stack.currentWidget() is window.patients_page
    page = window.patients_page
    assert page.model.rowCount() == 5
    assert page.model.index(0, NAME).data() == "Doe, Jane"
    assert [window.nav.item(i).text() for i in range(window.nav.count())] == [
        "Worklist",
        "Patients",
        "Practice",
    ]
    assert window.user_label.text() == "Working as: Kim Carewell (RN)"
    assert window.practice_label.text() == "Maple Grove Family Medicine"
    assert str(window.ctx.paths.root) in window.location_label.text()
    assert window.windowTitle() == "CCM Desktop — Maple Grove Family Medicine"
    shots(window, "main-window-patients")


def test_menus(window):
    titles = [a.text() for a in window.menuBar().actions()]
    assert titles == ["&File", "&View", "&Help"]
    assert window.find_action.shortcut().toString() == "Ctrl+F"
    assert window.patients_action.shortcut().toString() == "Ctrl+1"
    assert window.practice_action.shortcut().toString() == "Ctrl+2"


def test_keyboard_shortcuts(qtbot, window):
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page() == "practice"
    assert window.nav.currentRow() == window.nav_keys.index("practice")
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page() == "patients"
    assert QApplication.focusWidget() is window.patients_page.search
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page() == "patients"


def test_navigation_column_switches_pages(window):
    window.nav.setCurrentRow(window.nav_keys.index("practice"))
    assert window.stack.currentWidget() is window.practice_page


def test_text_size_scales_the_font_and_is_saved(window, settings):
    app = QApplication.instance()
    before = app.font().pointSizeF()
    heading_before = window.patients_page.title.font().pointSizeF()
    window.text_size_actions[130].trigger()
    assert app.font().pointSizeF() == pytest.approx(before * 1.3, abs=0.1)
    assert window.patients_page.title.font().pointSizeF() > heading_before * 1.2
    assert style.text_scale(settings) == 130
    window._step(1)
    assert style.text_scale(settings) == 150
    window._step(1)
    assert style.text_scale(settings) == 150  # largest stays largest
    window.set_text_size(100)
    assert app.font().pointSizeF() == pytest.approx(before, abs=0.1)


def test_buttons_have_names(window):
    for button in window.findChildren(QAbstractButton):
        if button.objectName().startswith("qt_"):
            continue  # Qt's own table corner buttons
        assert button.text() or button.accessibleName(), (button, button.parent())


def test_about_shows_the_version(window, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "about", lambda *a: shown.append(a))
    window.about_action.trigger()
    assert "0.1.0" in shown[0][2]


def test_practice_page_shows_the_practice(window, shots):
    window.show_page("practice")
    page = window.practice_page
    assert page.detail_labels["name"].text() == "Maple Grove Family Medicine"
    assert page.detail_labels["tin"].text() == "12-3456789"
    assert page.detail_labels["phone"].text() == "(555) 201-3344"
    assert page.detail_labels["address"].text() == "100 Example Ave\nColumbus, OH 43210"
    assert [p.name for p in page.providers_model.records()] == [
        "Dana Example, MD",
        "Robin Sample, NP",
    ]
    assert page.staff_model.rowCount() == 4
    assert page.staff_model.index(0, 2).data() in {
        "Provider",
        "Care manager",
        "Front desk",
        "Administrator",
    }
    assert page.folder_label.text() == str(window.ctx.paths.root)
    shots(window, "main-window-practice")


def test_check_database_runs_off_thread(qtbot, window, shots):
    window.show_page("practice")
    page = window.practice_page
    task = page.start_verify()
    assert task is not None
    assert not page.verify_button.isEnabled()
    qtbot.waitUntil(lambda: not task.running, timeout=10000)
    assert page.last_report is not None and page.last_report.ok
    assert page.status_label.text().startswith("All checks passed")
    assert "Passed — Encryption: every page authenticates" in page.status_label.text()
    assert page.verify_button.isEnabled()
    shots(window, "practice-checked")


def test_back_up_now(qtbot, window, ctx, tmp_path, monkeypatch):
    target = tmp_path / "usb" / "maple.ccmbak"
    target.parent.mkdir()
    page = window.practice_page
    ctx.actor = ctx.practice.actor_for("admin")  # backups are the administrator's
    monkeypatch.setattr(page, "choose_backup_target", lambda: target)
    window.backup_action.trigger()  # File > Back up…
    assert window.stack.currentWidget() is page
    qtbot.waitUntil(lambda: not page.busy(), timeout=10000)
    assert page.last_backup == target and target.exists()
    assert key_sidecar(target).exists()
    assert page.backup_label.text().startswith(f"Saved {target}")
    assert page.settings.value("backup/last_folder") == str(target.parent)
    # A second backup to the same file is refused, in words, and nothing is lost.
    page.start_backup()
    qtbot.waitUntil(lambda: not page.busy(), timeout=10000)
    assert "already exists" in page.backup_label.text()


def test_only_the_admin_backs_up_and_others_are_told_why(window, ctx, tmp_path, monkeypatch):
    page = window.practice_page
    asked: list[bool] = []
    monkeypatch.setattr(page, "choose_backup_target", lambda: asked.append(True))
    ctx.actor = ctx.practice.actor_for("nurse.kim")
    assert page.start_backup() is None
    assert asked == []  # refused before the file dialog
    assert page.backup_label.text() == (
        "Kim Carewell (care manager) may not make a backup: that needs the admin role. "
        "Nothing was changed."
    )


def test_backup_cancelled_in_the_file_dialog_does_nothing(window, ctx, monkeypatch):
    page = window.practice_page
    ctx.actor = ctx.practice.actor_for("admin")
    monkeypatch.setattr(page, "choose_backup_target", lambda: None)
    assert page.start_backup() is None
    assert page.backup_label.text() == "None made in this session."


def test_suggested_backup_name(window, settings, tmp_path):
    settings.setValue("backup/last_folder", str(tmp_path))
    path = window.practice_page.suggested_backup_path()
    assert path.parent == tmp_path
    assert path.name.startswith("Maple Grove Family Medicine backup ")
    assert path.suffix == ".ccmbak"


def test_window_refreshes_after_a_change(qtbot, window, ctx, clinician):
    from ccm_desktop.services.patients import PatientInput

    ctx.patients.create(clinician, PatientInput("Q1", "Quinn", "Ann", "1950-01-01", "F"))
    qtbot.waitUntil(lambda: window.patients_page.model.rowCount() == 6, timeout=3000)
    assert window.patients_page.count_label.text() == "6 patients"


def test_close_saves_geometry(window, settings):
    window.close()
    assert settings.value("window/geometry")


def test_screenshot_at_large_text(qtbot, window, shots):
    window.set_text_size(150)
    qtbot.wait(50)  # font changes reach the widgets through the event loop
    path = shots(window, "main-window-150")
    assert Path(path).stat().st_size > 0
