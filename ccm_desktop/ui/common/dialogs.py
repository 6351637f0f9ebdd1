"""Start-up dialogs: first run, the practice passphrase and "Who is working?"."""

from __future__ import annotations

import enum
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QItemSelectionModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QCommandLinkButton,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ccm_desktop.app import AppContext
from ccm_desktop.errors import CcmError, WrongKey
from ccm_desktop.services.practice import StaffInfo
from ccm_desktop.ui.common.forms import error_label
from ccm_desktop.ui.common.models import Column, RecordTableModel
from ccm_desktop.ui.common.style import heading, note
from ccm_desktop.ui.common.tasks import Task, run_task
from ccm_desktop.ui.common.vocabulary import role_label


class FirstRunChoice(enum.Enum):
    CREATE = "create"
    DEMO = "demo"


class FirstRunDialog(QDialog):
    """No practice in the data folder yet: create one, or look around in the demo."""

    def __init__(self, folder: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.choice: FirstRunChoice | None = None
        self.setWindowTitle(self.tr("Welcome to CCM Desktop"))
        layout = QVBoxLayout(self)
        layout.addWidget(heading(self.tr("Welcome to CCM Desktop")))
        self.folder_note = note(
            self.tr("There is no practice on this computer yet (looked in {folder}).").format(
                folder=folder
            )
        )
        layout.addWidget(self.folder_note)
        self.create_button = QCommandLinkButton(
            self.tr("Create my practice"),
            self.tr(
                "Enter your practice, its billing providers and the first staff member. "
                "About five minutes; have your NPI and tax id at hand."
            ),
        )
        self.demo_button = QCommandLinkButton(
            self.tr("Open the demo practice"),
            self.tr(
                "Look around with made-up patients. Nothing you do there touches "
                "real data, and your own practice can be created later."
            ),
        )
        self.create_button.clicked.connect(lambda: self._choose(FirstRunChoice.CREATE))
        self.demo_button.clicked.connect(lambda: self._choose(FirstRunChoice.DEMO))
        layout.addWidget(self.create_button)
        layout.addWidget(self.demo_button)
        buttons = QDialogButtonBox()
        self.quit_button = buttons.addButton(
            self.tr("&Quit"), QDialogButtonBox.ButtonRole.RejectRole
        )
        self.quit_button.setAutoDefault(False)
        buttons.rejected.connect(self.reject)
        layout.addStretch(1)  # spare height below the text, not between
        layout.addWidget(buttons)
        self.create_button.setDefault(True)
        self.create_button.setFocus()
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 64)
        self.resize(self.minimumWidth(), self.heightForWidth(self.minimumWidth()))

    def _choose(self, choice: FirstRunChoice) -> None:
        self.choice = choice
        self.accept()


class PassphraseDialog(QDialog):
    """Asks for the practice passphrase and tries it off-thread with ``attempt``.

    ``attempt(passphrase)`` returns an open context or raises; :class:`WrongKey` is
    shown in the dialog to try again, any other error closes it with :attr:`error` set.
    """

    def __init__(
        self,
        folder: Path,
        attempt: Callable[[str], AppContext],
        parent: QWidget | None = None,
        *,
        reason: str = "",
    ) -> None:
        super().__init__(parent)
        self.attempt = attempt
        self.ctx: AppContext | None = None
        self.error: BaseException | None = None
        self.task: Task | None = None
        self.setWindowTitle(self.tr("Practice passphrase"))
        layout = QVBoxLayout(self)
        layout.addWidget(heading(self.tr("Unlock the practice")))
        layout.addWidget(
            note(
                reason
                or self.tr(
                    "This computer does not hold the key to the practice data in {folder}. "
                    "Type the practice passphrase: the one written down when the practice "
                    "was set up."
                ).format(folder=folder)
            )
        )
        form = QFormLayout()
        self.edit = QLineEdit(objectName="passphrase")
        self.edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.edit.setAccessibleName(self.tr("Practice passphrase"))
        self.edit.textChanged.connect(self._typed)
        label = QLabel(self.tr("&Passphrase:"))
        label.setBuddy(self.edit)
        form.addRow(label, self.edit)
        self.message = error_label()
        self.message.setObjectName("passphraseMessage")
        self.show_box = QCheckBox(self.tr("&Show the passphrase"))
        self.show_box.toggled.connect(
            lambda on: self.edit.setEchoMode(
                QLineEdit.EchoMode.Normal if on else QLineEdit.EchoMode.Password
            )
        )
        form.addRow("", self.show_box)
        layout.addLayout(form)
        layout.addWidget(self.message)  # outside the form: a wrapped label grows here
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.setAccessibleName(self.tr("Opening the practice"))
        self.busy.hide()
        layout.addWidget(self.busy)
        buttons = QDialogButtonBox()
        self.open_button = buttons.addButton(
            self.tr("&Open"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.quit_button = buttons.addButton(
            self.tr("&Quit"), QDialogButtonBox.ButtonRole.RejectRole
        )
        self.open_button.setDefault(True)
        self.open_button.setEnabled(False)
        self.quit_button.setAutoDefault(False)  # Enter must never quit by accident
        self.edit.returnPressed.connect(self.try_open)
        buttons.accepted.connect(self.try_open)
        buttons.rejected.connect(self.reject)
        layout.addStretch(1)  # spare height below the text, not between
        layout.addWidget(buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 60)
        self.resize(self.minimumWidth(), self.heightForWidth(self.minimumWidth()))

    def _typed(self, text: str) -> None:
        self.open_button.setEnabled(bool(text) and not self.working())

    def working(self) -> bool:
        return self.task is not None and self.task.running

    def try_open(self) -> Task | None:
        """Try the typed passphrase off the GUI thread (it takes about a tenth of a second)."""
        passphrase = self.edit.text()
        if not passphrase or self.working():
            return None
        attempt = self.attempt
        self.message.hide()
        self.busy.show()
        self.edit.setEnabled(False)
        self.open_button.setEnabled(False)
        self.task = run_task(
            lambda _p: attempt(passphrase), self, on_success=self._opened, on_failure=self._failed
        )
        return self.task

    def _opened(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.busy.hide()
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.busy.hide()
        self.edit.setEnabled(True)
        if isinstance(exc, WrongKey):
            self.message.setText(
                self.tr("{reason} Check the spelling and Caps Lock, then try again.").format(
                    reason=exc.message
                )
            )
            self.message.show()
            # Room for the message, however it wraps.
            self.resize(self.width(), max(self.height(), self.heightForWidth(self.width())))
            self.edit.selectAll()
            self.edit.setFocus()
            self._typed(self.edit.text())
            return
        self.error = exc
        self.reject()

    def reject(self) -> None:
        if not self.working():
            super().reject()


class StaffPickerDialog(QDialog):
    """ "Who is working?": pick yourself from the active staff (until sign-in exists)."""

    def __init__(
        self,
        staff: list[StaffInfo],
        practice_name: str,
        parent: QWidget | None = None,
        *,
        preselect: str = "",
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Who is working?"))
        self.model: RecordTableModel[StaffInfo] = RecordTableModel(
            [
                Column(self.tr("Name"), lambda s: s.name),
                Column(self.tr("Role"), lambda s: role_label(s.role)),
                Column(self.tr("Credential"), lambda s: s.credential),
            ],
            self,
        )
        self.model.set_rows(staff)
        layout = QVBoxLayout(self)
        layout.addWidget(heading(self.tr("Who is working?")))
        layout.addWidget(
            note(
                self.tr(
                    "{practice}: choose your name. Everything you do is recorded under it."
                ).format(practice=practice_name)
            )
        )
        self.view = QTableView(objectName="staffList")
        self.view.setAccessibleName(self.tr("Staff members"))
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setTabKeyNavigation(False)
        self.view.verticalHeader().setVisible(False)
        self.view.setShowGrid(False)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.view.doubleClicked.connect(self.accept)
        layout.addWidget(self.view, 1)
        buttons = QDialogButtonBox()
        self.start_button: QPushButton = buttons.addButton(
            self.tr("&Start working"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        quit_button = buttons.addButton(self.tr("&Quit"), QDialogButtonBox.ButtonRole.RejectRole)
        quit_button.setAutoDefault(False)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.start_button.setDefault(True)
        self.view.selectionModel().selectionChanged.connect(self._update)
        names = [s.username for s in staff]
        self.select(names.index(preselect) if preselect in names else 0)
        self.view.setFocus()
        self.resize(
            self.fontMetrics().averageCharWidth() * 70,
            self.fontMetrics().height() * (len(staff) * 2 + 14),
        )

    def select(self, row: int) -> None:
        if 0 <= row < self.model.rowCount():
            self.view.selectionModel().setCurrentIndex(
                self.model.index(row, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )

    def _update(self) -> None:
        self.start_button.setEnabled(self.selected() is not None)

    def selected(self) -> StaffInfo | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.record(rows[0].row()) if rows else None

    def accept(self) -> None:
        if self.selected() is not None:
            super().accept()


def describe(exc: BaseException) -> str:
    """Plain words for an error shown in a message box."""
    return exc.message if isinstance(exc, CcmError) else str(exc) or type(exc).__name__


def confirm_discard(parent: QWidget, detail: str) -> bool:
    """Ask "Discard what you entered?" (``detail`` says what is not saved); True only when
    the user chooses Discard. Keep editing is the default and Escape's answer."""

    def tr(text: str) -> str:
        return QCoreApplication.translate("dialogs", text)

    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(tr("Discard?"))
    box.setText(tr("Discard what you entered?"))
    box.setInformativeText(detail)
    discard = box.addButton(tr("&Discard"), QMessageBox.ButtonRole.DestructiveRole)
    keep = box.addButton(tr("&Keep editing"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(keep)
    box.setEscapeButton(keep)
    box.exec()
    clicked = box.clickedButton()
    box.deleteLater()
    return clicked is discard
