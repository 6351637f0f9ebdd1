"""Enrollment wizard, step 3: the patient's consent.

The four things Medicare requires the patient be told are explicit check items; the
method, date, who obtained it and (for verbal consent) a witness complete it. The core's
:func:`~ccm_desktop.services.enrollment.validate_consent` decides what is missing; its
messages show under the fields. Finish is always pressable so the messages can explain.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from ccm_desktop.errors import ValidationErrors
from ccm_desktop.reports.consent import consent_language
from ccm_desktop.services.enrollment import ConsentInput, validate_consent
from ccm_desktop.ui.common.forms import FieldErrors, error_label, error_map
from ccm_desktop.ui.common.style import note
from ccm_desktop.ui.common.vocabulary import program_label
from ccm_desktop.ui.enrollment.enrollment_common import (
    MethodChoice,
    PatientFacts,
    date_field,
    staff_combo,
)

DISCLOSURE_FIELDS = (
    "disclosed_service",
    "disclosed_cost_sharing",
    "disclosed_one_practitioner",
    "disclosed_stop_anytime",
)
CONSENT_FIELDS = ("disclosures", "consent_method", "consent_date", "obtained_by", "witness")


class ConsentPage(QWizardPage):
    """The consent record; ``finish`` (the wizard's save) runs when Finish is pressed."""

    def __init__(
        self,
        facts: PatientFacts,
        actor_staff_id: int | None,
        program: Callable[[], str],
        finish: Callable[[], bool],
        preview: Callable[[], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.facts = facts
        self._program = program
        self._finish = finish
        self.setTitle(self.tr("Consent"))
        self.errors = FieldErrors(self)
        layout = QVBoxLayout(self)
        box = QGroupBox(self.tr("Tell the patient these four things, then tick each one"))
        box.setObjectName("disclosures")
        box_layout = QVBoxLayout(box)
        texts = (
            self.tr("&1  What care management is, and that our practice offers it to them"),
            self.tr(
                "&2  That Medicare's usual share applies: they may owe coinsurance or a "
                "deductible each month"
            ),
            self.tr("&3  That only one practitioner can give and bill this service in a month"),
            self.tr("&4  That they can stop at any time; it then ends at the end of that month"),
        )
        self.disclosures: dict[str, QCheckBox] = {}
        for field, text in zip(DISCLOSURE_FIELDS, texts, strict=True):
            check = QCheckBox(text, objectName=field)
            check.toggled.connect(self._changed)
            self.disclosures[field] = check
            box_layout.addWidget(check)
        self.disclosures_message = error_label()
        box_layout.addWidget(self.disclosures_message)
        self.errors.track("disclosures", box, self.disclosures_message)
        layout.addWidget(box)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.method = MethodChoice()
        self.method.changed.connect(self._changed)
        self.errors.add_row(form, self.tr("How given:"), self.method, "consent_method")
        self.consent_date = date_field(facts.today, facts, "consentDate", self.tr("Consent date"))
        self.consent_date.changed.connect(self._changed)
        self.errors.add_row(form, self.tr("Consent da&te:"), self.consent_date, "consent_date")
        self.consent_date.attach(self.errors, "consent_date")
        self.obtained_by = staff_combo(facts.staff, actor_staff_id, "obtainedBy")
        self.errors.add_row(form, self.tr("&Obtained by:"), self.obtained_by, "obtained_by")
        self.witness = QLineEdit(objectName="witness")
        self.witness.setMaxLength(120)
        self.witness.setPlaceholderText(self.tr("needed for verbal consent"))
        self.witness.textChanged.connect(self._changed)
        self.errors.add_row(form, self.tr("Wit&ness name:"), self.witness, "witness")
        layout.addLayout(form)
        row = QHBoxLayout()
        self.preview_button = QPushButton(self.tr("&Preview consent form…"))
        self.preview_button.setObjectName("previewConsent")
        self.preview_button.setAutoDefault(False)
        self.preview_button.clicked.connect(preview)
        row.addWidget(self.preview_button)
        self.preview_note = note(self._preview_text())
        row.addWidget(self.preview_note, 1)
        layout.addLayout(row)
        layout.addStretch(1)
        self.failure = error_label()
        self.failure.setObjectName("finishError")
        layout.addWidget(self.failure)
        self.saved_note = QLabel()
        self.saved_note.setWordWrap(True)
        self.saved_note.hide()
        layout.addWidget(self.saved_note)

    def _preview_text(self) -> str:
        language = consent_language(self.facts.language)
        if language == self.facts.language:
            return self.tr(
                "In {language}, to read with the patient or print for a signature."
            ).format(language=self.facts.language_name)
        return self.tr(
            "In English: there is no {language} form yet, so offer an interpreter."
        ).format(language=self.facts.language_name)

    def initializePage(self) -> None:
        self.setSubTitle(
            self.tr(
                "Record how {name} agreed to {program}. If the patient says no, press "
                "“Patient declined…” below."
            ).format(name=self.facts.name, program=program_label(self._program()))
        )
        self._changed()

    # -- state ----------------------------------------------------------------------
    def consent_input(self) -> ConsentInput:
        """The consent as entered (unchecked; a date that is not one reads as today, and
        :meth:`field_errors` names it)."""
        staff_id = self.obtained_by.currentData()
        return ConsentInput(
            consent_date=self.consent_date.value() or self.facts.today,
            method=self.method.method(),
            obtained_by_id=int(staff_id) if staff_id else None,
            disclosed_service=self.disclosures["disclosed_service"].isChecked(),
            disclosed_cost_sharing=self.disclosures["disclosed_cost_sharing"].isChecked(),
            disclosed_one_practitioner=self.disclosures["disclosed_one_practitioner"].isChecked(),
            disclosed_stop_anytime=self.disclosures["disclosed_stop_anytime"].isChecked(),
            witness=self.witness.text(),
        )

    def field_errors(self) -> dict[str, str]:
        """The core's messages for the consent as entered (empty when it is complete)."""
        errors: dict[str, str] = {}
        try:
            validate_consent(self.consent_input(), self.facts.today, self.facts.dob)
        except ValidationErrors as exc:
            errors = error_map(exc)
        problem = self.consent_date.problem()
        if problem:
            errors["consent_date"] = problem
        if self.obtained_by.currentIndex() < 0:
            errors["obtained_by"] = self.tr("Choose who asked the patient.")
        return errors

    def _changed(self) -> None:
        self.errors.set_errors(self.field_errors())
        self.failure.hide()

    def show_errors(self, errors: dict[str, str], failure: str = "") -> None:
        """Show every message now: field ones under their fields, ``failure`` at the bottom."""
        self.errors.set_errors({**self.field_errors(), **errors})
        self.errors.reveal_all()
        self.failure.setText(failure)
        self.failure.setVisible(bool(failure))

    def validatePage(self) -> bool:
        """Finish: check everything, then save through the wizard (nothing half-saved)."""
        return self._finish()
