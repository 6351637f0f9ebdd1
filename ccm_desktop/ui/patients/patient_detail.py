"""The patient detail page: a header (name, date of birth and age, MRN, program and status)
and tabs for details, conditions, enrollment, care plan, time and history.

It is a page of the main window's stack: Back (Alt+Left or Escape) returns to the patient
list as it was left. Everything is read off the GUI thread in one go
(:func:`~ccm_desktop.ui.patients.detail_data.load_detail`), and the page reloads itself when
a change for its patient arrives on the event bus.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ccm_desktop import icd10
from ccm_desktop.app import AppContext
from ccm_desktop.events import Change
from ccm_desktop.gate import Permission
from ccm_desktop.services.patients import PatientDetail
from ccm_desktop.ui.careplan.plan_tab import CarePlanTab
from ccm_desktop.ui.common.bridge import EventBridge
from ccm_desktop.ui.common.compat import freeze_long_lived
from ccm_desktop.ui.common.dialogs import describe
from ccm_desktop.ui.common.enrollment_words import status_text
from ccm_desktop.ui.common.forms import error_label
from ccm_desktop.ui.common.style import heading, relative_font
from ccm_desktop.ui.common.tasks import Progress, Task, run_task
from ccm_desktop.ui.common.vocabulary import program_label
from ccm_desktop.ui.enrollment.enrollment_tab import EnrollmentTab
from ccm_desktop.ui.pages import PageContext, PageSpec
from ccm_desktop.ui.patients.condition_picker import ConditionPickerDialog
from ccm_desktop.ui.patients.detail_data import DetailData, age_on, date_text, load_detail
from ccm_desktop.ui.patients.detail_tabs import ConditionsTab, DetailsTab, HistoryTab
from ccm_desktop.ui.patients.patient_form import ERROR_PREFIX, PatientFormDialog
from ccm_desktop.ui.patients.record_dialogs import EnteredInErrorDialog, MergeDialog
from ccm_desktop.ui.patients.time_log import TimeLogTab
from ccm_desktop.vocab import ChangeKind, RecordStatus

MERGE = Permission.PATIENT_MERGE

DETAILS, CONDITIONS, ENROLLMENT, CARE_PLAN, TIME, HISTORY = range(6)
# Names shown on every tab: a change of these kinds always reloads the page.
RELOAD_KINDS = frozenset({ChangeKind.PRACTICE, ChangeKind.PROVIDERS, ChangeKind.STAFF})
# A change of these kinds reloads the page when it is about this patient.
PATIENT_KINDS = frozenset(
    {
        ChangeKind.PATIENTS,
        ChangeKind.CONDITIONS,
        ChangeKind.ENROLLMENT,
        ChangeKind.VISITS,
        ChangeKind.CAREPLAN,
        ChangeKind.TIME,
    }
)


_warming: list[Task] = []


def warm_code_set() -> None:
    """Load the ICD-10-CM code set in a worker, once per process, so that the condition
    picker usually opens ready (it waits for this same load otherwise)."""
    if not _warming:
        _warming.append(
            run_task(lambda _p: icd10.warm_up(), on_success=lambda _s: freeze_long_lived())
        )


class PatientDetailPage(QWidget):
    """One patient; ``show_patient(id)`` loads them, ``back_requested`` asks for the list.

    ``loaded`` is emitted each time the page shows a fresh answer (or the reason it has none).
    """

    back_requested = Signal()
    loaded = Signal()

    def __init__(
        self,
        ctx: AppContext,
        parent: QWidget | None = None,
        *,
        bridge: EventBridge | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.patient_id: int | None = None
        self.data: DetailData | None = None
        self.task: Task | None = None
        self._generation = 0
        self.form: PatientFormDialog | None = None
        self.picker: ConditionPickerDialog | None = None
        self._build()
        if bridge is not None:
            bridge.subscribe(self, PATIENT_KINDS | RELOAD_KINDS, self.on_change)

    def _build(self) -> None:
        self.back_button = QPushButton(self.tr("← &Back to patients"))
        self.back_button.setObjectName("backButton")
        self.back_button.setToolTip(self.tr("Back to the patient list (Alt+Left or Escape)"))
        self.back_button.clicked.connect(self.back_requested)
        self.edit_button = QPushButton(self.tr("&Edit details…"))
        self.edit_button.setToolTip(self.tr("Change this patient's details (Ctrl+E)"))
        self.edit_button.clicked.connect(self.edit)
        # The record's status (patient_detail's own actions; the tabs are elsewhere).
        self.in_error_button = QPushButton(self.tr("Entered in e&rror…"))
        self.in_error_button.setToolTip(
            self.tr("Mark this record entered in error (kept, not listed), or restore it")
        )
        self.in_error_button.clicked.connect(self.mark_in_error)
        self.merge_button = QPushButton(self.tr("&Merge a duplicate…"))
        self.merge_button.setToolTip(self.tr("Merge another record of this patient into this one"))
        self.merge_button.clicked.connect(self.merge)
        self.status_banner = error_label()
        self.status_banner.setObjectName("recordStatus")
        self.record_dialog: QDialog | None = None
        self.name = heading("", 1.5)
        self.name.setObjectName("patientName")
        self.name.setTextFormat(Qt.TextFormat.PlainText)
        self.summary = QLabel(objectName="patientSummary")
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        relative_font(self.summary, 1.1)
        self.message = error_label()
        self.message.setObjectName("detailMessage")

        self.details_tab = DetailsTab()
        self.conditions_tab = ConditionsTab(self.ctx)
        self.conditions_tab.add_requested.connect(self.add_condition)
        self.enrollment_tab = EnrollmentTab(self.ctx)
        self.care_plan_tab = CarePlanTab(self.ctx)
        self.time_tab = TimeLogTab(self.ctx)
        self.history_tab = HistoryTab()
        self.tabs = QTabWidget(objectName="patientTabs")
        self.tabs.setAccessibleName(self.tr("Patient record"))
        for widget, text in (
            (self.details_tab, self.tr("De&tails")),
            (self.conditions_tab, self.tr("&Conditions")),
            (self.enrollment_tab, self.tr("E&nrollment")),
            (self.care_plan_tab, self.tr("Care &plan")),
            (self.time_tab, self.tr("T&ime")),
            (self.history_tab, self.tr("Hi&story")),
        ):
            self.tabs.addTab(widget, text)

        top = QHBoxLayout()
        top.addWidget(self.back_button)
        top.addStretch(1)
        top.addWidget(self.in_error_button)
        top.addWidget(self.merge_button)
        top.addWidget(self.edit_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.name)
        layout.addWidget(self.summary)
        layout.addWidget(self.status_banner)
        layout.addWidget(self.message)
        layout.addWidget(self.tabs, 1)

        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        for keys in (QKeySequence(Qt.Key.Key_Escape), QKeySequence("Alt+Left")):
            QShortcut(keys, self, self.back_requested.emit, context)
        QShortcut(QKeySequence("Ctrl+E"), self, self.edit, context)
        QWidget.setTabOrder(self.back_button, self.edit_button)
        QWidget.setTabOrder(self.edit_button, self.tabs)

    # -- loading ---------------------------------------------------------------
    @property
    def loading(self) -> bool:
        return self.task is not None and self.task.running

    def show_patient(self, patient_id: int) -> None:
        """Show ``patient_id`` from its Details tab (the data arrives shortly)."""
        if patient_id != self.patient_id:
            self.data = None
            self.name.setText(self.tr("Opening the patient…"))
            self.summary.setText("")
            self.tabs.setCurrentIndex(DETAILS)
        self.patient_id = patient_id
        self.reload()
        warm_code_set()

    def reload(self) -> None:
        """Read the patient again off the GUI thread; only the latest answer is shown."""
        if self.patient_id is None:
            return
        self._generation += 1
        generation, ctx, pid = self._generation, self.ctx, self.patient_id

        def read(_p: Progress) -> DetailData:
            return load_detail(ctx, pid)

        self.task = run_task(
            read,
            self,
            on_success=lambda data: self._show(generation, data),
            on_failure=lambda exc: self._failed(generation, exc),
        )

    def _failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self.message.setText(
            ERROR_PREFIX
            + self.tr("This patient could not be read: {error}").format(error=describe(exc))
        )
        self.message.show()
        self.edit_button.setEnabled(False)
        self.loaded.emit()

    def _show(self, generation: int, data: DetailData) -> None:
        if generation != self._generation:
            return
        self.data = data
        self.message.hide()
        self._show_status(data.detail)
        d = data.detail.data
        self.name.setText(f"{d.last_name}, {d.first_name}")
        self.name.setAccessibleName(self.name.text())
        assert not isinstance(d.dob, str)
        cur = data.current
        program = (
            self.tr("{program}: {status}").format(
                program=program_label(cur.program),
                status=status_text(cur.status, cur.leaving_on(data.today)),
            )
            if cur is not None
            else self.tr("Not enrolled")
        )
        self.summary.setText(
            self.tr("Born {dob} (age {age})   ·   MRN {mrn}   ·   {program}").format(
                dob=date_text(d.dob), age=age_on(d.dob, data.today), mrn=d.mrn, program=program
            )
        )
        for tab in (
            self.details_tab,
            self.conditions_tab,
            self.enrollment_tab,
            self.care_plan_tab,
            self.time_tab,
            self.history_tab,
        ):
            tab.show_data(data)
        self.loaded.emit()

    def _show_status(self, detail: PatientDetail) -> None:
        """A record entered in error or merged says so; only restoring is offered then."""
        current = detail.current
        self.edit_button.setEnabled(current)
        actor = self.ctx.actor
        self.merge_button.setVisible(
            current and actor is not None and self.ctx.gate.allows(actor, MERGE)
        )
        merged = detail.record_status == RecordStatus.MERGED
        self.in_error_button.setVisible(not merged)
        self.in_error_button.setText(
            self.tr("Entered in e&rror…") if current else self.tr("&Restore record…")
        )
        if merged:
            text = self.tr("Merged into MRN {mrn}: record everything there.").format(
                mrn=detail.merged_into_mrn
            )
        elif not current:
            text = self.tr("Entered in error: {reason}. Not listed; nothing can be recorded.")
            text = text.format(reason=detail.status_reason)
        else:
            text = ""
        self.status_banner.setText(ERROR_PREFIX + text if text else "")
        self.status_banner.setVisible(bool(text))

    def mark_in_error(self) -> None:
        """Mark this record entered in error, or restore it (a dialog asks why)."""
        if self.data is None or self.record_dialog is not None:
            return
        self._open_record_dialog(EnteredInErrorDialog(self.ctx, self.data.detail, self))

    def merge(self) -> None:
        """Merge another record of this patient into this one (a dialog finds it)."""
        if self.data is None or self.record_dialog is not None or not self.data.detail.current:
            return
        self._open_record_dialog(MergeDialog(self.ctx, self.data.detail, self))

    def _open_record_dialog(self, dialog: QDialog) -> None:
        self.record_dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(self._record_dialog_closed)
        dialog.open()

    def _record_dialog_closed(self) -> None:
        self.record_dialog = None

    def on_change(self, change: Change) -> None:
        """Reload when a change concerns this patient (or names shown on the page)."""
        if self.patient_id is None:
            return
        if self.patient_id in change.patient_ids or change.kind in RELOAD_KINDS:
            self.reload()

    # -- actions ---------------------------------------------------------------
    def edit(self) -> None:
        """Open the edit form for this patient (window-modal; the page reloads on save)."""
        if self.patient_id is None or self.data is None or self.form is not None:
            return
        self.form = PatientFormDialog(self.ctx, self, self.patient_id)
        self.form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.form.open_requested.connect(self.show_patient)  # a duplicate's record on file
        self.form.finished.connect(self._form_closed)
        self.form.open()

    def _form_closed(self) -> None:
        self.form = None

    def add_condition(self) -> None:
        """Open the condition picker for this patient."""
        if self.patient_id is None or self.picker is not None:
            return
        self.picker = ConditionPickerDialog(self.ctx, self.patient_id, self)
        self.picker.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.picker.finished.connect(self._picker_closed)
        self.picker.open()

    def _picker_closed(self) -> None:
        self.picker = None
        self.tabs.setCurrentIndex(CONDITIONS)
        self.conditions_tab.table.setFocus()


def _page(pc: PageContext) -> PatientDetailPage:
    return PatientDetailPage(pc.ctx, pc.parent, bridge=pc.bridge)


PAGE = PageSpec(
    key="detail",
    title=QT_TRANSLATE_NOOP("pages", "Patient"),
    factory=_page,
    in_navigation=False,  # opened from the patient list, which stays chosen in the column
)
