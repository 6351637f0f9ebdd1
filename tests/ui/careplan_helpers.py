"""Shared set-up of the Care plan tab, compare and print tests: a patient with diabetes and
hypertension, revisions saved through the service, and the detail page listening to the
event bus as in the main window."""

from __future__ import annotations

from ccm_desktop.careplan.content import PlanContent
from ccm_desktop.services.patients import PatientInput
from ccm_desktop.ui.common.bridge import EventBridge
from ccm_desktop.ui.patients.patient_detail import CARE_PLAN, PatientDetailPage


def cells(view) -> list[list[str]]:
    m = view.model()
    return [[m.index(r, c).data() for c in range(m.columnCount())] for r in range(m.rowCount())]


def new_patient(ctx, actor, mrn: str = "CP1", language: str = "en") -> int:
    p = ctx.patients.create(
        actor, PatientInput(mrn, "Plan", "Pat", "1948-05-01", "F", preferred_language=language)
    )
    ctx.patients.add_condition(actor, p, "E11.9")
    ctx.patients.add_condition(actor, p, "I10")
    return p


def save(
    ctx, actor, pid: int, content: PlanContent, *, base, complete, substantial=False, note=""
) -> int:
    return ctx.careplans.save_revision(
        actor,
        pid,
        content,
        base_version=base,
        complete=complete,
        substantial=substantial,
        change_note=note,
    )


def detail_page(qtbot, ctx) -> PatientDetailPage:
    """A shown detail page whose event bridge (its child) refreshes it on every change."""
    p = PatientDetailPage(ctx)
    qtbot.addWidget(p)
    p.resize(1100, 760)
    bridge = EventBridge(ctx.bus, p)  # as the main window does: saves refresh the page
    bridge.changed.connect(p.on_change)
    p.show()
    return p


def open_tab(qtbot, page, pid):
    with qtbot.waitSignal(page.loaded, timeout=5000):
        page.show_patient(pid)
    page.tabs.setCurrentIndex(CARE_PLAN)
    return page.care_plan_tab
