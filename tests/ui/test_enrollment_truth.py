"""The enrollment screens tell the truth (issue 7): one billing practitioner (the
enrollment's) in the list, its filter and the details tab; decline vs disenroll; "Enrolled,
leaving"; a death; one date field; Escape asks; the consent and initiating visit shown;
new-patient office visits; and the dialogs fit a 1366x768 screen at 125%.

Each test drives the real widgets on a real encrypted practice (clock: 11/16/2026).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWizard

from ccm_desktop.errors import CcmError, ValidationError
from ccm_desktop.services.patients import PatientFilter
from ccm_desktop.ui.enrollment.enroll_wizard import EnrollWizard
from ccm_desktop.ui.enrollment.enrollment_dialogs import DeclineDialog, DisenrollDialog
from ccm_desktop.ui.patients.patient_detail import ENROLLMENT, PatientDetailPage
from ccm_desktop.ui.patients.patient_form import PatientFormDialog
from ccm_desktop.ui.patients.patient_model import PROVIDER, STATUS
from ccm_desktop.ui.patients.patients_page import PatientsPage
from tests.ui.conftest import when_modal
from tests.ui.enroll_helpers import full_consent, new_patient, staff_id, visits

pytestmark = pytest.mark.gui

# What Qt's logical screen is on a 1366x768 laptop at 125% Windows scaling.
SCREEN_125 = (1093, 614)


@pytest.fixture
def nurse_ctx(ctx):
    ctx.actor = ctx.practice.actor_for("nurse.kim")
    return ctx


def provider_id(ctx, name: str) -> int:
    return next(p.id for p in ctx.practice.providers() if p.name == name)


def open_wizard(qtbot, ctx, pid) -> EnrollWizard:
    w = EnrollWizard(ctx, pid)
    qtbot.addWidget(w, before_close_func=lambda w: w.done(0))
    w.show()
    qtbot.waitExposed(w)
    return w


def detail_page(qtbot, ctx, pid) -> PatientDetailPage:
    page = PatientDetailPage(ctx)
    qtbot.addWidget(page)
    page.resize(1100, 700)
    page.show()
    with qtbot.waitSignal(page.loaded, timeout=5000):
        page.show_patient(pid)
    return page


def list_page(qtbot, ctx) -> PatientsPage:
    page = PatientsPage(ctx)
    qtbot.addWidget(page)
    page.resize(1100, 600)
    page.show()
    qtbot.waitUntil(lambda: not page.loading, timeout=5000)
    return page


def list_rows(qtbot, page: PatientsPage) -> dict[str, tuple[str, str]]:
    """Name -> (status, billing provider) as the list shows them."""
    page.refresh()
    qtbot.waitUntil(lambda: not page.loading, timeout=5000)
    m = page.model
    return {
        m.patient(r).name: (m.index(r, STATUS).data(), m.index(r, PROVIDER).data())
        for r in range(m.rowCount())
    }


def type_into(qtbot, field, text: str) -> None:
    """Click into a date field from elsewhere (as a user does) and type over what it shows."""
    field.editor.clearFocus()
    qtbot.mouseClick(field.editor, Qt.MouseButton.LeftButton)
    qtbot.wait(20)  # the click's select-all runs from the event loop
    qtbot.keyClicks(field.editor, text)
    field.editor.editingFinished.emit()


def enrolled_patient(ctx, mrn: str) -> tuple[int, int]:
    pid = new_patient(ctx, ctx.actor, mrn)
    return pid, ctx.enrollment.enroll(ctx.actor, pid, "ccm", full_consent(ctx))


# -- one billing practitioner ----------------------------------------------------------
def test_enrolling_with_another_practitioner_shows_it_in_list_filter_and_details(qtbot, nurse_ctx):
    """The patient's own practitioner is Dana Example; the wizard enrolls with Robin Sample
    at a new initiating visit (not seen for two years). The list row, the provider filter
    and the details tab must all say Robin Sample, and the last visit is the new one."""
    ctx = nurse_ctx
    pid = new_patient(ctx, ctx.actor, "T1", last_visit="2024-10-01", last="Truthful")
    robin, dana = provider_id(ctx, "Robin Sample, NP"), provider_id(ctx, "Dana Example, MD")
    w = open_wizard(qtbot, ctx, pid)
    w.program_page.provider.setCurrentIndex(w.program_page.provider.findData(robin))
    w.next()
    visit = w.visit_page
    assert not visit.entry.isHidden()  # Robin never saw the patient: a visit is needed
    type_into(qtbot, visit.visit_date, "11/10/2026")
    visit.visit_type.setCurrentIndex(
        visit.visit_type.findText("new patient, level 3", Qt.MatchFlag.MatchContains)
    )
    visit.discussed.setChecked(True)
    w.next()
    page = w.consent_page
    for check in page.disclosures.values():
        check.setChecked(True)
    page.method.set_method("written")
    w.button(QWizard.WizardButton.FinishButton).click()
    assert w.enrolled, page.failure.text()

    patients = list_page(qtbot, ctx)
    assert list_rows(qtbot, patients)["Truthful, Ada"] == ("Enrolled", "Robin Sample, NP")
    patients.provider_combo.setCurrentIndex(patients.provider_combo.findData(robin))
    assert "Truthful, Ada" in list_rows(qtbot, patients)
    patients.provider_combo.setCurrentIndex(patients.provider_combo.findData(dana))
    assert "Truthful, Ada" not in list_rows(qtbot, patients)

    detail = detail_page(qtbot, ctx, pid)
    assert detail.details_tab.values["provider"].text() == "Robin Sample, NP"
    assert detail.details_tab.values["last_visit"].text() == "11/10/2026"
    [v] = visits(ctx, pid)
    assert (v.visit_type, v.provider_id, v.enrollment_id) == ("em_new", robin, w.enrollment_id)


def test_the_enrollments_practitioner_wins_over_a_later_edit_of_the_patient(qtbot, nurse_ctx):
    """An enrolled patient's list row and details keep the enrollment's practitioner even
    when the patient's own (usual) practitioner is changed afterwards."""
    ctx = nurse_ctx
    pid = new_patient(ctx, ctx.actor, "T2", last="Steady")
    ctx.enrollment.enroll(ctx.actor, pid, "ccm", full_consent(ctx))
    detail = ctx.patients.get(pid)
    changed = type(detail.data)(**{**detail.data.__dict__, "billing_provider_npi": "1000000004"})
    ctx.patients.update(ctx.practice.actor_for("dr.example"), pid, changed, detail.version)
    assert ctx.patients.get(pid).billing_provider == "Robin Sample, NP"  # the usual one moved
    patients = list_page(qtbot, ctx)
    assert list_rows(qtbot, patients)["Steady, Ada"][1] == "Dana Example, MD"
    page = detail_page(qtbot, ctx, pid)
    assert page.details_tab.values["provider"].text() == "Dana Example, MD"


def test_the_patient_form_shows_the_enrollments_practitioner_and_does_not_offer_a_change(
    qtbot, nurse_ctx
):
    """Editing an enrolled patient: the form's billing provider is the enrollment's and
    locked, with the reason in words; a patient not enrolled can still choose one."""
    ctx = nurse_ctx
    pid = new_patient(ctx, ctx.actor, "T3", last="Locked")
    ctx.enrollment.enroll(ctx.actor, pid, "ccm", full_consent(ctx))
    form = PatientFormDialog(ctx, patient_id=pid)
    qtbot.addWidget(form)
    form.show()
    assert form.provider.currentText() == "Dana Example, MD" and not form.provider.isEnabled()
    assert form.provider_note.isVisible()
    assert "consent again" in form.provider_note.text()
    other = new_patient(ctx, ctx.actor, "T4", last="Free")
    free = PatientFormDialog(ctx, patient_id=other)
    qtbot.addWidget(free)
    free.show()
    assert free.provider.isEnabled() and not free.provider_note.isVisible()


# -- decline vs disenroll ----------------------------------------------------------------
def test_an_enrolled_patient_is_offered_disenroll_only(qtbot, nurse_ctx):
    ctx = nurse_ctx
    pid, _eid = enrolled_patient(ctx, "T3")
    page = detail_page(qtbot, ctx, pid)  # kept: a page nothing holds is deleted
    tab = page.enrollment_tab
    assert tab.decline_button.isHidden()
    assert not tab.disenroll_button.isHidden() and tab.disenroll_button.isEnabled()
    with pytest.raises(CcmError, match="Disenroll"):
        DeclineDialog(ctx, pid)
    with pytest.raises(ValidationError, match="disenroll"):
        ctx.enrollment.decline(ctx.actor, pid, "ccm", full_consent(ctx), "changed mind")
    [enr] = ctx.enrollment.history(pid)
    assert enr.status == "enrolled" and enr.end_date is None  # nothing ended today
    w = open_wizard(qtbot, ctx, pid)  # a program change: "Patient declined…" not offered
    assert w.button(QWizard.WizardButton.CustomButton1).isHidden()


def test_a_patient_not_enrolled_can_still_decline(qtbot, nurse_ctx):
    ctx = nurse_ctx
    pid = new_patient(ctx, ctx.actor, "T4")
    page = detail_page(qtbot, ctx, pid)  # kept: a page nothing holds is deleted
    tab = page.enrollment_tab
    assert not tab.decline_button.isHidden()
    w = open_wizard(qtbot, ctx, pid)
    assert w.button(QWizard.WizardButton.CustomButton1).isVisible()


def test_a_disenrolled_patient_shows_enrolled_leaving_until_the_day_passes(
    qtbot, nurse_ctx, monkeypatch
):
    ctx = nurse_ctx
    pid, eid = enrolled_patient(ctx, "T5")
    d = DisenrollDialog(ctx, eid)
    qtbot.addWidget(d)
    d.reason.setEditText("Moving to another practice")
    d.confirm.setChecked(True)
    d.accept()
    assert d.effective == date(2026, 11, 30)
    patients = list_page(qtbot, ctx)
    assert list_rows(qtbot, patients)["Testpatient, Ada"] == (
        "Enrolled, leaving 11/30",
        "Dana Example, MD",
    )
    page = detail_page(qtbot, ctx, pid)
    assert page.enrollment_tab.current.text() == "CCM: Enrolled, leaving 11/30"
    assert "Enrolled, leaving 11/30" in page.summary.text()
    assert page.enrollment_tab.decline_button.isHidden()
    assert not page.enrollment_tab.disenroll_button.isEnabled()
    enrolled = ctx.patients.rows(PatientFilter(status="enrolled"))
    assert [r.id for r in enrolled] == [pid]  # still enrolled this month

    later = datetime(2026, 12, 1, 17, tzinfo=UTC)
    monkeypatch.setattr(ctx.clock, "_now", lambda: later)
    assert list_rows(qtbot, patients)["Testpatient, Ada"][0] == "Disenrolled"
    page = detail_page(qtbot, ctx, pid)
    assert page.enrollment_tab.current.text() == "CCM: Disenrolled"


def test_patient_died_words_the_dialog_for_a_death_and_ends_that_day(qtbot, nurse_ctx, shots):
    ctx = nurse_ctx
    pid, eid = enrolled_patient(ctx, "T6")
    d = DisenrollDialog(ctx, eid)
    qtbot.addWidget(d)
    d.show()
    d.reason.setCurrentIndex(d.reason.findText("Patient died"))
    assert d.date_label.text().replace("&", "") == "Date of death:"
    type_into(qtbot, d.asked_on, "11/09/2026")
    words = d.statement.text() + " " + d.confirm.text()
    assert "asked" not in words.lower()
    assert "end of the calendar month" not in words
    assert "ends on November 9, 2026, the day the patient died" in d.statement.text()
    d.confirm.setChecked(True)
    shots(d, "disenroll-died")
    d.accept()
    assert d.effective == date(2026, 11, 9)
    [enr] = ctx.enrollment.history(pid)
    assert (enr.status, enr.end_date) == ("disenrolled", date(2026, 11, 9))
    page = detail_page(qtbot, ctx, pid)
    assert page.enrollment_tab.current.text() == "CCM: Disenrolled"


# -- one date field ----------------------------------------------------------------------
def test_consent_date_accepts_typing_after_a_click_and_refuses_the_future(qtbot, nurse_ctx):
    ctx = nurse_ctx
    pid = new_patient(ctx, ctx.actor, "T7")
    w = open_wizard(qtbot, ctx, pid)
    w.next()
    w.next()
    page = w.consent_page
    for check in page.disclosures.values():
        check.setChecked(True)
    page.method.set_method("written")
    type_into(qtbot, page.consent_date, "11022026")
    assert page.consent_date.text() == "11/02/2026"
    assert page.consent_input().consent_date == date(2026, 11, 2)
    type_into(qtbot, page.consent_date, "12/01/2026")
    message = page.errors.visible("consent_date")
    assert "cannot be in the future" in message
    w.button(QWizard.WizardButton.FinishButton).click()
    assert not w.enrolled and ctx.enrollment.history(pid) == []
    type_into(qtbot, page.consent_date, "11/02/2026")
    assert page.errors.visible("consent_date") == ""
    w.button(QWizard.WizardButton.FinishButton).click()
    assert w.enrolled
    assert ctx.enrollment.history(pid)[0].start_date == date(2026, 11, 2)


def test_the_same_date_field_in_wizard_dialogs_and_patient_form(qtbot, nurse_ctx):
    from ccm_desktop.ui.common.date_field import DateField

    ctx = nurse_ctx
    _pid, eid = enrolled_patient(ctx, "T8")
    other = new_patient(ctx, ctx.actor, "T8B", first="Bea")
    w = open_wizard(qtbot, ctx, other)
    decline = DeclineDialog(ctx, other)
    stop = DisenrollDialog(ctx, eid)
    for widget in (decline, stop):
        qtbot.addWidget(widget)
    fields = [w.visit_page.visit_date, w.consent_page.consent_date, decline.when, stop.asked_on]
    assert all(type(f) is DateField for f in fields)
    assert all(f.today == date(2026, 11, 16) for f in fields)  # no future date anywhere


# -- Escape asks -------------------------------------------------------------------------
def test_escape_with_nothing_entered_closes_at_once(qtbot, nurse_ctx):
    ctx = nurse_ctx
    w = open_wizard(qtbot, ctx, new_patient(ctx, ctx.actor, "T9"))
    qtbot.keyClick(w, Qt.Key.Key_Escape)
    assert not w.isVisible() and not w.saved


def test_escape_after_entering_asks_before_discarding(qtbot, nurse_ctx):
    ctx = nurse_ctx
    w = open_wizard(qtbot, ctx, new_patient(ctx, ctx.actor, "T10"))
    w.next()
    w.next()
    w.consent_page.disclosures["disclosed_service"].setChecked(True)
    asked: list[str] = []

    def keep(box: QMessageBox) -> None:
        asked.append(box.text())
        next(b for b in box.buttons() if "Keep" in b.text()).click()

    when_modal(QMessageBox, keep)
    qtbot.keyClick(w, Qt.Key.Key_Escape)
    assert asked == ["Discard what you entered?"]
    assert w.isVisible()  # kept
    assert w.consent_page.disclosures["disclosed_service"].isChecked()

    def discard(box: QMessageBox) -> None:
        next(b for b in box.buttons() if "Discard" in b.text()).click()

    when_modal(QMessageBox, discard)
    w.close()  # the window's close button asks the same
    assert not w.isVisible() and not w.saved


# -- the Enrollment tab shows the consent and the initiating visit -----------------------
def test_enrollment_tab_shows_consent_and_initiating_visit(qtbot, nurse_ctx, shots):
    from ccm_desktop.services.enrollment import ConsentInput
    from ccm_desktop.services.visits import VisitInput

    ctx = nurse_ctx
    pid = new_patient(ctx, ctx.actor, "T11", last_visit="2024-10-01")
    consent = ConsentInput(
        date(2026, 11, 12),
        "verbal",
        staff_id(ctx, "nurse.kim"),
        True,
        True,
        True,
        True,
        witness="Lee Frontdesk",
    )
    ctx.enrollment.enroll(
        ctx.actor, pid, "ccm", consent, visit=VisitInput(date(2026, 11, 10), "em_new", True)
    )
    page = detail_page(qtbot, ctx, pid)
    page.tabs.setCurrentIndex(ENROLLMENT)
    tab = page.enrollment_tab
    assert tab.consent.text() == (
        "Verbal, 11/12/2026, obtained by Kim Carewell; witness Lee Frontdesk"
    )
    assert tab.visit.text() == (
        "11/10/2026, Office visit, new patient (E/M), with Dana Example, MD (with G0506)"
    )
    shots(page, "detail-enrollment-consent-visit")
    other = new_patient(ctx, ctx.actor, "T12", first="Cy")  # seen 09/01/2026: no visit needed
    ctx.enrollment.enroll(ctx.actor, other, "ccm", full_consent(ctx))
    page = detail_page(qtbot, ctx, other)
    assert "no new visit was needed. Last face-to-face visit on record: 09/01/2026" in (
        page.enrollment_tab.visit.text()
    )
    assert "Written, 11/02/2026, obtained by Kim Carewell" == page.enrollment_tab.consent.text()


def test_initiating_visit_kinds_include_new_patient_office_visits(qtbot, nurse_ctx):
    ctx = nurse_ctx
    w = open_wizard(qtbot, ctx, new_patient(ctx, ctx.actor, "T13", last_visit="2024-10-01"))
    combo = w.visit_page.visit_type
    texts = [combo.itemText(i) for i in range(combo.count())]
    for code in ("99202", "99203", "99204", "99205", "99212", "99215"):
        assert any(code in t for t in texts), code
    assert "Annual wellness visit (AWV)" in texts and "Welcome to Medicare visit (IPPE)" in texts


# -- fits a 1366x768 screen at 125% ------------------------------------------------------
def test_wizard_and_dialogs_fit_a_laptop_screen_at_125_percent(qtbot, nurse_ctx):
    ctx = nurse_ctx
    _pid, eid = enrolled_patient(ctx, "T14")
    other = new_patient(ctx, ctx.actor, "T15", last_visit="2024-10-01", first="Di")
    w = open_wizard(qtbot, ctx, other)
    decline, stop = DeclineDialog(ctx, other), DisenrollDialog(ctx, eid)
    for widget in (decline, stop):
        qtbot.addWidget(widget)
        widget.show()
    width, height = SCREEN_125
    for widget in (w, decline, stop):
        hint = widget.minimumSizeHint()
        assert hint.width() <= width and hint.height() <= height, (widget, hint)
        assert widget.width() <= width and widget.height() <= height, (widget, widget.size())
