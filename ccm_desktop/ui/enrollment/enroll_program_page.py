"""Enrollment wizard, step 1: the program and the billing practitioner.

The eligibility rule explains itself as the user chooses, next to the patient's active
conditions; Next stays off while the patient does not qualify, or when the choice would
change nothing. A transfer or a program change says what will happen to the current one.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QFormLayout,
    QGroupBox,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from ccm_desktop import rules
from ccm_desktop.services.enrollment import Eligibility, eligibility
from ccm_desktop.ui.common.forms import CompletionMarker, error_label
from ccm_desktop.ui.common.style import ERROR_COLOUR, note, set_text_colour
from ccm_desktop.ui.common.vocabulary import program_description, program_label
from ccm_desktop.ui.enrollment.enrollment_common import PatientFacts, provider_combo, us_date
from ccm_desktop.vocab import Program


class ProgramPage(QWizardPage):
    """Choose the program and billing practitioner; see at once whether the patient qualifies."""

    def __init__(self, facts: PatientFacts, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.facts = facts
        self.setTitle(self.tr("Program and billing practitioner"))
        self.setSubTitle(
            self.tr("{name}, born {dob}. Choose the program the patient agreed to discuss.").format(
                name=facts.name, dob=us_date(facts.dob)
            )
        )
        self.marker = CompletionMarker(self, "programOk")
        self._shown = False
        layout = QVBoxLayout(self)
        box = QGroupBox(self.tr("Program"))
        box_layout = QVBoxLayout(box)
        self.group = QButtonGroup(self)
        self.buttons: dict[str, QRadioButton] = {}
        for index, program in enumerate(Program):
            button = QRadioButton(
                self.tr("&{n}  {name}: {description}").format(
                    n=index + 1,
                    name=program_label(program),
                    description=program_description(program),
                )
            )
            button.setObjectName(f"program_{program}")
            self.group.addButton(button)
            self.buttons[program] = button
            box_layout.addWidget(button)
            button.toggled.connect(self.revalidate)
        layout.addWidget(box)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.provider = provider_combo(facts.providers, self._default_provider(), "provider")
        self.provider.setAccessibleName(self.tr("Billing practitioner"))
        self.provider.currentIndexChanged.connect(self.revalidate)
        label = QLabel(self.tr("&Billing practitioner:"))
        label.setBuddy(self.provider)
        form.addRow(label, self.provider)
        layout.addLayout(form)
        self.conditions = note(self._conditions_text())
        self.conditions.setObjectName("conditionsList")
        layout.addWidget(self.conditions)
        self.verdict = QLabel(objectName="eligibility")
        self.verdict.setWordWrap(True)
        layout.addWidget(self.verdict)
        self.change = error_label()
        self.change.setObjectName("changeNote")
        layout.addWidget(self.change)
        layout.addStretch(1)
        default = self._default_program()
        if default:
            self.buttons[default].setChecked(True)
        self.revalidate()

    def _default_program(self) -> str:
        current = self.facts.current
        if current is not None:
            return current.program
        count = len(self.facts.active_conditions)
        fits = (p for p in (Program.CCM, Program.PCM) if count >= rules.eligibility_minimum(p))
        return next(fits, "")

    def _default_provider(self) -> int | None:
        current = self.facts.current
        if current is not None and current.billing_provider_id is not None:
            return current.billing_provider_id
        return self.facts.usual_provider_id

    def _conditions_text(self) -> str:
        conditions = self.facts.active_conditions
        if not conditions:
            return self.tr(
                "No conditions on record. Add the patient's chronic conditions first "
                "(CCM and PCM count them); APCM is open to any Medicare patient."
            )
        lines = [self.tr("Conditions on record ({n}):").format(n=len(conditions))]
        for c in conditions:
            line = f"• {c.display_code}  {c.description}"
            if c.chronic_group is None:
                line += self.tr(" (not on the usual chronic list: check that it qualifies)")
            lines.append(line)
        return "\n".join(lines)

    # -- state ----------------------------------------------------------------------
    def program(self) -> str:
        """The chosen program ("" while none is chosen)."""
        return next((p for p, b in self.buttons.items() if b.isChecked()), "")

    def provider_id(self) -> int | None:
        value = self.provider.currentData()
        return int(value) if value else None

    def provider_name(self) -> str:
        return self.facts.provider_name(self.provider_id())

    def eligibility(self) -> Eligibility | None:
        program = self.program()
        if not program:
            return None
        return eligibility(program, len(self.facts.active_conditions), self.facts.detail.data.qmb)

    def change_text(self) -> tuple[str, bool]:
        """What happens to the current enrollment, and whether that blocks going on."""
        current, program = self.facts.current, self.program()
        if current is None or not program:
            return "", False
        old = program_label(current.program)
        old_provider = self.facts.provider_name(current.billing_provider_id) or self.tr(
            "the practitioner on record"
        )
        new = program_label(program)
        if current.billing_provider_id != self.provider_id():
            return self.tr(
                "This is a transfer: it ends the current {old} enrollment with {old_provider} "
                "on the consent date and starts {new} with {provider}. The patient must give "
                "new consent."
            ).format(
                old=old, old_provider=old_provider, new=new, provider=self.provider_name()
            ), False
        if current.program != program:
            return self.tr(
                "This ends the current {old} enrollment with {old_provider} on the consent date "
                "and starts {new}, which needs its own consent from the patient."
            ).format(old=old, old_provider=old_provider, new=new), False
        since = us_date(current.start_date) if current.start_date else ""
        return self.tr(
            "{name} is already enrolled in {old} with {old_provider} (since {since}): nothing "
            "would change. Choose another program or practitioner, or close this window."
        ).format(name=self.facts.name, old=old, old_provider=old_provider, since=since), True

    def revalidate(self) -> None:
        el = self.eligibility()
        if el is None:
            self.verdict.setText(self.tr("Choose a program to see whether the patient qualifies."))
            set_text_colour(self.verdict, None)
        elif el.eligible:
            self.verdict.setText(self.tr("✓ Qualifies. {reason}").format(reason=el.reason))
            set_text_colour(self.verdict, None)
        else:
            self.verdict.setText(self.tr("✗ Does not qualify. {reason}").format(reason=el.reason))
            set_text_colour(self.verdict, ERROR_COLOUR)
        text, blocking = self.change_text()
        self.change.setText(text)
        self.change.setVisible(bool(text))
        set_text_colour(self.change, ERROR_COLOUR if blocking else None)
        ok = el is not None and el.eligible and not blocking and self.provider_id() is not None
        if self._shown:  # the wizard records the marker's first value on addPage
            self.marker.set(ok)

    def initializePage(self) -> None:
        self._shown = True
        self.revalidate()
