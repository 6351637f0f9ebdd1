"""The enrollment wizard on a real encrypted practice: eligibility, initiating visit, consent."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtWidgets import QDialog, QWizard

from ccm_desktop.ui.enrollment.enroll_wizard import EnrollWizard
from ccm_desktop.ui.enrollment.enrollment_actions import open_enrollment_wizard
from ccm_desktop.ui.enrollment.enrollment_dialogs import DeclineDialog
from tests.ui.conftest import when_modal
from tests.ui.enroll_helpers import (
    TODAY,
    consents,
    full_consent,
    new_patient,
    staff_id,
    visits,
)

pytestmark = pytest.mark.gui


@pytest.fixture
def nurse_ctx(ctx):
    ctx.actor = ctx.practice.actor_for("nurse.kim")
    return ctx


def open_wizard(qtbot, ctx, pid) -> EnrollWizard:
    w = EnrollWizard(ctx, pid)
    qtbot.addWidget(w, before_close_func=lambda w: w.done(0))  # no "Discard?" at teardown
    w.show()
    qtbot.waitExposed(w)
    return w


def button(w: EnrollWizard, which: QWizard.WizardButton):
    return w.button(which)


def fill_consent(w: EnrollWizard, method: str = "written", witness: str = "") -> None:
    page = w.consent_page
    for check in page.disclosures.values():
        check.setChecked(True)
    page.method.set_method(method)
    page.witness.setText(witness)


def test_enroll_two_conditions_in_ccm(qtbot, nurse_ctx, shots):
    ctx = nurse_ctx
    pid = new_patient(ctx, ctx.actor, "W1")
    w = open_wizard(qtbot, ctx, pid)
    page = w.program_page
    assert page.program() == "ccm"  # two conditions: CCM is the first suggestion
    assert page.verdict.text().startswith("✓ Qualifies.")
    assert "E11.9" in page.conditions.text() and "I10" in page.conditions.text()
    assert "Dana Example, MD (the patient's practitioner)" == page.provider.currentText()
    assert button(w, QWizard.WizardButton.NextButton).isEnabled()
    shots(w, "enroll-1-program")
    w.next()
    assert w.currentPage() is w.visit_page
    assert "No new visit needed" in w.visit_page.status.text()
    assert "09/01/2026" in w.visit_page.status.text()
    assert w.visit_page.entry.isHidden()
    w.next()
    assert w.currentPage() is w.consent_page
    assert w.consent_page.obtained_by.currentText() == "Kim Carewell (RN)"  # the acting user
    assert w.consent_page.consent_date.value() == date(2026, 11, 16)
    fill_consent(w)
    shots(w, "enroll-3-consent")
    button(w, QWizard.WizardButton.FinishButton).click()
    assert w.enrolled and w.saved
    assert w.result() == QDialog.DialogCode.Accepted
    [enr] = ctx.enrollment.history(pid)
    assert (enr.program, enr.status, enr.start_date) == ("ccm", "enrolled", TODAY)
    [step] = enr.history
    assert (step.status, step.effective_date, step.recorded_by) == (
        "enrolled",
        TODAY,
        "Kim Carewell",
    )
    assert step.recorded_at is not None
    [c] = consents(ctx, pid)
    assert c.consented and c.method == "written" and c.obtained_by_id == staff_id(ctx, "nurse.kim")
    assert all(
        (
            c.disclosed_service,
            c.disclosed_cost_sharing,
            c.disclosed_one_practitioner,
            c.disclosed_stop_anytime,
        )
    )
    assert visits(ctx, pid) == []  # seen recently: no visit recorded


def test_ccm_with_one_condition_explains_and_blocks(qtbot, nurse_ctx, shots):
    ctx = nurse_ctx
    pid = new_patient(ctx, ctx.actor, "W2", ("J44.9",))
    w = open_wizard(qtbot, ctx, pid)
    page = w.program_page
    assert page.program() == "pcm"  # one condition: PCM suggested
    page.buttons["ccm"].setChecked(True)
    text = page.verdict.text()
    assert "Does not qualify" in text
    assert "CCM needs two or more chronic conditions" in text
    assert "this patient has one: consider PCM" in text
    assert not button(w, QWizard.WizardButton.NextButton).isEnabled()
    shots(w, "enroll-1-not-eligible")
    page.buttons["pcm"].setChecked(True)
    assert button(w, QWizard.WizardButton.NextButton).isEnabled()


def test_patient_not_seen_for_two_years_records_the_visit_first(qtbot, nurse_ctx, shots):
    ctx = nurse_ctx
    pid = new_patient(ctx, ctx.actor, "W3", last_visit="2024-10-01")
    w = open_wizard(qtbot, ctx, pid)
    w.next()
    page = w.visit_page
    assert "Not seen by the billing practitioner within 12 months" in page.status.text()
    assert page.entry.isVisible()
    assert not button(w, QWizard.WizardButton.NextButton).isEnabled()
    assert page.g0506.isEnabled() and "once per patient" in page.g0506_note.text()
    page.visit_date.set_value(date(2025, 6, 1))  # too long ago to start CCM
    page.visit_type.setCurrentIndex(page.visit_type.findData("awv"))
    page.discussed.setChecked(True)
    page.errors.reveal_all()
    assert "more than 12 months ago" in page.errors.visible("visit_date")
    assert not button(w, QWizard.WizardButton.NextButton).isEnabled()
    page.visit_date.set_value(date(2026, 11, 10))
    page.g0506.setChecked(True)
    assert page.errors.visible("visit_date") == ""
    shots(w, "enroll-2-visit-needed")
    assert button(w, QWizard.WizardButton.NextButton).isEnabled()
    w.next()
    fill_consent(w, "verbal", "Lee Frontdesk")
    button(w, QWizard.WizardButton.FinishButton).click()
    assert w.enrolled
    [v] = visits(ctx, pid)
    assert (v.visit_date, v.visit_type, v.g0506) == (date(2026, 11, 10), "awv", True)
    assert ctx.enrollment.history(pid)[0].status == "enrolled"


def test_g0506_already_used_is_disabled_with_the_reason(qtbot, nurse_ctx):
    ctx = nurse_ctx
    pid = new_patient(ctx, ctx.actor, "W4", last_visit="2023-01-05")
    provider = ctx.practice.providers()[0]
    ctx.visits.record(ctx.actor, pid, provider.id, date(2024, 6, 3), "em", g0506=True)
    w = open_wizard(qtbot, ctx, pid)
    w.next()
    page = w.visit_page
    assert page.needs_visit()
    assert not page.g0506.isEnabled()
    assert "already billed for this patient on 06/03/2024" in page.g0506_note.text()


def test_missing_disclosure_or_witness_saves_nothing(qtbot, nurse_ctx, shots):
    ctx = nurse_ctx
    pid = new_patient(ctx, ctx.actor, "W5", last_visit="2024-10-01")
    w = open_wizard(qtbot, ctx, pid)
    w.next()
    visit = w.visit_page
    visit.visit_type.setCurrentIndex(visit.visit_type.findData("em"))
    visit.discussed.setChecked(True)
    w.next()
    page = w.consent_page
    fill_consent(w, "verbal", "")
    page.disclosures["disclosed_stop_anytime"].setChecked(False)
    button(w, QWizard.WizardButton.FinishButton).click()
    assert w.currentPage() is page and w.isVisible()
    assert "Explain and tick all four points first" in page.errors.visible("disclosures")
    assert "that the patient may stop at any time" in page.errors.visible("disclosures")
    assert page.errors.visible("witness") == "Verbal consent needs a witness name."
    shots(w, "enroll-3-consent-errors")
    assert ctx.enrollment.history(pid) == []
    assert visits(ctx, pid) == [] and consents(ctx, pid) == []  # the visit waits for consent
    assert not w.saved
    page.disclosures["disclosed_stop_anytime"].setChecked(True)
    assert page.errors.visible("disclosures") == ""  # the message goes once it is fixed
    page.witness.setText("Lee Frontdesk")
    button(w, QWizard.WizardButton.FinishButton).click()
    assert w.enrolled and len(visits(ctx, pid)) == 1


def test_transfer_and_program_change_say_what_happens(qtbot, nurse_ctx):
    ctx = nurse_ctx
    pid = new_patient(ctx, ctx.actor, "W6")
    ctx.enrollment.enroll(ctx.actor, pid, "ccm", full_consent(ctx))
    w = open_wizard(qtbot, ctx, pid)
    page = w.program_page
    assert page.program() == "ccm"
    assert "already enrolled in CCM with Dana Example, MD (since 11/02/2026)" in (
        page.change.text()
    )
    assert not button(w, QWizard.WizardButton.NextButton).isEnabled()
    page.provider.setCurrentIndex(page.provider.findText("Robin Sample, NP"))
    assert "This is a transfer: it ends the current CCM enrollment with Dana Example, MD" in (
        page.change.text()
    )
    assert "new consent" in page.change.text()
    page.provider.setCurrentIndex(0 if page.provider.itemText(0).startswith("Dana") else 1)
    page.buttons["apcm"].setChecked(True)
    assert "starts APCM, which needs its own consent" in page.change.text()
    assert button(w, QWizard.WizardButton.NextButton).isEnabled()
    w.next()
    w.next()
    fill_consent(w)
    button(w, QWizard.WizardButton.FinishButton).click()
    assert w.enrolled
    new, old = ctx.enrollment.history(pid)
    assert (new.program, new.status) == ("apcm", "enrolled")
    assert old.status == "program_changed" and old.end_date == TODAY


def test_decline_from_inside_the_wizard(qtbot, nurse_ctx):
    ctx = nurse_ctx
    pid = new_patient(ctx, ctx.actor, "W7")
    w = open_wizard(qtbot, ctx, pid)
    w.next()
    w.next()
    w.consent_page.method.set_method("verbal")

    def answer(d: DeclineDialog) -> None:
        assert d.method.method() == "verbal"  # carried over from the consent step
        d.reason.setEditText("Does not want monthly phone calls")
        d.accept()

    seen = when_modal(DeclineDialog, answer)
    button(w, QWizard.WizardButton.CustomButton1).click()
    assert seen and w.declined and w.saved
    [enr] = ctx.enrollment.history(pid)
    assert enr.status == "declined"
    assert enr.history[0].reason == "Does not want monthly phone calls"


def test_open_enrollment_wizard_cancelled_saves_nothing(qtbot, nurse_ctx):
    ctx = nurse_ctx
    pid = new_patient(ctx, ctx.actor, "W8")
    when_modal(EnrollWizard, lambda w: w.reject())
    from PySide6.QtWidgets import QWidget

    parent = QWidget()
    qtbot.addWidget(parent)
    assert open_enrollment_wizard(parent, ctx, pid) is False
    assert ctx.enrollment.history(pid) == []


def test_preview_from_the_consent_step_uses_the_choices(qtbot, nurse_ctx):
    from ccm_desktop.ui.enrollment.consent_preview import ConsentPreviewDialog

    ctx = nurse_ctx
    pid = new_patient(ctx, ctx.actor, "W9", language="vi")
    w = open_wizard(qtbot, ctx, pid)
    w.program_page.buttons["complex_ccm"].setChecked(True)
    w.next()
    w.next()
    assert "no Vietnamese form yet" in w.consent_page.preview_note.text()
    seen: list[tuple[str, str, int]] = []

    def look(d: ConsentPreviewDialog) -> None:
        seen.append((d.program, d.chosen_language(), d.document.pageCount()))
        d.reject()

    when_modal(ConsentPreviewDialog, look)
    w.consent_page.preview_button.click()
    assert seen and seen[0][:2] == ("complex_ccm", "en") and seen[0][2] >= 1
