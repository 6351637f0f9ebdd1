"""The editor's sections, in the order of the left-hand list (docs/architecture.md,
"Care plans"): each names the plan fields it edits and the completeness elements it holds."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtWidgets import QPushButton

from ccm_desktop.careplan.content import (
    Allergy,
    CommunityService,
    Contact,
    Intervention,
    Medication,
    Problem,
    SymptomPlan,
)
from ccm_desktop.ui.careplan.editor_fields import Kind, Spec, short, tr
from ccm_desktop.ui.careplan.editor_goals import Choices, GoalList
from ccm_desktop.ui.careplan.editor_sections import BoundList, ContentForm, NestedForm, Section
from ccm_desktop.ui.common.vocabulary import label, options
from ccm_desktop.vocab import Responsible, ServiceStatus

PATIENT_SIDE = (Responsible.PATIENT, Responsible.CAREGIVER)
TEAM_SIDE = (Responsible.CARE_TEAM, Responsible.OUTSIDE)


class ProblemList(BoundList):
    """Problems picked from the patient's coded conditions; choosing a code fills in its
    description while none was written."""

    def __init__(self, conditions: Choices) -> None:
        self.descriptions = {code: text.split("  ", 1)[-1] for code, text in conditions}
        super().__init__(
            "problems",
            tr("Problem list"),
            tr("&Add problem"),
            [
                Spec("code", tr("&Condition:"), Kind.CHOICE, conditions),
                Spec("description", tr("&Description:")),
                Spec(
                    "words",
                    tr("In the patient's &words:"),
                    Kind.TEXTS,
                    placeholder=tr("high blood sugar"),
                ),
            ],
            lambda: Problem(code=conditions[0][0] if conditions else "", description=""),
            lambda p: f"{p.code}  {p.description}".strip(),
            empty_text=tr("No problem listed. Add the patient's conditions below."),
        )
        self.conditions = conditions
        self.list.setObjectName("problemList")
        self.add_all_button = QPushButton(tr("Add all &conditions"))
        self.add_all_button.setAutoDefault(False)
        self.add_all_button.setToolTip(tr("Add every coded condition not on the list yet"))
        self.add_all_button.clicked.connect(self.add_all)
        self.buttons.insertWidget(1, self.add_all_button)

    def _edited(self) -> None:
        item = self.form.item()
        if item is not None and not item.description:
            item = dataclasses.replace(item, description=self.descriptions.get(item.code, ""))
            self.form.set_item(item)
        super()._edited()

    def set_editable(self, on: bool) -> None:
        super().set_editable(on)
        self.add_all_button.setEnabled(on)

    def add_all(self) -> None:
        """Add every coded condition not on the list yet."""
        listed = {p.code for p in self.items()}
        new = [
            Problem(code=code, description=self.descriptions.get(code, ""))
            for code, _text in self.conditions
            if code not in listed
        ]
        if new and self._editable:
            self._items.extend(new)
            self._fill(len(self._items) - 1)
            self.changed.emit()


def build_sections(conditions: Choices, today: Callable[[], date]) -> list[Section]:
    """Every section of the editor. ``conditions``: (code, "E11.9  words") of the
    patient's active conditions."""
    any_condition: Choices = (("", tr("The whole person")), *conditions)
    problems = ProblemList(conditions)
    for_condition = Spec("condition_code", tr("For c&ondition:"), Kind.CHOICE, any_condition)

    def tasks(title: str, add: str, side: tuple[Responsible, ...], empty: str) -> BoundList:
        choices = tuple((r, label(r)) for r in side)
        return BoundList(
            "interventions",
            title,
            add,
            [
                Spec("text", tr("&What:"), Kind.TEXTS),
                Spec("responsible", tr("&Who:"), Kind.CHOICE, choices),
                Spec("responsible_name", tr("&Name (outside provider or agency):")),
                for_condition,
                Spec("done", tr("&Done"), Kind.BOOL),
            ],
            lambda: Intervention(responsible=side[0]),
            lambda i: short(i.text, "en"),
            keep=lambda i: i.responsible in side,
            empty_text=empty,
        )

    def contacts(attr: str, title: str, add: str, empty: str) -> BoundList:
        return BoundList(
            attr,
            title,
            add,
            [
                Spec("name", tr("&Name:")),
                Spec("role", tr("&Role:"), placeholder=tr("Cardiologist, Care manager")),
                Spec("phone", tr("&Phone:"), beside=True),
            ],
            lambda: Contact(name=""),
            lambda c: " · ".join(x for x in (c.name, c.role, c.phone) if x),
            empty_text=empty,
        )

    def assessment(attr: str, title: str) -> NestedForm:
        return NestedForm(
            attr,
            title,
            [
                Spec("summary", tr("What was &found:"), Kind.LONG),
                Spec("assessed_on", tr("Assessed &on:"), Kind.DATE),
            ],
        )

    sections = [
        Section("problems", tr("Problems"), ["problem_list"], [problems]),
        Section(
            "outcome",
            tr("Expected outcome & prognosis"),
            ["expected_outcome_prognosis"],
            [
                ContentForm(
                    [
                        Spec(
                            "expected_outcome",
                            tr("&Expected outcome (patient's words):"),
                            Kind.TEXTS_LONG,
                            lines=9,
                        ),
                        Spec("prognosis", tr("&Prognosis (clinician's):"), Kind.LONG, lines=6),
                    ]
                )
            ],
        ),
        Section("goals", tr("Goals"), ["measurable_goals"], [GoalList(any_condition, today)]),
        Section(
            "symptoms",
            tr("Symptoms"),
            ["symptom_management"],
            [
                BoundList(
                    "symptoms",
                    tr("Symptom plans"),
                    tr("&Add symptom plan"),
                    [
                        Spec("watch_for", tr("&Watch for:"), Kind.TEXTS_LONG),
                        Spec("what_to_do", tr("What to &do:"), Kind.TEXTS_LONG),
                        Spec("when_to_call", tr("When to &call:"), Kind.TEXTS_LONG),
                        for_condition,
                    ],
                    SymptomPlan,
                    lambda s: short(s.watch_for, "en"),
                    empty_text=tr("Nothing yet: what should the patient watch for, and when call?"),
                )
            ],
        ),
        Section(
            "interventions",
            tr("Interventions"),
            ["planned_interventions"],
            [
                tasks(
                    tr("What the patient does"),
                    tr("Add &patient task"),
                    PATIENT_SIDE,
                    tr("No task for the patient or caregiver yet."),
                ),
                tasks(
                    tr("What the care team does"),
                    tr("Add &team task"),
                    TEAM_SIDE,
                    tr("No task for the care team or an outside provider yet."),
                ),
            ],
            intro=tr("Patient tasks print on the patient's copy; care-team tasks are the team's."),
        ),
        Section(
            "medications",
            tr("Medications & allergies"),
            ["medication_management"],
            [
                ContentForm(
                    [
                        Spec(
                            "medications_reconciled_on",
                            tr("Medications &reconciled on:"),
                            Kind.DATE,
                        ),
                        Spec("no_medications", tr("Takes no &medicines"), Kind.BOOL),
                        Spec("no_known_allergies", tr("No &known allergies"), Kind.BOOL),
                    ]
                ),
                BoundList(
                    "medications",
                    tr("Medications"),
                    tr("&Add medication"),
                    [
                        Spec("name", tr("&Name:")),
                        Spec("dose", tr("D&ose:"), beside=True),
                        Spec("how_often", tr("How &often:")),
                        Spec("prescriber", tr("Pres&criber:"), beside=True),
                        Spec("purpose", tr("&What it is for (patient's words):"), Kind.TEXTS),
                    ],
                    lambda: Medication(name=""),
                    lambda m: " ".join(x for x in (m.name, m.dose, m.how_often) if x),
                    empty_text=tr("No medication listed."),
                ),
                BoundList(
                    "allergies",
                    tr("Allergies"),
                    tr("Add a&llergy"),
                    [
                        Spec("substance", tr("&Substance:")),
                        Spec("reaction", tr("Reac&tion:"), beside=True),
                    ],
                    lambda: Allergy(substance=""),
                    lambda a: " — ".join(x for x in (a.substance, a.reaction) if x),
                    empty_text=tr("No allergy listed (tick “No known allergies” if none)."),
                ),
            ],
        ),
        Section(
            "assessments",
            tr("Assessments"),
            ["cognitive_functional_assessment", "environmental_evaluation", "caregiver_assessment"],
            [
                assessment("cognitive_functional", tr("Cognitive and functional")),
                assessment("psychosocial_environmental", tr("Psychosocial and environmental")),
                assessment("caregiver", tr("Caregiver")),
            ],
        ),
        Section(
            "services",
            tr("Community services"),
            ["community_services"],
            [
                ContentForm([Spec("no_community_services", tr("None &needed now"), Kind.BOOL)]),
                BoundList(
                    "community_services",
                    tr("Community and social services"),
                    tr("&Add service"),
                    [
                        Spec("name", tr("&Name:")),
                        Spec("what", tr("&What it does for the patient:"), Kind.TEXTS),
                        Spec("phone", tr("&Phone:")),
                        Spec(
                            "status",
                            tr("&Status:"),
                            Kind.CHOICE,
                            tuple(options(ServiceStatus)),
                            beside=True,
                        ),
                    ],
                    lambda: CommunityService(name=""),
                    lambda c: f"{c.name} ({label(c.status)})" if c.name else "",
                    empty_text=tr("No service yet (Meals on Wheels, transport, a support group)."),
                ),
            ],
        ),
        Section(
            "coordination",
            tr("Coordination"),
            ["coordination_with_others"],
            [
                ContentForm(
                    [
                        Spec(
                            "no_outside_providers",
                            tr("No outside provider to &coordinate with"),
                            Kind.BOOL,
                        )
                    ]
                ),
                contacts(
                    "coordination",
                    tr("Outside providers and agencies"),
                    tr("&Add contact"),
                    tr("No outside provider yet (specialists, home health, pharmacy)."),
                ),
            ],
        ),
        Section(
            "care_team",
            tr("Care team & 24/7 number"),
            ["care_team", "after_hours", "access_24_7"],
            [
                ContentForm(
                    [Spec("after_hours_phone", tr("&24/7 number:"), placeholder=tr("digits only"))]
                ),
                contacts(
                    "care_team",
                    tr("Care team"),
                    tr("&Add team member"),
                    tr("No one on the care team yet."),
                ),
            ],
        ),
        Section(
            "review",
            tr("Review schedule"),
            ["review_schedule"],
            [
                ContentForm(
                    [
                        Spec(
                            "review_every_months",
                            tr("&Review every (months):"),
                            Kind.NUMBER,
                            low=1,
                            high=12,
                        ),
                        Spec("next_review", tr("&Next review on:"), Kind.DATE),
                    ]
                )
            ],
            intro=tr("Leave the next review empty to count it from the day the plan is saved."),
        ),
        Section(
            "notes",
            tr("Notes"),
            ["notes", "legacy"],
            [ContentForm([Spec("notes", tr("&Notes:"), Kind.LONG)])],
        ),
    ]
    return sections


def condition_choices(rows: Any) -> Choices:
    """(code, "E11.9  description") for the active coded conditions ``rows``."""
    return tuple((r.code, f"{r.display_code}  {r.description}") for r in rows)
