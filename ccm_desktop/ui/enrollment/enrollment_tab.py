"""The Enrollment tab of the patient detail page: the current enrollment with its consent
(method, date, who obtained it, witness) and initiating visit, every step of every
enrollment with who recorded it and when, and the enrollment actions.

An enrollment in effect (enrolled, or leaving at the end of the month) offers no decline:
an enrolled patient can only be disenrolled, which follows the end-of-month rule.

The actions live in ``ccm_desktop.ui.enrollment.enrollment_actions`` (built separately),
imported when used; while it is missing the buttons are disabled and say why.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from datetime import date, datetime
from types import ModuleType

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ccm_desktop import rules
from ccm_desktop.app import AppContext
from ccm_desktop.services.enrollment import ACTIVE_STATUSES, EnrollmentView
from ccm_desktop.ui.common.enrollment_words import status_text
from ccm_desktop.ui.common.forms import error_label
from ccm_desktop.ui.common.models import Column, RecordTableModel
from ccm_desktop.ui.common.style import relative_font
from ccm_desktop.ui.common.vocabulary import (
    consent_method_label,
    program_label,
    status_label,
    visit_label,
)
from ccm_desktop.ui.patients.detail_data import DetailData, date_text, local_time
from ccm_desktop.ui.patients.detail_tabs import TablePanel
from ccm_desktop.ui.patients.patient_form import ERROR_PREFIX

ACTIONS_MODULE = "ccm_desktop.ui.enrollment.enrollment_actions"


def enrollment_actions() -> ModuleType | None:
    """The enrollment actions module, or None while it is not part of this build."""
    try:
        return importlib.import_module(ACTIONS_MODULE)
    except ImportError:
        return None


@dataclass(frozen=True)
class StepRow:
    """One status step, flattened with its enrollment's program for the table."""

    program: str
    status: str
    effective_date: date
    reason: str
    recorded_by: str
    recorded_at: datetime


def _value_label(name: str, accessible: str) -> QLabel:
    label = QLabel(objectName=name)
    label.setAccessibleName(accessible)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class EnrollmentTab(QWidget):
    """Current enrollment, full status history, and Enroll/Decline/Disenroll/Consent form."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.data: DetailData | None = None
        self.current = QLabel(objectName="currentEnrollment")
        self.current.setWordWrap(True)
        relative_font(self.current, 1.1, bold=True)
        self.current_detail = QLabel(objectName="currentEnrollmentDetail")
        self.current_detail.setWordWrap(True)
        self.consent = _value_label("enrollmentConsent", self.tr("Consent"))
        self.visit = _value_label("enrollmentVisit", self.tr("Initiating visit"))
        facts = QFormLayout()
        facts.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        facts.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.consent_label = QLabel(self.tr("Consent:"))
        self.visit_label = QLabel(self.tr("Initiating visit:"))
        facts.addRow(self.consent_label, self.consent)
        facts.addRow(self.visit_label, self.visit)
        self.enroll_button = QPushButton(self.tr("Enr&oll…"))
        self.decline_button = QPushButton(self.tr("Record dec&line…"))
        self.disenroll_button = QPushButton(self.tr("&Disenroll…"))
        self.consent_button = QPushButton(self.tr("Consent for&m…"))
        self.enroll_button.clicked.connect(self.enroll)
        self.decline_button.clicked.connect(self.decline)
        self.disenroll_button.clicked.connect(self.disenroll)
        self.consent_button.clicked.connect(self.consent_form)
        self.message = error_label()
        buttons = QHBoxLayout()
        for b in (
            self.enroll_button,
            self.decline_button,
            self.disenroll_button,
            self.consent_button,
        ):
            buttons.addWidget(b)
        buttons.addStretch(1)
        tz_holder: list[DetailData] = []
        self._tz_holder = tz_holder
        model: RecordTableModel[StepRow] = RecordTableModel(
            [
                Column(self.tr("Program"), lambda r: program_label(r.program)),
                Column(self.tr("Status"), lambda r: status_label(r.status)),
                Column(self.tr("Effective"), lambda r: date_text(r.effective_date)),
                Column(self.tr("Recorded by"), lambda r: r.recorded_by),
                Column(
                    self.tr("Recorded at"), lambda r: local_time(r.recorded_at, tz_holder[0].tz)
                ),
                Column(self.tr("Reason"), lambda r: r.reason),
            ],
            self,
        )
        self.history = TablePanel(
            model,
            "enrollmentHistory",
            self.tr("Enrollment history"),
            self.tr("Every enrollment step, newest first."),
            self.tr("No enrollment or decline recorded yet."),
        )
        self.history.layout_.setContentsMargins(0, 0, 0, 0)  # lines up with the buttons
        layout = QVBoxLayout(self)
        layout.addWidget(self.current)
        layout.addWidget(self.current_detail)
        layout.addLayout(facts)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        layout.addWidget(self.history, 1)
        if enrollment_actions() is None:
            for b in (
                self.enroll_button,
                self.decline_button,
                self.disenroll_button,
                self.consent_button,
            ):
                b.setEnabled(False)
                b.setToolTip(self.tr("Enrollment is not available in this version yet."))

    def show_data(self, data: DetailData) -> None:
        self.data = data
        self._tz_holder[:] = [data]
        cur = data.current
        leaving = cur.leaving_on(data.today) if cur is not None else None
        if cur is None:
            self.current.setText(self.tr("Not enrolled"))
            self.current_detail.setText(
                self.tr("Enroll the patient, or record that they declined, with the buttons below.")
            )
        else:
            self.current.setText(
                self.tr("{program}: {status}").format(
                    program=program_label(cur.program), status=status_text(cur.status, leaving)
                )
            )
            parts = []
            if cur.start_date:
                parts.append(self.tr("Since {date}").format(date=date_text(cur.start_date)))
            if leaving is not None:
                parts.append(self.tr("last day {date}").format(date=date_text(leaving)))
            elif cur.end_date:
                parts.append(self.tr("ended {date}").format(date=date_text(cur.end_date)))
            provider = data.providers.get(cur.billing_provider_id or 0)
            if provider:
                parts.append(self.tr("billing provider {name}").format(name=provider))
            self.current_detail.setText(", ".join(parts))
        self._show_facts(data, cur)
        steps = [
            StepRow(e.program, s.status, s.effective_date, s.reason, s.recorded_by, s.recorded_at)
            for e in data.enrollments
            for s in e.history
        ]
        steps.sort(key=lambda r: r.recorded_at, reverse=True)
        self.history.set_rows(steps)
        active = cur is not None and cur.status in ACTIVE_STATUSES
        enrolled = cur is not None and cur.in_effect(data.today)
        self.decline_button.setVisible(not enrolled)  # enrolled: disenroll, never "declined"
        if enrollment_actions() is not None:
            self.disenroll_button.setEnabled(active)
            self.disenroll_button.setToolTip(
                ""
                if active
                else self.tr("Already leaving: the enrollment ends on {date}.").format(
                    date=date_text(leaving)
                )
                if leaving is not None
                else self.tr("The patient is not enrolled.")
            )
            self.enroll_button.setText(
                self.tr("Change pro&gram…") if active else self.tr("Enr&oll…")
            )

    def _show_facts(self, data: DetailData, cur: EnrollmentView | None) -> None:
        """The consent and the initiating visit of the newest enrollment (or decline)."""
        shown = cur is not None
        for widget in (self.consent_label, self.consent, self.visit_label, self.visit):
            widget.setVisible(shown)
        if cur is None:
            return
        c = cur.consent
        if c is None:
            self.consent.setText(self.tr("not recorded"))
        else:
            words = (
                self.tr("{method}, {date}, obtained by {who}")
                if c.consented
                else self.tr("Declined ({method}), {date}, asked by {who}")
            )
            text = words.format(
                method=consent_method_label(c.method),
                date=date_text(c.consent_date),
                who=c.obtained_by or self.tr("(not recorded)"),
            )
            if c.witness:
                text += self.tr("; witness {name}").format(name=c.witness)
            self.consent.setText(text)
        self.visit_label.setVisible(c is None or c.consented)
        self.visit.setVisible(c is None or c.consented)
        v = cur.visit
        if v is not None:
            text = self.tr("{date}, {kind}").format(
                date=date_text(v.visit_date), kind=visit_label(v.visit_type)
            )
            provider = data.providers.get(v.provider_id or 0)
            if provider:
                text += self.tr(", with {name}").format(name=provider)
            if v.g0506:
                text += self.tr(" (with {code})").format(code=rules.initiating_addon_code())
            self.visit.setText(text)
        else:
            last = data.detail.data.last_visit_date
            self.visit.setText(
                self.tr(
                    "None recorded with this enrollment: no new visit was needed. Last "
                    "face-to-face visit on record: {date}"
                ).format(date=date_text(last or None))
            )

    # -- actions (each refreshes through the event bus when something was saved) --
    def _actions(self) -> ModuleType | None:
        self.message.hide()
        module = enrollment_actions()
        if module is None:
            self.message.setText(ERROR_PREFIX + self.tr("Enrollment is not available yet."))
            self.message.show()
        return module

    def _patient_id(self) -> int:
        assert self.data is not None
        return self.data.detail.id

    def _call(self, name: str, *args: object) -> None:
        """Run one of the actions on this window; a part not yet built says so inline."""
        module = self._actions()
        if module is None:
            return
        try:
            getattr(module, name)(self.window(), self.ctx, *args)
        except ImportError:
            self.message.setText(ERROR_PREFIX + self.tr("This part is not available yet."))
            self.message.show()

    def enroll(self) -> None:
        if self.data is not None:
            self._call("open_enrollment_wizard", self._patient_id())

    def decline(self) -> None:
        if self.data is not None:
            self._call("open_decline_dialog", self._patient_id())

    def disenroll(self) -> None:
        cur = self.data.current if self.data else None
        if cur is not None:
            self._call("open_disenroll_dialog", cur.id)

    def consent_form(self) -> None:
        if self.data is not None:
            cur = self.data.current
            program = cur.program if cur is not None else "ccm"
            self._call("open_consent_preview", self._patient_id(), program)
