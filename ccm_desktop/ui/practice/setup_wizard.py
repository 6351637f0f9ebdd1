"""The first-run set-up wizard: writes the same practice as ``ccm-desktop init``.

Pages: the practice, its billing providers, the first staff member (administrator)
and the practice passphrase. Finish creates the encrypted practice off the GUI
thread through an injected ``create(setup, passphrase)`` callable and keeps the
open :class:`~ccm_desktop.app.AppContext` in :attr:`SetupWizard.ctx`.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from ccm_desktop.app import AppContext, create_practice
from ccm_desktop.errors import CcmError, ValidationError, ValidationErrors
from ccm_desktop.paths import DataPaths
from ccm_desktop.security.audit import Actor
from ccm_desktop.security.keys import check_passphrase
from ccm_desktop.services.practice import PracticeSetup
from ccm_desktop.ui.common.dialogs import confirm_discard
from ccm_desktop.ui.common.forms import CompletionMarker, FieldErrors, error_label, error_map
from ccm_desktop.ui.common.style import note
from ccm_desktop.ui.common.tasks import Progress, Task, run_task
from ccm_desktop.ui.practice.wizard_pages import PracticeInfoPage, ProvidersPage, StaffPage

Creator = Callable[[PracticeSetup, str], AppContext]


def practice_creator(paths: DataPaths) -> Creator:
    """The real creation: a new encrypted practice in ``paths``, audited as the wizard."""

    def create(setup: PracticeSetup, passphrase: str) -> AppContext:
        return create_practice(paths, passphrase, setup, Actor.system("set-up wizard"))

    return create


class PassphrasePage(QWizardPage):
    """The practice passphrase, typed twice, with what it is for in plain words."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Practice passphrase"))
        self.setSubTitle(self.tr("The recovery key of your practice's data."))
        self.errors = FieldErrors(self)
        self.marker = CompletionMarker(self, "passphraseValid")
        layout = QVBoxLayout(self)
        layout.addWidget(
            note(
                self.tr(
                    "Everything is stored encrypted on this computer. This computer remembers "
                    "the key, so you will not type the passphrase every day. You need it when "
                    "you move to a new computer, restore a backup, or when Windows forgets the "
                    "key.\n\nWrite the passphrase down on paper now and keep it locked away. "
                    "Without it, nobody (not even support) can open your data on another "
                    "computer. Use at least 8 characters; a short sentence is easy to remember."
                )
            )
        )
        layout.addSpacing(self.fontMetrics().height())
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.first = QLineEdit(objectName="passphrase")
        self.second = QLineEdit(objectName="passphrase_again")
        for edit in (self.first, self.second):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
            edit.textChanged.connect(self.revalidate)
        self.errors.add_row(form, self.tr("&Passphrase:"), self.first, "passphrase")
        self.errors.add_row(form, self.tr("&Type it again:"), self.second, "passphrase_again")
        self.show_box = QCheckBox(self.tr("&Show the passphrase"))
        self.show_box.toggled.connect(self._show)
        form.addRow("", self.show_box)
        self.written = QCheckBox(
            self.tr("I have &written the passphrase down and will keep it safe")
        )
        self.written.toggled.connect(self.revalidate)
        form.addRow("", self.written)
        layout.addLayout(form)
        layout.addStretch(1)
        self.busy_bar = QProgressBar()
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setTextVisible(False)
        self.busy_bar.setAccessibleName(self.tr("Creating the practice"))
        self.busy_bar.hide()
        self.busy_label = QLabel(self.tr("Creating your encrypted practice database…"))
        self.busy_label.hide()
        self.failure = error_label()
        self.failure.setObjectName("creationError")
        layout.addWidget(self.busy_label)
        layout.addWidget(self.busy_bar)
        layout.addWidget(self.failure)

    def _show(self, on: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if on else QLineEdit.EchoMode.Password
        self.first.setEchoMode(mode)
        self.second.setEchoMode(mode)

    def passphrase(self) -> str:
        return self.first.text()

    def field_errors(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        try:
            check_passphrase(self.first.text(), "passphrase")
        except ValidationError as exc:
            errors[exc.field] = exc.text
        if self.second.text() != self.first.text():
            errors["passphrase_again"] = self.tr("The two passphrases are not the same.")
        return errors

    def revalidate(self) -> None:
        self.errors.set_errors(self.field_errors())
        self.marker.set(self.is_valid())

    def initializePage(self) -> None:
        self.revalidate()

    def is_valid(self) -> bool:
        """Both passphrases typed and equal, written down, and not already creating."""
        wizard = self.wizard()
        if isinstance(wizard, SetupWizard) and wizard.creating():
            return False
        return not self.field_errors() and self.written.isChecked()

    def validatePage(self) -> bool:
        """Finish: create the practice off-thread; the wizard closes when it is done."""
        wizard = self.wizard()
        assert isinstance(wizard, SetupWizard)
        if wizard.ctx is not None:
            return True
        self.errors.reveal_all()
        if self.is_valid():
            wizard.start_creation()
        return False

    def set_busy(self, busy: bool) -> None:
        self.busy_bar.setVisible(busy)
        self.busy_label.setVisible(busy)
        for w in (self.first, self.second, self.show_box, self.written):
            w.setEnabled(not busy)
        if busy:
            self.failure.hide()
        self.marker.set(self.is_valid())

    def show_failure(self, text: str) -> None:
        self.failure.setText(text)
        self.failure.show()


class SetupWizard(QWizard):
    """Collects a :class:`PracticeSetup` and a passphrase, then creates the practice."""

    def __init__(self, create: Creator, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.create = create
        self.ctx: AppContext | None = None
        self.task: Task | None = None
        self.setWindowTitle(self.tr("Set up your practice"))
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setButtonText(QWizard.WizardButton.FinishButton, self.tr("&Create my practice"))
        self.practice_page = PracticeInfoPage()
        self.providers_page = ProvidersPage()
        self.staff_page = StaffPage(self.providers_page)
        self.passphrase_page = PassphrasePage()
        for page in (
            self.practice_page,
            self.providers_page,
            self.staff_page,
            self.passphrase_page,
        ):
            self.addPage(page)
        self.setMinimumSize(self.sizeHint())

    def setup(self) -> PracticeSetup:
        return PracticeSetup(
            self.practice_page.info(), self.providers_page.providers(), [self.staff_page.staff()]
        )

    def creating(self) -> bool:
        return self.task is not None and self.task.running

    def start_creation(self) -> Task:
        setup, passphrase, create = self.setup(), self.passphrase_page.passphrase(), self.create

        def work(_p: Progress) -> AppContext:
            return create(setup, passphrase)

        self.task = run_task(work, self, on_success=self._created, on_failure=self._failed)
        self.passphrase_page.set_busy(True)
        self.button(QWizard.WizardButton.BackButton).setEnabled(False)
        self.button(QWizard.WizardButton.CancelButton).setEnabled(False)
        return self.task

    def _created(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.passphrase_page.set_busy(False)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.passphrase_page.set_busy(False)
        self.button(QWizard.WizardButton.BackButton).setEnabled(True)
        self.button(QWizard.WizardButton.CancelButton).setEnabled(True)
        if isinstance(exc, (ValidationError, ValidationErrors)):
            detail = "; ".join(error_map(exc).values())
            text = self.tr("Something on an earlier page needs a fix: {detail}").format(
                detail=detail
            )
        elif isinstance(exc, CcmError):
            text = exc.message
        else:
            text = self.tr("The practice could not be created: {error}").format(error=exc)
        self.passphrase_page.show_failure(text)

    def reject(self) -> None:
        """Escape, Cancel and the window's close: ask first when something was entered."""
        if self.creating():
            return  # creating: wait for it, never leave half a practice behind
        if self.entered_anything() and not self._discard_confirmed():
            return
        super().reject()

    def entered_anything(self) -> bool:
        """Whether any page holds something typed (the state and zone lists have defaults)."""
        texts = [e.text() for e in self.practice_page.edits.values()]
        texts += [self.providers_page.name.text(), self.providers_page.npi.text()]
        texts += [self.staff_page.name.text(), self.passphrase_page.first.text()]
        return any(t.strip() for t in texts) or bool(self.providers_page.providers())

    def _discard_confirmed(self) -> bool:
        return confirm_discard(self, self.tr("The practice has not been created yet."))
