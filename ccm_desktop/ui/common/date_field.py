"""The one date field of the application: typed as MM/DD/YYYY or picked from a calendar.

Used by the patient form, the condition picker, and the enrollment wizard and dialogs, so
a date looks and behaves the same everywhere. A click (or Tab) into the field selects its
text, so typing replaces the date at once; 11022026 and 11/2/2026 both become 11/02/2026.
Empty is allowed (optional dates) unless ``required``.

The core takes ISO dates (YYYY-MM-DD); :meth:`DateField.iso` turns what was typed into one,
or returns the text unchanged when it is not a date, so the core's check names the field.
:meth:`DateField.problem` is the field's own message (not a date, in the future, before
``earliest``) for the owner to show next to it, and :meth:`DateField.attach` wires it to a
:class:`~ccm_desktop.ui.common.forms.FieldErrors`.
"""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCalendarWidget,
    QHBoxLayout,
    QLineEdit,
    QMenu,
    QToolButton,
    QWidget,
    QWidgetAction,
)

if TYPE_CHECKING:
    from ccm_desktop.ui.common.forms import FieldErrors

_US = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DIGITS = re.compile(r"(\d{2})(\d{2})(\d{4})")  # 03041950, typed without separators


def parse_us_date(text: str) -> date | None:
    """03/04/1950, 3/4/1950, 03041950 or 1950-03-04 as a date; None when blank or not a
    real date."""
    t = text.strip()
    for pattern, order in ((_US, (2, 0, 1)), (_ISO, (0, 1, 2)), (_DIGITS, (2, 0, 1))):
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


class _SelectOnFocus(QObject):
    """Selects the editor's text when it gets the focus, after the click has placed the
    cursor, so typing replaces the whole date (no fighting a half-kept old date)."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not isinstance(watched, QLineEdit):
            return False
        kind = event.type()
        entering = kind == QEvent.Type.FocusIn or (
            kind == QEvent.Type.MouseButtonPress and not watched.hasFocus()
        )
        if entering:
            QTimer.singleShot(0, watched, watched.selectAll)  # not after it is gone
        return False


class DateField(QWidget):
    """A line edit for MM/DD/YYYY with a calendar button next to it.

    ``editor`` is the focusable part (give it the label's buddy and the tab order).
    ``today`` refuses later dates (a birth, a consent, a visit cannot be in the future);
    ``earliest`` refuses earlier ones, named by ``earliest_text`` ("the date of birth").
    The calendar offers only dates in that range.
    """

    changed = Signal()

    def __init__(
        self,
        accessible_name: str,
        parent: QWidget | None = None,
        *,
        today: date | None = None,
        earliest: date | None = None,
        earliest_text: str = "",
        required: bool = False,
        value: date | None = None,
    ) -> None:
        super().__init__(parent)
        self.today = today
        self.earliest = earliest
        self.earliest_text = earliest_text
        self.required = required
        self.editor = QLineEdit()
        self.editor.setPlaceholderText(self.tr("MM/DD/YYYY"))
        self.editor.setAccessibleName(accessible_name)
        self.editor.setMaxLength(16)  # room to type over a date without losing keys
        self._select_on_focus = _SelectOnFocus(self)
        self.editor.installEventFilter(self._select_on_focus)
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
        self._limit_calendar()
        if value is not None:
            self.set_value(value)

    def set_range(self, earliest: date | None, today: date | None) -> None:
        """Refuse dates before ``earliest`` and after ``today`` (None: no bound)."""
        self.earliest, self.today = earliest, today
        self._limit_calendar()
        self.changed.emit()

    def problem(self) -> str:
        """What is wrong with the typed date, in plain words ("" when nothing is)."""
        if not self.text():
            return self.tr("Enter the date.") if self.required else ""
        d = self.value()
        if d is None:
            return self.tr("Type the date as MM/DD/YYYY, like 03/04/1950.")
        if self.today is not None and d > self.today:
            return self.tr("The date cannot be in the future (today is {today}).").format(
                today=us_date(self.today)
            )
        if self.earliest is not None and d < self.earliest:
            if self.earliest_text:
                return self.tr("The date cannot be before {what} ({date}).").format(
                    what=self.earliest_text, date=us_date(self.earliest)
                )
            return self.tr("The date cannot be before {date}.").format(date=us_date(self.earliest))
        return ""

    def attach(self, errors: FieldErrors, field: str) -> None:
        """Let ``errors`` show ``field``'s message once the user leaves the typed part (or
        types a whole date), as for any other field."""
        self.editor.installEventFilter(errors)
        self._attached = (errors, field)
        self.editor.editingFinished.connect(self._touch)
        self.editor.textChanged.connect(self._touch_when_whole)
        errors.editors[field] = self.editor

    def _touch(self) -> None:
        errors, field = self._attached
        try:
            errors.touch(field)
        except RuntimeError:  # focus left while the dialog's labels were being deleted
            pass

    def _touch_when_whole(self, _text: str) -> None:
        if self.value() is not None:
            self._touch()

    def _limit_calendar(self) -> None:
        low = self.earliest or date(1900, 1, 1)
        high = self.today or date(2100, 12, 31)
        self.calendar.setDateRange(
            QDate(low.year, low.month, low.day), QDate(high.year, high.month, high.day)
        )

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
