"""Synthetic structured care plans for demo patients: built from the shipped condition
templates (careplan/templates.py ``apply``), then varied as real plans are.

Goals met, in progress or not met with dated progress notes and measured values; small
steps with the patient's confidence; generic medicines with doses that fit the
conditions, prescribed by the demo's providers; allergies or none known; dated
assessments; community services at every stage; the care team from the demo staff and
the practice's 24/7 number; a review every 6 or 12 months. Pure: every choice comes from
the ``random.Random`` given, so a seed repeats exactly. Invented data only.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import replace as with_
from datetime import date, timedelta

from ccm_desktop import icd10
from ccm_desktop.careplan.content import (
    Allergy,
    Assessment,
    Contact,
    Goal,
    Intervention,
    Medication,
    PlanContent,
    Problem,
    ProgressNote,
    SmallStep,
    SymptomPlan,
    Texts,
    replace,
)
from ccm_desktop.careplan.template_model import Template
from ccm_desktop.careplan.templates import apply
from ccm_desktop.demo.data import PLAN_TEXT
from ccm_desktop.vocab import GoalStatus, Responsible, ServiceStatus

# ICD-10-CM category -> (generic name, dose, how often, what it is for: en, es)
MEDICINES: dict[str, tuple[tuple[str, str, str, str, str], ...]] = {
    "I10": (
        ("Lisinopril", "10 mg", "once a day", "for blood pressure", "para la presión"),
        ("Amlodipine", "5 mg", "once a day", "for blood pressure", "para la presión"),
        ("Hydrochlorothiazide", "25 mg", "every morning", "for blood pressure", "para la presión"),
    ),
    "E78": (
        ("Atorvastatin", "40 mg", "every evening", "for cholesterol", "para el colesterol"),
        ("Rosuvastatin", "10 mg", "once a day", "for cholesterol", "para el colesterol"),
    ),
    "E11": (
        ("Metformin", "500 mg", "twice a day with meals", "for blood sugar", "para el azúcar"),
        ("Glipizide", "5 mg", "before breakfast", "for blood sugar", "para el azúcar"),
        ("Insulin glargine", "18 units", "at bedtime", "for blood sugar", "para el azúcar"),
    ),
    "I50": (
        ("Furosemide", "40 mg", "every morning", "to remove extra fluid", "para quitar líquido"),
        ("Carvedilol", "6.25 mg", "twice a day", "for the heart", "para el corazón"),
        ("Spironolactone", "25 mg", "once a day", "for the heart", "para el corazón"),
    ),
    "J44": (
        ("Tiotropium inhaler", "2 puffs", "once a day", "for breathing", "para respirar"),
        ("Albuterol inhaler", "2 puffs", "when short of breath", "for breathing", "para respirar"),
    ),
    "J45": (
        ("Fluticasone inhaler", "2 puffs", "twice a day", "for breathing", "para respirar"),
        ("Albuterol inhaler", "2 puffs", "when short of breath", "for breathing", "para respirar"),
    ),
    "N18": (
        ("Sodium bicarbonate", "650 mg", "twice a day", "for the kidneys", "para los riñones"),
    ),
    "F32": (("Sertraline", "50 mg", "once a day", "for mood", "para el ánimo"),),
    "F33": (("Escitalopram", "10 mg", "once a day", "for mood", "para el ánimo"),),
    "I48": (
        ("Apixaban", "5 mg", "twice a day", "to prevent clots", "para evitar coágulos"),
        ("Metoprolol tartrate", "25 mg", "twice a day", "for heart rate", "para el pulso"),
    ),
    "I25": (("Aspirin", "81 mg", "once a day", "for the heart", "para el corazón"),),
    "E03": (
        ("Levothyroxine", "50 mcg", "before breakfast", "for the thyroid", "para la tiroides"),
    ),
    "M17": (("Acetaminophen", "500 mg", "up to 3 times a day", "for knee pain", "para el dolor"),),
    "G30": (("Donepezil", "10 mg", "at bedtime", "for memory", "para la memoria"),),
    "F03": (("Donepezil", "5 mg", "at bedtime", "for memory", "para la memoria"),),
    "M81": (("Alendronate", "70 mg", "once a week", "for the bones", "para los huesos"),),
    "G20": (("Carbidopa-levodopa", "25-100 mg", "3 times a day", "for movement", "para moverse"),),
    "M06": (("Methotrexate", "15 mg", "once a week", "for the joints", "para las articulaciones"),),
    "F41": (("Buspirone", "10 mg", "twice a day", "for worry", "para los nervios"),),
}
ALLERGIES = (
    ("Penicillin", "rash"),
    ("Sulfa drugs", "hives"),
    ("Codeine", "nausea and vomiting"),
    ("Lisinopril", "cough"),
    ("Shellfish", "swelling of the lips"),
)
# ICD-10-CM category -> (an outside provider or office, its role); invented names.
SPECIALISTS: dict[str, tuple[str, str]] = {
    "I50": ("Prairie Heart Center", "Cardiology"),
    "I48": ("Prairie Heart Center", "Cardiology"),
    "I25": ("Prairie Heart Center", "Cardiology"),
    "N18": ("Riverbend Kidney Associates", "Nephrology"),
    "E11": ("Millbrook Eye Clinic", "Eye doctor (diabetic eye exam)"),
    "J44": ("Lakeside Lung Care", "Pulmonology"),
    "F32": ("Harmony Grove Counseling", "Counseling"),
    "F33": ("Harmony Grove Counseling", "Counseling"),
    "G30": ("Memory Care Clinic of Oak Hollow", "Neurology"),
    "F03": ("Memory Care Clinic of Oak Hollow", "Neurology"),
    "G20": ("Memory Care Clinic of Oak Hollow", "Neurology"),
    "M06": ("Stonebridge Rheumatology", "Rheumatology"),
}
PHARMACY = ("Main Street Pharmacy", "Pharmacy")
PROGRESS = (  # the care team's notes (English: the team reads them)
    "Talked about the goal; doing the small step most days.",
    "Missed the step a few times this month; made a new plan.",
    "Reviewed the home log together; steady progress.",
    "Had a hard week; still wants to keep this goal.",
)
# (weight, status) of a goal by the time of the revision
GOAL_STATUS = (
    (45, GoalStatus.IN_PROGRESS),
    (20, GoalStatus.MET),
    (15, GoalStatus.NOT_MET),
    (15, GoalStatus.NOT_STARTED),
    (5, GoalStatus.STOPPED),
)
PROGNOSIS = (
    "Good with regular follow-up and medicines taken as prescribed.",
    "Fair: several conditions, stable for now; risk of flare-ups in winter.",
    "Guarded: heart and kidney disease together; goal is to avoid hospital stays.",
)
OUTCOME = {
    "en": "Stay as well as possible at home, with fewer emergencies.",
    "es": "Estar lo mejor posible en casa, con menos emergencias.",
}
TEAM_PHONE = "2175550100"


def _digits(phone: str) -> str:
    return "".join(ch for ch in phone if ch.isdigit())


def _texts(en: str, es: str = "") -> Texts:
    return {"en": en, "es": es} if es else {"en": en}


class PlanMaker:
    """Structured plan content for one patient's revisions, drawing from ``rng``."""

    def __init__(
        self,
        rng: random.Random,
        templates: Sequence[Template],
        labels: dict[str, tuple[str, str, str]],
        after_hours_phone: str,
        practice_phone: str,
    ) -> None:
        """``labels``: code -> (plain label, a measurable goal, symptom advice) of the demo's
        condition table; used for conditions no template covers."""
        self.rng = rng
        self.templates = templates
        self.labels = labels
        self.after_hours = _digits(after_hours_phone) or _digits(practice_phone) or TEAM_PHONE
        self.phone = _digits(practice_phone) or TEAM_PHONE
        self.goal_weights = [w for w, _ in GOAL_STATUS]

    def content(
        self,
        codes: Sequence[str],
        established: date,
        today: date,
        team: Sequence[tuple[str, str]],
        prescriber: str,
        complex_ccm: bool,
        earlier: PlanContent | None = None,
    ) -> PlanContent:
        """A complete plan for active ``codes`` established on ``established``; ``team``:
        (name, role) of the care team; ``earlier``: the revision it revises (its goals
        move on, medicines stay)."""
        rng = self.rng
        base = earlier if earlier is not None else PlanContent()
        c = apply(base, self.templates, codes, "en", established)
        c = self._uncovered(c, codes, established)
        goals = [self._goal(g, established, today, earlier is not None) for g in c.goals]
        if goals and all(g.status == GoalStatus.STOPPED for g in goals):
            goals[0] = with_(goals[0], status=GoalStatus.IN_PROGRESS)  # one goal stays
        meds = base.medications if earlier is not None else self._medicines(codes, prescriber)
        if earlier is not None and rng.random() < 0.5:  # a dose changed at review
            meds = self._medicines(codes, prescriber)
        allergy = rng.random() < 0.35
        allergies = (Allergy(*rng.choice(ALLERGIES)),) if allergy else ()
        services = tuple(
            with_(s, status=rng.choice(list(ServiceStatus))) for s in c.community_services
        )
        contacts = {SPECIALISTS[k[:3]] for k in codes if k[:3] in SPECIALISTS}
        if rng.random() < 0.6:
            contacts.add(PHARMACY)
        coordination = tuple(
            Contact(name, role, f"2175550{rng.randint(100, 199)}")
            for name, role in sorted(contacts)
        )
        assessed = established - timedelta(days=rng.randint(0, 10))
        return replace(
            c,
            prognosis=rng.choice(PROGNOSIS),
            goals=goals,
            medications=meds,
            no_medications=not meds,
            allergies=allergies,
            no_known_allergies=not allergy,
            medications_reconciled_on=established,
            cognitive_functional=Assessment(
                rng.choice(PLAN_TEXT["cognitive_functional_assessment"]), assessed
            ),
            psychosocial_environmental=Assessment(
                rng.choice(PLAN_TEXT["environmental_evaluation"]), assessed
            ),
            caregiver=Assessment(rng.choice(PLAN_TEXT["caregiver_assessment"]), assessed),
            community_services=services,
            no_community_services=not services,
            coordination=coordination,
            no_outside_providers=not coordination,
            care_team=tuple(Contact(name, role, self.phone) for name, role in team),
            after_hours_phone=self.after_hours,
            review_every_months=6 if complex_ccm or rng.random() < 0.4 else 12,
        )

    def _uncovered(self, c: PlanContent, codes: Sequence[str], on: date) -> PlanContent:
        """Problems, goals and symptom advice for conditions no template covers (from the
        demo's condition table), and the whole-plan outcome when nothing gave one."""
        have = {p.code for p in c.problems}
        problems, goals, symptoms = list(c.problems), list(c.goals), list(c.symptoms)
        interventions = list(c.interventions)
        for code in codes:
            if code in have:
                continue
            label, goal, advice = self.labels.get(code, (icd10.with_dot(code), "", ""))
            words = icd10.description(code) if icd10.exists(code) else label
            problems.append(Problem(code, words, _texts(label)))
            if goal:
                goals.append(
                    Goal(
                        f"demo.{code}",
                        _texts(goal),
                        condition_code=code,
                        target_date=on + timedelta(days=182),
                    )
                )
            if advice:
                symptoms.append(SymptomPlan(what_to_do=_texts(advice), condition_code=code))
        if not interventions:
            interventions.append(
                Intervention(
                    _texts(
                        "The care manager calls once a month to check in.",
                        "La enfermera le llama una vez al mes.",
                    ),
                    Responsible.CARE_TEAM,
                )
            )
        outcome = c.expected_outcome or dict(OUTCOME)
        return replace(
            c,
            problems=problems,
            goals=goals,
            symptoms=symptoms,
            interventions=interventions,
            expected_outcome=outcome,
        )

    def _goal(self, g: Goal, established: date, today: date, revised: bool) -> Goal:
        """``g`` with a status, the small step's confidence and dated progress notes."""
        rng = self.rng
        status = rng.choices([s for _, s in GOAL_STATUS], self.goal_weights)[0]
        if (today - established).days < 20 and not revised:
            status = GoalStatus.NOT_STARTED  # a new plan: nothing to report yet
        steps = tuple(
            SmallStep(s.what, s.how_much, s.when, s.how_often, rng.randint(5, 10)) for s in g.steps
        )
        notes = list(g.progress)
        if status != GoalStatus.NOT_STARTED:
            span = max(1, (today - established).days)
            for _ in range(rng.randint(1, 3)):
                on = established + timedelta(days=rng.randint(1, span))
                notes.append(ProgressNote(min(on, today), rng.choice(PROGRESS), self._value(g)))
        notes.sort(key=lambda n: n.on)
        return with_(g, status=status, steps=steps, progress=tuple(notes))

    def _value(self, g: Goal) -> str:
        """A measured value in the goal's unit, near its target (or "")."""
        rng, unit = self.rng, g.target_unit
        if unit == "%":
            return f"{rng.uniform(6.4, 9.6):.1f}"
        if unit == "mmHg":
            return f"{rng.randint(118, 158)}/{rng.randint(68, 94)}"
        if unit in ("lb", "pounds"):
            return str(rng.randint(140, 230))
        return ""

    def _medicines(self, codes: Sequence[str], prescriber: str) -> tuple[Medication, ...]:
        rng = self.rng
        out: dict[str, Medication] = {}
        for code in codes:
            options = MEDICINES.get(code[:3], ())
            for name, dose, often, en, es in rng.sample(options, k=min(len(options), 2)):
                if name not in out and (len(out) < 2 or rng.random() < 0.7):
                    out[name] = Medication(name, dose, often, prescriber, _texts(en, es))
        return tuple(out.values())
