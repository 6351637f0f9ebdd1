"""The patient list's first read starts before the page exists (``FirstRead``, started by
``ui/startup.py`` while the user picks who is working): the page shows that answer and
reads nothing more; a read that does not fit the page, or that failed, is not shown."""

from __future__ import annotations

from dataclasses import astuple

import pytest
from PySide6.QtCore import Qt

from ccm_desktop.errors import CcmError
from ccm_desktop.services.patients import PatientFilter
from ccm_desktop.ui.patients.patient_model import NAME
from ccm_desktop.ui.patients.patients_page import FirstRead, PatientsPage, row_order

pytestmark = pytest.mark.gui


def full_read(ctx) -> list[tuple]:
    rows = ctx.patients.rows(PatientFilter())
    by_name = row_order((NAME, Qt.SortOrder.AscendingOrder))
    return [astuple(r) for r in sorted(rows, key=by_name)]


def make_page(qtbot, ctx, first: FirstRead | None) -> PatientsPage:
    page = PatientsPage(ctx, first=first)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.count_label.text().endswith("patients"), timeout=5000)
    return page


@pytest.mark.parametrize("landed", [True, False], ids=["landed-first", "page-first"])
def test_the_page_shows_the_first_read_and_reads_nothing_more(qtbot, ctx, sample, landed):
    reads: list[object] = []
    read = ctx.patients.list_since

    def counted(*args, **kwargs):
        reads.append(args)
        return read(*args, **kwargs)

    ctx.patients.list_since = counted  # type: ignore[method-assign]
    first = FirstRead(ctx)
    if landed:  # the read ended while the user was still picking their name
        qtbot.waitUntil(lambda: not first.task.running, timeout=5000)
    page = make_page(qtbot, ctx, first)
    assert [astuple(r) for r in page.model.all_rows] == full_read(ctx)
    assert page.count_label.text() == f"{len(page.model.all_rows)} patients"
    assert len(reads) == 1  # the first read's answer, not a second read
    del ctx.patients.list_since
    # Later refreshes build on the first read's mark: a change shows as usual.
    with qtbot.waitSignal(page.refreshed, timeout=5000):
        page.refresh()
    assert [astuple(r) for r in page.model.all_rows] == full_read(ctx)


def test_a_first_read_that_failed_says_so_and_a_refresh_reads_again(qtbot, ctx, sample):
    def broken(*_a, **_k):
        raise CcmError("the disk went away")

    ctx.patients.list_since = broken  # type: ignore[method-assign]
    first = FirstRead(ctx)
    qtbot.waitUntil(lambda: not first.task.running, timeout=5000)
    del ctx.patients.list_since
    page = PatientsPage(ctx, first=first)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: "could not be read" in page.count_label.text(), timeout=5000)
    assert "the disk went away" in page.count_label.text()
    with qtbot.waitSignal(page.refreshed, timeout=5000):
        page.refresh()
    assert [astuple(r) for r in page.model.all_rows] == full_read(ctx)
