"""The short form at Stop: what was done, whether contact was made, a note, the minutes.

The minutes follow the running timer until the user changes them; a changed number
needs a reason (the measured value stays in the audit trail: services/timer.py). Enter
saves, Escape cancels and the timer keeps running: nothing is lost. The same form saves
an interrupted timer (``recovery_dialog.py``), ending at the last moment the earlier run
was alive. The core's refusals show next to their field (docs/architecture.md, "The
call timer", "In the window").
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ccm_desktop import rules
from ccm_desktop.app import AppContext
from ccm_desktop.errors import CcmError, ValidationError
from ccm_desktop.services.timer import StopInput, TimerState
from ccm_desktop.ui.common.dialogs import describe
from ccm_desktop.ui.common.forms import FieldErrors, error_label
from ccm_desktop.ui.common.style import heading, note
from ccm_desktop.ui.common.vocabulary import options
from ccm_desktop.ui.common.writer import write_and_wait
from ccm_desktop.ui.timer.words import clock_moment, clock_time, minutes_text, patient_words, tr
from ccm_desktop.vocab import Activity

FIELDS = ("activity", "patient_contact", "note", "minutes", "reason")


def refusal_words(exc: BaseException) -> str:
    """The core's refusal in its own words (a field's message without its field name)."""
    return exc.text if isinstance(exc, ValidationError) else describe(exc)


class StopDialog(QDialog):
    """Stop ``timer`` (``last_alive`` None) or save an interrupted one up to ``last_alive``.

    After Save: ``saved_ids`` holds the new time entries and ``next_requested`` says
    whether "Save and next" was pressed; after "Discard timer…": ``discarded`` is True.
    """

    def __init__(
        self,
        ctx: AppContext,
        timer: TimerState,
        tz: ZoneInfo,
        parent: QWidget | None = None,
        *,
        last_alive: datetime | None = None,
        offer_next: bool = False,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.timer = timer
        self.tz = tz
        self.last_alive = last_alive
        self.saved_ids: list[int] = []
        self.next_requested = False
        self.discarded = False
        self._edited = False  # the user changed the minutes
        self._saving = False  # a save is on the writer: the form stays until it answers
        self.setObjectName("stopTimer")
        recovering = last_alive is not None
        self.setWindowTitle(
            self.tr("Save the interrupted timer") if recovering else self.tr("Stop the timer")
        )
        title = heading(patient_words(timer.patient_name, timer.mrn), 1.2)
        end = (
            self.tr("The earlier run was last alive at {moment}.").format(
                moment=clock_moment(last_alive, tz)
            )
            if last_alive is not None
            else self.tr("The timer keeps running until you save.")
        )
        facts = note(
            self.tr("Started at {moment}. {end}").format(
                moment=clock_moment(timer.started_at, tz), end=end
            )
        )
        self.errors = FieldErrors(self)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.activity = QComboBox()
        for code, label in options(Activity):
            self.activity.addItem(label, str(code))
        self.activity.setCurrentIndex(max(0, self.activity.findData(timer.activity)))
        self.errors.add_row(form, self.tr("&Activity:"), self.activity, "activity")
        contact = QWidget()
        row = QHBoxLayout(contact)
        row.setContentsMargins(0, 0, 0, 0)
        self.contact_yes = QRadioButton(self.tr("&Yes"))
        self.contact_no = QRadioButton(self.tr("N&o"))
        self.contact = QButtonGroup(self)
        for i, button in enumerate((self.contact_yes, self.contact_no)):
            self.contact.addButton(button, i)
            row.addWidget(button)
        row.addStretch(1)
        self.contact.idClicked.connect(lambda _i: self._check())
        self.errors.add_row(
            form,
            self.tr("&Contact made with the patient or caregiver?"),
            contact,
            "patient_contact",
        )
        self.contact_yes.setAccessibleName(self.tr("Contact made: yes"))
        self.contact_no.setAccessibleName(self.tr("Contact made: no"))
        self.note = QLineEdit()
        self.note.setPlaceholderText(self.tr("What was done or agreed (optional)"))
        self.errors.add_row(form, self.tr("&Note:"), self.note, "note")
        self.minutes = QSpinBox()
        self.minutes.setRange(0, rules.max_entry_minutes())
        self.minutes.setSuffix(self.tr(" min"))
        self.minutes.setValue(self.measured())
        self.minutes.valueChanged.connect(self._minutes_changed)
        self.errors.add_row(form, self.tr("&Minutes:"), self.minutes, "minutes")
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(self.tr("For example: the call started before the timer"))
        self.reason.textChanged.connect(lambda _t: self._check())
        self.errors.add_row(form, self.tr("&Reason for changing the time:"), self.reason, "reason")
        self.form = form
        self.message = error_label()  # refusals that belong to no field
        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton(
            self.tr("&Save"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.save_button.setDefault(True)
        self.next_button = self.buttons.addButton(
            self.tr("Save and &next"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.next_button.setVisible(offer_next)
        self.next_button.setToolTip(self.tr("Save, then go to the next patient of the worklist"))
        self.discard_button = QPushButton(self.tr("&Discard timer…"))
        self.buttons.addButton(self.discard_button, QDialogButtonBox.ButtonRole.DestructiveRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.save_button.clicked.connect(lambda: self.save(next_patient=False))
        self.next_button.clicked.connect(lambda: self.save(next_patient=True))
        self.discard_button.clicked.connect(self.ask_discard)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(title)
        lay.addWidget(facts)
        lay.addLayout(form)
        lay.addWidget(self.message)
        lay.addWidget(self.buttons)
        self._show_reason()
        self.activity.setFocus()
        self._follow = QTimer(self)  # the measured minutes grow while the form is open
        self._follow.setInterval(1000)
        self._follow.timeout.connect(self._follow_timer)
        if last_alive is None:
            self._follow.start()
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 95)

    def fit(self) -> None:
        """Grow to show every message (never shrink under the user's hands)."""
        hint = self.sizeHint()
        self.resize(max(self.width(), hint.width()), max(self.height(), hint.height()))

    # -- the minutes ---------------------------------------------------------------
    def measured(self) -> int:
        """The minutes the timer measured (to now, or to the earlier run's last moment)."""
        end = self.last_alive or self.ctx.clock.now()
        return self.timer.minutes(end)

    @property
    def changed(self) -> bool:
        """The user gave other minutes than the timer's (a reason is then required)."""
        return self._edited and self.minutes.value() != self.measured()

    def _follow_timer(self) -> None:
        if not self._edited:
            self.minutes.blockSignals(True)
            self.minutes.setValue(self.measured())
            self.minutes.blockSignals(False)
        self._show_reason()

    def _minutes_changed(self, _value: int) -> None:
        self._edited = True
        self._show_reason()
        self._check()

    def _show_reason(self) -> None:
        row = self.form.getWidgetPosition(self.reason.parentWidget())[0]
        if self.form.isRowVisible(row) != self.changed:
            self.form.setRowVisible(row, self.changed)
            self.fit()

    # -- checking and saving ---------------------------------------------------------
    def _check(self) -> dict[str, str]:
        """What must still be filled in, by field (shown once the user tried to save)."""
        missing: dict[str, str] = {}
        if self.contact.checkedId() < 0:
            missing["patient_contact"] = self.tr(
                "Choose Yes or No: was the patient or a caregiver reached?"
            )
        if self.changed and not self.reason.text().strip():
            missing["reason"] = self.tr("Say why the minutes differ from the timer's.")
        self.errors.set_errors(missing)
        return missing

    def stop_input(self) -> StopInput:
        """The form as the timer service takes it."""
        return StopInput(
            activity=str(self.activity.currentData()),
            patient_contact=self.contact.checkedId() == 0,
            note=self.note.text().strip(),
            minutes=self.minutes.value() if self.changed else None,
            reason=self.reason.text().strip() if self.changed else "",
        )

    def save(self, *, next_patient: bool = False) -> bool:
        """Save the timer as time entries; True when saved (the form then closes)."""
        self.message.hide()
        if self._check():
            self.errors.reveal_all()
            self.fit()
            return False
        stop, actor, timer = self.stop_input(), self.ctx.actor, self.ctx.timer
        assert actor is not None  # the window has a user
        finish = timer.finish_interrupted if self.last_alive is not None else timer.stop
        self._saving = True
        try:
            self.saved_ids = write_and_wait(lambda: finish(actor, stop))
        except CcmError as exc:
            self.show_refusal(exc)
            return False
        finally:
            self._saving = False
        self.next_requested = next_patient
        self.accept()
        return True

    def show_refusal(self, exc: BaseException) -> None:
        """A refusal next to its field, or under the form when it names none."""
        field = exc.field if isinstance(exc, ValidationError) else ""
        if field in FIELDS:
            self.errors.set_errors({field: exc.text})  # type: ignore[union-attr]
            self.errors.reveal_all()
            self.errors.editors[field].setFocus()
        else:
            self.message.setText(refusal_words(exc))
            self.message.show()
        self.fit()

    def ask_discard(self) -> None:
        """ "Discard timer…": a reason, then the timer is deleted without saving time."""
        dialog = DiscardDialog(self.ctx, self.timer, self.measured(), self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.discarded = True
            self.accept()
        dialog.deleteLater()

    def reject(self) -> None:
        """Cancel (Escape): the timer keeps running. Not while a save is under way: its
        answer decides (the entries may already be written)."""
        if not self._saving:
            super().reject()

    def done(self, result: int) -> None:
        self._follow.stop()
        super().done(result)


class DiscardDialog(QDialog):
    """Discard the timer with a required reason (the minutes timed and the reason stay in
    the audit trail); Escape keeps it."""

    def __init__(
        self, ctx: AppContext, timer: TimerState, minutes: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("discardTimer")
        self.setWindowTitle(self.tr("Discard the timer?"))
        text = QLabel(
            self.tr(
                "The {minutes} timed for {patient} will not be saved as time. Say why: "
                "the reason is kept with who discarded it."
            ).format(minutes=minutes_text(minutes), patient=timer.patient_name)
        )
        text.setWordWrap(True)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(self.tr("For example: started for the wrong patient"))
        self.reason.setAccessibleName(self.tr("Reason for discarding"))
        self.message = error_label()
        buttons = QDialogButtonBox()
        self.discard_button = buttons.addButton(
            self.tr("&Discard"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.discard_button.setDefault(True)
        keep = buttons.addButton(self.tr("&Keep the timer"), QDialogButtonBox.ButtonRole.RejectRole)
        self.discard_button.clicked.connect(self.discard)
        keep.clicked.connect(self.reject)
        label = QLabel(self.tr("&Reason:"))
        label.setBuddy(self.reason)
        lay = QVBoxLayout(self)
        lay.addWidget(text)
        lay.addWidget(label)
        lay.addWidget(self.reason)
        lay.addWidget(self.message)
        lay.addWidget(buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 60)

    def discard(self) -> bool:
        """Discard now; True when done (the dialog then closes)."""
        reason = self.reason.text().strip()
        if not reason:
            self._say(tr("Say why the timed minutes are discarded."))
            return False
        actor, timer = self.ctx.actor, self.ctx.timer
        assert actor is not None
        try:
            write_and_wait(lambda: timer.discard(actor, reason))
        except CcmError as exc:
            self._say(refusal_words(exc))
            return False
        self.accept()
        return True

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()
        self.reason.setFocus()


def ask_stop_first(parent: QWidget, running: TimerState, tz: ZoneInfo, now: datetime) -> bool:
    """A start while ``running`` runs: one timer per staff member, so "Stop and save it
    first" (True) or "Cancel" (False; Escape), with the reason in words."""
    box = QMessageBox(parent)
    box.setObjectName("secondTimer")
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(tr("A timer is already running"))
    box.setText(
        tr("You have a timer running for {patient} since {time} ({minutes}).").format(
            patient=running.patient_name,
            time=clock_time(running.started_at, tz),
            minutes=minutes_text(running.minutes(now)),
        )
    )
    box.setInformativeText(
        tr(
            "One timer runs at a time for each staff member, so no minute is counted "
            "twice. Stop it and save its time first; the new timer then starts. A "
            "paused timer still counts as running, so pausing it does not help."
        )
    )
    stop = box.addButton(tr("Stop and save it first"), QMessageBox.ButtonRole.AcceptRole)
    cancel = box.addButton(tr("Cancel"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(stop)
    box.setEscapeButton(cancel)
    box.exec()
    chosen = box.clickedButton() is stop
    box.deleteLater()
    return chosen
