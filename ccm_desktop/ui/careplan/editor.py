"""The care-plan editor: one patient's plan, section by section, saved as a new revision.

``PlanEditor(ctx, patient_id, parent)`` is a dialog (``exec()`` or ``show()``); it starts
from the patient's latest revision (or an empty plan) and emits ``saved(plan_id)`` after
each save, staying open. Sections are listed on the left, each saying in words what the
completeness check still misses in it; the chosen section's form is on the right
(docs/architecture.md, "Care plans").

Saving: "Save draft" keeps whatever is there; "Save as complete" is refused while
elements are missing (listed in words, their sections marked with words and a mark, the
first one chosen). A save made by someone else meanwhile (:class:`StaleEdit`) is said
plainly and the edits stay. The core's :class:`ValidationError` fields
(``goals[1].steps[0].confidence``) choose the section and item and show the message next
to the field. Front desk and billing read the plan; the save buttons say why they are off.
"""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ccm_desktop.app import AppContext
from ccm_desktop.careplan.completeness import Missing, missing
from ccm_desktop.careplan.content import PlanContent
from ccm_desktop.careplan.template_model import Template
from ccm_desktop.errors import PermissionDenied, StaleEdit, ValidationError, ValidationErrors
from ccm_desktop.gate import Permission
from ccm_desktop.services.careplans import PlanRevision
from ccm_desktop.ui.careplan.editor_fields import language_name, tr
from ccm_desktop.ui.careplan.editor_messages import SaveMessages
from ccm_desktop.ui.careplan.editor_pages import build_sections, condition_choices
from ccm_desktop.ui.careplan.editor_sections import Section
from ccm_desktop.ui.careplan.editor_templates import TemplatePicker, template_languages
from ccm_desktop.ui.common.dialogs import confirm_discard, describe
from ccm_desktop.ui.common.permission_words import who_may
from ccm_desktop.ui.common.style import heading, note
from ccm_desktop.ui.common.tasks import Task
from ccm_desktop.ui.common.vocabulary import label
from ccm_desktop.ui.common.writer import run_write
from ccm_desktop.vocab import ConditionStatus

EDIT = Permission.CAREPLAN_EDIT
MISSING_MARK = "⚠"  # beside the word "missing", never instead of it


class PlanEditor(QDialog):
    """Edit one patient's care plan and save it as a new revision (see the module doc)."""

    saved = Signal(int)

    def __init__(self, ctx: AppContext, patient_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.patient_id = patient_id
        self.task: Task | None = None
        self.patient = ctx.patients.get(patient_id)
        self.zone = ZoneInfo(ctx.practice.practice().timezone)
        active = [c for c in self.patient.conditions if c.status == ConditionStatus.ACTIVE]
        self.active_codes = {c.code: c.description for c in active}
        self.latest: PlanRevision | None = ctx.careplans.latest(patient_id)
        self.base_version = self.latest.version if self.latest else None
        self.start: PlanContent = self.latest.content if self.latest else PlanContent()
        self.templates = self.patient_templates()
        self.language = self.writing_language()
        self.setObjectName("planEditor")
        self.setWindowTitle(tr("Care plan: {name}").format(name=self.patient_name()))
        self.sections = build_sections(condition_choices(active), self.today)
        self._build()
        self.load(self.start)
        self._apply_role()
        self.resize_to_screen()

    # -- reading ---------------------------------------------------------------------
    def patient_name(self) -> str:
        d = self.patient.data
        return f"{d.last_name}, {d.first_name}"

    def today(self) -> date:
        return self.ctx.clock.today(self.zone)

    def patient_templates(self) -> list[Template]:
        """The practice's active templates matching the patient's conditions (read once)."""
        return list(self.ctx.templates.for_patient(self.patient_id))

    def writing_language(self) -> str:
        """The patient's preferred language when the templates are written in it, else
        English."""
        want = self.patient.data.preferred_language or "en"
        return want if want in template_languages(self.templates) else "en"

    # -- building --------------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        title = heading(tr("Care plan for {name}").format(name=self.patient_name()))
        top.addWidget(title, 1)
        self.language_label = QLabel(objectName="writingLanguage")
        self.language_label.setToolTip(
            tr(
                "Texts the patient reads are written in this language. Changing a text "
                "removes its other translations, which would no longer match."
            )
        )
        top.addWidget(self.language_label)
        self.templates_button = QPushButton(tr("Add from templates…"))
        self.templates_button.setShortcut(QKeySequence("Ctrl+T"))
        self.templates_button.setAutoDefault(False)
        self.templates_button.clicked.connect(self.add_from_templates)
        top.addWidget(self.templates_button)
        layout.addLayout(top)
        self.based_on = note("", self)
        self.based_on.setObjectName("basedOn")
        layout.addWidget(self.based_on)

        body = QHBoxLayout()
        self.nav = QListWidget(objectName="sectionList")
        self.nav.setAccessibleName(tr("Sections of the care plan"))
        char = self.fontMetrics().averageCharWidth()
        self.nav.setFixedWidth(char * 30)
        self.nav.setWordWrap(True)
        self.stack = QStackedWidget()
        for section in self.sections:
            QListWidgetItem(section.title, self.nav)
            self.stack.addWidget(section)
            section.changed.connect(self._changed)
        self.nav.currentRowChanged.connect(self.stack.setCurrentIndex)
        body.addWidget(self.nav)
        body.addWidget(self.stack, 1)
        layout.addLayout(body, 1)

        self.messages = SaveMessages(self.sections, self.nav.setCurrentRow)
        self.messages.save_over.connect(lambda: self.save(complete=False, over_newer=True))
        self.summary, self.stale_button = self.messages.summary, self.messages.stale_button
        layout.addWidget(self.messages)
        self.why_not = note("")
        self.why_not.setObjectName("whyReadOnly")
        self.why_not.hide()
        layout.addWidget(self.why_not)

        notes_row = QHBoxLayout()
        self.substantial = QCheckBox(tr("Su&bstantial revision (counts for complex CCM)"))
        self.substantial.toggled.connect(self._changed)
        notes_row.addWidget(self.substantial)
        change_label = QLabel(tr("W&hat changed:"))
        self.change_note = QLineEdit(objectName="changeNote")
        self.change_note.setPlaceholderText(tr("A few words: new goal for blood pressure"))
        self.change_note.setAccessibleName(tr("What changed"))
        self.change_note.setMaxLength(200)
        self.change_note.textEdited.connect(self._changed)
        change_label.setBuddy(self.change_note)
        notes_row.addWidget(change_label)
        notes_row.addWidget(self.change_note, 1)
        layout.addLayout(notes_row)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.draft_button = QPushButton(tr("Save draft"))
        self.draft_button.setShortcut(QKeySequence.StandardKey.Save)
        self.complete_button = QPushButton(tr("Save as complete"))
        self.complete_button.setShortcut(QKeySequence("Ctrl+Shift+S"))
        self.close_button = QPushButton(tr("Close"))
        for b in (self.draft_button, self.complete_button, self.close_button):
            b.setAutoDefault(False)
            buttons.addWidget(b)
        self.draft_button.setDefault(True)
        self.draft_button.clicked.connect(lambda: self.save(complete=False))
        self.complete_button.clicked.connect(lambda: self.save(complete=True))
        self.close_button.clicked.connect(self.reject)
        layout.addLayout(buttons)
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(200)
        self._refresh_timer.timeout.connect(self.refresh_missing)
        self.setTabOrder(self.nav, self.stack)
        self.setTabOrder(self.substantial, self.change_note)
        self.setTabOrder(self.change_note, self.draft_button)
        self.setTabOrder(self.draft_button, self.complete_button)
        self.setTabOrder(self.complete_button, self.close_button)

    def resize_to_screen(self) -> None:
        """A comfortable size that still fits a 1366x768 screen at 125% scaling."""
        screen = self.screen().availableGeometry()
        char, line = self.fontMetrics().averageCharWidth(), self.fontMetrics().lineSpacing()
        self.resize(min(char * 150, screen.width() - 40), min(line * 44, screen.height() - 60))

    # -- contents --------------------------------------------------------------------
    def load(self, content: PlanContent) -> None:
        """Show ``content``; it becomes what "unsaved changes" are measured against."""
        self.saved_content = content
        for s in self.sections:
            s.set_language(self.language)
            s.load(content)
        claimed = {e for s in self.sections for e in s.elements}
        rest = [f"{k}: {v}" for k, v in content.legacy.items() if k not in claimed]
        if rest:  # free text no section holds: under Notes
            notes = self.section("notes")
            notes.show_legacy([*(content.legacy.get(e, "") for e in notes.elements), *rest])
        self.language_label.setText(
            tr("Writing in: {language}").format(language=language_name(self.language))
        )
        self.based_on.setText(self._based_on_words())
        if self.nav.currentRow() < 0:
            self.nav.setCurrentRow(0)
            self.nav.setFocus()
        self.refresh_missing()
        self._update_buttons()

    def _based_on_words(self) -> str:
        r = self.latest
        if r is None:
            return tr("No care plan yet: this will be version 1.")
        return tr("Starting from version {v} ({status}, {day}, by {who}).").format(
            v=r.version,
            status=label(r.status).lower(),
            day=r.established_date.strftime("%m/%d/%Y"),
            who=r.created_by or tr("the application"),
        )

    def content(self) -> PlanContent:
        """The plan as the sections show it now."""
        c = self.saved_content
        for s in self.sections:
            c = s.apply(c)
        return c

    def dirty(self) -> bool:
        return self.content() != self.saved_content

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)

    def _changed(self, *_args: object) -> None:
        self._refresh_timer.start()
        self._update_buttons()

    def missing_now(self) -> list[Missing]:
        return missing(self.content(), self.active_codes)

    def refresh_missing(self) -> list[Missing]:
        """Say per section what is still missing (in the list and above its form)."""
        found = self.missing_now()
        for i, s in enumerate(self.sections):
            words = [m.words for m in found if s.holds(m.element)]
            s.set_missing(words)
            item = self.nav.item(i)
            item.setText(
                f"{MISSING_MARK} " + tr("{title}: missing").format(title=s.title)
                if words
                else s.title
            )
            item.setToolTip("; ".join(words))
            font = QFont(item.font())
            font.setBold(bool(words))
            item.setFont(font)
        return found

    # -- roles -----------------------------------------------------------------------
    def allowed(self) -> bool:
        actor = self.ctx.actor
        return actor is not None and self.ctx.gate.allows(actor, EDIT)

    def refusal(self) -> str:
        roles, who = who_may(self.ctx, EDIT)
        if not who:
            return tr("Sign in as a staff member to change the care plan.")
        return tr(
            "Only a {roles} can change the care plan; you are signed in as {who}. "
            "The plan is shown for reading."
        ).format(roles=roles, who=who)

    def _apply_role(self) -> None:
        on = self.allowed()
        for s in self.sections:
            s.set_editable(on)
        self.substantial.setEnabled(on)
        self.change_note.setEnabled(on)
        self.templates_button.setEnabled(on)
        why = "" if on else self.refusal()
        self.why_not.setText(why)
        self.why_not.setVisible(bool(why))
        self.draft_button.setToolTip(why or tr("Save what is here as a draft (Ctrl+S)"))
        self.complete_button.setToolTip(
            why or tr("Check that every required element is there, then save (Ctrl+Shift+S)")
        )
        self.templates_button.setToolTip(
            why or tr("Add goals, symptom plans and tasks for the patient's conditions (Ctrl+T)")
        )
        self._update_buttons()

    def _update_buttons(self) -> None:
        on = self.allowed() and not self.saving()
        self.draft_button.setEnabled(on and self.dirty())
        self.complete_button.setEnabled(on)

    # -- saving ----------------------------------------------------------------------
    def saving(self) -> bool:
        return self.task is not None and self.task.running

    def save(self, *, complete: bool, over_newer: bool = False) -> Task | None:
        """Save the shown plan as a new revision off the GUI thread (None when refused
        here: missing elements, a save already running, no right to save). ``over_newer``:
        after a stale edit, on top of the newest revision (which stays in the history)."""
        if self.saving() or not self.allowed():
            return None
        self.messages.clear()
        content = self.content()
        if complete:
            found = self.refresh_missing()
            if found:
                self.messages.refused(found)
                return None
        base = self.base_version
        if over_newer:
            newest = self.ctx.careplans.latest(self.patient_id)
            base = newest.version if newest else None
        actor, pid = self.ctx.actor, self.patient_id
        substantial, note_text = self.substantial.isChecked(), self.change_note.text()
        service = self.ctx.careplans
        assert actor is not None

        def work(_progress: object) -> int:
            return service.save_revision(
                actor,
                pid,
                content,
                base_version=base,
                complete=complete,
                substantial=substantial,
                change_note=note_text,
            )

        self.task = run_write(
            work,
            self,
            on_success=lambda plan_id: self._saved(plan_id, content),
            on_failure=self._failed,
        )
        self._update_buttons()
        return self.task

    def _saved(self, plan_id: int, content: PlanContent) -> None:
        self.latest = self.ctx.careplans.revision(plan_id)
        self.base_version = self.latest.version
        self.saved_content = content
        self.substantial.setChecked(False)
        self.change_note.clear()
        self.based_on.setText(
            tr("Saved as version {v} ({status}).").format(
                v=self.latest.version, status=label(self.latest.status).lower()
            )
        )
        self._update_buttons()
        self.saved.emit(plan_id)

    def _failed(self, exc: BaseException) -> None:
        self._update_buttons()
        if isinstance(exc, StaleEdit):
            self.messages.stale()
        elif isinstance(exc, ValidationError | ValidationErrors):
            self.messages.errors(exc.errors if isinstance(exc, ValidationErrors) else [exc])
        elif isinstance(exc, PermissionDenied):
            self.messages.say(describe(exc))
        else:
            raise exc

    # -- templates -------------------------------------------------------------------
    def add_from_templates(self) -> TemplatePicker:
        """Open the template picker; the ticked templates are merged when it is accepted."""
        picker = TemplatePicker(self.templates, self.content(), self.language, self)
        picker.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        picker.accepted.connect(lambda: self._merge(picker))
        picker.open()
        return picker

    def _merge(self, picker: TemplatePicker) -> None:
        merged = picker.apply_to(self.content(), self.active_codes, self.language, self.today())
        for s in self.sections:
            s.load(merged)  # what is unsaved is still measured against the opened plan
        self._changed()
        self.refresh_missing()

    # -- closing ---------------------------------------------------------------------
    def reject(self) -> None:
        if self.saving():
            return
        if (
            self.allowed()
            and self.dirty()
            and not confirm_discard(self, tr("The changes to the care plan are not saved."))
        ):
            return
        super().reject()
