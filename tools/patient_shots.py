"""Screenshots of the patient detail page (each tab), the add-patient form with messages, and
the condition picker, for ``tools/screenshots.py`` (synthetic demo patients only)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget

from ccm_desktop import icd10
from ccm_desktop.app import AppContext
from ccm_desktop.services.patients import PatientFilter


def richest_patient(ctx: AppContext, look_at: int = 60) -> int:
    """An enrolled demo patient with the most to show (conditions, time, care plan, history)."""
    rows = ctx.patients.rows(PatientFilter(status="enrolled"), limit=look_at)

    def score(pid: int) -> tuple[int, int]:
        detail = ctx.patients.get(pid)
        return (
            min(len(detail.conditions), 5) + min(len(ctx.careplans.revisions(pid)), 3),
            len(ctx.time.entries(pid)),
        )

    return max((r.id for r in rows), key=score)


def _recent_changes(ctx: AppContext, pid: int) -> None:
    """A few audited changes so the History tab has something to show (the demo generator
    writes its patients in bulk): a new phone number, a voided entry, a resolved condition."""
    actor = ctx.actor
    assert actor is not None
    detail = ctx.patients.get(pid)
    data = replace(detail.data, phone="3095550199")
    ctx.patients.update(actor, pid, data, detail.version)
    entries = ctx.time.entries(pid)
    if len(entries) > 2:
        ctx.time.void(actor, entries[2].id, "Entered twice by mistake")
    if detail.conditions:
        ctx.patients.set_condition_status(actor, detail.conditions[-1].id, "resolved")


def patient_shots(
    ctx: AppContext,
    window: object,
    save: Callable[[QWidget, str], None],
    wait_for: Callable[[Callable[[], bool]], None],
) -> None:
    """Save patient-detail-*, patient-add-errors and condition-picker* PNGs through ``save``.

    ``window`` is the shown :class:`~ccm_desktop.ui.main_window.MainWindow`.
    """
    from ccm_desktop.ui.main_window import MainWindow
    from ccm_desktop.ui.patients.condition_picker import ConditionPickerDialog
    from ccm_desktop.ui.patients.patient_detail import CONDITIONS

    assert isinstance(window, MainWindow)
    pid = richest_patient(ctx)
    _recent_changes(ctx, pid)
    page = window.detail_page
    window.open_patient(pid)
    wait_for(lambda: page.data is not None and not page.loading)
    for index, name in enumerate(
        ("details", "conditions", "enrollment", "care-plan", "time", "history")
    ):
        page.tabs.setCurrentIndex(index)
        if index == CONDITIONS:
            page.conditions_tab.table.selectRow(0)
        save(window, f"patient-detail-{name}")
    page.tabs.setCurrentIndex(0)

    # -- the add-patient form after Save with two mistakes -----------------------------
    window.add_patient()
    form = window.patient_form
    assert form is not None
    for edit, text in (
        (form.last_name, "Okafor"),
        (form.first_name, "Grace"),
        (form.dob.editor, "04/09/1947"),
        (form.mrn, "DM1000001"),
        (form.phone, "555-201-3344"),
        (form.city, "Springfield"),
        (form.zip, "4321"),
        (form.mbi, "1EG4-TE5-MK7S"),
    ):
        QTest.keyClicks(edit, text)
    form.sex.setCurrentIndex(form.sex.findData("F"))
    form.provider.setCurrentIndex(1)
    form.save()
    save(form, "patient-add-errors")
    form.discard()
    window.back_to_list()

    # -- the condition picker: results, then a category header explained ---------------
    icd10.warm_up()
    picker = ConditionPickerDialog(ctx, pid, window)
    picker.show()
    wait_for(lambda: picker.ready)
    QTest.keyClicks(picker.search, "diab typ 2")
    save(picker, "condition-picker")
    picker.search.clear()
    QTest.keyClicks(picker.search, "E11")
    QTest.keyClick(picker.search, Qt.Key.Key_Return)  # Enter on the header: refused, with why
    save(picker, "condition-picker-header")
    picker.reject()
