"""Care-plan print-outs: the patient's "My Action Plan" and the clinician's full copy.

:func:`build_care_plan_pdf` lays out one :class:`CarePlanPrint` (read beforehand by
:func:`ccm_desktop.reports.care_plan_data.care_plan_print`) and returns the PDF bytes; the
window previews them from memory and the ``careplan`` command writes them to a file.
Letter, 1-inch margins; every page has the practice's name, address and office phone and
the revision ("Version 3 of 11/16/2026", and "Draft" on a draft) in its header, the
patient's name and "Page x of y" in its footer. Large print sets the body at 17 pt.

Fixed words come from ``resources/reports/care_plan_<lang>.toml``; the plan's own words
from its :data:`~ccm_desktop.careplan.content.Texts`. A text the plan has only in English
prints in English: :func:`untranslated` lists those items, so the caller can warn.
"""

from __future__ import annotations

from ccm_desktop.errors import ValidationError
from ccm_desktop.reports.care_plan_clinician import ClinicianCopy
from ccm_desktop.reports.care_plan_common import REPORT, CarePlanPrint, PlanDocument, PrintedCopy
from ccm_desktop.reports.care_plan_patient import PatientCopy
from ccm_desktop.reports.layout import render
from ccm_desktop.reports.texts import (
    FALLBACK,
    languages,
    load_texts,
    normalise_language,
    resolve_language,
)
from ccm_desktop.services.patients import LANGUAGES

__all__ = [
    "CarePlanPrint",
    "PrintedCopy",
    "build_care_plan_pdf",
    "care_plan_languages",
    "check_language",
    "print_language",
    "untranslated",
]


def care_plan_languages() -> dict[str, str]:
    """Languages the print-outs are written in: code -> name in that language."""
    return {code: str(load_texts(REPORT, code)["language_name"]) for code in languages(REPORT)}


def check_language(language: str) -> str:
    """``language`` as a code the print-outs have ("ES" -> "es"); a :class:`ValidationError`
    naming the languages there are otherwise."""
    code = normalise_language(language)
    if code not in languages(REPORT):
        there = " or ".join(languages(REPORT))
        raise ValidationError(
            "language", f"There is no care plan print-out in '{language}': use {there}."
        )
    return code


def print_language(data: CarePlanPrint, language: str | None, clinician: bool = False) -> str:
    """The language a print-out is laid out in: ``language`` when given (checked); else the
    patient's preferred language for the patient's copy when there is wording in it, and
    English otherwise (the clinician's copy, whose clinical words are English)."""
    if language:
        return check_language(language)
    return FALLBACK if clinician else resolve_language(REPORT, data.preferred_language)


def _document(
    data: CarePlanPrint, language: str | None, large_print: bool, clinician: bool
) -> PlanDocument:
    lang = print_language(data, language, clinician)
    if clinician:
        return ClinicianCopy(data, lang, large_print)
    doc = PatientCopy(data, lang, large_print)
    wanted = normalise_language(data.preferred_language)
    if not language and wanted and wanted != lang:  # a language we have no wording in
        doc.fallback_language = LANGUAGES.get(wanted, wanted)
    return doc


def untranslated(
    data: CarePlanPrint, *, language: str | None = None, clinician: bool = False
) -> list[str]:
    """The plan's items whose words print in English on that copy (in English: "goal 2",
    "medicine Metformin"); empty when the copy is in English or fully translated."""
    doc = _document(data, language, False, clinician)
    doc.story()
    return list(doc.untranslated)


def build_care_plan_pdf(
    data: CarePlanPrint,
    *,
    language: str | None = None,
    large_print: bool = False,
    clinician: bool = False,
) -> bytes:
    """The patient's copy (or with ``clinician`` the full copy) of ``data`` as PDF bytes.

    ``language`` as in :func:`print_language`. Raises ValidationError for a language with no
    wording, or when neither the plan nor the practice has a phone to call day and night.
    Nothing is written to disk; the output is the same for the same input.
    """
    doc = _document(data, language, large_print, clinician)
    story = doc.story()
    title = doc.label("title")
    return render(
        story,
        title=title,
        author=data.practice_name,
        footer_left=doc.footer(),
        page_pattern=doc.label("page", "common"),
        sizes=doc.sizes,
        lang=doc.lang,
        header=doc.draw_header,
    )
