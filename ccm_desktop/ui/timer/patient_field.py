"""The timer bar's patient field: type a name, MRN or date of birth, pick from the list.

The search is the patient list's own (``PatientService.briefs``, services/patient_list.py),
read off the GUI thread a moment after the typing stops; the newest answer wins.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QCompleter, QLineEdit, QToolButton, QWidget

from ccm_desktop.app import AppContext
from ccm_desktop.services.patients import PatientBrief
from ccm_desktop.ui.common.tasks import Progress, run_task
from ccm_desktop.ui.timer.words import patient_words

SEARCH_DELAY_MS = 200
SHOWN = 12  # suggestions at most


def brief_words(b: PatientBrief) -> str:
    """ "Doe, Jane (MRN A100, born 03/04/1950)"."""
    return patient_words(b.name, b.mrn, b.dob)


class PatientField(QLineEdit):
    """Search as you type; ``chosen(patient_id)`` when a suggestion is picked, ``cleared()``
    when the text no longer names the chosen patient."""

    chosen = Signal(int)
    cleared = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.patient_id: int | None = None
        self._chosen_text = ""
        self._generation = 0
        self._answered = 0  # the generation whose answer is shown
        self.set_locked(False)
        self.setPlaceholderText(self.tr("Type a name, MRN or date of birth"))
        self.suggestions = QStandardItemModel(self)
        self.completer_ = QCompleter(self.suggestions, self)
        self.completer_.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer_.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer_.setWidget(self)
        self.completer_.activated[QModelIndex].connect(self._picked)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.search)
        self.textEdited.connect(self._edited)

    @property
    def searching(self) -> bool:
        """A search is waiting or under way."""
        return self._timer.isActive() or self._generation != self._answered

    def set_locked(self, locked: bool) -> None:
        """Read-only, without the clear button, while a timer runs for the patient shown."""
        self.setReadOnly(locked)
        self.setClearButtonEnabled(not locked)
        for button in self.findChildren(QToolButton):  # the icon-only clear button
            button.setAccessibleName(self.tr("Clear the patient"))
            button.setToolTip(self.tr("Clear the patient"))

    def set_patient(self, patient_id: int | None, words: str = "") -> None:
        """Show ``patient_id`` as chosen (``None``: empty) without searching."""
        self._timer.stop()
        self._generation += 1
        self._answered = self._generation
        self.patient_id = patient_id
        self._chosen_text = words if patient_id is not None else ""
        self.setText(self._chosen_text)
        self.setToolTip(self._chosen_text)  # the whole of it, when the field is narrow
        self.setCursorPosition(0)
        self.completer_.popup().hide()

    def _edited(self, text: str) -> None:
        if self.patient_id is not None and text != self._chosen_text:
            self.patient_id = None
            self._chosen_text = ""
            self.cleared.emit()
        if text.strip():
            self._timer.start()
        else:
            self._timer.stop()
            self.completer_.popup().hide()

    def search(self) -> None:
        """Read the suggestions for the text now (off the GUI thread)."""
        self._timer.stop()
        text = self.text().strip()
        self._generation += 1
        generation = self._generation
        patients = self.ctx.patients

        def read(_p: Progress) -> list[PatientBrief]:
            return patients.briefs(text, SHOWN)

        run_task(
            read,
            self,
            on_success=lambda found: self._show(generation, found),
            on_failure=lambda _exc: self._show(generation, []),
        )

    def _show(self, generation: int, found: list[PatientBrief]) -> None:
        if generation != self._generation:
            return  # a newer search is under way
        self._answered = generation
        self.suggestions.clear()
        if not found:
            item = QStandardItem(self.tr("No patient matches: try the last name or the MRN"))
            item.setEnabled(False)
            item.setSelectable(False)
            self.suggestions.appendRow(item)
        for b in found:
            item = QStandardItem(brief_words(b))
            item.setData(b.id, Qt.ItemDataRole.UserRole)
            self.suggestions.appendRow(item)
        if self.hasFocus() and self.patient_id is None:
            self.completer_.complete()

    def _picked(self, index: QModelIndex) -> None:
        pid = index.data(Qt.ItemDataRole.UserRole)
        if pid is None:
            return
        self.set_patient(int(pid), str(index.data()))
        self.chosen.emit(int(pid))
