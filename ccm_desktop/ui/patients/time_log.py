"""The patient page's Time tab: the time log of one patient, one calendar month at a time.

A month picker (previous, next, or a month that has entries), the month's totals (what
counts, split by clinical staff and practitioner time, and what does not) with the way to
the program's thresholds as a bar and in words, and a table of every entry, voided ones
struck through and marked in words, each saying whether it counts or why not. Add, edit
and void open the dialogs of ``time_dialogs.py``; History shows every change of an entry.

The month is read off the GUI thread (``ctx.time_log`` and ``ctx.totals``); the tab reads
again whenever the detail page hands it fresh data, which the page does on every change
of this patient's time (docs/architecture.md, "The time log").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ccm_desktop.app import AppContext
from ccm_desktop.gate import Permission, role_words
from ccm_desktop.services.base import end_of_month
from ccm_desktop.services.time_counts import EntryStatus, MonthTotal
from ccm_desktop.services.time_log import LogEntry, MonthLog
from ccm_desktop.ui.common.dialogs import describe
from ccm_desktop.ui.common.forms import error_label
from ccm_desktop.ui.common.models import Column, RecordTableModel
from ccm_desktop.ui.common.style import note, relative_font
from ccm_desktop.ui.common.tasks import Progress, Task, run_task
from ccm_desktop.ui.common.vocabulary import activity_label, role_label, time_source_label
from ccm_desktop.ui.patients.detail_data import DetailData
from ccm_desktop.ui.patients.detail_tabs import read_only_table
from ccm_desktop.ui.patients.time_dialogs import (
    HistoryDialog,
    TimeEntryDialog,
    VoidDialog,
    clock_text,
    day_text,
    month_text,
    tr,
)
from ccm_desktop.ui.timer.steps_bar import StepsBar

Index = QModelIndex | QPersistentModelIndex
EDIT = Permission.TIME_EDIT
WHO, ACTIVITY, COUNTS, NOTE = 3, 4, 7, 8
# Widest a long column grows, in average characters (longer text is elided; its tooltip
# has it all); the note, last, takes the width left.
CAPS = {WHO: 22, ACTIVITY: 20, COUNTS: 42}


@dataclass(frozen=True)
class LogData:
    """What the tab shows for one month: the entries, the totals, each entry's status."""

    log: MonthLog
    total: MonthTotal
    statuses: dict[int, EntryStatus]


def load_month(ctx: AppContext, patient_id: int, year: int | None, month: int | None) -> LogData:
    """Read one month of the time log (core reads only: safe in a worker)."""
    log = ctx.time_log.month(patient_id, year, month)
    return LogData(
        log,
        ctx.totals.month_total(patient_id, log.year, log.month),
        ctx.totals.entry_statuses(patient_id, log.year, log.month),
    )


def counts_text(e: LogEntry, status: EntryStatus | None) -> str:
    """ "Counts", "Voided: counts toward nothing", or "Not billable: " and the core's reason
    ("before consent on 3/4/2026")."""
    if e.voided:
        return tr("Voided: counts toward nothing")
    if status is None or status.counts:
        return tr("Counts")
    return tr("Not billable: {reason}").format(reason=status.reason)


def totals_text(t: MonthTotal) -> str:
    """ "Counted 34 min (clinical staff 24, practitioner 10); not counted 5 min"."""
    text = tr("Counted {n} min (clinical staff {staff}, practitioner {doc})").format(
        n=t.counted, staff=t.staff_minutes, doc=t.practitioner_minutes
    )
    if t.not_counted:
        text += tr("; not counted {n} min").format(n=t.not_counted)
    return text


class TimeLogModel(RecordTableModel[LogEntry]):
    """The month's entries; a voided one is struck through, greyed and says so."""

    def __init__(self, tab: TimeLogTab) -> None:
        self.tab = tab
        super().__init__(
            [
                Column(tr("Date"), lambda e: day_text(e.started_at, tab.tz())),
                Column(tr("Start"), lambda e: clock_text(e.started_at, tab.tz())),
                Column(tr("Minutes"), lambda e: f"{e.minutes} min", lambda e: e.minutes),
                Column(
                    tr("Who"), lambda e: f"{e.staff}, {e.credential}" if e.credential else e.staff
                ),
                Column(tr("Activity"), lambda e: activity_label(e.activity)),
                Column(tr("Contact"), lambda e: tr("Yes") if e.patient_contact else tr("No")),
                Column(tr("Source"), lambda e: time_source_label(e.source)),
                Column(tr("Counts"), lambda e: counts_text(e, tab.statuses.get(e.id))),
                Column(tr("Note"), lambda e: e.note),
            ],
            tab,
        )

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if index.isValid() and 0 <= index.row() < self.rowCount():
            e = self.record(index.row())
            if e.voided and role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setStrikeOut(True)
                return font
            if e.voided and role == Qt.ItemDataRole.ForegroundRole:
                return self.tab.palette().color(
                    QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text
                )
        return super().data(index, role)


class TimeLogTab(QWidget):
    """One patient's time, a month at a time; ``loaded`` after each answer is shown."""

    loaded = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.patient_id: int | None = None
        self.data: LogData | None = None
        self.statuses: dict[int, EntryStatus] = {}
        self.wanted: tuple[int, int] | None = None  # None: the current month
        self.task: Task | None = None
        self.dialog: QDialog | None = None
        self.record_current = True  # False for a record entered in error or merged
        self._generation = 0
        self._build()

    # -- layout ----------------------------------------------------------------
    def _build(self) -> None:
        self.previous_button = QPushButton(tr("◀ P&revious month"))
        self.previous_button.clicked.connect(lambda: self._step(-1))
        self.month_combo = QComboBox(objectName="timeMonth")
        self.month_combo.setAccessibleName(tr("Month shown"))
        self.month_combo.setToolTip(tr("The months that have time for this patient"))
        self.month_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.month_combo.activated.connect(self._month_chosen)
        self.next_button = QPushButton(tr("Ne&xt month ▶"))
        self.next_button.clicked.connect(lambda: self._step(1))
        self.totals = QLabel(objectName="timeTotals")
        self.totals.setTextFormat(Qt.TextFormat.PlainText)
        self.totals.setWordWrap(True)
        relative_font(self.totals, 1.1, bold=True)
        self.bar = StepsBar()
        self.bar.setObjectName("timeSteps")
        self.words = QLabel(objectName="timeProgress")
        self.words.setTextFormat(Qt.TextFormat.PlainText)
        self.words.setWordWrap(True)

        self.add_button = QPushButton(tr("&Add time…"))
        self.add_button.clicked.connect(self.add)
        self.edit_button = QPushButton(tr("&Edit…"))
        self.edit_button.clicked.connect(self.edit)
        self.void_button = QPushButton(tr("&Void…"))
        self.void_button.clicked.connect(self.void)
        self.history_button = QPushButton(tr("&History…"))
        self.history_button.setToolTip(tr("Every change of the chosen entry: who, when, why"))
        self.history_button.clicked.connect(self.history)
        picker = QHBoxLayout()
        picker.addWidget(self.previous_button)
        picker.addWidget(self.month_combo)
        picker.addWidget(self.next_button)
        picker.addStretch(1)
        for b in (self.add_button, self.edit_button, self.void_button, self.history_button):
            picker.addWidget(b)

        self.why_not = note("")  # why the buttons are disabled, in words (not only a tooltip)
        self.why_not.setObjectName("timeWhyNot")
        self.message = error_label()
        self.message.setObjectName("timeMessage")

        self.model = TimeLogModel(self)
        self.table = read_only_table("timeTable", tr("Time entries of the month"))
        self.table.setModel(self.model)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        for column in CAPS:
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(NOTE, QHeaderView.ResizeMode.Stretch)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(lambda _i: self.history())
        self.empty = note("")
        self.empty.setObjectName("timeTableEmpty")
        self.table.setToolTip(
            tr("Newest first. Voided entries are struck through and count toward nothing.")
        )

        layout = QVBoxLayout(self)
        layout.addLayout(picker)
        layout.addWidget(self.totals)
        progress = QHBoxLayout()
        self.bar.setMaximumWidth(self.fontMetrics().averageCharWidth() * 60)
        progress.addWidget(self.bar, 1)
        progress.addWidget(self.words, 1)
        layout.addLayout(progress)
        layout.addWidget(self.why_not)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addStretch(0)
        QWidget.setTabOrder(self.previous_button, self.month_combo)
        QWidget.setTabOrder(self.month_combo, self.next_button)
        QWidget.setTabOrder(self.next_button, self.add_button)
        QWidget.setTabOrder(self.history_button, self.table)
        self._update_buttons()

    # -- reading ---------------------------------------------------------------
    def tz(self) -> Any:
        return self.data.log.tz if self.data is not None else None

    @property
    def loading(self) -> bool:
        return self.task is not None and self.task.running

    def show_data(self, data: DetailData) -> None:
        """The detail page has fresh data: read the month shown again (the current month
        for a patient newly shown)."""
        pid = data.detail.id
        if pid != self.patient_id:
            self.patient_id, self.wanted, self.data = pid, None, None
        self.record_current = data.detail.current
        self.reload()

    def show_month(self, year: int, month: int) -> None:
        """Show ``year``/``month`` of the same patient."""
        self.wanted = (year, month)
        self.reload()

    def reload(self) -> None:
        """Read the month shown off the GUI thread; only the latest answer is shown."""
        if self.patient_id is None:
            return
        self._generation += 1
        generation, ctx, pid = self._generation, self.ctx, self.patient_id
        year, month = self.wanted or (None, None)

        def read(_p: Progress) -> LogData:
            return load_month(ctx, pid, year, month)

        self.task = run_task(
            read,
            self,
            on_success=lambda d: self._show(generation, d),
            on_failure=lambda exc: self._failed(generation, exc),
        )

    def _failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self.message.setText(
            "⚠ " + tr("The time log could not be read: {error}").format(error=describe(exc))
        )
        self.message.show()
        self.loaded.emit()

    def _show(self, generation: int, data: LogData) -> None:
        if generation != self._generation:
            return
        keep = self.selected()
        self.data, self.statuses = data, data.statuses
        self.message.hide()
        log = data.log
        self.month_combo.clear()
        for y, m in log.months:
            text = month_text(y, m)
            if (y, m) == (log.today.year, log.today.month):
                text = tr("{month} (this month)").format(month=text)
            self.month_combo.addItem(text, f"{y}-{m}")
        self.month_combo.setCurrentIndex(log.months.index((log.year, log.month)))
        self.next_button.setEnabled((log.year, log.month) < (log.today.year, log.today.month))
        t = data.total
        self.totals.setText(totals_text(t))
        self.totals.setAccessibleName(self.totals.text())
        words = t.progress.words
        if (log.year, log.month) != (log.today.year, log.today.month):
            # Progress.words speaks of the current month; another month is named
            month = month_text(log.year, log.month)
            words = words.replace("this month", tr("in {month}").format(month=month))
        self.words.setText(words)
        self.bar.set_progress(t.counted, [s.minutes for s in t.progress.steps], words)
        self.bar.setVisible(bool(t.progress.steps))
        self.model.set_rows(log.entries)
        header, char = self.table.horizontalHeader(), self.fontMetrics().averageCharWidth()
        for column, cap in CAPS.items():
            self.table.resizeColumnToContents(column)
            header.resizeSection(column, min(header.sectionSize(column), char * cap))
        self.table.setVisible(bool(log.entries))
        self.empty.setText(
            tr("No time for {month}. Use Add time… to enter minutes by hand.").format(
                month=month_text(log.year, log.month)
            )
            if self.allowed()
            else tr("No time for {month}.").format(month=month_text(log.year, log.month))
        )
        self.empty.setVisible(not log.entries)
        if keep is not None:
            for i, e in enumerate(log.entries):
                if e.id == keep.id:
                    self.table.selectRow(i)
        self._update_buttons()
        self.loaded.emit()

    # -- month picker ----------------------------------------------------------
    def shown_month(self) -> tuple[int, int] | None:
        return (self.data.log.year, self.data.log.month) if self.data is not None else None

    def _step(self, direction: int) -> None:
        shown = self.shown_month()
        if shown is None:
            return
        y, m = shown
        m += direction
        y, m = (y - 1, 12) if m < 1 else (y + 1, 1) if m > 12 else (y, m)
        self.show_month(y, m)

    def _month_chosen(self, index: int) -> None:
        if self.data is None or not 0 <= index < len(self.data.log.months):
            return
        self.show_month(*self.data.log.months[index])

    # -- actions ---------------------------------------------------------------
    def allowed(self) -> bool:
        """Whether the signed-in user may record or change time (the core decides anyway)."""
        actor = self.ctx.actor
        return actor is not None and self.ctx.gate.allows(actor, EDIT)

    def refusal(self) -> str:
        """Why the add, edit and void buttons are disabled, in words."""
        table = self.ctx.gate.table
        roles = " or ".join(role_label(r).lower() for r in table.allowed_roles(EDIT))
        actor = self.ctx.actor
        who = role_words(actor.role) if actor is not None and actor.role else ""
        if not who:
            return tr("Sign in as a staff member to record time.")
        return tr(
            "Only a {roles} can record or change care-management time; you are signed in as "
            "{who}. The entries are shown for reading."
        ).format(roles=roles, who=who)

    def selected(self) -> LogEntry | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.record(rows[0].row()) if rows else None

    def _update_buttons(self) -> None:
        allowed = self.allowed()
        e = self.selected()
        self.add_button.setEnabled(allowed and self.patient_id is not None and self.record_current)
        self.edit_button.setEnabled(allowed and e is not None and not e.voided)
        self.void_button.setEnabled(allowed and e is not None and not e.voided)
        self.history_button.setEnabled(e is not None)
        why = "" if allowed else self.refusal()
        for b in (self.add_button, self.edit_button, self.void_button):
            b.setToolTip(why)
        self.add_button.setToolTip(why or tr("Enter minutes worked without the timer"))
        self.edit_button.setToolTip(why or tr("Change the chosen entry (a reason is kept)"))
        self.void_button.setToolTip(why or tr("Take the chosen entry out of every total"))
        self.why_not.setText(why)
        self.why_not.setVisible(bool(why))

    def _open(self, dialog: QDialog) -> None:
        self.dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(self._closed)
        dialog.open()

    def _closed(self) -> None:
        self.dialog = None
        self.table.setFocus()

    def add(self) -> None:
        """Open the form for minutes entered by hand (the shown month's day when it is
        not the current month)."""
        if self.patient_id is None or self.data is None or self.dialog is not None:
            return
        log = self.data.log
        day = min(log.today, end_of_month(date(log.year, log.month, 1)))
        self._open(TimeEntryDialog(self.ctx, self.patient_id, log.tz, log.today, self, day=day))

    def edit(self) -> None:
        e = self.selected()
        if e is None or self.data is None or self.dialog is not None:
            return
        log = self.data.log
        self._open(TimeEntryDialog(self.ctx, e.patient_id, log.tz, log.today, self, entry=e))

    def void(self) -> None:
        e = self.selected()
        if e is None or self.data is None or self.dialog is not None:
            return
        self._open(VoidDialog(self.ctx, e, self.data.log.tz, self))

    def history(self) -> None:
        e = self.selected()
        if e is None or self.dialog is not None:
            return
        self._open(HistoryDialog(self.ctx, e.id, self))
