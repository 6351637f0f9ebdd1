"""Patient search by MRN number: typed without the MRN's letters or leading zeros, in
SQL and in memory (the list as staff type) alike."""

from __future__ import annotations

import pytest

from ccm_desktop.services.patient_list import search_rows
from ccm_desktop.services.patients import PatientFilter, PatientInput


@pytest.fixture
def mrns(ctx, clinician) -> dict[str, int]:
    people = [
        ("A000123", "Alder", "Ann", "1941-01-02"),
        ("A000124", "Birch", "Bo", "1942-02-03"),
        ("B000123", "Cedar", "Cy", "1943-03-04"),
        ("MG-0045", "Dogwood", "Di", "1944-04-05"),
        ("1230", "Elm", "Ed", "1945-05-06"),
        ("A100123", "Fir", "Flo", "1946-06-07"),
    ]
    return {
        mrn: ctx.patients.create(clinician, PatientInput(mrn, last, first, dob, "F"))
        for mrn, last, first, dob in people
    }


def found(ctx, text: str) -> set[str]:
    in_sql = {r.mrn for r in ctx.patients.rows(PatientFilter(text))}
    in_memory = {r.mrn for r in search_rows(ctx.patients.rows(), text)}
    assert in_memory == in_sql
    return in_sql


@pytest.mark.parametrize("typed", ["123", "000123", "0123", "a123", "A123", "a000123", "a0123"])
def test_the_number_finds_the_mrn_without_letters_or_zeros(ctx, mrns, typed):
    hits = found(ctx, typed)
    assert "A000123" in hits
    assert "A000124" not in hits and "A100123" not in hits  # 124 and 100123 are other numbers


def test_letters_typed_narrow_to_that_prefix(ctx, mrns):
    assert found(ctx, "a123") == {"A000123"}
    assert found(ctx, "b123") == {"B000123"}
    assert found(ctx, "123") == {"A000123", "B000123", "1230"}  # numbers starting 123


def test_separators_and_as_you_type_prefixes(ctx, mrns):
    assert found(ctx, "45") == {"MG-0045"}
    assert found(ctx, "mg45") == {"MG-0045"}
    assert found(ctx, "12") == {"A000123", "A000124", "B000123", "1230"}
    assert found(ctx, "mg-0") == {"MG-0045"}  # the MRN as written still works


def test_other_searches_are_unchanged(ctx, mrns):
    assert found(ctx, "alder") == {"A000123"}
    assert found(ctx, "a") == {"A000123", "A000124", "A100123"}  # MRNs A..., and Ann Alder
    assert found(ctx, "a100") == {"A100123"}  # the MRN's own start
    assert found(ctx, "99") == set()
