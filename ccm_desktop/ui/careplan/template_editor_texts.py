"""The template editor's texts: each patient-facing text in English and Spanish side by
side, with its reading grade next to it (careplan/readability.py) and a flag in words
above grade 6."""

from __future__ import annotations

import re

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QGridLayout, QLabel, QPlainTextEdit, QSizePolicy, QWidget

from ccm_desktop.careplan.readability import GRADE_LIMIT, reading
from ccm_desktop.careplan.template_model import Template
from ccm_desktop.careplan.template_toml import text_fields, with_text
from ccm_desktop.ui.common.style import ERROR_COLOUR, MUTED_COLOUR, relative_font, set_text_colour

LANGUAGES = ("en", "es")


def tr(text: str) -> str:
    return QCoreApplication.translate("TemplateTexts", text)


def field_words(t: Template, path: str) -> str:
    """ "Goal 2, small step: how often" for ``goals[2].step.how_often``."""
    if path == "problem":
        return tr("Problem, in the patient's words")
    if path == "expected_outcome":
        return tr("Expected outcome")
    m = re.fullmatch(r"(\w+)\[(\d+)\]\.([\w.]+)", path)
    if not m:
        return path
    section, n, name = m.group(1), int(m.group(2)), m.group(3)
    parts = {
        "text": "",
        "step.what": tr("small step: what"),
        "step.how_much": tr("small step: how much"),
        "step.when": tr("small step: when"),
        "step.how_often": tr("small step: how often"),
        "watch_for": tr("watch for"),
        "what_to_do": tr("what to do"),
        "when_to_call": tr("when to call"),
        "what": tr("what it does"),
    }
    item = {
        "goals": tr("Goal {n}"),
        "symptoms": tr("Symptom {n}"),
        "interventions": tr("Task {n}"),
        "services": tr("Service {n}"),
    }[section].format(n=n)
    if section == "interventions":
        i = t.interventions[n - 1]
        who = i.responsible_name or i.responsible.value.replace("_", " ")
        item = tr("{item} (done by: {who})").format(item=item, who=who)
    if section == "services":
        item = tr("{item}: {name}").format(item=item, name=t.services[n - 1].name)
    return f"{item}, {parts[name]}" if parts.get(name) else item


def grade_words(text: str, language: str) -> tuple[str, bool]:
    """What the grade label says, and whether it flags the text (above grade 6)."""
    if not text.strip():
        return tr("No text yet"), False  # Save names the texts a template needs
    r = reading(text, language)
    if r.grade is None:
        return tr("Short: no grade"), False
    if r.too_hard:
        return tr("Grade {g:.1f}: above {limit:g}, use shorter words and sentences").format(
            g=r.grade, limit=GRADE_LIMIT
        ), True
    if r.grade < 1:
        return tr("Grade 1 or lower"), False
    return tr("Grade {g:.1f}").format(g=r.grade), False


class TextsGrid(QWidget):
    """One row per text of a template: its name, then per language the text and its grade."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.grid = QGridLayout(self)
        self.grid.setColumnStretch(0, 1)
        self.grid.setColumnStretch(1, 1)
        self.editors: dict[tuple[str, str], QPlainTextEdit] = {}
        self.grades: dict[tuple[str, str], QLabel] = {}
        self.template: Template | None = None

    def show_template(self, t: Template, *, editable: bool) -> None:
        """Fill the rows from ``t`` (every text, written or not)."""
        self.template = t
        while self.grid.count():
            item = self.grid.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self.editors.clear()
        self.grades.clear()
        for col, words in enumerate((tr("English"), tr("Spanish (usted)"))):
            head = QLabel(words)
            relative_font(head, 1.05, bold=True)
            self.grid.addWidget(head, 0, col)
        row = 1
        for path, texts in text_fields(t, every=True):
            label = QLabel(field_words(t, path))
            relative_font(label, 1.0, bold=True)
            self.grid.addWidget(label, row, 0, 1, 2)
            for col, lang in enumerate(LANGUAGES):
                edit = QPlainTextEdit(texts.get(lang, ""))
                edit.setObjectName(f"text:{path}:{lang}")
                edit.setAccessibleName(f"{label.text()} ({lang})")
                edit.setTabChangesFocus(True)
                edit.setReadOnly(not editable)
                lines = 3 if path.endswith(("how_much", "when", "how_often", "step.what")) else 4
                edit.setFixedHeight(QFontMetrics(edit.font()).lineSpacing() * lines + 12)
                edit.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
                grade = QLabel()
                grade.setObjectName(f"grade:{path}:{lang}")
                grade.setWordWrap(True)
                self.editors[(path, lang)] = edit
                self.grades[(path, lang)] = grade
                edit.textChanged.connect(lambda p=path, lg=lang: self._edited(p, lg))
                self.grid.addWidget(edit, row + 1, col)
                self.grid.addWidget(grade, row + 2, col)
                self._show_grade(path, lang)
            row += 3
        self.grid.setRowStretch(row, 1)

    def _edited(self, path: str, lang: str) -> None:
        self._show_grade(path, lang)
        self.changed.emit()

    def _show_grade(self, path: str, lang: str) -> None:
        words, flagged = grade_words(self.editors[(path, lang)].toPlainText(), lang)
        label = self.grades[(path, lang)]
        label.setText(("⚠ " if flagged else "") + words)
        set_text_colour(label, ERROR_COLOUR if flagged else MUTED_COLOUR)

    def flagged(self) -> list[str]:
        """The fields (``goals[1].text.es``) whose text reads above grade 6."""
        return [
            f"{path}.{lang}"
            for (path, lang), edit in self.editors.items()
            if reading(edit.toPlainText(), lang).too_hard
        ]

    def edited_template(self) -> Template | None:
        """The shown template with the texts as they are now in the boxes."""
        t = self.template
        if t is None:
            return None
        for (path, lang), edit in self.editors.items():
            t = with_text(t, path, lang, edit.toPlainText())
        return t
