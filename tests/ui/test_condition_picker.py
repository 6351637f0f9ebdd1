"""The condition picker: search the full ICD-10-CM set as you type, pick with the keyboard."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from ccm_desktop.ui.common.bridge import EventBridge
from ccm_desktop.ui.patients.condition_picker import ConditionPickerDialog
from ccm_desktop.ui.patients.patient_detail import CONDITIONS, PatientDetailPage

pytestmark = pytest.mark.gui


def rows(picker: ConditionPickerDialog) -> list[list[str]]:
    m = picker.model
    return [[m.index(r, c).data() for c in range(3)] for r in range(m.rowCount())]


@pytest.fixture
def page(qtbot, ctx, sample):
    p = PatientDetailPage(ctx)
    qtbot.addWidget(p)
    p.resize(1100, 700)
    p.show()
    bridge = EventBridge(ctx.bus, p)  # as the main window does: changes reach the page
    bridge.changed.connect(p.on_change)
    with qtbot.waitSignal(p.loaded, timeout=5000):
        p.show_patient(sample.garcia)
    yield p
    qtbot.waitUntil(lambda: not p.loading)
    bridge.close()


def open_picker(qtbot, page: PatientDetailPage) -> ConditionPickerDialog:
    page.tabs.setCurrentIndex(CONDITIONS)
    page.conditions_tab.add_button.click()
    picker = page.picker
    assert picker is not None
    qtbot.waitUntil(lambda: picker.ready, timeout=60000)  # the code set loads once
    return picker


def test_type_pick_with_enter_and_see_it_on_the_conditions_tab(qtbot, page, ctx, shots):
    picker = open_picker(qtbot, page)
    qtbot.keyClicks(picker.search, "diab typ 2")
    found = rows(picker)
    assert found and all(r[0].startswith("E11") for r in found[:5])
    assert ["E11.9", "Type 2 diabetes mellitus without complications", "Chronic: Diabetes"] in found
    shots(picker, "condition-picker")
    qtbot.keyClick(picker.search, Qt.Key.Key_Down)  # into the results
    assert picker.results.hasFocus() or picker.focusWidget() is picker.results
    target = [r[0] for r in found].index("E11.9")
    for _ in range(target):
        qtbot.keyClick(picker.results, Qt.Key.Key_Down)
    assert picker.selected_hit().display == "E11.9"
    assert "Chosen: E11.9" in picker.chosen.text()
    with qtbot.waitSignal(page.loaded, timeout=5000):
        qtbot.keyClick(picker.results, Qt.Key.Key_Return)
    assert page.picker is None
    table = page.conditions_tab.table
    assert page.tabs.currentIndex() == CONDITIONS
    m = table.model()
    assert [m.index(0, c).data() for c in range(4)] == [
        "E11.9",
        "Type 2 diabetes mellitus without complications",
        "Chronic: Diabetes",
        "Active",
    ]


def test_a_category_header_is_explained_and_refused(qtbot, page, ctx, sample, shots):
    picker = open_picker(qtbot, page)
    qtbot.keyClicks(picker.search, "E11")
    text = picker.explanation.text()
    assert picker.explanation.isVisibleTo(picker)
    assert "E11 is a category, not a billable code" in text
    assert "E11.9" in text  # examples of codes to choose instead
    assert all(r[0].startswith("E11.") for r in rows(picker))  # its billable codes are listed
    shots(picker, "condition-picker-header")
    qtbot.keyClick(picker.search, Qt.Key.Key_Return)  # Enter on the header itself
    assert picker.isVisible()
    assert picker.error.text() == (
        "⚠ E11 cannot be added: it is a category. Choose one of the codes in the list."
    )
    assert ctx.patients.get(sample.garcia).conditions == []
    picker.reject()


def test_a_typed_billable_code_is_added_with_its_onset(qtbot, page, ctx, sample):
    picker = open_picker(qtbot, page)
    qtbot.keyClicks(picker.search, "i10")
    picker.onset.editor.setText("02/03/2015")
    with qtbot.waitSignal(page.loaded, timeout=5000):
        qtbot.keyClick(picker.search, Qt.Key.Key_Return)
    (cond,) = ctx.patients.get(sample.garcia).conditions
    assert cond.display_code == "I10" and cond.onset_date.isoformat() == "2015-02-03"
    assert page.conditions_tab.table.model().index(0, 4).data() == "02/03/2015"


def test_an_active_code_again_is_refused_inline(qtbot, ctx, sample):
    picker = ConditionPickerDialog(ctx, sample.doe)  # Jane Doe has E11.9 already
    qtbot.addWidget(picker)
    picker.show()
    qtbot.waitUntil(lambda: picker.ready, timeout=60000)
    qtbot.keyClicks(picker.search, "E11.9")
    picker.add()
    assert picker.isVisible()
    assert picker.error.text() == "⚠ E11.9 is already recorded."
    picker.onset.editor.setText("13/45/2000")
    picker.add()
    assert "MM/DD/YYYY" in picker.onset_error.text()


def test_no_match_says_what_to_try(qtbot, ctx, sample):
    picker = ConditionPickerDialog(ctx, sample.doe)
    qtbot.addWidget(picker)
    picker.show()
    qtbot.waitUntil(lambda: picker.ready, timeout=60000)
    qtbot.keyClicks(picker.search, "zzqqx")
    assert picker.model.rowCount() == 0
    assert "No code matches 'zzqqx'" in picker.status.text()
    assert not picker.add_button.isEnabled()


@pytest.mark.parametrize(
    ("typed", "category", "words"),
    [
        ("sugar", "E11.", "sugar"),
        ("heart failure", "I50.", "heart failure"),
        ("kidney", "N18.", "kidney"),
    ],
)
def test_everyday_words_find_the_condition_and_say_why(qtbot, page, typed, category, words):
    picker = open_picker(qtbot, page)
    assert picker.results.isColumnHidden(3)  # nothing typed yet: no reason column
    qtbot.keyClicks(picker.search, typed)
    m = picker.model
    first = [m.index(0, c).data() for c in range(4)]
    assert first[0].startswith(category)
    assert first[3] == f"matched '{words}'"
    assert not picker.results.isColumnHidden(3)  # the "Found by" column is shown
    assert picker.chosen.text().endswith(f"— matched '{words}'")
    picker.search.clear()
    qtbot.keyClicks(picker.search, "diab typ 2")  # plain words: no reason column
    assert picker.results.isColumnHidden(3)
    picker.reject()
