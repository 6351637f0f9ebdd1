"""The patient list's table model and the minutes-this-month cell.

:class:`PatientTableModel` shows :class:`~ccm_desktop.services.patients.PatientRow` s
(plain dataclasses from the service); filtering happens in SQL, sorting in a
:class:`QSortFilterProxyModel` on :data:`SORT_ROLE`.
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
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QApplication,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionProgressBar,
    QStyleOptionViewItem,
    QWidget,
)

from ccm_desktop.services.enrollment import ACTIVE_STATUSES, PROGRAM_NAMES
from ccm_desktop.services.patients import PatientRow

Index = QModelIndex | QPersistentModelIndex

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
PATIENT_ID_ROLE = Qt.ItemDataRole.UserRole + 2
MINUTES_ROLE = Qt.ItemDataRole.UserRole + 3
TARGET_ROLE = Qt.ItemDataRole.UserRole + 4

# The first monthly time threshold of each time-based program (ccm-rules.md section 1),
# shown as a progress cue only; billing decisions belong to the billing engine.
MONTHLY_TARGET_MINUTES = {"ccm": 20, "complex_ccm": 60, "pcm": 30}

NAME, DOB, MRN, PROGRAM, STATUS, MINUTES, PROVIDER = range(7)


def monthly_target(row: PatientRow) -> int:
    """Minutes the patient's active program asks for this month; 0 when none applies."""
    if row.status not in ACTIVE_STATUSES:
        return 0
    return MONTHLY_TARGET_MINUTES.get(row.program, 0)


class PatientTableModel(QAbstractTableModel):
    """Read-only rows of the patient list; replace them all with :meth:`set_rows`."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[PatientRow] = []
        self._headers = [
            self.tr("Name"),
            self.tr("Date of birth"),
            self.tr("MRN"),
            self.tr("Program"),
            self.tr("Status"),
            self.tr("Minutes this month"),
            self.tr("Billing provider"),
        ]
        self._status_names = {
            "enrolled": self.tr("Enrolled"),
            "declined": self.tr("Declined"),
            "disenrolled": self.tr("Disenrolled"),
            "transferred": self.tr("Transferred"),
            "program_changed": self.tr("Program changed"),
            "": self.tr("Not enrolled"),
        }

    # -- content ---------------------------------------------------------------
    def set_rows(self, rows: Sequence[PatientRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def patient(self, row: int) -> PatientRow:
        return self._rows[row]

    def row_of(self, patient_id: int) -> int:
        """The model row showing ``patient_id``; -1 when it is not listed."""
        for i, r in enumerate(self._rows):
            if r.id == patient_id:
                return i
        return -1

    def status_name(self, status: str) -> str:
        return self._status_names.get(status, status.replace("_", " ").capitalize())

    def minutes_text(self, row: PatientRow) -> str:
        target = monthly_target(row)
        if target:
            return self.tr("{minutes} / {target} min").format(
                minutes=row.minutes_this_month, target=target
            )
        return self.tr("{minutes} min").format(minutes=row.minutes_this_month)

    def _text(self, row: PatientRow, column: int) -> str:
        if column == NAME:
            return row.name
        if column == DOB:
            return f"{row.dob:%m/%d/%Y}"
        if column == MRN:
            return row.mrn
        if column == PROGRAM:
            return PROGRAM_NAMES.get(row.program, row.program)
        if column == STATUS:
            return self.status_name(row.status)
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
            target = monthly_target(row)
            if target:
                return self.tr("{minutes} of {target} minutes this month").format(
                    minutes=row.minutes_this_month, target=target
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
            return monthly_target(row)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self._headers):
            if role == Qt.ItemDataRole.DisplayRole:
                return self._headers[section]
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
    """Draws minutes as a bar *with* the words ("14 / 20 min"), so colour is never alone."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        target = int(index.data(TARGET_ROLE) or 0)
        if not target:
            super().paint(painter, option, index)
            return
        minutes = int(index.data(MINUTES_ROLE) or 0)
        # The selection/background first, as for any cell.
        base = QStyleOptionViewItem(option)
        self.initStyleOption(base, index)
        base.text = ""
        widget: QWidget | None = option.widget  # type: ignore[assignment]
        style = widget.style() if widget else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, base, painter, widget)
        bar = QStyleOptionProgressBar()
        margin_v = max(2, option.rect.height() // 6)
        margin_h = max(4, option.fontMetrics.horizontalAdvance(" "))
        bar.rect = QRect(option.rect).adjusted(margin_h, margin_v, -margin_h, -margin_v)
        bar.minimum = 0
        bar.maximum = target
        bar.progress = min(minutes, target)
        bar.text = str(index.data(Qt.ItemDataRole.DisplayRole))
        bar.textVisible = True
        bar.textAlignment = Qt.AlignmentFlag.AlignCenter
        bar.state = option.state | QStyle.StateFlag.State_Horizontal
        bar.fontMetrics = option.fontMetrics
        bar.palette = option.palette
        style.drawControl(QStyle.ControlElement.CE_ProgressBar, bar, painter, widget)

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        hint = super().sizeHint(option, index)
        width = option.fontMetrics.horizontalAdvance("000 / 60 min") * 3 // 2
        return QSize(max(hint.width(), width), hint.height())
