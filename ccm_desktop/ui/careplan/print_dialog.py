"""The care plan's print preview: choose the copy, see it, print it, record the copy given.

Options: the language (the patient's preferred one when the plan prints in it, else
English with a note to offer an interpreter), large print, and the clinician version. The
PDF is made in memory (``reports/care_plan.py``) and shown by the shared preview of
``ui/common/pdf_preview.py`` (from a buffer, never a file; printed at no more than 300
dpi). When some of the plan's patient-facing texts have no words in the chosen language,
a warning names them: they print in English.

"Copy given to the patient" is one action here: the day (today by default) and how
(printed, mailed, portal, given to the caregiver), saved through
``ctx.careplans.record_copy``; the Care plan tab shows it once the save is announced.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, Signal
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ccm_desktop.app import AppContext
from ccm_desktop.errors import CcmError
from ccm_desktop.gate import Permission
from ccm_desktop.reports.care_plan import (
    CarePlanPrint,
    build_care_plan_pdf,
    care_plan_languages,
    print_language,
    untranslated,
)
from ccm_desktop.reports.care_plan_data import care_plan_print
from ccm_desktop.services.careplans import PlanRevision
from ccm_desktop.services.patients import LANGUAGES
from ccm_desktop.ui.careplan.plan_words import copies_text, status_text, tr, version_text
from ccm_desktop.ui.common.date_field import DateField
from ccm_desktop.ui.common.dialogs import describe
from ccm_desktop.ui.common.forms import error_label
from ccm_desktop.ui.common.pdf_preview import (
    PdfPreview,
    letter_printer,
    print_buttons,
    size_for_screen,
)
from ccm_desktop.ui.common.permission_words import allows, who_may
from ccm_desktop.ui.common.style import heading, note
from ccm_desktop.ui.common.tasks import Progress, Task, run_task
from ccm_desktop.ui.common.vocabulary import options
from ccm_desktop.ui.common.writer import run_write
from ccm_desktop.vocab import CopyMethod, PlanStatus

# How many untranslated items the warning names before it says "and N more".
NAMED_ITEMS = 4


class CarePlanPrintDialog(QDialog):
    """Revision ``plan_id``: the preview with its options, Print…, and the copy given;
    ``made`` each time a copy is shown after its options changed."""

    made = Signal()

    def __init__(self, ctx: AppContext, plan_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.task: Task | None = None
        self._generation = 0
        self.ctx = ctx
        self.plan_id = plan_id
        self.revision: PlanRevision = ctx.careplans.revision(plan_id)
        self.print_data: CarePlanPrint = care_plan_print(ctx, plan_id)
        self.preferred = self.print_data.preferred_language or "en"
        self.default_language = print_language(self.print_data, None)
        self.untranslated: list[str] = []
        self.setWindowTitle(tr("Print the care plan"))
        self._build()
        self.reload()
        self._show_copies()
        size_for_screen(self, 120, 48)

    # -- layout -------------------------------------------------------------------
    def _build(self) -> None:
        rev = self.revision
        layout = QVBoxLayout(self)
        layout.addWidget(heading(tr("Care plan: {version}").format(version=version_text(rev))))
        layout.addWidget(
            note(
                tr("{status}. Nothing is saved until you record a copy given.").format(
                    status=status_text(rev)
                )
            )
        )
        self.preview = PdfPreview("planPrint", tr("Care plan preview"), self)
        self.language = QComboBox(objectName="planPrintLanguage")
        for code, name in care_plan_languages().items():
            self.language.addItem(name, code)
        self.language.setCurrentIndex(max(self.language.findData(self.default_language), 0))
        self.language.setAccessibleName(tr("Language of the copy"))
        label = QLabel(tr("&Language:"))
        label.setBuddy(self.language)
        self.large_print = QCheckBox(tr("La&rge print"), objectName="planPrintLarge")
        self.clinician = QCheckBox(tr("&Clinician version"), objectName="planPrintClinician")
        self.clinician.setToolTip(tr("Every element of the plan, with codes, for the chart"))
        for n, w in enumerate((label, self.language, self.large_print, self.clinician)):
            self.preview.bar.insertWidget(n, w)
        self.language_note = note("")
        self.language_note.setObjectName("planPrintLanguageNote")
        self.english_note = note("")
        self.english_note.setObjectName("planPrintEnglishNote")
        self.message = error_label()
        self.message.setObjectName("planPrintError")
        for w in (self.language_note, self.english_note, self.message):
            self.preview.add_note(w)
        layout.addWidget(self.preview, 1)
        layout.addWidget(self._copy_box())
        self.print_button = print_buttons(self, self.print_dialog)
        self.language.currentIndexChanged.connect(self.reload)
        self.large_print.toggled.connect(self.reload)
        self.clinician.toggled.connect(self.reload)
        self.preview.view.setFocus()

    def _copy_box(self) -> QGroupBox:
        rev = self.revision
        box = QGroupBox(tr("Copy given to the patient"), objectName="planCopyBox")
        today = self.ctx.clock.today(ZoneInfo(self.ctx.practice.practice().timezone))
        self.copy_date = DateField(
            tr("Day the copy was given"),
            today=today,
            earliest=rev.established_date,
            earliest_text=tr("the day the plan was written"),
            required=True,
            value=today,
        )
        self.copy_method = QComboBox(objectName="planCopyMethod")
        for method, text in options(CopyMethod):
            self.copy_method.addItem(text, method.value)
        self.copy_method.setAccessibleName(tr("How the copy was given"))
        self.copy_button = QPushButton(tr("Record copy &given"), objectName="planCopyRecord")
        self.copy_button.clicked.connect(self.record_copy)
        day_label = QLabel(tr("&Day:"))
        day_label.setBuddy(self.copy_date.editor)
        how_label = QLabel(tr("&How:"))
        how_label.setBuddy(self.copy_method)
        row = QHBoxLayout()
        for w in (day_label, self.copy_date, how_label, self.copy_method, self.copy_button):
            row.addWidget(w)
        row.addStretch(1)
        self.copy_why = note("")
        self.copy_why.setObjectName("planCopyWhyNot")
        self.copy_error = error_label()
        self.copy_error.setObjectName("planCopyError")
        self.copies = note("")
        self.copies.setObjectName("planCopies")
        self.copies.setTextFormat(Qt.TextFormat.PlainText)
        column = QVBoxLayout(box)
        column.addLayout(row)
        for w in (self.copy_why, self.copy_error, self.copies):
            column.addWidget(w)
        why = self.copy_refusal()
        for w in (self.copy_date, self.copy_method, self.copy_button):
            w.setEnabled(not why)
        self.copy_why.setText(why)
        self.copy_why.setVisible(bool(why))
        return box

    # -- the document ---------------------------------------------------------------
    def chosen_language(self) -> str:
        return str(self.language.currentData() or "en")

    @property
    def loading(self) -> bool:
        return self.task is not None and self.task.running

    def reload(self) -> None:
        """Make the copy again with the chosen options, in memory, off the GUI thread
        (50-120 ms); ``made`` once it is shown (or the reason it cannot be made)."""
        chosen, clinician = self.chosen_language(), self.clinician.isChecked()
        # None: the patient's own language, so a copy that falls back to English carries
        # its own "ask for an interpreter" line.
        language = None if chosen == self.default_language and not clinician else chosen
        data, large = self.print_data, self.large_print.isChecked()

        def make(_p: Progress) -> tuple[bytes, list[str]]:
            pdf = build_care_plan_pdf(
                data, language=language, large_print=large, clinician=clinician
            )
            return pdf, untranslated(data, language=language, clinician=clinician)

        self._generation += 1
        generation = self._generation
        self.print_button.setEnabled(False)  # never the copy of the options before
        self.task = run_task(
            make,
            self,
            on_success=lambda made: self._made(generation, *made),
            on_failure=lambda exc: self._not_made(generation, exc),
        )

    def _made(self, generation: int, pdf: bytes, items: list[str]) -> None:
        if generation != self._generation:
            return
        self.message.hide()
        self.untranslated = items
        self.preview.load(pdf)
        self.print_button.setEnabled(self.preview.document.pageCount() > 0)
        self._update_notes()
        self.made.emit()

    def _not_made(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self.message.setText(
            tr("The care plan cannot be printed yet: {reason}").format(reason=describe(exc))
        )
        self.message.show()
        self.made.emit()

    def _update_notes(self) -> None:
        language = self.chosen_language()
        wanted = self.preferred
        if wanted != language and not self.clinician.isChecked():
            name = tr(LANGUAGES.get(wanted, wanted))
            if wanted in care_plan_languages():
                text = tr("The patient prefers {language}.").format(language=name)
            else:
                text = tr(
                    "The patient prefers {language}. Care plans do not print in {language} "
                    "yet: offer an interpreter when you go through it."
                ).format(language=name)
            self.language_note.setText(text)
        self.language_note.setVisible(wanted != language and not self.clinician.isChecked())
        items = self.untranslated
        if items and language != "en":
            named = ", ".join(items[:NAMED_ITEMS])
            if len(items) > NAMED_ITEMS:
                named = tr("{named} and {n} more").format(named=named, n=len(items) - NAMED_ITEMS)
            self.english_note.setText(
                "⚠ "
                + tr(
                    "Some items have no {language} words and print in English: {items}. "
                    "Write them in {language} in the plan editor, or go through them with "
                    "an interpreter."
                ).format(language=tr(LANGUAGES.get(language, language)), items=named)
            )
        self.english_note.setVisible(bool(items) and language != "en")

    # -- printing -----------------------------------------------------------------
    def make_printer(self) -> QPrinter:
        """A high-resolution printer on US Letter, named after the plan (no file output)."""
        return letter_printer(tr("Care plan version {n}").format(n=self.revision.version))

    def print_to(self, printer: QPrinter) -> int:
        """Print the copy on ``printer``; returns the pages sent (errors shown inline)."""
        try:
            sent = self.preview.print_on(printer)
        except CcmError as exc:
            self.message.setText(exc.message)
            self.message.show()
            return 0
        if sent and self.copy_button.isEnabled():
            self.copy_method.setCurrentIndex(self.copy_method.findData(CopyMethod.PRINTED.value))
            self.copy_button.setFocus()
        return sent

    def print_dialog(self) -> None:
        """Ask which printer (and pages), then print."""
        printer = self.make_printer()
        if self.preview.choose_printer(printer, tr("Print the care plan")):
            self.print_to(printer)

    # -- copy given ---------------------------------------------------------------
    def copy_refusal(self) -> str:
        """Why a copy given cannot be recorded here, in words ("" when it can)."""
        if self.revision.status == PlanStatus.DRAFT:
            return tr(
                "This version is a draft: save it as complete in the plan editor before "
                "giving the patient a copy."
            )
        if allows(self.ctx, Permission.CAREPLAN_EDIT):
            return ""
        roles, _who = who_may(self.ctx, Permission.CAREPLAN_EDIT)
        return tr("Only a {roles} can record a copy given.").format(roles=roles)

    def _show_copies(self) -> None:
        self.copies.setText(copies_text(self.revision))

    def record_copy(self) -> None:
        """Save the copy given (day and method) on the writer; the list below updates."""
        actor = self.ctx.actor
        if actor is None or self.copy_refusal() or not self.copy_button.isEnabled():
            return
        problem = self.copy_date.problem()
        given_on = self.copy_date.value()
        if problem or given_on is None:
            self.copy_error.setText("⚠ " + (problem or tr("Enter the day the copy was given.")))
            self.copy_error.show()
            return
        self.copy_error.hide()
        method = CopyMethod(str(self.copy_method.currentData()))
        service, plan_id = self.ctx.careplans, self.plan_id
        self.copy_button.setEnabled(False)

        def write(_p: object) -> PlanRevision:
            service.record_copy(actor, plan_id, given_on, method)
            return service.revision(plan_id)

        self.copy_task = run_write(
            write, self, on_success=self._copy_saved, on_failure=self._copy_failed
        )

    def _copy_saved(self, revision: PlanRevision) -> None:
        self.revision = revision
        self.copy_button.setEnabled(True)
        self._show_copies()
        self.copies.setText(tr("Saved.") + "\n" + self.copies.text())

    def _copy_failed(self, exc: BaseException) -> None:
        self.copy_button.setEnabled(True)
        self.copy_error.setText("⚠ " + describe(exc))
        self.copy_error.show()
