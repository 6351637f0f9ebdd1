"""A list of plan items with a form for the chosen one: goals, small steps, medications ...

:class:`RecordList` holds a tuple of frozen dataclass items. The chosen item is shown in
a :class:`~ccm_desktop.ui.careplan.editor_fields.FieldForm`; every change replaces it in
the tuple. By keyboard: Alt+<mnemonic> or Insert on the list adds an item and puts the
focus in its first field; Delete on the list removes the chosen one, and "Undo remove"
puts the last removed item back where it was.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ccm_desktop.ui.careplan.editor_fields import FieldForm, Spec, tr
from ccm_desktop.ui.common.style import heading, note


class RecordList(QWidget):
    """Items of one kind: a list, Add / Remove / Undo remove, and the chosen item's form.

    ``new_item()`` makes a blank item; ``describe(item)`` is its line in the list.
    ``changed`` fires on every add, remove or edit by the user; the list is at most
    ``rows`` lines high.
    """

    changed = Signal()

    def __init__(
        self,
        title: str,
        add_text: str,
        specs: Sequence[Spec],
        new_item: Callable[[], Any],
        describe: Callable[[Any], str],
        *,
        empty_text: str = "",
        rows: int = 7,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.new_item = new_item
        self.describe = describe
        self._items: list[Any] = []
        self._removed: tuple[int, Any] | None = None
        self._editable = True
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.title = heading(title, 1.1)
        layout.addWidget(self.title)
        self.empty_text = empty_text  # what to do next; a reader is told there is nothing
        self.empty = note(empty_text)
        self.empty.setObjectName("emptyList")
        layout.addWidget(self.empty)
        row = QHBoxLayout()
        self.list = QListWidget()
        self.list.setAccessibleName(title)
        self.list.setObjectName("itemList")
        self.list.installEventFilter(self)
        self.list.currentRowChanged.connect(self._chosen)
        lines = self.list.fontMetrics().lineSpacing()
        self.list.setMinimumHeight(lines * 3)
        self.list.setMaximumHeight(lines * rows)
        row.addWidget(self.list, 1)
        buttons = self.buttons = QVBoxLayout()
        self.add_button = QPushButton(add_text)
        self.add_button.setAutoDefault(False)
        self.add_button.clicked.connect(self.add)
        self.remove_button = QPushButton(tr("Remove"))
        self.remove_button.setAutoDefault(False)
        self.remove_button.setToolTip(tr("Remove the chosen item (Delete key in the list)"))
        self.remove_button.setAccessibleName(tr("Remove from {what}").format(what=title))
        self.remove_button.clicked.connect(self.remove)
        self.undo_button = QPushButton(tr("Undo remove"))
        self.undo_button.setAutoDefault(False)
        self.undo_button.setAccessibleName(tr("Undo remove in {what}").format(what=title))
        self.undo_button.clicked.connect(self.undo_remove)
        self.undo_button.hide()
        for b in (self.add_button, self.remove_button, self.undo_button):
            buttons.addWidget(b)
        row.addLayout(buttons)
        layout.addLayout(row)
        buttons.addStretch(1)
        self.form = FieldForm(specs)
        self.form.edited.connect(self._edited)
        layout.addWidget(self.form)
        self._refresh()

    # -- contents --------------------------------------------------------------------
    def set_items(self, items: Sequence[Any]) -> None:
        """Show ``items`` (not a user change: ``changed`` does not fire)."""
        keep = max(self.list.currentRow(), 0)
        self._items = list(items)
        self._removed = None
        self.undo_button.hide()
        self._fill(min(keep, len(self._items) - 1))

    def items(self) -> tuple[Any, ...]:
        return tuple(self._items)

    def current(self) -> int:
        return self.list.currentRow()

    def select(self, row: int) -> None:
        if 0 <= row < len(self._items):
            self.list.setCurrentRow(row)

    def set_language(self, language: str) -> None:
        self.form.set_language(language)
        self._fill(self.list.currentRow())

    def set_editable(self, on: bool) -> None:
        self._editable = on
        self.form.set_editable(on)
        self._refresh()

    # -- user actions ----------------------------------------------------------------
    def add(self) -> None:
        if not self._editable:
            return
        self._items.append(self.new_item())
        self._fill(len(self._items) - 1)
        self.changed.emit()
        self.form.focus()

    def remove(self) -> None:
        row = self.list.currentRow()
        if not self._editable or not 0 <= row < len(self._items):
            return
        self._removed = (row, self._items.pop(row))
        self._fill(min(row, len(self._items) - 1))
        self.undo_button.setToolTip(
            tr("Put back “{item}”").format(item=self.describe(self._removed[1]))
        )
        self.undo_button.show()
        self.changed.emit()
        self.list.setFocus()

    def undo_remove(self) -> None:
        if self._removed is None:
            return
        row, item = self._removed
        self._removed = None
        self._items.insert(row, item)
        self.undo_button.hide()
        self._fill(row)
        self.changed.emit()
        self.list.setFocus()

    def replace_current(self, item: Any) -> None:
        """Put ``item`` in place of the chosen one (a nested list changed it)."""
        row = self.list.currentRow()
        if 0 <= row < len(self._items):
            self._items[row] = item
            self._retitle(row)
            self.changed.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.list and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() == Qt.Key.Key_Delete:
                self.remove()
                return True
            if event.key() == Qt.Key.Key_Insert:
                self.add()
                return True
        return False

    # -- internals -------------------------------------------------------------------
    def _edited(self) -> None:
        row = self.list.currentRow()
        if 0 <= row < len(self._items):
            self._items[row] = self.form.item()
            self._retitle(row)
            self.changed.emit()

    def _retitle(self, row: int) -> None:
        it = self.list.item(row)
        if it is not None:
            it.setText(self._line(self._items[row]))

    def _line(self, item: Any) -> str:
        text = self.describe(item) or tr("(nothing written yet)")
        if getattr(item, "source", ""):
            text += "  " + tr("[template]")
        return text

    def _fill(self, row: int) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        for item in self._items:
            QListWidgetItem(self._line(item), self.list)
        self.list.blockSignals(False)
        if 0 <= row < len(self._items):
            self.list.setCurrentRow(row)
        self._chosen(self.list.currentRow())
        self._refresh()

    def _chosen(self, row: int) -> None:
        item = self._items[row] if 0 <= row < len(self._items) else None
        self.form.set_item(item)
        self.form.setVisible(item is not None)
        self.item_shown(item)

    def item_shown(self, item: Any) -> None:
        """Called when the chosen item changes (a nested list shows its parts)."""

    def _refresh(self) -> None:
        has = bool(self._items)
        self.empty.setText(self.empty_text if self._editable else tr("Nothing listed here."))
        self.empty.setVisible(not has and bool(self.empty_text))
        self.add_button.setEnabled(self._editable)
        self.remove_button.setEnabled(self._editable and self.list.currentRow() >= 0)
        self.undo_button.setEnabled(self._editable)

    def message(self, row: int, name: str, text: str) -> bool:
        """Select item ``row`` and show ``text`` under its field ``name`` (False when there
        is no such item or field)."""
        if not 0 <= row < len(self._items) or name not in self.form.editors:
            return False
        self.select(row)
        self.form.set_error(name, text)
        return True
