#!/usr/bin/env python3
"""Screenshots of the patient's Care plan tab, the compare view and the print preview.

    python tools/careplan_view_shots.py                     # docs/screenshots, 1280x800
    python tools/careplan_view_shots.py --out /tmp/s --screen 1366x768 --scale 1.25

One made-up patient (Spanish-speaking, three revisions: a draft, a complete plan, and a
substantial revision with a new goal and a later target date, a copy mailed) is added to
a small synthetic demo practice; ``careplan_view_shots`` can also run inside
``tools/screenshots.py``. Writes careplan-tab.png, careplan-compare.png and
careplan-preview.png (and careplan-preview-large.png, large print).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ccm_desktop.app import AppContext  # noqa: E402
from ccm_desktop.careplan.content import (  # noqa: E402
    Allergy,
    Assessment,
    CommunityService,
    Contact,
    Goal,
    Intervention,
    Medication,
    PlanContent,
    Problem,
    SmallStep,
    SymptomPlan,
)
from ccm_desktop.services.patients import PatientInput  # noqa: E402
from ccm_desktop.vocab import CopyMethod, GoalStatus, Responsible, ServiceStatus  # noqa: E402
from tools.screenshots import (  # noqa: E402
    NOW,
    on_small_demo,
    parse_args,
    wait_for,
    window_size,
)

MRN = "DM-PLAN-1"


def _plan(v: int) -> PlanContent:
    """Revision ``v`` of the made-up patient's plan (1: a draft; 2 and 3: complete)."""
    a1c = Goal(
        "a1c",
        {"en": "Bring my A1c down", "es": "Bajar mi A1c"},
        "E119",
        "7.5",
        "%",
        date(2027, 3, 1) if v < 3 else date(2027, 5, 1),
        GoalStatus.IN_PROGRESS,
        steps=(
            SmallStep(
                {"en": "Walk", "es": "Caminar"},
                {"en": "15 minutes", "es": "15 minutos"},
                {"en": "after lunch", "es": "después del almuerzo"},
                {"en": "5 days a week", "es": "5 días a la semana"},
                7,
            ),
        ),
    )
    problems = (
        Problem(
            "E119", "Type 2 diabetes mellitus", {"en": "high blood sugar", "es": "azúcar alta"}
        ),
        Problem(
            "I10", "Essential hypertension", {"en": "high blood pressure", "es": "presión alta"}
        ),
    )
    if v == 1:
        return PlanContent(problems=problems, goals=(a1c,))
    goals: tuple[Goal, ...] = (a1c,)
    if v >= 3:  # only in English so far: the preview warns
        goals += (
            Goal(
                "bp",
                {"en": "Keep my blood pressure under 140/90"},
                "I10",
                "140/90",
                "mmHg",
                date(2027, 2, 1),
            ),
        )
    return PlanContent(
        problems=problems,
        expected_outcome={
            "en": "Stay well at home and out of the hospital.",
            "es": "Seguir bien en casa y fuera del hospital.",
        },
        prognosis="Good with steady medicines and diet.",
        goals=goals,
        symptoms=(
            SymptomPlan(
                {"en": "Shaky, sweaty or confused", "es": "Temblor, sudor o confusión"},
                {"en": "Eat or drink something sweet", "es": "Coma o beba algo dulce"},
                {"en": "If it does not pass in 15 minutes", "es": "Si no pasa en 15 minutos"},
                "E119",
            ),
        ),
        interventions=(
            Intervention(
                {"en": "Check my sugar every morning", "es": "Medir mi azúcar cada mañana"},
                Responsible.PATIENT,
            ),
            Intervention(
                {"en": "Call every month to go over the log", "es": "Llamar cada mes"},
                Responsible.CARE_TEAM,
            ),
        ),
        medications=(Medication("Metformin", "500 mg", "twice a day", "Dana Example, MD"),),
        allergies=(Allergy("Penicillin", "rash"),),
        medications_reconciled_on=date(2026, 11, 10),
        cognitive_functional=Assessment("Independent in daily activities.", date(2026, 11, 10)),
        psychosocial_environmental=Assessment("Lives with her son; stairs at home."),
        caregiver=Assessment("Son helps with shopping and rides."),
        community_services=(
            CommunityService(
                "Meals on Wheels of the county",
                {"en": "Hot meals on weekdays", "es": "Comidas calientes entre semana"},
                "5552010300",
                ServiceStatus.REFERRED,
            ),
        ),
        coordination=(Contact("Lakeside Eye Clinic", "Eye doctor", "5552013344"),),
        care_team=(Contact("Kim Carewell, RN", "Care manager", "5552010000"),),
        after_hours_phone="5552019999",
    )


def _patient(ctx: AppContext) -> int:
    """The made-up patient and her three revisions, the last one mailed to her."""
    assert ctx.actor is not None
    actor = ctx.actor
    provider = ctx.practice.providers()[0]
    pid = ctx.patients.create(
        actor,
        PatientInput(
            MRN,
            "Quintero",
            "Lucía",
            "1947-02-14",
            "F",
            preferred_language="es",
            billing_provider_npi=provider.npi,
        ),
    )
    for code in ("E11.9", "I10"):
        ctx.patients.add_condition(actor, pid, code)
    base = None
    for v, complete, substantial, note in (
        (1, False, False, ""),
        (2, True, True, "First complete plan"),
        (3, True, True, "Blood-pressure goal added; A1c goal moved to May"),
    ):
        plan_id = ctx.careplans.save_revision(
            actor,
            pid,
            _plan(v),
            base_version=base,
            complete=complete,
            substantial=substantial,
            change_note=note,
        )
        base = v
    ctx.careplans.record_copy(actor, plan_id, NOW.date(), CopyMethod.MAILED)
    return pid


def careplan_view_shots(
    ctx: AppContext,
    window: object,
    save: Callable[[object, str], None],
    wait_for: Callable[[Callable[[], bool]], None],
    settle: Callable[[int], None],
) -> None:
    """Save careplan-tab, careplan-compare, careplan-preview(-large) through ``save``;
    ``window`` is the shown MainWindow."""
    from ccm_desktop.ui.careplan.compare_view import CompareDialog
    from ccm_desktop.ui.careplan.print_dialog import CarePlanPrintDialog
    from ccm_desktop.ui.main_window import MainWindow
    from ccm_desktop.ui.patients.patient_detail import CARE_PLAN

    assert isinstance(window, MainWindow)
    pid = _patient(ctx)
    page = window.detail_page
    window.open_patient(pid)
    wait_for(lambda: page.data is not None and not page.loading)
    page.tabs.setCurrentIndex(CARE_PLAN)
    tab = page.care_plan_tab
    save(window, "careplan-tab")

    tab.table.selectRow(0)
    tab.compare_button.click()
    compare = tab.dialog
    assert isinstance(compare, CompareDialog)
    save(compare, "careplan-compare")
    compare.reject()
    wait_for(lambda: tab.dialog is None)

    tab.print_button.click()
    preview = tab.dialog
    assert isinstance(preview, CarePlanPrintDialog)
    wait_for(lambda: not preview.loading)  # the copy is made off the GUI thread
    settle(1200)  # and QPdfView paints its pages asynchronously
    save(preview, "careplan-preview")
    preview.large_print.setChecked(True)
    wait_for(lambda: not preview.loading)
    settle(1200)
    save(preview, "careplan-preview-large")
    preview.reject()
    wait_for(lambda: tab.dialog is None)
    window.back_to_list()


def _alone(ctx: AppContext, settings: object, save: Callable[[object, str], None]) -> None:
    """Run on its own: the main window at the size of ``--screen`` and ``--scale``."""
    from PySide6.QtTest import QTest

    from ccm_desktop.ui.main_window import MainWindow

    args = parse_args(sys.argv[1:])
    nurse = next(s for s in ctx.practice.staff() if s.credential == "RN")
    window = MainWindow(ctx, settings, staff=nurse, demo=True)  # type: ignore[arg-type]
    window.resize(*window_size(args.screen, args.scale))
    window.show()
    careplan_view_shots(ctx, window, save, wait_for, QTest.qWait)
    window.close()


if __name__ == "__main__":
    raise SystemExit(on_small_demo(sys.argv[1:], _alone))
