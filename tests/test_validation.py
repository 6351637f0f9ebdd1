"""Validators of identifiers and dates, with good and bad values and property tests."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ccm_desktop import icd10
from ccm_desktop.errors import ValidationError
from ccm_desktop.validation import (
    check_dob,
    check_mbi,
    check_not_future,
    check_npi,
    check_phone,
    check_state,
    check_tin,
    check_yes_no,
    check_zip,
    format_mbi,
    make_npi,
    parse_date,
)

TODAY = date(2026, 11, 16)
MBI_LETTERS = "ACDEFGHJKMNPQRTUVWXY"


# -- MBI ---------------------------------------------------------------------
@pytest.mark.parametrize("good", ["1EG4TE5MK73", "1EG4-TE5-MK73", " 1eg4te5mk73 ", "9AA9AA9AA99"])
def test_mbi_good(good):
    assert check_mbi(good) == good.replace("-", "").strip().upper()


@pytest.mark.parametrize(
    ("bad", "words"),
    [
        ("", "Enter the Medicare number"),
        ("1EG4TE5MK7", "has 11 characters; this one has 10"),
        ("0EG4TE5MK73", "Character 1 of the Medicare number should be a digit 1-9"),
        ("1SG4TE5MK73", "Character 2 of the Medicare number should be a letter (S, L, O, I, B"),
        ("1EG4TE5MK7A", "Character 11 of the Medicare number should be a digit"),
        ("1EGATE5MK73", "Character 4"),
        ("1EG4TE5MO73", "Character 9"),
    ],
)
def test_mbi_bad_names_the_position(bad, words):
    with pytest.raises(ValidationError) as e:
        check_mbi(bad)
    assert e.value.field == "mbi"
    assert words in e.value.text


mbi_chars = st.tuples(
    st.sampled_from("123456789"),
    st.sampled_from(MBI_LETTERS),
    st.sampled_from(MBI_LETTERS + "0123456789"),
    st.sampled_from("0123456789"),
    st.sampled_from(MBI_LETTERS),
    st.sampled_from(MBI_LETTERS + "0123456789"),
    st.sampled_from("0123456789"),
    st.sampled_from(MBI_LETTERS),
    st.sampled_from(MBI_LETTERS),
    st.sampled_from("0123456789"),
    st.sampled_from("0123456789"),
).map("".join)


@given(mbi_chars)
def test_any_pattern_mbi_is_accepted_and_round_trips_display(mbi):
    assert check_mbi(mbi) == mbi
    assert check_mbi(format_mbi(mbi)) == mbi
    assert check_mbi(mbi.lower()) == mbi


@given(mbi_chars, st.integers(0, 10), st.sampled_from("SLOIBZ"))
def test_excluded_letters_are_refused_anywhere(mbi, pos, letter):
    bad = mbi[:pos] + letter + mbi[pos + 1 :]
    with pytest.raises(ValidationError):
        check_mbi(bad)


# -- NPI ---------------------------------------------------------------------
def test_npi_known_good():
    assert check_npi("1234567893") == "1234567893"  # the CMS example NPI


@pytest.mark.parametrize(
    ("bad", "words"),
    [
        ("", "Enter the 10-digit NPI"),
        ("123456789", "exactly 10 digits"),
        ("12345678a3", "exactly 10 digits"),
        ("1234567890", "check digit"),
        ("3234567893", "starts with 1 or 2"),
    ],
)
def test_npi_bad(bad, words):
    with pytest.raises(ValidationError, match=words):
        check_npi(bad, "provider_npi")


@given(st.from_regex(r"[12]\d{8}", fullmatch=True))
def test_made_npi_passes_luhn_and_any_single_digit_change_fails(first9):
    npi = make_npi(first9)
    assert check_npi(npi) == npi
    last = int(npi[9])
    with pytest.raises(ValidationError, match="check digit"):
        check_npi(npi[:9] + str((last + 1) % 10))


# -- other identifiers -------------------------------------------------------
def test_tin_phone_state_zip():
    assert check_tin("12-3456789") == "123456789"
    with pytest.raises(ValidationError, match="9 digits"):
        check_tin("12345")
    assert check_phone("(555) 201-3344") == "5552013344"
    assert check_phone("1-555-201-3344") == "5552013344"
    assert check_phone("") == ""
    with pytest.raises(ValidationError, match="10 digits"):
        check_phone("555-2013")
    assert check_state(" oh ") == "OH"
    with pytest.raises(ValidationError, match="two-letter"):
        check_state("Ohio")
    assert check_zip("43210-1234") == "43210-1234"
    with pytest.raises(ValidationError, match="ZIP"):
        check_zip("4321")
    assert check_yes_no("Yes") and not check_yes_no("no") and not check_yes_no("")
    with pytest.raises(ValidationError, match="yes or no"):
        check_yes_no("maybe")


# -- dates -------------------------------------------------------------------
def test_dob_rules():
    assert check_dob("1950-03-04", TODAY) == date(1950, 3, 4)
    with pytest.raises(ValidationError, match="in the future"):
        check_dob(TODAY + timedelta(days=1), TODAY)
    with pytest.raises(ValidationError, match="more than 120 years"):
        check_dob("1900-01-01", TODAY)
    with pytest.raises(ValidationError, match="is not a date"):
        check_dob("03/04/1950", TODAY)
    with pytest.raises(ValidationError, match="is not a date"):
        check_dob("1950-02-30", TODAY)


def test_consent_not_in_future():
    assert check_not_future("2026-11-16", TODAY, "consent_date", "consent") == TODAY
    with pytest.raises(ValidationError, match="consent date cannot be in the future") as e:
        check_not_future("2026-11-17", TODAY, "consent_date", "consent")
    assert e.value.field == "consent_date"


@given(st.dates(min_value=date(1906, 11, 17), max_value=TODAY))
def test_every_plausible_dob_accepted_and_iso_round_trips(d):
    assert check_dob(d.isoformat(), TODAY) == d
    assert parse_date(d.isoformat(), "dob") == d


@given(st.dates(min_value=TODAY + timedelta(days=1)))
def test_every_future_dob_refused(d):
    with pytest.raises(ValidationError):
        check_dob(d, TODAY)


# -- ICD-10-CM ---------------------------------------------------------------
@pytest.mark.parametrize("code", ["E11.9", "e119", "E11.65", " I10 ", "N18.30", "J44.9"])
def test_icd10_billable(code):
    assert icd10.check_code(code) == icd10.normalise(code)


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("E11", "category, not a billable code"),
        ("N18.3", "category"),
        ("E11.99", "not an ICD-10-CM code"),
        ("ZZZ", "not an ICD-10-CM code"),
        ("", "Enter an ICD-10-CM code"),
    ],
)
def test_icd10_refused(code, words):
    with pytest.raises(ValidationError, match=words):
        icd10.check_code(code)


def test_icd10_display_and_chronic_flag():
    assert icd10.with_dot("E1165") == "E11.65"
    assert icd10.description("E1165") == "Type 2 diabetes mellitus with hyperglycemia"
    assert icd10.chronic_group("I10") == "Hypertension"
    assert icd10.chronic_group("S52501A") is None  # a fracture is not chronic
