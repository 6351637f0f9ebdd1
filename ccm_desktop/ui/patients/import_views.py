"""The two tables of the import dialog: the file's first rows, and the problems found."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Signal
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QVBoxLayout, QWidget

from ccm_desktop.importers import RowProblem
from ccm_desktop.importers.csvfile import CsvPreview, CsvRow
from ccm_desktop.ui.common.models import Column, RecordTableModel
from ccm_desktop.ui.common.style import heading, note


def table_view(name: str) -> QTableView:
    """A read-only, whole-row-selecting table with an accessible name."""
    table = QTableView()
    table.setAccessibleName(name)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.setTabKeyNavigation(False)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setHighlightSections(False)
    return table


class PreviewTable(QWidget):
    """The first rows of the file under its own column names, each with its row number."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model: RecordTableModel[CsvRow] = RecordTableModel([], self)
        self.title = heading(self.tr("The file's rows"), 1.1)
        self.table = table_view(self.tr("First rows of the file"))
        self.table.setModel(self.model)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.table, 1)

    def show_preview(self, preview: CsvPreview | None) -> None:
        """Show ``preview`` (``None``: empty)."""
        columns: list[Column[CsvRow]] = [Column(self.tr("Row"), lambda r: str(r.number))]
        for i, name in enumerate(preview.columns if preview else []):
            columns.append(Column(name or "—", lambda r, k=str(i): r.values.get(k, "")))
        self.model = RecordTableModel(columns, self)
        self.model.set_rows(preview.rows if preview else [])
        self.table.setModel(self.model)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.resizeColumnsToContents()
        limit = self.fontMetrics().averageCharWidth() * 28
        for c in range(len(columns)):
            header.resizeSection(c, min(header.sectionSize(c), limit))
        more = preview is not None and preview.more
        self.title.setText(
            self.tr("First {n} rows of the file").format(n=len(preview.rows))
            if preview is not None and more
            else self.tr("The file's rows")
        )

    def select_row_number(self, number: int) -> bool:
        """Select the row the spreadsheet numbers ``number``; False if it is not shown."""
        rows = self.model.records()
        match = next((i for i, r in enumerate(rows) if r.number == number), -1)
        if match < 0:
            self.table.clearSelection()
            return False
        target = self.model.index(match, 0)
        self.table.selectionModel().setCurrentIndex(
            target,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.table.scrollTo(target)
        return True


class ProblemList(QWidget):
    """Every problem as "row, column, problem"; ``chosen(row)`` when one is clicked."""

    chosen = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model: RecordTableModel[RowProblem] = RecordTableModel([], self)
        self.table = table_view(self.tr("Problems to fix in the file"))
        self.table.setWordWrap(True)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.clicked.connect(self._chosen)
        self.table.activated.connect(self._chosen)
        self.title = heading("", 1.1)
        self.explain = note("")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.explain)
        layout.addWidget(self.table, 1)
        self._titles(warnings=False)

    def _titles(self, *, warnings: bool) -> None:
        rows = self.tr(
            "Row numbers are those your spreadsheet shows: the column names are row 1. "
            "Click a line to see its row above."
        )
        if warnings:
            title = self.tr("To check (these do not stop the import)")
            explain = self.tr(
                "These rows are imported as written. A value that starts with =, +, - or @ "
                "would run as a formula in a spreadsheet (an export shows it as text); a "
                "patient who looks like one already on file can be merged afterwards."
            )
        else:
            title = self.tr("Problems to fix in the file")
            explain = ""
        whole_row = self.tr("(whole row)")
        self.model = RecordTableModel(
            [
                Column(self.tr("Row"), lambda p: str(p.row), lambda p: p.row),
                Column(self.tr("Column"), lambda p: p.column or whole_row),
                Column(self.tr("Warning") if warnings else self.tr("Problem"), lambda p: p.message),
            ],
            self,
        )
        self.table.setModel(self.model)
        self.title.setText(title)
        self.table.setAccessibleName(title)
        self.explain.setText(f"{explain} {rows}".strip())

    def set_problems(self, problems: list[RowProblem], *, warnings: bool = False) -> None:
        """List ``problems`` (``warnings``: values to check that do not stop the import)."""
        self._titles(warnings=warnings)
        self.model.set_rows(problems)
        header = self.table.horizontalHeader()
        fm = self.fontMetrics()
        pad = fm.averageCharWidth() * 3
        for column in (0, 1):
            texts = [str(self.model.headerData(column, header.orientation()))]
            texts += [self.model.index(r, column).data() for r in range(len(problems))]
            widest = max(fm.horizontalAdvance(t) for t in texts)
            header.resizeSection(column, min(widest, fm.averageCharWidth() * 24) + pad)
        self.table.resizeRowsToContents()

    def _chosen(self, index: QModelIndex) -> None:
        self.chosen.emit(self.model.record(index.row()).row)
