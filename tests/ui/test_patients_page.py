"""The Patients page: shows patients, searches as you type, filters, empty states."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from ccm_desktop.services.patients import PatientInput
from ccm_desktop.ui.common.bridge import EventBridge
from ccm_desktop.ui.patients.patient_model import DOB, MINUTES, NAME, PatientTableModel
from ccm_desktop.ui.patients.patients_page import PatientsPage

pytestmark = pytest.mark.gui


def names(page: PatientsPage) -> list[str]:
    model = page.model
    return [model.index(r, NAME).data() for r in range(model.rowCount())]


def settle(qtbot, page: PatientsPage) -> None:
    """Wait until the list shows the answer to the latest search (it loads off-thread)."""
    qtbot.waitUntil(lambda: not page.loading, timeout=5000)


@pytest.fixture
def page(qtbot, ctx, sample):
    p = PatientsPage(ctx)
    qtbot.addWidget(p)
    p.resize(1100, 600)
    p.show()
    settle(qtbot, p)
    yield p
    settle(qtbot, p)  # no query may outlive the database


def search(qtbot, page: PatientsPage, text: str) -> None:
    page.search.clear()
    qtbot.keyClicks(page.search, text)
    settle(qtbot, page)


def choose(qtbot, page: PatientsPage, combo, data) -> None:
    combo.setCurrentIndex(combo.findData(data))
    settle(qtbot, page)


def test_lists_patients_sorted_with_columns(page, shots):
    assert names(page) == [
        "Doe, Jane",
        "Doe, Robert",
        "Garcia, Maria",
        "Nguyen, Thanh",
        "Smith, John",
    ]
    assert page.count_label.text() == "5 patients"
    row = [page.model.index(0, c).data() for c in range(7)]
    assert row == [
        "Doe, Jane",
        "03/04/1950",
        "A100",
        "CCM",
        "Enrolled",
        "14 / 20 min",
        "Dana Example, MD",
    ]
    nguyen = [page.model.index(3, c).data() for c in range(7)]
    assert nguyen[3:6] == ["Complex CCM", "Enrolled", "65 / 90 min"]  # 99487 met, 99489 next
    assert page.model.index(2, 4).data() == "Not enrolled"
    assert page.model.index(2, MINUTES).data() == "0 min"
    assert page.model.index(1, 4).data() == "Declined"
    shots(page, "patients")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("doe", ["Doe, Jane", "Doe, Robert"]),
        ("jan", ["Doe, Jane"]),
        ("doe rob", ["Doe, Robert"]),
        ("b20", ["Garcia, Maria", "Nguyen, Thanh"]),
        ("A101", ["Smith, John"]),
        ("3/4/1950", ["Doe, Jane"]),
        ("1950-03-04", ["Doe, Jane"]),
        ("1EG4-TE5", ["Doe, Jane"]),
    ],
)
def test_search_narrows_the_list(qtbot, page, text, expected):
    search(qtbot, page, text)
    assert names(page) == expected
    assert page.count_label.text() == f"{len(expected)} of 5 match"


def test_each_keystroke_narrows_the_list_at_once_without_reading_the_database(qtbot, page):
    shown = []
    page.refreshed.connect(lambda: shown.append(names(page)))
    for ch in "smi":
        qtbot.keyClick(page.search, ch)
        assert not page.loading  # searched in memory: no query started
    assert shown == [
        ["Smith, John"],  # "s": Smith by name, and no other name or code starts with s
        ["Smith, John"],
        ["Smith, John"],
    ]
    assert page.count_label.text() == "1 of 5 match"
    page.select_patient(page.model.patient(0).id)
    assert page.open_button.isEnabled()
    qtbot.keyClick(page.search, "x")
    assert page.stack.currentIndex() == 1 and page.count_label.text() == "0 of 5 match"
    assert not page.open_button.isEnabled()  # nobody listed: nobody to open
    page.search.clear()  # clearing is as immediate
    assert len(names(page)) == 5 and page.count_label.text() == "5 patients"
    assert page.stack.currentIndex() == 0


def test_only_the_latest_answer_is_shown(qtbot, page):
    page.search.setText("doe")
    page.refresh()
    page.search.setText("smith")
    page.refresh()  # two queries in flight; the first answer must not win
    settle(qtbot, page)
    assert names(page) == ["Smith, John"]


def test_an_answer_landing_while_typing_is_searched_with_the_text_typed_since(
    qtbot, page, ctx, clinician
):
    answers = []
    page.refreshed.connect(lambda: answers.append(names(page)))
    ctx.patients.create(clinician, PatientInput("Z998", "Smithers", "Al", "1951-02-03", "M"))
    page.refresh()  # a re-read of the list is under way ...
    assert page.loading
    page.search.setText("smi")  # ... while "smi" is typed: searched at once in the old rows
    assert answers == [["Smith, John"]]
    settle(qtbot, page)  # the re-read lands: searched with "smi", not with what was asked
    assert answers == [["Smith, John"], ["Smith, John", "Smithers, Al"]]
    assert page.count_label.text() == "2 of 6 match"


def test_a_committed_change_reaches_a_searched_list(qtbot, page, ctx, clinician):
    bridge = EventBridge(ctx.bus, page)
    bridge.changed.connect(page.on_change)
    qtbot.keyClicks(page.search, "ad")
    assert page.stack.currentIndex() == 1  # nobody yet
    ctx.patients.create(clinician, PatientInput("Z999", "Adams", "Ann", "1951-02-03", "F"))
    qtbot.waitUntil(lambda: names(page) == ["Adams, Ann"], timeout=3000)
    assert page.count_label.text() == "1 of 6 match" and page.stack.currentIndex() == 0


def test_the_search_keeps_the_sort_order_and_the_selection(qtbot, page):
    page.table.sortByColumn(DOB, Qt.SortOrder.DescendingOrder)  # youngest first
    assert names(page) == [
        "Garcia, Maria",
        "Doe, Jane",
        "Doe, Robert",
        "Smith, John",
        "Nguyen, Thanh",
    ]
    jane = page.model.patient(1).id
    page.select_patient(jane)
    qtbot.keyClicks(page.search, "doe")
    assert names(page) == ["Doe, Jane", "Doe, Robert"]  # still by date of birth
    assert page.selected_patient_id() == jane
    page.search.clear()
    assert names(page)[:3] == ["Garcia, Maria", "Doe, Jane", "Doe, Robert"]
    assert page.selected_patient_id() == jane


def test_a_re_read_keeps_the_order_chosen_even_while_it_was_running(qtbot, page, ctx, clinician):
    page.table.sortByColumn(DOB, Qt.SortOrder.DescendingOrder)  # youngest first
    ctx.patients.create(clinician, PatientInput("Z997", "Young", "Yves", "1990-01-01", "M"))
    page.refresh()
    settle(qtbot, page)
    assert names(page)[:2] == ["Young, Yves", "Garcia, Maria"]  # the new one in its place
    page.refresh()  # read and sorted by date of birth on the worker ...
    page.table.sortByColumn(NAME, Qt.SortOrder.AscendingOrder)  # ... while staff sort by name
    settle(qtbot, page)
    assert names(page) == sorted(names(page)) and names(page)[-1] == "Young, Yves"


def test_filters(qtbot, page, ctx):
    choose(qtbot, page, page.program_combo, "pcm")
    assert names(page) == ["Smith, John"]
    choose(qtbot, page, page.program_combo, "")
    choose(qtbot, page, page.status_combo, "none")
    assert names(page) == ["Garcia, Maria"]
    choose(qtbot, page, page.status_combo, "declined")
    assert names(page) == ["Doe, Robert"]
    choose(qtbot, page, page.status_combo, "")
    np_id = next(p.id for p in ctx.practice.providers() if p.npi == "1000000004")
    choose(qtbot, page, page.provider_combo, np_id)
    assert names(page) == ["Smith, John"]
    assert page.count_label.text() == "1 of 5 match"


def test_no_match_empty_state(qtbot, page, shots):
    search(qtbot, page, "zzz")
    assert page.stack.currentIndex() == 1
    assert page.empty_text.text() == (
        'No patients match "zzz".\nCheck the spelling or search by MRN or date of birth.'
    )
    assert page.count_label.text() == "0 of 5 match"
    assert page.clear_button.isHidden()  # no filter is set: only the search to clear
    assert page.clear_search_button.isVisible()
    shots(page, "patients-no-match")
    qtbot.mouseClick(page.clear_search_button, Qt.MouseButton.LeftButton)
    settle(qtbot, page)
    assert page.search.text() == ""
    assert len(names(page)) == 5
    assert page.stack.currentIndex() == 0


def test_filters_only_empty_state(qtbot, page):
    choose(qtbot, page, page.program_combo, "apcm")
    assert page.stack.currentIndex() == 1
    assert page.empty_text.text().startswith("No patients match these filters.")
    assert page.clear_button.isVisible() and page.clear_button.text() == "&Clear filters"


def test_search_with_filters_set_says_so_and_clear_filters_clears_both(qtbot, page, shots):
    choose(qtbot, page, page.program_combo, "pcm")  # only Smith
    search(qtbot, page, "doe")  # the Does are CCM / declined: hidden by the filter
    assert page.stack.currentIndex() == 1
    assert page.empty_text.text().startswith('No patients match "doe" with these filters.')
    assert page.clear_button.isVisible() and page.clear_button.text() == "&Clear filters"
    assert page.clear_search_button.isHidden()
    shots(page, "patients-no-match-filters")
    qtbot.mouseClick(page.clear_button, Qt.MouseButton.LeftButton)
    settle(qtbot, page)
    assert page.search.text() == "" and page.program_combo.currentData() == ""
    assert len(names(page)) == 5 and page.stack.currentIndex() == 0


def test_records_entered_in_error_are_listed_only_on_request(qtbot, page, ctx, sample, front):
    ctx.patients.mark_entered_in_error(front, sample.garcia, "test patient")
    page.refresh()
    settle(qtbot, page)
    assert "Garcia, Maria" not in names(page) and page.count_label.text() == "4 patients"
    page.in_error_check.setChecked(True)
    settle(qtbot, page)
    assert "Garcia, Maria (entered in error)" in names(page)
    assert page.count_label.text() == "4 patients, and 1 entered in error"


def test_no_patients_empty_state(qtbot, ctx, shots):
    p = PatientsPage(ctx)
    qtbot.addWidget(p)
    p.resize(1000, 500)
    settle(qtbot, p)
    assert p.stack.currentIndex() == 1
    assert p.empty_text.text().startswith("No patients yet.")
    assert "CSV file" in p.empty_text.text()
    assert p.clear_button.isHidden()
    assert not p.empty_import_button.isHidden()
    with qtbot.waitSignal(p.import_requested):
        qtbot.mouseClick(p.empty_import_button, Qt.MouseButton.LeftButton)
    assert p.count_label.text() == "0 patients"
    shots(p, "patients-empty")


def test_refreshes_when_a_patient_is_added(qtbot, page, ctx, clinician):
    bridge = EventBridge(ctx.bus, page)
    bridge.changed.connect(page.on_change)
    page.select_patient(page.model.patient(0).id)
    selected = page.selected_patient_id()
    ctx.patients.create(clinician, PatientInput("Z999", "Adams", "Ann", "1951-02-03", "F"))
    qtbot.waitUntil(lambda: len(names(page)) == 6, timeout=2000)
    assert names(page)[0] == "Adams, Ann"
    assert page.selected_patient_id() == selected  # selection kept by id


def test_sorting_by_minutes_and_dob(page):
    page.table.sortByColumn(MINUTES, Qt.SortOrder.DescendingOrder)
    assert names(page)[:2] == ["Nguyen, Thanh", "Doe, Jane"]
    page.table.sortByColumn(1, Qt.SortOrder.AscendingOrder)
    assert names(page)[0] == "Nguyen, Thanh"  # born 1942


def test_down_arrow_moves_from_search_to_list(qtbot, page):
    page.focus_search()
    qtbot.keyClicks(page.search, "smith")
    qtbot.keyClick(page.search, Qt.Key.Key_Down)  # before the typing pause is over
    settle(qtbot, page)
    assert names(page) == ["Smith, John"]
    assert page.table.hasFocus() or page.table.selectionModel().hasSelection()
    assert page.selected_patient_id() == page.model.patient(0).id


def test_record_model_passes_qmodeltester(qtmodeltester, ctx):
    from ccm_desktop.ui.common.models import Column, RecordTableModel

    model = RecordTableModel([Column("Name", lambda s: s.name), Column("Role", lambda s: s.role)])
    model.set_rows(ctx.practice.staff())
    qtmodeltester.check(model)
    assert model.index(0, 0).data() == model.record(0).name


def test_model_passes_qmodeltester(qtmodeltester, ctx, sample):
    model = PatientTableModel()
    model.set_rows(ctx.patients.rows())
    qtmodeltester.check(model)
    model.set_rows([])
    qtmodeltester.check(model)


def test_a_re_read_keeps_unchanged_rows_and_shows_the_changed_one(
    qtbot, page, ctx, clinician, sample
):
    """Re-reading the list (after every save, all day) hands back the row objects already
    shown for patients that did not change, so a re-read of 20,000 patients leaves no
    20,000 new objects for the garbage collector to scan on the GUI thread; a changed
    patient's row is read anew and shows the change."""
    before = {r.id: r for r in page.model.all_rows}
    shown = page.model.all_rows
    resets: list[int] = []
    page.model.modelReset.connect(lambda: resets.append(1))
    page.refresh()
    settle(qtbot, page)
    assert all(r is before[r.id] for r in page.model.all_rows)
    assert page.model.all_rows is shown and not resets  # nothing changed: the view stays

    other = ctx.patients.get(sample.garcia)
    changed = PatientInput(**{**other.data.__dict__, "last_name": "Garcia-Ruiz"})
    ctx.patients.update(clinician, sample.garcia, changed, other.version)
    page.refresh()
    settle(qtbot, page)
    rows = {r.id: r for r in page.model.all_rows}
    assert rows[sample.garcia].last_name == "Garcia-Ruiz"
    assert "Garcia-Ruiz, Maria" in names(page) and resets
    assert all(rows[pid] is row for pid, row in before.items() if pid != sample.garcia)
