"""The patient list's table model and the minutes-this-month cell.

:class:`PatientTableModel` shows :class:`~ccm_desktop.services.patients.PatientRow` s
(plain dataclasses from the service); filtering happens in SQL, sorting in
:meth:`PatientTableModel.sort` (the view's header calls it).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
)
from PySide6.QtGui import QPainter, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionProgressBar,
    QStyleOptionViewItem,
    QWidget,
)

from ccm_desktop import rules
from ccm_desktop.rules import Threshold
from ccm_desktop.services.patients import PatientRow
from ccm_desktop.ui.common.enrollment_words import status_text
from ccm_desktop.ui.common.vocabulary import program_label
from ccm_desktop.vocab import ACTIVE_STATUSES, Program, RecordStatus, codes

Index = QModelIndex | QPersistentModelIndex

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
PATIENT_ID_ROLE = Qt.ItemDataRole.UserRole + 2
MINUTES_ROLE = Qt.ItemDataRole.UserRole + 3
TARGET_ROLE = Qt.ItemDataRole.UserRole + 4

NAME, DOB, MRN, PROGRAM, STATUS, MINUTES, PROVIDER = range(7)


def _thresholds(row: PatientRow) -> tuple[Threshold, ...]:
    """The time thresholds of the patient's program while enrolled, leaving included."""
    enrolled = row.status in ACTIVE_STATUSES or row.leaving is not None
    if not enrolled or row.program not in codes(Program):
        return ()
    return rules.program(row.program).thresholds


def next_threshold(row: PatientRow) -> Threshold | None:
    """The next monthly time threshold ahead of the patient's minutes (docs/medicare-rules.md,
    section 1), as a progress cue only: billing decisions belong to the billing engine.
    None when not enrolled, the program is not time-based, or every threshold is met."""
    if not _thresholds(row):
        return None
    return rules.next_threshold(row.program, row.minutes_this_month)


def bar_target(row: PatientRow) -> int:
    """The bar's full length in minutes: the next threshold, or the last one once all are met
    (a full bar); 0 for no bar."""
    thresholds = _thresholds(row)
    if not thresholds:
        return 0
    ahead = next_threshold(row)
    return ahead.minutes if ahead else thresholds[-1].minutes


class PatientTableModel(QAbstractTableModel):
    """Read-only rows of the patient list; replace them all with :meth:`set_rows`."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[PatientRow] = []
        self._sort: tuple[int, Qt.SortOrder] = (NAME, Qt.SortOrder.AscendingOrder)
        self._headers = [
            self.tr("Name"),
            self.tr("DOB"),
            self.tr("MRN"),
            self.tr("Program"),
            self.tr("Status"),
            self.tr("Minutes this month"),
            self.tr("Billing provider"),
        ]
        self._header_tips = {
            DOB: self.tr("Date of birth (month/day/year)"),
            MINUTES: self.tr("Care-management minutes this calendar month, and the program's goal"),
        }

    # -- content ---------------------------------------------------------------
    def set_rows(self, rows: Sequence[PatientRow]) -> None:
        """Replace every row (kept in the current sort order)."""
        self.beginResetModel()
        self._rows = self._sorted(rows)
        self.endResetModel()

    def _sorted(self, rows: Sequence[PatientRow]) -> list[PatientRow]:
        column, order = self._sort
        return sorted(
            rows,
            key=lambda r: self._sort_key(r, column),
            reverse=order == Qt.SortOrder.DescendingOrder,
        )

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort in Python (a few ms for thousands of rows; a proxy model calling
        ``data()`` for every comparison took a fifth of a second)."""
        if not 0 <= column < len(self._headers):
            return
        self._sort = (column, order)
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        moved = [(self._rows[i.row()].id, i.column()) for i in persistent]
        self._rows = self._sorted(self._rows)
        position = {r.id: n for n, r in enumerate(self._rows)}
        self.changePersistentIndexList(
            persistent, [self.index(position[pid], col) for pid, col in moved]
        )
        self.layoutChanged.emit()

    def patient(self, row: int) -> PatientRow:
        return self._rows[row]

    def row_of(self, patient_id: int) -> int:
        """The model row showing ``patient_id``; -1 when it is not listed."""
        for i, r in enumerate(self._rows):
            if r.id == patient_id:
                return i
        return -1

    def minutes_text(self, row: PatientRow) -> str:
        """ "14 / 20 min" toward the next threshold; "70 min" when there is none ahead."""
        ahead = next_threshold(row)
        if ahead:
            return self.tr("{minutes} / {target} min").format(
                minutes=row.minutes_this_month, target=ahead.minutes
            )
        return self.tr("{minutes} min").format(minutes=row.minutes_this_month)

    def _text(self, row: PatientRow, column: int) -> str:
        if column == NAME:
            if row.record_status != RecordStatus.ACTIVE:  # listed only when asked for
                return self.tr("{name} (entered in error)").format(name=row.name)
            return row.name
        if column == DOB:
            return f"{row.dob:%m/%d/%Y}"
        if column == MRN:
            return row.mrn
        if column == PROGRAM:
            return program_label(row.program)
        if column == STATUS:
            return status_text(row.status, row.leaving)
        if column == MINUTES:
            return self.minutes_text(row)
        return row.billing_provider

    def _sort_key(self, row: PatientRow, column: int) -> str | int:
        if column == NAME:
            return f"{row.last_name.lower()}\x00{row.first_name.lower()}\x00{row.id:010d}"
        if column == DOB:
            return row.dob.isoformat()
        if column == MINUTES:
            return row.minutes_this_month
        return self._text(row, column).lower()

    def _tooltip(self, row: PatientRow, column: int) -> str:
        if column == MINUTES:
            ahead = next_threshold(row)
            if ahead:
                return self.tr("{minutes} of {target} minutes this month (next: {code})").format(
                    minutes=row.minutes_this_month, target=ahead.minutes, code=ahead.code
                )
            if bar_target(row):
                return self.tr("{minutes} minutes this month: every time threshold is met").format(
                    minutes=row.minutes_this_month
                )
            return self.tr("{minutes} minutes this month").format(minutes=row.minutes_this_month)
        return self._text(row, column)

    # -- QAbstractTableModel ---------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row, column = self._rows[index.row()], index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._text(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, column)
        if role == SORT_ROLE:
            return self._sort_key(row, column)
        if role == PATIENT_ID_ROLE:
            return row.id
        if role == MINUTES_ROLE:
            return row.minutes_this_month
        if role == TARGET_ROLE:
            return bar_target(row)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self._headers):
            if role == Qt.ItemDataRole.DisplayRole:
                return self._headers[section]
            if role == Qt.ItemDataRole.ToolTipRole:
                return self._header_tips.get(section, self._headers[section])
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )


class MinutesDelegate(QStyledItemDelegate):
    """A short bar followed by the words ("[████░░] 14 / 20 min"): colour is never alone.

    The bar runs to the next time threshold (``TARGET_ROLE``); it is full, with the minutes
    alone as words, once every threshold is met."""

    SAMPLE = "000 / 000 min"

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        target = int(index.data(TARGET_ROLE) or 0)
        if not target:
            super().paint(painter, option, index)
            return
        minutes = int(index.data(MINUTES_ROLE) or 0)
        text = str(index.data(Qt.ItemDataRole.DisplayRole))
        base = QStyleOptionViewItem(option)
        self.initStyleOption(base, index)
        base.text = ""  # background and selection as for any cell; text drawn below
        widget: QWidget | None = option.widget  # type: ignore[assignment]
        style = widget.style() if widget else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, base, painter, widget)

        fm = option.fontMetrics
        pad = max(3, fm.horizontalAdvance(" "))
        cell = QRect(option.rect).adjusted(pad, 0, -pad, 0)
        text_width = max(fm.horizontalAdvance(text), fm.horizontalAdvance(self.SAMPLE))
        bar_width = min(cell.width() - text_width - pad, fm.horizontalAdvance("0") * 8)
        text_rect = QRect(cell)
        if bar_width >= fm.horizontalAdvance("0") * 3:
            bar = QStyleOptionProgressBar()
            height = max(fm.height() * 2 // 3, 6)
            bar.rect = QRect(cell.left(), cell.center().y() - height // 2, bar_width, height)
            bar.minimum, bar.maximum = 0, target
            bar.progress = min(minutes, target)
            bar.textVisible = False
            bar.state = QStyle.StateFlag.State_Enabled | QStyle.StateFlag.State_Horizontal
            bar.palette = option.palette
            style.drawControl(QStyle.ControlElement.CE_ProgressBar, bar, painter, widget)
            text_rect.setLeft(cell.left() + bar_width + pad)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        painter.save()
        painter.setPen(
            option.palette.color(
                QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
            )
        )
        painter.drawText(
            text_rect, int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft), text
        )
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        hint = super().sizeHint(option, index)
        fm = option.fontMetrics
        width = fm.horizontalAdvance(self.SAMPLE) + fm.horizontalAdvance("0") * 10
        return QSize(max(hint.width(), width), hint.height())
