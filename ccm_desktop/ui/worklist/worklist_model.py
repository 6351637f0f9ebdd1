"""The worklist's table model: :class:`~ccm_desktop.services.worklist.WorklistRow` s in
the order the service gives them (urgency first: docs/architecture.md, "The worklist
page"), one row replaceable on its own when a patient's minutes change."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from ccm_desktop.services.worklist import WorklistRow
from ccm_desktop.ui.common.date_field import us_date
from ccm_desktop.ui.common.labels import phone_text
from ccm_desktop.ui.common.vocabulary import program_label

Index = QModelIndex | QPersistentModelIndex
PATIENT_ID_ROLE = Qt.ItemDataRole.UserRole + 2

# Flags before the last two: on a small screen what to do shows before what is the same
# for most rows.
PATIENT, MRN, PHONE, PROGRAM, MINUTES, TO_NEXT, FLAGS, LAST_CONTACT, DAYS_LEFT = range(9)
NONE_MARK = "—"  # an empty cell; its accessible text says what it means
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_NUMBERS = frozenset({MINUTES, DAYS_LEFT})


class WorklistModel(QAbstractTableModel):
    """Read-only worklist rows; :meth:`set_rows` replaces them all, :meth:`replace_row`
    one patient's (a timer stop: the row changes in place, the order stays)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[WorklistRow] = []
        self._where: dict[int, int] = {}  # patient id -> row number
        self._headers = [
            self.tr("Patient"),
            self.tr("MRN"),
            self.tr("Phone"),
            self.tr("Program"),
            self.tr("Minutes"),
            self.tr("To next code"),
            self.tr("Flags"),
            self.tr("Last contact"),
            self.tr("Days left"),
        ]
        self._tips = {
            MINUTES: self.tr("Minutes this calendar month that count for the program"),
            TO_NEXT: self.tr("Minutes still needed this month for the next billing code"),
            DAYS_LEFT: self.tr("Days left in the month, today included"),
            LAST_CONTACT: self.tr("The last time staff reached the patient or caregiver"),
        }

    # -- contents --------------------------------------------------------------
    def set_rows(self, rows: Sequence[WorklistRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._where = {r.patient_id: i for i, r in enumerate(self._rows)}
        self.endResetModel()

    def replace_row(self, row: WorklistRow) -> bool:
        """Show ``row`` in place of the same patient's; False when the patient is not listed."""
        i = self._where.get(row.patient_id)
        if i is None:
            return False
        self._rows[i] = row
        self.dataChanged.emit(self.index(i, 0), self.index(i, len(self._headers) - 1))
        return True

    def rows(self) -> list[WorklistRow]:
        return list(self._rows)

    def row_of(self, patient_id: int) -> int | None:
        return self._where.get(patient_id)

    def record(self, row: int) -> WorklistRow:
        return self._rows[row]

    # -- Qt --------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def flags(self, index: Index) -> Qt.ItemFlag:
        return _FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self._headers):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tips.get(section)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        r = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(r, column)
        if role in (Qt.ItemDataRole.AccessibleTextRole, Qt.ItemDataRole.ToolTipRole):
            return self.spoken(r, column)
        if role == PATIENT_ID_ROLE:
            return r.patient_id
        if role == Qt.ItemDataRole.TextAlignmentRole and column in _NUMBERS:
            return _RIGHT
        return None

    def text(self, r: WorklistRow, column: int) -> str:
        """What the cell shows."""
        if column == PATIENT:
            return r.name
        if column == MRN:
            return r.mrn
        if column == PHONE:
            return phone_text(r.phone) if r.phone else NONE_MARK
        if column == PROGRAM:
            return program_label(r.program) if r.program else NONE_MARK
        if column == MINUTES:
            return str(r.minutes)
        if column == TO_NEXT:
            return to_next_text(r)
        if column == DAYS_LEFT:
            return str(r.days_left)
        if column == LAST_CONTACT:
            return us_date(r.last_contact) if r.last_contact else NONE_MARK
        return "; ".join(r.flags)  # FLAGS

    def spoken(self, r: WorklistRow, column: int) -> str:
        """The cell in words for a screen reader and the tooltip (no bare dash)."""
        if column == TO_NEXT and r.to_next is None:
            return self.tr("No further code can be reached this month")
        if column == LAST_CONTACT and r.last_contact is None:
            return self.tr("No contact recorded")
        if column == PHONE and not r.phone:
            return self.tr("No phone number")
        if column == FLAGS and not r.flags:
            return self.tr("Nothing flagged")
        return self.text(r, column)


def to_next_text(r: WorklistRow) -> str:
    """ "6 min for 99490", or a dash when no further code can be reached this month."""
    if r.to_next is None or not r.next_code:
        return NONE_MARK
    words = QCoreApplication.translate("WorklistModel", "{n} min for {code}")
    return words.format(n=r.to_next, code=r.next_code)
