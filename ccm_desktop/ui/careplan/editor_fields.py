"""Forms over the plan's frozen dataclasses, described by field specs.

A :class:`FieldForm` shows one item (a goal, a medication, the plan itself) through a list
of :class:`Spec`; :meth:`FieldForm.item` returns the item with what was typed, made with
``dataclasses.replace`` (the item is never changed in place). Patient-facing texts
(:data:`~ccm_desktop.careplan.content.Texts`) are shown and written in the editor's
writing language; a changed text goes through :func:`~ccm_desktop.careplan.content.edited`,
which drops the other languages (they would no longer translate it), and the field's
tooltip says so. Each field has a message label below it for the core's
:class:`~ccm_desktop.errors.ValidationError` on that field.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ccm_desktop.careplan.content import Texts, edited, text_in
from ccm_desktop.ui.common.date_field import DateField
from ccm_desktop.ui.common.forms import error_label
from ccm_desktop.ui.common.style import note

LANGUAGE_NAMES = {"en": "English", "es": "Spanish"}


def tr(text: str) -> str:
    return QCoreApplication.translate("PlanEditor", text)


def language_name(code: str) -> str:
    """ "English", "Spanish" (translated), else the code itself."""
    return tr(LANGUAGE_NAMES[code]) if code in LANGUAGE_NAMES else code


class Kind(enum.Enum):
    LINE = "line"  # a plain one-line string
    LONG = "long"  # a plain multi-line string
    TEXTS = "texts"  # patient-facing words, one line, in the writing language
    TEXTS_LONG = "texts_long"  # patient-facing words, several lines
    CHOICE = "choice"  # one of ``choices`` (an enum member, a condition code ...)
    DATE = "date"  # date | None
    BOOL = "bool"
    NUMBER = "number"  # int, between ``low`` and ``high``
    CONFIDENCE = "confidence"  # int 0-10 | None ("not asked")


@dataclass(frozen=True)
class Spec:
    """One field of a form: the dataclass attribute, its label (with a mnemonic), the kind
    of editor, and for choices the (value, label) pairs."""

    name: str
    label: str
    kind: Kind = Kind.LINE
    choices: tuple[tuple[Any, str], ...] = ()
    placeholder: str = ""
    low: int = 0
    high: int = 99
    beside: bool = False  # on the same row as the field before it (short fields)
    lines: int = 5  # the height of a several-line text


class FieldForm(QWidget):
    """A form for one frozen dataclass item; ``edited`` fires on every user change."""

    edited = Signal()

    def __init__(self, specs: Sequence[Spec], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.specs = list(specs)
        self.language = "en"
        self._item: Any = None
        self._loading = False
        self.editors: dict[str, QWidget] = {}
        self.messages: dict[str, QLabel] = {}
        self.labels: dict[str, QLabel] = {}
        self.values: dict[str, list[Any]] = {}  # a choice field's values, by row
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.origin = note("")  # "From the template ..." for template items
        self.origin.setObjectName("itemOrigin")
        self.origin.hide()
        outer.addWidget(self.origin)
        self._row: QHBoxLayout | None = None
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        outer.addLayout(self.form)
        for spec in self.specs:
            self._add(spec)

    # -- building --------------------------------------------------------------------
    def _add(self, spec: Spec) -> None:
        editor = self._make(spec)
        editor.setObjectName(f"field_{spec.name}")
        box = QWidget()
        lay = QVBoxLayout(box)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addWidget(editor)
        message = error_label()
        lay.addWidget(message)
        label = QLabel("" if spec.kind is Kind.BOOL else spec.label)  # a box has its text
        label.setBuddy(editor)
        editor.setAccessibleName(spec.label.replace("&", "").rstrip(":"))
        if spec.beside and self._row is not None:  # on the previous field's row
            self._row.addWidget(label)
            self._row.addWidget(box, 1)
        else:
            row = QWidget()
            self._row = QHBoxLayout(row)
            self._row.setContentsMargins(0, 0, 0, 0)
            self._row.addWidget(box, 1)
            self.form.addRow(label, row)
        self.editors[spec.name] = editor
        self.messages[spec.name] = message
        self.labels[spec.name] = label

    def _make(self, spec: Spec) -> QWidget:
        k = spec.kind
        if k in (Kind.LINE, Kind.TEXTS):
            e = QLineEdit()
            e.setPlaceholderText(spec.placeholder)
            e.textEdited.connect(self._changed)
            return e
        if k in (Kind.LONG, Kind.TEXTS_LONG):
            p = QPlainTextEdit()
            p.setTabChangesFocus(True)
            p.setPlaceholderText(spec.placeholder)
            p.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            p.setFixedHeight(p.fontMetrics().lineSpacing() * spec.lines)
            p.textChanged.connect(self._changed)
            return p
        if k is Kind.CHOICE:
            c = QComboBox()
            self.values[spec.name] = [value for value, _text in spec.choices]
            for _value, text in spec.choices:
                c.addItem(text)  # values kept in Python: Qt would turn enums into str
            c.activated.connect(lambda _i: self._changed())
            return c
        if k is Kind.DATE:
            d = DateField(spec.label.replace("&", "").rstrip(":"))
            d.editor.textEdited.connect(self._changed)
            d.calendar.clicked.connect(lambda _d: self._changed())
            return d
        if k is Kind.BOOL:
            b = QCheckBox(spec.label)
            b.toggled.connect(self._changed)
            return b
        s = QSpinBox()
        s.setMaximumWidth(s.fontMetrics().horizontalAdvance("not asked") * 2)
        if k is Kind.CONFIDENCE:
            s.setRange(-1, 10)
            s.setSpecialValueText(tr("not asked"))
        else:
            s.setRange(spec.low, spec.high)
        s.valueChanged.connect(self._changed)
        return s

    def set_choices(self, name: str, choices: Sequence[tuple[Any, str]]) -> None:
        """Replace a choice field's options (the patient's conditions, once read)."""
        combo = self.editors[name]
        assert isinstance(combo, QComboBox)
        self._loading = True
        combo.clear()
        self.values[name] = [value for value, _text in choices]
        for _value, text in choices:
            combo.addItem(text)
        self._loading = False
        if self._item is not None:
            self._show(name, getattr(self._item, name))

    # -- values ----------------------------------------------------------------------
    def set_item(self, item: Any) -> None:
        """Show ``item`` (``None``: an empty, disabled form)."""
        self._item = item
        self.clear_errors()
        self._loading = True
        try:
            for spec in self.specs:
                self._show(spec.name, getattr(item, spec.name) if item is not None else None)
        finally:
            self._loading = False
        source = getattr(item, "source", "") if item is not None else ""
        self.origin.setText(
            tr("From the template “{template}”: edit or remove it as you like.").format(
                template=source.split("/")[0]
            )
        )
        self.origin.setVisible(bool(source))

    def rebase(self, item: Any) -> None:
        """Make ``item`` what later edits start from, without showing it again (its nested
        parts changed outside this form)."""
        self._item = item

    def set_language(self, language: str) -> None:
        self.language = language
        if self._item is not None:
            self.set_item(self.item())

    def item(self) -> Any:
        """The shown item with what was typed (``None`` when no item is shown)."""
        if self._item is None:
            return None
        changes = {s.name: self._read(s, getattr(self._item, s.name)) for s in self.specs}
        return dataclasses.replace(self._item, **changes)

    def _show(self, name: str, value: Any) -> None:
        spec = next(s for s in self.specs if s.name == name)
        e = self.editors[name]
        k = spec.kind
        if isinstance(e, QLineEdit):
            e.setText(text_in(value or {}, self.language)[0] if k is Kind.TEXTS else value or "")
            e.setCursorPosition(0)
        elif isinstance(e, QPlainTextEdit):
            e.setPlainText(
                text_in(value or {}, self.language)[0] if k is Kind.TEXTS_LONG else value or ""
            )
        elif isinstance(e, QComboBox):
            values = self.values[name]
            if value not in values and value not in (None, ""):  # a code no longer offered
                values.append(value)
                e.addItem(str(value))
            e.setCurrentIndex(values.index(value) if value in values else 0)
        elif isinstance(e, DateField):
            e.set_value(value)
        elif isinstance(e, QCheckBox):
            e.setChecked(bool(value))
        elif isinstance(e, QSpinBox):
            e.setValue(-1 if value is None and k is Kind.CONFIDENCE else int(value or 0))
        if k in (Kind.TEXTS, Kind.TEXTS_LONG):
            e.setToolTip(texts_tooltip(value or {}, self.language))

    def _read(self, spec: Spec, old: Any) -> Any:
        e = self.editors[spec.name]
        k = spec.kind
        if k is Kind.TEXTS:
            assert isinstance(e, QLineEdit)
            return _texts(old, self.language, e.text())
        if k is Kind.TEXTS_LONG:
            assert isinstance(e, QPlainTextEdit)
            return _texts(old, self.language, e.toPlainText())
        if isinstance(e, QLineEdit):
            return e.text().strip()
        if isinstance(e, QPlainTextEdit):
            return e.toPlainText().strip()
        if isinstance(e, QComboBox):
            i = e.currentIndex()
            return self.values[spec.name][i] if i >= 0 else old
        if isinstance(e, DateField):
            if e.is_bad():  # keep the old date; the field says what is wrong
                return old
            return e.value()
        if isinstance(e, QCheckBox):
            return e.isChecked()
        assert isinstance(e, QSpinBox)
        v = e.value()
        return None if k is Kind.CONFIDENCE and v < 0 else v

    def _changed(self, *_args: object) -> None:
        if self._loading or self._item is None:
            return
        for spec in self.specs:
            e = self.editors[spec.name]
            if isinstance(e, DateField):
                self.set_error(spec.name, e.problem())
        self.edited.emit()

    # -- messages and state ----------------------------------------------------------
    def set_error(self, name: str, message: str) -> None:
        label = self.messages[name]
        label.setText(message)
        label.setVisible(bool(message))
        focus = self.editors[name]
        focus = focus.editor if isinstance(focus, DateField) else focus
        focus.setAccessibleDescription(message)

    def clear_errors(self) -> None:
        for name in self.messages:
            self.set_error(name, "")

    def focus(self, name: str | None = None) -> None:
        """Put the keyboard focus in field ``name`` (the first field when None)."""
        e = self.editors[name or self.specs[0].name]
        e.setFocus()
        if isinstance(e, QLineEdit):
            e.selectAll()

    def set_editable(self, on: bool) -> None:
        for e in self.editors.values():
            if isinstance(e, QLineEdit | QPlainTextEdit):
                e.setReadOnly(not on)
            elif isinstance(e, DateField):
                e.editor.setReadOnly(not on)
                e.button.setEnabled(on)
            else:
                e.setEnabled(on)

    def tab_chain(self) -> list[QWidget]:
        """The focusable editors in form order (for the owner's tab order)."""
        return [e.editor if isinstance(e, DateField) else e for e in self.editors.values()]


def _texts(old: Texts | None, language: str, typed: str) -> Texts:
    old = old or {}
    shown = text_in(old, language)[0]
    if typed.strip() == shown.strip():
        return dict(old)  # unchanged (even when shown from another language)
    return edited(old, language, typed.strip())


def texts_tooltip(t: Texts, language: str) -> str:
    """What editing a patient-facing text does to its other languages, in words."""
    others = sorted(k for k, v in t.items() if k != language and v.strip())
    text, lang = text_in(t, language)
    parts = []
    if text and lang != language:
        parts.append(
            tr("There is no {language} text yet; this is the {shown} one.").format(
                language=language_name(language), shown=language_name(lang)
            )
        )
    if others:
        parts.append(
            tr(
                "Changing this text removes the {others} text, which would no longer match; "
                "print in {language} or translate it again."
            ).format(
                others=", ".join(language_name(o) for o in others),
                language=language_name(language),
            )
        )
    else:
        parts.append(tr("Written in {language}.").format(language=language_name(language)))
    return " ".join(parts)


def short(t: Texts | str, language: str, limit: int = 60) -> str:
    """One line for a list: the text in ``language`` (or another), cut at ``limit``."""
    text = t if isinstance(t, str) else text_in(t, language)[0]
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def date_words(d: date | None) -> str:
    return d.strftime("%m/%d/%Y") if d else ""
