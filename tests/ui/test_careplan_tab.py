"""The patient's Care plan tab: the plan at a glance, its revisions, the editor opened from
the tab (a save refreshes it), kept-elsewhere and free-text plans, read-only roles."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from ccm_desktop.careplan.content import Goal, PlanContent, Problem
from ccm_desktop.db.models import Patient
from ccm_desktop.gate import Permission
from ccm_desktop.services.careplans import add_version_in_session
from ccm_desktop.ui.careplan.plan_words import review_text
from ccm_desktop.vocab import CopyMethod, PlanStatus
from tests.test_careplans import full_plan
from tests.ui.careplan_helpers import cells, detail_page, new_patient, open_tab, save

pytestmark = pytest.mark.gui

TODAY = date(2026, 11, 16)  # FIXED_NOW in New York


@pytest.fixture
def pid(ctx, clinician) -> int:
    return new_patient(ctx, clinician)


@pytest.fixture
def page(qtbot, ctx):
    return detail_page(qtbot, ctx)


def test_no_plan_says_what_to_do(qtbot, page, pid):
    tab = open_tab(qtbot, page, pid)
    assert tab.empty.isVisible() and "Write a care plan" in tab.empty.text()
    assert not tab.glance.isVisible() and not tab.table.isVisible()
    assert tab.edit_button.text().replace("&", "") == "Write a care plan…"
    assert tab.edit_button.isEnabled() and tab.why_not.isHidden()
    assert not tab.compare_button.isEnabled() and not tab.print_button.isEnabled()


def test_shows_status_missing_review_and_copies(qtbot, ctx, nurse, page, pid, shots):
    draft = PlanContent(problems=(Problem("E119", "Type 2 diabetes"),))
    save(ctx, nurse, pid, draft, base=None, complete=False)
    tab = open_tab(qtbot, page, pid)
    v = {k: w.text() for k, w in tab.values.items()}
    assert (v["version"], v["status"]) == ("1", "Draft")
    assert "Problem list" in v["missing"] or "I10" in v["missing"]
    assert "Measurable goals" in v["missing"] or "goal" in v["missing"].lower()
    assert v["copies"] == "No copy given to the patient yet"
    assert v["review"] == "11/16/2027"
    assert tab.edit_button.text().replace("&", "") == "Edit plan…"

    with qtbot.waitSignal(page.loaded, timeout=5000):
        plan_id = save(
            ctx, nurse, pid, full_plan(), base=1, complete=True, substantial=True, note="Goals"
        )
    with qtbot.waitSignal(page.loaded, timeout=5000):
        ctx.careplans.record_copy(nurse, plan_id, TODAY, CopyMethod.MAILED)
    v = {k: w.text() for k, w in tab.values.items()}
    assert (v["version"], v["status"], v["established"]) == ("2", "Complete", "11/16/2026")
    assert v["by"] == "Kim Carewell"
    assert v["missing"] == "Nothing: every required part is filled in"
    assert v["copies"] == "11/16/2026, mailed, recorded by Kim Carewell"
    rows = cells(tab.table)
    assert [r[0] for r in rows] == ["2", "1"]
    assert rows[0][1:7] == [
        "11/16/2026",
        "Kim Carewell",
        "Complete",
        "Yes",
        "Goals",
        "11/16/2026, mailed",
    ]
    assert rows[1][3:5] == ["Draft", ""]
    assert tab.compare_button.isEnabled() and tab.print_button.isEnabled()
    assert tab.compare_pair() is not None
    old, new = tab.compare_pair()
    assert (old.version, new.version) == (1, 2)
    shots(tab, "careplan-tab")


def test_review_due_in_words(ctx, nurse, pid):
    plan_id = save(ctx, nurse, pid, full_plan(), base=None, complete=True)
    rev = ctx.careplans.revision(plan_id)
    past = dataclasses.replace(rev, next_review=date(2026, 11, 2))
    assert review_text(past, TODAY) == "Review due: it was due on 11/02/2026 (14 days ago)"
    soon = dataclasses.replace(rev, next_review=date(2026, 11, 26))
    assert review_text(soon, TODAY) == "11/26/2026, in 10 days"
    assert review_text(dataclasses.replace(rev, next_review=TODAY), TODAY).startswith(
        "Review due today"
    )


def test_kept_elsewhere_and_free_text_plans_shown_for_what_they_are(
    qtbot, ctx, clinician, page, pid
):
    ctx.careplans.add_kept_elsewhere(clinician, pid, date(2026, 3, 1))
    tab = open_tab(qtbot, page, pid)
    assert tab.values["status"].text() == "Kept in another record"
    assert "another record" in tab.legacy_note.text() and tab.legacy_note.isVisible()
    assert tab.values["missing"].text().startswith("Not checked here")
    assert tab.edit_button.text().replace("&", "") == "Write a care plan…"
    assert not tab.print_button.isEnabled()

    # A plan written as free text before structured plans (what migration 0009 makes of one).
    with ctx.gate.write(clinician, Permission.CAREPLAN_EDIT) as w:
        p = w.session.get(Patient, pid)
        legacy = PlanContent(legacy={"problem_list": "Diabetes, watch feet"})
        add_version_in_session(
            w.session, clinician, p, date(2026, 4, 1), w.today(), legacy, PlanStatus.COMPLETE
        )
    with qtbot.waitSignal(page.loaded, timeout=5000):
        page.reload()
    assert tab.values["status"].text() == "Free text written before structured care plans"
    assert "free text" in tab.legacy_note.text() and tab.legacy_note.isVisible()
    assert tab.print_button.isEnabled()


def test_read_only_role_sees_why(qtbot, ctx, nurse, front, page, pid):
    save(ctx, nurse, pid, full_plan(), base=None, complete=True)
    ctx.actor = front
    tab = open_tab(qtbot, page, pid)
    assert not tab.edit_button.isEnabled()
    assert tab.why_not.isVisible()
    why = tab.why_not.text()
    assert "front desk" in why and "care manager" in why and "provider" in why
    assert tab.edit_button.toolTip() == why
    assert tab.print_button.isEnabled()  # reading and printing stay open
    tab.edit()
    assert tab.dialog is None


def test_editor_opens_from_the_tab_and_a_save_refreshes_it(qtbot, ctx, nurse, page, pid):
    ctx.actor = nurse
    tab = open_tab(qtbot, page, pid)
    tab.edit_button.click()
    editor = tab.dialog
    assert editor is not None and editor.isVisible()
    assert editor.patient_id == pid
    plan = full_plan()
    goal = Goal("walk", {"en": "Walk every day"}, "I10", target_date=date(2027, 1, 31))
    editor.load(PlanContent(**{**plan.__dict__, "goals": (*plan.goals, goal)}))
    with qtbot.waitSignal(page.loaded, timeout=10000):
        assert editor.save(complete=True) is not None
    assert tab.values["version"].text() == "1"
    assert tab.values["status"].text() == "Complete"
    assert tab.values["by"].text() == "Kim Carewell"
    editor.reject()
    qtbot.waitUntil(lambda: tab.dialog is None)
