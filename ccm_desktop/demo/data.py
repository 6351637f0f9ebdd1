"""Synthetic data lists for the demo practice: names, places, conditions, notes, plan text.

Every person here is invented: first names and surnames are drawn independently from
common-name lists and combined at random; NPIs come from ``make_npi`` on made-up
prefixes; phone numbers use the 555-01xx range reserved for fiction.
"""

from __future__ import annotations

from dataclasses import dataclass

from ccm_desktop.services.practice import PracticeInfo, PracticeSetup, ProviderInfo, StaffInfo
from ccm_desktop.validation import make_npi


@dataclass(frozen=True)
class NameGroup:
    """Names that go together, and the preferred languages seen with them (weights)."""

    weight: float
    female: tuple[str, ...]
    male: tuple[str, ...]
    surnames: tuple[str, ...]
    languages: tuple[tuple[str, float], ...]


def _t(words: str) -> tuple[str, ...]:
    return tuple(w.replace("_", " ") for w in words.split())


NAME_GROUPS: tuple[NameGroup, ...] = (
    NameGroup(
        50,
        _t(
            "Mary Linda Barbara Patricia Susan Dorothy Carol Nancy Betty Joan Shirley Judith "
            "Margaret Ruth Janet Sharon Donna Gloria Evelyn Frances Joyce Helen Marilyn Beverly "
            "Diane Kathleen Peggy Connie Darlene Phyllis"
        ),
        _t(
            "James Robert John William Richard Charles Donald George Thomas Kenneth Ronald Gary "
            "Larry Dennis Jerry Raymond Walter Harold Eugene Roger Frank Arthur Carl Gerald "
            "Wayne Dale Douglas Glenn Howard Lloyd"
        ),
        _t(
            "Anderson Baker Carter Dawson Ellison Fletcher Gardner Hollis Jennings Keller Lawson "
            "Mercer Norris Parker Ramsey Sutton Thornton Vaughn Whitaker Yates Brennan O'Malley "
            "Kowalski Novak Schmidt Lindqvist Olsen Becker Russo Moretti Harmon Pruitt Sinclair "
            "Tolliver McAllister Dunbar Hargrove Whitfield Kessler Abernathy"
        ),
        (("en", 1.0),),
    ),
    NameGroup(
        14,
        _t("Loretta Bernice Gladys Mattie Odessa Hattie Geraldine Earline Ernestine Delores"),
        _t("Otis Clarence Willie Leroy Cornelius Alvin Roosevelt Curtis Jerome Lamar"),
        _t("Washington Jefferson Booker Freeman Coleman Robinson Banks Jackson Ellis Merriweather"),
        (("en", 1.0),),
    ),
    NameGroup(
        16,
        _t("María Rosa Guadalupe Carmen Teresa Dolores Luz Esperanza Juana Josefina Graciela"),
        _t("José Juan Jesús Manuel Francisco Ramón Luis Alfredo Ernesto Héctor Rogelio"),
        _t(
            "García Hernández Martínez López González Ramírez Flores Rivera Torres Morales "
            "Castillo Ortiz Vargas Mendoza Delgado Sandoval Ibarra"
        ),
        (("es", 0.55), ("en", 0.45)),
    ),
    NameGroup(
        3,
        _t("Lan Mai Hoa Thu Huong Linh"),
        _t("Minh Tuan Hung Dung Quang Thanh"),
        _t("Nguyen Tran Le Pham Hoang Vu Dang"),
        (("vi", 0.5), ("en", 0.5)),
    ),
    NameGroup(
        3,
        _t("Mei Xiu Ying Lihua Fang Jing"),
        _t("Wei Jian Hong Ming Guoqiang Zhiwei"),
        _t("Chen Wang Li Zhang Liu Huang Zhou"),
        (("zh", 0.4), ("en", 0.6)),
    ),
    NameGroup(
        2,
        _t("Soon-ja Young-hee Mi-kyung Kyung-sook Jung-ja"),
        _t("Young-ho Sung-min Jae-won Dong-hyun Byung-chul"),
        _t("Kim Park Lee Choi Jung Kang"),
        (("ko", 0.4), ("en", 0.6)),
    ),
    NameGroup(
        3,
        _t("Lakshmi Sunita Kamala Asha Pushpa Usha"),
        _t("Ramesh Suresh Vijay Anil Prakash Mohan"),
        _t("Patel Shah Reddy Iyer Desai Natarajan"),
        (("en", 1.0),),
    ),
    NameGroup(
        2,
        _t("Fatima Mariam Layla Samira Nadia"),
        _t("Ahmed Omar Khalil Youssef Karim"),
        _t("Haddad Khoury Nasser Saleh Mansour"),
        (("ar", 0.4), ("en", 0.6)),
    ),
    NameGroup(
        3,
        _t("Olga Galina Irina Halina Danuta Tamara"),
        _t("Ivan Sergei Stanislaw Boris Zbigniew Viktor"),
        _t("Nowak Kowalczyk Wozniak Volkov Morozov Sokolov Lewandowski"),
        (("ru", 0.3), ("pl", 0.2), ("en", 0.5)),
    ),
    NameGroup(
        1.5,
        _t("Maricel Luzviminda Rosario Corazon Imelda"),
        _t("Rogelio Danilo Ernesto Reynaldo Eduardo"),
        _t("Santos Reyes Cruz Bautista Villanueva Mendoza"),
        (("tl", 0.3), ("en", 0.7)),
    ),
    NameGroup(
        1.5,
        _t("Marie-Claire Yolande Mireille Gisele Nadège"),
        _t("Jean-Baptiste Pierre Wilner Fritz Jacques"),
        _t("Joseph Pierre-Louis Toussaint Celestin Dorval"),
        (("ht", 0.4), ("fr", 0.1), ("en", 0.5)),
    ),
)

STREETS = _t(
    "Oak Maple Elm Cedar Lincoln Washington Prairie Lake Hill Main Park Church Mill River "
    "Sunset Highland Walnut Chestnut Orchard Meadow Willow Birch Spring Jackson Cherry "
    "Harvest Heritage Bluff"
)
STREET_TYPES = _t("St Ave Rd Dr Ln Ct Blvd Way")
TOWNS = _t(
    "Riverbend Oak_Hollow Millbrook Pine_Crossing Willow_Creek Stonebridge Fairhaven "
    "Harmony_Grove Cedar_Bluff Maple_Ridge Prairie_View Elm_Springs"
)
DEMO_AREA_CODES = ("217", "309", "618")

# code | weight | plain-language label | a measurable goal | symptom advice.
# Real billable chronic ICD-10-CM codes; each is checked with icd10.check_code at build time.
_CONDITION_TABLE = """
I10    | 30  | High blood pressure | Blood pressure under 140/90. | Check it at home 3 times a week.
E78.5  | 22  | High cholesterol | Take the statin every day. | Cholesterol labs once a year.
E11.9  | 14  | Type 2 diabetes | A1c under 8%. | Call if sugar is over 300 or under 70.
E11.65 | 6   | Type 2 diabetes, high sugars | A1c under 8% in 6 months. | Check sugar every morning.
E11.22 | 3   | Diabetes with kidney disease | A1c under 8%. | Avoid pain pills like ibuprofen.
E11.42 | 2   | Diabetes with numb feet | Look at both feet every day. | Call about any foot sore.
I50.9  | 4   | Heart failure | Weight within 3 pounds of dry weight. | Weigh every morning.
I50.22 | 2   | Heart failure (weak pump) | No hospital stays this year. | Limit salt; weigh daily.
I50.32 | 2   | Heart failure (stiff heart) | Walk 15 minutes a day. | Call if breathless in bed.
J44.9  | 7   | COPD | No more than one flare-up a year. | Rescue inhaler when breathless.
J45.40 | 2   | Asthma | Rescue inhaler under 2 times a week. | Avoid smoke and strong smells.
N18.30 | 3   | Kidney disease, stage 3 | Kidney labs stay stable. | Avoid ibuprofen and naproxen.
N18.31 | 3   | Kidney disease, stage 3a | Kidney labs stay stable. | Drink water as advised.
N18.32 | 2   | Kidney disease, stage 3b | See the kidney doctor twice a year. | Call about swelling.
F32.A  | 5   | Depression | PHQ-9 score under 10. | Call the office if feeling hopeless.
F33.1  | 2   | Depression, comes back | Keep counseling visits. | Call or text 988 in a crisis.
I48.91 | 4   | Atrial fibrillation | Take the blood thinner every day. | Call about bleeding.
I25.10 | 5   | Coronary artery disease | No chest pain when walking. | Call 911 for chest pain.
E03.9  | 5   | Underactive thyroid | Thyroid labs normal yearly. | Take the pill before breakfast.
M17.0  | 4   | Arthritis of both knees | Walk 10 minutes twice a day. | Use ice or heat for pain.
G30.9  | 1.5 | Alzheimer's disease | Stay safe at home with help. | Keep a daily routine.
F03.90 | 1.5 | Memory loss (dementia) | Caregiver support in place. | Family fills the pill box.
E66.01 | 2   | Severe obesity | Lose 5% of body weight in a year. | Small portions; walk daily.
M81.0  | 3   | Thin bones (osteoporosis) | No falls this year. | Take calcium and vitamin D.
I73.9  | 2   | Poor circulation in the legs | Walk farther each week. | Call about blue toes.
G20.A1 | 1   | Parkinson's disease | Stay active; no falls. | Take the medicine on time.
M06.9  | 1   | Rheumatoid arthritis | Keep rheumatology visits. | Call about fever on the medicine.
F41.1  | 2   | Anxiety | Sleep 7 hours most nights. | Practice slow breathing.
"""


def _conditions() -> tuple[tuple[str, float, str, str, str], ...]:
    out = []
    for line in _CONDITION_TABLE.strip().splitlines():
        code, weight, label, goal, advice = (x.strip() for x in line.split("|"))
        out.append((code, float(weight), label, goal, advice))
    return tuple(out)


CONDITIONS = _conditions()
RESOLVED_CONDITIONS = ("E55.9", "M54.50")

DECLINE_REASONS = (
    "Does not want a monthly charge.",
    "Already gets care calls from another office.",
    "Not interested right now.",
    "Family manages care and does not want calls.",
)
DISENROLL_REASONS = (
    "Moved to another state.",
    "Chose to stop the service.",
    "Entered hospice care.",
    "Moved to a nursing home.",
    "Changed primary care practice.",
    "Cost sharing is too high.",
)

# Notes per activity; the first list of call_patient notes are real contacts.
NOTES: dict[str, tuple[str, ...]] = {
    "call_patient": (
        "Reviewed symptoms; no new concerns.",
        "Went over home blood pressure log.",
        "Checked sugar log; readings mostly 110-160.",
        "Asked about falls; none since last call.",
        "Talked about diet and salt.",
        "Confirmed next appointment and ride.",
        "Reviewed weight log; stable.",
        "Patient feels more tired; will tell the doctor.",
    ),
    "voicemail": (
        "Left voicemail asking for a call back.",
        "No answer; will try again tomorrow.",
        "Phone busy; will try later.",
    ),
    "call_caregiver": (
        "Spoke with daughter about the pill schedule.",
        "Spoke with son about transport to visits.",
        "Spoke with spouse about sleep and appetite.",
    ),
    "coordination": (
        "Sent records to cardiology.",
        "Called pharmacy about a refill.",
        "Got discharge notes from the hospital.",
        "Talked with home health nurse.",
    ),
    "medication_reconciliation": (
        "Reconciled med list after pharmacy update.",
        "Removed a stopped medicine from the list.",
        "Checked allergies and doses with patient.",
    ),
    "care_plan": (
        "Updated goals with patient.",
        "Reviewed care plan; no changes.",
        "Mailed a copy of the care plan.",
    ),
    "referral": (
        "Referred to diabetes education class.",
        "Referral to physical therapy sent.",
        "Referral to nutrition counseling sent.",
    ),
    "education": (
        "Taught inhaler technique by phone.",
        "Explained low-salt diet.",
        "Went over signs of low sugar.",
    ),
    "other": (
        "Arranged a ride to the eye doctor.",
        "Helped apply for help with medicine costs.",
    ),
}
ACTIVITY_WEIGHTS: tuple[tuple[str, float], ...] = (
    ("call_patient", 40),
    ("coordination", 16),
    ("medication_reconciliation", 12),
    ("call_caregiver", 8),
    ("care_plan", 9),
    ("education", 7),
    ("referral", 5),
    ("other", 3),
)
CONTACT_CHANCE = {
    "call_patient": 1.0,
    "call_caregiver": 1.0,
    "education": 1.0,
    "care_plan": 0.5,
    "medication_reconciliation": 0.4,
}

# Care-plan element texts (plain language); problem list, goals and symptoms come
# from the patient's conditions.
PLAN_TEXT: dict[str, tuple[str, ...]] = {
    "expected_outcome_prognosis": (
        "Expected to stay stable with regular follow-up.",
        "Should stay stable if medicines are taken as prescribed.",
        "Slow decline expected; goal is comfort and staying at home.",
    ),
    "cognitive_functional_assessment": (
        "Lives alone; manages own medicines and meals.",
        "Walks with a cane; needs help with shopping.",
        "Some memory loss; daughter helps with bills and pills.",
    ),
    "planned_interventions": (
        "Monthly call from the care manager; doctor reviews labs every 3 months.",
        "Care manager calls every 2 weeks; nurse checks weight log.",
    ),
    "medication_management": (
        "Medicine list reviewed; allergies: none known. Uses a weekly pill box.",
        "Medicine list reviewed; allergy: penicillin. Pharmacy delivers monthly.",
        "Medicine list reviewed; allergy: sulfa. Family fills the pill box.",
    ),
    "environmental_evaluation": (
        "One-floor home; no stairs; grab bars in the bathroom.",
        "Second-floor apartment with stairs; rugs removed.",
        "Lives with family; home is safe.",
    ),
    "caregiver_assessment": (
        "No caregiver needed now.",
        "Daughter helps with shopping and rides.",
        "Spouse is the main caregiver and feels supported.",
    ),
    "community_services": (
        "Meals on Wheels.",
        "Senior center exercise class.",
        "None needed now.",
        "Transportation program for appointments.",
    ),
    "coordination_with_others": (
        "Cardiology; pharmacy.",
        "Kidney doctor; home health.",
        "Pharmacy; eye doctor.",
    ),
    "review_schedule": (
        "Review every 6 months, or after any hospital stay.",
        "Review every 3 months.",
    ),
}


# One care manager per this many patients of the practice: the demo's four look after up
# to 1,000; a larger demo practice gets more (demo/time.py keeps each one's minutes
# within working hours, and one person's minutes never overlap).
CASELOAD = 250
TEAM_FIRST = _t(
    "Leah Marcus Tamara Owen Renee Victor Alicia Damon Monique Trevor Celeste Rafael Jolene "
    "Isaac Noelle Xavier Bridget Malik Corinne Felix"
)
TEAM_LAST = _t(
    "Ashford Bellamy Corliss Darrow Everly Fairbanks Galloway Hensley Ingram Joplin Kimball "
    "Langford Mayfield Northcutt Oakley Pendleton Quimby Radcliffe Stroud Tillman"
)


def extra_care_managers(patients: int) -> list[StaffInfo]:
    """The care managers a demo practice of ``patients`` needs beyond its first four
    (:data:`CASELOAD`); invented names, usernames like ``rn.leah05``."""
    out: list[StaffInfo] = []
    for i in range(max(0, -(-patients // CASELOAD) - 4)):
        first = TEAM_FIRST[i % len(TEAM_FIRST)]
        last = TEAM_LAST[(i * 7 + i // len(TEAM_FIRST)) % len(TEAM_LAST)]
        credential = ("RN", "LPN", "RN", "MA")[i % 4]
        username = f"{credential.lower()}.{first.lower()}{i + 5:02d}"
        out.append(StaffInfo(username, f"{first} {last}", "care_manager", credential))
    return out


def demo_setup(patients: int = 0) -> PracticeSetup:
    """The fictional practice: 3 providers and staff in every role, NPIs from make_npi;
    more care managers when it is set up for more than 1,000 ``patients``
    (:func:`extra_care_managers`)."""
    md, do, np_ = make_npi("100000010"), make_npi("100000011"), make_npi("100000012")
    practice = PracticeInfo(
        name="Riverbend Family Medicine",
        npi=make_npi("200000005"),
        tin="00-1234567",
        address="1200 Prairie View Rd, Suite 100",
        city="Riverbend",
        state="IL",
        zip="62704",
        phone="217-555-0100",
        after_hours_phone="217-555-0199",
        timezone="America/Chicago",
    )
    providers = [
        ProviderInfo("Avery Lindqvist, MD", "MD", md),
        ProviderInfo("Jordan Okafor, DO", "DO", do),
        ProviderInfo("Priya Raman, NP", "NP", np_),
    ]
    staff = [
        StaffInfo("office.admin", "Morgan Ellis", "admin"),
        StaffInfo("front.rosa", "Rosa Delgado", "front_desk"),
        StaffInfo("front.terrence", "Terrence Booker", "front_desk"),
        StaffInfo("rn.hannah", "Hannah Whitaker", "care_manager", "RN"),
        StaffInfo("rn.minh", "Minh Tran", "care_manager", "RN"),
        StaffInfo("lpn.grace", "Grace Okonkwo", "care_manager", "LPN"),
        StaffInfo("ma.diego", "Diego Vargas", "care_manager", "MA"),
        StaffInfo("dr.lindqvist", "Avery Lindqvist", "provider", "MD", md),
        StaffInfo("dr.okafor", "Jordan Okafor", "provider", "DO", do),
        StaffInfo("np.raman", "Priya Raman", "provider", "NP", np_),
        StaffInfo("billing.sam", "Sam Kowalczyk", "billing"),
        *extra_care_managers(patients),
    ]
    return PracticeSetup(practice, providers, staff)
