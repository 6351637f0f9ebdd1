"""The worklist's care-plan flags read the revisions: a draft is not a plan, and review is
due the day after the newest plan's ``next_review`` (today here: 11/16/2026)."""

from __future__ import annotations

from datetime import date

from ccm_desktop.careplan.content import replace
from tests.test_careplans import full_plan, save
from tests.test_worklist import Practice

NO_PLAN, REVIEW = "no care plan", "care-plan review due"


def plan_flags(ctx, pid: int) -> tuple[str, ...]:
    """The care-plan flags of the patient's row, on the whole list and read alone."""
    whole = {r.patient_id: r.flags for r in ctx.worklist.worklist().rows}[pid]
    assert ctx.worklist.row(pid, 2026, 11).flags == whole
    return tuple(f for f in whole if f in (NO_PLAN, REVIEW))


def test_care_plan_flags_follow_the_newest_plan(ctx, clinician, nurse):
    p = Practice(ctx, clinician, nurse)
    draft_only = p.patient("Draft")
    save(ctx, nurse, draft_only, full_plan(), complete=False)
    assert plan_flags(ctx, draft_only) == (NO_PLAN,)

    overdue = p.patient("Overdue")
    save(ctx, nurse, overdue, replace(full_plan(), next_review=date(2026, 11, 15)))
    save(ctx, nurse, overdue, full_plan(), base=1, complete=False)  # a draft changes nothing
    assert plan_flags(ctx, overdue) == (REVIEW,)

    due_today = p.patient("Today")
    save(ctx, nurse, due_today, replace(full_plan(), next_review=date(2026, 11, 16)))
    assert plan_flags(ctx, due_today) == ()

    renewed = p.patient("Renewed")
    ctx.careplans.add_kept_elsewhere(nurse, renewed, date(2025, 11, 1))
    assert plan_flags(ctx, renewed) == (REVIEW,)
    save(ctx, nurse, renewed, replace(full_plan(), review_every_months=1), base=1)
    assert plan_flags(ctx, renewed) == ()
    assert ctx.careplans.latest(renewed).next_review == date(2026, 12, 16)
