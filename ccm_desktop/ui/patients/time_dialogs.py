"""The time log's dialogs: add or edit an entry, void one, and see its history.

Saves run on the window's one writer (``write_and_wait``: the dialog decides on the spot).
What the core refuses (a future time, an overlap with the same person's other time, a
month closed for billing, a role that may not record time) is shown in the core's words
next to the field it names, or above the buttons when it names none; nothing is saved then.
"""

from __future__ import annotations

from calendar import month_name
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from PySide6.QtCore import QCoreApplication, Qt, QTime
from PySide6.QtGui import QIntValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from ccm_desktop import rules
from ccm_desktop.app import AppContext
from ccm_desktop.errors import CcmError, ValidationError, ValidationErrors
from ccm_desktop.importers.time import local_to_utc
from ccm_desktop.services.time_log import (
    EntryHistory,
    EntryValues,
    LogEntry,
    Revision,
    check_not_future,
)
from ccm_desktop.services.timing import TimeEdit, TimeInput
from ccm_desktop.ui.common.date_field import DateField
from ccm_desktop.ui.common.dialogs import describe
from ccm_desktop.ui.common.forms import FieldErrors, error_label, error_map
from ccm_desktop.ui.common.models import Column, RecordTableModel
from ccm_desktop.ui.common.style import heading, note
from ccm_desktop.ui.common.vocabulary import activity_label, options, time_source_label
from ccm_desktop.ui.common.writer import write_and_wait
from ccm_desktop.ui.patients.detail_data import FIELD_NAMES
from ccm_desktop.ui.patients.import_views import table_view
from ccm_desktop.vocab import Activity

WARN = "⚠ "


def tr(text: str) -> str:
    return QCoreApplication.translate("time_log", text)


def day_text(at: datetime, tz: ZoneInfo) -> str:
    """11/16/2026 where the practice is."""
    return at.astimezone(tz).strftime("%m/%d/%Y")


def clock_text(at: datetime, tz: ZoneInfo) -> str:
    """10:05 AM where the practice is."""
    return at.astimezone(tz).strftime("%I:%M %p").lstrip("0")


def month_text(year: int, month: int) -> str:
    """November 2026."""
    return f"{tr(month_name[month])} {year}"


def entry_words(e: LogEntry, tz: ZoneInfo) -> str:
    """ "14 min on 11/10/2026 at 10:00 AM by Kim Carewell (Call with patient)"."""
    return tr("{minutes} min on {day} at {time} by {who} ({activity})").format(
        minutes=e.minutes,
        day=day_text(e.started_at, tz),
        time=clock_text(e.started_at, tz),
        who=e.staff,
        activity=activity_label(e.activity),
    )


def _fit(dialog: QDialog, chars: int = 0) -> None:
    """``chars`` average characters wide (0: as wide as it is), as tall as its wrapped
    text needs at that width, at most the screen's free area. Called again after a message
    appears, so a long refusal is never clipped."""
    fm = dialog.fontMetrics()
    screen = dialog.screen().availableGeometry()
    width = min(
        fm.averageCharWidth() * chars if chars else dialog.width(), screen.width() * 9 // 10
    )
    lay = dialog.layout()
    if lay is not None:
        lay.activate()  # the message just shown is part of the layout's answer
    need = max(dialog.sizeHint().height(), lay.totalHeightForWidth(width) if lay else 0)
    dialog.resize(
        width, min(max(need, dialog.height() if not chars else 0), screen.height() * 9 // 10)
    )


def _buttons(dialog: QDialog, ok_text: str) -> QDialogButtonBox:
    box = QDialogButtonBox()
    ok = box.addButton(ok_text, QDialogButtonBox.ButtonRole.AcceptRole)
    ok.setDefault(True)
    box.addButton(QDialogButtonBox.StandardButton.Cancel)
    box.rejected.connect(dialog.reject)
    return box


class TimeEntryDialog(QDialog):
    """Add minutes by hand for ``patient_id`` (``entry`` None), or edit ``entry`` with a
    reason. ``today`` is the practice's date: later days are refused next to the date."""

    def __init__(
        self,
        ctx: AppContext,
        patient_id: int,
        tz: ZoneInfo,
        today: date,
        parent: QWidget | None = None,
        *,
        entry: LogEntry | None = None,
        day: date | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx, self.patient_id, self.tz, self.today, self.entry = (
            ctx,
            patient_id,
            tz,
            today,
            entry,
        )
        title = tr("Edit a time entry") if entry else tr("Add time")
        self.setWindowTitle(title)
        self.errors = FieldErrors(self)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.staff = QComboBox(objectName="timeStaff")
        self.staff.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        if entry is None:
            for s in ctx.time_log.loggable_staff():
                self.staff.addItem(f"{s.name}, {s.credential}" if s.credential else s.name, s.id)
            mine = self.staff.findData(ctx.actor.staff_id if ctx.actor else None)
            self.staff.setCurrentIndex(max(mine, 0))
            self.errors.add_row(form, tr("&Staff member:"), self.staff, "staff")
        else:
            who = QLabel(f"{entry.staff}, {entry.credential}" if entry.credential else entry.staff)
            form.addRow(QLabel(tr("Staff member:")), who)
        start = entry.started_at.astimezone(tz) if entry else None
        self.date = DateField(
            tr("Date"),
            today=today,
            required=True,
            value=start.date() if start else (day or today),
        )
        self.errors.add_row(form, tr("&Date:"), self.date, "date")
        self.date.attach(self.errors, "date")  # the typed part is the editor
        self.date.changed.connect(self._date_changed)
        self.start = QTimeEdit(objectName="timeStart")
        self.start.setDisplayFormat("h:mm AP")
        self.start.setMaximumWidth(self.fontMetrics().averageCharWidth() * 16)
        if start is not None:
            self.start.setTime(QTime(start.hour, start.minute))
        elif (day or today) == today:
            now = ctx.clock.now().astimezone(tz)
            self.start.setTime(QTime(now.hour, now.minute))
        else:
            self.start.setTime(QTime(9, 0))
        self.errors.add_row(form, tr("S&tart time:"), self.start, "start_time")
        self.minutes = QLineEdit(objectName="timeMinutes")
        self.minutes.setValidator(QIntValidator(0, 9999, self.minutes))
        self.minutes.setPlaceholderText(tr("for example 15"))
        self.minutes.setMaximumWidth(self.fontMetrics().averageCharWidth() * 16)
        if entry is not None:
            self.minutes.setText(str(entry.minutes))
        self.errors.add_row(form, tr("&Minutes:"), self.minutes, "minutes")
        self.activity = QComboBox(objectName="timeActivity")
        for code, text in options(Activity):
            self.activity.addItem(text, code.value)
        if entry is not None:
            self.activity.setCurrentIndex(max(self.activity.findData(entry.activity), 0))
        self.errors.add_row(form, tr("&Activity:"), self.activity, "activity")
        self.contact = QCheckBox(tr("&Contact made with the patient or caregiver"))
        self.contact.setChecked(bool(entry and entry.patient_contact))
        form.addRow(QLabel(""), self.contact)
        self.note = QPlainTextEdit(objectName="timeNote")
        self.note.setTabChangesFocus(True)
        self.note.setFixedHeight(self.fontMetrics().height() * 3 + 12)
        if entry is not None:
            self.note.setPlainText(entry.note)
        self.errors.add_row(form, tr("&Note:"), self.note, "note")
        self.reason = QLineEdit(objectName="timeReason")
        if entry is not None:
            self.reason.setPlaceholderText(tr("for example: the call ended at 10:25, not 10:40"))
            self.errors.add_row(form, tr("&Why change it:"), self.reason, "reason")
        self.message = error_label()  # refusals that name no field (closed month, role)
        self.message.setObjectName("timeDialogMessage")
        buttons = _buttons(self, tr("&Save") if entry else tr("&Add time"))
        buttons.accepted.connect(self.save)
        lay = QVBoxLayout(self)
        lay.addWidget(heading(title, 1.2))
        lay.addWidget(
            note(
                tr("The start time is the practice's clock. Every change is kept in the history.")
                if entry
                else tr("For minutes worked without the timer: today or an earlier day.")
            )
        )
        lay.addLayout(form)
        lay.addWidget(self.message)
        lay.addWidget(buttons)
        _fit(self, 76)
        (self.reason if entry else self.minutes).setFocus()

    def _date_changed(self) -> None:
        problem = self.date.problem()
        errors = {k: v for k, v in self.errors.errors.items() if k != "date"}
        self.errors.set_errors(errors | ({"date": problem} if problem else {}))

    def _started_at(self, day: date) -> datetime:
        t = self.start.time()
        return local_to_utc(day, time(t.hour(), t.minute()), self.tz)

    def _check_here(self) -> dict[str, str]:
        """What the form can tell before asking the core."""
        found: dict[str, str] = {}
        problem = self.date.problem()
        day = self.date.value()
        if problem:
            found["date"] = problem
        elif day is not None:
            try:
                check_not_future(day, self.today)
            except ValidationError as exc:
                found["date"] = exc.text
        if not self.minutes.text().strip():
            found["minutes"] = tr("Enter the minutes worked (1 to {top}).").format(
                top=rules.max_entry_minutes()
            )
        return found

    def save(self) -> None:
        """Add or change the entry; the core's refusal stays in the dialog."""
        actor = self.ctx.actor
        assert actor is not None, "a staff member must be working"
        self.message.hide()
        found = self._check_here()
        if found:
            self._show_errors(found)
            return
        day = self.date.value()
        assert day is not None
        start, minutes = self._started_at(day), int(self.minutes.text())
        activity, contact = str(self.activity.currentData()), self.contact.isChecked()
        text = self.note.toPlainText()
        time_service = self.ctx.time
        try:
            if self.entry is None:
                t = TimeInput(
                    self.patient_id,
                    self.staff.currentData(),
                    start,
                    minutes,
                    activity,
                    contact,
                    text,
                )
                write_and_wait(lambda: time_service.add_all(actor, t))
            else:
                e, why = self.entry, self.reason.text()
                edit = TimeEdit(
                    started_at=start if start != e.started_at else None,
                    minutes=minutes if minutes != e.minutes else None,
                    activity=activity if activity != e.activity else None,
                    patient_contact=contact if contact != e.patient_contact else None,
                    note=text if text.strip() != e.note else None,
                )
                write_and_wait(lambda: time_service.edit(actor, e.id, why, edit))
        except (ValidationError, ValidationErrors) as exc:
            self._show_errors(error_map(exc))
            return
        except CcmError as exc:
            self._say(describe(exc))
            return
        self.accept()

    def _show_errors(self, found: dict[str, str]) -> None:
        self.errors.set_errors(found)
        self.errors.reveal_all()
        elsewhere = [m for f, m in found.items() if f not in self.errors.labels]
        if elsewhere:
            self._say(" ".join(elsewhere))
        for f in found:
            editor = self.errors.editors.get(f)
            if editor is not None:
                editor.setFocus()
                break
        _fit(self)

    def _say(self, text: str) -> None:
        self.message.setText(WARN + text)
        self.message.show()
        _fit(self)


class VoidDialog(QDialog):
    """Void ``entry`` with a reason: it stays in the log, struck through, counting nothing."""

    def __init__(
        self, ctx: AppContext, entry: LogEntry, tz: ZoneInfo, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx, self.entry = ctx, entry
        title = tr("Void a time entry")
        self.setWindowTitle(title)
        self.reason = QPlainTextEdit(objectName="voidReason")
        self.reason.setTabChangesFocus(True)
        self.reason.setAccessibleName(tr("Why void it"))
        self.reason.setFixedHeight(self.fontMetrics().height() * 3 + 12)
        label = QLabel(tr("&Why void it (kept in the history):"))
        label.setBuddy(self.reason)
        self.message = error_label()
        self.message.setObjectName("voidMessage")
        buttons = _buttons(self, tr("&Void entry"))
        buttons.accepted.connect(self.save)
        lay = QVBoxLayout(self)
        lay.addWidget(heading(title, 1.2))
        lay.addWidget(
            note(
                tr(
                    "Void {entry}? It stays in the log, struck through, and counts toward "
                    "nothing. Nothing is deleted."
                ).format(entry=entry_words(entry, tz))
            )
        )
        lay.addWidget(label)
        lay.addWidget(self.reason)
        lay.addWidget(self.message)
        lay.addWidget(buttons)
        _fit(self, 64)
        self.reason.setFocus()

    def save(self) -> None:
        actor = self.ctx.actor
        assert actor is not None, "a staff member must be working"
        service, eid, why = self.ctx.time, self.entry.id, self.reason.toPlainText()
        try:
            write_and_wait(lambda: service.void(actor, eid, why))
        except CcmError as exc:
            text = exc.text if isinstance(exc, ValidationError) else describe(exc)
            self.message.setText(WARN + text)
            self.message.show()
            _fit(self)
            return
        self.accept()


def value_text(name: str, v: EntryValues, tz: ZoneInfo) -> str:
    """One field's value in words ("15 min", "Yes", "(empty)")."""
    if name == "started_at":
        return f"{day_text(v.started_at, tz)} {clock_text(v.started_at, tz)}"
    if name == "minutes":
        return f"{v.minutes} min"
    if name == "activity":
        return activity_label(v.activity)
    if name == "patient_contact":
        return tr("Yes") if v.patient_contact else tr("No")
    if name == "voided":
        return tr("Yes") if v.voided else tr("No")
    return v.note or tr("(empty)")


def field_label(name: str) -> str:
    text = QCoreApplication.translate("patient_detail", FIELD_NAMES.get(name, name))
    return text[:1].upper() + text[1:]


def _side(r: Revision, tz: ZoneInfo, after: bool) -> str:
    v = r.after if after else r.before
    return "\n".join(f"{field_label(n)}: {value_text(n, v, tz)}" for n in r.changed) or tr(
        "(no value changed)"
    )


class HistoryDialog(QDialog):
    """Every change of one entry, oldest first, before and after side by side, under the
    entry as it is now and who added it."""

    def __init__(self, ctx: AppContext, entry_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("History of a time entry"))
        lay = QVBoxLayout(self)
        lay.addWidget(heading(tr("History of a time entry"), 1.2))
        try:
            self.history: EntryHistory | None = ctx.time_log.history(entry_id)
        except CcmError as exc:
            self.history = None
            lay.addWidget(QLabel(WARN + describe(exc)))
        if self.history is not None:
            self._build(lay, self.history)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        box.rejected.connect(self.reject)
        lay.addWidget(box)
        _fit(self, 120)
        fm = self.fontMetrics()
        self.resize(
            self.width(),
            min(fm.lineSpacing() * 34, self.screen().availableGeometry().height() * 9 // 10),
        )

    def _build(self, lay: QVBoxLayout, h: EntryHistory) -> None:
        tz, e = h.tz, h.entry
        form = QFormLayout()
        self.now: dict[str, QLabel] = {}
        rows = [(n, value_text(n, h.now, tz)) for n in ("started_at", "minutes", "activity")]
        rows += [
            ("staff", f"{e.staff}, {e.credential}" if e.credential else e.staff),
            ("patient_contact", value_text("patient_contact", h.now, tz)),
            ("note", value_text("note", h.now, tz)),
            ("voided", value_text("voided", h.now, tz)),
            (
                "added",
                tr("{when} by {who}, {source}").format(
                    when=f"{day_text(h.added_at, tz)} {clock_text(h.added_at, tz)}",
                    who=h.added_by or tr("unknown"),
                    source=time_source_label(e.source).lower(),
                ),
            ),
        ]
        names = {"staff": tr("Staff member"), "added": tr("Added")}
        for key, text in rows:
            value = QLabel(text, objectName=f"now_{key}")
            value.setTextFormat(Qt.TextFormat.PlainText)
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.now[key] = value
            form.addRow(QLabel((names.get(key) or field_label(key)) + ":"), value)
        lay.addWidget(heading(tr("As it is now"), 1.05))
        lay.addLayout(form)
        lay.addWidget(heading(tr("Changes, oldest first"), 1.05))
        self.model: RecordTableModel[Revision] = RecordTableModel(
            [
                Column(
                    tr("When"),
                    lambda r: f"{day_text(r.changed_at, tz)} {clock_text(r.changed_at, tz)}",
                ),
                Column(tr("Who"), lambda r: r.changed_by or tr("unknown")),
                Column(tr("Why"), lambda r: r.reason),
                Column(tr("Before"), lambda r: _side(r, tz, after=False)),
                Column(tr("After"), lambda r: _side(r, tz, after=True)),
            ],
            self,
        )
        self.model.set_rows(list(h.revisions))
        self.table = table_view(tr("Changes of this entry"))
        self.table.setObjectName("historyChanges")
        self.table.setModel(self.model)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.resizeRowsToContents()
        self.empty = note(tr("Not changed since it was added."))
        lay.addWidget(self.table, 1)
        lay.addWidget(self.empty)
        self.table.setVisible(bool(h.revisions))
        self.empty.setVisible(not h.revisions)
