"""The pure care-plan rules: content checks, the completeness check and the comparison of
two revisions (no database)."""

from __future__ import annotations

from datetime import date

from ccm_desktop.careplan.checks import check_content
from ccm_desktop.careplan.compare import compare
from ccm_desktop.careplan.completeness import ELEMENTS, missing
from ccm_desktop.careplan.content import (
    Allergy,
    Assessment,
    CommunityService,
    Contact,
    Goal,
    Intervention,
    Medication,
    PlanContent,
    Problem,
    ProgressNote,
    SmallStep,
    SymptomPlan,
    from_json,
    replace,
    to_json,
)
from ccm_desktop.vocab import GoalStatus, Responsible
from tests.test_careplans import full_plan

TODAY = date(2026, 11, 16)
CODES = {"E119": "Type 2 diabetes mellitus without complications", "I10": "Essential hypertension"}


def fields(content: PlanContent) -> list[str]:
    return [e.field for e in check_content(content, CODES, TODAY)]


# -- checks ------------------------------------------------------------------------------


def test_a_full_plan_breaks_no_rule_and_round_trips_through_json():
    assert fields(full_plan()) == []
    assert from_json(to_json(full_plan())) == full_plan()


def test_each_rule_names_its_field():
    plan = replace(
        full_plan(),
        problems=[Problem("E119", "Diabetes"), Problem("E119", "again"), Problem("J449", "COPD")],
        goals=[
            Goal("a1c", {"en": "A1c"}, "E119", steps=(SmallStep(confidence=11),)),
            Goal("a1c", {"en": "twice"}, progress=(ProgressNote(date(2026, 11, 17), "x"),)),
            Goal("bp", {"en": "BP"}, "I10"),  # I10 is not on this problem list
        ],
        interventions=[Intervention({"en": "Eye exam"}, Responsible.OUTSIDE)],
        medications=[Medication(" ")],
        allergies=[Allergy("Penicillin")],
        no_known_allergies=True,
        medications_reconciled_on=date(2026, 12, 1),
        caregiver=Assessment("Daughter", date(2026, 11, 30)),
        community_services=[CommunityService("Meals", phone="555-1234")],
        no_community_services=True,
        care_team=[Contact("", "Nurse", "555 201 3344")],
        after_hours_phone="12",
        review_every_months=0,
    )
    assert fields(plan) == [
        "problems[1].code",  # listed twice
        "problems[2].code",  # not one of the patient's conditions
        "goals[0].steps[0].confidence",
        "goals[1].key",
        "goals[1].progress[0].on",
        "goals[2].condition_code",
        "interventions[0].responsible_name",
        "medications[0].name",
        "no_known_allergies",
        "no_community_services",
        "medications_reconciled_on",
        "caregiver.assessed_on",
        "community_services[0].phone",
        "care_team[0].name",
        "after_hours_phone",
        "review_every_months",
    ]
    words = {e.field: e.text for e in check_content(plan, CODES, TODAY)}
    assert "J449 is not one of the patient's active conditions" in words["problems[2].code"]
    assert words["goals[0].steps[0].confidence"].startswith("Confidence is a number from 0")
    assert words["after_hours_phone"] == "A phone number has 10 digits, like 555-201-3344."


def test_confidence_bounds_and_a_twelve_month_review_are_accepted():
    steps = (SmallStep(confidence=0), SmallStep(confidence=10))
    plan = replace(full_plan(), goals=[replace(full_plan().goals[0], steps=steps)])
    assert fields(replace(plan, review_every_months=12)) == []
    assert fields(replace(plan, review_every_months=13)) == ["review_every_months"]


# -- completeness ------------------------------------------------------------------------


def test_an_empty_plan_misses_every_element_in_section_order():
    found = missing(PlanContent(), CODES)
    order = [k for k, _ in ELEMENTS]
    elements = [m.element for m in found]
    assert elements == sorted(elements, key=order.index)
    assert set(elements) == set(order) - {"review_schedule"}  # 12 months by default
    assert found[0].words == "Add at least one problem to the problem list."
    assert found[1].words == (
        "Add the patient's conditions to the problem list: E11.9 Type 2 diabetes mellitus "
        "without complications, I10 Essential hypertension."
    )


def test_a_full_plan_misses_nothing_and_each_gap_is_named():
    assert missing(full_plan(), CODES) == []
    cases = {
        "problem_list": replace(full_plan(), problems=full_plan().problems[:1]),
        "measurable_goals": replace(
            full_plan(), goals=[replace(full_plan().goals[0], target_value="", target_date=None)]
        ),
        "expected_outcome_prognosis": replace(full_plan(), prognosis=""),
        "symptom_management": replace(full_plan(), symptoms=[SymptomPlan()]),
        "planned_interventions": replace(full_plan(), interventions=[]),
        "cognitive_functional_assessment": replace(full_plan(), cognitive_functional=Assessment()),
        "environmental_evaluation": replace(full_plan(), psychosocial_environmental=Assessment()),
        "caregiver_assessment": replace(full_plan(), caregiver=Assessment()),
        "community_services": replace(full_plan(), no_community_services=False),
        "coordination_with_others": replace(full_plan(), coordination=[]),
        "care_team": replace(full_plan(), after_hours_phone=""),
    }
    for element, plan in cases.items():
        assert [m.element for m in missing(plan, CODES)] == [element], element
    only_i10 = missing(cases["problem_list"], CODES)[0].words
    assert "I10 Essential hypertension" in only_i10 and "E11.9" not in only_i10


def test_a_stopped_goal_is_not_a_measurable_goal():
    stopped = replace(full_plan().goals[0], status=GoalStatus.STOPPED)
    plan = replace(full_plan(), goals=[stopped])
    assert [m.element for m in missing(plan, CODES)] == ["measurable_goals"]


def test_medicines_allergies_and_reconciliation_each_need_an_answer():
    plan = replace(full_plan(), medications=[], allergies=[], medications_reconciled_on=None)
    words = [m.words for m in missing(plan, CODES)]
    assert words == [
        "List the patient's medicines, or mark that they take none.",
        "List the allergies, or mark no known allergies.",
        "Enter the date the medicines were reconciled.",
    ]
    answered = replace(
        plan, no_medications=True, no_known_allergies=True, medications_reconciled_on=TODAY
    )
    assert missing(answered, CODES) == []


def test_free_text_plans_say_which_elements_are_free_text_only():
    legacy = PlanContent(legacy={"problem_list": "Diabetes", "medication_management": "Metformin"})
    found = missing(legacy, CODES)
    by = {m.element: m.words for m in found}
    assert by["problem_list"].startswith("Problem list is written as free text only")
    assert by["medication_management"].startswith("Medications and allergies is written")
    assert [m.element for m in found].count("medication_management") == 1  # said once
    assert "free text" not in by["symptom_management"]


# -- compare -----------------------------------------------------------------------------


def test_the_same_content_has_no_differences():
    assert compare(full_plan(), full_plan()) == []


def test_goals_match_by_key_and_changes_are_said_in_words():
    old = full_plan()
    goal = old.goals[0]
    new = replace(
        old,
        goals=[
            replace(goal, text={"en": "Lower my A1c"}, target_date=date(2027, 6, 1)),
            Goal("bp", {"en": "Blood pressure under 140/90"}, "I10", "140/90", "mmHg"),
        ],
    )
    diffs = compare(old, new)
    assert [(d.section, d.kind) for d in diffs] == [("Goals", "changed"), ("Goals", "added")]
    assert diffs[0].words == "Goal 'Lower my A1c': target date 3/1/2027 -> 6/1/2027"
    assert diffs[0].before == "Goal 'Lower my A1c': target date 3/1/2027"
    assert diffs[1].after.startswith("Goal 'Blood pressure under 140/90' (")
    assert "target 140/90 mmHg" in diffs[1].after and diffs[1].before == ""
    back = compare(new, old)
    assert [d.kind for d in back] == ["changed", "removed"]
    assert back[1].words.startswith("Removed: Goal 'Blood pressure under 140/90'")


def test_template_items_match_by_source_others_by_natural_key():
    step = Intervention({"en": "Check sugar"}, Responsible.PATIENT, source="diabetes/check")
    old = PlanContent(
        interventions=(step,),
        medications=(Medication("Metformin", "500 mg"),),
        care_team=(Contact("Kim Carewell", "Nurse"),),
    )
    new = PlanContent(
        interventions=(replace(step, text={"en": "Check sugar before breakfast"}),),
        medications=(Medication("metformin", "1000 mg"), Medication("Lisinopril", "10 mg")),
        care_team=(),
        no_known_allergies=True,
    )
    words = [d.words for d in compare(old, new)]
    assert words == [
        "'Check sugar': what Check sugar -> Check sugar before breakfast",
        "Metformin: dose 500 mg -> 1000 mg",
        "Added: Lisinopril (dose 10 mg)",
        "Added: no known allergies",
        "Removed: Kim Carewell (role Nurse)",
    ]


def test_single_fields_and_free_text_are_compared():
    old = PlanContent(prognosis="Good", review_every_months=12, legacy={"problem_list": "DM"})
    new = PlanContent(prognosis="Fair", review_every_months=6, after_hours_phone="5552019999")
    assert [(d.section, d.words) for d in compare(old, new)] == [
        ("Expected outcome and prognosis", "prognosis: Good -> Fair"),
        ("Care team", "Added: number day and night: 5552019999"),
        ("Review schedule", "every: 12 months -> 6 months"),
        ("Free text (before structured plans)", "Removed: problem list: DM"),
    ]
