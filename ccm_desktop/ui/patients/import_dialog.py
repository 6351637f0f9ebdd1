"""Import patients, or care-management time, from a CSV file: a preview, a check of every
row, then all or nothing.

:class:`ImportDialog` reads the first rows of the file for a preview, checks every row
off the GUI thread (``ctx.imports.patients(..., dry_run=True)``, or ``ctx.imports.time``
for ``kind="time"``), lists each problem by row and column, and enables Import only when
there is none. Import runs the real import off the GUI thread in one transaction:
everything is written, or (after a problem or a cancel) nothing. The patient list and the
time log refresh themselves from the event bus.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ccm_desktop.app import AppContext
from ccm_desktop.errors import CcmError
from ccm_desktop.importers import ImportReport, RowProblem
from ccm_desktop.importers.csvfile import CsvPreview, read_preview
from ccm_desktop.importers.patients import REQUIRED_COLUMNS
from ccm_desktop.importers.time import REQUIRED_COLUMNS as TIME_REQUIRED
from ccm_desktop.ui.common.forms import error_label
from ccm_desktop.ui.common.style import heading, note, relative_font
from ccm_desktop.ui.common.tasks import Progress, Task, run_task
from ccm_desktop.ui.common.writer import run_write
from ccm_desktop.ui.patients.import_views import PreviewTable, ProblemList

FOLDER_KEY = "import/last_folder"
PREVIEW_ROWS = 100
PATIENTS, TIME = "patients", "time"  # what a dialog imports


def ask_for_csv(parent: QWidget, folder: str, kind: str = PATIENTS) -> str:
    """The file the user picks in the system's file dialog; "" when they cancel."""
    path, _filter = QFileDialog.getOpenFileName(
        parent,
        parent.tr("Choose the time entries (CSV file)")
        if kind == TIME
        else parent.tr("Choose the patient list (CSV file)"),
        folder,
        parent.tr("CSV files (*.csv *.txt);;All files (*)"),
    )
    return path


class ImportDialog(QDialog):
    """Pick a CSV file, see it checked, import it. ``ctx.actor`` must be set; ``kind`` is
    ``"patients"`` or ``"time"`` (the columns of ``importers/time.py``).

    :meth:`load` starts a check of a file (tests call it directly); the Import button is
    enabled only after a check found no problem. Closing while work runs cancels it and
    closes once the worker has stopped (a cancelled import writes nothing).
    """

    def __init__(
        self,
        ctx: AppContext,
        settings: QSettings,
        parent: QWidget | None = None,
        *,
        kind: str = PATIENTS,
    ) -> None:
        super().__init__(parent)
        assert kind in (PATIENTS, TIME)
        self.ctx = ctx
        self.settings = settings
        self.kind = kind
        self.path: Path | None = None
        self.task: Task | None = None
        self.report: ImportReport | None = None
        self.imported: ImportReport | None = None
        self._close_when_done = False
        self.setWindowTitle(
            self.tr("Import time entries") if kind == TIME else self.tr("Import patients")
        )
        self._build()
        fm, screen = self.fontMetrics(), self.screen().availableGeometry()
        self.resize(
            min(fm.averageCharWidth() * 150, screen.width() * 9 // 10),
            min(fm.lineSpacing() * 46, screen.height() * 9 // 10),
        )

    # -- layout ----------------------------------------------------------------
    def _build(self) -> None:
        self.file_label = QLabel(self.tr("No file chosen yet."))
        self.file_label.setWordWrap(True)
        self.file_label.setTextFormat(Qt.TextFormat.PlainText)
        relative_font(self.file_label, 1.0, bold=True)
        self.choose_button = QPushButton(self.tr("Choose &another file…"))
        self.choose_button.clicked.connect(self.choose_file)
        self.recheck_button = QPushButton(self.tr("Check the file a&gain"))
        self.recheck_button.setToolTip(self.tr("After fixing the file and saving it"))
        self.recheck_button.clicked.connect(lambda: self.path and self.load(self.path))
        top = QHBoxLayout()
        top.addWidget(self.file_label, 1)
        top.addWidget(self.recheck_button)
        top.addWidget(self.choose_button)
        self.message = error_label()  # the file cannot be read at all
        self.message.setTextFormat(Qt.TextFormat.PlainText)

        self.preview = PreviewTable()
        self.problems = ProblemList()
        self.problems.chosen.connect(self._problem_chosen)
        self.split = QSplitter(Qt.Orientation.Vertical)
        self.split.setChildrenCollapsible(False)
        self.split.addWidget(self.preview)
        self.split.addWidget(self.problems)
        self.split.setStretchFactor(0, 3)
        self.split.setStretchFactor(1, 2)

        self.bar = QProgressBar()
        self.bar.setAccessibleName(self.tr("Progress"))
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.cancel_button = QPushButton(self.tr("&Stop"))
        self.cancel_button.setToolTip(self.tr("Stop; nothing is imported"))
        self.cancel_button.clicked.connect(self.cancel)
        work = QHBoxLayout()
        work.addWidget(self.bar, 1)
        work.addWidget(self.cancel_button)

        self.summary = QLabel()
        self.summary.setObjectName("importSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        relative_font(self.summary, 1.1, bold=True)

        buttons = QDialogButtonBox()
        self.import_button = buttons.addButton(
            self.tr("&Import"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.import_button.setEnabled(False)
        self.import_button.clicked.connect(self.start_import)
        self.close_button = buttons.addButton(
            self.tr("&Close"), QDialogButtonBox.ButtonRole.RejectRole
        )
        self.close_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(
            heading(
                self.tr("Import care-management time from a CSV file")
                if self.kind == TIME
                else self.tr("Import patients from a CSV file")
            )
        )
        if self.kind == TIME:
            layout.addWidget(
                note(
                    self.tr(
                        "Columns: mrn, staff (a username), date (YYYY-MM-DD), start_time "
                        "(HH:MM, the practice's clock), minutes, activity; contact (yes/no) "
                        "and note are optional. The same file imported twice adds nothing."
                    )
                )
            )
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addWidget(self.split, 1)
        layout.addLayout(work)
        layout.addWidget(self.status)
        layout.addWidget(self.summary)
        layout.addWidget(buttons)
        self._set_busy(False)
        self.problems.hide()
        self.recheck_button.hide()

    # -- choosing and checking -------------------------------------------------
    def choose_file(self) -> bool:
        """Ask for a file (starting in the last folder used) and check it; False if cancelled."""
        if self.task is not None and self.task.running:
            return False
        folder = str(self.settings.value(FOLDER_KEY, "") or Path.home())
        chosen = (
            ask_for_csv(self, folder) if self.kind == PATIENTS else ask_for_csv(self, folder, TIME)
        )
        if not chosen:
            return False
        path = Path(chosen)
        self.settings.setValue(FOLDER_KEY, str(path.parent))
        self.load(path)
        return True

    def load(self, path: Path) -> None:
        """Show the first rows of ``path`` and check every row off the GUI thread."""
        self.path = Path(path)
        self.report = self.imported = None
        self.file_label.setText(self.tr("File: {name}").format(name=self.path.name))
        self.file_label.setToolTip(str(self.path))
        self.message.hide()
        self.summary.clear()
        self.preview.show_preview(None)
        self.problems.hide()
        self.recheck_button.show()
        self.import_button.setEnabled(False)
        target = self.path

        required, what = (
            (TIME_REQUIRED, "time entry") if self.kind == TIME else (REQUIRED_COLUMNS, "patient")
        )

        def read(_progress: Progress) -> CsvPreview:
            return read_preview(target, required, PREVIEW_ROWS, what)

        self._start(read, self.tr("Reading the file…"), self._previewed)

    def _previewed(self, preview: CsvPreview) -> None:
        """The first rows are shown; now check every row (a dry run of the import)."""
        assert self.task is not None and self.path is not None
        if self.task.progress.cancel_requested:
            self._cancelled()
            return
        self.preview.show_preview(preview)
        run, actor, target = self._importer(), self.ctx.actor, self.path
        assert actor is not None, "ImportDialog needs ctx.actor"

        def check(progress: Progress) -> ImportReport:
            return run(actor, target, dry_run=True, progress=progress)

        self._start(check, self.tr("Checking every row…"), self._checked)

    def _importer(self) -> Callable[..., ImportReport]:
        """The import service's call for this dialog's kind."""
        return self.ctx.imports.time if self.kind == TIME else self.ctx.imports.patients

    def _start(self, fn: object, text: str, on_success: object, *, write: bool = False) -> None:
        """Run ``fn`` off the GUI thread: a check on the general pool, the import itself
        on the one serialized writer (ui/common/writer.py)."""
        self.status.setText(text)
        self.bar.setRange(0, 0)
        self._set_busy(True)
        self.task = (run_write if write else run_task)(
            fn,  # type: ignore[arg-type]
            self,
            on_success=on_success,  # type: ignore[arg-type]
            on_failure=self._failed,
            on_progress=self._progressed,
        )
        self.task.cancelled.connect(self._cancelled)
        self.task.finished.connect(self._finished)

    def _set_busy(self, busy: bool) -> None:
        for w in (self.bar, self.cancel_button):
            w.setVisible(busy)
        self.cancel_button.setEnabled(busy)
        self.choose_button.setEnabled(not busy)
        self.recheck_button.setEnabled(not busy)
        if busy:
            self.import_button.setEnabled(False)

    def _progressed(self, done: int, total: int, _text: str) -> None:
        rows = total // 2  # the importer counts each row twice: checked, then written
        if rows <= 0:
            return
        if self.report is None:  # checking
            self.bar.setRange(0, rows)
            self.bar.setValue(min(done, rows))
            self.status.setText(
                self.tr("Checking row {done} of {rows}…").format(
                    done=f"{min(done, rows):,}", rows=f"{rows:,}"
                )
            )
        else:
            self.bar.setRange(0, total)
            self.bar.setValue(min(done, total))
            self.status.setText(self.tr("Importing… Nothing is saved until every row is in."))

    def _checked(self, report: ImportReport) -> None:
        self.report = report
        self.status.clear()
        if report.problems:
            self._show_problems(report.problems)
            self.summary.setText(
                self._count(
                    len(report.problems),
                    self.tr("1 problem: nothing will be imported until it is fixed."),
                    self.tr("{n} problems: nothing will be imported until they are fixed."),
                )
                + " "
                + self.tr("Fix the file, save it, then choose 'Check the file again'.")
            )
        elif report.rows - report.skipped == 0:
            self.summary.setText(
                self.tr("The file has column names but no time entries.")
                if self.kind == TIME
                else self.tr("The file has column names but no patients.")
            )
        else:
            self.summary.setText(self._counts(report, done=False) + self._warned(report))
            if report.warnings:
                self._show_problems(report.warnings, warnings=True)
            self.import_button.setEnabled(True)
            self.import_button.setDefault(True)
            self.import_button.setFocus()

    def _show_problems(self, problems: list[RowProblem], *, warnings: bool = False) -> None:
        self.problems.set_problems(problems, warnings=warnings)
        self.problems.show()

    def _warned(self, report: ImportReport) -> str:
        """ " 2 warnings below: those rows are still imported." ("" when none)."""
        if not report.warnings:
            return ""
        return " " + self._count(
            len(report.warnings),
            self.tr("1 warning below: its row is still imported."),
            self.tr("{n} warnings below: those rows are still imported."),
        )

    def _problem_chosen(self, row: int) -> None:
        """A problem was clicked: select its row in the preview, or say it is further down."""
        if self.preview.select_row_number(row) or row <= 1:
            self.status.clear()
            return
        self.status.setText(
            self.tr("Row {row} is further down the file than the rows shown.").format(row=row)
        )

    # -- importing ---------------------------------------------------------------
    def start_import(self) -> None:
        """Write the checked file in one transaction (only after a check with no problem)."""
        if self.report is None or not self.report.ok or self.path is None:
            return
        run, actor, target = self._importer(), self.ctx.actor, self.path
        assert actor is not None

        def write(progress: Progress) -> ImportReport:
            return run(actor, target, progress=progress)

        self._start(write, self.tr("Importing…"), self._imported, write=True)

    def _imported(self, report: ImportReport) -> None:
        self.status.clear()
        if not report.written:  # the file changed since the check
            self.report = None
            self._show_problems(report.problems)
            self.summary.setText(
                self.tr(
                    "The file changed since it was checked and now has problems. "
                    "Nothing was imported."
                )
            )
            return
        self.imported = report
        self.summary.setText(self._counts(report, done=True) + self._warned(report))
        self.import_button.setEnabled(False)
        self.close_button.setText(self.tr("&Done"))
        self.close_button.setFocus()

    def _counts(self, report: ImportReport, *, done: bool) -> str:
        """ "6 rows checked: 4 new patients, 2 updates." (counts of zero are left out)."""
        tr = self.tr
        rows = self._count(report.rows, tr("1 row"), tr("{n} rows"))
        new = (
            (tr("1 new time entry"), tr("{n} new time entries"))
            if self.kind == TIME
            else (tr("1 new patient"), tr("{n} new patients"))
        )
        parts = [
            self._count(n, one, many)
            for n, one, many in (
                (report.created, *new),
                (report.updated, tr("1 update"), tr("{n} updates")),
                (report.unchanged, tr("1 already up to date"), tr("{n} already up to date")),
                (report.skipped, tr("1 blank row skipped"), tr("{n} blank rows skipped")),
            )
            if n
        ]
        if done:
            return tr("Imported {rows}: {parts}.").format(rows=rows, parts=", ".join(parts))
        return tr("{rows} checked: {parts}. Nothing has changed yet: choose Import.").format(
            rows=rows, parts=", ".join(parts)
        )

    @staticmethod
    def _count(n: int, one: str, many: str) -> str:
        return one if n == 1 else many.format(n=f"{n:,}")

    # -- endings -------------------------------------------------------------------
    def _failed(self, exc: BaseException) -> None:
        self.status.clear()
        if isinstance(exc, CcmError):  # ImportFileError: says what is wrong in plain words
            text = str(exc)
        else:
            text = self.tr("The file could not be read: {error}").format(error=exc)
        if self.report is not None:
            text += " " + self.tr("Nothing was imported.")
            self.report = None
        self.message.setText(text)
        self.message.show()

    def _cancelled(self) -> None:
        self.status.clear()
        if self.report is None:
            self.summary.setText(self.tr("Check stopped. Nothing was imported."))
        else:
            self.summary.setText(
                self.tr("Import stopped. Nothing was imported: the time log is as it was.")
                if self.kind == TIME
                else self.tr("Import stopped. Nothing was imported: the patient list is as it was.")
            )
            self.import_button.setEnabled(True)

    def _finished(self) -> None:
        if self.task is not None and self.task.running:
            return  # the file was read and its check has started
        self._set_busy(False)
        if self.report is not None and self.report.ok and self.imported is None:
            self.import_button.setEnabled(True)
        if self._close_when_done:
            super().reject()

    def cancel(self) -> None:
        """Stop the check or the import at its next step; nothing is written."""
        if self.task is not None and self.task.running:
            self.task.cancel()
            self.cancel_button.setEnabled(False)
            self.status.setText(self.tr("Stopping…"))

    def reject(self) -> None:
        """Close (or Escape): a running check or import is stopped first."""
        if self.task is not None and self.task.running:
            self._close_when_done = True
            self.cancel()
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.task is not None and self.task.running:
            self.reject()
            event.ignore()
            return
        super().closeEvent(event)
