"""The set-up wizard's data pages: the practice, its providers, the first staff member.

Every page validates with the core's :func:`~ccm_desktop.services.practice.validate_setup`
(the same rules as ``ccm-desktop init``) and keeps Next disabled until its part is valid.
"""

from __future__ import annotations

from collections import OrderedDict

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from ccm_desktop import rules
from ccm_desktop.errors import ValidationErrors
from ccm_desktop.services.practice import (
    US_TIMEZONES,
    PracticeInfo,
    PracticeSetup,
    ProviderInfo,
    StaffInfo,
    username_from_name,
    validate_setup,
)
from ccm_desktop.ui.common.forms import CompletionMarker, FieldErrors, error_map
from ccm_desktop.ui.common.labels import timezone_names
from ccm_desktop.ui.common.models import Column, RecordTableModel
from ccm_desktop.ui.common.style import note
from ccm_desktop.ui.common.vocabulary import credential_label, options
from ccm_desktop.validation import US_STATES
from ccm_desktop.vocab import Credential, Role

PLACEHOLDER_PRACTICE = PracticeInfo("x", "1234567893", "123456789")  # valid; only for sub-checks


_recent: OrderedDict[str, dict[str, str]] = OrderedDict()


def _all_errors(setup: PracticeSetup) -> dict[str, str]:
    # Pages ask several times per keystroke and validate_setup costs ~15 ms
    # (it lists every time zone on disk), so the last few answers are remembered.
    key = repr(setup)
    if key not in _recent:
        try:
            validate_setup(setup)
            _recent[key] = {}
        except ValidationErrors as exc:
            _recent[key] = error_map(exc)
        while len(_recent) > 16:
            _recent.popitem(last=False)
    return _recent[key]


def setup_errors(setup: PracticeSetup, prefix: str) -> dict[str, str]:
    """The core's messages for the fields starting with ``prefix``."""
    return {k: v for k, v in _all_errors(setup).items() if k.startswith(prefix)}


class PracticeInfoPage(QWizardPage):
    """Name, group NPI, tax id, address, phones and time zone."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Your practice"))
        self.setSubTitle(
            self.tr(
                "As it appears on your Medicare claims (a recent claim or remittance "
                "shows the NPI and tax id). Name, NPI and tax id are required."
            )
        )
        self.errors = FieldErrors(self)
        self.marker = CompletionMarker(self, "practiceValid")
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.edits: dict[str, QLineEdit] = {}

        def line(key: str, text: str, placeholder: str = "", max_len: int = 200) -> QLineEdit:
            edit = QLineEdit()
            edit.setPlaceholderText(placeholder)
            edit.setMaxLength(max_len)
            edit.setObjectName(f"practice_{key}")
            self.edits[key] = edit
            self.errors.add_row(form, text, edit, f"practice.{key}")
            edit.textChanged.connect(self.revalidate)
            return edit

        line("name", self.tr("Practice na&me:"))
        line("npi", self.tr("Group NP&I:"), self.tr("10 digits"), 12)
        line("tin", self.tr("Ta&x id (TIN):"), self.tr("9 digits, like 12-3456789"), 12)
        line("address", self.tr("&Address:"), self.tr("street and number"))
        line("city", self.tr("&City:"))
        self.state = QComboBox()
        self.state.setObjectName("practice_state")
        self.state.addItem(self.tr("(choose)"), "")
        for code in sorted(US_STATES):
            self.state.addItem(code, code)
        self.errors.add_row(form, self.tr("&State:"), self.state, "practice.state")
        self.state.currentIndexChanged.connect(self.revalidate)
        line("zip", self.tr("&ZIP code:"), self.tr("5 digits"), 10)
        line("phone", self.tr("P&hone:"), self.tr("10 digits, like 555-201-3344"), 20)
        line(
            "after_hours_phone",
            self.tr("24/7 phone for &patients:"),
            self.tr("the number patients call after hours"),
            20,
        )
        self.timezone = QComboBox()
        self.timezone.setObjectName("practice_timezone")
        names = timezone_names()
        for tz in US_TIMEZONES:
            self.timezone.addItem(names.get(tz, tz), tz)
        self.errors.add_row(form, self.tr("&Time zone:"), self.timezone, "practice.timezone")

    def info(self) -> PracticeInfo:
        e = {k: v.text() for k, v in self.edits.items()}
        return PracticeInfo(
            name=e["name"],
            npi=e["npi"],
            tin=e["tin"],
            address=e["address"],
            city=e["city"],
            state=self.state.currentData() or "",
            zip=e["zip"],
            phone=e["phone"],
            after_hours_phone=e["after_hours_phone"],
            timezone=self.timezone.currentData(),
        )

    def revalidate(self) -> None:
        errors = setup_errors(PracticeSetup(self.info()), "practice.")
        self.errors.set_errors(errors)
        self.marker.set(not errors)

    def initializePage(self) -> None:
        self.revalidate()

    def is_valid(self) -> bool:
        return not setup_errors(PracticeSetup(self.info()), "practice.")

    def validatePage(self) -> bool:
        self.errors.reveal_all()
        return self.is_valid()


class ProvidersPage(QWizardPage):
    """One or more billing practitioners: name, credential and individual NPI."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Billing providers"))
        self.setSubTitle(
            self.tr(
                "The physicians and other practitioners who bill care management. "
                "Add each one; you need at least one."
            )
        )
        self.errors = FieldErrors(self)
        self.marker = CompletionMarker(self, "providersValid")
        self.model: RecordTableModel[ProviderInfo] = RecordTableModel(
            [
                Column(self.tr("Name"), lambda p: p.name),
                Column(self.tr("Credential"), lambda p: p.credential),
                Column(self.tr("NPI"), lambda p: p.npi),
            ],
            self,
        )
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.name = QLineEdit(objectName="provider_name")
        self.name.setPlaceholderText(self.tr("name and credential, like Dana Example, MD"))
        self.credential = QComboBox(objectName="provider_credential")
        for c in rules.billing_practitioner_credentials():
            self.credential.addItem(credential_label(c), c.value)
        self.npi = QLineEdit(objectName="provider_npi")
        self.npi.setPlaceholderText(self.tr("10 digits"))
        self.npi.setMaxLength(12)
        self.errors.add_row(form, self.tr("Na&me:"), self.name, "name")
        self.errors.add_row(form, self.tr("&Credential:"), self.credential, "credential")
        self.errors.add_row(form, self.tr("Individual NP&I:"), self.npi, "npi")
        self.add_button = QPushButton(self.tr("&Add provider"))
        self.add_button.clicked.connect(self.add_entry)
        self.npi.returnPressed.connect(self.add_entry)
        add_row = QHBoxLayout()
        add_row.addStretch(1)
        add_row.addWidget(self.add_button)

        self.view = QTableView()
        self.view.setObjectName("providerList")
        self.view.setAccessibleName(self.tr("Providers added"))
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.verticalHeader().setVisible(False)
        self.view.setTabKeyNavigation(False)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.remove_button = QPushButton(self.tr("&Remove selected"))
        self.remove_button.clicked.connect(self.remove_selected)
        remove_row = QHBoxLayout()
        remove_row.addStretch(1)
        remove_row.addWidget(self.remove_button)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(add_row)
        layout.addWidget(self.view, 1)
        layout.addLayout(remove_row)
        for w in (self.name, self.npi):
            w.textChanged.connect(self.revalidate)
        self.credential.currentIndexChanged.connect(self.revalidate)

    def providers(self) -> list[ProviderInfo]:
        return self.model.records()

    def entry(self) -> ProviderInfo:
        return ProviderInfo(self.name.text(), self.credential.currentData(), self.npi.text())

    def entry_blank(self) -> bool:
        return not self.name.text().strip() and not self.npi.text().strip()

    def entry_errors(self) -> dict[str, str]:
        n = len(self.providers()) + 1
        setup = PracticeSetup(PLACEHOLDER_PRACTICE, [*self.providers(), self.entry()])
        prefix = f"providers[{n}]."
        return {k[len(prefix) :]: v for k, v in setup_errors(setup, prefix).items()}

    def revalidate(self) -> None:
        self.errors.set_errors({} if self.entry_blank() else self.entry_errors())
        self.remove_button.setEnabled(bool(self.providers()))
        self.marker.set(self.is_valid())

    def add_entry(self) -> bool:
        """Add the typed provider to the list when valid; otherwise show why not."""
        if self.entry_errors():
            self.errors.reveal_all()
            return False
        self.model.set_rows([*self.providers(), self.entry()])
        self.name.clear()
        self.npi.clear()
        self.errors.reset()
        self.revalidate()
        self.name.setFocus(Qt.FocusReason.OtherFocusReason)
        return True

    def remove_selected(self) -> None:
        rows = self.view.selectionModel().selectedRows()
        row = rows[0].row() if rows else len(self.providers()) - 1
        if row >= 0:
            kept = [p for i, p in enumerate(self.providers()) if i != row]
            self.model.set_rows(kept)
        self.revalidate()

    def initializePage(self) -> None:
        self.revalidate()

    def is_valid(self) -> bool:
        """Providers listed and nothing half typed, or a valid provider typed in."""
        if self.entry_blank():
            return bool(self.providers())
        return not self.entry_errors()

    def validatePage(self) -> bool:
        """Next with a filled-in provider adds it first (people forget the Add button)."""
        if not self.entry_blank():
            return self.add_entry()
        return bool(self.providers())


class StaffPage(QWizardPage):
    """The first staff member, who becomes the practice's administrator."""

    def __init__(self, providers: ProvidersPage, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.providers_page = providers
        self.setTitle(self.tr("The first staff member"))
        self.setSubTitle(
            self.tr(
                "Usually you. This person becomes the administrator and can add the "
                "other staff later."
            )
        )
        self.errors = FieldErrors(self)
        self.marker = CompletionMarker(self, "staffValid")
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.name = QLineEdit(objectName="staff_name")
        self.name.setPlaceholderText(self.tr("first and last name"))
        self.username = QLineEdit(objectName="staff_username")
        self.username.setPlaceholderText(self.tr("made from the name; you can change it"))
        self.credential = QComboBox(objectName="staff_credential")
        for c, name in options(Credential):
            self.credential.addItem(name, c.value)
        self.credential.setCurrentIndex(self.credential.findData(""))
        self.provider = QComboBox(objectName="staff_provider")
        self.errors.add_row(form, self.tr("&Full name:"), self.name, "staff[1].name")
        self.errors.add_row(form, self.tr("&Username:"), self.username, "staff[1].username")
        self.errors.add_row(form, self.tr("&Credential:"), self.credential, "staff[1].credential")
        self.errors.add_row(
            form, self.tr("&Also a billing provider:"), self.provider, "staff[1].provider_npi"
        )
        form.addRow(
            note(
                self.tr(
                    "A username is letters and digits, dots allowed, like pat.admin. "
                    "It names this person in the record of who did what."
                )
            )
        )
        self._username_edited = False
        self.username.textEdited.connect(self._mark_username_edited)
        self.name.textChanged.connect(self._suggest_username)
        for w in (self.name, self.username):
            w.textChanged.connect(self.revalidate)
        for c in (self.credential, self.provider):
            c.currentIndexChanged.connect(self.revalidate)

    def _mark_username_edited(self) -> None:
        self._username_edited = True

    def _suggest_username(self, name: str) -> None:
        if not self._username_edited:
            self.username.setText(username_from_name(name))

    def staff(self) -> StaffInfo:
        return StaffInfo(
            self.username.text(),
            self.name.text(),
            Role.ADMIN,
            self.credential.currentData() or "",
            self.provider.currentData() or "",
        )

    def initializePage(self) -> None:
        current = self.provider.currentData()
        self.provider.blockSignals(True)
        self.provider.clear()
        self.provider.addItem(self.tr("No"), "")
        for p in self.providers_page.providers():
            self.provider.addItem(self.tr("Yes: {name}").format(name=p.name), p.npi)
        self.provider.setCurrentIndex(max(0, self.provider.findData(current)))
        self.provider.blockSignals(False)
        self.revalidate()

    def _errors(self) -> dict[str, str]:
        setup = PracticeSetup(PLACEHOLDER_PRACTICE, self.providers_page.providers(), [self.staff()])
        return setup_errors(setup, "staff[1].")

    def revalidate(self) -> None:
        errors = self._errors()
        self.errors.set_errors(errors)
        self.marker.set(not errors)

    def is_valid(self) -> bool:
        return not self._errors()

    def validatePage(self) -> bool:
        self.errors.reveal_all()
        return self.is_valid()
