"""Importing patients through the dialog: preview, check, problems, import, cancel."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt

from ccm_desktop.app import AppContext
from ccm_desktop.importers.patients import PATIENT_COLUMNS
from ccm_desktop.importers.service import ImportService
from ccm_desktop.ui.main_window import MainWindow
from ccm_desktop.ui.patients import import_dialog
from ccm_desktop.ui.patients.import_dialog import FOLDER_KEY, ImportDialog
from ccm_desktop.ui.patients.patient_model import NAME
from tests.csvdata import patient_row, patients_csv, write_csv

pytestmark = pytest.mark.gui


def idle(qtbot, dialog: ImportDialog, timeout: int = 30000) -> None:
    qtbot.waitUntil(lambda: dialog.task is not None and not dialog.task.running, timeout=timeout)


@pytest.fixture
def window(qtbot, ctx: AppContext, settings: QSettings, monkeypatch, tmp_path: Path):
    """The main window on an empty practice; the file dialog answers with ``window.pick``."""
    ctx.actor = ctx.practice.actor_for("admin")
    w = MainWindow(ctx, settings)
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    qtbot.waitUntil(lambda: not w.patients_page.loading, timeout=5000)
    w.pick = ""  # type: ignore[attr-defined]
    asked: list[str] = []

    def ask(_parent, folder: str) -> str:
        asked.append(folder)
        return w.pick  # type: ignore[attr-defined]

    monkeypatch.setattr(import_dialog, "ask_for_csv", ask)
    w.asked = asked  # type: ignore[attr-defined]
    yield w
    if w.import_dialog is not None and w.import_dialog.task is not None:
        qtbot.waitUntil(lambda: not w.import_dialog.task.running, timeout=30000)
    qtbot.waitUntil(lambda: not w.patients_page.loading, timeout=5000)


def open_dialog(qtbot, window: MainWindow, path: Path) -> ImportDialog:
    window.pick = str(path)  # type: ignore[attr-defined]
    window.import_action.trigger()
    dialog = window.import_dialog
    assert dialog is not None and dialog.isVisible()
    idle(qtbot, dialog)
    return dialog


@pytest.fixture
def dialog_for(qtbot, ctx: AppContext, settings: QSettings):
    """A bare dialog checking ``path`` (no main window)."""
    ctx.actor = ctx.practice.actor_for("admin")
    made: list[ImportDialog] = []

    def make(path: Path | None = None) -> ImportDialog:
        d = ImportDialog(ctx, settings)
        qtbot.addWidget(d)
        d.show()
        made.append(d)
        if path is not None:
            d.load(path)
        return d

    yield make
    for d in made:
        if d.task is not None:
            qtbot.waitUntil(lambda d=d: not d.task.running, timeout=30000)


def names(window: MainWindow) -> list[str]:
    model = window.patients_page.model
    return [model.index(r, NAME).data() for r in range(model.rowCount())]


def test_good_file_is_previewed_checked_imported_and_listed(qtbot, window, ctx, tmp_path, shots):
    page = window.patients_page
    assert page.empty_import_button.isVisibleTo(page) and page.import_button.isVisibleTo(page)
    rows = [
        patient_row(1),
        patient_row(2),
        patient_row(3, program="", consent_date="", consent_method=""),
    ]
    f = write_csv(tmp_path / "clinic list.csv", PATIENT_COLUMNS, rows)
    dialog = open_dialog(qtbot, window, f)

    assert dialog.file_label.text() == "File: clinic list.csv"
    assert window.settings.value(FOLDER_KEY) == str(tmp_path)
    model = dialog.preview.model
    assert model.rowCount() == 3
    assert model.headerData(0, Qt.Orientation.Horizontal) == "Row"
    assert model.headerData(1, Qt.Orientation.Horizontal) == "mrn"
    assert [model.index(r, 1).data() for r in range(3)] == ["T000001", "T000002", "T000003"]
    assert model.index(0, 0).data() == "2"  # the spreadsheet's row number
    assert dialog.summary.text() == (
        "3 rows checked: 3 new patients. Nothing has changed yet: choose Import."
    )
    assert not dialog.problems.isVisibleTo(dialog)
    assert dialog.import_button.isEnabled()
    assert ctx.patients.count() == 0  # the check wrote nothing
    shots(dialog, "import-good")

    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    idle(qtbot, dialog)
    assert dialog.summary.text() == "Imported 3 rows: 3 new patients."
    assert not dialog.import_button.isEnabled()
    assert dialog.close_button.text() == "&Done"
    assert ctx.patients.count() == 3
    # The list refreshes itself from the event bus.
    qtbot.waitUntil(lambda: page.model.rowCount() == 3, timeout=5000)
    assert names(window) == sorted(f"{r['last_name']}, {r['first_name']}" for r in rows)
    assert page.count_label.text() == "3 patients"
    dialog.close()


def test_last_folder_is_offered_next_time(qtbot, window, tmp_path):
    f = patients_csv(tmp_path / "p.csv", 2)
    dialog = open_dialog(qtbot, window, f)
    dialog.reject()
    window.pick = ""  # the user cancels the file dialog: no import dialog
    window.import_patients()
    assert window.asked[-1] == str(tmp_path)


def test_two_bad_rows_are_listed_and_nothing_can_be_imported(qtbot, window, ctx, tmp_path, shots):
    rows = [
        patient_row(1),
        patient_row(2, mbi="1EG4-TE5-MK7S"),  # S is never used in an MBI
        patient_row(3),
        patient_row(4, dob="1950-02-30"),
    ]
    f = write_csv(tmp_path / "p.csv", PATIENT_COLUMNS, rows)
    before = ctx.patients.count()
    dialog = open_dialog(qtbot, window, f)

    problems = dialog.problems.model
    listed = [
        tuple(problems.index(r, c).data() for c in range(3)) for r in range(problems.rowCount())
    ]
    assert [(row, column) for row, column, _ in listed] == [("3", "mbi"), ("5", "dob")]
    assert all(message for _, _, message in listed)
    assert dialog.problems.isVisibleTo(dialog)
    assert dialog.summary.text().startswith(
        "2 problems: nothing will be imported until they are fixed."
    )
    assert not dialog.import_button.isEnabled()
    shots(dialog, "import-problems")

    # Clicking a problem selects its row in the preview.
    rect = dialog.problems.table.visualRect(problems.index(1, 2))
    qtbot.mouseClick(dialog.problems.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    selected = dialog.preview.table.selectionModel().selectedRows()
    assert [dialog.preview.model.index(i.row(), 0).data() for i in selected] == ["5"]

    dialog.start_import()  # even if called, nothing happens
    assert dialog.task is not None and not dialog.task.running
    assert ctx.patients.count() == before


def test_formula_like_values_are_listed_as_warnings_and_the_file_still_imports(
    qtbot, window, ctx, tmp_path, shots
):
    rows = [
        patient_row(1),
        patient_row(2, last_name='=HYPERLINK("http://example.invalid","Open")'),
        patient_row(3, city="@Columbus", address="-1 Example Street"),
    ]
    dialog = open_dialog(qtbot, window, write_csv(tmp_path / "p.csv", PATIENT_COLUMNS, rows))
    listed = dialog.problems.model
    assert [
        (listed.index(r, 0).data(), listed.index(r, 1).data()) for r in range(listed.rowCount())
    ] == [("3", "last_name"), ("4", "address"), ("4", "city")]
    assert dialog.problems.isVisibleTo(dialog)
    assert dialog.problems.title.text() == "To check (these do not stop the import)"
    assert listed.headerData(2, Qt.Orientation.Horizontal) == "Warning"
    assert dialog.summary.text().endswith("3 warnings below: those rows are still imported.")
    assert dialog.import_button.isEnabled()
    qtbot.wait(50)  # let the layout take in the list shown after the check
    shots(dialog, "import-warnings")
    dialog.import_button.click()
    idle(qtbot, dialog)
    assert dialog.imported is not None and dialog.imported.written
    assert dialog.summary.text().startswith("Imported 3 rows: 3 new patients.")
    assert ctx.patients.find_by_mrn("T000003").data.city == "@Columbus"


def test_row_beyond_the_preview_is_named(qtbot, dialog_for, tmp_path, monkeypatch):
    monkeypatch.setattr(import_dialog, "PREVIEW_ROWS", 5)
    rows = [patient_row(i) for i in range(8)] + [patient_row(9, sex="Q")]
    d = dialog_for(write_csv(tmp_path / "p.csv", PATIENT_COLUMNS, rows))
    idle(qtbot, d)
    assert d.preview.model.rowCount() == 5
    assert d.preview.title.text() == "First 5 rows of the file"
    d.problems.table.activated.emit(d.problems.model.index(0, 0))
    assert d.status.text() == "Row 10 is further down the file than the rows shown."
    assert not d.preview.table.selectionModel().hasSelection()


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("patients.xlsx", b"PK\x03\x04 not really a workbook", "is an Excel workbook"),
        ("empty.csv", b"", "is empty"),
        ("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "is not a CSV text file"),
        ("header.csv", b"mrn,last_name,first_name,dob,sex\r\n,,,,\r\n", "no patient under"),
        ("commas.csv", b",,,,\r\n,,,,\r\n", "only blank rows or separators"),
    ],
)
def test_a_file_that_is_not_csv_gets_a_plain_message(
    qtbot, dialog_for, ctx, tmp_path, name, content, words
):
    f = tmp_path / name
    f.write_bytes(content)
    d = dialog_for(f)
    idle(qtbot, d)
    assert d.message.isVisibleTo(d)
    assert words in d.message.text()
    assert not d.import_button.isEnabled()
    assert d.preview.model.rowCount() == 0
    assert ctx.patients.count() == 0


def test_cancel_right_away_writes_nothing(qtbot, dialog_for, ctx, tmp_path):
    d = dialog_for()
    d.load(patients_csv(tmp_path / "big.csv", 1200))
    d.cancel()  # while the file is still being read
    idle(qtbot, d)
    assert d.summary.text() == "Check stopped. Nothing was imported."
    assert not d.import_button.isEnabled()
    assert ctx.patients.count() == 0


def test_cancel_during_the_check_writes_nothing(qtbot, dialog_for, ctx, tmp_path, monkeypatch):
    real = ImportService.patients

    def cancel_after_the_first_rows(self, *args, progress, **kwargs):
        def report(done: int, total: int, text: str = "") -> None:
            if done > 1:
                progress.request_cancel()  # as if Stop was pressed while rows are checked
            progress(done, total, text)

        return real(self, *args, progress=report, **kwargs)

    monkeypatch.setattr(ImportService, "patients", cancel_after_the_first_rows)
    d = dialog_for(patients_csv(tmp_path / "big.csv", 1200))
    idle(qtbot, d)
    assert d.task is not None and d.task.was_cancelled
    assert d.preview.model.rowCount() == 100  # the preview stays
    assert d.summary.text() == "Check stopped. Nothing was imported."
    assert not d.import_button.isEnabled()
    assert ctx.patients.count() == 0


def test_cancel_while_writing_rolls_everything_back(qtbot, dialog_for, ctx, tmp_path, monkeypatch):
    real = ImportService.patients

    def cancel_in_the_write_phase(self, *args, progress, **kwargs):
        def report(done: int, total: int, text: str = "") -> None:
            if not kwargs.get("dry_run") and done > total // 2:
                progress.request_cancel()  # as if Stop was pressed after a batch was written
            progress(done, total, text)

        return real(self, *args, progress=report, **kwargs)

    monkeypatch.setattr(ImportService, "patients", cancel_in_the_write_phase)
    d = dialog_for(patients_csv(tmp_path / "p.csv", 1200))
    idle(qtbot, d)
    assert d.import_button.isEnabled()
    d.start_import()
    idle(qtbot, d)
    assert d.task is not None and d.task.was_cancelled
    assert d.summary.text() == (
        "Import stopped. Nothing was imported: the patient list is as it was."
    )
    assert ctx.patients.count() == 0
