"""The compare view: two revisions side by side (older left), each difference in words."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt

from ccm_desktop.careplan.content import Goal, replace
from ccm_desktop.ui.careplan.compare_view import CompareDialog, summary_text
from tests.test_careplans import full_plan
from tests.ui.careplan_helpers import detail_page, new_patient, open_tab, save

pytestmark = pytest.mark.gui


@pytest.fixture
def page(qtbot, ctx):
    return detail_page(qtbot, ctx)


def two_revisions(ctx, nurse, pid) -> None:
    """Version 1: the full plan; version 2: a goal added and the A1c target date moved."""
    first = full_plan()
    save(ctx, nurse, pid, first, base=None, complete=True)
    [a1c] = first.goals
    walk = Goal("walk", {"en": "Walk every day"}, "I10", target_date=date(2027, 1, 31))
    moved = replace(a1c, target_date=date(2027, 5, 1))
    second = replace(first, goals=[moved, walk])
    save(ctx, nurse, pid, second, base=1, complete=True, substantial=True, note="Walking goal")


def test_added_goal_and_changed_target_date_side_by_side(qtbot, ctx, nurse, page, shots):
    pid = new_patient(ctx, nurse)
    two_revisions(ctx, nurse, pid)
    tab = open_tab(qtbot, page, pid)
    selection = tab.table.selectionModel()
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    for row in (0, 1):  # the two revisions chosen in the table (Ctrl+click)
        selection.select(tab.model.index(row, 0), flags)
    old, new = tab.compare_pair()
    assert (old.version, new.version) == (1, 2)
    tab.compare_button.click()
    d = tab.dialog
    assert isinstance(d, CompareDialog) and d.isVisible()
    rows = d.rows()
    headers = [d.model.headerData(c, Qt.Orientation.Horizontal) for c in range(4)]
    assert headers[2:] == ["Version 1 (older)", "Version 2 (newer)"]
    added = [r for r in rows if r[1] == "Added"]
    assert any("Walk every day" in r[3] and r[2] == "—" for r in added), rows
    changed = [r for r in rows if r[1] == "Changed"]
    assert ("Goals", "Changed", "Goal 'Lower my A1c': target date 3/1/2027") in [
        r[:3] for r in changed
    ], rows
    assert any(r[3] == "Goal 'Lower my A1c': target date 5/1/2027" for r in changed), rows
    assert "1 added" in d.summary.text() and "changed" in d.summary.text()
    about = d.findChild(type(d.summary), "compareAbout1").text()
    assert "A substantial revision" in about and "Walking goal" in about
    shots(d, "careplan-compare")
    qtbot.keyClick(d.table, Qt.Key.Key_Escape)  # Escape closes
    qtbot.waitUntil(lambda: tab.dialog is None)


def test_one_chosen_is_compared_with_the_one_before(qtbot, ctx, nurse, page):
    pid = new_patient(ctx, nurse)
    two_revisions(ctx, nurse, pid)
    tab = open_tab(qtbot, page, pid)
    tab.table.selectRow(1)  # version 1 has none before it
    assert tab.compare_pair() is None and not tab.compare_button.isEnabled()
    tab.table.selectRow(0)
    old, new = tab.compare_pair()
    assert (old.version, new.version) == (1, 2) and tab.compare_button.isEnabled()


def test_same_content_says_so(qtbot, ctx, nurse):
    pid = new_patient(ctx, nurse)
    save(ctx, nurse, pid, full_plan(), base=None, complete=True)
    save(ctx, nurse, pid, full_plan(), base=1, complete=True)
    new, old = ctx.careplans.revisions(pid)
    d = CompareDialog(new, old)
    qtbot.addWidget(d)
    assert (d.old.version, d.new.version) == (1, 2)  # the older goes left whatever the order
    assert d.summary.text() == summary_text([]) == "The two versions have the same content."
    assert d.table.isHidden()
