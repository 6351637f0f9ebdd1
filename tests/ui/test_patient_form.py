"""Adding and editing a patient: messages next to the field, nothing saved while wrong."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from ccm_desktop.services.patients import PatientInput
from ccm_desktop.ui.main_window import MainWindow
from ccm_desktop.ui.patients.patient_detail import HISTORY, PatientDetailPage
from ccm_desktop.ui.patients.patient_form import PatientFormDialog
from tests.ui.conftest import when_modal

pytestmark = pytest.mark.gui


@pytest.fixture
def window(qtbot, ctx, settings, sample):
    w = MainWindow(ctx, settings)
    qtbot.addWidget(w)
    w.resize(1200, 800)
    w.show()
    qtbot.waitUntil(lambda: not w.patients_page.loading, timeout=5000)
    yield w
    qtbot.waitUntil(lambda: not w.detail_page.loading and not w.patients_page.loading)


def fill(qtbot, form: PatientFormDialog, **fields: str) -> None:
    for name, text in fields.items():
        widget = getattr(form, name)
        edit = widget.editor if hasattr(widget, "editor") else widget
        edit.clear()
        qtbot.keyClicks(edit, text)


@pytest.fixture
def new_form(qtbot, ctx):
    """``new_form(patient_id=None)``: a shown form, closed without asking at the end."""
    made: list[PatientFormDialog] = []

    def make(patient_id: int | None = None) -> PatientFormDialog:
        form = PatientFormDialog(ctx, patient_id=patient_id)
        form.show()  # not qtbot.addWidget: its close() would ask about unsaved changes
        made.append(form)
        return form

    yield make
    for form in made:
        form.discard()
        form.deleteLater()


def choose(combo, data) -> None:
    combo.setCurrentIndex(combo.findData(data))


def test_add_with_bad_mbi_then_fix_and_save(qtbot, window, ctx, shots):
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    form = window.patient_form
    assert isinstance(form, PatientFormDialog) and form.isVisible()
    fill(qtbot, form, last_name="Okafor", first_name="Grace", dob="4/9/1947", mrn="D400")
    choose(form.sex, "F")
    choose(form.provider, "1234567893")
    fill(qtbot, form, mbi="1EG4-TE5-MK7S", phone="555-201-3344", zip="4321")
    before = ctx.patients.count()
    qtbot.keyClick(form.last_visit.editor, Qt.Key.Key_Return)  # Enter saves
    assert ctx.patients.count() == before  # nothing saved
    assert form.isVisible()
    mbi_message = form.errors.visible("mbi")
    assert mbi_message.startswith("⚠ ")  # words and a sign, not colour alone
    assert "Character 11 of the Medicare number should be a digit" in mbi_message
    assert "ZIP code is 5 digits" in form.errors.visible("zip")
    assert form.errors.visible("last_name") == ""
    assert form.focusWidget() is form.zip  # the first wrong field, in form order
    shots(form, "add-patient-errors")

    fill(qtbot, form, mbi="1eg4te5mk74", zip="43210")  # ...MK73 is Jane Doe's: refused
    with qtbot.waitSignal(window.detail_page.loaded, timeout=5000):
        qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    saved = ctx.patients.find_by_mrn("D400")
    assert saved.data.mbi == "1EG4TE5MK74" and saved.data.dob.isoformat() == "1947-04-09"
    assert window.current_page() == "detail"  # the new patient opens
    assert window.detail_page.name.text() == "Okafor, Grace"
    window.detail_page.back_requested.emit()
    page = window.patients_page
    qtbot.waitUntil(lambda: not page.loading and page.model.row_of(saved.id) >= 0, timeout=5000)
    assert window.current_page() == "patients"


def test_duplicate_mrn_is_shown_at_the_mrn_field(qtbot, ctx, sample, new_form):
    form = new_form()
    fill(qtbot, form, last_name="Roe", first_name="Ann", dob="01/02/1950", mrn="a100")
    choose(form.sex, "F")
    before = ctx.patients.count()
    form.save()
    qtbot.waitUntil(lambda: form.errors.visible("mrn") != "", timeout=5000)  # saved off-thread
    assert ctx.patients.count() == before
    assert form.errors.visible("mrn") == "⚠ Another patient already has MRN A100."
    assert form.focusWidget() is form.mrn
    fill(qtbot, form, mrn="A999")
    assert form.errors.visible("mrn") == ""  # the server's message goes once the MRN changes


def test_dates_typed_wrong_say_how_to_type_them(qtbot, ctx, sample, new_form):
    form = new_form()
    fill(qtbot, form, dob="1950/31/31")
    form.save()
    assert form.errors.visible("dob") == "⚠ Type the date as MM/DD/YYYY, like 03/04/1950."
    assert form.errors.visible("sex") == "⚠ Choose the sex as on the Medicare card."


def test_edit_is_audited_and_shown_in_history(qtbot, window, ctx, sample):
    window.open_patient(sample.smith)
    detail = window.detail_page
    qtbot.waitUntil(lambda: detail.data is not None, timeout=5000)
    qtbot.keyClick(detail.tabs, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    form = detail.form
    assert form is not None and form.windowTitle() == "Edit patient"
    assert form.mrn.text() == "A101" and form.dob.text() == "07/12/1948"
    fill(qtbot, form, phone="(555) 201-9999")
    form.qmb.setChecked(True)
    with qtbot.waitSignal(detail.loaded, timeout=5000):
        qtbot.keyClick(form.phone, Qt.Key.Key_Return)
    assert detail.form is None  # closed (and deleted)
    assert detail.details_tab.values["phone"].text() == "(555) 201-9999"
    assert detail.details_tab.values["qmb"].text().startswith("Yes")
    detail.tabs.setCurrentIndex(HISTORY)
    top = detail.history_tab.model.index(0, 2).data()
    assert top == "Details edited: phone, QMB"
    assert detail.history_tab.model.index(0, 1).data().startswith("Dana Example")


def test_stale_edit_says_reload(qtbot, ctx, clinician, sample, new_form):
    form = new_form(sample.garcia)
    other = ctx.patients.get(sample.garcia)  # someone else saves first
    changed = PatientInput(**{**other.data.__dict__, "city": "Springfield"})
    ctx.patients.update(clinician, sample.garcia, changed, other.version)
    fill(qtbot, form, phone="555-201-1111")
    form.save()
    qtbot.waitUntil(form.reload_button.isVisible, timeout=5000)  # saved off the GUI thread
    assert form.isVisible()
    assert "changed by someone else: reload" in form.stale_text.text()
    assert form.reload_button.isVisible()
    form.reload_button.click()
    assert form.phone.text() == "" and form.city.text() == "Springfield"
    assert form.stale_text.isHidden()
    form.save()  # nothing changed: saves quietly
    qtbot.waitUntil(lambda: not form.isVisible(), timeout=5000)


def test_escape_asks_before_throwing_away_typing(qtbot, ctx, sample, new_form):
    form = new_form()
    qtbot.keyClick(form, Qt.Key.Key_Escape)  # nothing typed: just closes
    assert not form.isVisible()
    form = new_form()
    fill(qtbot, form, last_name="Half")
    seen = when_modal(
        QMessageBox, lambda box: box.button(QMessageBox.StandardButton.Cancel).click()
    )
    qtbot.keyClick(form.last_name, Qt.Key.Key_Escape)
    assert seen and form.isVisible()  # kept
    seen = when_modal(
        QMessageBox, lambda box: box.button(QMessageBox.StandardButton.Discard).click()
    )
    qtbot.keyClick(form.last_name, Qt.Key.Key_Escape)
    assert seen and not form.isVisible()


def test_tab_order_follows_the_form(qtbot, ctx, sample, new_form):
    form = new_form()
    form.activateWindow()
    qtbot.waitUntil(form.last_name.hasFocus, timeout=3000)
    seen = []
    for _ in range(5):
        seen.append(form.focusWidget())
        qtbot.keyClick(form.focusWidget(), Qt.Key.Key_Tab)
    assert seen == [form.last_name, form.first_name, form.dob.editor, form.sex, form.mrn]


def test_detail_page_edit_button_opens_the_form(qtbot, ctx, sample, new_form):
    page = PatientDetailPage(ctx)
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.loaded, timeout=5000):
        page.show_patient(sample.doe)
    page.edit_button.click()
    assert page.form is not None and page.form.mbi.text() == "1EG4-TE5-MK73"
    page.form.reject()
