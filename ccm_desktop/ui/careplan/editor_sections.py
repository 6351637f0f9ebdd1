"""A section of the plan editor: a titled page made of parts bound to the plan's fields.

A part is a form over fields of the :class:`~ccm_desktop.careplan.content.PlanContent`
itself (:class:`ContentForm`), over one nested dataclass (:class:`NestedForm`, an
assessment), or a list of items (:class:`BoundList`). :meth:`Section.apply` writes every
part into a content and returns the new one; :meth:`Section.show_error` places a core
message (``goals[1].steps[0].confidence``, already split into a path) next to its field.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QScrollArea, QVBoxLayout, QWidget

from ccm_desktop.careplan.content import PlanContent, replace
from ccm_desktop.ui.careplan.editor_fields import FieldForm, Spec, tr
from ccm_desktop.ui.careplan.editor_lists import RecordList
from ccm_desktop.ui.common.forms import error_label
from ccm_desktop.ui.common.style import heading, note

Path = list[str | int]
_STEP = re.compile(r"([A-Za-z_]+)((?:\[\d+\])*)")


def split_field(field: str) -> Path:
    """``"content.goals[1].steps[0].confidence"`` -> ``["goals", 1, "steps", 0,
    "confidence"]`` (a leading ``content.`` is dropped)."""
    path: Path = []
    for part in field.split("."):
        m = _STEP.fullmatch(part)
        if m is None:
            path.append(part)
            continue
        path.append(m.group(1))
        path.extend(int(i) for i in re.findall(r"\d+", m.group(2)))
    return path[1:] if path[:1] == ["content"] else path


class ContentForm(FieldForm):
    """A form over fields of the plan content itself (the prognosis, the 24/7 number)."""

    def load(self, c: PlanContent) -> None:
        self.set_item(c)

    def apply(self, c: PlanContent) -> PlanContent:
        shown = self.item()
        return replace(c, **{s.name: getattr(shown, s.name) for s in self.specs})

    def attrs(self) -> list[str]:
        return [s.name for s in self.specs]

    def show_error(self, path: Path, message: str) -> bool:
        if path and path[0] in self.editors:
            self.set_error(str(path[0]), message)
            return True
        return False


class NestedForm(FieldForm):
    """A form over one dataclass held in a field of the plan (an assessment)."""

    def __init__(self, attr: str, title: str, specs: Sequence[Spec]) -> None:
        super().__init__(specs)
        self.attr = attr
        self.layout().insertWidget(0, heading(title, 1.1))

    def load(self, c: PlanContent) -> None:
        self.set_item(getattr(c, self.attr))

    def apply(self, c: PlanContent) -> PlanContent:
        return replace(c, **{self.attr: self.item()})

    def attrs(self) -> list[str]:
        return [self.attr]

    def show_error(self, path: Path, message: str) -> bool:
        if len(path) >= 2 and path[0] == self.attr and path[1] in self.editors:
            self.set_error(str(path[1]), message)
            return True
        return False


class BoundList(RecordList):
    """A :class:`RecordList` over a tuple field of the plan; ``keep`` takes the share of it
    this list shows (patient tasks or care-team tasks of ``interventions``)."""

    def __init__(
        self,
        attr: str,
        *args: Any,
        keep: Callable[[Any], bool] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.attr = attr
        self.keep = keep or (lambda _item: True)

    def load(self, c: PlanContent) -> None:
        self.set_items([i for i in getattr(c, self.attr) if self.keep(i)])

    def attrs(self) -> list[str]:
        return [self.attr]

    def show_error(self, path: Path, message: str) -> bool:
        if len(path) < 2 or path[0] != self.attr or not isinstance(path[1], int):
            return False
        rest = path[2:]
        row = path[1]
        if not rest:
            self.select(row)
            return 0 <= row < len(self.items())
        return self.nested_error(row, rest, message)

    def nested_error(self, row: int, rest: Path, message: str) -> bool:
        """``rest`` is the path inside item ``row``; a list with nested lists overrides."""
        return len(rest) == 1 and self.message(row, str(rest[0]), message)


Part = ContentForm | NestedForm | BoundList


class Section(QWidget):
    """One page of the editor: its title, what is still missing, and its parts.

    ``elements`` are the completeness check's names for what this section holds (besides
    its content fields), so a :class:`~ccm_desktop.careplan.completeness.Missing` finds it.
    """

    changed = Signal()

    def __init__(
        self, key: str, title: str, elements: Sequence[str], parts: Sequence[Part], intro: str = ""
    ) -> None:
        super().__init__()
        self.key = key
        self.title = title
        self.elements = tuple(elements)
        self.parts = list(parts)
        self.setObjectName(f"section_{key}")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(heading(title))
        self.missing_label = error_label()
        self.missing_label.setObjectName("sectionMissing")
        outer.addWidget(self.missing_label)
        if intro:
            outer.addWidget(note(intro))
        self.legacy = note("")  # free text of a plan written before structured plans
        self.legacy.setObjectName("legacyText")
        self.legacy.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.legacy.hide()
        outer.addWidget(self.legacy)
        body = QWidget()
        lay = QVBoxLayout(body)
        lay.setContentsMargins(0, 0, 8, 0)
        for i, part in enumerate(self.parts):
            if i:
                line = QFrame()
                line.setFrameShape(QFrame.Shape.HLine)
                lay.addWidget(line)
            lay.addWidget(part)
            signal = part.changed if isinstance(part, RecordList) else part.edited
            signal.connect(self.changed)
        lay.addStretch(1)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setWidget(body)
        outer.addWidget(self.scroll, 1)

    def attrs(self) -> set[str]:
        return {a for p in self.parts for a in p.attrs()}

    def holds(self, element: str) -> bool:
        """Whether a missing element or a field name belongs to this section."""
        head = split_field(element)[:1]
        return element in self.elements or (bool(head) and head[0] in self.attrs())

    def load(self, c: PlanContent) -> None:
        for p in self.parts:
            p.load(c)
        self.show_legacy([c.legacy[e] for e in self.elements if e in c.legacy])

    def show_legacy(self, texts: Sequence[str]) -> None:
        """Show free text kept from a plan written before structured plans (read-only)."""
        old = [t.strip() for t in texts if t.strip()]
        self.legacy.setText(
            tr("Written before structured plans (copy it into its place below):")
            + "\n"
            + "\n".join(old)
            if old
            else ""
        )
        self.legacy.setVisible(bool(old))

    def apply(self, c: PlanContent) -> PlanContent:
        """``c`` with this section's fields as shown (lists sharing a field are joined)."""
        joined: dict[str, list[Any]] = {}
        for p in self.parts:
            if isinstance(p, BoundList):
                joined.setdefault(p.attr, []).extend(p.items())
            else:
                c = p.apply(c)
        return replace(c, **joined) if joined else c

    def set_missing(self, words: Sequence[str]) -> None:
        """Say in words what the completeness check still misses here ("" hides it)."""
        text = tr("Still missing: {what}").format(what="; ".join(words)) if words else ""
        self.missing_label.setText(text)
        self.missing_label.setVisible(bool(text))

    def show_error(self, path: Path, message: str) -> bool:
        """Show ``message`` next to the field at ``path``; False when it is not here."""
        lists = [p for p in self.parts if isinstance(p, BoundList) and path[:1] == [p.attr]]
        if len(lists) > 1 and len(path) >= 2 and isinstance(path[1], int):
            row = path[1]  # lists sharing a field: the index runs through them in order
            for p in lists:
                if row < len(p.items()):
                    return p.show_error([p.attr, row, *path[2:]], message)
                row -= len(p.items())
            return False
        return any(p.show_error(path, message) for p in self.parts)

    def clear_errors(self) -> None:
        for p in self.parts:
            (p.form if isinstance(p, RecordList) else p).clear_errors()

    def set_language(self, language: str) -> None:
        for p in self.parts:
            p.set_language(language)

    def set_editable(self, on: bool) -> None:
        for p in self.parts:
            p.set_editable(on)

    def focus_first(self) -> None:
        first = self.parts[0]
        if isinstance(first, RecordList):
            first.list.setFocus()
        else:
            first.focus()


def replace_item(item: Any, **changes: Any) -> Any:
    return dataclasses.replace(item, **changes)
