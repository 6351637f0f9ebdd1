"""Shared parts of the enrollment wizard and dialogs: the facts about one patient, required
date fields and the staff and practitioner pickers (program names: ui/common/vocabulary.py).

Everything here reads through the services (each call its own short session) and hands
plain dataclasses to the widgets; nothing writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QRadioButton,
    QWidget,
)

from ccm_desktop.app import AppContext
from ccm_desktop.services.enrollment import ACTIVE_STATUSES, EnrollmentView
from ccm_desktop.services.patients import LANGUAGES, ConditionRow, PatientDetail
from ccm_desktop.services.practice import PracticeInfo, ProviderInfo, StaffInfo
from ccm_desktop.ui.common.date_field import DateField
from ccm_desktop.ui.common.labels import staff_label


def _tr(text: str) -> str:
    return QCoreApplication.translate("enrollment", text)


def us_date(d: date) -> str:
    """MM/DD/YYYY."""
    return d.strftime("%m/%d/%Y")


def long_date(d: date) -> str:
    """November 30, 2026."""
    return f"{d:%B} {d.day}, {d.year}"


@dataclass(frozen=True)
class PatientFacts:
    """What the enrollment screens need about one patient, read once when they open."""

    detail: PatientDetail
    dob: date
    today: date
    practice: PracticeInfo
    providers: list[ProviderInfo]
    staff: list[StaffInfo]
    history: list[EnrollmentView]

    @property
    def patient_id(self) -> int:
        return self.detail.id

    @property
    def name(self) -> str:
        d = self.detail.data
        return f"{d.first_name} {d.last_name}".strip()

    @property
    def active_conditions(self) -> list[ConditionRow]:
        """The conditions the eligibility rule counts (active ones)."""
        return [c for c in self.detail.conditions if c.status == "active"]

    @property
    def usual_provider_id(self) -> int | None:
        """The patient's billing practitioner, matched by NPI (None when not set)."""
        npi = self.detail.data.billing_provider_npi
        return next((p.id for p in self.providers if npi and p.npi == npi), None)

    @property
    def current(self) -> EnrollmentView | None:
        """The enrollment in force now (enrolled, transferred or changed), if any."""
        return next((e for e in self.history if e.status in ACTIVE_STATUSES), None)

    @property
    def language(self) -> str:
        return self.detail.data.preferred_language or "en"

    @property
    def language_name(self) -> str:
        return LANGUAGES.get(self.language, self.language)

    def provider_name(self, provider_id: int | None) -> str:
        """The practitioner's name, or "" when unknown."""
        return next((p.name for p in self.providers if p.id == provider_id), "")


def practice_today(ctx: AppContext, practice: PracticeInfo | None = None) -> date:
    """Today's date where the practice is (the same "today" the services check against)."""
    info = practice or ctx.practice.practice()
    return ctx.clock.today(ZoneInfo(info.timezone))


def load_facts(ctx: AppContext, patient_id: int) -> PatientFacts:
    """Read the patient, practice, practitioners, staff and enrollment history.

    Raises :class:`~ccm_desktop.errors.NotFound` when the patient no longer exists.
    """
    detail = ctx.patients.get(patient_id)
    dob = detail.data.dob
    if not isinstance(dob, date):
        dob = date.fromisoformat(str(dob))
    practice = ctx.practice.practice()
    return PatientFacts(
        detail,
        dob,
        practice_today(ctx, practice),
        practice,
        ctx.practice.providers(),
        ctx.practice.staff(),
        ctx.enrollment.history(patient_id),
    )


def date_field(
    value: date | None,
    facts: PatientFacts,
    name: str,
    accessible: str,
    earliest: date | None = None,
    earliest_text: str = "",
) -> DateField:
    """The application's one date field (ui/common/date_field.py), required, refusing a date
    after the practice's today and before ``earliest`` (the date of birth unless given)."""
    field = DateField(
        accessible,
        today=facts.today,
        earliest=earliest or facts.dob,
        earliest_text=earliest_text or _tr("the date of birth"),
        required=True,
        value=value,
    )
    field.setObjectName(name)
    field.editor.setObjectName(f"{name}Text")
    return field


def staff_combo(staff: list[StaffInfo], selected_id: int | None, name: str) -> QComboBox:
    """Active staff by name; item data is the staff id (never None: tests/ui/test_binding.py)."""
    combo = QComboBox()
    combo.setObjectName(name)
    for s in staff:
        combo.addItem(staff_label(s), s.id or 0)
    index = combo.findData(selected_id) if selected_id is not None else -1
    combo.setCurrentIndex(max(index, 0))
    return combo


def provider_combo(
    providers: list[ProviderInfo], usual_id: int | None, name: str, parent: QWidget | None = None
) -> QComboBox:
    """Billing practitioners; the patient's own is marked and chosen first."""
    combo = QComboBox(parent)
    combo.setObjectName(name)
    for p in providers:
        text = p.name
        if p.id == usual_id:
            text = _tr("{name} (the patient's practitioner)").format(name=p.name)
        combo.addItem(text, p.id or 0)
    index = combo.findData(usual_id) if usual_id is not None else -1
    combo.setCurrentIndex(max(index, 0))
    return combo


class MethodChoice(QWidget):
    """Verbal or written, as two radio buttons; nothing chosen until the user picks."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.verbal = QRadioButton(_tr("&Verbal (spoken, in person or by phone)"))
        self.verbal.setObjectName("methodVerbal")
        self.written = QRadioButton(_tr("&Written (the patient signed the form)"))
        self.written.setObjectName("methodWritten")
        self.group = QButtonGroup(self)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for button in (self.verbal, self.written):
            self.group.addButton(button)
            layout.addWidget(button)
            button.toggled.connect(self.changed)
        layout.addStretch(1)
        self.setFocusProxy(self.verbal)

    def method(self) -> str:
        """ "verbal", "written" or "" (not chosen yet)."""
        if self.verbal.isChecked():
            return "verbal"
        return "written" if self.written.isChecked() else ""

    def set_method(self, method: str) -> None:
        button = {"verbal": self.verbal, "written": self.written}.get(method)
        if button is not None:
            button.setChecked(True)
