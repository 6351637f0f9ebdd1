"""The care plan's print preview: the PDF from memory, language and print options, the
English-items warning, printing, and "copy given" recorded here and shown on the tab."""

from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter

from ccm_desktop.careplan.content import PlanContent, Problem
from ccm_desktop.ui.careplan.print_dialog import CarePlanPrintDialog
from tests.test_careplans import full_plan
from tests.ui.careplan_helpers import cells, detail_page, new_patient, open_tab, save

pytestmark = pytest.mark.gui

TODAY = date(2026, 11, 16)  # FIXED_NOW in New York


def pdf_pages(data: bytes) -> int:
    return len(PdfReader(io.BytesIO(data)).pages)


def pdf_text(data: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def page(qtbot, ctx):
    return detail_page(qtbot, ctx)


def preview(qtbot, ctx, plan_id) -> CarePlanPrintDialog:
    d = CarePlanPrintDialog(ctx, plan_id)
    qtbot.addWidget(d)
    with qtbot.waitSignal(d.made, timeout=10000):  # made off the GUI thread, shown after
        d.show()
    qtbot.waitExposed(d)
    return d


def remake(qtbot, d: CarePlanPrintDialog, change) -> None:
    """Change an option and wait until the new copy is shown (it is made off the GUI thread)."""
    with qtbot.waitSignal(d.made, timeout=10000):
        change()


def test_preview_loads_from_memory_with_its_options(qtbot, ctx, nurse, shots):
    pid = new_patient(ctx, nurse)
    plan_id = save(ctx, nurse, pid, full_plan(), base=None, complete=True)
    d = preview(qtbot, ctx, plan_id)
    doc = d.preview.document
    assert doc.status() == QPdfDocument.Status.Ready
    n = doc.pageCount()
    assert n > 0 and n == pdf_pages(d.preview.pdf_bytes)
    assert d.preview.buffer is not None and d.preview.buffer.isOpen()  # no file: a buffer
    assert d.chosen_language() == "en" and d.english_note.isHidden()
    assert d.preview.page_label.text() == f"Page 1 of {n}"
    assert "Lower my A1c" in pdf_text(d.preview.pdf_bytes)
    remake(qtbot, d, lambda: d.large_print.setChecked(True))
    assert doc.pageCount() == pdf_pages(d.preview.pdf_bytes) > n
    remake(qtbot, d, lambda: d.large_print.setChecked(False))
    remake(qtbot, d, lambda: d.clinician.setChecked(True))
    assert doc.status() == QPdfDocument.Status.Ready
    assert "E11.9" in pdf_text(d.preview.pdf_bytes) or "E119" in pdf_text(d.preview.pdf_bytes)
    shots(d, "careplan-preview")


def test_spanish_patient_gets_spanish_and_the_english_items_named(qtbot, ctx, nurse):
    pid = new_patient(ctx, nurse, "CP2", language="es")
    plan_id = save(ctx, nurse, pid, full_plan(), base=None, complete=True)  # English only
    d = preview(qtbot, ctx, plan_id)
    assert d.chosen_language() == "es"
    assert d.untranslated and d.english_note.isVisible()
    assert "print in English" in d.english_note.text()
    assert d.untranslated[0] in d.english_note.text()
    spanish = pdf_text(d.preview.pdf_bytes)
    remake(qtbot, d, lambda: d.language.setCurrentIndex(d.language.findData("en")))
    assert d.english_note.isHidden()
    assert d.language_note.isVisible() and "prefers Spanish" in d.language_note.text()
    assert pdf_text(d.preview.pdf_bytes) != spanish


def test_print_to_a_pdf_file(qtbot, ctx, nurse, tmp_path):
    pid = new_patient(ctx, nurse)
    plan_id = save(ctx, nurse, pid, full_plan(), base=None, complete=True)
    d = preview(qtbot, ctx, plan_id)
    printer = d.make_printer()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    out = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(out))
    n = d.preview.document.pageCount()
    assert d.print_to(printer) == n
    assert pdf_pages(out.read_bytes()) == n
    assert d.copy_method.currentData() == "printed"  # ready to record the copy handed over


def test_copy_given_from_the_preview_shows_on_the_tab(qtbot, ctx, nurse, page):
    ctx.actor = nurse
    pid = new_patient(ctx, nurse)
    save(ctx, nurse, pid, full_plan(), base=None, complete=True)
    tab = open_tab(qtbot, page, pid)
    assert tab.values["copies"].text() == "No copy given to the patient yet"
    tab.print_button.click()
    d = tab.dialog
    assert isinstance(d, CarePlanPrintDialog)
    assert d.copy_date.value() == TODAY  # today by default
    d.copy_method.setCurrentIndex(d.copy_method.findData("caregiver"))
    with qtbot.waitSignal(page.loaded, timeout=10000):
        d.copy_button.click()
    qtbot.waitUntil(lambda: "Saved." in d.copies.text())
    words = "11/16/2026, given to the caregiver, recorded by Kim Carewell"
    assert words in d.copies.text()
    assert tab.values["copies"].text() == words
    whats = [r[2] for r in cells(page.history_tab.table)]
    assert whats[:2] == [
        "Care plan version 1 given to the patient: given to the caregiver, 11/16/2026",
        "Care plan version 1 added (complete)",
    ]
    d.reject()
    qtbot.waitUntil(lambda: tab.dialog is None)


def test_a_copy_cannot_be_given_of_a_draft_or_in_the_future(qtbot, ctx, nurse, front):
    pid = new_patient(ctx, nurse)
    draft = PlanContent(problems=(Problem("E119", "Type 2 diabetes"),))
    plan_id = save(ctx, nurse, pid, draft, base=None, complete=False)
    ctx.actor = nurse
    d = preview(qtbot, ctx, plan_id)
    assert not d.copy_button.isEnabled() and "draft" in d.copy_why.text()
    assert d.preview.document.pageCount() > 0  # a draft still previews

    complete = save(ctx, nurse, pid, full_plan(), base=1, complete=True)
    d = preview(qtbot, ctx, complete)
    for day in ("11/20/2026", "11/13/2026"):  # tomorrow's day; before the plan was written
        d.copy_date.editor.setText(day)
        d.record_copy()
        assert d.copy_error.isVisible() and d.copy_error.text()
    assert ctx.careplans.revision(complete).copies == ()

    ctx.actor = front
    d = preview(qtbot, ctx, complete)
    assert not d.copy_button.isEnabled()
    assert "care manager or provider" in d.copy_why.text()
    assert d.print_button.isEnabled()


def test_print_goes_through_the_system_print_dialog(qtbot, ctx, nurse, tmp_path, monkeypatch):
    from PySide6.QtPrintSupport import QPrintDialog

    from tests.ui.conftest import when_modal

    pid = new_patient(ctx, nurse)
    plan_id = save(ctx, nurse, pid, full_plan(), base=None, complete=True)
    d = preview(qtbot, ctx, plan_id)
    out = tmp_path / "through-the-dialog.pdf"
    printer = d.make_printer()  # the dialog's own printer, sent to a file instead of paper
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(out))
    monkeypatch.setattr(d, "make_printer", lambda: printer)
    seen = when_modal(QPrintDialog, lambda dialog: dialog.accept())
    d.print_button.click()
    assert seen and seen[0].windowTitle() == "Print the care plan"
    assert pdf_pages(out.read_bytes()) == d.preview.document.pageCount()
