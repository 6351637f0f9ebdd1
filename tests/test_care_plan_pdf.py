"""The care-plan print-outs read back with pypdf: the patient's "My Action Plan" in English,
Spanish and large print, the clinician's copy, drafts, long plans, and untranslated items."""

from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import replace

import pytest
from pypdf import PageObject, PdfReader

from ccm_desktop.careplan.content import Problem
from ccm_desktop.errors import ValidationError
from ccm_desktop.reports.care_plan import (
    build_care_plan_pdf,
    care_plan_languages,
    check_language,
    print_language,
    untranslated,
)
from ccm_desktop.reports.layout import MARGIN, PAGE_HEIGHT
from ccm_desktop.reports.texts import missing_keys
from ccm_desktop.vocab import PlanStatus
from tests.care_plan_pdf_data import CONTENT, ROSA, long_plan

HEADINGS = {
    "en": [
        "My Action Plan",
        "My health problems",
        "My goals",
        "My small step",
        "What I do",
        "When to call",
        "My medicines",
        "My allergies",
        "My care team",
    ],
    "es": [
        "Mi plan de acción",
        "Mis problemas de salud",
        "Mis metas",
        "Mi pequeño paso",
        "Lo que yo hago",
        "Cuándo llamar",
        "Mis medicinas",
        "Mis alergias",
        "Mi equipo de cuidados",
    ],
}


def pages(pdf: bytes) -> list[str]:
    """Each page's text with runs of white space made one space."""
    return [" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages]


def drawn(page: PageObject) -> list[tuple[float, float, str]]:
    """(font size, height on the page, text) of every piece of text drawn on ``page``."""
    out: list[tuple[float, float, str]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if text.strip():
            out.append((size * tm[3] * cm[3], cm[5] + tm[5] * cm[3], text.strip()))

    page.extract_text(visitor_text=visit)
    return out


def text_sizes(pdf: bytes) -> list[tuple[float, float, str]]:
    """:func:`drawn` of every page."""
    return [x for page in PdfReader(io.BytesIO(pdf)).pages for x in drawn(page)]


def check_every_page(texts: list[str], version: str, page: str, practice: bool = True) -> None:
    for n, text in enumerate(texts, 1):
        assert page.format(n, len(texts)) in text
        assert version in text
        if practice:
            assert "Maple Grove Family Medicine" in text and "(555) 201-3344" in text


@pytest.fixture(scope="module")
def en() -> list[str]:
    return pages(build_care_plan_pdf(ROSA, language="en"))


@pytest.fixture(scope="module")
def es_large() -> bytes:
    return build_care_plan_pdf(ROSA, language="es", large_print=True)


@pytest.fixture(scope="module")
def clinician() -> str:
    texts = pages(build_care_plan_pdf(ROSA, clinician=True))
    check_every_page(texts, "Version 3 of 11/16/2026", "Page {} of {}")
    return " ".join(texts)


def test_patient_copy_in_english(en):
    check_every_page(en, "Version 3 of 11/16/2026", "Page {} of {}")
    text = " ".join(en)
    for heading in HEADINGS["en"]:
        assert heading in text
    assert "My Action Plan for Rosa Example" in en[-1]  # the footer
    assert "1. Bring my A1C down" in text and "By March 1, 2027" in text
    for part in ("Walk", "15 minutes", "After lunch", "5 days a week", "7 out of 10"):
        assert part in text
    assert "Write a number from 0 to 10 in the box." in text  # goal 2's step was not asked
    assert "Help fill the weekly pill box (My caregiver helps with this.)" in text
    # Each symptom plan under the problem's name, as the patient calls it.
    assert "High blood sugar (diabetes) Watch for: Blood sugar over 300" in text
    assert "24 hours a day, 7 days a week: (555) 201-9900" in text
    assert "In an emergency, call 911." in text
    assert "Metformin 500 mg Twice a day For blood sugar" in text
    assert "Penicillin" in text and "I have no known allergies" not in text
    assert "My care manager: Kim Example, RN. Phone: (555) 201-3345" in text
    assert "Meals on Wheels of Example County: Brings a hot meal at noon" in text
    assert "Senior Ride Line" not in text  # only suggested: not on the patient's copy
    assert "We will go over this plan with you again by May 16, 2027." in text
    # The care team's own work, codes and assessments are on the clinician's copy only.
    for clinical in ("Call monthly", "E11.9", "Independent in ADLs", "Draft"):
        assert clinical not in text


def test_patient_copy_in_spanish_large_print(es_large):
    texts = pages(es_large)
    check_every_page(texts, "Versión 3 del 16/11/2026", "Página {} de {}")
    text = " ".join(texts)
    for heading in HEADINGS["es"]:
        assert heading in text
    for part in ("1. Bajar mi A1C", "Caminar", "15 minutos", "Después del almuerzo", "7 de 10"):
        assert part in text
    assert "Llámenos de día o de noche" in text and "(555) 201-9900" in text
    assert "En una emergencia, llame al 911." in text
    assert "Para el 1 de marzo de 2027" in text
    # English-only items print in English.
    assert "Help fill the weekly pill box (La persona que me cuida me ayuda con esto.)" in text
    assert "For blood pressure" in text
    assert "My goals" not in text


def test_large_print_is_large_and_never_in_capitals(es_large):
    drawn = text_sizes(es_large)
    body = [(s, t) for s, y, t in drawn if MARGIN < y < PAGE_HEIGHT - MARGIN]
    margins = [(s, t) for s, y, t in drawn if not MARGIN < y < PAGE_HEIGHT - MARGIN]
    assert body and margins
    assert min(s for s, _ in body) >= 16, [x for x in body if x[0] < 16][:3]
    assert Counter(s for s, _ in body).most_common(1)[0][0] == 17
    assert min(s for s, _ in margins) >= 13  # the running header and footer
    for _, t in body:
        words = re.findall(r"[A-Za-zÁÉÍÓÚÑÜáéíóúñü]{4,}", t)
        assert not any(w.isupper() for w in words), t
    # No shading: nothing is filled but text (every fill colour is black, no filled shape).
    for page in PdfReader(io.BytesIO(es_large)).pages:
        stream = page.get_contents().get_data()
        assert set(re.findall(rb"([\d.]+ [\d.]+ [\d.]+) rg", stream)) <= {b"0 0 0"}
        assert not re.search(rb"re\s+(f|B|b)\b", stream)


def test_normal_print_is_12_point(en):
    drawn = text_sizes(build_care_plan_pdf(ROSA, language="en"))
    body = [s for s, y, _ in drawn if MARGIN < y < PAGE_HEIGHT - MARGIN]
    assert Counter(body).most_common(1)[0][0] == 12


def test_the_patients_language_is_the_default():
    assert print_language(ROSA, None) == "es"  # Rosa prefers Spanish
    assert "Mi plan de acción" in pages(build_care_plan_pdf(ROSA))[0]
    assert print_language(ROSA, None, clinician=True) == "en"
    assert print_language(ROSA, "EN") == "en"


def test_a_language_without_wording_prints_english_with_a_note():
    vi = replace(ROSA, preferred_language="vi")
    first = pages(build_care_plan_pdf(vi))[0]
    assert "My Action Plan" in first
    assert "We do not have this plan in Vietnamese yet" in first
    assert untranslated(vi) == []
    with pytest.raises(ValidationError) as err:
        build_care_plan_pdf(ROSA, language="vi")
    assert err.value.field == "language" and "use en or es" in err.value.message
    assert check_language(" ES ") == "es"
    assert care_plan_languages() == {"en": "English", "es": "Español"}


def test_untranslated_items_are_listed():
    assert untranslated(ROSA) == ["patient task 2", "medicine Lisinopril"]
    assert untranslated(ROSA, language="en") == []
    # A problem with no patient words prints the clinician's description, in English.
    plain = replace(ROSA, content=replace(CONTENT, problems=(Problem("J449", "COPD"),)))
    assert untranslated(plain)[0] == "health problem J449"
    assert "COPD" in " ".join(pages(build_care_plan_pdf(plain)))
    # The clinician's copy in Spanish names what it shows in English too.
    assert "care-team task 2" in untranslated(ROSA, language="es", clinician=True)


def test_clinician_copy_has_every_element_with_codes(clinician):
    text = clinician
    for part in (
        "Care plan (clinician copy)",
        "Preferred language: Spanish",
        "Plan status: Complete, Version 3 of 11/16/2026",
        "Substantial revision: Yes",
        "Copies given to the patient: 11/16/2026 (printed and handed over)",
        "E11.9 Type 2 diabetes mellitus",
        "I10 Essential (primary) hypertension",
        "Expected outcome: Blood sugar",
        "Prognosis: Good with adherence",
        "For: E11.9 · Target: 7.5 % · By 03/01/2027 · In progress",
        "Confidence 7/10",
        "Confidence not recorded",
        "Progress: 10/20/2026 · 8.1 · Walking 3 days a week so far.",
        "Watch for: Blood sugar over 300",
        "Patient and caregiver tasks",
        "Care-team tasks",
        "Outside provider or agency: Lakeside Eye Clinic Diabetic eye exam E11.9",
        "Caregiver Help fill the weekly pill box",
        "Metformin 500 mg Twice a day Dana Example, MD For blood sugar",
        "Reconciled on 11/10/2026",
        "Penicillin Rash",
        "Cognitive and functional assessment Assessed on 11/10/2026 Independent in ADLs",
        "Psychosocial and environmental evaluation",
        "Caregiver assessment Assessed on 11/10/2026 Daughter helps",
        "Meals on Wheels of Example County Brings a hot meal at noon (555) 201-7000 In use",
        "Senior Ride Line Rides to visits (555) 201-7100 Suggested",
        "Lee Example, MD Cardiologist (555) 201-8000",
        "24/7 access: (555) 201-9900",
        "Review every 6 months",
        "Next review by 05/16/2027",
    ):
        assert part in text, part


def test_legacy_text_and_empty_sections_say_what_they_are():
    content = replace(
        CONTENT,
        goals=(),
        medications=(),
        no_medications=True,
        community_services=(),
        no_community_services=True,
        legacy={"measurable_goals": "Walk daily; A1C under 8 (from the paper chart)."},
    )
    text = " ".join(pages(build_care_plan_pdf(replace(ROSA, content=content), clinician=True)))
    assert "Free text from before structured plans (kept as written)" in text
    assert "Measurable goals: Walk daily; A1C under 8 (from the paper chart)." in text
    assert "Takes no medications" in text and "None needed" in text
    patient = " ".join(pages(build_care_plan_pdf(replace(ROSA, content=content), language="en")))
    assert "I do not take any medicines." in patient
    assert "Your care team will help you set a goal." in patient


@pytest.mark.parametrize("clinician", [False, True])
def test_a_draft_says_so_on_every_page(clinician):
    draft = replace(long_plan(8, 10), status=PlanStatus.DRAFT)
    texts = pages(build_care_plan_pdf(draft, language="en", clinician=clinician))
    assert len(texts) > 2
    for language, word in (("en", "Draft"), ("es", "Borrador")):
        pdf = build_care_plan_pdf(draft, language=language, clinician=clinician)
        for page in PdfReader(io.BytesIO(pdf)).pages:  # in the header, above the text block
            assert any(t == word and y > PAGE_HEIGHT - MARGIN for _, y, t in drawn(page))


@pytest.mark.parametrize(
    ("kw", "version", "page"),
    [
        ({"language": "en"}, "Version 3 of 11/16/2026", "Page {} of {}"),
        ({"language": "es", "large_print": True}, "Versión 3 del 16/11/2026", "Página {} de {}"),
        ({"clinician": True}, "Version 3 of 11/16/2026", "Page {} of {}"),
    ],
)
def test_long_plans_break_across_pages_cleanly(kw, version, page):
    texts = pages(build_care_plan_pdf(long_plan(40, 60), **kw))
    check_every_page(texts, version, page)
    text = " ".join(texts)
    goal = "Meta número" if kw.get("language") == "es" else "Goal number"
    for n in range(1, 41):  # every goal once, its number with it
        assert len(re.findall(rf"\b{n}\. {goal} {n}\b", text)) == 1, n
    for n in range(1, 61):
        assert len(re.findall(rf"Medicine {n:02d} ", text)) == 1, n
    if not kw.get("large_print"):  # the medicine table's header row repeats on each page
        head = "Dose" if kw.get("clinician") else "What it is for"
        with_meds = [t for t in texts if re.search(r"Medicine \d\d \d+ mg", t)]
        assert len(with_meds) >= 2 and all(head in t for t in with_meds)


def test_no_phone_to_call_is_refused():
    content = replace(CONTENT, after_hours_phone="")
    nophone = replace(ROSA, content=content, after_hours_phone="", practice_phone="")
    with pytest.raises(ValidationError) as err:
        build_care_plan_pdf(nophone)
    assert err.value.field == "after_hours_phone"
    # Without a 24/7 number of its own, the practice's is printed.
    own = replace(ROSA, content=content, after_hours_phone="5552010000")
    assert "(555) 201-0000" in " ".join(pages(build_care_plan_pdf(own, language="en")))


def test_same_input_same_bytes_and_both_wordings_have_the_same_keys():
    assert build_care_plan_pdf(ROSA) == build_care_plan_pdf(ROSA)
    assert missing_keys("care_plan", "es") == (set(), set())
