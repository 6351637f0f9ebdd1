"""Synthetic care plans for the print-out tests and tools/careplan_pdf_shots.py.

Every name, phone and number here is made up. ``ROSA`` is a full two-condition plan in
English and Spanish, except one medicine's purpose and one task, which have English only.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

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
)
from ccm_desktop.reports.care_plan import CarePlanPrint, PrintedCopy
from ccm_desktop.vocab import CopyMethod, GoalStatus, PlanStatus, Responsible, ServiceStatus


def t(en: str, es: str = "") -> dict[str, str]:
    return {"en": en, "es": es} if es else {"en": en}


CONTENT = PlanContent(
    problems=(
        Problem(
            "E119",
            "Type 2 diabetes mellitus without complications",
            t("High blood sugar (diabetes)", "Azúcar alta en la sangre (diabetes)"),
        ),
        Problem(
            "I10", "Essential (primary) hypertension", t("High blood pressure", "Presión alta")
        ),
    ),
    expected_outcome=t(
        "Blood sugar and blood pressure in a safe range; no hospital stays.",
        "Azúcar y presión en un nivel seguro; sin hospitalizaciones.",
    ),
    prognosis="Good with adherence to medication and diet.",
    goals=(
        Goal(
            key="a1c",
            text=t("Bring my A1C down", "Bajar mi A1C"),
            condition_code="E119",
            target_value="7.5",
            target_unit="%",
            target_date=date(2027, 3, 1),
            status=GoalStatus.IN_PROGRESS,
            steps=(
                SmallStep(
                    what=t("Walk", "Caminar"),
                    how_much=t("15 minutes", "15 minutos"),
                    when=t("After lunch", "Después del almuerzo"),
                    how_often=t("5 days a week", "5 días a la semana"),
                    confidence=7,
                ),
            ),
            progress=(ProgressNote(date(2026, 10, 20), "Walking 3 days a week so far.", "8.1"),),
        ),
        Goal(
            key="bp",
            text=t(
                "Keep my blood pressure under 140/90", "Mantener mi presión por debajo de 140/90"
            ),
            condition_code="I10",
            target_value="140/90",
            target_unit="mmHg",
            steps=(
                SmallStep(
                    what=t("Check my blood pressure", "Tomarme la presión"),
                    how_often=t("Every morning", "Cada mañana"),
                ),
            ),
        ),
    ),
    symptoms=(
        SymptomPlan(
            watch_for=t(
                "Blood sugar over 300, or shaking and sweating",
                "Azúcar de más de 300, o temblores y sudor",
            ),
            what_to_do=t(
                "Drink juice if you feel shaky. Check your sugar again.",
                "Si tiembla, tome jugo. Vuelva a medirse el azúcar.",
            ),
            when_to_call=t(
                "Your sugar stays over 300 or under 70",
                "Su azúcar sigue en más de 300 o menos de 70",
            ),
            condition_code="E119",
        ),
    ),
    interventions=(
        Intervention(
            t("Take my medicines every day", "Tomar mis medicinas todos los días"),
            Responsible.PATIENT,
        ),
        Intervention(t("Help fill the weekly pill box"), Responsible.CAREGIVER),
        Intervention(
            t("Call monthly to review blood sugar log", "Llamar cada mes"), Responsible.CARE_TEAM
        ),
        Intervention(
            t("Diabetic eye exam"),
            Responsible.OUTSIDE,
            responsible_name="Lakeside Eye Clinic",
            condition_code="E119",
        ),
    ),
    medications=(
        Medication(
            "Metformin",
            "500 mg",
            "Twice a day",
            "Dana Example, MD",
            t("For blood sugar", "Para el azúcar"),
        ),
        Medication(
            "Lisinopril", "10 mg", "Once a day", "Dana Example, MD", t("For blood pressure")
        ),
    ),
    allergies=(Allergy("Penicillin", "Rash"),),
    medications_reconciled_on=date(2026, 11, 10),
    cognitive_functional=Assessment(
        "Independent in ADLs; mild trouble reading small print.", date(2026, 11, 10)
    ),
    psychosocial_environmental=Assessment(
        "Lives alone; daughter visits daily.", date(2026, 11, 10)
    ),
    caregiver=Assessment("Daughter helps with medicines.", date(2026, 11, 10)),
    community_services=(
        CommunityService(
            "Meals on Wheels of Example County",
            t("Brings a hot meal at noon", "Le trae una comida caliente al mediodía"),
            "5552017000",
            ServiceStatus.ACTIVE,
        ),
        CommunityService(
            "Senior Ride Line", t("Rides to visits"), "5552017100", ServiceStatus.SUGGESTED
        ),
    ),
    coordination=(Contact("Lee Example, MD", "Cardiologist", "5552018000"),),
    care_team=(Contact("Kim Example, RN", "Care manager", "5552013345"),),
    after_hours_phone="5552019900",
    review_every_months=6,
    next_review=date(2027, 5, 16),
)

ROSA = CarePlanPrint(
    practice_name="Maple Grove Family Medicine",
    patient_name="Rosa Example",
    dob=date(1950, 3, 2),
    mrn="MRN-004217",
    version=3,
    established_date=date(2026, 11, 16),
    status=PlanStatus.COMPLETE,
    content=CONTENT,
    practice_phone="5552013344",
    practice_address="100 Example Ave, Columbus, OH 43210",
    after_hours_phone="5552019900",
    preferred_language="es",
    care_manager="Kim Example, RN",
    billing_provider="Dana Example, MD",
    written_by="Kim Example",
    substantial=True,
    change_note="New blood pressure goal.",
    copies=(PrintedCopy(date(2026, 11, 16), CopyMethod.PRINTED),),
)


def long_plan(goals: int = 40, medicines: int = 60) -> CarePlanPrint:
    """``ROSA`` with many goals and medicines, for page breaks."""
    many = tuple(
        replace(
            CONTENT.goals[n % 2],
            key=f"g{n}",
            text=t(f"Goal number {n + 1}", f"Meta número {n + 1}"),
        )
        for n in range(goals)
    )
    meds = tuple(
        Medication(
            f"Medicine {n + 1:02d}",
            f"{n + 1} mg",
            "Once a day",
            "Dana Example, MD",
            t("For the heart", "Para el corazón"),
        )
        for n in range(medicines)
    )
    return replace(ROSA, content=replace(CONTENT, goals=many, medications=meds))
