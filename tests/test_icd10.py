"""ICD-10-CM search for the condition picker, header explanations, and the chronic flag."""

from __future__ import annotations

import csv
import re
import threading
import unicodedata

import pytest
import simple_icd_10_cm as cm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ccm_desktop import icd10
from ccm_desktop.errors import ValidationError
from ccm_desktop.paths import resources_dir

ALL = 100_000  # a limit above the number of billable codes: "every match"


def codes(hits: list[icd10.CodeHit]) -> list[str]:
    return [h.code for h in hits]


def words(text: str) -> list[str]:
    """What a user would type for a description's words (ASCII, no apostrophes)."""
    folded = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode()
    return re.findall(r"[a-z0-9]+", folded.replace("'", ""))


def resource_rows(name: str) -> list[dict[str, str]]:
    with (resources_dir() / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(line for line in fh if not line.startswith("#")))


@pytest.fixture(scope="module", autouse=True)
def index_built() -> None:
    icd10.warm_up()


# -- searching by code ---------------------------------------------------------------
@pytest.mark.parametrize("query", ["E11.6", "e116", "E116", "e11.6", " E11.6 "])
def test_code_query_with_or_without_dot_any_case(query):
    hits = icd10.search(query)
    assert hits == icd10.search("E11.6")
    assert codes(hits)[0] == "E1165"  # the most general code first (E11.65, hyperglycemia)
    assert all(h.code.startswith("E116") for h in hits)
    expected = {c for c in cm.get_descendants("E11.6") if icd10.is_billable(c)}
    assert {h.display for h in hits} == expected


@pytest.mark.parametrize("query", ["I10", "i10", "E11.9", "e119", "F32.A", "f32a", "G20.A1"])
def test_exact_code_comes_first(query):
    assert icd10.search(query)[0].code == icd10.normalise(query)


def test_code_prefix_lists_chronic_and_general_codes_first():
    hits = icd10.search("E1")
    assert codes(hits)[:4] == ["E108", "E109", "E118", "E119"]
    assert all(h.chronic_group == "Diabetes" for h in hits)


@pytest.mark.parametrize("query", ["E11", "N18.3", "I50", "J44", "F32", "E11.6", "S52.5"])
def test_headers_are_never_returned(query):
    hits = icd10.search(query, limit=ALL)
    assert hits and icd10.normalise(query) not in codes(hits)
    assert all(icd10.is_billable(h.code) for h in hits)


def test_n18_3_lists_its_three_stages_only():
    assert codes(icd10.search("N18.3")) == ["N1830", "N1831", "N1832"]


# -- searching by words --------------------------------------------------------------
def test_diabetes_type_2_words_find_e11_first():
    hits = icd10.search("diab typ 2")
    assert hits[0].code == "E119"
    assert all(h.code.startswith("E11") for h in hits[:5])


def test_any_word_order_and_case():
    expected = icd10.search("type 2 diab kidney")
    assert codes(expected)[:2] == ["E1122", "E1129"]
    assert icd10.search("Kidney DIAB 2 type") == expected
    assert icd10.search("HEART Failure") == icd10.search("failure heart")


def test_heart_failure_finds_i50_first():
    hits = icd10.search("heart failure")
    assert hits[0].code == "I509"
    assert sum(h.code.startswith("I50") for h in hits[:10]) >= 5
    for h in hits:  # the everyday words' codes (I50.*) first, then the words' matches
        ws = words(h.description)
        if h.matched:
            assert h.matched == "heart failure" and h.code.startswith("I50")
        else:
            assert any(w.startswith("heart") for w in ws)
            assert any(w.startswith("fail") for w in ws)


def test_every_query_word_starts_a_description_word():
    for h in icd10.search("diab t", limit=ALL):
        ws = words(h.description)
        assert any(w.startswith("diab") for w in ws) and any(w.startswith("t") for w in ws)


@pytest.mark.parametrize(
    ("query", "first"),
    [("alzheimer's", "G309"), ("alzheimers", "G309"), ("sezary", "C8410"), ("b12", "D518")],
)
def test_apostrophes_accents_and_digits(query, first):
    assert first in codes(icd10.search(query))[:5]


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("htn", "I10"),
        ("HTN", "I10"),
        ("chf", "I509"),
        ("copd", "J449"),
        ("ckd", "N189"),
        ("t2dm", "E119"),
        ("dm", "E119"),
        ("afib", "I4891"),
        ("AFib", "I4891"),
        ("hld", "E785"),
        ("cad", "I2510"),
    ],
)
def test_abbreviations_put_their_usual_code_first(query, first):
    assert icd10.search(query)[0].code == first


def test_abbreviation_still_matches_literally_and_narrows_with_more_words():
    assert any(h.description.startswith("Radiculopathy") for h in icd10.search("ra", limit=ALL))
    hits = icd10.search("chf systolic")
    assert hits and all("systolic" in h.description.lower() for h in hits)
    assert codes(icd10.search("ckd 4"))[0] == "N184"


def test_preferred_codes_lead_typed_prefixes():
    assert icd10.search("diab")[0].code == "E119"
    assert icd10.search("hyp")[0].code == "I10"


@pytest.mark.parametrize("query", ["d", "arthritis", "pain", "kidney", "left right", "osteop"])
def test_chronic_codes_come_before_the_rest(query):
    rows = resource_rows("icd10_synonyms.csv")
    preferred = {icd10.normalise(c) for r in rows for c in r["preferred"].split()}
    hits = [h for h in icd10.search(query, limit=500) if h.code not in preferred]
    flags = [h.chronic_group is not None for h in hits]
    assert flags == sorted(flags, reverse=True)


def test_limit_blank_and_nonsense():
    assert len(icd10.search("d", limit=7)) == 7
    assert icd10.search("d", limit=0) == []
    assert icd10.search("   ") == []
    assert icd10.search("zzqx") == []
    assert icd10.search("E11.99") == []  # shaped like a code, no such code, no such words


def test_hits_are_display_ready():
    hit = icd10.search("E11.65")[0]
    assert hit == icd10.CodeHit("E1165", "Type 2 diabetes mellitus with hyperglycemia", "Diabetes")
    assert hit.display == "E11.65"


def test_the_index_holds_exactly_the_billable_codes():
    every = cm.get_all_codes(with_dots=False)
    billable = {c for c in every if icd10.is_billable(c)}
    assert set(icd10._index().codes) == billable
    assert len(icd10._index().codes) == len(billable) > 70_000


def test_warm_up_builds_once_across_threads(monkeypatch):
    built = []
    real_build = icd10._build

    def counting_build() -> icd10._Index:
        built.append(1)
        return real_build()

    monkeypatch.setattr(icd10, "_build", counting_build)
    icd10._cached_index.cache_clear()
    results: list[list[str]] = []
    threads = [
        threading.Thread(target=lambda: results.append(codes(icd10.search("heart failure"))))
        for _ in range(4)
    ]
    for t in threads:
        t.start()
    icd10.warm_up()
    for t in threads:
        t.join()
    assert built == [1]
    assert len(results) == 4 and all(r == results[0] for r in results)
    assert isinstance(icd10.warm_up(), float)


# -- property tests on the whole code set ----------------------------------------------
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_billable_code_is_found_first_by_its_own_code(data):
    code = data.draw(st.sampled_from(icd10._index().codes))
    typed = data.draw(st.sampled_from([code, icd10.with_dot(code), icd10.with_dot(code).lower()]))
    assert icd10.search(typed)[0].code == code


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_billable_code_is_found_by_two_words_of_its_description(data):
    code = data.draw(st.sampled_from(icd10._index().codes))
    ws = words(icd10.description(code))
    first, second = data.draw(st.sampled_from(ws)), data.draw(st.sampled_from(ws))
    for query in (f"{first} {second}", f"{second[:3]} {first}"):
        assert code in codes(icd10.search(query, limit=ALL)), query


# -- explaining refused codes ----------------------------------------------------------
@pytest.mark.parametrize(
    ("code", "examples"),
    [("E11", ["E11.8", "E11.9"]), ("N18.3", ["N18.30", "N18.31", "N18.32"]), ("i50", ["I50.9"])],
)
def test_explain_code_for_a_header_names_billable_codes(code, examples):
    text = icd10.explain_code(code)
    assert text is not None
    assert "is a category, not a billable code" in text
    named = re.findall(r"[A-Z]\d\w\.\w+", text.split("example", 1)[1])
    assert set(examples) <= set(named)
    assert all(icd10.is_billable(c) for c in named)


def test_explain_code_for_billable_blank_and_unknown():
    assert icd10.explain_code("E11.9") is None
    assert icd10.explain_code("e119") is None
    assert icd10.explain_code("  ") is None
    assert icd10.explain_code("ZZZ") == "ZZZ is not an ICD-10-CM code."


def test_an_empty_block_is_not_billable():
    # The package lists a few chapter blocks without children; they are not codes.
    assert not icd10.is_billable("M80-M94")
    with pytest.raises(ValidationError, match="category"):
        icd10.check_code("M80-M94")
    assert "M80-M94" not in codes(icd10.search("osteopathies", limit=ALL))


# -- the chronic flag -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("code", "group"),
    [
        ("I10", "Hypertension"),
        ("I12.9", "Hypertension"),
        ("I13.0", "Hypertension"),
        ("E11.9", "Diabetes"),
        ("E10.9", "Diabetes"),
        ("E08.65", "Diabetes"),
        ("N18.30", "Chronic kidney disease"),
        ("N18.6", "Chronic kidney disease"),
        ("I50.22", "Heart failure"),
        ("I50.23", "Heart failure"),  # acute on chronic: the chronic disease is stated
        ("J44.9", "COPD"),
        ("J45.40", "Asthma"),
        ("F32.A", "Depression"),
        ("F33.1", "Depression"),
        ("F03.90", "Dementia"),
        ("G30.9", "Alzheimer's disease"),
        ("G20.A1", "Parkinson's disease"),
        ("I25.10", "Ischemic heart disease"),
        ("I25.2", "Ischemic heart disease"),
        ("I48.91", "Atrial fibrillation or flutter"),
        ("E78.5", "Hyperlipidemia"),
        ("E03.9", "Hypothyroidism"),
        ("M81.0", "Osteoporosis"),
        ("M06.9", "Rheumatoid arthritis"),
        ("M17.0", "Osteoarthritis"),
        ("K74.60", "Chronic liver disease"),
        ("B20", "HIV/AIDS"),
        ("C50.911", "Breast cancer"),
        ("H40.1110", "Glaucoma"),
        ("G89.29", "Chronic pain"),
        ("J96.10", "Chronic respiratory failure"),
    ],
)
def test_chronic_codes_are_flagged(code, group):
    icd10.check_code(code)
    assert icd10.chronic_group(code) == group


@pytest.mark.parametrize(
    "code",
    [
        "I21.9",  # acute myocardial infarction
        "I21.4",
        "I63.9",  # acute cerebral infarction
        "I20.0",  # unstable angina
        "I50.21",  # acute systolic heart failure
        "I50.811",
        "I16.0",  # hypertensive urgency
        "J96.00",  # acute respiratory failure
        "J18.9",  # pneumonia
        "N39.0",  # urinary tract infection
        "E66.3",  # overweight
        "E78.6",  # lipoprotein deficiency is not hyperlipidemia
        "F32.81",  # premenstrual dysphoric disorder
        "F43.11",  # acute PTSD
        "F10.220",  # intoxication episode
        "G89.18",  # acute postprocedural pain
        "H40.001",  # glaucoma suspect
        "K72.00",  # acute hepatic failure
        "D57.3",  # sickle-cell trait
        "D57.00",  # sickle-cell crisis
        "S52.501A",  # fracture
        "S72.001A",
        "T81.40XA",
        "Z00.00",
    ],
)
def test_acute_and_other_codes_are_not_flagged(code):
    icd10.check_code(code)
    assert icd10.chronic_group(code) is None


def test_no_injury_or_acute_code_is_ever_flagged():
    flagged = [c for c in icd10._index().codes if icd10.chronic_group(c)]
    assert flagged
    assert not [c for c in flagged if c[0] in "ST" or c[:3] in {"I21", "I22", "I24", "I63"}]


def test_every_chronic_prefix_exists_and_every_exclusion_sits_inside_a_group():
    rows = resource_rows("chronic_condition_categories.csv")
    assert rows and all(icd10.exists(r["prefix"]) for r in rows), [
        r["prefix"] for r in rows if not icd10.exists(r["prefix"])
    ]
    groups = {icd10.normalise(r["prefix"]): r["group"] for r in rows if r["group"]}
    for r in rows:
        if not r["group"]:
            p = icd10.normalise(r["prefix"])
            assert any(p.startswith(g) and p != g for g in groups), p


def test_the_chronic_list_names_its_source_honestly():
    path = resources_dir() / "chronic_condition_categories.csv"
    head = path.read_text("utf-8")[:1500].lower()
    assert "curated by the project" in head and "ccw" in head and "not a billing rule" in head


def test_every_synonym_finds_codes_and_its_preferred_codes_are_chronic():
    rows = resource_rows("icd10_synonyms.csv")
    assert {"htn", "chf", "copd", "ckd", "dm", "t2dm", "afib", "hld"} <= {
        r["abbreviation"] for r in rows
    }
    for r in rows:
        hits = icd10.search(r["abbreviation"])
        assert hits, r["abbreviation"]
        preferred = [icd10.normalise(c) for c in r["preferred"].split()]
        for c in preferred:
            assert icd10.is_billable(c) and icd10.chronic_group(c), c
        if preferred:
            assert hits[0].code == preferred[0], r["abbreviation"]


# -- everyday words (resources/lay_terms.toml) -------------------------------------------
@pytest.mark.parametrize(
    ("query", "category", "first"),
    [
        ("sugar", "E11", "E119"),
        ("blood sugar", "E11", "E119"),
        ("heart failure", "I50", "I509"),
        ("weak heart", "I50", "I509"),
        ("kidney", "N18", "N189"),
        ("high blood pressure", "I10", "I10"),
        ("emphysema", "J4", "J449"),
        ("depression", "F32", "F329"),
        ("memory loss", "F03", "F0390"),
        ("thyroid", "E03", "E039"),
        ("arthritis", "M19", "M1990"),
        ("high cholesterol", "E78", "E785"),
        ("irregular heartbeat", "I48", "I4891"),
        ("stroke", "I69", "I6930"),
        ("obesity", "E66", "E669"),
    ],
)
def test_everyday_words_find_the_condition_and_say_why(query, category, first):
    hits = icd10.search(query)
    assert hits[0].code == first
    lay = [h for h in hits if h.matched]
    assert lay and lay == hits[: len(lay)]  # the everyday words' codes come first
    assert all(h.matched == " ".join(words(query)) for h in lay)
    assert hits[0].code.startswith(category)
    assert all(icd10.is_billable(h.code) for h in hits)


def test_other_words_narrow_the_everyday_ones():
    assert set(codes(icd10.search("kidney stage 3"))) == {"N1830", "N1831", "N1832"}
    assert all(h.code.startswith("E11") for h in icd10.search("sugar kidney")[:3])
    # Words the everyday phrase does not cover keep their literal meaning.
    assert not any(h.matched for h in icd10.search("kidney stones"))
    assert not any(h.matched for h in icd10.search("low blood pressure"))
    assert icd10.search("diabetes") and not any(h.matched for h in icd10.search("diabetes"))


def test_every_lay_prefix_is_in_the_code_set():
    for phrase, prefixes in icd10._lay_terms():
        for prefix in prefixes:
            assert icd10.exists(prefix) or icd10.search(prefix), (phrase, prefix)
            assert any(c.startswith(prefix) for c in icd10._index().codes), (phrase, prefix)
