"""Enrollment wizard, step 2: the initiating visit.

When the billing practitioner saw the patient recently enough (12 months; 3 years for
APCM) the page says so with the date. Otherwise the user enters the initiating visit
here; it is saved together with the enrollment at Finish, never before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from ccm_desktop import rules
from ccm_desktop.app import AppContext
from ccm_desktop.services.visits import VisitCheck
from ccm_desktop.ui.common.forms import CompletionMarker, FieldErrors
from ccm_desktop.ui.common.style import ERROR_COLOUR, note, set_text_colour
from ccm_desktop.ui.common.vocabulary import visit_label
from ccm_desktop.ui.enrollment.enrollment_common import PatientFacts, date_field, us_date
from ccm_desktop.vocab import Program, VisitKind


class ProgramChoice(Protocol):
    """What the visit and consent steps need from step 1."""

    def program(self) -> str: ...

    def provider_id(self) -> int | None: ...


@dataclass(frozen=True)
class VisitEntry:
    """An initiating visit as entered, not yet saved."""

    visit_date: date | None  # None: what was typed is not a date (field_errors says so)
    visit_type: str  # a VisitKind code: awv | ippe | em | em_new
    g0506: bool


class VisitPage(QWizardPage):
    """Shows the initiating-visit rule's answer; collects the visit when one is needed."""

    def __init__(
        self,
        ctx: AppContext,
        facts: PatientFacts,
        choice: ProgramChoice,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.facts = facts
        self.choice = choice
        self.check: VisitCheck | None = None
        self.setTitle(self.tr("Initiating visit"))
        self.setSubTitle(
            self.tr(
                "Care management starts at a face-to-face visit with the billing practitioner, "
                "unless the patient was seen recently."
            )
        )
        self.marker = CompletionMarker(self, "visitOk")
        self.errors = FieldErrors(self)
        layout = QVBoxLayout(self)
        self.status = QLabel(objectName="visitStatus")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.entry = QGroupBox(self.tr("Record the initiating visit"))
        entry_layout = QVBoxLayout(self.entry)
        form = QFormLayout()
        entry_layout.addLayout(form)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.visit_date = date_field(facts.today, facts, "visitDate", self.tr("Visit date"))
        self.visit_date.changed.connect(self.revalidate)
        self.errors.add_row(form, self.tr("&Visit date:"), self.visit_date, "visit_date")
        self.visit_date.attach(self.errors, "visit_date")
        self.visit_type = QComboBox(objectName="visitType")
        self.visit_type.addItem(self.tr("(choose the kind of visit)"), "")
        for kind in (VisitKind.AWV, VisitKind.IPPE):
            self.visit_type.addItem(visit_label(kind), kind.value)
        for kind, levels, words in (
            (VisitKind.EM, rules.office_visits(), self.tr("established patient")),
            (VisitKind.EM_NEW, rules.new_patient_visits(), self.tr("new patient")),
        ):
            for office in levels:
                self.visit_type.addItem(
                    self.tr("Office visit, {who}, level {level} ({code})").format(
                        who=words, level=office.level, code=office.code
                    ),
                    kind.value,
                )
        self.visit_type.currentIndexChanged.connect(self.revalidate)
        self.errors.add_row(form, self.tr("&Kind of visit:"), self.visit_type, "visit_type")
        self.discussed = QCheckBox(
            self.tr("The practitioner &talked with the patient about care management at this visit")
        )
        self.discussed.setObjectName("visitDiscussed")
        self.discussed.toggled.connect(self.revalidate)
        self.errors.add_row(form, "", self.discussed, "visit_discussed")
        self.g0506 = QCheckBox(
            self.tr("Add &{code} to this visit").format(code=rules.initiating_addon_code())
        )
        self.g0506.setObjectName("g0506")
        self.g0506.toggled.connect(self.revalidate)
        self.errors.add_row(form, "", self.g0506, "g0506")
        self.g0506_note = note("")
        self.g0506_note.setObjectName("g0506Note")
        saved_note = note(
            self.tr("The visit is saved together with the enrollment when you press Finish.")
        )
        notes = QVBoxLayout()  # wrapped text below the form: a form row sizes it badly
        notes.addWidget(self.g0506_note)
        notes.addWidget(saved_note)
        entry_layout.addLayout(notes)
        layout.addWidget(self.entry)
        layout.addStretch(1)

    # -- state ----------------------------------------------------------------------
    def needs_visit(self) -> bool:
        return self.check is not None and not self.check.satisfied

    def visit(self) -> VisitEntry | None:
        """The visit to record at Finish (None when none is needed)."""
        if not self.needs_visit():
            return None
        return VisitEntry(
            self.visit_date.value(),
            str(self.visit_type.currentData() or ""),
            self.g0506.isChecked() and self.g0506.isEnabled(),
        )

    def field_errors(self) -> dict[str, str]:
        """The entered visit's problems (empty when none is needed or all is well)."""
        entry = self.visit()
        if entry is None:
            return {}
        errors: dict[str, str] = {}
        program = self.choice.program() or Program.CCM
        earliest = rules.visit_window_start(program, self.facts.today)
        problem = self.visit_date.problem()
        if problem:
            errors["visit_date"] = problem
        elif entry.visit_date is not None and entry.visit_date < earliest:
            months = rules.visit_window_months(program)
            years, rest = divmod(months, 12)
            span = (
                self.tr("{n} years").format(n=years)
                if years > 1 and not rest
                else self.tr("{n} months").format(n=months)
            )
            errors["visit_date"] = self.tr(
                "That visit is more than {span} ago, so it cannot start the program. "
                "Enter a visit on or after {date}."
            ).format(span=span, date=us_date(earliest))
        if not entry.visit_type:
            errors["visit_type"] = self.tr("Choose the kind of visit.")
        if not self.discussed.isChecked():
            errors["visit_discussed"] = self.tr(
                "The visit only counts when care management was discussed at it."
            )
        return errors

    # -- life cycle -----------------------------------------------------------------
    def initializePage(self) -> None:
        """Ask the rule again: the program or practitioner may have changed."""
        program = self.choice.program()
        provider_id = self.choice.provider_id()
        self.check = self.ctx.visits.check(self.facts.patient_id, program, provider_id)
        if self.check.satisfied:
            self.status.setText(
                self.tr("✓ No new visit needed. {reason}").format(reason=self.check.reason)
            )
            set_text_colour(self.status, None)
        else:
            self.status.setText(self.check.reason)
            set_text_colour(self.status, ERROR_COLOUR)
        self.entry.setVisible(not self.check.satisfied)
        used = self.check.g0506_used_on
        if used is not None:
            self.g0506.setChecked(False)
            self.g0506.setEnabled(False)
            self.g0506_note.setText(
                self.tr(
                    "Not available: {code} was already billed for this patient on {date}, and "
                    "Medicare pays it once per patient."
                ).format(code=rules.initiating_addon_code(), date=us_date(used))
            )
        else:
            self.g0506.setEnabled(True)
            self.g0506_note.setText(
                self.tr(
                    "{code} pays the practitioner for the extra work of a full assessment and "
                    "care planning at this visit. Tick it only if that work was done; it can be "
                    "billed once per patient, ever."
                ).format(code=rules.initiating_addon_code())
            )
        self.revalidate()

    def revalidate(self) -> None:
        errors = self.field_errors()
        self.errors.set_errors(errors)
        self.marker.set(self.check is not None and not errors)

    def show_errors(self, errors: dict[str, str]) -> None:
        """Messages from the services (Finish), shown under their fields at once."""
        self.errors.set_errors({**self.field_errors(), **errors})
        self.errors.reveal_all()
