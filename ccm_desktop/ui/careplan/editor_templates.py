""" "Add from templates…": the templates matching the patient's conditions, with boxes to
tick; the ticked ones are merged into the plan by
:func:`ccm_desktop.careplan.templates.apply` (idempotent: what came from a template
before is not added again)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ccm_desktop.careplan import templates as careplan_templates
from ccm_desktop.careplan.content import PlanContent, text_in
from ccm_desktop.careplan.template_model import Template
from ccm_desktop.ui.careplan.editor_fields import tr
from ccm_desktop.ui.common.style import heading, note


def template_sources(t: Template) -> set[str]:
    """The ``source`` of every item ``t`` adds (its problems aside)."""
    items = (*t.goals, *t.symptoms, *t.interventions, *t.services)
    return {f"{t.id}/{i.key}" for i in items}


def plan_sources(c: PlanContent) -> set[str]:
    items = (*c.problems, *c.goals, *c.symptoms, *c.interventions, *c.community_services)
    return {i.source for i in items if i.source}


def template_languages(templates: Sequence[Template]) -> set[str]:
    """The languages the templates are written in (their names' languages)."""
    return {lang for t in templates for lang, text in t.name.items() if text.strip()}


class TemplatePicker(QDialog):
    """Tick the templates to add; :meth:`apply_to` merges the ticked ones."""

    def __init__(
        self,
        templates: Sequence[Template],
        content: PlanContent,
        language: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.templates = list(templates)
        self.setWindowTitle(tr("Add from templates"))
        layout = QVBoxLayout(self)
        layout.addWidget(heading(tr("Add from templates"), 1.2))
        have = plan_sources(content)
        self.list = QListWidget(objectName="templateList")
        self.list.setAccessibleName(tr("Templates for the patient's conditions"))
        for t in self.templates:
            added = template_sources(t) <= have and bool(template_sources(t))
            name = text_in(t.name, language)[0] or t.id
            words = tr("{name}: {goals} goals, {symptoms} symptom plans, {tasks} tasks").format(
                name=name,
                goals=len(t.goals),
                symptoms=len(t.symptoms),
                tasks=len(t.interventions),
            )
            if added:
                words += " " + tr("(already in the plan)")
            item = QListWidgetItem(words, self.list)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked if added else Qt.CheckState.Checked)
        self.list.setCurrentRow(0)
        self.empty = note(
            tr(
                "No template matches the patient's conditions. Add the conditions on the "
                "patient's page, or write the plan by hand."
            )
        )
        self.empty.setVisible(not self.templates)
        self.list.setVisible(bool(self.templates))
        layout.addWidget(self.empty)
        layout.addWidget(self.list, 1)
        layout.addWidget(
            note(
                tr(
                    "Items added from a template are marked [template]; change or remove "
                    "them like any other. Adding a template again adds nothing twice."
                )
            )
        )
        buttons = QDialogButtonBox()
        self.add_button = buttons.addButton(
            tr("&Add to the plan"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        cancel = buttons.addButton(tr("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        cancel.setAutoDefault(False)
        self.add_button.setDefault(True)
        self.add_button.setEnabled(bool(self.templates))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        char = self.fontMetrics().averageCharWidth()
        self.resize(char * 80, self.fontMetrics().lineSpacing() * 22)
        self.list.setFocus()

    def checked(self) -> list[Template]:
        return [
            t
            for i, t in enumerate(self.templates)
            if self.list.item(i).checkState() == Qt.CheckState.Checked
        ]

    def apply_to(
        self, content: PlanContent, active_codes: Mapping[str, str], language: str, today: date
    ) -> PlanContent:
        """``content`` with the ticked templates merged in."""
        return careplan_templates.apply(content, self.checked(), active_codes, language, today)
