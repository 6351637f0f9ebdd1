"""Pick a chronic condition from the full ICD-10-CM code set as you type, then add it.

The code set loads once per process (about 2 s, see ``ccm_desktop.icd10``); the dialog
loads it in a worker and says so meanwhile. After that a search takes about a millisecond,
so it runs on every keystroke on the GUI thread.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QCoreApplication, QEvent, QItemSelectionModel, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ccm_desktop import icd10
from ccm_desktop.app import AppContext
from ccm_desktop.errors import CcmError, ValidationError, ValidationErrors
from ccm_desktop.icd10 import CodeHit
from ccm_desktop.ui.common.compat import freeze_long_lived
from ccm_desktop.ui.common.date_field import DateField
from ccm_desktop.ui.common.dialogs import describe
from ccm_desktop.ui.common.forms import error_label
from ccm_desktop.ui.common.models import Column, RecordTableModel
from ccm_desktop.ui.common.style import heading, note
from ccm_desktop.ui.common.tasks import Progress, Task, run_task
from ccm_desktop.ui.common.writer import write_and_wait
from ccm_desktop.ui.patients.patient_form import ERROR_PREFIX

CODE_LIKE = re.compile(r"[A-Za-z]{1,2}\d[0-9A-Za-z.]*")
RESULT_LIMIT = 50


def matched_text(hit: CodeHit) -> str:
    """ "matched 'sugar'" for a code found through everyday words, else ""."""
    if not hit.matched:
        return ""
    return QCoreApplication.translate("ConditionPickerDialog", "matched '{words}'").format(
        words=hit.matched
    )


def chronic_text(group: str | None) -> str:
    """ "Chronic: Diabetes" for a chronic-qualifying code, else ""."""
    return f"Chronic: {group}" if group else ""


class ConditionPickerDialog(QDialog):
    """Search, choose one billable code, optionally an onset date, and add it to the patient.

    Emits ``added(condition_id)`` and closes on success; errors show inside the dialog.
    """

    added = Signal(int)

    def __init__(self, ctx: AppContext, patient_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.patient_id = patient_id
        self.ready = False
        self.task: Task | None = None
        self.setWindowTitle(self.tr("Add a condition"))
        self._build()
        self._load_code_set()

    def _build(self) -> None:
        self.search = QLineEdit(objectName="codeSearch")
        self.search.setClearButtonEnabled(True)
        self.search.setPlaceholderText(self.tr("Words or a code: diab typ 2, htn, sugar, E11.9"))
        self.search.setAccessibleName(self.tr("Search conditions"))
        self.search.textChanged.connect(self.run_search)
        self.search.installEventFilter(self)
        search_label = QLabel(self.tr("&Search:"))
        search_label.setBuddy(self.search)
        self.status = QLabel(objectName="pickerStatus")
        self.status.setWordWrap(True)
        self.explanation = note("")
        self.explanation.setObjectName("codeExplanation")
        self.explanation.hide()

        self.model: RecordTableModel[CodeHit] = RecordTableModel(
            [
                Column(self.tr("Code"), lambda h: h.display),
                Column(self.tr("Description"), lambda h: h.description),
                Column(self.tr("Chronic"), lambda h: chronic_text(h.chronic_group)),
                Column(self.tr("Found by"), matched_text),
            ],
            self,
        )
        self.results = QTableView(objectName="codeResults")
        self.results.setAccessibleName(self.tr("Matching codes"))
        self.results.setModel(self.model)
        self.results.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.results.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.results.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.results.setTabKeyNavigation(False)
        self.results.setWordWrap(False)
        self.results.verticalHeader().setVisible(False)
        self.results.setAlternatingRowColors(True)
        header = self.results.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        self.results.setColumnHidden(3, True)  # shown while everyday words found codes
        self.results.activated.connect(lambda _i: self.add())
        self.results.selectionModel().currentRowChanged.connect(lambda *_: self._selected())
        results_label = QLabel(self.tr("&Results:"))
        results_label.setBuddy(self.results)

        self.onset = DateField(self.tr("Onset date"))
        self.onset.editor.returnPressed.connect(self.add)
        onset_form = QFormLayout()
        onset_label = QLabel(self.tr("&Onset date (optional):"))
        onset_label.setBuddy(self.onset)
        onset_form.addRow(onset_label, self.onset)
        self.onset_error = error_label()
        onset_form.addRow("", self.onset_error)
        self.chosen = QLabel(objectName="chosenCode")
        self.chosen.setWordWrap(True)
        self.error = error_label()
        self.error.setObjectName("pickerError")

        buttons = QDialogButtonBox()
        self.add_button: QPushButton = buttons.addButton(
            self.tr("&Add condition"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.add_button.setEnabled(False)
        self.add_button.setAutoDefault(False)
        cancel = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.setAutoDefault(False)
        buttons.accepted.connect(self.add)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(heading(self.tr("Add a condition"), 1.25))
        layout.addWidget(
            note(
                self.tr(
                    "Type words or a code. Press Down to move into the results and Enter to "
                    "add the highlighted code."
                )
            )
        )
        layout.addWidget(search_label)
        layout.addWidget(self.search)
        layout.addWidget(self.status)
        layout.addWidget(self.explanation)
        layout.addWidget(results_label)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.chosen)
        layout.addLayout(onset_form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        QWidget.setTabOrder(self.search, self.results)
        QWidget.setTabOrder(self.results, self.onset.editor)
        QWidget.setTabOrder(self.onset.editor, self.add_button)
        QWidget.setTabOrder(self.add_button, cancel)
        fm = self.fontMetrics()
        # 34 lines: with a title bar and a taskbar it fits a 1366x768 laptop at 125%.
        self.resize(fm.averageCharWidth() * 125, fm.height() * 34)
        self.search.setFocus()

    # -- the code set ----------------------------------------------------------
    def _load_code_set(self) -> None:
        self.status.setText(self.tr("Loading the code set… (a few seconds, once)"))
        self.search.setEnabled(True)  # typing goes on; the search runs when loading ends

        def warm(_p: Progress) -> float:
            return icd10.warm_up()

        self.task = run_task(
            warm, self, on_success=lambda _s: self._loaded(), on_failure=self._load_failed
        )

    def _loaded(self) -> None:
        freeze_long_lived()
        self.ready = True
        self.status.setText("")
        self.status.hide()
        self.run_search()

    def _load_failed(self, exc: BaseException) -> None:
        self.status.setText(
            ERROR_PREFIX
            + self.tr("The code set could not be loaded: {error}").format(error=describe(exc))
        )

    @property
    def loading(self) -> bool:
        return not self.ready and self.task is not None and self.task.running

    # -- searching -------------------------------------------------------------
    def run_search(self) -> None:
        """Show the codes for what is typed now, the first one highlighted."""
        self.error.hide()
        if not self.ready:
            return
        q = self.search.text().strip()
        hits = icd10.search(q, RESULT_LIMIT) if q else []
        self.model.set_rows(hits)
        self.results.setColumnHidden(3, not any(h.matched for h in hits))
        explanation = icd10.explain_code(q) if CODE_LIKE.fullmatch(q) else None
        if explanation and hits:
            explanation += " " + self.tr("The codes below are under it.")
        self.explanation.setText(explanation or "")
        self.explanation.setVisible(bool(explanation))
        if hits:
            self.results.selectRow(0)
            self.results.scrollToTop()
        elif q and not explanation:
            self.status.setText(
                self.tr("No code matches '{text}'. Try fewer or shorter words.").format(text=q)
            )
        self.status.setVisible(bool(q) and not hits and not explanation)
        self._selected()

    def selected_hit(self) -> CodeHit | None:
        rows = self.results.selectionModel().selectedRows()
        return self.model.record(rows[0].row()) if rows else None

    def _selected(self) -> None:
        hit = self.selected_hit()
        self.add_button.setEnabled(hit is not None)
        if hit is None:
            self.chosen.setText("")
            return
        chronic = chronic_text(hit.chronic_group)
        self.chosen.setText(
            self.tr("Chosen: {code} {description}").format(
                code=hit.display, description=hit.description
            )
            + (f" ({chronic})" if chronic else "")
            + (f" — {matched_text(hit)}" if hit.matched else "")
        )

    def select_code(self, code: str) -> bool:
        """Highlight ``code`` (with or without the dot) if it is among the results."""
        want = icd10.normalise(code)
        for row, hit in enumerate(self.model.records()):
            if hit.code == want:
                self.results.selectionModel().setCurrentIndex(
                    self.model.index(row, 0),
                    QItemSelectionModel.SelectionFlag.ClearAndSelect
                    | QItemSelectionModel.SelectionFlag.Rows,
                )
                return True
        return False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """In the search box: Down/Up move in the results, Enter adds (or explains why not)."""
        if watched is self.search and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key = event.key()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_PageDown) and self.model.rowCount():
                self.results.setFocus(Qt.FocusReason.OtherFocusReason)
                if self.selected_hit() is None:
                    self.results.selectRow(0)
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.add_from_search()
                return True
        return super().eventFilter(watched, event)

    def add_from_search(self) -> None:
        """Enter in the search box: refuse a category header, else add the highlighted code."""
        q = self.search.text().strip()
        if CODE_LIKE.fullmatch(q) and self.ready:
            why = icd10.explain_code(q)
            if why and self.model.rowCount():  # the explanation is shown above already
                self._show_error(
                    self.tr(
                        "{code} cannot be added: it is a category. Choose one of the codes "
                        "in the list."
                    ).format(code=icd10.with_dot(q))
                )
                return
            if why:
                self._show_error(why)
                return
            self.select_code(q)
        self.add()

    # -- adding ----------------------------------------------------------------
    def _show_error(self, text: str) -> None:
        self.error.setText(ERROR_PREFIX + text)
        self.error.show()

    def add(self) -> None:
        """Add the highlighted code to the patient; errors stay in the dialog."""
        hit = self.selected_hit()
        self.onset_error.hide()
        if hit is None:
            self._show_error(self.tr("Choose a code from the results first."))
            return
        if self.onset.is_bad():
            self.onset_error.setText(
                ERROR_PREFIX + self.tr("Type the date as MM/DD/YYYY, or leave it empty.")
            )
            self.onset_error.show()
            self.onset.setFocus()
            return
        actor = self.ctx.actor
        assert actor is not None, "a staff member must be working"
        service, pid, onset = self.ctx.patients, self.patient_id, self.onset.value()
        try:  # on the serialized writer; the dialog keeps painting while it waits
            cid = write_and_wait(lambda: service.add_condition(actor, pid, hit.code, onset))
        except (ValidationError, ValidationErrors) as exc:
            errors = exc.errors if isinstance(exc, ValidationErrors) else [exc]
            self._show_error(" ".join(e.text for e in errors))
            return
        except CcmError as exc:
            self._show_error(describe(exc))
            return
        self.added.emit(cid)
        self.accept()
