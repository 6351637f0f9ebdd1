"""Reading-grade estimates for patient-facing text (docs/architecture.md, "Care-plan
templates").

English: the Flesch-Kincaid grade level (Kincaid et al., 1975),
``0.39 * words/sentence + 11.8 * syllables/word - 15.59``. Spanish: the Crawford grade
(Crawford, 1984; written for Spanish primary-school texts, it gives years of schooling),
``-0.205 * sentences per 100 words + 0.049 * syllables per 100 words - 3.407``.

Syllables are counted here, not by a hyphenation dictionary: hyphenation avoids breaking
before one letter or between vowels, so it under-counts ("medicine" 1, "día" 1). Spanish
counts vowel nuclei with the hiatus rules (two strong vowels, or an accented í/ú, split
a syllable: "dí-a", "le-er"); English uses vowel groups less a silent final e, with a
short list of common exceptions. Both are estimates, as every readability formula is.

Texts under :data:`MIN_WORDS` words (a small step's "15 minutes") get no grade: the
formulas mean nothing on a fragment. :data:`GRADE_LIMIT` is the plain-language target
(about a 6th-grade reading level, docs/architecture.md "Print-outs").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

GRADE_LIMIT = 6.0
MIN_WORDS = 4

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*|\d+(?:[.,/:]\d+)*", re.UNICODE)
_SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)|\n+")

# English words the vowel-group rule miscounts, with their syllables.
_EN_EXCEPTIONS = {
    "every": 2,
    "everyone": 3,
    "everything": 3,
    "different": 3,
    "area": 3,
    "idea": 3,
    "create": 2,
    "being": 2,
    "doing": 2,
    "going": 2,
    "seeing": 2,
    "medicine": 3,
    "medicines": 3,
    "people": 2,
    "business": 2,
    "toward": 2,
    "quiet": 2,
    "diet": 2,
    "science": 2,
    "fire": 1,
    "tired": 1,
    "lie": 1,
    "lies": 1,
    "dying": 2,
    "trying": 2,
    "flying": 2,
    "iron": 2,
    "real": 1,
    "really": 2,
    "cereal": 3,
    "insulin": 3,
    "usual": 3,
    "usually": 4,
    "actually": 4,
    "evening": 2,
    "vegetable": 3,
    "vegetables": 3,
    "ever": 2,
    "whole": 1,
    "while": 1,
    "sure": 1,
    "one": 1,
    "once": 1,
    "shoes": 1,
}
_ES_STRONG = set("aeoáéíóú")
_ES_VOWELS = _ES_STRONG | set("iuü")


@dataclass(frozen=True)
class Reading:
    """A text's counts and its grade (``None`` for a fragment under :data:`MIN_WORDS`)."""

    words: int
    sentences: int
    syllables: int
    grade: float | None

    @property
    def too_hard(self) -> bool:
        """True when the grade is above :data:`GRADE_LIMIT`."""
        return self.grade is not None and self.grade > GRADE_LIMIT


def words(text: str) -> list[str]:
    """The words of ``text`` (a number such as 911 or 140/90 is one word)."""
    return _WORD.findall(text)


def sentence_count(text: str) -> int:
    """Sentences ended by . ! ? or a line break; a text without an end counts as one."""
    parts = [p for p in _SENTENCE_END.split(text) if words(p)]
    return max(1, len(parts))


def syllables(word: str, language: str) -> int:
    """Estimated syllables of one word; a number counts one per digit ("911": 3)."""
    if word[:1].isdigit():
        return max(1, sum(c.isdigit() for c in word))
    return _spanish(word) if _root(language) == "es" else _english(word)


@lru_cache(maxsize=8192)
def _english(word: str) -> int:
    w = word.lower().replace("’", "'")
    if w in _EN_EXCEPTIONS:
        return _EN_EXCEPTIONS[w]
    w = w.replace("'", "")
    if len(w) <= 3:
        return 1
    w = re.sub(r"(?:[^laeiouy]es|[^laeiouyd]ed|[^laeiouy]e)$", "", w)
    w = re.sub(r"^y", "", w)
    return max(1, len(re.findall(r"[aeiouy]+", w)))


@lru_cache(maxsize=8192)
def _spanish(word: str) -> int:
    w = unicodedata.normalize("NFC", word.lower())
    if w == "y":
        return 1
    count = 0
    prev = ""  # the previous letter when it was a vowel
    for ch in w:
        if ch not in _ES_VOWELS:
            prev = ""
            continue
        if not prev or (prev in _ES_STRONG and ch in _ES_STRONG):
            count += 1  # a new nucleus: after a consonant, or a hiatus of strong vowels
        prev = ch
    return max(1, count)


def _root(language: str) -> str:
    return language.replace("-", "_").split("_")[0].lower()


def reading(text: str, language: str) -> Reading:
    """Counts and grade of ``text`` in ``language`` ("en" or "es"; others use English)."""
    ws = words(text)
    n, sentences = len(ws), sentence_count(text)
    syl = sum(syllables(w, language) for w in ws)
    if n < MIN_WORDS:
        return Reading(n, sentences, syl, None)
    if _root(language) == "es":
        grade = -0.205 * (100 * sentences / n) + 0.049 * (100 * syl / n) - 3.407
    else:
        grade = 0.39 * (n / sentences) + 11.8 * (syl / n) - 15.59
    return Reading(n, sentences, syl, round(max(0.0, grade), 1))


def grade(text: str, language: str) -> float | None:
    """The reading grade of ``text``, or None for a fragment (see :func:`reading`)."""
    return reading(text, language).grade
