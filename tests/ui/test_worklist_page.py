"""The Worklist page (the care manager's home page): the service's urgency order, Mine
by default, counts that filter, Enter opens the patient, Start timer, a time change
updating one row, Save and next, and the empty states."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from PySide6.QtCore import Qt

from ccm_desktop.services.enrollment import ConsentInput
from ccm_desktop.services.patients import PatientInput
from ccm_desktop.services.timing import TimeInput
from ccm_desktop.services.worklist import WorklistFilter
from ccm_desktop.ui.main_window import MainWindow
from ccm_desktop.ui.patients.patient_form import PatientFormDialog
from ccm_desktop.ui.worklist.worklist_model import MINUTES, PATIENT, TO_NEXT
from ccm_desktop.ui.worklist.worklist_page import WorklistPage

pytestmark = pytest.mark.gui


class Clinic:
    """Six enrolled patients (four Kim's, two nobody's) and one not enrolled."""

    def __init__(self, ctx, actor, nurse_id: int) -> None:
        self.ctx, self.actor, self.nurse_id = ctx, actor, nurse_id
        self.hour = 13  # each entry at its own hour: one person's minutes never overlap
        consent = ConsentInput(date(2026, 11, 2), "written", nurse_id, True, True, True, True)
        self.ids: dict[str, int] = {}
        for mrn, last, program, minutes, mine in (
            ("W1", "Abbott", "ccm", 0, True),
            ("W2", "Baker", "ccm", 14, True),
            ("W3", "Castro", "ccm", 25, True),
            ("W4", "Dunn", "complex_ccm", 50, True),
            ("W5", "Ellis", "ccm", 5, False),
            ("W6", "Fox", "pcm", 0, False),
        ):
            pid = self.patient(mrn, last, nurse_id if mine else None)
            for code in ("E11.9", "I10") if program != "pcm" else ("J44.9",):
                ctx.patients.add_condition(actor, pid, code)
            if program == "complex_ccm":
                ctx.patients.add_condition(actor, pid, "N18.30")
            ctx.enrollment.enroll(actor, pid, program, consent)
            if minutes:
                self.minutes(pid, minutes)
            self.ids[last] = pid
        self.ids["Gray"] = self.patient("W7", "Gray", None)  # not enrolled: never listed

    def patient(self, mrn: str, last: str, care_manager: int | None) -> int:
        data = PatientInput(
            mrn,
            last,
            "Pat",
            "1950-03-04",
            "F",
            billing_provider_npi="1234567893",
            last_visit_date="2026-09-01",
            care_manager_id=care_manager,
        )
        return self.ctx.patients.create(self.actor, data, allow_duplicate=True)

    def minutes(self, pid: int, n: int) -> None:
        self.hour += 1
        start = datetime(2026, 11, 3 + self.hour // 10, 13 + self.hour % 10, tzinfo=UTC)
        self.ctx.time.add(self.actor, TimeInput(pid, self.nurse_id, start, n, "call_patient", True))


@pytest.fixture
def clinic(ctx, clinician, nurse) -> Clinic:
    return Clinic(ctx, clinician, nurse.staff_id)


def kim(ctx):
    ctx.actor = ctx.practice.actor_for("nurse.kim")
    return next(s for s in ctx.practice.staff() if s.username == "nurse.kim")


@pytest.fixture
def window(qtbot, ctx, settings):
    """``window()``: the main window as Kim Carewell (a care manager), on screen."""
    made: list[MainWindow] = []

    def make() -> MainWindow:
        w = MainWindow(ctx, settings, staff=kim(ctx))
        qtbot.addWidget(w)
        w.resize(1280, 800)
        w.show()
        qtbot.waitExposed(w)
        made.append(w)
        qtbot.waitUntil(lambda: not page(w).loading and page(w).worklist is not None)
        return w

    yield make
    for w in made:
        qtbot.waitUntil(lambda w=w: not page(w).loading and not w.patients_page.loading)
        if "detail" in w.pages:
            qtbot.waitUntil(lambda w=w: not w.detail_page.loading)


def page(w: MainWindow) -> WorklistPage:
    p = w.pages["worklist"]
    assert isinstance(p, WorklistPage)
    return p


def shown_ids(p: WorklistPage) -> list[int]:
    return [r.patient_id for r in p.model.rows()]


def settle(qtbot, p: WorklistPage) -> None:
    qtbot.waitUntil(lambda: not p.loading and not p._refresh_timer.isActive(), timeout=5000)


def test_opens_on_the_worklist_mine_in_the_services_order(qtbot, ctx, clinic, window, shots):
    w = window()
    p = page(w)
    assert w.current_page() == "worklist" and w.nav.item(0).text() == "Worklist"
    assert p.mine_button.isChecked()
    mine = ctx.worklist.worklist(2026, 11, WorklistFilter(care_manager_id=clinic.nurse_id))
    assert shown_ids(p) == [r.patient_id for r in mine.rows]
    ids = clinic.ids
    assert set(shown_ids(p)) == {ids["Abbott"], ids["Baker"], ids["Castro"], ids["Dunn"]}
    assert p.count_buttons["enrolled"].text() == "✓ Enrolled: 4"
    baker = p.model.row_of(ids["Baker"])
    assert p.model.index(baker, PATIENT).data() == "Baker, Pat"
    assert p.model.index(baker, MINUTES).data() == "14"
    assert p.model.index(baker, TO_NEXT).data() == "6 min for 99490"
    shots(w, "worklist-mine")

    p.all_button.click()
    settle(qtbot, p)
    everyone = ctx.worklist.worklist(2026, 11)
    assert shown_ids(p) == [r.patient_id for r in everyone.rows]
    assert ids["Gray"] not in shown_ids(p) and len(shown_ids(p)) == 6
    assert p.count_label.text() == "6 of 6 enrolled shown (all patients)"


def test_clicking_a_count_filters_and_says_which(qtbot, ctx, clinic, window):
    p = page(window())
    p.all_button.click()
    settle(qtbot, p)
    whole = p.worklist
    assert whole is not None
    qtbot.mouseClick(p.count_buttons["short"], Qt.MouseButton.LeftButton)
    settle(qtbot, p)
    short = ctx.worklist.worklist(2026, 11, WorklistFilter(band="short"))
    assert shown_ids(p) == [r.patient_id for r in short.rows] and 0 < len(short.rows) < 6
    assert p.count_buttons["short"].isChecked()
    assert p.count_buttons["short"].text().startswith("✓ Still short: ")
    assert not p.count_buttons["enrolled"].text().startswith("✓")
    assert p.band_combo.currentData() == "short"
    # The counts stay those of the whole list while one is chosen.
    assert p.count_buttons["enrolled"].text() == f"Enrolled: {whole.enrolled}"

    qtbot.mouseClick(p.count_buttons["not_contacted"], Qt.MouseButton.LeftButton)
    settle(qtbot, p)
    none = ctx.worklist.worklist(2026, 11, WorklistFilter(contact="none_this_month"))
    assert shown_ids(p) == [r.patient_id for r in none.rows]
    assert clinic.ids["Abbott"] in shown_ids(p) and clinic.ids["Castro"] not in shown_ids(p)
    assert p.count_buttons["not_contacted"].isChecked()
    assert not p.count_buttons["short"].isChecked()

    qtbot.mouseClick(p.count_buttons["not_contacted"], Qt.MouseButton.LeftButton)  # again: off
    settle(qtbot, p)
    assert len(shown_ids(p)) == 6 and p.count_buttons["enrolled"].isChecked()


def test_enter_opens_the_patient_and_back_returns_to_the_worklist(qtbot, clinic, window):
    w = window()
    p = page(w)
    p.select_patient(clinic.ids["Castro"])
    p.table.setFocus()
    qtbot.keyClick(p.table, Qt.Key.Key_Return)
    assert w.current_page() == "detail"
    assert w.detail_page.patient_id == clinic.ids["Castro"]
    qtbot.waitUntil(lambda: not w.detail_page.loading)
    assert w.nav.currentRow() == w.nav_keys.index("worklist")
    w.back_to_list()
    assert w.current_page() == "worklist"
    assert p.selected_patient_id() == clinic.ids["Castro"]


def test_start_timer_from_a_row(qtbot, ctx, clinic, window):
    w = window()
    p = page(w)
    assert not p.start_button.isEnabled()  # nobody chosen yet
    p.select_patient(clinic.ids["Baker"])
    with qtbot.waitSignal(p.start_timer_requested) as got:
        qtbot.mouseClick(p.start_button, Qt.MouseButton.LeftButton)
    assert got.args == [clinic.ids["Baker"]]
    # The timer bar took the patient and started: the running timer is in the database.
    qtbot.waitUntil(lambda: ctx.timer.current(clinic.nurse_id) is not None, timeout=5000)
    running = ctx.timer.current(clinic.nurse_id)
    assert running is not None and running.patient_id == clinic.ids["Baker"]
    p.table.setFocus()
    with qtbot.waitSignal(p.start_timer_requested) as got:
        qtbot.keyClick(p.table, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert got.args == [clinic.ids["Baker"]]
    assert w.current_page() == "worklist"  # Ctrl+Enter starts; it does not open


def test_a_time_change_updates_that_row_only(qtbot, ctx, clinic, window):
    p = page(window())
    baker = clinic.ids["Baker"]
    order = shown_ids(p)
    generation = p._generation
    clinic.minutes(baker, 7)  # 14 + 7: the first code reached
    row = p.model.row_of(baker)
    qtbot.waitUntil(lambda: p.model.index(row, MINUTES).data() == "21", timeout=3000)
    assert p.model.index(row, TO_NEXT).data() == "19 min for 99439"
    assert p._generation == generation and not p.loading  # no re-read of the whole list
    assert shown_ids(p) == order


def test_save_and_next_selects_the_next_row_in_the_order_shown(qtbot, clinic, window):
    p = page(window())
    order = shown_ids(p)
    assert p.next_patient(order[0]) == order[1]
    assert p.selected_patient_id() == order[1]
    assert p.next_patient(order[-1]) is None
    assert p.next_patient(clinic.ids["Gray"]) == order[0]  # not listed: the first row


def test_empty_states_say_what_to_do(qtbot, ctx, clinician, window):
    w = window()
    p = page(w)
    assert p.stack.currentIndex() == 1
    assert p.empty_text.text() == (
        "No patients are assigned to you. Show all patients, or assign a care manager on "
        "the patient page."
    )
    assert p.show_all_button.isVisible()
    qtbot.mouseClick(p.show_all_button, Qt.MouseButton.LeftButton)
    settle(qtbot, p)
    assert p.empty_text.text() == (
        "No enrolled patients yet: enroll patients from the Patients page."
    )
    qtbot.mouseClick(p.patients_button, Qt.MouseButton.LeftButton)
    assert w.current_page() == "patients"


def test_a_care_manager_assigned_on_the_patient_form_shows_in_mine(qtbot, ctx, clinic, window):
    p = page(window())
    ellis = clinic.ids["Ellis"]
    assert ellis not in shown_ids(p)
    form = PatientFormDialog(ctx, patient_id=ellis)
    form.show()
    try:
        assert form.care_manager.currentText() == "(no one yet)"
        names = [form.care_manager.itemText(i) for i in range(form.care_manager.count())]
        assert names == ["(no one yet)", "Dana Example", "Kim Carewell"]  # no front desk
        form.care_manager.setCurrentIndex(form.care_manager.findData(clinic.nurse_id))
        with qtbot.waitSignal(form.saved):
            form.save()
    finally:
        form.discard()
        form.deleteLater()
    qtbot.waitUntil(lambda: ellis in shown_ids(p), timeout=5000)
    assert ctx.patients.get(ellis).care_manager == "Kim Carewell"


def test_front_desk_opens_on_patients_and_the_worklist_shows_all(qtbot, ctx, clinic, settings):
    front = next(s for s in ctx.practice.staff() if s.username == "front")
    ctx.actor = ctx.practice.actor_for("front")
    w = MainWindow(ctx, settings, staff=front)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: not w.patients_page.loading)
    assert w.current_page() == "patients"
    qtbot.waitUntil(lambda: "worklist" in w.pages, timeout=5000)  # built after the list
    p = page(w)
    assert p.worklist is None and not p.loading  # hidden: not read
    w.show_page("worklist")
    qtbot.waitUntil(lambda: not p.loading and p.worklist is not None)
    assert p.all_button.isChecked() and not p.mine_button.isEnabled()
    assert len(shown_ids(p)) == 6
