"""What a care plan still lacks before it can be marked complete (docs/medicare-rules.md,
section 4: each CMS element of a comprehensive care plan).

:func:`missing` is pure: the plan's content and the patient's active conditions in, the
missing elements out, in the plan's section order and in words a front-desk person
understands. A section can be answered by saying there is nothing to list
(``no_medications``, ``no_known_allergies``, ``no_community_services``,
``no_outside_providers``). A plan written as free text before structured plans keeps
that text in ``legacy``, by element: such an element is reported as written as free
text only, so the clinician knows to move it into its place.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ccm_desktop.careplan.content import PlanContent, Texts
from ccm_desktop.icd10 import with_dot
from ccm_desktop.vocab import GoalStatus

# The CMS elements in the plan's section order: (key, what it is in words). The keys
# are those of the free-text plans written before structured ones (``legacy``).
ELEMENTS: tuple[tuple[str, str], ...] = (
    ("problem_list", "Problem list"),
    ("expected_outcome_prognosis", "Expected outcome and prognosis"),
    ("measurable_goals", "Measurable goals"),
    ("symptom_management", "Symptom management"),
    ("planned_interventions", "Planned interventions"),
    ("medication_management", "Medications and allergies"),
    ("cognitive_functional_assessment", "Cognitive and functional assessment"),
    ("environmental_evaluation", "Psychosocial and environmental evaluation"),
    ("caregiver_assessment", "Caregiver assessment"),
    ("community_services", "Community and social services"),
    ("coordination_with_others", "Coordination with outside providers"),
    ("care_team", "Care team and 24/7 number"),
    ("review_schedule", "Review schedule"),
)
ELEMENT_WORDS = dict(ELEMENTS)


@dataclass(frozen=True)
class Missing:
    """One thing a complete plan needs: the CMS element (a key of :data:`ELEMENTS`) and
    what to do, in words."""

    element: str
    words: str


def missing(content: PlanContent, active_codes: Iterable[str] | Mapping[str, str]) -> list[Missing]:
    """Every required element ``content`` lacks, in section order (empty: complete).

    ``active_codes`` are the patient's active conditions; a mapping of code to
    description names them in words ("E11.9 Type 2 diabetes").
    """
    names = dict(active_codes) if isinstance(active_codes, Mapping) else {}
    codes = set(names) if names else set(active_codes)
    found: list[Missing] = []

    def need(element: str, words: str) -> None:
        if content.legacy.get(element, "").strip():
            words = (
                f"{ELEMENT_WORDS[element]} is written as free text only (from before "
                "structured plans): enter it in its place."
            )
            if any(m.element == element and m.words == words for m in found):
                return
        found.append(Missing(element, words))

    c = content
    if not c.problems:
        need("problem_list", "Add at least one problem to the problem list.")
    not_listed = sorted(codes - {p.code for p in c.problems})
    if not_listed:
        listed = ", ".join(f"{with_dot(k)} {names.get(k, '')}".strip() for k in not_listed)
        need("problem_list", f"Add the patient's conditions to the problem list: {listed}.")
    if not _said(c.expected_outcome) and not c.prognosis.strip():
        need("expected_outcome_prognosis", "Write the expected outcome and the prognosis.")
    elif not _said(c.expected_outcome):
        need("expected_outcome_prognosis", "Write the expected outcome.")
    elif not c.prognosis.strip():
        need("expected_outcome_prognosis", "Write the prognosis.")
    if not any(
        _said(g.text) and (g.target_value.strip() or g.target_date is not None)
        for g in c.goals
        if g.status != GoalStatus.STOPPED
    ):
        need(
            "measurable_goals",
            "Add at least one measurable goal: a goal with a target value or a target date.",
        )
    if not any(
        _said(s.watch_for) or _said(s.what_to_do) or _said(s.when_to_call) for s in c.symptoms
    ):
        need("symptom_management", "Say what to watch for, what to do, and when to call.")
    if not any(_said(i.text) for i in c.interventions):
        need("planned_interventions", "Add at least one planned intervention and who does it.")
    if not c.medications and not c.no_medications:
        need(
            "medication_management",
            "List the patient's medicines, or mark that they take none.",
        )
    if not c.allergies and not c.no_known_allergies:
        need("medication_management", "List the allergies, or mark no known allergies.")
    if c.medications_reconciled_on is None:
        need("medication_management", "Enter the date the medicines were reconciled.")
    if not c.cognitive_functional.summary.strip():
        need("cognitive_functional_assessment", "Write the cognitive and functional assessment.")
    if not c.psychosocial_environmental.summary.strip():
        need(
            "environmental_evaluation",
            "Write the psychosocial and environmental evaluation (home, safety, support).",
        )
    if not c.caregiver.summary.strip():
        need(
            "caregiver_assessment",
            "Write the caregiver assessment (or that the patient has no caregiver).",
        )
    if not c.community_services and not c.no_community_services:
        need(
            "community_services",
            "Add the community or social services, or mark that none are needed.",
        )
    if not c.coordination and not c.no_outside_providers:
        need(
            "coordination_with_others",
            "Add the outside providers the care team works with, or mark that there are none.",
        )
    if not c.care_team:
        need("care_team", "Add at least one member of the care team.")
    if not c.after_hours_phone.strip():
        need("care_team", "Enter the phone number the patient can call day and night.")
    if not 1 <= c.review_every_months <= 12:
        need("review_schedule", "Choose how often the plan is reviewed (1 to 12 months).")
    return found


def _said(t: Texts) -> bool:
    """Whether a patient-facing text has words in any language."""
    return any(v.strip() for v in t.values())
