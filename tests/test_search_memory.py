"""The in-memory patient search (what the list runs as staff type) gives exactly the
SQL search's answer (what ``rows(PatientFilter(text))`` and the record picker run), on a
synthetic practice, over many generated queries."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ccm_desktop.app import AppContext
from ccm_desktop.demo import build_demo
from ccm_desktop.security.audit import Actor
from ccm_desktop.services.patient_list import PatientRow, search_rows
from ccm_desktop.services.patients import PatientFilter, PatientInput

# Tricky records beside the demo people: MRN letters, zeros and dashes; accents, hyphens
# and apostrophes in names; one without a Medicare number; one entered in error.
TRICKY = [
    ("A000123", "Núñez-O'Brien", "María José", "1950-03-04", "1EG4-TE5-MK73"),
    ("MG-0045", "de la Cruz", "Ana", "1944-04-05", ""),
    ("1230", "Ölander", "Björn", "1945-05-06", "2AC3-CD4-EF56"),
    ("00077", "Vasquez-Holt", "Zoë", "1950-03-04", ""),
    ("A100123", "O'Neil", "Seán", "1946-06-07", "3HJ4-KM5-NP67"),
    ("B-0", "Smith", "John", "1948-07-12", ""),
]


@pytest.fixture
def practice(ctx: AppContext, clinician: Actor, front: Actor) -> list[PatientRow]:
    """A synthetic practice of demo people and the tricky records; returns every row."""
    build_demo(ctx, patients=120, seed=11, months=1)
    ids = [
        ctx.patients.create(clinician, PatientInput(mrn, last, first, dob, "F", mbi=mbi))
        for mrn, last, first, dob, mbi in TRICKY
    ]
    ctx.patients.mark_entered_in_error(front, ids[-1], "a test record")
    return ctx.patients.rows(PatientFilter(include_in_error=True))


def _fragments(rows: list[PatientRow]) -> list[str]:
    """Pieces of the stored values, as staff would type them."""
    out: list[str] = []
    for r in rows:
        out += [r.last_name, r.first_name, r.mrn, r.mbi, f"{r.dob:%m/%d/%Y}", r.dob.isoformat()]
        out += [f"{r.dob.month}/{r.dob.day}/{r.dob.year}", r.mrn.lstrip("ABCDEFGHIJKLMNOPQ-")]
    return [f for f in out if f]


def _queries(rows: list[PatientRow]) -> st.SearchStrategy[str]:
    piece = st.sampled_from(_fragments(rows))
    cut = st.tuples(piece, st.integers(1, 12), st.booleans()).map(
        lambda t: t[0][: t[1]].upper() if t[2] else t[0][: t[1]].lower()
    )
    noise = st.text(alphabet="abcnoé0123-'%_/. ,ßİÑ", min_size=1, max_size=6)
    word = st.one_of(cut, cut, piece, noise)
    return st.lists(word, min_size=1, max_size=3).map(" ".join)


@pytest.mark.parametrize("include_in_error", [False, True])
def test_memory_and_sql_searches_agree(
    ctx: AppContext, practice: list[PatientRow], include_in_error: bool
) -> None:
    assert len(practice) > 120
    base = ctx.patients.rows(PatientFilter(include_in_error=include_in_error))
    answers: set[int] = set()

    @settings(
        max_examples=250,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(text=_queries(practice))
    def agree(text: str) -> None:
        flt = PatientFilter(text, include_in_error=include_in_error)
        sql = [r.id for r in ctx.patients.rows(flt)]
        assert [r.id for r in search_rows(base, text)] == sql, text
        answers.add(len(sql))

    agree()
    assert len(answers) > 5  # the queries found many different answers, not only "none"


@pytest.mark.parametrize(
    ("text", "mrns"),
    [
        ("nunez", {"A000123"}),  # accents ignored
        ("obrien", {"A000123"}),  # apostrophe ignored
        ("holt", {"00077"}),  # second part of a hyphenated name
        ("cruz", {"MG-0045"}),  # any word of the name
        ("123", {"A000123", "1230"}),  # the MRN's number without letters or zeros
        ("77", {"00077"}),
        ("mg45", {"MG-0045"}),
        ("1eg4-te5", {"A000123"}),  # Medicare number, dashes ignored
        ("1EG4TE5MK73", {"A000123"}),
        ("3/4/1950", {"A000123", "00077"}),  # date of birth, both ways
        ("1950-03-04 zoe", {"00077"}),  # every word must match
        ("maria 3/4/1950", {"A000123"}),
    ],
)
def test_the_search_meaning(ctx: AppContext, practice: list[PatientRow], text, mrns) -> None:
    tricky = {m for m, *_ in TRICKY}
    base = ctx.patients.rows()
    assert {r.mrn for r in search_rows(base, text)} & tricky == mrns
    assert {r.mrn for r in ctx.patients.rows(PatientFilter(text))} & tricky == mrns


def test_the_search_keeps_the_order_it_is_given(ctx: AppContext, practice) -> None:
    base = ctx.patients.rows()
    backwards = list(reversed(base))
    hits = search_rows(backwards, "a")
    assert len(hits) > 3
    assert hits == [r for r in backwards if r in set(hits)]


def test_rows_built_by_hand_without_keys_are_not_found() -> None:
    row = PatientRow(1, "A1", "Doe", "Jane", date(1950, 3, 4), "", "", 0, "", "")
    assert search_rows([row], "doe") == []
    assert search_rows([row], "") == [row]
