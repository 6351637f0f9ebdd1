"""The enrollment wizard: program and practitioner, initiating visit, consent.

The same wizard enrolls a new patient, transfers one to another billing practitioner and
changes the program (the service closes the current enrollment). Finish checks everything
that can be checked without writing (eligibility, consent, the visit's fields) before the
first write; then the initiating visit (when one was entered) is recorded and the patient
enrolled, each by its service in its own transaction. Should the enrollment still be
refused after the visit was saved, the wizard says so plainly and a second Finish does not
record the visit again. "Patient declined…" is reachable from every step for a patient not
enrolled (an enrolled patient who says no to a change simply stays as they are; stopping
is a disenrollment). Escape, Cancel or closing the window ask before throwing away what was
entered; with nothing entered the wizard closes at once.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QWidget, QWizard

from ccm_desktop.app import AppContext
from ccm_desktop.errors import CcmError, ValidationError, ValidationErrors
from ccm_desktop.reports.consent import ConsentPatient
from ccm_desktop.services.visits import VisitInput
from ccm_desktop.ui.common.dialogs import confirm_discard
from ccm_desktop.ui.common.forms import error_map
from ccm_desktop.ui.common.writer import write_and_wait
from ccm_desktop.ui.enrollment.consent_preview import ConsentPreviewDialog
from ccm_desktop.ui.enrollment.enroll_consent_page import CONSENT_FIELDS, ConsentPage
from ccm_desktop.ui.enrollment.enroll_program_page import ProgramPage
from ccm_desktop.ui.enrollment.enroll_visit_page import VisitPage
from ccm_desktop.ui.enrollment.enrollment_common import load_facts

VISIT_FIELDS = ("visit_date", "visit_type", "g0506", "initiating_visit")


class EnrollWizard(QWizard):
    """Enroll ``patient_id``; :attr:`saved` tells whether anything was written.

    Raises :class:`CcmError` when it cannot open (no acting user, patient gone).
    """

    def __init__(self, ctx: AppContext, patient_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        if ctx.actor is None:
            raise CcmError("Choose who is working before enrolling a patient.")
        self.ctx = ctx
        self.actor = ctx.actor
        self.facts = load_facts(ctx, patient_id)
        self.enrolled = False
        self.declined = False
        self.enrollment_id: int | None = None
        self.setWindowTitle(self.tr("Enroll {name}").format(name=self.facts.name))
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        newest = self.facts.history[0] if self.facts.history else None
        self.can_decline = newest is None or not newest.in_effect(self.facts.today)
        self.setOption(QWizard.WizardOption.HaveCustomButton1, self.can_decline)
        self.setButtonText(QWizard.WizardButton.CustomButton1, self.tr("Patient &declined…"))
        self.setButtonText(QWizard.WizardButton.FinishButton, self.tr("&Finish: enroll"))
        self.customButtonClicked.connect(self._custom_button)
        self.program_page = ProgramPage(self.facts)
        self.visit_page = VisitPage(ctx, self.facts, self.program_page)
        self.consent_page = ConsentPage(
            self.facts,
            self.actor.staff_id,
            self.program_page.program,
            self.finish,
            self.preview_consent,
        )
        for page in (self.program_page, self.visit_page, self.consent_page):
            self.addPage(page)
        self.preview: ConsentPreviewDialog | None = None
        self._initial = self._state()
        font = self.fontMetrics()
        width, height = font.averageCharWidth() * 112, font.height() * 34
        screen = self.screen().availableGeometry() if self.screen() else None
        if screen is not None:  # a 1366x768 laptop at 125%: 1093x614, title bar included
            width = min(width, screen.width() - 2 * font.height())
            height = min(height, screen.height() - 3 * font.height())
        self.resize(width, height)

    @property
    def saved(self) -> bool:
        """Whether anything was written: the enrollment, a decline, or the visit alone."""
        return self.enrolled or self.declined

    # -- leaving ----------------------------------------------------------------------
    def _state(self) -> tuple[object, ...]:
        """Everything the user can enter, to tell whether anything was (:meth:`reject`)."""
        p, v, c = self.program_page, self.visit_page, self.consent_page
        return (
            p.program(),
            p.provider_id(),
            v.visit_date.text(),
            v.visit_type.currentIndex(),
            v.discussed.isChecked(),
            v.g0506.isChecked(),
            tuple(b.isChecked() for b in c.disclosures.values()),
            c.method.method(),
            c.consent_date.text(),
            c.obtained_by.currentIndex(),
            c.witness.text().strip(),
        )

    def entered_anything(self) -> bool:
        """Whether anything differs from how the wizard opened."""
        return self._state() != self._initial

    def reject(self) -> None:
        """Escape, Cancel and the window's close: ask first when something was entered."""
        if not self.saved and self.entered_anything() and not self._discard_confirmed():
            return
        super().reject()

    def _discard_confirmed(self) -> bool:
        return confirm_discard(
            self, self.tr("Nothing has been saved for {name} yet.").format(name=self.facts.name)
        )

    # -- actions --------------------------------------------------------------------
    def _custom_button(self, which: int) -> None:
        if which == QWizard.WizardButton.CustomButton1.value:
            self.decline()

    def decline(self) -> bool:
        """Record a decline instead (prefilled from what was entered); closes when saved.
        Not offered (False) while the patient is enrolled."""
        from ccm_desktop.ui.enrollment.enrollment_dialogs import DeclineDialog

        if not self.can_decline:
            return False
        consent = self.consent_page.consent_input()
        dialog = DeclineDialog(
            self.ctx,
            self.facts.patient_id,
            self,
            facts=self.facts,
            program=self.program_page.program() or "ccm",
            consent=consent,
        )
        saved = dialog.exec() == QDialog.DialogCode.Accepted
        dialog.deleteLater()
        if saved:
            self.declined = True
            self.done(QDialog.DialogCode.Accepted)
        return saved

    def preview_dialog(self) -> ConsentPreviewDialog:
        """The consent form for the chosen program and practitioner, in the patient's language."""
        return ConsentPreviewDialog(
            self.facts.practice,
            ConsentPatient.from_detail(self.facts.detail),
            self.program_page.program() or "ccm",
            self.program_page.provider_name(),
            self,
        )

    def preview_consent(self) -> None:
        self.preview = self.preview_dialog()
        self.preview.exec()
        self.preview.deleteLater()
        self.preview = None

    # -- Finish ---------------------------------------------------------------------
    def finish(self) -> bool:
        """Check, then save the visit (if entered) and the enrollment. True when enrolled."""
        if self.enrolled:
            return True
        page = self.consent_page
        consent_errors = page.field_errors()
        if consent_errors:
            page.show_errors(consent_errors)
            return False
        el = self.program_page.eligibility()
        if el is None or not el.eligible:
            page.show_errors({}, el.reason if el else self.tr("Go back and choose a program."))
            return False
        visit = self.visit_page.visit()
        visit_errors = self.visit_page.field_errors()
        if visit_errors:
            self.visit_page.show_errors(visit_errors)
            page.show_errors({}, self.tr("Go back one step: the initiating visit needs a fix."))
            return False
        program, provider_id = self.program_page.program(), self.program_page.provider_id()
        entered = (
            VisitInput(visit.visit_date, visit.visit_type, visit.g0506)
            if visit is not None and visit.visit_date is not None
            else None
        )
        service, actor, pid, consent = (
            self.ctx.enrollment,
            self.actor,
            self.facts.patient_id,
            page.consent_input(),
        )
        try:  # on the serialized writer; the wizard keeps painting while it waits
            self.enrollment_id = write_and_wait(
                lambda: service.enroll(actor, pid, program, consent, provider_id, visit=entered)
            )
        except (ValidationError, ValidationErrors, CcmError) as exc:
            page.show_errors(*self._enroll_failure(exc))
            return False
        self.enrolled = True
        return True

    def _enroll_failure(self, exc: CcmError) -> tuple[dict[str, str], str]:
        """Field messages for the consent page and the sentence shown under them."""
        if isinstance(exc, (ValidationError, ValidationErrors)):
            errors = error_map(exc)
            fields = {k: v for k, v in errors.items() if k in CONSENT_FIELDS}
            others = [v for k, v in errors.items() if k not in CONSENT_FIELDS]
            if any(k in VISIT_FIELDS for k in errors):
                self.visit_page.show_errors({k: v for k, v in errors.items() if k in VISIT_FIELDS})
        else:
            fields, others = {}, [exc.message]
        reason = " ".join(others) or self.tr("Fix the marked fields.")
        return fields, self.tr("Nothing was saved. {reason}").format(reason=reason)
