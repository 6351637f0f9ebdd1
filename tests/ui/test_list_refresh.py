"""The patient list's refresh reads only what changed (PatientsPage.refresh, services'
``read_list``): a save shows at once, an unchanged list is left alone, order and
selection hold, and a patient who no longer passes the filters leaves."""

from __future__ import annotations

from dataclasses import astuple, replace
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt

from ccm_desktop.services.patients import PatientFilter
from ccm_desktop.services.timing import TimeInput
from ccm_desktop.ui.common.bridge import EventBridge
from ccm_desktop.ui.common.writer import run_write
from ccm_desktop.ui.patients.patient_model import MINUTES
from ccm_desktop.ui.patients.patients_page import PatientsPage, row_order

pytestmark = pytest.mark.gui


@pytest.fixture
def page(qtbot, ctx, sample):
    p = PatientsPage(ctx)
    qtbot.addWidget(p)
    bridge = EventBridge(ctx.bus, p)  # as the main window does: changes reach the page
    bridge.subscribe(p, ["patients", "time", "enrollment", "providers", "practice"], p.on_change)
    p.resize(1100, 600)
    p.show()
    qtbot.waitUntil(lambda: not p.loading, timeout=5000)
    yield p
    qtbot.waitUntil(lambda: not p.loading, timeout=5000)
    bridge.close()


def resets(page: PatientsPage) -> list[int]:
    seen: list[int] = []
    page.model.modelReset.connect(lambda: seen.append(1))
    return seen


def refreshed(qtbot, page: PatientsPage) -> None:
    with qtbot.waitSignal(page.refreshed, timeout=5000):
        page.refresh()


def row(page: PatientsPage, pid: int):
    return page.model.patient(page.model.row_of(pid))


def as_full_read(ctx, page: PatientsPage) -> None:
    """The rows shown equal a full read sorted in the page's order, every field."""
    flt = page.current_filter().without_text()
    expected = sorted(ctx.patients.rows(flt), key=row_order(page.model.sort_order))
    assert [astuple(r) for r in page.model.all_rows] == [astuple(r) for r in expected]


def test_a_saved_time_entry_shows_in_the_list_and_the_selection_stays(qtbot, ctx, page, sample):
    nurse = next(s for s in ctx.practice.staff() if s.username == "nurse.kim")
    assert page.select_patient(sample.doe)
    assert row(page, sample.doe).minutes_this_month == 14
    when = datetime(2026, 11, 12, 15, tzinfo=UTC)
    task = run_write(
        lambda _p: ctx.time.add(ctx.actor, TimeInput(sample.doe, nurse.id, when, 9, "call_patient"))
    )
    qtbot.waitUntil(lambda: not task.running, timeout=5000)
    assert task.error is None
    qtbot.waitUntil(lambda: row(page, sample.doe).minutes_this_month == 23, timeout=5000)
    assert page.model.index(page.model.row_of(sample.doe), MINUTES).data() == "23 / 40 min"
    assert page.selected_patient_id() == sample.doe
    assert page.count_label.text() == "5 patients"
    as_full_read(ctx, page)


def test_an_unchanged_refresh_leaves_the_model_alone(qtbot, ctx, page, sample):
    seen = resets(page)
    before = page.model.all_rows
    refreshed(qtbot, page)
    assert seen == [] and page.model.all_rows is before
    # an edit of something the list does not show: still no reset, the same rows
    detail = ctx.patients.get(sample.garcia)
    ctx.patients.update(
        ctx.actor, sample.garcia, replace(detail.data, phone="555-222-3333"), detail.version
    )
    refreshed(qtbot, page)
    assert seen == [] and page.model.all_rows is before


def test_a_patient_who_no_longer_passes_the_filter_leaves(qtbot, ctx, page, sample):
    dana = page.provider_combo.findText("Dana Example, MD")
    with qtbot.waitSignal(page.refreshed, timeout=5000):
        page.provider_combo.setCurrentIndex(dana)
    assert sample.garcia in {r.id for r in page.model.rows}
    shown = page.count_label.text()
    detail = ctx.patients.get(sample.garcia)
    other = replace(detail.data, billing_provider_npi="1000000004")  # the practice's other one
    with qtbot.waitSignal(page.refreshed, timeout=5000):
        ctx.patients.update(ctx.actor, sample.garcia, other, detail.version)  # on_change
    assert sample.garcia not in {r.id for r in page.model.rows}
    assert page.count_label.text() != shown and page.count_label.text().endswith("of 5 match")
    as_full_read(ctx, page)
    assert page._mark is not None and page._mark.flt == PatientFilter(
        provider_id=page.current_filter().provider_id
    )


def test_changes_merge_in_a_descending_column_order(qtbot, ctx, page, sample):
    """Sorted by minutes, most first: a patient whose minutes grow moves up, ties stay in
    name order, as a full read sorted the same way."""
    page.table.sortByColumn(MINUTES, Qt.SortOrder.DescendingOrder)
    refreshed(qtbot, page)  # in the page's own order once re-read
    nurse = next(s for s in ctx.practice.staff() if s.username == "nurse.kim")
    when = datetime(2026, 11, 12, 15, tzinfo=UTC)
    with qtbot.waitSignal(page.refreshed, timeout=5000):
        ctx.time.add(ctx.actor, TimeInput(sample.smith, nurse.id, when, 70, "call_patient"))
    assert page.model.rows[0].id == sample.smith  # 70 minutes: above Nguyen's 65
    as_full_read(ctx, page)
    seen = resets(page)
    refreshed(qtbot, page)
    assert seen == []
