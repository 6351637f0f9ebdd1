"""Care-plan templates: the shipped files load and are valid, bad files and practice rows
are reported by file and field while the rest load, and applying merges without
duplicates, idempotently."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from ccm_desktop.careplan.content import Goal, PlanContent, Problem, from_json, to_json
from ccm_desktop.careplan.template_toml import parse_template, text_fields, to_toml, unknown_codes
from ccm_desktop.careplan.templates import (
    EDITED,
    PRACTICE,
    SHIPPED,
    PracticeTemplate,
    TemplateError,
    apply,
    load_templates,
    shipped_body,
    shipped_dir,
    target_date,
    templates_for,
)
from ccm_desktop.vocab import Responsible

TODAY = date(2026, 11, 16)
CONDITIONS = {
    "type2_diabetes": "E11.65",
    "hypertension": "I10",
    "heart_failure": "I50.22",
    "copd": "J44.9",
    "chronic_kidney_disease": "N18.31",
    "depression": "F33.1",
    "asthma": "J45.40",
    "atrial_fibrillation": "I48.91",
    "coronary_artery_disease": "I25.10",
    "hyperlipidemia": "E78.5",
    "osteoarthritis": "M17.11",
    "dementia": "G30.9",
}

MINIMAL = """
id = "{id}"
codes = ["Z99.*"]
name.en = "Test condition"
name.es = "Condición de prueba"
problem.en = "A test problem"
problem.es = "Un problema de prueba"

[[goals]]
key = "g1"
text.en = "Walk each day."
text.es = "Camine cada día."
"""


def test_every_condition_of_the_issue_has_a_valid_shipped_template():
    ts = load_templates()
    assert ts.problems == ()
    ids = {t.id for t in ts.templates}
    assert set(CONDITIONS) <= ids
    for t in ts.templates:
        assert t.origin == SHIPPED and t.active
        assert t.goals and t.symptoms and t.interventions, t.id
        assert any("911" in s.when_to_call["en"] for s in t.symptoms) or t.id in {
            "hyperlipidemia",
            "osteoarthritis",
        }, f"{t.id}: no emergency guidance"


@pytest.mark.parametrize("template_id,code", sorted(CONDITIONS.items()))
def test_each_template_covers_a_real_code_of_its_condition(template_id, code):
    from ccm_desktop import icd10

    t = load_templates().get(template_id)
    assert t is not None
    assert icd10.is_billable(code), code
    assert t.matches(code) and t.matches(code.replace(".", ""))
    assert unknown_codes(t) == [], f"{t.where}: codes not in ICD-10-CM"


def test_code_patterns_prefix_and_range():
    ts = load_templates()
    htn = ts.get("hypertension")
    assert htn.matches("I10") and htn.matches("I16.1") and htn.matches("I130")
    assert not htn.matches("I20.9") and not htn.matches("I09")
    lip = ts.get("hyperlipidemia")
    assert lip.matches("E78.5") and lip.matches("E7800")
    assert not lip.matches("E78.6")  # lipoprotein deficiency: not high cholesterol
    assert [t.id for t in templates_for(ts.templates, ["I11.0"])] == [
        "heart_failure",
        "hypertension",
    ]


def test_shipped_files_read_back_equal_from_their_written_form():
    for t in load_templates().templates:
        again = parse_template(to_toml(t), t.where, expect_id=t.id)
        assert again == t


def test_interventions_name_who_is_responsible():
    for t in load_templates().templates:
        for i in t.interventions:
            assert isinstance(i.responsible, Responsible)
            if i.responsible is Responsible.OUTSIDE:
                assert i.responsible_name, f"{t.id}/{i.key}"


# -- bad files and rows ---------------------------------------------------------------


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    d = tmp_path / "templates"
    shutil.copytree(shipped_dir(), d)
    return d


def test_a_bad_file_is_reported_by_file_and_field_and_the_rest_load(folder: Path):
    body = (folder / "heart_failure.toml").read_text(encoding="utf-8")
    # The second goal loses its Spanish text; the first symptom names an unknown role.
    body = body.replace(
        'text.es = "No tener que ir al hospital por su corazón en los próximos 6 meses."\n', ""
    )
    body = body.replace('responsible = "patient"', 'responsible = "neighbour"', 1)
    (folder / "heart_failure.toml").write_text(body, encoding="utf-8")
    (folder / "broken.toml").write_text('id = "broken"\ncodes = [', encoding="utf-8")
    (folder / "renamed.toml").write_text(MINIMAL.format(id="other_name"), encoding="utf-8")

    ts = load_templates(directory=folder)
    words = [p.words for p in ts.problems]
    assert "heart_failure.toml, goals[2].text.es: missing the Spanish text." in words
    assert any(
        w.startswith("heart_failure.toml, interventions[1].responsible: 'neighbour' is not")
        for w in words
    )
    assert any(w.startswith("broken.toml: is not valid TOML") for w in words)
    renamed = "renamed.toml, id: is 'other_name' but must be 'renamed'"
    assert any(w.startswith(renamed) for w in words)
    ids = {t.id for t in ts.templates}
    assert "heart_failure" not in ids and "broken" not in ids
    assert set(CONDITIONS) - {"heart_failure"} <= ids


@pytest.mark.parametrize(
    "change,field",
    [
        (lambda b: b.replace('key = "g1"', 'key = "G 1"'), "goals[1].key"),
        (lambda b: b + 'colour = "blue"\n', "goals[1].colour"),
        (lambda b: b.replace('codes = ["Z99.*"]', 'codes = ["diabetes"]'), "codes[1]"),
        (lambda b: b.replace('codes = ["Z99.*"]', 'codes = ["I16-I10"]'), "codes[1]"),
        (lambda b: b.replace('codes = ["Z99.*"]', "codes = []"), "codes"),
        (lambda b: b.replace('problem.es = "Un problema de prueba"\n', ""), "problem.es"),
        (lambda b: b + 'target_in = "soon"\n', "goals[1].target_in"),
        (lambda b: b + '[[goals]]\nkey = "g1"\ntext.en = "a"\ntext.es = "b"\n', "goals[2].key"),
        (
            lambda b: (
                b + '[[interventions]]\nkey = "i"\nresponsible = "outside"\n'
                'text.en = "a"\ntext.es = "b"\n'
            ),
            "interventions[1].responsible_name",
        ),
    ],
)
def test_each_kind_of_mistake_names_its_field(change, field):
    with pytest.raises(TemplateError) as err:
        parse_template(change(MINIMAL.format(id="mine")), "practice template mine")
    assert [p.field for p in err.value.problems] == [field]
    assert all(p.where == "practice template mine" for p in err.value.problems)


def test_practice_rows_override_add_and_turn_off(folder: Path):
    hf = load_templates(directory=folder).get("heart_failure")
    edited = to_toml(hf).replace("Weigh yourself every morning", "Weigh yourself each morning")
    rows = [
        PracticeTemplate("heart_failure", edited),
        PracticeTemplate("mine", MINIMAL.format(id="mine")),
        PracticeTemplate("copd", shipped_body("copd", folder) or "", active=False),
        PracticeTemplate("asthma", MINIMAL.format(id="asthma").replace("problem.es", "x.es")),
    ]
    ts = load_templates(rows, directory=folder)
    assert ts.get("heart_failure").origin == EDITED
    assert ts.get("heart_failure").goals[0].text["en"].startswith("Weigh yourself each morning")
    assert ts.get("mine").origin == PRACTICE
    assert ts.get("copd").active is False
    assert "copd" not in {t.id for t in ts.active}
    assert templates_for(ts.templates, ["J44.9"]) == []
    # A bad practice row leaves the shipped template in use, and says why.
    assert ts.get("asthma").origin == SHIPPED
    assert {p.where for p in ts.problems} == {"practice template asthma"}
    # The shipped files' cache is not changed by a practice's rows.
    assert load_templates(directory=folder).get("heart_failure") == hf


# -- applying -------------------------------------------------------------------------


def test_apply_fills_each_section_with_sources_and_dates():
    ts = load_templates()
    c = apply(PlanContent(), ts.active, ["E1165", "I10"], "es", TODAY)
    assert [(p.code, p.source) for p in c.problems] == [  # templates in order of id
        ("I10", "hypertension/problem.I10"),
        ("E1165", "type2_diabetes/problem.E1165"),
    ]
    assert c.problems[1].description.startswith("Type 2 diabetes mellitus")
    assert c.problems[1].words["es"].startswith("Diabetes tipo 2")
    a1c = next(g for g in c.goals if g.source == "type2_diabetes/a1c")
    assert (a1c.target_value, a1c.target_unit, a1c.target_date) == ("7.5", "%", date(2027, 5, 16))
    assert a1c.condition_code == "E1165"
    assert a1c.steps[0].how_often == {"en": "5 days a week", "es": "5 días a la semana"}
    assert all(set(g.text) == {"en", "es"} for g in c.goals)
    assert any(i.responsible is Responsible.OUTSIDE for i in c.interventions)
    assert [s.source for s in c.community_services] == ["type2_diabetes/dsmes"]
    assert "safe range" in c.expected_outcome["en"] and "nivel seguro" in c.expected_outcome["es"]
    assert from_json(to_json(c)) == c


def test_apply_twice_is_applying_once_and_order_does_not_matter():
    ts = load_templates()
    codes = ["E11.65", "I50.22", "I11.0", "N18.31"]
    once = apply(PlanContent(), ts.active, codes, "en", TODAY)
    assert apply(once, ts.active, codes, "en", TODAY) == once
    assert apply(PlanContent(), tuple(reversed(ts.active)), codes[::-1], "en", TODAY) == once
    # A problem per matching condition, not per template: I11.0 matches two templates.
    assert sorted(p.code for p in once.problems) == ["E1165", "I110", "I5022", "N1831"]


def test_apply_keeps_what_the_plan_has_and_adds_nothing_twice():
    ts = load_templates()
    first = apply(PlanContent(), ts.active, ["E11.9"], "en", TODAY)
    mine = Problem("E119", "Diabetes, my words", {"en": "my sugar"})
    # The person edited a template goal's text, removed another, and added their own.
    a1c = next(g for g in first.goals if g.source == "type2_diabetes/a1c")
    a1c_edited = Goal(a1c.key, {"en": "A1C under 8"}, source=a1c.source)
    own = Goal("own", {"en": "Garden twice a week"})
    plan = PlanContent(
        problems=(mine,),
        goals=(a1c_edited, own),
        expected_outcome={"en": "Stay at home."},
    )
    merged = apply(plan, ts.active, ["E11.9"], "en", TODAY)
    assert merged.problems == (mine,)
    assert merged.goals[:2] == (a1c_edited, own)
    assert [g.source for g in merged.goals[2:]] == ["type2_diabetes/sugar_log"]
    assert merged.expected_outcome["en"].startswith("Stay at home.\nWith care")
    assert apply(merged, ts.active, ["E11.9"], "en", TODAY) == merged
    # Each inserted item is a plain item: removing it leaves a plan that is still valid.
    fewer = PlanContent(goals=merged.goals[:2], problems=merged.problems)
    assert from_json(to_json(fewer)) == fewer


def test_no_matching_template_changes_nothing():
    plan = PlanContent(goals=(Goal("own", {"en": "Garden"}),))
    assert apply(plan, load_templates().active, ["Z00.00"], "en", TODAY) == plan


def test_target_dates():
    assert target_date("3 months", date(2026, 11, 30)) == date(2027, 2, 28)
    assert target_date("1 year", date(2028, 2, 29)) == date(2029, 2, 28)
    assert target_date("2 weeks", TODAY) == date(2026, 11, 30)
    assert target_date("", TODAY) is None


def test_every_shipped_text_is_in_english_and_spanish():
    for t in load_templates().templates:
        for field, texts in text_fields(t):
            assert texts.get("en") and texts.get("es"), f"{t.where}, {field}"
