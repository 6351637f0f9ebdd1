"""The serialized writer and the exception hook, on real widgets and a real database."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QPushButton

from ccm_desktop import icd10
from ccm_desktop.importers.patients import PATIENT_COLUMNS
from ccm_desktop.ui.common.errors import ExceptionHook
from ccm_desktop.ui.common.writer import run_write, write_pool
from ccm_desktop.ui.patients.patient_form import PatientFormDialog
from tests.csvdata import patient_row, write_csv
from tests.ui.test_patient_form import choose, fill

pytestmark = pytest.mark.gui


class Ticker:
    """Counts the longest pause of the GUI thread's event loop while it runs."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setInterval(5)
        self.last = time.perf_counter()
        self.worst = 0.0
        self.timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        now = time.perf_counter()
        self.worst = max(self.worst, now - self.last)
        self.last = now

    def start(self) -> None:
        self.last = time.perf_counter()
        self.timer.start()


def test_writes_run_one_at_a_time_on_one_thread(qapp):
    assert write_pool().maxThreadCount() == 1
    order: list[str] = []

    def slow(_p: object) -> None:
        time.sleep(0.2)
        order.append("first")

    first = run_write(slow)
    done = run_write(lambda _p: order.append("second"))
    deadline = time.perf_counter() + 5
    while done.running and time.perf_counter() < deadline:
        qapp.processEvents()
    assert order == ["first", "second"] and not first.running


def test_a_save_while_a_long_import_runs_does_not_freeze_the_window(qtbot, ctx, tmp_path: Path):
    icd10.exists("I10")  # the code set is loaded when a patient opens, long before an import
    admin = ctx.practice.actor_for("admin")
    big = write_csv(tmp_path / "big.csv", PATIENT_COLUMNS, [patient_row(i) for i in range(1, 3001)])
    imported: list[object] = []
    import_task = run_write(
        lambda p: ctx.imports.patients(admin, big, progress=p), on_success=imported.append
    )
    form = PatientFormDialog(ctx)
    form.show()
    fill(qtbot, form, last_name="Queue", first_name="Waits", dob="02/03/1950", mrn="W9001")
    choose(form.sex, "F")
    ticker = Ticker()
    ticker.start()
    started = time.perf_counter()
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    click = time.perf_counter() - started
    assert import_task.running  # the save was made while the import was still going
    qtbot.waitUntil(lambda: not form.isVisible(), timeout=120_000)
    ticker.timer.stop()
    assert imported and imported[0].written  # type: ignore[attr-defined]
    assert ctx.patients.find_by_mrn("W9001").data.last_name == "Queue"
    assert ctx.patients.count() == 3001
    assert click < 0.2, f"the Save click took {click:.2f} s"
    assert ticker.worst < 0.5, f"the window stood still for {ticker.worst:.2f} s"


def test_an_unexpected_error_shows_a_plain_dialog_and_logs_the_details(qtbot, tmp_path):
    shown: list[tuple[str, str]] = []
    hook = ExceptionHook(tmp_path / "logs", show=lambda t, m: shown.append((t, m))).install()
    button = QPushButton("Boom")
    qtbot.addWidget(button)

    def broken() -> None:
        raise ValueError("patient Jane Secretname, key x'00ff00ff'")

    button.clicked.connect(broken)
    try:
        button.click()  # the exception leaves a slot: PySide hands it to sys.excepthook
    finally:
        hook.uninstall()
    assert len(shown) == 1
    title, words = shown[0]
    assert title == "Something went wrong"
    assert "What was saved before is safe" in words and "ccm-desktop.log" in words
    assert "Secretname" not in words  # the exception's own text never reaches the dialog
    log = (tmp_path / "logs" / "ccm-desktop.log").read_text()
    assert "ValueError" in log and "broken" in log
    assert "00ff00ff" not in log  # key-like text is blanked
