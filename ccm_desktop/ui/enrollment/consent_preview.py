"""The consent form preview: see the form in the patient's language, then print it.

The PDF is made in memory (``reports/consent.py``, ~15 ms) and read by a
:class:`QPdfDocument` from a :class:`QBuffer`, so patient data never reaches the disk.
The dialog keeps the buffer and the document for its whole life (the document reads the
buffer while it renders). Printing renders each page as an image at the printer's
resolution, capped at :data:`PRINT_DPI_CAP` (a 1200 dpi page would cost ~0.5 GB).
"""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QGuiApplication, QKeySequence, QPageSize, QPainter, QShortcut
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
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
from ccm_desktop.ui.common.style import heading, note
from ccm_desktop.ui.common.vocabulary import program_label
from ccm_desktop.ui.enrollment.enrollment_common import load_facts

PRINT_DPI_CAP = 300
ZOOMS = (("width", 0.0), ("page", 0.0), ("75", 0.75), ("100", 1.0), ("150", 1.5), ("200", 2.0))


def print_pdf(document: QPdfDocument, printer: QPrinter) -> int:
    """Print ``document`` on ``printer`` (its page range when one was chosen); returns the
    number of pages sent. Each page is rendered at min(printer resolution, 300) dpi and
    fitted to the paper, keeping its proportions (the PDF carries its own margins)."""
    count = document.pageCount()
    first, last = 0, count - 1
    if printer.printRange() == QPrinter.PrintRange.PageRange and printer.fromPage() > 0:
        first = max(printer.fromPage() - 1, 0)
        last = min(printer.toPage() - 1 if printer.toPage() > 0 else last, count - 1)
    if count == 0 or first > last:
        return 0
    printer.setFullPage(True)
    dpi = min(printer.resolution(), PRINT_DPI_CAP)
    painter = QPainter()
    if not painter.begin(printer):
        raise CcmError("The printer could not be started. Check that it is on and try again.")
    sent = 0
    try:
        paper = printer.paperRect(QPrinter.Unit.DevicePixel)
        for page in range(first, last + 1):
            if sent:
                printer.newPage()
            points = document.pagePointSize(page)
            size = QSize(round(points.width() * dpi / 72), round(points.height() * dpi / 72))
            image = document.render(page, size)
            scale = min(paper.width() / size.width(), paper.height() / size.height())
            target = QRectF(0, 0, size.width() * scale, size.height() * scale)
            painter.drawImage(target, image)
            sent += 1
    finally:
        painter.end()
    return sent


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
        self.buffer: QBuffer | None = None  # read by the document: lives as long as it
        self.document = QPdfDocument(self)
        self.pdf_bytes = b""
        self.setWindowTitle(self.tr("Consent form"))
        self._build()
        self.reload()
        font = self.fontMetrics()
        self.resize(font.averageCharWidth() * 110, font.height() * 46)

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
        bar = QHBoxLayout()
        self.language = QComboBox(objectName="consentLanguage")
        for code, name in consent_languages().items():
            self.language.addItem(name, code)
        wanted = consent_language(self.patient.preferred_language)
        self.language.setCurrentIndex(max(self.language.findData(wanted), 0))
        label = QLabel(self.tr("&Language:"))
        label.setBuddy(self.language)
        self.language.setAccessibleName(self.tr("Language of the form"))
        bar.addWidget(label)
        bar.addWidget(self.language)
        self.large_print = QCheckBox(self.tr("La&rge print"), objectName="consentLargePrint")
        bar.addWidget(self.large_print)
        bar.addStretch(1)
        self.previous_button = QPushButton(self.tr("Pre&vious page"))
        self.page_label = QLabel(objectName="consentPageLabel")
        self.next_button = QPushButton(self.tr("&Next page"))
        for w in (self.previous_button, self.page_label, self.next_button):
            bar.addWidget(w)
        bar.addSpacing(self.fontMetrics().averageCharWidth() * 2)
        self.zoom = QComboBox(objectName="consentZoom")
        names = {"width": self.tr("Fit to width"), "page": self.tr("Whole page")}
        for key, factor in ZOOMS:
            self.zoom.addItem(names.get(key, f"{round(factor * 100)}%"), key)
        zoom_label = QLabel(self.tr("&Zoom:"))
        zoom_label.setBuddy(self.zoom)
        self.zoom.setAccessibleName(self.tr("Zoom"))
        bar.addWidget(zoom_label)
        bar.addWidget(self.zoom)
        layout.addLayout(bar)
        self.fallback_note = note("")
        self.fallback_note.setObjectName("consentFallbackNote")
        layout.addWidget(self.fallback_note)
        self._update_fallback_note()
        self.message = error_label()
        self.message.setObjectName("consentError")
        layout.addWidget(self.message)
        self.view = QPdfView(self, objectName="consentView")
        self.view.setAccessibleName(self.tr("Consent form preview"))
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setDocument(self.document)
        layout.addWidget(self.view, 1)
        buttons = QDialogButtonBox()
        self.print_button = buttons.addButton(
            self.tr("&Print…"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.setAutoDefault(False)
        self.print_button.setDefault(True)
        buttons.accepted.connect(self.print_dialog)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.language.currentIndexChanged.connect(self.reload)
        self.large_print.toggled.connect(self.reload)
        self.zoom.currentIndexChanged.connect(self._apply_zoom)
        self.previous_button.clicked.connect(lambda: self.go_to(self.current_page() - 1))
        self.next_button.clicked.connect(lambda: self.go_to(self.current_page() + 1))
        self.view.pageNavigator().currentPageChanged.connect(self._update_pages)
        QShortcut(QKeySequence.StandardKey.ZoomIn, self, lambda: self._step_zoom(1))
        QShortcut(QKeySequence.StandardKey.ZoomOut, self, lambda: self._step_zoom(-1))
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
        page = self.current_page()
        buffer = QBuffer(self)
        buffer.setData(QByteArray(data))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document.load(buffer)
        old, self.buffer, self.pdf_bytes = self.buffer, buffer, data
        if old is not None:
            old.close()
            old.deleteLater()
        self.print_button.setEnabled(self.document.pageCount() > 0)
        self.go_to(min(page, self.document.pageCount() - 1))
        self._update_pages()

    def current_page(self) -> int:
        return self.view.pageNavigator().currentPage()

    def go_to(self, page: int) -> None:
        """Show page ``page`` (0-based; out-of-range pages are ignored)."""
        if 0 <= page < self.document.pageCount():
            nav = self.view.pageNavigator()
            nav.jump(page, QPointF(0, 0), nav.currentZoom())
            self._update_pages()

    def _update_pages(self) -> None:
        count = self.document.pageCount()
        page = self.current_page()
        self.page_label.setText(self.tr("Page {n} of {count}").format(n=page + 1, count=count))
        self.previous_button.setEnabled(page > 0)
        self.next_button.setEnabled(page < count - 1)

    def _apply_zoom(self) -> None:
        key = str(self.zoom.currentData())
        if key == "width":
            self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        elif key == "page":
            self.view.setZoomMode(QPdfView.ZoomMode.FitInView)
        else:
            self.view.setZoomMode(QPdfView.ZoomMode.Custom)
            self.view.setZoomFactor(dict(ZOOMS)[key])

    def _step_zoom(self, direction: int) -> None:
        index = self.zoom.currentIndex() + direction
        if 0 <= index < self.zoom.count():
            self.zoom.setCurrentIndex(index)

    # -- printing -----------------------------------------------------------------
    def make_printer(self) -> QPrinter:
        """A high-resolution printer on US Letter, named after the form (no file output)."""
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setPageSize(QPageSize(QPageSize.PageSizeId.Letter))
        printer.setDocName(
            self.tr("Consent form {program}").format(program=program_label(self.program))
        )
        return printer

    def print_to(self, printer: QPrinter) -> int:
        """Print the form on ``printer``; returns the pages sent (errors shown inline)."""
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            return print_pdf(self.document, printer)
        except CcmError as exc:
            self.message.setText(exc.message)
            self.message.show()
            return 0
        finally:
            QGuiApplication.restoreOverrideCursor()

    def print_dialog(self) -> None:
        """Ask which printer (and pages), then print."""
        printer = self.make_printer()
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle(self.tr("Print the consent form"))
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.print_to(printer)
        dialog.deleteLater()
