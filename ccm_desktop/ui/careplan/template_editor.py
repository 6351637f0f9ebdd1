"""Care-plan templates (File > Care-plan templates…, the administrator): the list of
templates (shipped, edited by the practice, the practice's own, turned off), the texts of
one template in English and Spanish side by side with their reading grades, its whole file
as TOML (to add or remove items), a new template, and the problems of templates that could
not be read, in words (docs/architecture.md, "Care-plan templates").

Saving goes through ``ctx.templates`` on the writer; a refused template lists each field
at fault above the buttons and nothing is stored.
"""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ccm_desktop.app import AppContext
from ccm_desktop.careplan.template_model import (
    EDITED,
    PRACTICE,
    GoalTemplate,
    InterventionTemplate,
    SymptomTemplate,
    Template,
    TemplateError,
)
from ccm_desktop.careplan.template_toml import parse_template, to_toml, with_text
from ccm_desktop.errors import CcmError
from ccm_desktop.gate import Permission
from ccm_desktop.ui.careplan.template_editor_texts import TextsGrid
from ccm_desktop.ui.common.dialogs import confirm_discard, describe
from ccm_desktop.ui.common.forms import error_label
from ccm_desktop.ui.common.style import heading, note
from ccm_desktop.ui.common.writer import write_and_wait
from ccm_desktop.vocab import Responsible

NEW = "\x00new"  # the list row of a template not saved yet


def blank_template() -> Template:
    """A new template's starting shape: a problem, one goal, one symptom, one task."""
    return Template(
        "",
        {},
        (),
        {},
        goals=(GoalTemplate("goal_1", {}),),
        symptoms=(SymptomTemplate("symptom_1", {}, {}, {}),),
        interventions=(InterventionTemplate("task_1", {}, Responsible.PATIENT),),
        origin=PRACTICE,
        where="new template",
    )


class TemplateEditor(QDialog):
    """The practice's care-plan templates: pick one on the left, edit it on the right."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(self.tr("Care-plan templates"))
        self.editable = ctx.actor is not None and ctx.gate.allows(
            ctx.actor, Permission.CAREPLAN_TEMPLATE
        )
        self.current: Template | None = None
        self.saved_body = ""

        layout = QVBoxLayout(self)
        layout.addWidget(heading(self.tr("Care-plan templates")))
        layout.addWidget(
            note(
                self.tr(
                    "Templates give a new care plan its starting goals, symptom guidance and "
                    "tasks for each condition. Write for the patient: short sentences, common "
                    'words, "you". Aim for grade 6 or lower in both languages.'
                )
            )
        )
        self.problems = error_label()
        self.problems.setObjectName("templateProblems")
        layout.addWidget(self.problems)

        split = QSplitter(Qt.Orientation.Horizontal)
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        self.list = QListWidget(objectName="templateList")
        self.list.setAccessibleName(self.tr("Templates"))
        self.list.currentItemChanged.connect(self._picked)
        lv.addWidget(self.list)
        self.new_button = QPushButton(self.tr("&New template"), objectName="newTemplate")
        self.new_button.clicked.connect(self.new_template)
        self.new_button.setEnabled(self.editable)
        lv.addWidget(self.new_button)
        split.addWidget(left)

        right = QWidget()
        rv = QVBoxLayout(right)
        rv.setContentsMargins(0, 0, 0, 0)
        self.origin = QLabel(objectName="templateOrigin")
        self.origin.setWordWrap(True)
        rv.addWidget(self.origin)
        form = QFormLayout()
        self.id_edit = QLineEdit(objectName="templateId")
        self.id_edit.setPlaceholderText(self.tr("for example: my_condition"))
        self.name_en = QLineEdit(objectName="nameEn")
        self.name_es = QLineEdit(objectName="nameEs")
        self.codes = QLineEdit(objectName="templateCodes")
        self.codes.setPlaceholderText(self.tr("for example: E11.*, I10-I16, E78.5"))
        form.addRow(self.tr("&Id:"), self.id_edit)
        form.addRow(self.tr("Name (&English):"), self.name_en)
        form.addRow(self.tr("Name (&Spanish):"), self.name_es)
        form.addRow(self.tr("ICD-10-CM &codes:"), self.codes)
        rv.addLayout(form)

        self.tabs = QTabWidget(objectName="templateTabs")
        self.texts = TextsGrid()
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setWidget(self.texts)
        self.tabs.addTab(self.scroll, self.tr("&Texts"))
        self.toml = QPlainTextEdit(objectName="templateToml")
        self.toml.setAccessibleName(self.tr("The template file (TOML)"))
        self.tabs.addTab(self.toml, self.tr("Whole &file (TOML)"))
        self.tabs.currentChanged.connect(self._tab_changed)
        rv.addWidget(self.tabs, 1)

        self.failure = error_label()
        self.failure.setObjectName("saveProblems")
        rv.addWidget(self.failure)
        buttons = QHBoxLayout()
        self.save_button = QPushButton(self.tr("&Save"), objectName="saveTemplate")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        self.active_button = QPushButton(objectName="activeTemplate")
        self.active_button.clicked.connect(self.toggle_active)
        self.reset_button = QPushButton(self.tr("&Reset to the shipped version"))
        self.reset_button.setObjectName("resetTemplate")
        self.reset_button.clicked.connect(self.reset)
        close = QPushButton(self.tr("Close"))
        close.clicked.connect(self.reject)
        for b in (self.save_button, self.active_button, self.reset_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(close)
        rv.addLayout(buttons)
        split.addWidget(right)
        split.setStretchFactor(1, 3)
        layout.addWidget(split, 1)
        self.fill_list()

    # -- the list ------------------------------------------------------------------------
    def fill_list(self, select: str | None = None) -> None:
        """The templates by name, each with where it comes from; the bad ones in words."""
        self.list.blockSignals(True)
        self.list.clear()
        words = {
            "shipped": self.tr("shipped"),
            EDITED: self.tr("edited by the practice"),
            PRACTICE: self.tr("the practice's own"),
        }
        for t in self.ctx.templates.list():
            text = f"{t.name.get('en', t.id)} ({words[t.origin]})"
            if not t.active:
                text += self.tr(": turned off")
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, t.id)
            self.list.addItem(item)
        self.list.blockSignals(False)
        problems = self.ctx.templates.problems()
        self.problems.setText(
            self.tr("These templates could not be read and are not used:")
            + "".join(f"\n• {p.words}" for p in problems)
        )
        self.problems.setVisible(bool(problems))
        ids = [self.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.list.count())]
        self.list.setCurrentRow(ids.index(select) if select in ids else 0)

    def _picked(self, item: QListWidgetItem | None, previous: QListWidgetItem | None) -> None:
        if item is None:
            return
        tid = item.data(Qt.ItemDataRole.UserRole)
        if (
            previous is not None
            and self.dirty()
            and not confirm_discard(self, self.tr("Your changes to this template are not saved."))
        ):
            self.list.blockSignals(True)
            self.list.setCurrentItem(previous)
            self.list.blockSignals(False)
            return
        if tid == NEW:
            self.show_template(blank_template())
        else:
            self.show_template(self.ctx.templates.get(tid))

    def new_template(self) -> None:
        """Add a row for a template not saved yet and open it."""
        item = QListWidgetItem(self.tr("New template (not saved)"))
        item.setData(Qt.ItemDataRole.UserRole, NEW)
        self.list.addItem(item)
        self.list.setCurrentItem(item)
        if self.current is not None and not self.current.id:
            self.id_edit.setFocus()

    # -- one template ---------------------------------------------------------------------
    def show_template(self, t: Template) -> None:
        self.current = t
        self.failure.hide()
        new = not t.id
        self.origin.setText(self._origin_words(t))
        self.id_edit.setText(t.id)
        self.id_edit.setReadOnly(not new or not self.editable)
        for box, lang in ((self.name_en, "en"), (self.name_es, "es")):
            box.setText(t.name.get(lang, ""))
            box.setReadOnly(not self.editable)
        self.codes.setText(", ".join(t.codes))
        self.codes.setReadOnly(not self.editable)
        self.texts.show_template(t, editable=self.editable)
        self.toml.setReadOnly(not self.editable)
        self.tabs.blockSignals(True)
        self.tabs.setCurrentIndex(0)
        self.tabs.blockSignals(False)
        self.saved_body = to_toml(t) if t.id else ""
        self.save_button.setEnabled(self.editable)
        self.active_button.setText(self.tr("Turn &on") if not t.active else self.tr("Turn o&ff"))
        self.active_button.setEnabled(self.editable and not new)
        self.reset_button.setEnabled(self.editable and t.origin == EDITED)

    def _origin_words(self, t: Template) -> str:
        if not t.id:
            return self.tr("A new template: give it an id, names, codes and its texts.")
        words = {
            "shipped": self.tr("Shipped with CCM Desktop ({file}).").format(file=t.where),
            EDITED: self.tr("Edited by the practice; the shipped version can be restored."),
            PRACTICE: self.tr("Written by the practice."),
        }[t.origin]
        if not t.active:
            words += " " + self.tr("Turned off: it is not offered for new plans.")
        return words

    def edited(self) -> Template | None:
        """The template as the form shows it now (the Texts tab's fields)."""
        t = self.texts.edited_template()
        if t is None:
            return None
        t = with_text(
            with_text(t, "name", "en", self.name_en.text()), "name", "es", self.name_es.text()
        )
        codes = tuple(
            c.strip() for c in self.codes.text().replace(";", ",").split(",") if c.strip()
        )
        return dataclasses.replace(t, id=self.id_edit.text().strip(), codes=codes)

    def body(self) -> str:
        """The TOML that Save would store (the file tab's text when it is shown)."""
        if self.tabs.currentIndex() == 1:
            return self.toml.toPlainText()
        t = self.edited()
        return to_toml(t) if t is not None else ""

    def dirty(self) -> bool:
        if self.current is None or not self.editable:
            return False
        return self.body() != self.saved_body

    def _tab_changed(self, index: int) -> None:
        if index == 1:
            self.toml.setPlainText(self.body_from_form())
            return
        # Back to the texts: read the file as written; a problem keeps the file tab open.
        try:
            t = parse_template(self.toml.toPlainText(), self.tr("the file"))
        except TemplateError as exc:
            self._show_problems(exc)
            self.tabs.blockSignals(True)
            self.tabs.setCurrentIndex(1)
            self.tabs.blockSignals(False)
            return
        saved, current = self.saved_body, self.current
        self.show_template(
            dataclasses.replace(t, origin=current.origin, active=current.active)
            if current is not None
            else t
        )
        self.saved_body = saved

    def body_from_form(self) -> str:
        t = self.edited()
        return to_toml(t) if t is not None else ""

    # -- actions --------------------------------------------------------------------------
    def save(self) -> bool:
        """Save the template; True when stored. Problems are listed above the buttons."""
        self.failure.hide()
        body = self.body()
        tid = self.id_edit.text().strip()
        actor = self.ctx.actor
        assert actor is not None
        try:
            saved = write_and_wait(lambda: self.ctx.templates.save(actor, tid, body))
        except TemplateError as exc:
            self._show_problems(exc)
            return False
        except CcmError as exc:
            self._fail(describe(exc))
            return False
        self.saved_body = to_toml(saved)
        self.fill_list(select=saved.id)
        return True

    def toggle_active(self) -> None:
        t, actor = self.current, self.ctx.actor
        if t is None or actor is None or not t.id:
            return
        try:
            write_and_wait(lambda: self.ctx.templates.set_active(actor, t.id, not t.active))
        except CcmError as exc:
            self._fail(describe(exc))
            return
        self.fill_list(select=t.id)

    def reset(self) -> None:
        t, actor = self.current, self.ctx.actor
        if t is None or actor is None:
            return
        try:
            write_and_wait(lambda: self.ctx.templates.reset(actor, t.id))
        except CcmError as exc:
            self._fail(describe(exc))
            return
        self.saved_body = ""
        self.fill_list(select=t.id)

    def _show_problems(self, exc: TemplateError) -> None:
        lines = [f"• {p.field}: {p.message}" if p.field else f"• {p.message}" for p in exc.problems]
        self._fail(self.tr("This template cannot be saved yet:") + "\n" + "\n".join(lines))
        self.show_field(exc.problems[0].field)

    def show_field(self, field: str) -> None:
        """Scroll to the text box of ``field`` (``goals[1].text.es``) and focus it."""
        path, _, lang = field.rpartition(".")
        edit = self.texts.editors.get((path, lang))
        if edit is not None and self.tabs.currentIndex() == 0:
            self.scroll.ensureWidgetVisible(self.texts.grades[(path, lang)])
            edit.setFocus()

    def _fail(self, text: str) -> None:
        self.failure.setText(text)
        self.failure.show()

    def reject(self) -> None:
        if self.dirty() and not confirm_discard(
            self, self.tr("Your changes to this template are not saved.")
        ):
            return
        super().reject()
