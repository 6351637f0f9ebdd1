#!/usr/bin/env python3
"""Regenerate docs/screenshots/*.png offscreen from a synthetic demo practice.

    python tools/screenshots.py                   # docs/screenshots, 1280x800
    python tools/screenshots.py --out /tmp/s --scale 1.5

Everything happens in a temporary folder with a fixed clock and no OS keyring, so the
pictures only change when the interface does. Only synthetic data is ever shown.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WIDTH, HEIGHT = 1280, 800
# A fixed "now" (mid-month) so minutes this month and dates are stable between runs.
NOW = datetime(2026, 11, 16, 15, 0, tzinfo=UTC)


@contextlib.contextmanager
def _removed_after(folder: Path) -> Iterator[Path]:
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _import_files(folder: Path) -> tuple[Path, Path]:
    """Two made-up patient lists: one that imports cleanly, one with three problems."""
    header = "mrn,last_name,first_name,dob,sex,phone,city,state,zip,mbi,conditions\n"
    rows = [
        "IMP1001,Example,Alex,1948-02-11,F,614-555-0101,Columbus,OH,43210,1EG4TE5MK72,E11.9;I10",
        "IMP1002,Sample,Sam,1951-07-30,M,614-555-0102,Columbus,OH,43210,2EG4TE5MK73,J44.9",
        "IMP1003,Tester-Lee,Jo,1944-12-01,F,614-555-0103,Dublin,OH,43017,3EG4TE5MK74,I50.9",
        "IMP1004,Fictive,Robin,1939-05-17,F,614-555-0104,Columbus,OH,43210,,E78.5;N18.30",
        "IMP1005,Mockton,Pat,1956-09-09,M,614-555-0105,Grove City,OH,43123,4EG4TE5MK75,",
        "IMP1006,Placeholder,Dana,1947-03-04,F,614-555-0106,Columbus,OH,43210,,I10",
    ]
    good = folder / "new patients.csv"
    good.write_text(header + "\n".join(rows) + "\n", encoding="utf-8")
    broken = list(rows)
    broken[1] = broken[1].replace("1951-07-30", "1951-02-30")  # no such day
    broken[3] = broken[3].replace(",F,", ",Q,")  # not a sex code
    broken[4] = broken[4].replace("4EG4TE5MK75", "4EG4TE5MK7S")  # S is never in an MBI
    bad = folder / "patients with problems.csv"
    bad.write_text(header + "\n".join(broken) + "\n", encoding="utf-8")
    return good, bad


def worklist_shots(ctx: Any, window: Any, save: Callable, wait_for: Callable) -> None:
    """The care manager's home page mid-month: hers, a count chosen, no match, and a
    provider with no patients assigned."""
    from ccm_desktop.ui.worklist.worklist_page import WorklistPage

    page = window.pages["worklist"]
    wait_for(lambda: page.worklist is not None and not page.loading)
    save(window, "worklist")
    page.show_count("short")
    wait_for(lambda: not page.loading)
    save(window, "worklist-short")
    page.clear_filters()
    page.program_combo.setCurrentIndex(page.program_combo.findData("apcm"))
    page.band_combo.setCurrentIndex(page.band_combo.findData("reached"))
    wait_for(lambda: not page.loading)
    save(window, "worklist-no-match")
    page.clear_filters()
    wait_for(lambda: not page.loading)
    actor = ctx.actor
    ctx.actor = ctx.practice.actor_for("dr.okafor")  # a provider with no patients of his own
    other = WorklistPage(ctx)
    other.resize(window.width() - 150, 520)
    other.show()
    wait_for(lambda: other.worklist is not None and not other.loading)
    save(other, "worklist-none-assigned")
    other.close()
    other.deleteLater()
    ctx.actor = actor


def saver(out: Path, saved: list[Path]) -> Callable[[Any, str], None]:
    """``save(widget, name)``: let the window settle, then write ``out/<name>.png``."""
    from PySide6.QtTest import QTest

    def save(widget: Any, name: str) -> None:
        QTest.qWait(150)
        path = out / f"{name}.png"
        if not widget.grab().save(str(path)):
            raise SystemExit(f"could not write {path}")
        saved.append(path)

    return save


def wait_for(done: Callable[[], bool], timeout_ms: int = 30000) -> None:
    """Process events until ``done()`` (background reads and writes finished)."""
    from PySide6.QtTest import QTest

    waited = 0
    while not done():
        QTest.qWait(25)
        waited += 25
        if waited > timeout_ms:
            raise SystemExit("timed out waiting for background work")


@contextlib.contextmanager
def small_demo(args: argparse.Namespace, folder: str, patients: int = 20) -> Iterator[Any]:
    """For a screenshot tool run on its own: the offscreen screen of ``--screen`` and
    ``--scale``, a styled QApplication, no OS keyring, and a demo practice of ``patients``
    in a fixed temporary ``folder`` (removed after); yields ``(ctx, settings)``."""
    if "QT_QPA_PLATFORM" not in os.environ:
        os.environ["QT_QPA_PLATFORM"] = offscreen_screen(args.screen, args.scale)
    if args.scale:
        os.environ["QT_SCALE_FACTOR"] = str(args.scale)
    import keyring
    import keyring.backends.null
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from ccm_desktop.app import create_practice, demo_passphrase
    from ccm_desktop.demo import build_demo
    from ccm_desktop.paths import DataPaths
    from ccm_desktop.security.audit import Actor
    from ccm_desktop.services.base import Clock
    from ccm_desktop.ui.common import style
    from ccm_desktop.ui.common.tasks import wait_for_tasks
    from ccm_desktop.ui.common.writer import wait_for_writes

    keyring.set_keyring(keyring.backends.null.Keyring())  # never touch the real keyring
    app = QApplication.instance() or QApplication([sys.argv[0]])
    args.out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.gettempdir()) / folder  # fixed: the same status bar each run
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    with _removed_after(work):
        settings = QSettings(str(work / "settings.ini"), QSettings.Format.IniFormat)
        style.apply_style(app, settings)  # type: ignore[arg-type]
        paths = DataPaths(work / "CCM Desktop Demo")
        ctx = create_practice(
            paths, demo_passphrase(), None, Actor.system("demo"), clock=Clock(lambda: NOW)
        )
        try:
            build_demo(ctx, patients=patients)
            yield ctx, settings
            wait_for_writes()
            wait_for_tasks()
            app.processEvents()  # the last answers reach their (closed) pages
        finally:
            ctx.close()


def parse_args(argv: list[str]) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    ap.add_argument("--scale", type=float, default=None, help="QT_SCALE_FACTOR, e.g. 1.5")
    ap.add_argument("--patients", type=int, default=200)
    ap.add_argument(
        "--screen",
        metavar="WxH",
        help="size the main window to fill a screen of this many pixels at --scale "
        "(a 1366x768 laptop at 125%%: --screen 1366x768 --scale 1.25)",
    )
    return ap.parse_args(argv)


def window_size(screen: str | None, scale: float | None) -> tuple[int, int]:
    """The main window's size in Qt's scaled pixels: 1280x800, or a whole screen."""
    if not screen:
        return WIDTH, HEIGHT
    w, h = (int(n) for n in screen.lower().split("x"))
    return round(w / (scale or 1)), round(h / (scale or 1))


def offscreen_screen(screen: str | None, scale: float | None) -> str:
    """The offscreen platform with a screen of the size shot (Qt's default is 800x600,
    which would squeeze dialogs that fit their screen): ``--screen``, else the window's
    size in physical pixels."""
    import json

    if screen:
        w, h = (int(n) for n in screen.lower().split("x"))
    else:
        w, h = round(WIDTH * (scale or 1)), round(HEIGHT * (scale or 1))
    config = Path(tempfile.gettempdir()) / f"ccm-screenshots-screen-{w}x{h}.json"
    geometry = {"name": "screen", "x": 0, "y": 0, "width": w, "height": h}
    config.write_text(json.dumps({"screens": [geometry]}), encoding="utf-8")
    return f"offscreen:configfile={config}"


def on_small_demo(argv: list[str], shots: Callable[[Any, Any, Callable], None]) -> int:
    """For a tool that shoots one part: parse ``argv`` (``--out``, ``--screen``,
    ``--scale``, ``--patients``), build a small demo practice (at most 30 patients, see
    :func:`small_demo`) signed in as its nurse, and call ``shots(ctx, settings, save)``;
    writes wait before closing."""
    args = parse_args(argv)
    with small_demo(args, "ccm-part-shots", min(args.patients, 30)) as (ctx, settings):
        nurse = next(s for s in ctx.practice.staff() if s.credential == "RN")
        ctx.actor = ctx.practice.actor_for(nurse.username)
        shots(ctx, settings, saver(args.out, []))
    return 0


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    if "QT_QPA_PLATFORM" not in os.environ:
        os.environ["QT_QPA_PLATFORM"] = offscreen_screen(args.screen, args.scale)
    if args.scale:
        os.environ["QT_SCALE_FACTOR"] = str(args.scale)

    import keyring
    import keyring.backends.null
    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from ccm_desktop.app import create_practice, demo_passphrase
    from ccm_desktop.demo import build_demo
    from ccm_desktop.errors import WrongKey
    from ccm_desktop.paths import DataPaths
    from ccm_desktop.security.audit import Actor
    from ccm_desktop.services.base import Clock
    from ccm_desktop.ui.common import style
    from ccm_desktop.ui.common.dialogs import FirstRunDialog, PassphraseDialog, StaffPickerDialog
    from ccm_desktop.ui.main_window import MainWindow
    from ccm_desktop.ui.patients.import_dialog import ImportDialog
    from ccm_desktop.ui.practice.setup_wizard import SetupWizard

    keyring.set_keyring(keyring.backends.null.Keyring())  # never touch the real keyring
    app = QApplication([sys.argv[0]])
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []

    def settle(ms: int = 150) -> None:
        QTest.qWait(ms)

    save = saver(out, saved)

    work = Path(tempfile.gettempdir()) / "ccm-screenshots"  # fixed: same status bar each run
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    with _removed_after(work) as tmp:
        settings = QSettings(str(Path(tmp) / "settings.ini"), QSettings.Format.IniFormat)
        style.apply_style(app, settings)
        paths = DataPaths(Path(tmp) / "CCM Desktop Demo")
        ctx = create_practice(
            paths, demo_passphrase(), None, Actor.system("demo"), clock=Clock(lambda: NOW)
        )
        try:
            build_demo(ctx, patients=args.patients)
            staff = ctx.practice.staff()
            nurse = next(s for s in staff if s.credential == "RN")
            ctx.actor = ctx.practice.actor_for(nurse.username)

            # -- the main window ------------------------------------------------------
            window = MainWindow(ctx, settings, staff=nurse, demo=True)
            window.resize(*window_size(args.screen, args.scale))
            window.show()
            worklist_shots(ctx, window, save, wait_for)
            window.show_page("patients")
            page = window.patients_page
            wait_for(lambda: not page.loading)
            save(window, "patients")
            page.focus_search()
            QTest.keyClicks(page.search, "mar")
            wait_for(lambda: not page.loading)
            page.table.selectRow(0)
            save(window, "patients-search")
            page.clear_filters()
            page.status_combo.setCurrentIndex(page.status_combo.findData("enrolled"))
            page.program_combo.setCurrentIndex(page.program_combo.findData("pcm"))
            wait_for(lambda: not page.loading)
            save(window, "patients-filtered")
            page.clear_filters()
            QTest.keyClicks(page.search, "Zzyzx")
            wait_for(lambda: not page.loading)
            save(window, "patients-no-match")
            page.status_combo.setCurrentIndex(page.status_combo.findData("enrolled"))
            wait_for(lambda: not page.loading)
            save(window, "patients-no-match-filters")
            page.clear_filters()
            wait_for(lambda: not page.loading)
            window.show_page("practice")
            task = window.practice_page.start_verify()
            wait_for(lambda: task is None or not task.running)
            save(window, "practice")
            window.show_page("patients")
            window.set_text_size(150)
            save(window, "patients-large-text")
            window.set_text_size(100)

            # -- the import dialog: a good file, then one with problems -----------------
            good, bad = _import_files(Path(tmp))
            ctx.actor = ctx.practice.actor_for("front.rosa")  # the front desk imports
            dialog = ImportDialog(ctx, settings, window)
            dialog.resize(1000, 700)
            dialog.show()
            for csv_file, shot in ((good, "import-preview"), (bad, "import-problems")):
                dialog.load(csv_file)
                wait_for(lambda: dialog.task is not None and not dialog.task.running)
                save(dialog, shot)
            dialog.close()
            ctx.actor = ctx.practice.actor_for(nurse.username)

            # -- patient detail (each tab), the add-patient form, the condition picker --
            from tools.patient_shots import patient_shots

            patient_shots(ctx, window, save, wait_for)

            # -- one record per person, the administrator's Practice page, import warnings
            from tools.record_shots import record_shots

            record_shots(ctx, window, save, wait_for, Path(tmp))

            # -- the call timer: the bar in each state, the stop form, the recovery prompt
            from tools.timer_shots import timer_shots

            timer_shots(ctx, window, save, wait_for)

            # -- one patient's time log, its dialogs, the time import --------------------
            from tools.time_log_shots import time_log_shots

            ctx.actor = ctx.practice.actor_for(nurse.username)
            time_log_shots(ctx, window, settings, save, wait_for, Path(tmp))

            # -- one patient's care plan: the tab, compare, the print preview -----------
            from tools.careplan_view_shots import careplan_view_shots

            careplan_view_shots(ctx, window, save, wait_for, settle)
            from tools.careplan_editor_shots import careplan_editor_shots

            careplan_editor_shots(ctx, save, wait_for, settle)

            # -- the administrator's care-plan templates ---------------------------------
            from tools.template_shots import template_shots

            acting = ctx.actor
            template_shots(ctx, window, save, (1180, 760))  # acts as the administrator
            ctx.actor = acting
            window.close()

            # -- start-up dialogs -------------------------------------------------------
            first = FirstRunDialog(Path("C:/Users/frontdesk/AppData/Local/CCM Desktop"))
            first.show()
            save(first, "first-run")
            first.close()

            def wrong(_p: str) -> object:
                raise WrongKey("That passphrase does not open this practice database.")

            pp = PassphraseDialog(paths.root, wrong)  # type: ignore[arg-type]
            pp.show()
            save(pp, "passphrase")
            pp.edit.setText("not it")
            pp.try_open()
            wait_for(lambda: not pp.working())
            save(pp, "passphrase-wrong")
            pp.close()

            name = ctx.practice.practice().name
            picker = StaffPickerDialog(staff, name, preselect=nurse.username)
            picker.show()
            save(picker, "staff-picker")
            picker.close()

            # -- enrollment: wizard steps, decline, disenroll, consent preview ----------
            from tools.enrollment_shots import enrollment_shots

            enrollment_shots(ctx, save, settle)
        finally:
            ctx.close()

        # -- the set-up wizard, filled with made-up data --------------------------------
        wizard = SetupWizard(lambda _s, _p: None)  # type: ignore[arg-type, return-value]
        wizard.resize(860, 660)
        wizard.show()
        p1 = wizard.practice_page
        for key, text in (
            ("name", "Lakeside Internal Medicine"),
            ("npi", "1234567890"),
            ("tin", "98-7654321"),
            ("address", "1 Shore Rd"),
            ("city", "Duluth"),
            ("zip", "55802"),
            ("phone", "218-555-0100"),
            ("after_hours_phone", "218-555-0199"),
        ):
            p1.edits[key].setText(text)
            p1.errors.touch(f"practice.{key}")
        p1.state.setCurrentIndex(p1.state.findData("MN"))
        p1.timezone.setCurrentIndex(p1.timezone.findData("America/Chicago"))
        save(wizard, "setup-1-practice-error")
        p1.edits["npi"].setText("1234567893")
        save(wizard, "setup-1-practice")
        wizard.next()
        p2 = wizard.providers_page
        p2.name.setText("Alex Doctor, MD")
        p2.npi.setText("1234567893")
        p2.add_entry()
        p2.name.setText("Sam Rivers, NP")
        p2.credential.setCurrentIndex(p2.credential.findData("NP"))
        p2.npi.setText("1000000004")
        p2.add_entry()
        save(wizard, "setup-2-providers")
        wizard.next()
        p3 = wizard.staff_page
        p3.name.setText("Jo Manager")
        p3.credential.setCurrentIndex(p3.credential.findData("RN"))
        save(wizard, "setup-3-staff")
        wizard.next()
        p4 = wizard.passphrase_page
        p4.first.setText("maple syrup on a tuesday")
        p4.second.setText("maple syrup on a tuesday")
        p4.written.setChecked(True)
        save(wizard, "setup-4-passphrase")
        wizard.done(0)  # closed without the "Discard what you entered?" question
        QTimer.singleShot(0, app.quit)
        app.exec()

    # -- the care-plan print-outs, rendered with pdftoppm (a synthetic plan) ------------
    if shutil.which("pdftoppm"):
        pdf_shots = ROOT / "tools" / "careplan_pdf_shots.py"
        subprocess.run([sys.executable, str(pdf_shots), "--out", str(out)], check=True)
    else:
        print("pdftoppm is missing (poppler-utils): the care-plan print-outs were not drawn.")
    for p in saved:
        print(p)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
