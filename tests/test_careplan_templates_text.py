"""Reading grades (careplan/readability.py) and the plain-language check of every shipped
template text, in English and in Spanish."""

from __future__ import annotations

import pytest

from ccm_desktop.careplan.readability import GRADE_LIMIT, reading, syllables
from ccm_desktop.careplan.template_toml import text_fields
from ccm_desktop.careplan.templates import load_templates

# Texts allowed above the limit, each with its reason. Empty: every shipped text passes.
ALLOWED_ABOVE_LIMIT: dict[tuple[str, str, str], str] = {}


@pytest.mark.parametrize(
    "word,count",
    [
        ("medicine", 3),
        ("walk", 1),
        ("minutes", 2),
        ("swollen", 2),
        ("emergency", 4),
        ("breathe", 1),
        ("every", 2),
        ("insulin", 3),
        ("911", 3),
    ],
)
def test_english_syllables(word, count):
    assert syllables(word, "en") == count


@pytest.mark.parametrize(
    "word,count",
    [
        ("día", 2),
        ("país", 2),
        ("oído", 3),
        ("mareado", 4),
        ("azúcar", 3),
        ("ciudad", 2),
        ("que", 1),
        ("guía", 2),
        ("muy", 1),
        ("y", 1),
        ("emergencia", 4),
        ("leer", 2),
    ],
)
def test_spanish_syllables_follow_the_hiatus_rules(word, count):
    assert syllables(word, "es") == count


def test_plain_text_passes_and_clinical_text_is_flagged_in_both_languages():
    plain_en = reading("Check your blood sugar each morning. Write the number in your log.", "en")
    plain_es = reading("Mida su azúcar cada mañana. Anote el número en su cuaderno.", "es")
    hard_en = reading(
        "Glycemic control necessitates comprehensive pharmacological intervention.", "en"
    )
    hard_es = reading(
        "El control glucémico requiere una intervención farmacológica integral.", "es"
    )
    assert plain_en.grade is not None and plain_en.grade <= GRADE_LIMIT
    assert plain_es.grade is not None and plain_es.grade <= GRADE_LIMIT
    assert hard_en.too_hard and hard_es.too_hard
    assert (plain_en.words, plain_en.sentences) == (12, 2)


def test_longer_sentences_raise_the_grade():
    short = reading("Take your pills. Walk each day. Eat less salt. Call us if you feel bad.", "en")
    long = reading(
        "Take your pills and walk each day and eat less salt and call us if you feel bad.", "en"
    )
    assert long.grade > short.grade


def test_a_fragment_gets_no_grade():
    assert reading("15 minutes", "en").grade is None
    assert reading("todos los días", "es").grade is None
    assert not reading("every day", "en").too_hard


def test_every_shipped_patient_text_reads_at_about_grade_6():
    too_hard = []
    for t in load_templates().templates:
        for field, texts in text_fields(t):
            for lang in ("en", "es"):
                r = reading(texts[lang], lang)
                if r.too_hard and (t.id, field, lang) not in ALLOWED_ABOVE_LIMIT:
                    too_hard.append(f"{t.where} {field}.{lang}: grade {r.grade}")
    assert too_hard == []
