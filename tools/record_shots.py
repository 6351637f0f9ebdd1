"""Screenshots of keeping one record per person, the administrator's Practice page and
its dialogs, and the import's warnings, for ``tools/screenshots.py`` (synthetic demo
data only)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget

from ccm_desktop.app import AppContext
from ccm_desktop.services.patients import PatientFilter, PatientInput


def record_shots(
    ctx: AppContext,
    window: object,
    save: Callable[[QWidget, str], None],
    wait_for: Callable[[Callable[[], bool]], None],
    folder: Path,
) -> None:
    """Save patient-duplicate, patient-merge, patient-entered-in-error, practice-admin,
    practice-edit-details, practice-edit-staff and import-warnings PNGs through ``save``."""
    from ccm_desktop.ui.main_window import MainWindow
    from ccm_desktop.ui.patients.import_dialog import ImportDialog

    assert isinstance(window, MainWindow)
    nurse = ctx.actor
    # -- a duplicate typed in again: the form names the record before saving ------------
    # QTest types ASCII only (it aborts on "ñ"): a look-alike whose name is plain ASCII.
    someone = next(
        r
        for r in ctx.patients.rows(PatientFilter(status="none"), limit=50)
        if (r.last_name + r.first_name).isascii()
    )
    window.add_patient()
    form = window.patient_form
    assert form is not None
    for edit, text in (
        (form.last_name, someone.last_name),
        (form.first_name, someone.first_name),
        (form.dob.editor, someone.dob.strftime("%m/%d/%Y")),
        (form.mrn, "DM9000001"),
    ):
        QTest.keyClicks(edit, text)
    form.sex.setCurrentIndex(1)
    form.save()
    wait_for(form.duplicate_box.isVisible)
    save(form, "patient-duplicate")
    form.discard()
    window.back_to_list()

    # -- merging a look-alike into the record kept ----------------------------------------
    detail = ctx.patients.get(someone.id).data
    assert nurse is not None
    ctx.patients.create(
        nurse,
        PatientInput("DM9000002", detail.last_name, detail.first_name, str(detail.dob), detail.sex),
        allow_duplicate=True,
    )
    page = window.detail_page
    window.open_patient(someone.id)
    wait_for(lambda: page.data is not None and not page.loading)
    page.merge_button.click()
    dialog = page.record_dialog
    assert dialog is not None
    wait_for(lambda: dialog.results.count() > 0)
    dialog.results.setCurrentRow(0)
    save(dialog, "patient-merge")
    dialog.reject()

    # -- marking a record entered in error ----------------------------------------------
    page.in_error_button.click()
    dialog = page.record_dialog
    assert dialog is not None
    dialog.reason.setPlainText("Made while training a new front-desk colleague")
    save(dialog, "patient-entered-in-error")
    dialog.reject()
    window.back_to_list()

    # -- the Practice page as the administrator, and its editing dialogs -------------------
    ctx.actor = ctx.practice.actor_for("office.admin")
    window.show_page("practice")
    practice = window.practice_page
    practice.update_permissions()
    save(window, "practice-admin")
    practice.edit_details_button.click()
    assert practice.dialog is not None
    save(practice.dialog, "practice-edit-details")
    practice.dialog.reject()
    staff = practice.add_staff()
    staff.name.setText("Robin Sample")
    staff.role.setCurrentIndex(staff.role.findData("care_manager"))
    staff.credential.setCurrentIndex(staff.credential.findData("RN"))
    save(staff, "practice-edit-staff")
    staff.reject()
    ctx.actor = nurse
    window.show_page("patients")

    # -- the import: values a spreadsheet would run, and a look-alike patient ------------
    csv_file = folder / "patients to check.csv"
    csv_file.write_text(
        "mrn,last_name,first_name,dob,sex,city,state,zip,conditions\n"
        "IMP2001,Example,=Alex,1948-02-11,F,Columbus,OH,43210,E11.9;I10\n"
        f"IMP2002,{detail.last_name},{detail.first_name},{detail.dob},{detail.sex},"
        "Columbus,OH,43210,I10\n"
        "IMP2003,Sample,Sam,1951-07-30,M,@Dublin,OH,43017,J44.9\n",
        encoding="utf-8",
    )
    ctx.actor = ctx.practice.actor_for("front.rosa")  # the front desk imports
    dialog = ImportDialog(ctx, window.settings, window)
    dialog.resize(1000, 700)
    dialog.show()
    dialog.load(csv_file)
    wait_for(lambda: dialog.task is not None and not dialog.task.running)
    save(dialog, "import-warnings")
    dialog.close()
    ctx.actor = nurse
