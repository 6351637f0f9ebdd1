"""Screenshots of the patient page's time log, its dialogs and the time import, for
``tools/screenshots.py`` (one made-up patient added to the synthetic demo practice)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtCore import QSettings, QTime
from PySide6.QtWidgets import QWidget

from ccm_desktop.app import AppContext
from ccm_desktop.errors import ValidationError
from ccm_desktop.importers.time import local_to_utc
from ccm_desktop.services.enrollment import ConsentInput
from ccm_desktop.services.patients import PatientInput
from ccm_desktop.services.timing import TimeEdit, TimeInput

MRN = "DM-TIME-1"
HEADER = "mrn,staff,date,start_time,minutes,activity,contact,note\n"


def _patient(ctx: AppContext) -> tuple[int, int]:
    """A CCM patient who agreed on 11/05/2026, with time of every kind this month."""
    actor = ctx.actor
    assert actor is not None and actor.staff_id is not None
    tz = ZoneInfo(ctx.practice.practice().timezone)
    provider = ctx.practice.providers()[0]
    pid = ctx.patients.create(
        actor,
        PatientInput(
            MRN,
            "Halvorsen",
            "Ingrid",
            "1946-08-21",
            "F",
            phone="6145550177",
            billing_provider_npi=provider.npi,
            last_visit_date="2026-10-02",
        ),
    )
    for code in ("E11.9", "I10", "N18.30"):
        ctx.patients.add_condition(actor, pid, code)
    consent = ConsentInput(date(2026, 11, 5), "written", actor.staff_id, True, True, True, True)
    ctx.enrollment.enroll(actor, pid, "ccm", consent)
    me = actor.staff_id
    doctor = next(s for s in ctx.practice.staff() if s.role == "provider")

    def at(day: int, hour: int, minute: int = 0) -> datetime:
        return local_to_utc(date(2026, 11, day), time(hour, minute), tz)

    def add(staff: int, start: datetime, minutes: int, activity: str, **kw: object) -> int:
        """Add at ``start``, or a little later where the demo has that person busy then."""
        for _ in range(40):
            t = TimeInput(pid, staff, start, minutes, activity, **kw)  # type: ignore[arg-type]
            try:
                return ctx.time.add(actor, t)
            except ValidationError as exc:
                if exc.field != "start_time":
                    raise
                start += timedelta(minutes=37)
        raise SystemExit("no free time for the time-log screenshots")

    first = "First call: agreed to think about it"
    add(me, at(3, 9, 10), 12, "call_patient", patient_contact=True, note=first)
    timed = add(
        me,
        at(6, 10),
        18,
        "call_patient",
        patient_contact=True,
        source="timer",
        note="Reviewed glucose log; new meter ordered",
    )
    wrong = add(me, at(9, 14), 9, "coordination", note="Called the pharmacy")
    ctx.time.void(actor, wrong, "Entered for the wrong patient")
    assert doctor.id is not None
    add(doctor.id, at(10, 16, 30), 6, "care_plan", note="Care plan reviewed and signed")
    late = add(me, at(13, 8, 40), 20, "medication_reconciliation", patient_contact=True)
    ctx.time.edit(actor, late, "The call ended at 8:56, not 9:00", TimeEdit(minutes=16))
    return pid, timed


def time_log_shots(
    ctx: AppContext,
    window: object,
    settings: QSettings,
    save: Callable[[QWidget, str], None],
    wait_for: Callable[[Callable[[], bool]], None],
    folder: Path,
) -> None:
    """Save time-import-*, time-log*, time-add-*, time-edit-error, time-void and
    time-history PNGs through ``save``; ``window`` is the shown MainWindow."""
    from ccm_desktop.ui.main_window import MainWindow
    from ccm_desktop.ui.patients.import_dialog import ImportDialog
    from ccm_desktop.ui.patients.patient_detail import TIME
    from ccm_desktop.ui.patients.time_dialogs import TimeEntryDialog

    assert isinstance(window, MainWindow) and ctx.actor is not None
    pid, timed = _patient(ctx)
    clash = next(e for e in ctx.time_log.month(pid).entries if e.id == timed).started_at
    local = clash.astimezone(ZoneInfo(ctx.practice.practice().timezone))
    me = next(u.username for u in ctx.practice.staff() if u.id == ctx.actor.staff_id)
    good = folder / "time from the phone system.csv"
    good.write_text(
        HEADER + f"{MRN},{me},2026-11-12,11:30,15,education,yes,Explained the new diet sheet\n"
        f"{MRN},{me},2026-11-14,2:05 PM,7,call_caregiver,yes,Daughter called back\n",
        encoding="utf-8",
    )
    bad = folder / "time with problems.csv"
    bad.write_text(
        HEADER + f"{MRN},{me},2026-11-12,11:30,15,education,yes,\n"
        f"{MRN},{me},2026-11-31,09:00,10,call_patient,yes,\n"
        f"{MRN},front.rosa,2026-11-14,10:00,ten,call_patient,no,\n"
        f"NO-SUCH,{me},2026-11-14,10:00,5,chat,no,\n",
        encoding="utf-8",
    )
    dialog = ImportDialog(ctx, settings, window, kind="time")
    dialog.resize(1000, 660)
    dialog.show()
    dialog.load(bad)
    wait_for(lambda: dialog.task is not None and not dialog.task.running)
    save(dialog, "time-import-problems")
    dialog.load(good)
    wait_for(lambda: dialog.task is not None and not dialog.task.running)
    save(dialog, "time-import-preview")
    dialog.start_import()
    wait_for(lambda: dialog.task is not None and not dialog.task.running)
    dialog.close()

    page = window.detail_page
    tab = page.time_tab
    window.open_patient(pid)
    page.tabs.setCurrentIndex(TIME)
    wait_for(lambda: tab.data is not None and not tab.loading and not page.loading)
    save(window, "time-log")

    tab.add_button.click()
    d = tab.dialog
    assert isinstance(d, TimeEntryDialog)
    d.date.editor.setText("11/17/2026")
    d.minutes.setText("10")
    d.save()
    save(d, "time-add-future")
    d.date.editor.setText(local.strftime("%m/%d/%Y"))  # 5 minutes into the timed call
    d.start.setTime(QTime(local.hour, local.minute).addSecs(300))
    d.save()
    save(d, "time-add-overlap")
    d.reject()
    wait_for(lambda: tab.dialog is None)

    tab.table.selectRow(next(i for i, e in enumerate(tab.model.records()) if e.revisions))
    tab.edit_button.click()
    d = tab.dialog
    assert isinstance(d, TimeEntryDialog)
    d.minutes.setText("30")
    d.save()  # no reason: refused next to the field
    save(d, "time-edit-error")
    d.reject()
    wait_for(lambda: tab.dialog is None)
    tab.void_button.click()
    save(tab.dialog, "time-void")  # type: ignore[arg-type]
    tab.dialog.reject()  # type: ignore[union-attr]
    wait_for(lambda: tab.dialog is None)
    tab.history_button.click()
    save(tab.dialog, "time-history")  # type: ignore[arg-type]
    tab.dialog.reject()  # type: ignore[union-attr]
    wait_for(lambda: tab.dialog is None)
    tab.previous_button.click()  # October: nothing yet, and the tab says so
    wait_for(lambda: not tab.loading)
    save(window, "time-log-empty-month")
    window.back_to_list()
