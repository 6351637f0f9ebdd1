"""Forms with inline validation: each field has a label, an editor and a message below it.

The core's validators raise :class:`~ccm_desktop.errors.ValidationError` naming a
field ("practice.npi", "providers[1].npi" ...). :class:`FieldErrors` maps those
names to the message label under each editor. A message shows once the user has
left the field (or tried to go on), so nobody is scolded while still typing.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from ccm_desktop.errors import ValidationError, ValidationErrors
from ccm_desktop.ui.common.style import ERROR_COLOUR, set_text_colour


def error_map(exc: ValidationError | ValidationErrors) -> dict[str, str]:
    """Field name -> first message, from one or several validation errors."""
    errors = exc.errors if isinstance(exc, ValidationErrors) else [exc]
    out: dict[str, str] = {}
    for e in errors:
        out.setdefault(e.field, e.text)
    return out


def error_label() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    set_text_colour(label, ERROR_COLOUR)
    label.hide()
    return label


class FieldErrors(QObject):
    """Inline messages for a set of fields, keyed by the core's field names."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.labels: dict[str, QLabel] = {}
        self.editors: dict[str, QWidget] = {}
        self._touched: set[str] = set()
        self._show_all = False
        self._errors: dict[str, str] = {}

    def add_row(self, form: QFormLayout, text: str, editor: QWidget, field: str) -> QLabel:
        """Add "text: editor" to ``form`` with a hidden message label under the editor."""
        box = QWidget()
        lay = QVBoxLayout(box)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addWidget(editor)
        message = error_label()
        lay.addWidget(message)
        label = QLabel(text)
        label.setBuddy(editor)
        editor.setAccessibleName(text.replace("&", "").rstrip(":"))
        form.addRow(label, box)
        self.track(field, editor, message)
        return message

    def track(self, field: str, editor: QWidget, message: QLabel) -> None:
        self.labels[field] = message
        self.editors[field] = editor
        editor.installEventFilter(self)
        if isinstance(editor, QLineEdit):
            editor.editingFinished.connect(lambda f=field: self.touch(f))
        elif isinstance(editor, QComboBox):
            editor.activated.connect(lambda _i, f=field: self.touch(f))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusOut:
            for field, editor in self.editors.items():
                if editor is watched:
                    self.touch(field)
        return False

    def touch(self, field: str) -> None:
        """The user has left ``field``: its message may show from now on."""
        self._touched.add(field)
        self._render()

    def reveal_all(self) -> None:
        """Show every current message (the user tried to go on)."""
        self._show_all = True
        self._render()

    def reset(self) -> None:
        self._touched.clear()
        self._show_all = False
        self._errors = {}
        self._render()

    def set_errors(self, errors: dict[str, str]) -> None:
        """The current messages of the tracked fields (others are ignored)."""
        self._errors = {k: v for k, v in errors.items() if k in self.labels}
        self._render()

    @property
    def errors(self) -> dict[str, str]:
        return dict(self._errors)

    def visible(self, field: str) -> str:
        """The message shown under ``field`` now ("" when none)."""
        label = self.labels[field]
        return "" if label.isHidden() else label.text()

    def _render(self) -> None:
        for field, label in self.labels.items():
            message = self._errors.get(field, "")
            show = bool(message) and (self._show_all or field in self._touched)
            label.setText(message if show else "")
            label.setVisible(show)
            self.editors[field].setAccessibleDescription(message if show else "")


class CompletionMarker:
    """Drives a wizard page's Next/Finish button without overriding ``isComplete()``.

    PySide6 6.12 drops a reference to ``True`` each time QWizard calls a Python
    ``isComplete()`` override, and the interpreter later aborts ("deallocating True").
    Instead a hidden mandatory field holds "ok" while the page is valid; Qt's own
    ``isComplete()`` then enables the button.
    """

    def __init__(self, page: QWizardPage, name: str) -> None:
        self._edit = QLineEdit(page)
        self._edit.hide()
        page.registerField(f"{name}*", self._edit)

    def set(self, complete: bool) -> None:
        text = "ok" if complete else ""
        if self._edit.text() != text:
            self._edit.setText(text)  # QWizardPage emits completeChanged itself

    @property
    def complete(self) -> bool:
        return bool(self._edit.text())


class ErrorSummary(QLabel):
    """One line above a long form: how many fields need attention, each a link that moves
    the focus to (and scrolls to) its field. Hidden while there is nothing to fix."""

    def __init__(self, errors: FieldErrors, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._errors = errors
        self.setObjectName("errorSummary")
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.LinksAccessibleByKeyboard
            | Qt.TextInteractionFlag.LinksAccessibleByMouse
        )
        set_text_colour(self, ERROR_COLOUR)
        self.linkActivated.connect(self.focus_field)
        self.hide()

    def field_name(self, field: str) -> str:
        """The field's label as the user sees it (its editor's accessible name)."""
        editor = self._errors.editors[field]
        return editor.accessibleName() or field

    def refresh(self, prefix: str = "") -> None:
        """Show the fields that have a message now, in form order (hide when none)."""
        wrong = [f for f in self._errors.editors if f in self._errors.errors]
        if not wrong:
            self.hide()
            return
        links = ", ".join(f'<a href="{f}">{html.escape(self.field_name(f))}</a>' for f in wrong)
        head = (
            self.tr("1 field needs attention:")
            if len(wrong) == 1
            else self.tr("{count} fields need attention:").format(count=len(wrong))
        )
        self.setText(f"{html.escape(prefix)}{head} {links}")
        self.setAccessibleName(f"{head} {', '.join(self.field_name(f) for f in wrong)}")
        self.show()

    def focus_field(self, field: str) -> None:
        editor = self._errors.editors.get(field)
        if editor is not None:
            editor.setFocus(Qt.FocusReason.OtherFocusReason)
