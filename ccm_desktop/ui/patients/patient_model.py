"""The patient list's table model and the minutes-this-month cell.

:class:`PatientTableModel` shows :class:`~ccm_desktop.services.patients.PatientRow` s
(slots dataclasses from the service). The filters run in SQL; the search runs here, in
memory, over every row the filters let through (``services.patient_list.search_rows``;
only over the last matches when the text grows, ``services.list_search``), so typing
costs no query; sorting is :meth:`PatientTableModel.sort` (the view's header
calls it), and the search keeps the sorted order instead of sorting again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSize,
    Qt,
)
from PySide6.QtGui import QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from ccm_desktop import rules
from ccm_desktop.rules import Threshold
from ccm_desktop.services.list_search import search_from
from ccm_desktop.services.patient_list import same_rows, search_rows
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

_PROGRAMS = codes(Program)
_DISPLAY = Qt.ItemDataRole.DisplayRole
_ACCESSIBLE = Qt.ItemDataRole.AccessibleTextRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole
_ANSWERED = (_DISPLAY, _ACCESSIBLE, _TOOLTIP, SORT_ROLE, PATIENT_ID_ROLE, MINUTES_ROLE, TARGET_ROLE)
_ROLES = frozenset(int(r) for r in _ANSWERED)
_ROW_FLAGS = (  # built once: combining flags costs more than the rest of flags()
    Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
)


def _thresholds(row: PatientRow) -> tuple[Threshold, ...]:
    """The time thresholds of the patient's program while enrolled, leaving included."""
    enrolled = row.status in ACTIVE_STATUSES or row.leaving is not None
    if not enrolled or row.program not in _PROGRAMS:
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


def sort_key(row: PatientRow, column: int) -> str | int:
    """What ``column`` sorts ``row`` by (the cell's words in lower case, or a number or
    date; names by last, first, then id). Pure: a worker thread may call it."""
    if column == NAME:
        return f"{row.last_name.lower()}\x00{row.first_name.lower()}\x00{row.id:010d}"
    if column == DOB:
        return row.dob.isoformat()
    if column == MINUTES:
        return row.minutes_this_month
    if column == MRN:
        return row.mrn.lower()
    if column == PROGRAM:
        return program_label(row.program).lower()
    if column == STATUS:
        return status_text(row.status, row.leaving).lower()
    return row.billing_provider.lower()


def sorted_rows(rows: Sequence[PatientRow], by: tuple[int, Qt.SortOrder]) -> list[PatientRow]:
    """``rows`` in the order the model shows for ``by`` = (column, order). Pure: the page
    sorts a re-read on its worker, then hands it over with ``set_rows(sorted_by=by)``."""
    column, order = by
    return sorted(
        rows, key=lambda r: sort_key(r, column), reverse=order == Qt.SortOrder.DescendingOrder
    )


class PatientTableModel(QAbstractTableModel):
    """Read-only rows of the patient list: every row the filters let through
    (:meth:`set_rows`, kept sorted) and, of those, the ones the search text matches
    (:meth:`set_search`), in the same order."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._all: list[PatientRow] = []  # sorted
        self._rows: list[PatientRow] = []  # shown: the search's matches in ``_all``
        self._search = ""
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
    def set_rows(
        self,
        rows: Sequence[PatientRow],
        search: str | None = None,
        sorted_by: tuple[int, Qt.SortOrder] | None = None,
    ) -> None:
        """Replace every row (kept in the current sort order) and show those the search
        matches (``search``, or the current search when None). ``sorted_by``: the order
        ``rows`` already have (:func:`sorted_rows`, on a worker); sorted again only when the
        model's order has changed since."""
        self.beginResetModel()
        self._all = list(rows) if sorted_by == self._sort else self._sorted(rows)
        if search is not None:
            self._search = search
        self._rows = self._matching()
        self.endResetModel()

    @property
    def sort_order(self) -> tuple[int, Qt.SortOrder]:
        """The (column, order) the rows are sorted by."""
        return self._sort

    def set_search(self, text: str) -> None:
        """Show the rows ``text`` matches (services.patient_list.search_rows), in order.

        A text that extends the last one searches only its matches (services/list_search);
        when the rows shown do not change, the model is not reset (no repaint)."""
        if not text:
            rows = self._all
        else:
            rows = search_from(self._all, self._rows, self._search, text)
        self._search = text
        if same_rows(rows, self._rows):
            return
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    @property
    def search(self) -> str:
        """The search text the shown rows match."""
        return self._search

    @property
    def all_rows(self) -> Sequence[PatientRow]:
        """Every row the filters let through, in order (do not change it)."""
        return self._all

    @property
    def all_count(self) -> int:
        """How many rows the filters let through (shown or not)."""
        return len(self._all)

    @property
    def rows(self) -> Sequence[PatientRow]:
        """The rows shown, in order (do not change it)."""
        return self._rows

    def _matching(self) -> list[PatientRow]:
        return search_rows(self._all, self._search) if self._search else self._all

    def _sorted(self, rows: Sequence[PatientRow]) -> list[PatientRow]:
        return sorted_rows(rows, self._sort)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort in Python (a few ms for thousands of rows; a proxy model calling
        ``data()`` for every comparison took a fifth of a second)."""
        if not 0 <= column < len(self._headers):
            return
        self._sort = (column, order)
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        moved = [(self._rows[i.row()].id, i.column()) for i in persistent]
        self._all = self._sorted(self._all)
        self._rows = self._matching()
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
        return sort_key(row, column)

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
        # Called about fifty times per visible row and paint, mostly for roles this model
        # does not answer (font, colours, alignment...): those leave first.
        if role not in _ROLES:
            return None
        n = index.row()
        if not 0 <= n < len(self._rows) or not index.isValid():
            return None
        row = self._rows[n]
        if role == _DISPLAY or role == _ACCESSIBLE:
            return self._text(row, index.column())
        if role == _TOOLTIP:
            return self._tooltip(row, index.column())
        if role == SORT_ROLE:
            return self._sort_key(row, index.column())
        if role == PATIENT_ID_ROLE:
            return row.id
        if role == MINUTES_ROLE:
            return row.minutes_this_month
        return bar_target(row)  # TARGET_ROLE

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
        return _ROW_FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags


# Built once: enum look-ups and flag arithmetic cost more than drawing a cell's bar.
_CE_ITEM = QStyle.ControlElement.CE_ItemViewItem
_SELECTED = QStyle.StateFlag.State_Selected
_HIGHLIGHTED_TEXT, _TEXT = QPalette.ColorRole.HighlightedText, QPalette.ColorRole.Text
_BAR_EDGE, _BAR_TRACK, _BAR_FILL = (
    QPalette.ColorRole.Dark,
    QPalette.ColorRole.Base,
    QPalette.ColorRole.Highlight,
)
_TEXT_ALIGN = int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft)


class MinutesDelegate(QStyledItemDelegate):
    """A short bar followed by the words ("[████░░] 14 / 20 min"): colour is never alone.

    The bar runs to the next time threshold (``TARGET_ROLE``); it is full, with the minutes
    alone as words, once every threshold is met. It is three rectangles in the palette's
    colours (edge ``Dark``, track ``Base``, filled part ``Highlight``), so it follows the
    palette, a high-contrast one included, and stays visible on a selected row (the track
    is the base colour there too). The style's progress bar cost a quarter of the list's
    paint (benchmarks/README.md, bench_search.py)."""

    SAMPLE = "000 / 000 min"

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        # Per font: pad, SAMPLE's width, a digit's width, the bar's height, and the widths
        # of the texts drawn (a few dozen distinct "14 / 20 min"): measured once, not per paint.
        self._fonts: dict[str, tuple[int, int, int, int, dict[str, int]]] = {}

    def _metrics(self, key: str, fm: QFontMetrics) -> tuple[int, int, int, int, dict[str, int]]:
        found = self._fonts.get(key)
        if found is None:
            if len(self._fonts) > 8:  # text sizes changed often: start again
                self._fonts.clear()
            found = self._fonts[key] = (
                max(3, fm.horizontalAdvance(" ")),
                fm.horizontalAdvance(self.SAMPLE),
                fm.horizontalAdvance("0"),
                max(fm.height() * 2 // 3, 6),
                {},
            )
        return found

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        model = index.model()
        if isinstance(model, PatientTableModel):  # the row itself: no trips through data()
            row = model.patient(index.row())
            target, minutes = bar_target(row), row.minutes_this_month
            text = model.minutes_text(row) if target else ""
        else:
            target = int(index.data(TARGET_ROLE) or 0)
            minutes = int(index.data(MINUTES_ROLE) or 0)
            text = str(index.data()) if target else ""
        if not target:
            super().paint(painter, option, index)
            return
        # The view's option has no text yet (initStyleOption would ask data() for it and
        # eight other roles): background and selection as for any cell, the rest below.
        widget: QWidget | None = option.widget  # type: ignore[assignment]
        style = widget.style() if widget else QApplication.style()
        style.drawControl(_CE_ITEM, option, painter, widget)

        fm = option.fontMetrics
        font = f"{option.font.key()}|{fm.height()}"  # the same font at another DPI differs
        pad, sample, zero, height, widths = self._metrics(font, fm)
        cell = option.rect.adjusted(pad, 0, -pad, 0)
        width = widths.get(text)
        if width is None:
            width = widths[text] = fm.horizontalAdvance(text)
        text_width = max(width, sample)
        bar_width = min(cell.width() - text_width - pad, zero * 8)
        palette = option.palette
        if bar_width >= zero * 3:
            top = cell.center().y() - height // 2
            painter.fillRect(cell.left(), top, bar_width, height, palette.color(_BAR_EDGE))
            inner = bar_width - 2
            painter.fillRect(cell.left() + 1, top + 1, inner, height - 2, palette.color(_BAR_TRACK))
            filled = inner * min(minutes, target) // target
            if filled > 0:
                painter.fillRect(
                    cell.left() + 1, top + 1, filled, height - 2, palette.color(_BAR_FILL)
                )
            cell.setLeft(cell.left() + bar_width + pad)
        selected = bool(option.state & _SELECTED)
        painter.setPen(palette.color(_HIGHLIGHTED_TEXT if selected else _TEXT))
        painter.drawText(cell, _TEXT_ALIGN, text)

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        hint = super().sizeHint(option, index)
        fm = option.fontMetrics
        width = fm.horizontalAdvance(self.SAMPLE) + fm.horizontalAdvance("0") * 10
        return QSize(max(hint.width(), width), hint.height())
