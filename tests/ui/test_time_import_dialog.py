"""Importing care-management time through the window: File > Import time entries…, the
same preview and problems by row and column as the patient import, then the time log."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from ccm_desktop.app import AppContext
from ccm_desktop.importers.time import TIME_COLUMNS
from ccm_desktop.ui.main_window import MainWindow
from ccm_desktop.ui.patients import import_dialog
from ccm_desktop.ui.patients.import_dialog import ImportDialog
from ccm_desktop.ui.patients.patient_detail import TIME
from tests.csvdata import write_csv

pytestmark = pytest.mark.gui


def cells(view) -> list[list[str]]:
    m = view.model()
    return [[m.index(r, c).data() for c in range(m.columnCount())] for r in range(m.rowCount())]


def entry(**overrides: str) -> dict[str, str]:
    row = {
        "mrn": "A100",
        "staff": "nurse.kim",
        "date": "2026-11-12",
        "start_time": "09:00",
        "minutes": "12",
        "activity": "call_patient",
        "contact": "yes",
        "note": "Reviewed blood sugar log",
    }
    return row | overrides


def idle(qtbot, dialog: ImportDialog) -> None:
    qtbot.waitUntil(lambda: dialog.task is not None and not dialog.task.running, timeout=30000)


@pytest.fixture
def window(qtbot, ctx: AppContext, settings: QSettings, sample, monkeypatch):
    """The main window of a care manager; the file dialog answers with ``window.pick``."""
    ctx.actor = ctx.practice.actor_for("nurse.kim")
    w = MainWindow(ctx, settings)
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    w.pick = ""  # type: ignore[attr-defined]
    kinds: list[str] = []

    def ask(_parent, _folder: str, kind: str = "patients") -> str:
        kinds.append(kind)
        return w.pick  # type: ignore[attr-defined]

    monkeypatch.setattr(import_dialog, "ask_for_csv", ask)
    w.kinds = kinds  # type: ignore[attr-defined]
    yield w
    if w.import_dialog is not None and w.import_dialog.task is not None:
        qtbot.waitUntil(lambda: not w.import_dialog.task.running, timeout=30000)
    qtbot.waitUntil(lambda: not w.detail_page.loading and not w.detail_page.time_tab.loading)


def open_dialog(qtbot, window: MainWindow, path: Path) -> ImportDialog:
    window.pick = str(path)  # type: ignore[attr-defined]
    window.import_time_action.trigger()
    dialog = window.import_dialog
    assert dialog is not None and dialog.isVisible()
    assert window.kinds == ["time"]  # type: ignore[attr-defined]
    idle(qtbot, dialog)
    return dialog


def test_a_bad_row_is_named_by_row_and_column_and_nothing_is_imported(
    qtbot, window, ctx, sample, tmp_path, shots
):
    path = write_csv(
        tmp_path / "time.csv",
        TIME_COLUMNS,
        [
            entry(),
            entry(date="2026-11-13", minutes="about ten"),
            entry(date="2026-11-14", staff="front"),
        ],
    )
    d = open_dialog(qtbot, window, path)
    assert d.windowTitle() == "Import time entries"
    assert cells(d.preview.table)[0][:4] == ["2", "A100", "nurse.kim", "2026-11-12"]
    problems = cells(d.problems.table)
    assert [p[:2] for p in problems] == [["3", "minutes"], ["4", "staff"]]
    assert "not clinical staff" in problems[1][2]
    assert d.summary.text().startswith("2 problems: nothing will be imported")
    assert not d.import_button.isEnabled()
    shots(d, "time-import-problems")
    assert len(ctx.time_log.month(sample.doe).entries) == 1  # only the fixture's entry
    d.reject()


def test_a_good_file_imports_and_the_time_log_shows_the_entries(
    qtbot, window, ctx, sample, tmp_path
):
    path = write_csv(
        tmp_path / "time.csv",
        TIME_COLUMNS,
        [entry(), entry(date="2026-11-13", start_time="2:30 PM", minutes="8", contact="no")],
    )
    d = open_dialog(qtbot, window, path)
    assert d.summary.text() == (
        "2 rows checked: 2 new time entries. Nothing has changed yet: choose Import."
    )
    assert d.import_button.isEnabled()
    d.import_button.click()
    idle(qtbot, d)
    assert d.summary.text() == "Imported 2 rows: 2 new time entries."
    d.reject()
    tab = window.detail_page.time_tab
    with qtbot.waitSignal(tab.loaded, timeout=5000):
        window.open_patient(sample.doe)
    window.detail_page.tabs.setCurrentIndex(TIME)
    rows = cells(tab.table)
    assert [r[:3] + r[6:8] for r in rows] == [
        ["11/13/2026", "2:30 PM", "8 min", "Imported", "Counts"],
        ["11/12/2026", "9:00 AM", "12 min", "Imported", "Counts"],
        ["11/10/2026", "10:00 AM", "14 min", "Entered by hand", "Counts"],
    ]
    assert tab.totals.text() == "Counted 34 min (clinical staff 34, practitioner 0)"
