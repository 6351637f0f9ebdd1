"""Consent preview: the PDF from memory in QtPdf, languages, large print, and printing."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter

from ccm_desktop.ui.enrollment.consent_preview import ConsentPreviewDialog
from tests.ui.enroll_helpers import full_consent, new_patient

pytestmark = pytest.mark.gui


def pdf_pages(data: bytes) -> int:
    return len(PdfReader(io.BytesIO(data)).pages)


def pdf_text(data: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def preview(qtbot, ctx, pid, program="ccm") -> ConsentPreviewDialog:
    d = ConsentPreviewDialog.for_patient(ctx, pid, program)
    qtbot.addWidget(d)
    d.show()
    qtbot.waitExposed(d)
    return d


def test_english_form_loads_from_memory(qtbot, ctx, clinician, shots):
    pid = new_patient(ctx, clinician, "C1")
    d = preview(qtbot, ctx, pid)
    assert d.document.status() == QPdfDocument.Status.Ready
    n = d.document.pageCount()
    assert n == pdf_pages(d.pdf_bytes) and n >= 1
    assert d.chosen_language() == "en" and d.fallback_note.isHidden()
    assert d.page_label.text() == f"Page 1 of {n}"
    assert "Dana Example, MD" in pdf_text(d.pdf_bytes)
    assert d.buffer is not None and d.buffer.isOpen()  # kept for the dialog's lifetime
    if n > 1:
        d.next_button.click()
        assert d.current_page() == 1 and d.page_label.text() == f"Page 2 of {n}"
    d.large_print.setChecked(True)
    assert d.document.pageCount() == pdf_pages(d.pdf_bytes) > n
    d.zoom.setCurrentIndex(d.zoom.findData("150"))
    assert d.view.zoomFactor() == 1.5


def test_spanish_patient_gets_spanish_and_english_on_request(qtbot, ctx, clinician):
    pid = new_patient(ctx, clinician, "C2", language="es", first="Rosa")
    d = preview(qtbot, ctx, pid)
    assert d.chosen_language() == "es" and d.fallback_note.isHidden()
    assert d.document.pageCount() == pdf_pages(d.pdf_bytes)
    spanish = pdf_text(d.pdf_bytes)
    d.language.setCurrentIndex(d.language.findData("en"))
    assert d.document.status() == QPdfDocument.Status.Ready
    assert d.document.pageCount() == pdf_pages(d.pdf_bytes)
    assert pdf_text(d.pdf_bytes) != spanish


def test_language_without_a_form_falls_back_with_a_note(qtbot, ctx, clinician):
    pid = new_patient(ctx, clinician, "C3", language="vi")
    d = preview(qtbot, ctx, pid)
    assert d.chosen_language() == "en"
    assert d.fallback_note.isVisible()
    assert "prefers Vietnamese" in d.fallback_note.text()
    assert "interpreter" in d.fallback_note.text()


def test_names_the_practitioner_of_the_current_enrollment(qtbot, ctx, clinician):
    pid = new_patient(ctx, clinician, "C4")
    robin = next(p for p in ctx.practice.providers() if p.name.startswith("Robin"))
    ctx.visits.record(clinician, pid, robin.id, ctx.clock.now().date(), "em")
    ctx.enrollment.enroll(clinician, pid, "ccm", full_consent(ctx), robin.id)
    d = preview(qtbot, ctx, pid)
    assert d.provider_name == "Robin Sample, NP"


def test_print_to_a_pdf_file(qtbot, ctx, clinician, tmp_path):
    pid = new_patient(ctx, clinician, "C5")
    d = preview(qtbot, ctx, pid)
    printer = d.make_printer()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    out = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(out))
    n = d.document.pageCount()
    assert d.print_to(printer) == n
    assert out.exists()
    assert pdf_pages(out.read_bytes()) == n
