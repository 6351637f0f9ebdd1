"""The consent form PDF, read back with pypdf: pages, footer, the four disclosures, languages."""

from __future__ import annotations

import io
import re
from collections import Counter
from datetime import date

import pytest
from pypdf import PdfReader

from ccm_desktop.errors import ValidationError
from ccm_desktop.reports.consent import (
    ConsentPatient,
    consent_form_pdf,
    consent_language,
    consent_languages,
)
from ccm_desktop.reports.texts import missing_keys
from ccm_desktop.services.enrollment import PROGRAM_NAMES
from ccm_desktop.services.patients import PatientDetail, PatientInput
from ccm_desktop.services.practice import PracticeInfo

PRACTICE = PracticeInfo(
    name="Maple Grove Family Medicine",
    npi="1234567893",
    tin="12-3456789",
    address="100 Example Ave",
    city="Columbus",
    state="OH",
    zip="43210",
    phone="5552013344",
    after_hours_phone="5552019900",
)
ROSA = ConsentPatient("Rosa Example", date(1950, 3, 2), "MRN-004217", "1EG4TE5MK73", "en")
JOSE = ConsentPatient("José Núñez Ejemplo", date(1948, 11, 23), "MRN-000318", "1EG4TE5MK73", "es")
PROVIDER = "Dana Example, MD"

# Key phrases of each required disclosure (docs/medicare-rules.md, section 3), plus care-plan copy.
DISCLOSURES = {
    "en": [
        ["1. What this program is", "offers this program to you now"],
        ["2. What it may cost", "coinsurance", "Part B deductible", "Medigap, Medicaid"],
        ["3. One provider at a time", "Only one doctor or other health care provider", "bill"],
        ["4. You can stop at any time", "stop this program at any time", "end of that calendar"],
        ["copy of your care plan"],
    ],
    "es": [
        ["1. Qué es este programa", "le ofrece este programa ahora"],
        ["2. Cuánto le puede costar", "coseguro", "deducible anual de la Parte B", "Medicaid"],
        ["3. Un solo proveedor a la vez", "Solo un médico u otro proveedor", "cobrarle a Medicare"],
        [
            "4. Puede dejar el programa cuando quiera",
            "dejar este programa en cualquier momento",
            "termina al final de ese mes del calendario",
        ],
        ["copia de su plan de cuidados"],
    ],
}
PAGE = {"en": "Page {} of {}", "es": "Página {} de {}"}


def pages(pdf: bytes) -> list[str]:
    """Each page's text with runs of white space made one space (so line breaks don't matter)."""
    return [" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages]


def body_font_size(pdf: bytes) -> float:
    """The most used font size across the document's content streams."""
    sizes: Counter[float] = Counter()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for size in re.findall(rb"/F\d+ ([\d.]+) Tf", page.get_contents().get_data()):
            sizes[float(size)] += 1
    return sizes.most_common(1)[0][0]


@pytest.fixture(scope="module")
def en_ccm() -> bytes:
    return consent_form_pdf(PRACTICE, ROSA, "ccm", PROVIDER, "en")


@pytest.fixture(scope="module")
def es_ccm() -> bytes:
    return consent_form_pdf(PRACTICE, JOSE, "ccm", PROVIDER, "es")


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("large", [False, True])
@pytest.mark.parametrize("program", list(PROGRAM_NAMES))
def test_every_variant_has_page_x_of_y_and_all_four_disclosures(program, large, lang):
    patient = ROSA if lang == "en" else JOSE
    pdf = consent_form_pdf(PRACTICE, patient, program, PROVIDER, lang, large)
    texts = pages(pdf)
    n = len(texts)
    assert n >= 2
    for i, text in enumerate(texts, start=1):
        assert PAGE[lang].format(i, n) in text, f"page {i}"
    everything = " ".join(texts)
    for phrases in DISCLOSURES[lang]:
        for phrase in phrases:
            assert phrase in everything, phrase
    assert PdfReader(io.BytesIO(pdf)).pages[0].mediabox.width == 612  # Letter


def test_english_form_shows_practice_patient_and_24_hour_phone(en_ccm):
    text = " ".join(pages(en_ccm))
    for expected in [
        "Maple Grove Family Medicine",
        "100 Example Ave, Columbus, OH 43210",
        "Office phone: (555) 201-3344",
        "Care team, 24 hours a day, 7 days a week: (555) 201-9900",
        "reach the care team 24 hours a day, 7 days a week at (555) 201-9900",
        "Consent for Chronic Care Management (CCM)",
        "Rosa Example",
        "Date of birth March 2, 1950",
        "MRN-004217",
        "1EG4-TE5-MK73",
        PROVIDER,
        "Yes, I agree to join Chronic Care Management (CCM).",
        "No, I do not want to join Chronic Care Management (CCM) at this time.",
        "Signature of patient or representative",
        "Relationship to patient",
        "Signature of staff member who explained this form",
        "Witness signature (only if the patient agreed out loud)",
        "For office use",
        "Verbal (spoken)",
        "Written (signed)",
    ]:
        assert expected in text, expected


def test_patient_name_and_birth_date_are_in_every_page_footer(en_ccm):
    for text in pages(en_ccm):
        assert "Consent form for Rosa Example" in text
        assert "Date of birth: March 2, 1950" in text


def test_spanish_accents_and_punctuation_come_back_out(es_ccm):
    text = " ".join(pages(es_ccm))
    for expected in [
        "José Núñez Ejemplo",
        "23 de noviembre de 1948",
        "Teléfono de la oficina: (555) 201-3344",
        "las 24 horas del día, los 7 días de la semana, al (555) 201-9900",
        "¿Tiene dudas sobre el costo? Pregúntenos.",
        "Sí, acepto participar en el programa de Manejo de Cuidados Crónicos (CCM).",
        "Firma del paciente o de su representante",
        "Para uso de la oficina",
    ]:
        assert expected in text, expected
    for ch in "ñáéíóú¿":
        assert ch in text, ch
    assert "Page " not in text and "Please" not in text  # no English left over


def test_inverted_exclamation_and_other_latin1_render_through_helvetica():
    practice = PracticeInfo(**{**PRACTICE.__dict__, "name": "Clínica ¡Salud! Güemes & Peña <Sur>"})
    text = " ".join(pages(consent_form_pdf(practice, JOSE, "pcm", PROVIDER, "es")))
    assert "Clínica ¡Salud! Güemes & Peña <Sur>" in text


def test_program_wording_differs_between_programs():
    item1 = {}
    for program in PROGRAM_NAMES:
        text = " ".join(pages(consent_form_pdf(PRACTICE, ROSA, program, PROVIDER, "en")))
        item1[program] = text[text.index("1. What this program is") : text.index("2. What it")]
    assert len(set(item1.values())) == 4
    assert "two or more long-term health problems" in item1["ccm"]
    assert "extra help" in item1["complex_ccm"]
    assert "one serious long-term health problem" in item1["pcm"]
    assert "main place for primary care" in item1["apcm"]
    for program in ("ccm", "complex_ccm", "pcm"):
        assert "call you at least once a month" in item1[program]
    assert "at least once a month" not in item1["apcm"]
    assert "no set number of calls" in item1["apcm"]


def test_large_print_uses_bigger_text_and_more_pages(en_ccm):
    large = consent_form_pdf(PRACTICE, ROSA, "ccm", PROVIDER, "en", large_print=True)
    assert 12 <= body_font_size(en_ccm) <= 13
    assert 16 <= body_font_size(large) <= 18
    assert len(pages(large)) > len(pages(en_ccm))


def test_language_resolution_and_fallback_to_english():
    assert consent_language("es") == "es"
    assert consent_language("es-US") == "es"
    assert consent_language(" ES ") == "es"
    assert consent_language("vi") == "en"
    assert consent_language("") == "en"
    assert consent_language(None) == "en"
    assert consent_languages() == {"en": "English", "es": "Español"}


def test_unknown_language_prints_english_with_an_interpreter_note():
    text = " ".join(pages(consent_form_pdf(PRACTICE, ROSA, "ccm", PROVIDER, "vi")))
    assert "Consent for Chronic Care Management (CCM)" in text
    assert "We do not have this form in Vietnamese yet" in text
    assert "free interpreter" in text
    plain = " ".join(pages(consent_form_pdf(PRACTICE, ROSA, "ccm", PROVIDER, "en")))
    assert "We do not have this form" not in plain


def test_language_defaults_to_the_patients_preferred_language():
    text = " ".join(pages(consent_form_pdf(PRACTICE, JOSE, "apcm", PROVIDER)))
    assert "Manejo Avanzado de Atención Primaria (APCM)" in text
    assert "Página 1 de" in text


def test_every_translation_has_exactly_the_english_keys():
    for lang in consent_languages():
        assert missing_keys("consent", lang) == (set(), set()), lang


def test_unknown_program_and_missing_phone_are_field_errors():
    with pytest.raises(ValidationError) as e:
        consent_form_pdf(PRACTICE, ROSA, "tcm", PROVIDER)
    assert e.value.field == "program"
    no_phone = PracticeInfo(**{**PRACTICE.__dict__, "phone": "", "after_hours_phone": ""})
    with pytest.raises(ValidationError) as e:
        consent_form_pdf(no_phone, ROSA, "ccm", PROVIDER)
    assert e.value.field == "after_hours_phone"


def test_office_phone_stands_in_when_there_is_no_after_hours_number():
    practice = PracticeInfo(**{**PRACTICE.__dict__, "after_hours_phone": ""})
    text = " ".join(pages(consent_form_pdf(practice, ROSA, "ccm", PROVIDER)))
    assert "7 days a week at (555) 201-3344" in text


def test_missing_medicare_number_is_left_blank_to_fill_in():
    patient = ConsentPatient("Rosa Example", date(1950, 3, 2), "MRN-004217")
    text = " ".join(pages(consent_form_pdf(PRACTICE, patient, "ccm", PROVIDER)))
    assert "Medicare number Your provider for this program" in text
    assert "None" not in text


def test_output_is_repeatable_and_metadata_holds_no_patient_data(en_ccm):
    assert consent_form_pdf(PRACTICE, ROSA, "ccm", PROVIDER, "en") == en_ccm
    meta = PdfReader(io.BytesIO(en_ccm)).metadata
    assert meta.title == "Consent for Chronic Care Management (CCM)"
    assert "Rosa" not in str(dict(meta))


def test_consent_patient_from_patient_detail():
    data = PatientInput(
        mrn="MRN-7",
        last_name="Ejemplo",
        first_name="Ana",
        dob="1944-07-04",
        sex="F",
        mbi="1EG4TE5MK73",
        preferred_language="es",
    )
    detail = PatientDetail(id=1, version=1, data=data, billing_provider=PROVIDER)
    assert ConsentPatient.from_detail(detail) == ConsentPatient(
        "Ana Ejemplo", date(1944, 7, 4), "MRN-7", "1EG4TE5MK73", "es"
    )
