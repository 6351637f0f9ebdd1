"""Screenshots of the enrollment wizard, the decline and disenroll dialogs and the consent
preview, for ``tools/screenshots.py`` (synthetic patients added to the demo practice)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtWidgets import QWidget, QWizard

from ccm_desktop.app import AppContext
from ccm_desktop.services.enrollment import ConsentInput
from ccm_desktop.services.patients import PatientInput


def _patient(
    ctx: AppContext, mrn: str, first: str, codes: tuple[str, ...], last_visit: str, lang: str = "en"
) -> int:
    assert ctx.actor is not None
    npi = ctx.practice.providers()[0].npi
    pid = ctx.patients.create(
        ctx.actor,
        PatientInput(
            mrn,
            "Sampleton",
            first,
            "1951-04-12",
            "F",
            billing_provider_npi=npi,
            last_visit_date=last_visit,
            preferred_language=lang,
        ),
    )
    for code in codes:
        ctx.patients.add_condition(ctx.actor, pid, code)
    return pid


def enrollment_shots(
    ctx: AppContext, save: Callable[[QWidget, str], None], settle: Callable[[int], None]
) -> None:
    """Save enroll-*, decline, disenroll and consent-preview PNGs through ``save``."""
    from ccm_desktop.ui.enrollment.consent_preview import ConsentPreviewDialog
    from ccm_desktop.ui.enrollment.enroll_wizard import EnrollWizard
    from ccm_desktop.ui.enrollment.enrollment_dialogs import DeclineDialog, DisenrollDialog

    assert ctx.actor is not None
    two = _patient(ctx, "SHOT01", "Avery", ("E11.9", "I10"), "2026-09-01")
    one = _patient(ctx, "SHOT02", "Blair", ("J44.9",), "2026-09-01")
    old = _patient(ctx, "SHOT03", "Casey", ("E11.9", "I50.9", "N18.30"), "2024-10-01", "es")

    def wizard(pid: int) -> EnrollWizard:
        w = EnrollWizard(ctx, pid)
        w.show()
        return w

    w = wizard(two)
    save(w, "enroll-1-program")
    w.done(0)  # closes without the "Discard what you entered?" question

    w = wizard(one)
    w.program_page.buttons["ccm"].setChecked(True)
    save(w, "enroll-1-not-eligible")
    w.done(0)  # closes without the "Discard what you entered?" question

    w = wizard(old)
    w.next()
    visit = w.visit_page
    visit.visit_date.set_value(date(2026, 11, 10))
    visit.visit_type.setCurrentIndex(visit.visit_type.findData("awv"))
    visit.discussed.setChecked(True)
    visit.g0506.setChecked(True)
    save(w, "enroll-2-visit-needed")
    w.next()
    page = w.consent_page
    for field, check in page.disclosures.items():
        check.setChecked(field != "disclosed_cost_sharing")
    page.method.set_method("verbal")
    w.button(QWizard.WizardButton.FinishButton).click()  # refused: shows what is missing
    save(w, "enroll-3-consent-errors")
    page.disclosures["disclosed_cost_sharing"].setChecked(True)
    page.witness.setText("Lee Frontdesk")
    save(w, "enroll-3-consent")
    w.done(0)  # closes without the "Discard what you entered?" question

    decline = DeclineDialog(ctx, one)
    decline.show()
    decline.reason.setEditText("Does not want monthly phone calls")
    decline.method.set_method("verbal")
    save(decline, "decline")
    decline.close()

    consent = ConsentInput(date(2026, 10, 6), "written", ctx.actor.staff_id, True, True, True, True)
    eid = ctx.enrollment.enroll(ctx.actor, two, "ccm", consent)
    stop = DisenrollDialog(ctx, eid)
    stop.show()
    stop.reason.setEditText("Moving to another practice")
    stop.asked_on.set_value(date(2026, 11, 12))
    stop.confirm.setChecked(True)
    save(stop, "disenroll")
    stop.close()

    for pid, name in ((two, "consent-preview"), (old, "consent-preview-spanish")):
        preview = ConsentPreviewDialog.for_patient(ctx, pid, "ccm")
        preview.show()
        settle(1000)  # QPdfView renders asynchronously
        save(preview, name)
        preview.close()
