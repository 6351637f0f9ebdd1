"""Decline and disenroll: the two ways a patient says no, each kept in the history.

Both dialogs check what they can before saving, call one service method, and show its
:class:`ValidationError` messages under the fields; they close only when saved. A decline
is for a patient who was offered a program and said no: it does not open while the
patient is enrolled (that patient can only be disenrolled, at the end of the month). A
"Patient died" reason words the disenroll dialog for a death: the date of death, and the
enrollment ends that day.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ccm_desktop.app import AppContext
from ccm_desktop.errors import CcmError, NotFound, ValidationError, ValidationErrors
from ccm_desktop.services.base import end_of_month
from ccm_desktop.services.enrollment import ACTIVE_STATUSES, ConsentInput, validate_consent
from ccm_desktop.ui.common.forms import FieldErrors, error_label, error_map
from ccm_desktop.ui.common.style import heading, note
from ccm_desktop.ui.common.vocabulary import program_description, program_label
from ccm_desktop.ui.common.writer import write_and_wait
from ccm_desktop.ui.enrollment.enrollment_common import (
    MethodChoice,
    PatientFacts,
    date_field,
    load_facts,
    long_date,
    staff_combo,
    us_date,
)
from ccm_desktop.vocab import Program


def reason_combo(suggestions: list[str], name: str) -> QComboBox:
    """An editable combo: pick a common reason or type your own (starts empty)."""
    combo = QComboBox(objectName=name)
    combo.setEditable(True)
    combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    combo.addItems(suggestions)
    combo.setCurrentIndex(-1)
    combo.setEditText("")
    return combo


def _buttons(dialog: QDialog, save_text: str) -> tuple[QDialogButtonBox, QPushButton]:
    buttons = QDialogButtonBox()
    save = buttons.addButton(save_text, QDialogButtonBox.ButtonRole.AcceptRole)
    cancel = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
    cancel.setAutoDefault(False)
    save.setDefault(True)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons, save


class _ReasonDialog(QDialog):
    """What the decline and disenroll dialogs share: the tail of the layout, and a Save
    that keeps the dialog open with every message placed next to its field."""

    errors: FieldErrors
    reason: QComboBox
    failure: QLabel
    save_button: QPushButton

    def __init__(
        self,
        parent: QWidget | None,
        check: Callable[[], dict[str, str]],
        save: Callable[[], None],
    ) -> None:
        """``check`` gives the messages for what is entered now (field -> text); ``save``
        calls the service and raises its errors."""
        super().__init__(parent)
        self._check = check
        self._save = save

    def _finish(self, layout: QVBoxLayout, save_text: str) -> None:
        """Add the failure line and the buttons, focus the reason, size from the font."""
        self.failure = error_label()
        layout.addWidget(self.failure)
        layout.addStretch(1)
        buttons, self.save_button = _buttons(self, save_text)
        layout.addWidget(buttons)
        self.reason.setFocus()
        self._changed()
        width = self.fontMetrics().averageCharWidth() * 76
        self.resize(width, self.heightForWidth(width))

    def _changed(self) -> None:
        self.errors.set_errors(self._check())

    def accept(self) -> None:
        """Save; stays open with the messages when something is missing or refused."""
        errors = self._check()
        if not errors:
            try:
                self._save()
            except (ValidationError, ValidationErrors) as exc:
                errors = error_map(exc)
                unplaced = [v for k, v in errors.items() if k not in self.errors.labels]
                self.failure.setText(" ".join(unplaced))
                self.failure.setVisible(bool(unplaced))
            except CcmError as exc:
                self.failure.setText(exc.message)
                self.failure.show()
                return
            else:
                super().accept()
                return
        self.errors.set_errors(errors)
        self.errors.reveal_all()
        grow_to_fit(self)


class DeclineDialog(_ReasonDialog):
    """The patient said no to a program: which, why, when, how, and who asked."""

    def __init__(
        self,
        ctx: AppContext,
        patient_id: int,
        parent: QWidget | None = None,
        *,
        facts: PatientFacts | None = None,
        program: str = "ccm",
        consent: ConsentInput | None = None,
    ) -> None:
        """``facts``, ``program`` and ``consent`` prefill it (from the enrollment wizard)."""
        super().__init__(parent, self.field_errors, self.save)
        if ctx.actor is None:
            raise CcmError("Choose who is working before recording a decline.")
        self.ctx = ctx
        self.facts = facts or load_facts(ctx, patient_id)
        newest = self.facts.history[0] if self.facts.history else None
        if newest is not None and newest.in_effect(self.facts.today):
            raise CcmError(
                f"{self.facts.name} is enrolled in {program_label(newest.program)}: a decline is "
                "for a patient who said no when offered. To stop the program, use Disenroll "
                "(the patient stays enrolled until the end of the month)."
            )
        self.enrollment_id: int | None = None
        self.setWindowTitle(self.tr("Patient declined"))
        layout = QVBoxLayout(self)
        layout.addWidget(heading(self.tr("{name} declined").format(name=self.facts.name)))
        layout.addWidget(
            note(
                self.tr(
                    "The decline is kept in the patient's history. The patient can still "
                    "enroll later."
                )
            )
        )
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.errors = FieldErrors(self)
        self.program = QComboBox(objectName="declineProgram")
        for p in Program:
            self.program.addItem(f"{program_label(p)}: {program_description(p)}", p.value)
        self.program.setCurrentIndex(max(self.program.findData(program), 0))
        self.errors.add_row(form, self.tr("&Program:"), self.program, "program")
        self.reason = reason_combo(
            [
                self.tr("Does not want monthly phone calls"),
                self.tr("Worried about the cost (coinsurance)"),
                self.tr("Already has care management elsewhere"),
                self.tr("Not interested"),
            ],
            "declineReason",
        )
        self.reason.editTextChanged.connect(self._changed)
        self.errors.add_row(form, self.tr("&Reason:"), self.reason, "reason")
        today = self.facts.today
        self.when = date_field(
            consent.consent_date if consent else today, self.facts, "declineDate", self.tr("Date")
        )
        self.when.changed.connect(self._changed)
        self.errors.add_row(form, self.tr("&Date:"), self.when, "consent_date")
        self.when.attach(self.errors, "consent_date")
        self.method = MethodChoice()
        self.method.set_method(consent.method if consent else "")
        self.method.changed.connect(self._changed)
        self.errors.add_row(form, self.tr("How they told us:"), self.method, "consent_method")
        staff_id = consent.obtained_by_id if consent and consent.obtained_by_id else None
        self.obtained_by = staff_combo(
            self.facts.staff, staff_id or ctx.actor.staff_id, "declineObtainedBy"
        )
        self.errors.add_row(form, self.tr("&Asked by:"), self.obtained_by, "obtained_by")
        layout.addLayout(form)
        self._finish(layout, self.tr("Re&cord the decline"))

    def consent_input(self) -> ConsentInput:
        staff_id = self.obtained_by.currentData()
        return ConsentInput(
            self.when.value() or self.facts.today,
            self.method.method(),
            int(staff_id) if staff_id else None,
        )

    def field_errors(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        try:
            validate_consent(self.consent_input(), self.facts.today, self.facts.dob, declined=True)
        except ValidationErrors as exc:
            errors = error_map(exc)
        if self.when.problem():
            errors["consent_date"] = self.when.problem()
        if not self.reason.currentText().strip():
            errors["reason"] = self.tr("Say why, in a few words (it helps when you ask again).")
        return errors

    def save(self) -> None:
        actor, service = self.ctx.actor, self.ctx.enrollment
        assert actor is not None
        args = (
            self.facts.patient_id,
            str(self.program.currentData()),
            self.consent_input(),
            self.reason.currentText().strip(),
        )
        self.enrollment_id = write_and_wait(lambda: service.decline(actor, *args))


def grow_to_fit(dialog: QDialog) -> None:
    """Make room for messages just shown, so none is cut off or drawn over a field."""
    dialog.layout().activate()
    width = max(dialog.width(), dialog.sizeHint().width())
    height = max(dialog.sizeHint().height(), dialog.heightForWidth(width), dialog.height())
    if height > dialog.height() or width > dialog.width():
        dialog.resize(width, height)


class DisenrollDialog(_ReasonDialog):
    """Stop an enrollment: the reason, the day the patient asked, and a confirmation that
    states the last day (Medicare: the end of that calendar month)."""

    def __init__(self, ctx: AppContext, enrollment_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent, self.field_errors, self.save)
        if ctx.actor is None:
            raise CcmError("Choose who is working before stopping an enrollment.")
        self.ctx = ctx
        self.enrollment_id = enrollment_id
        self.facts = load_facts(ctx, ctx.enrollment.patient_of(enrollment_id))
        view = next((e for e in self.facts.history if e.id == enrollment_id), None)
        if view is None:
            raise NotFound("This enrollment no longer exists.")
        if view.status not in ACTIVE_STATUSES:
            raise CcmError(
                f"This {program_label(view.program)} enrollment has already ended: nothing to stop."
            )
        self.view = view
        self.effective: date | None = None
        name = program_label(view.program)
        self.setWindowTitle(self.tr("Stop {program}").format(program=name))
        layout = QVBoxLayout(self)
        layout.addWidget(
            heading(self.tr("Stop {program} for {name}").format(program=name, name=self.facts.name))
        )
        provider = self.facts.provider_name(view.billing_provider_id) or self.tr("(not recorded)")
        since = us_date(view.start_date) if view.start_date else self.tr("(no start date)")
        layout.addWidget(
            note(
                self.tr("Enrolled since {since} with {provider}.").format(
                    since=since, provider=provider
                )
            )
        )
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.errors = FieldErrors(self)
        self.died_text = self.tr("Patient died")
        self.reason = reason_combo(
            [
                self.tr("Patient asked to stop"),
                self.tr("Moving to another practice"),
                self.tr("Cost (coinsurance)"),
                self.tr("Entered hospice"),
                self.died_text,
            ],
            "disenrollReason",
        )
        self.reason.editTextChanged.connect(self._changed)
        self.errors.add_row(form, self.tr("&Reason:"), self.reason, "reason")
        today = self.facts.today
        earliest = max(view.start_date or self.facts.dob, self.facts.dob)
        self.asked_on = date_field(
            today,
            self.facts,
            "askedOn",
            self.tr("Date"),
            earliest=min(earliest, today),
            earliest_text=self.tr("the start of the enrollment"),
        )
        self.asked_on.changed.connect(self._changed)
        self.errors.add_row(form, self.tr("Patient &asked on:"), self.asked_on, "date")
        self.asked_on.attach(self.errors, "date")
        self.date_label = form.labelForField(self.asked_on.parentWidget())
        layout.addLayout(form)
        self.statement = QLabel(objectName="lastDay")
        self.statement.setWordWrap(True)
        layout.addWidget(self.statement)
        self.confirm = QCheckBox(objectName="confirmStop")
        self.confirm.toggled.connect(self._changed)
        self.confirm_message = error_label()
        self.errors.track("confirm", self.confirm, self.confirm_message)
        layout.addWidget(self.confirm)
        layout.addWidget(self.confirm_message)
        self._finish(layout, self.tr("&Stop the enrollment"))

    def died(self) -> bool:
        """The reason is the patient's death (the "Patient died" choice)."""
        return self.reason.currentText().strip().casefold() == self.died_text.casefold()

    def last_day(self) -> date:
        """The last enrolled day: the date of death, else the end of the month the patient
        asked in (today's month while the typed date is not a date)."""
        when = self.asked_on.value() or self.facts.today
        return when if self.died() else end_of_month(when)

    def field_errors(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        if not self.reason.currentText().strip():
            errors["reason"] = self.tr("Say why the patient is leaving the program.")
        if self.asked_on.problem():
            errors["date"] = self.asked_on.problem()
        if not self.confirm.isChecked():
            errors["confirm"] = self.tr("Tick the box to confirm.")
        return errors

    def _changed(self) -> None:
        last = long_date(self.last_day())
        name = program_label(self.view.program)
        if self.died():
            if isinstance(self.date_label, QLabel):
                self.date_label.setText(self.tr("Date of &death:"))
            self.asked_on.editor.setAccessibleName(self.tr("Date of death"))
            self.statement.setText(
                self.tr(
                    "The enrollment ends on {last}, the day the patient died. Care given this "
                    "month up to that day still counts."
                ).format(last=last)
            )
            self.confirm.setText(
                self.tr("&Yes, end {program} for {name} as of {last}").format(
                    program=name, name=self.facts.name, last=last
                )
            )
        else:
            if isinstance(self.date_label, QLabel):
                self.date_label.setText(self.tr("Patient &asked on:"))
            self.asked_on.editor.setAccessibleName(self.tr("Patient asked on"))
            self.statement.setText(
                self.tr(
                    "The patient stays enrolled until {last}, as Medicare requires: a patient "
                    "who stops leaves at the end of the calendar month. Care this month still "
                    "counts."
                ).format(last=last)
            )
            self.confirm.setText(
                self.tr("&Yes, stop {program} for {name} after {last}").format(
                    program=name, name=self.facts.name, last=last
                )
            )
        self.errors.set_errors(self.field_errors())

    def save(self) -> None:
        actor, service = self.ctx.actor, self.ctx.enrollment
        assert actor is not None
        when = self.asked_on.value()
        assert when is not None  # field_errors refused anything else
        args = (self.enrollment_id, self.reason.currentText(), when, self.died())
        self.effective = write_and_wait(lambda: service.disenroll(actor, *args))
