"""What an import found and did: row problems and the counts of a run.

Row numbers count the header as row 1, so the first data row is row 2: the same
number a spreadsheet shows at the left of that line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ccm_desktop.errors import CcmError

Progress = Callable[[int, int], None]

ROW_CONVENTION = "Row numbers count the header as row 1, so the first data row is row 2."


class ImportFileError(CcmError):
    """The file cannot be read as a CSV table at all (missing, empty, binary, a workbook)."""


@dataclass
class RowProblem:
    """One problem in one row. ``row`` counts the header as row 1 (first data row: 2);
    ``column`` names the column, or is empty when the problem is the whole row."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        if self.column:
            return f"row {self.row}, {self.column}: {self.message}"
        return f"row {self.row}: {self.message}"


@dataclass
class ImportReport:
    """The outcome of an import or a dry run.

    ``rows`` counts the data rows (not the header, not blank lines at the end);
    ``skipped`` counts blank rows in between. ``created``/``updated``/``unchanged`` are
    what was written, or what would be written in a dry run; when there are
    ``problems`` nothing is written (all or nothing). ``warnings`` (values a spreadsheet
    would run as a formula, a new patient like an existing one) do not stop an import:
    those rows are written as they are.
    ``written`` is True only when the changes were committed.
    """

    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    warnings: list[RowProblem] = field(default_factory=list)
    dry_run: bool = False
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        """One plain sentence: what was checked or imported."""
        rows = f"{self.rows} row{'s' if self.rows != 1 else ''}"
        if self.problems:
            n = len(self.problems)
            return f"Checked {rows}: {n} problem{'s' if n != 1 else ''}. Nothing was written."
        counts = f"{self.created} new, {self.updated} updated, {self.unchanged} unchanged"
        if self.skipped:
            counts += f", {self.skipped} blank skipped"
        if self.written:
            return f"Imported {rows}: {counts}.{self._warned()}"
        return (
            f"Checked {rows}: no problems ({counts}).{self._warned()} Dry run: nothing was written."
        )

    def _warned(self) -> str:
        n = len(self.warnings)
        if not n:
            return ""
        return (
            " 1 warning: the row is still imported."
            if n == 1
            else f" {n} warnings: those rows are still imported."
        )


def audit_summary(report: ImportReport, file_name: str) -> dict[str, object]:
    """The detail of an import's summary audit event."""
    return {
        "file": file_name,
        "rows": report.rows,
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
    }


class ProgressSteps:
    """Calls ``progress(done, total)`` now and then, over a check phase and a write phase.

    ``total`` is twice the number of rows (each row is checked, then written), so a
    progress bar moves once from 0 to total; it jumps to the end when nothing is written.
    """

    def __init__(self, progress: Progress | None, rows: int, every: int = 500) -> None:
        self._progress = progress
        self.total = max(2 * rows, 1)
        self._every = every
        self._last = -every

    def at(self, done: int, *, force: bool = False) -> None:
        if self._progress is None:
            return
        if force or done - self._last >= self._every:
            self._last = done
            self._progress(min(done, self.total), self.total)

    def finish(self) -> None:
        self.at(self.total, force=True)
