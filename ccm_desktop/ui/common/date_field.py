"""A date typed as MM/DD/YYYY or picked from a calendar; empty is allowed (optional dates).

The core takes ISO dates (YYYY-MM-DD); :meth:`DateField.iso` turns what was typed into one,
or returns the text unchanged when it is not a date, so the core's check names the field.
"""

from __future__ import annotations

import re
from datetime import date

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QCalendarWidget,
    QHBoxLayout,
    QLineEdit,
    QMenu,
    QToolButton,
    QWidget,
    QWidgetAction,
)

_US = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


def parse_us_date(text: str) -> date | None:
    """03/04/1950, 3/4/1950 or 1950-03-04 as a date; None when blank or not a real date."""
    t = text.strip()
    for pattern, order in ((_US, (2, 0, 1)), (_ISO, (0, 1, 2))):
        m = pattern.fullmatch(t)
        if m:
            parts = [int(g) for g in m.groups()]
            try:
                return date(parts[order[0]], parts[order[1]], parts[order[2]])
            except ValueError:
                return None
    return None


def us_date(d: date | None) -> str:
    """MM/DD/YYYY, or "" for no date."""
    return d.strftime("%m/%d/%Y") if d else ""


class DateField(QWidget):
    """A line edit for MM/DD/YYYY with a calendar button next to it.

    ``editor`` is the focusable part (give it the label's buddy and the tab order).
    """

    changed = Signal()

    def __init__(self, accessible_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editor = QLineEdit()
        self.editor.setPlaceholderText(self.tr("MM/DD/YYYY"))
        self.editor.setAccessibleName(accessible_name)
        self.editor.setMaxLength(10)
        width = self.editor.fontMetrics().horizontalAdvance("00/00/00000")
        self.editor.setMinimumWidth(width + self.editor.fontMetrics().height())
        self.editor.textChanged.connect(self.changed)
        self.editor.editingFinished.connect(self._tidy)
        self.calendar = QCalendarWidget()
        self.calendar.setGridVisible(True)
        self.calendar.clicked.connect(self._picked)
        self.calendar.activated.connect(self._picked)
        menu = QMenu(self)
        action = QWidgetAction(menu)
        action.setDefaultWidget(self.calendar)
        menu.addAction(action)
        menu.aboutToShow.connect(self._prepare_calendar)
        self.menu = menu
        self.button = QToolButton()
        self.button.setText(self.tr("Calendar"))
        self.button.setToolTip(self.tr("Pick the date from a calendar"))
        self.button.setAccessibleName(
            self.tr("Pick {what} from a calendar").format(what=accessible_name.lower())
        )
        self.button.clicked.connect(self.show_calendar)  # no menu arrow squeezing the text
        self.button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # typing is the keyboard way
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.editor)
        layout.addWidget(self.button)
        layout.addStretch(1)
        self.setFocusProxy(self.editor)

    def text(self) -> str:
        return self.editor.text().strip()

    def value(self) -> date | None:
        """The typed date, or None when blank or not a date."""
        return parse_us_date(self.text())

    def set_value(self, d: date | None) -> None:
        self.editor.setText(us_date(d))

    def is_bad(self) -> bool:
        """Something is typed that is not a date."""
        return bool(self.text()) and self.value() is None

    def iso(self) -> str:
        """YYYY-MM-DD for a date, "" when blank, else the text as typed."""
        d = self.value()
        return d.isoformat() if d else self.text()

    def show_calendar(self) -> None:
        """Pop the calendar up under the button."""
        self.menu.popup(self.button.mapToGlobal(self.button.rect().bottomLeft()))

    def _tidy(self) -> None:
        d = self.value()
        if d is not None and self.editor.text() != us_date(d):
            self.editor.setText(us_date(d))

    def _prepare_calendar(self) -> None:
        d = self.value()
        if d is not None:
            self.calendar.setSelectedDate(QDate(d.year, d.month, d.day))
        self.calendar.setFocus()

    def _picked(self, qd: QDate) -> None:
        self.set_value(date(qd.year(), qd.month(), qd.day()))
        self.menu.close()
        self.editor.setFocus()
