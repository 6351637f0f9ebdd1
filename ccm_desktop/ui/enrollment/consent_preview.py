"""The consent form preview: see the form in the patient's language, then print it.

The PDF is made in memory (``reports/consent.py``, ~15 ms) and shown by the shared
preview of ``ui/common/pdf_preview.py`` (from a buffer, never a file; printed at no more
than 300 dpi).
"""

from __future__ import annotations

from PySide6.QtCore import QBuffer
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from ccm_desktop.app import AppContext
from ccm_desktop.errors import CcmError, ValidationError
from ccm_desktop.reports.consent import (
    ConsentPatient,
    consent_form_pdf,
    consent_language,
    consent_languages,
)
from ccm_desktop.services.patients import LANGUAGES
from ccm_desktop.services.practice import PracticeInfo
from ccm_desktop.ui.common.forms import error_label
from ccm_desktop.ui.common.pdf_preview import (
    PdfPreview,
    letter_printer,
    print_buttons,
    size_for_screen,
)
from ccm_desktop.ui.common.style import heading, note
from ccm_desktop.ui.common.vocabulary import program_label
from ccm_desktop.ui.enrollment.enrollment_common import load_facts


class ConsentPreviewDialog(QDialog):
    """The consent form for one patient and program, with language, large print, page
    navigation, zoom and Print…; read-only (nothing is saved)."""

    def __init__(
        self,
        practice: PracticeInfo,
        patient: ConsentPatient,
        program: str,
        provider_name: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.practice = practice
        self.patient = patient
        self.program = program
        self.provider_name = provider_name
        self.setWindowTitle(self.tr("Consent form"))
        self._build()
        self.reload()
        size_for_screen(self, 110, 46)

    @classmethod
    def for_patient(
        cls, ctx: AppContext, patient_id: int, program: str, parent: QWidget | None = None
    ) -> ConsentPreviewDialog:
        """The form naming the practitioner of the patient's current ``program`` enrollment,
        else the patient's own. Raises NotFound for a patient that no longer exists."""
        facts = load_facts(ctx, patient_id)
        current = facts.current
        if current is not None and current.program == program:
            provider_id = current.billing_provider_id
        else:
            provider_id = facts.usual_provider_id
        provider = facts.provider_name(provider_id) or facts.detail.billing_provider
        patient = ConsentPatient.from_detail(facts.detail)
        return cls(facts.practice, patient, program, provider, parent)

    # -- layout -------------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.addWidget(
            heading(
                self.tr("Consent form for {program}").format(program=program_label(self.program))
            )
        )
        layout.addWidget(
            note(
                self.tr(
                    "For {name}. Print it for the patient to read and sign. Nothing is saved here."
                ).format(name=self.patient.name)
            )
        )
        self.preview = PdfPreview("consent", self.tr("Consent form preview"), self)
        self.document: QPdfDocument = self.preview.document
        self.view: QPdfView = self.preview.view
        self.page_label, self.zoom = self.preview.page_label, self.preview.zoom
        self.previous_button = self.preview.previous_button
        self.next_button = self.preview.next_button
        self.language = QComboBox(objectName="consentLanguage")
        for code, name in consent_languages().items():
            self.language.addItem(name, code)
        wanted = consent_language(self.patient.preferred_language)
        self.language.setCurrentIndex(max(self.language.findData(wanted), 0))
        label = QLabel(self.tr("&Language:"))
        label.setBuddy(self.language)
        self.language.setAccessibleName(self.tr("Language of the form"))
        self.large_print = QCheckBox(self.tr("La&rge print"), objectName="consentLargePrint")
        for n, w in enumerate((label, self.language, self.large_print)):
            self.preview.bar.insertWidget(n, w)
        self.fallback_note = note("")
        self.fallback_note.setObjectName("consentFallbackNote")
        self.preview.add_note(self.fallback_note)
        self._update_fallback_note()
        self.message = error_label()
        self.message.setObjectName("consentError")
        self.preview.add_note(self.message)
        layout.addWidget(self.preview, 1)
        self.print_button = print_buttons(self, self.print_dialog)
        self.language.currentIndexChanged.connect(self.reload)
        self.large_print.toggled.connect(self.reload)
        self.view.setFocus()

    def _update_fallback_note(self) -> None:
        wanted = self.patient.preferred_language or "en"
        if consent_language(wanted) == wanted:
            self.fallback_note.hide()
            return
        self.fallback_note.setText(
            self.tr(
                "{name} prefers {language}. The form is not written in {language} yet, so "
                "it is in English: offer an interpreter when you go through it."
            ).format(name=self.patient.name, language=LANGUAGES.get(wanted, wanted))
        )
        self.fallback_note.show()

    # -- the document ---------------------------------------------------------------
    def chosen_language(self) -> str:
        return str(self.language.currentData() or "en")

    def reload(self) -> None:
        """Make the form again with the chosen language and print size, in memory."""
        chosen = self.chosen_language()
        wanted = self.patient.preferred_language or "en"
        # The patient's own language when it falls back to the chosen one: the form
        # then carries its own "ask for an interpreter" line.
        language = wanted if consent_language(wanted) == chosen else chosen
        try:
            data = consent_form_pdf(
                self.practice,
                self.patient,
                self.program,
                self.provider_name,
                language=language,
                large_print=self.large_print.isChecked(),
            )
        except ValidationError as exc:
            self.message.setText(
                self.tr("The form cannot be made yet: {reason}").format(reason=exc.text)
            )
            self.message.show()
            self.print_button.setEnabled(False)
            return
        self.message.hide()
        self.preview.load(data)
        self.print_button.setEnabled(self.document.pageCount() > 0)

    @property
    def buffer(self) -> QBuffer | None:
        return self.preview.buffer

    @property
    def pdf_bytes(self) -> bytes:
        return self.preview.pdf_bytes

    def current_page(self) -> int:
        return self.preview.current_page()

    # -- printing -----------------------------------------------------------------
    def make_printer(self) -> QPrinter:
        """A high-resolution printer on US Letter, named after the form (no file output)."""
        return letter_printer(
            self.tr("Consent form {program}").format(program=program_label(self.program))
        )

    def print_to(self, printer: QPrinter) -> int:
        """Print the form on ``printer``; returns the pages sent (errors shown inline)."""
        try:
            return self.preview.print_on(printer)
        except CcmError as exc:
            self.message.setText(exc.message)
            self.message.show()
            return 0

    def print_dialog(self) -> None:
        """Ask which printer (and pages), then print."""
        printer = self.make_printer()
        if self.preview.choose_printer(printer, self.tr("Print the consent form")):
            self.print_to(printer)
