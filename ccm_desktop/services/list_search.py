"""When a new search text can only narrow the previous one's matches.

As staff type, each keystroke usually extends the text ("b", "br", "bro"): the rows the
longer text matches are then a subset of the rows the shorter one matched, so the patient
list searches only those (benchmarks/README.md, bench_search.py). :func:`narrows` says
when that holds, from the rules of ``services.patient_list`` themselves (``parse_search``
and ``compile_word``), so a change there cannot make it wrong silently: a date appearing
or changing ("3/4/195" -> "3/4/1950"), a word whose name part was empty gaining one
("'" -> "'o"), or a word becoming an MRN number ("a-" -> "a-1") all fall back to the
full search. tests/test_search_narrow.py proves it on generated rows and texts.
"""

from __future__ import annotations

from collections.abc import Sequence

from ccm_desktop.services.patient_list import (
    PatientRow,
    SearchWord,
    compile_word,
    parse_search,
    search_rows,
)


def _word_narrows(old: SearchWord, new: SearchWord) -> bool:
    """Every row ``new`` matches is matched by ``old``: each part of ``new`` looks for a
    longer start of the same field than the same part of ``old`` (a needle that contains
    a shorter one is only found where that one is)."""
    if not (new.mrn.startswith(old.mrn) and new.mbi.startswith(old.mbi)):
        return False
    if not new.name.startswith(old.name) or (new.name and not old.name):
        return False  # an empty name part looks for no name at all
    if new.number is None:
        return True
    if old.number is None:
        return False
    return new.number[0].startswith(old.number[0]) and new.number[1].startswith(old.number[1])


def narrows(old: str, new: str) -> bool:
    """Whether ``search_rows(rows, new)`` only keeps rows of ``search_rows(rows, old)``
    (for any rows), so it may search those alone. False when unsure."""
    old_dob, old_words = parse_search(old)
    new_dob, new_words = parse_search(new)
    if old_dob != new_dob or len(new_words) < len(old_words):
        return False
    return all(
        _word_narrows(compile_word(a), compile_word(b))
        for a, b in zip(old_words, new_words, strict=False)
    )


def search_from(
    all_rows: Sequence[PatientRow], shown: Sequence[PatientRow], old: str, new: str
) -> list[PatientRow]:
    """``search_rows(all_rows, new)``, given ``shown`` = ``search_rows(all_rows, old)``
    (or ``all_rows`` when ``old`` is empty): only ``shown`` is searched when ``new``
    narrows ``old``."""
    return search_rows(shown if narrows(old, new) else all_rows, new)
